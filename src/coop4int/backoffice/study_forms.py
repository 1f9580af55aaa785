"""The analysts' forms of the studies library: a study's details with its PDF (required when
adding, optional when correcting), and the buttons that publish and withdraw it.

The form checks what a form can (a field left empty, a date that is no date); whether the file
is a PDF and small enough is the domain's to say (``observatory.domain.studies``), and the
page shows it beside the file's field."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coop4int.backoffice.forms import TopicsChoiceField
from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import language_choices
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.enums import DEFAULT_LICENCE, licence_choices
from coop4int.observatory.models import Study


class StudyForm(forms.Form):
    """A new study: its details and its PDF."""

    title = forms.CharField(label=_("Title"), max_length=300)
    authors = forms.CharField(
        label=_("Authors"),
        max_length=500,
        help_text=_("As the publication names them: people or organisations, separated by commas."),
    )
    published_on = forms.DateField(
        label=_("Date of publication"), widget=forms.DateInput(attrs={"type": "date"})
    )
    language = forms.ChoiceField(
        label=_("Written in"), choices=language_choices, widget=LanguageSelect, initial="pt"
    )
    abstract = forms.CharField(label=_("Abstract"), widget=forms.Textarea(attrs={"rows": 8}))
    topics = TopicsChoiceField(
        label=_("Topics"),
        queryset=TaxonomyTerm.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    licence = forms.ChoiceField(
        label=_("Licence"), choices=licence_choices, initial=DEFAULT_LICENCE
    )
    upload = forms.FileField(
        label=_("PDF file"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Choose the study's PDF file.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _(
            "A PDF file of at most %(mb)d MB. A browser does not keep a chosen file when the "
            "page comes back with a problem: choose it again."
        ) % {"mb": settings.OBSERVATORY_STUDY_MAX_MB}

    def details(self) -> dict[str, Any]:
        """The keyword arguments of ``add_study`` and ``update_study`` (after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "authors": data["authors"],
            "published_on": data["published_on"],
            "language": data["language"],
            "abstract": data["abstract"],
            "topics": list(data["topics"]),
            "licence": data["licence"],
            "upload": data["upload"] or None,
        }

    @classmethod
    def initial_for(cls, study: Study) -> dict[str, Any]:
        return {
            "title": study.title,
            "authors": study.authors,
            "published_on": study.published_on,
            "language": study.language,
            "abstract": study.abstract,
            "topics": list(study.topics.all()),
            "licence": study.licence,
        }


class StudyEditForm(StudyForm):
    """A study's details corrected; a file chosen takes the place of its file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        upload = self.fields["upload"]
        upload.required = False
        upload.label = _("New PDF file (optional)")
        upload.help_text = _(
            "Only to put another file in place of this one: a PDF file of at most %(mb)d MB."
        ) % {"mb": settings.OBSERVATORY_STUDY_MAX_MB}


class StudyButtonForm(forms.Form):
    """Publish or withdraw: a button, nothing to fill in."""
