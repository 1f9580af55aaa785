"""A person's record in the back office: who they are, how to reach them, what they agreed to,
their cases, merging a duplicate record into this one, and their data-protection rights
(correcting the record, a legal hold; erasure has its own page, ``person_rights_views``)."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coop4int.accounts.roles import Permission
from coop4int.appointments.domain.queries import appointments_of_person, visits_of_person
from coop4int.backoffice.case_forms import ConsentForm
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done, Refused
from coop4int.backoffice.person_rights_forms import (
    LegalHoldForm,
    LiftLegalHoldForm,
    RectifyForm,
    field_label,
)
from coop4int.backoffice.training_views import person_training
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.domain.referrals import withdraw_sharing_consent
from coop4int.people.domain import people as people_domain
from coop4int.people.domain.legal_hold import LegalHoldRefused, lift_legal_hold, set_legal_hold
from coop4int.people.domain.merge import MergeRefused, merge_people
from coop4int.people.domain.people import has_consent
from coop4int.people.domain.queries import (
    PersonMergedAway,
    age_on,
    consent_history,
    duplicates_in_reach,
    get_person_for_user,
    rectification_history,
)
from coop4int.people.domain.rectification import (
    SENSITIVE_FIELDS,
    RectificationRefused,
    rectify_person,
)
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person
from coop4int.people.rules import RECTIFY_PERSON

T = TypeVar("T")


class MergeForm(forms.Form):
    """Posted by the "Merge into this record" button of one possible duplicate (the page
    renders the fields itself, one checkbox per duplicate)."""

    _TICK = gettext_lazy("Tick “I checked these are the same person” before merging the records.")

    other = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": _TICK, "invalid": _TICK}
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I checked these are the same person"),
        error_messages={"required": _TICK},
    )


def consent_actions(
    person_of: Callable[[T], Person | None], *, section: str
) -> tuple[Action[T], Action[T]]:
    """Recording and withdrawing a consent, on any page about a person (``person_of`` finds
    them from the page's object): two buttons of one form."""

    def person(act: Acting[T]) -> Person:
        found = person_of(act.obj)
        if found is None:
            raise Refused(_("An anonymous contact has no record to hold a consent."))
        if found.is_erased:
            raise Refused(_("This record was erased: it holds no consent any more."))
        return found

    def give(act: Acting[T]) -> str:
        people_domain.give_consent(
            actor=act.actor, person=person(act), purpose=Purpose(act.data["purpose"]),
            method=ConsentMethod(act.data["method"]),
        )  # fmt: skip
        return _("The consent was recorded.")

    def withdraw(act: Acting[T]) -> Done:
        someone, purpose = person(act), Purpose(act.data["purpose"])
        if purpose == Purpose.REFERRAL and has_consent(someone, purpose):
            # Partners lose the person's details at once: their referrals go too.
            count = withdraw_sharing_consent(actor=act.actor, person=someone)
            return Done(
                ngettext(
                    "The consent was withdrawn, and %(count)d referral with it.",
                    "The consent was withdrawn, and %(count)d referrals with it.",
                    count,
                )
                % {"count": count}
                if count
                else _("The consent was withdrawn.")
            )
        if people_domain.withdraw_consent(actor=act.actor, person=someone, purpose=purpose):
            return Done(_("The consent was withdrawn."))
        return Done(_("There was no consent to withdraw for that purpose."), messages.INFO)

    return (
        Action("consent", ConsentForm, give, section),
        Action("withdraw_consent", ConsentForm, withdraw, section, form_key="consent"),
    )


def _merge(act: Acting[Person]) -> str:
    try:
        other = get_person_for_user(act.actor, act.data["other"])
        merge_people(actor=act.actor, keep=act.obj, merge=other)
    except PersonMergedAway as moved:
        raise Refused(_("This record was already merged into another one.")) from moved
    except MergeRefused as refused:
        raise Refused(str(refused)) from refused
    return _("The record of %(name)s was merged into this one.") % {"name": other.display_name}


def _itself(person: Person) -> Person:
    return person


def _rectify(act: Acting[Person]) -> str:
    if not act.actor.has_perm(RECTIFY_PERSON, act.obj):
        raise Refused(_("You may not correct this record."))
    name = act.data["field"]
    try:
        rectify_person(
            person=act.obj, actor=act.actor, changes={name: act.data["value"]},
            reason=act.data["reason"],
        )  # fmt: skip
    except RectificationRefused as refused:
        raise Refused(str(refused)) from refused
    except ValidationError as invalid:
        # The domain names the record's field; the form has one field for every value.
        raise ValidationError(invalid.messages) from invalid
    return _("%(field)s was corrected; the history below keeps the earlier value.") % {
        "field": field_label(name)
    }


def _may_hold(act: Acting[Person]) -> None:
    if not act.actor.has_perm(Permission.ERASE_PERSON, act.obj):
        raise Refused(
            _(
                "Only an administrator or a coordinator of the unit that registered the "
                "person may set or lift a legal hold. Nothing was changed."
            )
        )


def _set_hold(act: Acting[Person]) -> str:
    _may_hold(act)
    try:
        set_legal_hold(person=act.obj, actor=act.actor, reason=act.data["reason"])
    except LegalHoldRefused as refused:
        raise Refused(str(refused)) from refused
    return _("The record is under a legal hold: it cannot be erased until the hold is lifted.")


def _lift_hold(act: Acting[Person]) -> str:
    _may_hold(act)
    try:
        lift_legal_hold(person=act.obj, actor=act.actor)
    except LegalHoldRefused as refused:
        raise Refused(str(refused)) from refused
    return _("The legal hold was lifted.")


def _sensitive_option(page: Any, person: Person) -> dict[str, Any]:
    return {"sees_sensitive": page.user.has_perm(Permission.VIEW_PERSON_SENSITIVE, person)}


class PersonDetailView(ActionPage[Person], StaffView):
    permission = Permission.WORK_CASES
    actions = ActionTable[Person](
        *consent_actions(_itself, section="consent"),
        Action("merge", MergeForm, _merge, "duplicates", shows_form=False),
        Action("rectify", RectifyForm, _rectify, "rights", options=_sensitive_option),
        Action("set_legal_hold", LegalHoldForm, _set_hold, "rights", form_key="hold"),
        Action("lift_legal_hold", LiftLegalHoldForm, _lift_hold, "rights", shows_form=False),
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Person | HttpResponse:
        try:
            return get_person_for_user(self.user, kwargs["person_id"])
        except PersonMergedAway as moved:
            messages.info(request, _("That record was merged into this one."))
            return redirect("backoffice:person_detail", person_id=moved.kept_id)

    def page_url(self, obj: Person) -> str:
        return reverse("backoffice:person_detail", kwargs={"person_id": obj.pk})

    def get(self, request: HttpRequest, person_id: UUID) -> HttpResponse:
        person = self.action_object(request, person_id=person_id)
        if isinstance(person, HttpResponse):
            return person
        return self.render_page(request, person, {})

    def render_page(
        self, request: HttpRequest, obj: Person, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        person = obj
        sees_sensitive = self.user.has_perm(Permission.VIEW_PERSON_SENSITIVE, person)
        context = {
            "person": person,
            "age": age_on(person, timezone.localdate()),
            "sees_sensitive": sees_sensitive,
            "consents": consent_history(person),
            "cases": cases_for_user(self.user)
            .filter(person=person)
            .select_related("unit", "assigned_to")
            .order_by("-opened_at"),
            "duplicates": []
            if person.is_erased
            else duplicates_in_reach(self.user, person, with_document=sees_sensitive),
            "consent_form": bound.get("consent") or ConsentForm(),
            "appointments": appointments_of_person(self.user, person),
            "visits": visits_of_person(self.user, person),
            # Data protection: correcting the record, a legal hold, erasure.
            "rectifications": rectification_history(person)
            if sees_sensitive
            else rectification_history(person).exclude(field__in=SENSITIVE_FIELDS),
            "may_rectify": self.user.has_perm(RECTIFY_PERSON, person) and not person.is_erased,
            "may_erase": self.user.has_perm(Permission.ERASE_PERSON, person),
            "sees_retention": self.user.has_perm(Permission.VIEW_AUDIT_LOG),
            "rectify_form": bound.get("rectify") or RectifyForm(sees_sensitive=sees_sensitive),
            "hold_form": bound.get("hold") or LegalHoldForm(),
            # Training: the person's enrolments and certificates, enrolling them.
            **person_training(self.user, person),
        } | self.section_context(request, person)
        return render(request, "backoffice/person_detail.html", context)
