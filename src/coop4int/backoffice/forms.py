from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop4int.accounts.models import Unit
from coop4int.core.queries import AuditFilter
from coop4int.directory.models import TaxonomyTerm


class TopicChoiceField(forms.ModelChoiceField[TaxonomyTerm]):
    """A topic, named in the reader's language."""

    def label_from_instance(self, obj: TaxonomyTerm) -> str:
        return obj.name_in()


class TopicsChoiceField(forms.ModelMultipleChoiceField[TaxonomyTerm]):
    """Topics, named in the reader's language."""

    def label_from_instance(self, obj: TaxonomyTerm) -> str:
        return obj.name_in()


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.all(), required=False, empty_label=_("All units")
    )
    action = forms.CharField(
        label=_("Action"), required=False, max_length=100, help_text=_("For example: accounts.")
    )
    object_ref = forms.CharField(label=_("Object"), required=False, max_length=200)
    ip_address = forms.GenericIPAddressField(
        label=pgettext_lazy("network", "Address"), required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def criteria(self) -> AuditFilter:
        if not self.is_valid():
            return AuditFilter()
        data = self.cleaned_data
        return AuditFilter(
            actor=data["actor"],
            unit_id=data["unit"].pk if data["unit"] else None,
            action=data["action"],
            object_ref=data["object_ref"],
            ip_address=data["ip_address"] or "",
            since=data["since"],
            until=data["until"],
        )
