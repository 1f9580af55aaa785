"""A person's erasure — the preview of what will be deleted, anonymised or kept, kind by kind,
and the erasure itself, with its ground and an optional note — and the retention schedule with
what its runs did.

Erasing needs ``Permission.ERASE_PERSON`` on the person (``people/rules.py``): an
administrator, or a coordinator of the unit that registered them. Outside the user's scope
the page answers 404, like the record itself.

The retention schedule's runs are read from the audit log (``people.retention.applied``):
the log is where the platform keeps what was done to personal data and by whom, so the page
adds no second record of it, only a readable view for the administrators who may read the
log (``Permission.VIEW_AUDIT_LOG``), beside the schedule as configured.
"""

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done, Refused
from coop4int.backoffice.person_rights_forms import ErasureForm
from coop4int.backoffice.views import StaffView
from coop4int.core.personal_data import declaration_for
from coop4int.people.domain.erasure import ErasureRefused, erase_person, preview_erasure
from coop4int.people.domain.queries import PersonMergedAway, get_person_for_user
from coop4int.people.domain.retention import retention_runs, retention_schedule
from coop4int.people.models import Person


def _erase(act: Acting[Person]) -> Done:
    try:
        erase_person(
            person=act.obj, actor=act.actor, ground=act.data["ground"], note=act.data["note"]
        )
    except ErasureRefused as refused:
        raise Refused(str(refused)) from refused
    return Done(
        _(
            "The record was erased. What identified the person is gone; the cases stay, "
            "anonymised, and are still counted in the statistics."
        ),
        to=reverse("backoffice:person_detail", kwargs={"person_id": act.obj.pk}),
    )


class PersonErasureView(ActionPage[Person], StaffView):
    permission = Permission.ERASE_PERSON
    actions = ActionTable[Person](Action("erase", ErasureForm, _erase, "erase", leaves=True))

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Person | HttpResponse:
        try:
            person = get_person_for_user(self.user, kwargs["person_id"])
        except PersonMergedAway as moved:
            return redirect("backoffice:person_erasure", person_id=moved.kept_id)
        if not self.user.has_perm(Permission.ERASE_PERSON, person):
            raise PermissionDenied
        return person

    def page_url(self, obj: Person) -> str:
        return reverse("backoffice:person_erasure", kwargs={"person_id": obj.pk})

    def get(self, request: HttpRequest, person_id: UUID) -> HttpResponse:
        person = self.action_object(request, person_id=person_id)
        if isinstance(person, HttpResponse):
            return person
        return self.render_page(request, person, {})

    def render_page(
        self, request: HttpRequest, obj: Person, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        context = {
            "person": obj,
            "preview": preview_erasure(person=obj),
            "form": bound.get("erase") or ErasureForm(),
        } | self.section_context(request, obj)
        return render(request, "backoffice/person_erasure.html", context)


class RetentionView(StaffView):
    permission = Permission.VIEW_AUDIT_LOG

    def get(self, request: HttpRequest) -> HttpResponse:
        runs = []
        for entry in retention_runs():
            kinds = []
            for kind in entry.data.get("kinds", []):
                declaration = declaration_for(kind.get("model", ""))
                # A kind no longer declared (an app removed) shows by its label.
                label = (
                    capfirst(declaration.model_class._meta.verbose_name_plural)
                    if declaration
                    else kind.get("model", "")
                )
                kinds.append(kind | {"label": label})
            runs.append(
                {"entry": entry, "kinds": kinds, "held_people": entry.data.get("held_people", 0)}
            )
        return render(
            request,
            "backoffice/retention.html",
            {"schedule": retention_schedule(), "runs": runs},
        )
