"""The breach log's forms. Moments are typed in the reader's time zone (the page activates
it); the domain functions check them against the clock."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.models import Unit
from coop4int.core import personal_data
from coop4int.privacy.domain.register import kind_name

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})
KINDS_OR_OTHER = _(
    "Say what data the breach touched: tick kinds of records, or describe other data."
)


def data_kind_choices() -> list[tuple[str, str]]:
    """The declared kinds of records, by name (or, for a kind without one, its description)."""
    return [(d.model, kind_name(d) or str(d.description)) for d in personal_data.declarations()]


class BreachForm(forms.Form):
    discovered_at = forms.DateTimeField(label=_("Discovered at"), widget=MOMENT)
    description = forms.CharField(
        label=_("What happened"), widget=TEXT, max_length=5000,
        help_text=_("Describe the breach without naming the people affected."),
    )  # fmt: skip
    data_kinds = forms.MultipleChoiceField(
        label=_("Kinds of records affected"), widget=forms.CheckboxSelectMultiple, required=False
    )
    other_data = forms.CharField(
        label=_("Other data affected"), widget=TEXT, max_length=2000, required=False
    )
    people_categories = forms.CharField(
        label=_("Categories of people affected"), widget=TEXT, max_length=2000,
        help_text=_("For example: people served at one unit, staff, partners."),
    )  # fmt: skip
    people_affected = forms.IntegerField(label=_("People affected, approximately"), min_value=0)
    records_affected = forms.IntegerField(
        label=_("Records affected, approximately"), min_value=0, required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units affected"), queryset=Unit.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple, required=False,
    )  # fmt: skip
    measures = forms.CharField(label=_("Measures taken or proposed"), widget=TEXT, max_length=5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["data_kinds"].choices = data_kind_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("data_kinds") and not (cleaned.get("other_data") or "").strip():
            self.add_error("data_kinds", KINDS_OR_OTHER)
        return cleaned


class RegulatorNotifiedForm(forms.Form):
    prefix = "regulator"  # two forms of the page have a moment: their ids must differ
    notified_at = forms.DateTimeField(label=_("Notified at"), widget=MOMENT)
    reference = forms.CharField(label=_("CNPD reference"), max_length=100, required=False)
    delay_reason = forms.CharField(
        label=_("Reason for the delay"), widget=TEXT, max_length=2000, required=False,
        help_text=_("Required when the CNPD is notified more than 72 hours after the discovery."),
    )  # fmt: skip


class PeopleNotifiedForm(forms.Form):
    prefix = "people"
    notified_at = forms.DateTimeField(label=_("Told at"), widget=MOMENT)
    notice = forms.CharField(
        label=_("How the people affected were told"), widget=TEXT, max_length=2000
    )


class CloseBreachForm(forms.Form):
    prefix = "closing"
    note = forms.CharField(
        label=_("Closing note"), widget=TEXT, max_length=5000,
        help_text=_("What was done; if the CNPD was not notified, why no notification was needed."),
    )  # fmt: skip
