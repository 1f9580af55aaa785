"""Forms of the staff training pages: a course and its sessions with their days, deciding an
application, attendance for one day, an assessment, revoking a certificate, enrolling a person
and enrolling oneself."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop4int.accounts.models import Unit, User
from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import language_choices
from coop4int.directory.models import Location, Organization
from coop4int.learning.enums import (
    AssessmentResult,
    AttendanceStatus,
    Audience,
    DeliveryMode,
    RevocationReason,
)
from coop4int.learning.models import CourseSession, Enrolment
from coop4int.people.enums import Sex
from coop4int.people.models import Person

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Days a session may have, and blank rows offered beyond those it has.
MAX_DAYS = 60
BLANK_DAYS = 3


def _country_codes(text: str) -> str:
    code = text.strip().upper()
    if code and (len(code) != 2 or not code.isalpha()):
        raise ValidationError(_("Not a country code: %(codes)s."), params={"codes": code})
    return code


# --- Courses -----------------------------------------------------------------------------------


class CourseSettingsForm(forms.Form):
    """What a course is besides its text: who it is for, how it is given, its completion
    criteria and certificate. Its title and description are a content item, edited and
    translated on the information pages."""

    audiences = forms.MultipleChoiceField(
        label=_("For whom"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one audience.")},
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages taught in"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")},
    )
    mode = forms.ChoiceField(label=_("Given"), choices=DeliveryMode.choices)
    hours = forms.DecimalField(
        label=pgettext_lazy("length of a course", "Hours"),
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation giving it"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("The unit itself"),
        help_text=_("A partner from the service directory, such as a training institute."),
    )
    min_attendance_percent = forms.IntegerField(
        label=_("Least attendance to complete, in per cent"),
        min_value=0,
        max_value=100,
        initial=80,
    )
    assessment_required = forms.BooleanField(
        label=_("A passed assessment is required"), required=False, initial=True
    )
    certificate = forms.BooleanField(
        label=_("A certificate is issued on completion"), required=False, initial=True
    )
    certificate_valid_months = forms.IntegerField(
        label=_("Certificate valid for this many months"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Empty: the certificate does not expire."),
    )
    published = forms.BooleanField(
        label=_("In the public catalogue"),
        required=False,
        help_text=_("Readers see the course once its title and description are published."),
    )

    def settings(self) -> dict[str, Any]:
        """The course's fields as the domain takes them."""
        data = self.cleaned_data
        return {
            "audiences": list(data["audiences"]),
            "languages": list(data["languages"]),
            "mode": data["mode"],
            "hours": data["hours"],
            "organisation": data["organisation"],
            "min_attendance_percent": data["min_attendance_percent"],
            "assessment_required": data["assessment_required"],
            "certificate": data["certificate"],
            "certificate_valid_months": data["certificate_valid_months"],
            "published": data["published"],
        }


class NewCourseForm(CourseSettingsForm):
    """A new course: its text in the language it is written in first, and its settings."""

    slug = forms.SlugField(
        label=_("Short name"),
        max_length=80,
        help_text=_("Letters, digits and hyphens; in the public address of the course."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit that runs it"), queryset=Unit.objects.none(), to_field_name="slug"
    )
    source_language = forms.ChoiceField(
        label=_("Written in"), choices=language_choices, initial="pt", widget=LanguageSelect
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    body = forms.CharField(
        label=_("Description: learning outcomes, prerequisites, what to bring"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_(
            "Markdown: ## for a heading, **bold**, - for a list, [text](address) for a link."
        ),
    )
    field_order = ["slug", "unit", "source_language", "title", "summary", "body"]

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.empty_label = None


# --- Sessions and their days -------------------------------------------------------------------


class DayForm(forms.Form):
    """One day of a session, at the session's place (its time zone)."""

    day = forms.DateField(label=_("Day"), required=False, widget=DATE_INPUT)
    starts = forms.TimeField(label=_("From"), required=False, widget=TIME_INPUT)
    ends = forms.TimeField(label=pgettext_lazy("time", "To"), required=False, widget=TIME_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(name) for name in ("day", "starts", "ends")]
        if any(value is not None for value in given) and not all(
            value is not None for value in given
        ):
            raise ValidationError(_("Give the day, the time it starts and the time it ends."))
        if all(value is not None for value in given) and data["ends"] <= data["starts"]:
            raise ValidationError(_("A day must end after it starts."))
        return data

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        data = self.cleaned_data
        if not data or data.get("day") is None:
            return None
        day: date = data["day"]
        starts: time = data["starts"]
        ends: time = data["ends"]
        return (
            datetime.combine(day, starts, tzinfo=zone),
            datetime.combine(day, ends, tzinfo=zone),
        )


class BaseDayFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        starts = [
            (form.cleaned_data["day"], form.cleaned_data["starts"])
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("day") is not None
        ]
        if len(set(starts)) != len(starts):
            raise ValidationError(_("Two days start at the same time."))


DayFormSet = forms.formset_factory(
    DayForm, formset=BaseDayFormSet, extra=0, max_num=MAX_DAYS, absolute_max=MAX_DAYS
)


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} — {obj.unit.name}" if obj.unit_id else str(name)


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        place = obj.name or (obj.organization.name if obj.organization_id else "")
        return f"{place} — {obj.island}" if obj.island else str(place)


class SessionForm(forms.Form):
    """A session: its language, place or online address, places, trainer, and its days (a
    formset inside, ``days``; each day in the time zone of the session's place)."""

    language = forms.ChoiceField(label=_("Taught in"), choices=(), widget=LanguageSelect)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000)
    location = LocationChoiceField(
        label=_("Place"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("None: online"),
    )
    online_address = forms.URLField(
        label=_("Address of the online session"),
        required=False,
        assume_scheme="https",
        max_length=200,
    )
    trainer = TrainerChoiceField(
        label=_("Trainer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not chosen yet"),
    )
    accepts_applications = forms.BooleanField(
        label=_("Open for applications"), required=False, initial=True
    )

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        languages: Sequence[str],
        locations: QuerySet[Location],
        trainers: QuerySet[User],
        default_zone: str,
        display_zone: str = "",
        days: Iterable[tuple[datetime, datetime]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, *args, **kwargs)
        names = dict(language_choices())
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [(code, names.get(code, code)) for code in languages]
        for name, queryset in (("location", locations), ("trainer", trainers)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        self.default_zone = default_zone
        shown = ZoneInfo(display_zone or default_zone)
        initial = [
            {
                "day": start.astimezone(shown).date(),
                "starts": start.astimezone(shown).time(),
                "ends": end.astimezone(shown).time(),
            }
            for start, end in days
        ]
        # Unbound, the blank rows are initial rows too, so that none of them is required.
        self.days = DayFormSet(
            data, prefix="days", initial=None if data is not None else initial + [{}] * BLANK_DAYS
        )

    def zone(self) -> ZoneInfo:
        """The time zone of the days: the chosen place's, else the course unit's."""
        location = getattr(self, "cleaned_data", {}).get("location")
        return ZoneInfo(location.time_zone if location is not None else self.default_zone)

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        if not self.days.is_valid():
            self.add_error(None, _("Please correct the days marked below."))
            return
        zone = self.zone()
        spans = sorted(span for form in self.days.forms if (span := form.span(zone)) is not None)
        if not spans:
            self.add_error(None, _("Give at least one day of the session."))
            return
        self.cleaned_data["days"] = spans

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("location") is None and not data.get("online_address"):
            self.add_error(
                "location", _("Choose the place, or give the address of the online session.")
            )
        return data


# --- Applications and enrolments ---------------------------------------------------------------


class DecideForm(forms.Form):
    """Deciding an application. Accepting one from the public site links it to a record the
    officer confirms — one of those in their scope with the applicant's phone or e-mail — or
    to a new record registered here: never to a record found for them."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("Accept")),
            ("wait", _("Put on the waiting list")),
            ("decline", _("Do not accept")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
    who = forms.ChoiceField(
        label=_("Whose record"),
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the records listed.")},
    )
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    family_names = forms.CharField(label=_("Family names"), max_length=200, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_INPUT)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.NOT_STATED, required=False
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code: SN, GW, PT."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=language_choices,
        widget=LanguageSelect,
        required=False,
    )

    NEW = "new"
    REGISTER_FIELDS = ("given_names", "family_names", "birth_date", "sex", "nationality",
                       "preferred_language")  # fmt: skip

    def __init__(
        self,
        *args: Any,
        matches: Sequence[tuple[Person, str]] = (),
        needs_person: bool = False,
        **kwargs: Any,
    ) -> None:
        """``matches``: the records the officer may confirm (in their scope), with labels."""
        super().__init__(*args, **kwargs)
        self.needs_person = needs_person
        self.people = {str(person.pk): person for person, _label in matches}
        who = self.fields["who"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = [
            *((str(person.pk), label) for person, label in matches),
            (self.NEW, _("Register a new record with the details below")),
        ]
        if not needs_person:
            for name in ("who", *self.REGISTER_FIELDS):
                del self.fields[name]

    def confirmed(self) -> Person | None:
        """The record the officer confirmed, one of those offered; None for a new one."""
        return self.people.get(self.cleaned_data.get("who") or "")

    def clean_nationality(self) -> str:
        return _country_codes(self.cleaned_data.get("nationality", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.needs_person or data.get("decision") == "decline":
            return data
        who = data.get("who")
        if not who:
            if "who" not in self.errors:
                self.add_error(
                    "who",
                    _("Confirm whose record this is, or register a new one, before deciding."),
                )
        elif who == self.NEW:
            if not (data.get("given_names") or data.get("family_names")):
                self.add_error("given_names", _("Give the name of the person to register."))
            if not data.get("preferred_language") and "preferred_language" not in self.errors:
                self.add_error("preferred_language", _("Choose the person's preferred language."))
        return data


class DecideButtonForm(forms.Form):
    """One of the session page's buttons on an enrolment that is already someone's (a
    person's record or a member of staff): accept, waiting list or not accepted."""

    enrolment = forms.ModelChoiceField(
        queryset=Enrolment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This enrolment cannot be decided here.")},
    )
    decision = forms.ChoiceField(
        choices=[("accept", "accept"), ("wait", "wait"), ("decline", "decline")]
    )

    def __init__(self, *args: Any, enrolments: QuerySet[Enrolment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enrolment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enrolments


class CancelSessionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, cancel this session"),
        error_messages={"required": _("Tick the box to confirm cancelling the session.")},
    )


class AttendanceForm(forms.Form):
    """One radio group per participant: present, absent or absent with an excuse. A row left
    unmarked is not recorded."""

    def __init__(
        self,
        *args: Any,
        participants: Sequence[tuple[Enrolment, str, str]],
        **kwargs: Any,
    ) -> None:
        """``participants``: (enrolment, name shown, status already recorded or "")."""
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for enrolment, name, recorded in participants:
            self.fields[self.key(enrolment)] = forms.ChoiceField(
                label=name,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=recorded or None,
            )

    @staticmethod
    def key(enrolment: Enrolment) -> str:
        return f"mark-{enrolment.pk}"

    def marks(self) -> dict[int, str]:
        return {
            int(name.removeprefix("mark-")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("mark-") and value
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(value for name, value in data.items() if name.startswith("mark-")):
            raise ValidationError(_("Mark at least one participant."))
        return data


class AssessmentForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=AssessmentResult.choices, widget=forms.RadioSelect
    )
    score = forms.DecimalField(
        label=_("Score (optional)"),
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=1,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for revoking"),
        choices=[("", "—"), *RevocationReason.choices],
        error_messages={"required": _("Choose the reason for revoking the certificate.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the certificate; not shown on the public verification page."),
    )


class SessionChoiceField(forms.ModelChoiceField):
    """Sessions labelled by the view (``labels``: session id → text)."""

    labels: dict[int, str]

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk, str(obj))


class EnrolPersonForm(forms.Form):
    session = SessionChoiceField(
        label=_("Session"),
        queryset=CourseSession.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a session."),
            "invalid_choice": _("This session is no longer open. Please choose another."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language for the messages"),
        choices=language_choices,
        widget=LanguageSelect,
    )

    def __init__(
        self,
        *args: Any,
        sessions: QuerySet[CourseSession],
        labels: dict[int, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, SessionChoiceField)
        field.queryset = sessions
        field.labels = labels


class EnrolSelfForm(forms.Form):
    """Enrolling oneself in a session of the staff catalogue; sex and nationality only for the
    statistics, and optional."""

    session = forms.ModelChoiceField(
        queryset=CourseSession.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose a session."),
            "invalid_choice": _("This session is no longer open. Please choose another."),
        },
    )
    sex = forms.ChoiceField(
        label=_("Sex (optional, for the statistics)"),
        choices=Sex.choices,
        initial=Sex.NOT_STATED,
        required=False,
    )
    nationality = forms.CharField(
        label=_("Nationality (optional, for the statistics)"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code: CV, PT, SN."),
    )

    def __init__(self, *args: Any, sessions: QuerySet[CourseSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sessions

    def clean_nationality(self) -> str:
        return _country_codes(self.cleaned_data.get("nationality", ""))

    def clean_sex(self) -> str:
        return self.cleaned_data.get("sex") or Sex.NOT_STATED
