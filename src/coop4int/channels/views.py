"""Webhooks the SMS and WhatsApp gateways call. They are machine to machine: no session and no
CSRF token, each request proved instead by the provider's HMAC signature."""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coop4int.channels.messaging import (
    NoUnit,
    UnknownProvider,
    WebhookRejected,
    file_inbound,
    messaging_provider,
)

logger = logging.getLogger("coop4int.channels.messaging")

_FORM = "application/x-www-form-urlencoded"


@csrf_exempt  # signed by the provider (HMAC), checked before anything is read into a case
@require_POST
def inbound_message(request: HttpRequest, provider: str) -> HttpResponse:
    """One incoming message: 403 unless signed, 400 unless a message, 200 when filed (also
    when it was filed before: providers retry)."""
    try:
        gateway = messaging_provider(provider)
    except UnknownProvider:
        raise Http404 from None
    # Gateways post forms; any other body counts as no parameters, so the signature decides.
    params = dict(request.POST.lists()) if request.content_type == _FORM else {}
    try:
        message = gateway.parse_webhook(
            url=request.build_absolute_uri(),
            params=params,
            headers=request.headers,
        )
    except WebhookRejected as rejected:
        return _refused(request, provider, rejected.reason, rejected.status)
    try:
        result = file_inbound(message)
    except NoUnit:
        logger.error("%s message %s not filed: no local unit", provider, message.message_id)
        # 503: the provider retries later, when a unit exists.
        return HttpResponse(
            _("No unit receives messages yet."), status=503, content_type="text/plain"
        )
    logger.info(
        "%s message %s filed in case %s%s",
        provider,
        message.message_id,
        result.case.reference,
        " (duplicate)" if result.duplicate else "",
    )
    return HttpResponse(gateway.reply_body, content_type=gateway.reply_content_type)


def _refused(request: HttpRequest, provider: str, reason: str, status: int) -> HttpResponse:
    logger.warning(
        "refused %s webhook from %s: %s", provider, request.META.get("REMOTE_ADDR", "?"), reason
    )
    text = _("Forbidden.") if status == 403 else _("Not a message.")
    return HttpResponse(text, status=status, content_type="text/plain")
