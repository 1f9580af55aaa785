"""The certificates' public machine addresses, read by verifiers anywhere (no account):

- ``GET /credentials/issuer``: the issuer's Open Badges ``Profile`` with its public keys
  (``application/json``);
- ``GET /credentials/<id>``: a certificate's credential as issued (``application/vc+jwt``).
  It names its holder, so no cache keeps it (``Cache-Control: private, no-store``) and it is
  gone once their record is erased;
- ``GET /credentials/status/<id>``: a revocation status list's credential, signed when asked
  (``application/vc+jwt``), kept by caches for ``STATUS_LIST_MAX_AGE`` seconds.

Every answer allows any origin to read it (CORS), so a verifier in a browser can check a
certificate by itself.
"""

import json

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import patch_cache_control

from coop4int.api import public_reads
from coop4int.api.public_reads import problem
from coop4int.core.personal_pages import mark_personal
from coop4int.learning.credentials.badge import issuer_profile
from coop4int.learning.credentials.keys import KeyProblem, NoSigningKey
from coop4int.learning.credentials.status_list import STATUS_LIST_MAX_AGE, signed_status_list
from coop4int.learning.models import Certificate, StatusList

VC_JWT = "application/vc+jwt"
# Verifiers fetch the keys again this often: a key put first reaches them within it.
ISSUER_MAX_AGE = 300
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept",
    "Access-Control-Max-Age": "86400",
}
public_read = public_reads.public_read(cors=CORS_HEADERS)


@public_read
def issuer(request: HttpRequest) -> HttpResponseBase:
    try:
        profile = issuer_profile()
    except KeyProblem:
        return problem("The issuer's keys are unavailable.", 503)
    response = HttpResponse(
        json.dumps(profile, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    patch_cache_control(response, public=True, max_age=ISSUER_MAX_AGE)
    return response


@public_read
def credential(request: HttpRequest, certificate_id: str) -> HttpResponseBase:
    token = (
        Certificate.objects.filter(pk=certificate_id)
        .exclude(credential="")
        .values_list("credential", flat=True)
        .first()
    )
    if token is None:
        return mark_personal(problem("No such credential.", 404))
    response = HttpResponse(token, content_type=VC_JWT)
    response["X-Robots-Tag"] = "noindex"
    return mark_personal(response)


@public_read
def status_list(request: HttpRequest, list_id: int) -> HttpResponseBase:
    listing = StatusList.objects.filter(pk=list_id).first()
    if listing is None:
        return problem("No such status list.", 404)
    try:
        token = signed_status_list(listing, now=timezone.now())
    except (NoSigningKey, KeyProblem):
        return problem("The status list cannot be signed now.", 503)
    response = HttpResponse(token, content_type=VC_JWT)
    patch_cache_control(response, public=True, max_age=STATUS_LIST_MAX_AGE)
    return response
