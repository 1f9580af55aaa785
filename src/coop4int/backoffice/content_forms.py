from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop4int.accounts.models import Unit
from coop4int.backoffice.forms import TopicChoiceField
from coop4int.content.enums import Channel, ItemKind
from coop4int.core.language_widgets import TextLanguageSelectMultiple
from coop4int.core.languages import Language, language_choices
from coop4int.directory.models import Service, TaxonomyTerm


class NewItemForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=120,
        help_text=_("Letters, digits and hyphens; in the address."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    source_language = forms.ChoiceField(
        label=_("Written in"), choices=language_choices, initial="pt"
    )
    title = forms.CharField(label=_("Title"), max_length=300)


class TextForm(forms.Form):
    # The version the page showed (0: no text in this language yet), so that saving over a
    # text someone else saved meanwhile is refused rather than replacing theirs unseen.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_(
            "Markdown: ## for a heading, **bold**, - for a list, [text](address) for a link."
        ),
    )

    def written_in(self, language: Language) -> "TextForm":
        """Mark the text fields with the language the text is written in."""
        for name in ("title", "summary", "body"):
            attrs = self.fields[name].widget.attrs
            attrs["lang"], attrs["dir"] = language.code, language.direction.value
        return self


class TextStepForm(forms.Form):
    """Send for review or publish: the version the page showed, which the step applies to.

    A post that does not say which version it showed (or says none that can be) is not
    refused here as a form's problem: whatever the page showed is unknown, so the step is
    refused as for a text changed meanwhile (``version`` is then None)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_version(self) -> int | None:
        posted = self.cleaned_data["version"]
        # ASCII digits of a size a version has (``int("²")`` fails though ``"²".isdigit()``).
        if posted.isascii() and posted.isdigit() and len(posted) <= 9 and int(posted) >= 1:
            return int(posted)
        return None


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title of the file"), max_length=200)
    upload = forms.FileField(
        label=_("File"), help_text=_("A PDF, PNG or JPEG file of at most 10 MB.")
    )


_NOT_THIS_PAGES_FILE = _("That file is not one of this page's. Nothing was changed.")


class FileStepForm(forms.Form):
    """Publish a file waiting for review: which one (a button beside each file). Whether it
    is a file of the page's item and language is the page's to check."""

    attachment = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        # The largest id a file can have: a larger number is no file, not a database error.
        max_value=2**63 - 1,
        error_messages={
            "required": _NOT_THIS_PAGES_FILE,
            "invalid": _NOT_THIS_PAGES_FILE,
            "min_value": _NOT_THIS_PAGES_FILE,
            "max_value": _NOT_THIS_PAGES_FILE,
        },
    )


class ReplaceFileForm(FileStepForm):
    """A new version of a published file, uploaded beside it; it keeps the file's title."""

    upload = forms.FileField(
        label=_("New version"),
        help_text=_("A PDF, PNG or JPEG file of at most 10 MB."),
        error_messages={"required": _("Choose the file of the new version. Nothing was changed.")},
    )


class ItemSettingsForm(forms.Form):
    topic = TopicChoiceField(
        label=pgettext_lazy("directory filter", "Topic"),
        queryset=TaxonomyTerm.objects.order_by("name"),
        required=False,
    )
    audience = forms.CharField(label=_("For whom"), max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.order_by("name"),
        required=False,
        help_text=_(
            "The unit that keeps this item true: its editors and coordinators are reminded "
            "when it needs attention."
        ),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Related services of the directory"),
        queryset=Service.objects.exclude(status="defunct").order_by("name"),
        required=False,
        widget=TextLanguageSelectMultiple(attrs={"size": 6}),
    )
    period_start = forms.DateField(
        label=_("Campaign from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Campaign until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels used"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Channel.choices:
            self.fields[f"reach_{value}"] = forms.IntegerField(
                label=_("People reached: %(channel)s") % {"channel": label},
                min_value=0,
                required=False,
            )

    def reach(self) -> dict[str, int]:
        return {
            value: self.cleaned_data[f"reach_{value}"]
            for value in Channel.values
            if self.cleaned_data.get(f"reach_{value}") is not None
        }


class ReviewForm(forms.Form):
    """Checked and still true (the date is then a year ahead unless another is given), or
    only a new date for the next review."""

    review_by = forms.DateField(
        label=_("Next review by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When left empty after a review: a year from today."),
    )
