"""A person's record in the back office: who they are, how to reach them, what they agreed to,
their cases, and merging a duplicate record into this one."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop4int.accounts.roles import Permission
from coop4int.backoffice.case_forms import ConsentForm
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.queries import cases_for_user
from coop4int.cases.domain.referrals import withdraw_sharing_consent
from coop4int.people.domain import people as people_domain
from coop4int.people.domain.merge import MergeRefused, merge_people
from coop4int.people.domain.people import has_consent
from coop4int.people.domain.queries import (
    PersonMergedAway,
    age_on,
    consent_history,
    duplicates_in_reach,
    get_person_for_user,
)
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person


class MergeForm(forms.Form):
    """Posted by the "Merge into this record" button of one possible duplicate (the page
    renders the fields itself, one checkbox per duplicate)."""

    other = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=gettext_lazy("I checked these are the same person"))


class PersonDetailView(StaffView):
    permission = Permission.WORK_CASES

    def _person(self, request: HttpRequest, person_id: UUID) -> Person | HttpResponse:
        try:
            return get_person_for_user(self.user, person_id)
        except PersonMergedAway as moved:
            messages.info(request, _("That record was merged into this one."))
            return redirect("backoffice:person_detail", person_id=moved.kept_id)

    def get(self, request: HttpRequest, person_id: UUID) -> HttpResponse:
        person = self._person(request, person_id)
        if isinstance(person, HttpResponse):
            return person
        return self._render(request, person)

    def post(self, request: HttpRequest, person_id: UUID) -> HttpResponse:
        person = self._person(request, person_id)
        if isinstance(person, HttpResponse):
            return person
        action = request.POST.get("action", "")
        if action == "merge":
            return self._merge(request, person)
        if action in ("consent", "withdraw_consent"):
            consent_form = ConsentForm(request.POST)
            if not consent_form.is_valid():
                return self._render(request, person, consent_form=consent_form)
            purpose = Purpose(consent_form.cleaned_data["purpose"])
            if action == "consent":
                people_domain.give_consent(
                    actor=self.user,
                    person=person,
                    purpose=purpose,
                    method=ConsentMethod(consent_form.cleaned_data["method"]),
                )
                messages.success(request, _("The consent was recorded."))
            elif purpose == Purpose.REFERRAL and has_consent(person, purpose):
                # Partners lose the person's details at once: their referrals go too.
                withdraw_sharing_consent(actor=self.user, person=person)
                messages.success(request, _("The consent was withdrawn."))
            elif people_domain.withdraw_consent(actor=self.user, person=person, purpose=purpose):
                messages.success(request, _("The consent was withdrawn."))
            else:
                messages.info(request, _("There was no consent to withdraw for that purpose."))
        return redirect("backoffice:person_detail", person_id=person.pk)

    def _merge(self, request: HttpRequest, person: Person) -> HttpResponse:
        form = MergeForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Tick “I checked these are the same person” before merging the records."),
            )
            return redirect("backoffice:person_detail", person_id=person.pk)
        try:
            other = get_person_for_user(self.user, form.cleaned_data["other"])
            merge_people(actor=self.user, keep=person, merge=other)
        except PersonMergedAway:
            messages.error(request, _("This record was already merged into another one."))
        except MergeRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("The record of %(name)s was merged into this one.")
                % {"name": other.display_name},
            )
        return redirect("backoffice:person_detail", person_id=person.pk)

    def _render(self, request: HttpRequest, person: Person, **forms: Any) -> HttpResponse:
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
            "duplicates": duplicates_in_reach(self.user, person, with_document=sees_sensitive),
            "consent_form": forms.get("consent_form") or ConsentForm(),
        }
        return render(request, "backoffice/person_detail.html", context)
