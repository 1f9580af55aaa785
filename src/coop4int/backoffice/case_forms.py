"""Forms of the support desk: what officers type, checked and kept when something is wrong."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.enums import Island
from coop4int.accounts.models import User
from coop4int.backoffice.forms import TopicChoiceField, TopicsChoiceField
from coop4int.cases.domain.calls import Caller
from coop4int.cases.enums import Channel, Priority, ReferralOutcome, Status
from coop4int.cases.models import CallBack, Case, Referral
from coop4int.core.language_widgets import TextLanguageSelect
from coop4int.core.languages import language_choices
from coop4int.directory.models import Service, TaxonomyTerm
from coop4int.people.domain.contacts import normalise_email, normalise_phone
from coop4int.people.enums import AgeGroup, ConsentMethod, Purpose, Sex
from coop4int.people.models import Person

OFFICER_CHANNELS = [
    (Channel.WALK_IN.value, Channel.WALK_IN.label),
    (Channel.PHONE.value, Channel.PHONE.label),
]
# How each channel is offered for a reply: a walk-in or a call is not sent, only recorded.
REPLY_CHANNEL_LABELS = {
    Channel.EMAIL: _("E-mail"),
    Channel.WEB: _("Web: the person reads it on their tracking page"),
    Channel.SMS: _("SMS"),
    Channel.WHATSAPP: _("WhatsApp"),
    Channel.WALK_IN: _("At the desk: recorded as said"),
    Channel.PHONE: _("On the phone: recorded as said"),
}


class VersionedForm(forms.Form):
    """Every change to a case carries the version it was made on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReplyForm(VersionedForm):
    """A reply, on one of the channels the case can reach (``channels``, from
    ``cases.domain.queries.reply_channels``): any other is refused."""

    prefix = "reply"

    channel = forms.ChoiceField(label=_("Send by"), choices=())
    body = forms.CharField(
        label=_("Reply to the person"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    attachment = forms.FileField(
        label=_("Attach a file"), required=False,
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
    )  # fmt: skip

    def __init__(self, *args: Any, channels: Sequence[Channel] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(channel.value, REPLY_CHANNEL_LABELS[channel]) for channel in channels]


class NoteForm(VersionedForm):
    prefix = "note"

    note = forms.CharField(
        label=_("Internal note (never shown to the person)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )


class StatusForm(VersionedForm):
    prefix = "status"

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


class AssignForm(VersionedForm):
    prefix = "assign"

    officer = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False,
        empty_label=_("Nobody (the unit's queue)"),
    )  # fmt: skip

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers if officers is not None else User.objects.none()


class SatisfactionForm(forms.Form):
    """The person's answer, recorded by the officer with one button per score."""

    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int,
        error_messages={
            "required": _("Choose a number from 1 to 5. Nothing was saved."),
            "invalid_choice": _("Choose a number from 1 to 5. Nothing was saved."),
        },
    )  # fmt: skip


class WithdrawReferralForm(forms.Form):
    """Which of the case's referrals to take back (a button on each)."""

    referral = forms.ModelChoiceField(
        queryset=Referral.objects.none(),
        error_messages={
            "required": _("That referral is not one of this case's. Nothing was changed."),
            "invalid_choice": _("That referral is not one of this case's. Nothing was changed."),
        },
    )

    def __init__(self, *args: Any, referrals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referral"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = referrals if referrals is not None else Referral.objects.none()


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = TopicChoiceField(
        label=_("Topic"), queryset=TaxonomyTerm.objects.order_by("name"), required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=[("", "—"), *Priority.choices], coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip


class NewCaseForm(forms.Form):
    """A walk-in or a phone call: who (or nobody, for an anonymous question) and what."""

    channel = forms.ChoiceField(label=_("Contact"), choices=OFFICER_CHANNELS)
    anonymous = forms.BooleanField(
        label=_("Anonymous: the person gives no identity"), required=False
    )
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    family_names = forms.CharField(label=_("Family names"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=[("", "—"), *AgeGroup.choices], required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.NOT_STATED)
    gender = forms.CharField(
        label=_("Gender, as the person describes it"), max_length=100, required=False
    )
    nationality = forms.CharField(
        label=_("Nationalities"), max_length=100, required=False,
        help_text=_("Two-letter country codes, separated by commas: SN, GW, PT."),
    )  # fmt: skip
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=language_choices(), initial="pt"
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    island = forms.ChoiceField(
        label=_("Island"), choices=[("", "—"), *Island.choices], required=False
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)
    consent_service = forms.BooleanField(
        label=_("The person agrees that we use these details to handle the request"),
        required=False,
    )
    consent_contact = forms.BooleanField(
        label=_("The person agrees to be contacted by us"), required=False
    )
    consent_statistics = forms.BooleanField(
        label=_("The person agrees to be counted in statistics"), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("What the person asks"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    topics = TopicsChoiceField(
        label=_("Topics"), queryset=TaxonomyTerm.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    duration_minutes = forms.IntegerField(
        label=_("Call duration (minutes)"), min_value=0, max_value=600, required=False
    )
    interpreter = forms.CharField(label=_("Interpreter used"), max_length=100, required=False)

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        return normalise_phone(text) if text else ""

    def clean_email(self) -> str:
        text = self.cleaned_data["email"].strip()
        if not text:
            return ""
        try:
            return normalise_email(text)
        except ValidationError as error:
            raise ValidationError(_("Enter a valid e-mail address.")) from error

    def clean_nationality(self) -> list[str]:
        codes = [
            c.strip().upper() for c in self.cleaned_data["nationality"].split(",") if c.strip()
        ]
        wrong = [c for c in codes if len(c) != 2 or not c.isalpha()]
        if wrong:
            raise ValidationError(
                _("Not a country code: %(codes)s."), params={"codes": ", ".join(wrong)}
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("anonymous"):
            if not (data.get("given_names") or data.get("family_names")):
                self.add_error("given_names", _("Give a name, or mark the contact anonymous."))
            if not data.get("consent_service"):
                self.add_error(
                    "consent_service",
                    _("Without the person's agreement, record the contact as anonymous."),
                )
        return data


class ReferralForm(VersionedForm):
    prefix = "refer"

    service = forms.ModelChoiceField(
        label=_("Partner service"), queryset=Service.objects.none(), widget=TextLanguageSelect
    )
    summary = forms.CharField(
        label=_("What the partner needs to know"),
        help_text=_("Only this, the person's name and language (and the phone, if ticked) are "
                    "shared with the partner."),
        widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
    )  # fmt: skip
    share_phone = forms.BooleanField(label=_("Share the phone number"), required=False)

    def __init__(self, *args: Any, services: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services if services is not None else Service.objects.none()


class ConsentForm(forms.Form):
    prefix = "consent"

    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why the referral is declined"), max_length=500)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReferralOutcome.choices)
    note = forms.CharField(
        label=_("Note for the referring unit"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class CallerForm(forms.Form):
    number = forms.CharField(label=_("Caller's number"), max_length=30)

    def clean_number(self) -> str:
        return normalise_phone(self.cleaned_data["number"])


class CallBackDoneForm(forms.Form):
    """Which call-back was made: one of those the officer may see (``callbacks``)."""

    callback = forms.ModelChoiceField(
        queryset=CallBack.objects.none(),
        error_messages={
            "required": _("That call-back is not in your list. Nothing was changed."),
            "invalid_choice": _("That call-back is not in your list. Nothing was changed."),
        },
    )

    def __init__(self, *args: Any, callbacks: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["callback"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = callbacks if callbacks is not None else CallBack.objects.none()


class CallForm(forms.Form):
    """One call: joined to a case listed for the caller, or opening a new one."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    direction = forms.ChoiceField(
        label=_("Call"),
        choices=[("in", _("Incoming")), ("out", _("Outgoing"))],
        initial="in",
    )
    # The choices are the caller's people and cases within the officer's reach: a posted
    # person or case outside them is refused by validation.
    person = forms.ChoiceField(label=_("Who is calling"), required=False, widget=forms.RadioSelect)
    case = forms.ChoiceField(label=_("Which case"), required=False, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject (for a new case)"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("What was said"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    language = forms.ChoiceField(label=_("Language of the call"), choices=language_choices())
    duration_minutes = forms.IntegerField(
        label=_("Call duration (minutes)"), min_value=0, max_value=600, required=False
    )
    interpreter = forms.CharField(label=_("Interpreter used"), max_length=100, required=False)
    callback_at = forms.DateTimeField(
        label=_("Call back at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )  # fmt: skip

    def __init__(self, *args: Any, caller: Caller | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = caller.people if caller else []
        cases = caller.cases if caller else []
        self._people = {str(person.pk): person for person in people}
        self._cases = {case.reference: case for case in cases}
        person_field = self.fields["person"]
        assert isinstance(person_field, forms.ChoiceField)
        person_field.choices = [
            (key, f"{person.display_name} · {person.get_preferred_language_display()}")
            for key, person in self._people.items()
        ] + [("", _("Someone else, or they do not say"))]
        person_field.initial = next(iter(self._people), "")
        case_field = self.fields["case"]
        assert isinstance(case_field, forms.ChoiceField)
        case_field.choices = [
            (reference, f"{reference} · {case.subject} · {case.get_status_display()}")
            for reference, case in self._cases.items()
        ] + [("", _("Open a new case"))]
        case_field.initial = next(iter(self._cases), "")

    def chosen_person(self) -> Person | None:
        return self._people.get(self.cleaned_data.get("person") or "")

    def chosen_case(self) -> Case | None:
        return self._cases.get(self.cleaned_data.get("case") or "")
