"""The observatory's library of studies and reports, for everyone: the list with its filters
(topic, language written in, year, words), a study's page, and its PDF.

A study is written in one language, whatever the interface's: its title and abstract are
shown as they are, marked with that language (``lang``, ``dir``), and the page says in the
interface's words which language it is ("in Portuguese") — it is the document's language, not
a fallback. Drafts and withdrawn studies answer 404 as a missing one does
(``observatory.domain.studies``)."""

from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coop4int.core.files import DOWNLOAD_POLICY
from coop4int.core.formatting import current_locale
from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import REGISTRY, Direction
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.domain import studies
from coop4int.observatory.enums import licence
from coop4int.observatory.models import Study
from coop4int.portal.presentation import Text, topic_text

QUERY_LENGTH = 200
PAGE_SIZE = 20


def _interface() -> str:
    return get_language() or "pt"


def language_label(code: str) -> SafeString:
    """The language ``code`` named in the interface's language ("portugais" on a French
    page), from CLDR; where CLDR has no such name, its own name marked with its language."""
    try:
        name = Locale.parse(current_locale()).languages.get(code.replace("-", "_"), "")
    except (UnknownLocaleError, ValueError):
        name = ""
    if name:
        return format_html("{}", name)
    own = REGISTRY[code].native_name if code in REGISTRY else code
    return format_html('<span lang="{}">{}</span>', code, own)


def _direction(code: str) -> str:
    return REGISTRY[code].direction.value if code in REGISTRY else Direction.LTR.value


def _topics(study: Study) -> list[Text]:
    language = _interface()
    return sorted(
        (topic_text(term, language) for term in study.topics.all()), key=lambda t: t.value
    )


def _card(study: Study) -> dict[str, Any]:
    """What the list and a study's page both say of a study."""
    return {
        "study": study,
        "url": reverse("portal:study", args=[study.slug]),
        "file_url": reverse("portal:study_file", args=[study.slug]),
        "language": language_label(study.language),
        "direction": _direction(study.language),
        "topics": _topics(study),
        "licence": licence(study.licence),
    }


class StudyFilterForm(forms.Form):
    """Which studies the list shows. Sent by GET; an empty form lists them all."""

    q = forms.CharField(label=_("Words"), max_length=QUERY_LENGTH, required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.ChoiceField(label=_("Written in"), required=False, widget=LanguageSelect)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, facets: studies.Facets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        interface = _interface()
        self._topics = {str(term.pk): term for term in facets.topics}
        fields = self.fields
        fields["topic"].choices = anything + [  # type: ignore[attr-defined]
            (key, topic_text(term, interface).value) for key, term in self._topics.items()
        ]
        fields["language"].choices = anything + [  # type: ignore[attr-defined]
            (code, REGISTRY[code].native_name if code in REGISTRY else code)
            for code in facets.languages
        ]
        fields["year"].choices = anything + [  # type: ignore[attr-defined]
            (str(year), str(year)) for year in facets.years
        ]

    def criteria(self) -> dict[str, Any]:
        """The keyword arguments of ``public_studies``: every study when the form is empty;
        a value that is not offered (an old link) is left out, the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        topic: TaxonomyTerm | None = self._topics.get(data.get("topic") or "")
        return {
            "query": data.get("q") or "",
            "topic": topic,
            "language": data.get("language") or None,
            "year": data.get("year"),
        }

    @property
    def filtered(self) -> bool:
        return any(self.criteria().values())


def study_list(request: HttpRequest) -> HttpResponse:
    """``/<lang>/observatory/studies/`` — the published studies, newest first, filtered."""
    form = StudyFilterForm(request.GET or None, facets=studies.public_facets())
    page = Paginator(studies.public_studies(**form.criteria()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/study_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "cards": [_card(study) for study in page],
            "filtered": form.filtered,
        },
    )


def study_page(request: HttpRequest, slug: str) -> HttpResponse:
    """``/<lang>/observatory/studies/<slug>/`` — a published study: who wrote it, when, in
    which language, its abstract, topics and licence, and its PDF to download."""
    study = studies.get_public_study(slug)
    context = {"card": _card(study), "not_in_interface_language": study.language != _interface()}
    return render(request, "portal/study_detail.html", context)


def study_file(request: HttpRequest, slug: str) -> FileResponse:
    """The PDF of a published study, always as a download, from outside the web root (or the
    bucket, through this view): a draft's or a withdrawn study's answers 404."""
    study = studies.get_public_study(slug)
    response = FileResponse(
        study.file.open("rb"),
        as_attachment=True,
        filename=f"{study.slug}.pdf",
        content_type=studies.PDF_TYPE,
    )
    # In place of the pages' policy, which the CSP middleware leaves alone once set.
    response["Content-Security-Policy"] = DOWNLOAD_POLICY
    return response
