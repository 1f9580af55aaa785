"""The title of a public page, found from its address: the feedback form names the page a
message is about by its title, as the reader saw it, and not by its address.

Only the public part of the address is read (``content.domain.feedback.feedback_source``): a
page whose address holds a secret (a request's tracking page) has no title here, so nothing of
it is shown back."""

from uuid import UUID

from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _

from coop4int.content.domain.feedback import feedback_source
from coop4int.content.domain.queries import reading_for
from coop4int.directory.domain.queries import find_service_at_location, leaflet_unit
from coop4int.localplans.domain.queries import get_public_plan
from coop4int.observatory.domain.queries import get_public_indicator
from coop4int.observatory.domain.studies import get_public_study
from coop4int.observatory.texts import text_in
from coop4int.portal.presentation import service_name


def _fixed_title(route: str) -> str:
    """The title of a page without parts, as its template gives it."""
    titles = {
        "portal:home": _("Support for immigrants in Cabo Verde"),
        "portal:info": _("Information"),
        "portal:directory": _("Where to get help"),
        "portal:search": _("Search"),
        "portal:ask": _("Ask for help"),
        "portal:request_sent": _("Your request was sent"),
        "portal:feedback": _("Is something missing or wrong?"),
        "portal:observatory": _("Migration Observatory"),
        "portal:studies": _("Studies and reports"),
        "portal:plans": _("Local integration plans"),
    }
    return titles.get(route, "")


def page_title(address: str, language: str) -> str:
    """The title of the public page at ``address`` (such as ``/pt/info/linha/``) for a reader
    of ``language``; "" when the address is no public page or the page is gone."""
    source = feedback_source(address)
    if not source.page:
        return ""
    if title := _fixed_title(source.route):
        return title
    # The page's own language, which its address carries, names its content.
    page_language = get_language_from_path(source.page) or language
    with translation.override(page_language):
        try:
            kwargs = resolve(source.page).kwargs
        except Resolver404:
            return ""
    try:
        return _title_with_parts(source.route, kwargs, page_language)
    except Http404:
        return ""


def _title_with_parts(route: str, kwargs: dict[str, object], language: str) -> str:
    if route in {"portal:info_detail", "portal:info_download"}:
        return reading_for(str(kwargs["slug"]), language).revision.title
    if route == "portal:info_in_language":
        return reading_for(str(kwargs["slug"]), str(kwargs["content_language"])).revision.title
    if route == "portal:directory_detail":
        sal_id = kwargs["sal_id"]
        sal = find_service_at_location(sal_id) if isinstance(sal_id, UUID) else None
        return service_name(sal.service, language) if sal else ""
    if route == "portal:leaflet":
        unit = leaflet_unit(str(kwargs["unit_slug"]))
        if unit is None:
            return ""
        return _("Services and contacts — %(unit)s") % {"unit": unit.name}
    if route == "portal:indicator":
        return text_in(get_public_indicator(str(kwargs["code"])).names, language).text
    if route in {"portal:study", "portal:study_file"}:
        return get_public_study(str(kwargs["slug"])).title
    if route in {"portal:plan", "portal:plan_comment", "portal:plan_comment_sent"}:
        return text_in(get_public_plan(str(kwargs["slug"])).title, language).text
    return ""
