from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.content.enums import ItemKind
from coop4int.core.languages import language_choices


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


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title of the file"), max_length=200)
    upload = forms.FileField(
        label=_("File"), help_text=_("A PDF, PNG or JPEG file of at most 10 MB.")
    )
