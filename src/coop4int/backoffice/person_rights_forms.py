"""Forms of a person's data-protection rights: correcting the record, a legal hold, and the
ground for an erasure with an optional note."""

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coop4int.people.domain.erasure import NOTE_MAX_LENGTH
from coop4int.people.domain.rectification import (
    LIST_FIELDS,
    RECTIFIABLE_FIELDS,
    SENSITIVE_FIELDS,
)
from coop4int.people.enums import CHOSEN_ERASURE_GROUNDS
from coop4int.people.models import Person

# The note stays on the emptied record, which outlives the erasure.
_NO_NAMES = _(
    "Optional: a reference to the request or the order. Do not write names or contact details "
    "here: the note stays on the emptied record."
)


def field_label(name: str) -> str:
    """A record's field as the reader calls it ("Family names")."""
    return str(capfirst(getattr(Person._meta.get_field(name), "verbose_name", name)))


class RectifyForm(forms.Form):
    """One field corrected at a time. A choice is typed as it reads in any interface
    language or as its code; a date as year-month-day; a list with commas."""

    prefix = "rectify"

    field = forms.ChoiceField(label=_("Field to correct"))
    value = forms.CharField(
        label=_("Correct value"),
        required=False,
        max_length=300,
        help_text=_("Dates as year-month-day (1990-05-31); several values separated by commas."),
    )
    reason = forms.CharField(
        label=_("Why it is corrected"),
        max_length=500,
        help_text=_("The person's request, a document shown…"),
    )

    def __init__(self, *args: Any, sees_sensitive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [n for n in RECTIFIABLE_FIELDS if sees_sensitive or n not in SENSITIVE_FIELDS]
        self.fields["field"].choices = [(name, field_label(name)) for name in names]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name, value = cleaned.get("field"), cleaned.get("value", "")
        if not name:
            return cleaned
        model_field = Person._meta.get_field(name)
        choices = getattr(model_field, "choices", None)
        if choices and name not in LIST_FIELDS and value:
            wanted = value.strip().casefold()
            for code, label in choices:
                if wanted in (str(code).casefold(), str(label).casefold()):
                    cleaned["value"] = code
                    break
            else:
                self.add_error(
                    "value",
                    gettext("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(str(label) for _code, label in choices)},
                )
        return cleaned


class LegalHoldForm(forms.Form):
    prefix = "hold"

    reason = forms.CharField(
        label=_("Reason for the legal hold"),
        max_length=300,
        help_text=_(
            "A court order, a complaint being investigated… Do not write names or contact "
            "details here."
        ),
    )


class LiftLegalHoldForm(forms.Form):
    """Posted by the "Lift the legal hold" button alone."""


class ErasureForm(forms.Form):
    prefix = "erase"

    _CONFIRM = _("Tick “I checked this record is to be erased” before erasing.")

    ground = forms.ChoiceField(
        label=_("Why the record is erased"),
        choices=[(ground.value, ground.label) for ground in CHOSEN_ERASURE_GROUNDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the record is erased.")},
    )
    note = forms.CharField(
        label=_("Note on the erasure"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=_NO_NAMES,
    )
    confirm = forms.BooleanField(
        label=_("I checked this record is to be erased, and that it cannot be undone"),
        error_messages={"required": _CONFIRM},
    )
