"""Back-office pages of the directory: keep the entries true, review partners' proposals."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.domain import queries as account_queries
from coop4int.accounts.enums import UnitKind
from coop4int.accounts.roles import Permission
from coop4int.backoffice.directory_forms import (
    ClosureForm,
    HoursForm,
    LocationForm,
    NewServiceForm,
    ProposalForm,
    ReviewForm,
    ServiceForm,
    TranslationForm,
)
from coop4int.backoffice.views import StaffView
from coop4int.core.formatting import format_datetime
from coop4int.directory.domain import editing, queries
from coop4int.directory.domain.calendars import hours_owner
from coop4int.directory.enums import ProposalStatus
from coop4int.directory.models import Location, Service

EDIT_OR_PROPOSE = (Permission.EDIT_DIRECTORY, Permission.PROPOSE_DIRECTORY_CHANGE)


def _form_changes(form: ServiceForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in editing.EDITABLE_FIELDS}


class DirectoryServicesView(StaffView):
    permission = EDIT_OR_PROPOSE

    def get(self, request: HttpRequest) -> HttpResponse:
        services = queries.services_for_user(self.user)
        stale_only = request.GET.get("stale") == "1"
        if stale_only:
            services = queries.stale_services(services, timezone.localdate())
        pending = queries.proposals_for_user(self.user).filter(status=ProposalStatus.PENDING)
        return render(
            request,
            "backoffice/directory_services.html",
            {
                "services": services,
                "stale_only": stale_only,
                "stale_before": timezone.localdate() - queries.STALE_AFTER,
                "pending_count": pending.count(),
            },
        )


class DirectoryServiceView(StaffView):
    """Edit a service (editors) or propose a change to it (partners)."""

    permission = EDIT_OR_PROPOSE

    def _service(self, service_id: UUID) -> Service:
        service = queries.get_service_for_user(self.user, service_id)
        if not (
            self.user.has_perm(Permission.EDIT_DIRECTORY, service)
            or self.user.has_perm(Permission.PROPOSE_DIRECTORY_CHANGE, service)
        ):
            raise PermissionDenied
        return service

    def _render(
        self, request: HttpRequest, service: Service, form: ServiceForm, **extra: Any
    ) -> HttpResponse:
        may_edit = self.user.has_perm(Permission.EDIT_DIRECTORY, service)
        today = timezone.localdate()
        context = {
            "service": service,
            "form": form,
            "may_edit": may_edit,
            "hours_form": extra.get("hours_form")
            or HoursForm(current=queries.current_openings(service, today)),
            "closure_form": extra.get("closure_form") or ClosureForm(time_zone=_zone(service)),
            "location_form": extra.get("location_form") or _location_form(service),
            "translation_form": extra.get("translation_form")
            or TranslationForm(auto_id="translation_%s"),
            "translations": service.translations.order_by("language"),
            "schedules": sorted(
                hours_owner(service).schedules.all(),
                key=lambda row: (row.valid_from or today.min, row.opens_at or today.min),
            ),
            "proposals": service.proposals.select_related("proposed_by")[:10],
            "closures": _closures(service),
        }
        return render(request, "backoffice/directory_service.html", context)

    def get(self, request: HttpRequest, service_id: UUID) -> HttpResponse:
        service = self._service(service_id)
        form_class = (
            ServiceForm if self.user.has_perm(Permission.EDIT_DIRECTORY, service) else ProposalForm
        )
        return self._render(request, service, form_class(initial=editing.service_values(service)))

    def post(self, request: HttpRequest, service_id: UUID) -> HttpResponse:
        service = self._service(service_id)
        may_edit = self.user.has_perm(Permission.EDIT_DIRECTORY, service)
        action = request.POST.get("action", "save")
        if action == "verify" and may_edit:
            editing.verify_service(actor=self.user, service=service)
            messages.success(request, _("Marked as verified today."))
            return redirect("backoffice:directory_service", service_id=service.pk)
        if action == "hours" and may_edit:
            return self._change_hours(request, service)
        if action == "closure" and may_edit:
            return self._add_closure(request, service)
        if action == "location" and may_edit:
            return self._update_location(request, service)
        if action == "translation" and may_edit:
            return self._save_translation(request, service)
        form: ServiceForm = (ServiceForm if may_edit else ProposalForm)(request.POST)
        if form.is_valid():
            try:
                if may_edit:
                    changed = editing.update_service(
                        actor=self.user, service=service, changes=_form_changes(form)
                    )
                    messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
                else:
                    editing.propose_change(
                        actor=self.user,
                        service=service,
                        changes=_form_changes(form),
                        note=form.cleaned_data.get("note", ""),
                    )
                    messages.success(request, _("Your proposal was sent to the editors."))
                return redirect("backoffice:directory_service", service_id=service.pk)
            except ValidationError as error:
                service.refresh_from_db()
                form.add_error(None, error)
        return self._render(request, service, form)

    def _act(
        self,
        request: HttpRequest,
        service: Service,
        form: forms.Form,
        name: str,
        act: Callable[[], object],
        done: str,
        ready: bool = True,
    ) -> HttpResponse:
        """One of the page's side forms: when valid, call its domain function; its problems
        stay on the form, shown with what was typed, and nothing is saved."""
        if ready and form.is_valid():
            try:
                act()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, done)
                return redirect("backoffice:directory_service", service_id=service.pk)
        main_form = ServiceForm(initial=editing.service_values(service))
        return self._render(request, service, main_form, **{name: form})

    def _change_hours(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = HoursForm(request.POST)
        return self._act(
            request, service, form, "hours_form",
            lambda: editing.change_hours_from(
                actor=self.user, service=service, valid_from=form.starts_on(),
                openings=form.openings(),
            ),
            _("The new hours were saved."),
        )  # fmt: skip

    def _add_closure(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = ClosureForm(request.POST, time_zone=_zone(service))
        location = _location(service)
        if location is None:
            raise Http404  # a service without a place has no place to close or to change
        return self._act(
            request, service, form, "closure_form",
            lambda: editing.add_closure(
                actor=self.user, service=service, location=location,
                starts_at=form.cleaned_data["starts_at"], ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
            ),
            _("The closure was saved."),
        )  # fmt: skip

    def _update_location(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = LocationForm(request.POST)
        location = _location(service)
        if location is None:
            raise Http404  # a service without a place has no place to close or to change
        return self._act(
            request, service, form, "location_form",
            lambda: editing.update_location(
                actor=self.user, service=service, location=location,
                values={k: v for k, v in form.cleaned_data.items() if k != "phones"},
                phones=form.phone_list(),
            ),
            _("The place was saved."),
        )  # fmt: skip

    def _save_translation(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = TranslationForm(request.POST, auto_id="translation_%s")
        return self._act(
            request, service, form, "translation_form",
            lambda: editing.save_translation(actor=self.user, service=service, **form.cleaned_data),
            _("The translation was saved."),
        )  # fmt: skip


def _closures(service: Service) -> list[dict[str, str]]:
    """The closures of the service's places and of the service itself, each in its place's
    time zone."""
    pairs = [
        (closure, sal.location.time_zone)
        for sal in service.at_locations.select_related("location")
        for closure in sal.location.closures.all()
    ]
    own_zone = _zone(service)
    pairs += [(closure, own_zone) for closure in service.closures.all()]
    return [
        {
            "from": format_datetime(closure.starts_at, "short", tz=zone),
            "until": format_datetime(closure.ends_at, "short", tz=zone) if closure.ends_at else "",
            "reason": closure.reason,
        }
        for closure, zone in pairs
    ]


def _location(service: Service) -> Location | None:
    sal = service.at_locations.select_related("location").first()
    return sal.location if sal else None


def _location_form(service: Service) -> LocationForm | None:
    location = _location(service)
    if location is None:
        return None
    address = location.addresses.first()
    initial = {name: getattr(location, name) for name in editing.LOCATION_FIELDS}
    if address is not None:
        initial |= {name: getattr(address, name) for name in editing.ADDRESS_FIELDS}
    initial["phones"] = "\n".join(phone.number for phone in location.phones.all())
    return LocationForm(initial=initial)


def _zone(service: Service) -> str:
    sal = service.at_locations.select_related("location").first()
    return sal.location.time_zone if sal else "Atlantic/Cape_Verde"


class NewServiceView(StaffView):
    permission = Permission.EDIT_DIRECTORY

    def _form(self, data: Any = None) -> NewServiceForm:
        units = account_queries.units_for_user(self.user).exclude(kind=UnitKind.PARTNER)
        return NewServiceForm(
            data, units=units, initial={"country": "CV", "time_zone": "Atlantic/Cape_Verde"}
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "backoffice/directory_new.html", {"form": self._form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            place = {
                k: v
                for k, v in data.items()
                if k in editing.LOCATION_FIELDS or k in editing.ADDRESS_FIELDS
            }
            try:
                sal = editing.create_service(
                    actor=self.user,
                    unit=data["unit"],
                    organization=data["organization"],
                    name=data["service_name"],
                    description=data["service_description"],
                    place=place,
                    phones=form.phone_list(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The service was added. Now give its opening hours."))
                return redirect("backoffice:directory_service", service_id=sal.service_id)
        return render(request, "backoffice/directory_new.html", {"form": form})


class ProposalListView(StaffView):
    permission = Permission.EDIT_DIRECTORY

    def get(self, request: HttpRequest) -> HttpResponse:
        proposals = queries.proposals_for_user(self.user)
        return render(
            request,
            "backoffice/directory_proposals.html",
            {
                "pending": proposals.filter(status=ProposalStatus.PENDING),
                "reviewed": proposals.exclude(status=ProposalStatus.PENDING)[:20],
            },
        )


class ProposalView(StaffView):
    permission = Permission.EDIT_DIRECTORY

    def _render(self, request: HttpRequest, proposal: Any, form: ReviewForm) -> HttpResponse:
        labels = {name: field.label for name, field in ServiceForm.base_fields.items()}
        rows = [
            {
                "field": labels.get(name, name),
                "before": proposal.original.get(name),
                "after": value,
                "now": editing.service_values(proposal.service).get(name),
            }
            for name, value in proposal.changes.items()
        ]
        return render(
            request,
            "backoffice/directory_proposal.html",
            {"proposal": proposal, "rows": rows, "form": form},
        )

    def get(self, request: HttpRequest, proposal_id: int) -> HttpResponse:
        proposal = queries.get_proposal_for_user(self.user, proposal_id)
        return self._render(request, proposal, ReviewForm())

    def post(self, request: HttpRequest, proposal_id: int) -> HttpResponse:
        proposal = queries.get_proposal_for_user(self.user, proposal_id)
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                if request.POST.get("action") == "approve":
                    editing.approve_proposal(actor=self.user, proposal=proposal)
                    messages.success(request, _("The proposal was approved and applied."))
                else:
                    editing.reject_proposal(
                        actor=self.user, proposal=proposal, reason=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The proposal was rejected."))
                return redirect("backoffice:directory_proposals")
            except ValidationError as error:
                form.add_error(None, error.messages)
        return self._render(request, proposal, form)
