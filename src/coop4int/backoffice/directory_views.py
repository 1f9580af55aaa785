"""Back-office pages of the directory: keep the entries true, review partners' proposals."""

from collections.abc import Callable
from datetime import date, time
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

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
from coop4int.core.languages import REGISTRY
from coop4int.directory.domain import editing, queries
from coop4int.directory.domain.calendars import hours_owner
from coop4int.directory.enums import ProposalStatus, ServiceStatus
from coop4int.directory.models import Location, Schedule, Service

EDIT_OR_PROPOSE = (Permission.EDIT_DIRECTORY, Permission.PROPOSE_DIRECTORY_CHANGE)
YES = pgettext_lazy("value of a yes-or-no field", "Yes")
NO = pgettext_lazy("value of a yes-or-no field", "No")

# The sections of a service's page, each with its own form (their ids in the page). After a
# save the editor is taken back to the section they were in, not to the top of a long page.
SECTIONS = ("description", "hours", "translations", "place", "closures")
# One save's confirmation, shown once beside the heading of its section (session key).
SAVED = "backoffice.directory_service.saved"


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
        self,
        request: HttpRequest,
        service: Service,
        form: ServiceForm,
        focus: str = "",
        saved: str = "",
        **extra: Any,
    ) -> HttpResponse:
        """The page; ``focus`` names the section whose heading takes the focus (the one just
        saved, with the ``saved`` confirmation, or the one whose form has problems)."""
        may_edit = self.user.has_perm(Permission.EDIT_DIRECTORY, service)
        today = timezone.localdate()
        hours_from, current, history = _hours_on_record(service, today)
        context = {
            "service": service,
            "form": form.written_in(service.language),
            "may_edit": may_edit,
            "focus": focus,
            "saved": saved,
            "hours_form": extra.get("hours_form")
            or HoursForm(
                current=queries.current_openings(service, hours_from),
                initial={"valid_from": hours_from},
            ),
            "closure_form": extra.get("closure_form")
            or ClosureForm(time_zone=_zone(service), auto_id="closure_%s"),
            "location_form": extra.get("location_form") or _location_form(service),
            "translation_form": extra.get("translation_form")
            or TranslationForm(auto_id="translation_%s"),
            "translations": service.translations.order_by("language"),
            "hours_from": hours_from if hours_from > today else None,
            "current_hours": current,
            "earlier_hours": history,
            "proposals": service.proposals.select_related("proposed_by")[:10],
            "closures": _closures(service),
        }
        return render(request, "backoffice/directory_service.html", context)

    def _back_to(
        self, request: HttpRequest, service: Service, section: str, message: str
    ) -> HttpResponse:
        """After a save: back to ``section`` of the page, where ``message`` is shown once
        beside the section's heading — at the top of the page it would be out of sight."""
        request.session[SAVED] = {"service": str(service.pk), "section": section,
                                  "message": str(message)}  # fmt: skip
        url = reverse("backoffice:directory_service", args=[service.pk])
        return HttpResponseRedirect(f"{url}#{section}")

    def get(self, request: HttpRequest, service_id: UUID) -> HttpResponse:
        service = self._service(service_id)
        form_class = (
            ServiceForm if self.user.has_perm(Permission.EDIT_DIRECTORY, service) else ProposalForm
        )
        saved = request.session.pop(SAVED, None) or {}
        if saved.get("service") != str(service.pk) or saved.get("section") not in SECTIONS:
            saved = {}
        return self._render(
            request,
            service,
            form_class(initial=editing.service_values(service)),
            focus=saved.get("section", ""),
            saved=saved.get("message", ""),
        )

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
                    done = _("Saved.") if changed else _("Nothing was changed.")
                else:
                    editing.propose_change(
                        actor=self.user,
                        service=service,
                        changes=_form_changes(form),
                        note=form.cleaned_data.get("note", ""),
                    )
                    done = _("Your proposal was sent to the editors.")
                return self._back_to(request, service, "description", done)
            except ValidationError as error:
                service.refresh_from_db()
                form.add_error(None, error)
        return self._render(request, service, form, focus="description")

    def _act(
        self,
        request: HttpRequest,
        service: Service,
        form: forms.Form,
        name: str,
        act: Callable[[], object],
        done: str,
        section: str,
        ready: bool = True,
    ) -> HttpResponse:
        """One of the page's side forms: when valid, call its domain function and go back to
        its section; its problems stay on the form, shown with what was typed, and nothing is
        saved."""
        if ready and form.is_valid():
            try:
                act()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self._back_to(request, service, section, done)
        main_form = ServiceForm(initial=editing.service_values(service))
        side_form: dict[str, Any] = {name: form}
        return self._render(request, service, main_form, focus=section, **side_form)

    def _change_hours(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = HoursForm(request.POST)
        return self._act(
            request, service, form, "hours_form",
            lambda: editing.change_hours_from(
                actor=self.user, service=service, valid_from=form.starts_on(),
                openings=form.openings(),
            ),
            _("The new hours were saved."), "hours",
        )  # fmt: skip

    def _add_closure(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = ClosureForm(request.POST, time_zone=_zone(service), auto_id="closure_%s")
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
            _("The closure was saved."), "closures",
        )  # fmt: skip

    def _update_location(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = LocationForm(request.POST, auto_id="place_%s")
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
            _("The place was saved."), "place",
        )  # fmt: skip

    def _save_translation(self, request: HttpRequest, service: Service) -> HttpResponse:
        form = TranslationForm(request.POST, auto_id="translation_%s")
        return self._act(
            request, service, form, "translation_form",
            lambda: editing.save_translation(actor=self.user, service=service, **form.cleaned_data),
            _("The translation was saved."), "translations",
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


def field_value(name: str, value: Any, written_in: str) -> SafeString:
    """A service's field as a proposal's difference shows it: a status, a yes or a no in the
    reader's words, languages by their own names, text marked with the service's language."""
    if value is None or value == "" or value == []:
        return SafeString("—")
    if isinstance(value, bool):
        return SafeString(escape(YES if value else NO))
    if name == "status" and value in ServiceStatus.values:
        return SafeString(escape(ServiceStatus(value).label))
    if name == "languages":
        return format_html_join(
            ", ",
            '<span lang="{}">{}</span>',
            ((code, REGISTRY[code].native_name if code in REGISTRY else code) for code in value),
        )
    return format_html('<span lang="{}">{}</span>', written_in, value)


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
    return LocationForm(initial=initial, auto_id="place_%s")


def _hours_on_record(service: Service, today: date) -> tuple[date, list[Schedule], list[Schedule]]:
    """The hours entered last and the earlier ones: ``(start, current, earlier)``.

    ``start`` is today, or the day a change of hours made ahead of time takes effect; the
    current hours are those in force that day — after a change, the new hours, even before
    they begin — and the earlier ones, ended by a change, are history (newest first)."""
    rows = list(hours_owner(service).schedules.all())
    live_starts = [
        row.valid_from
        for row in rows
        if row.valid_from is not None and (row.valid_to is None or row.valid_to >= today)
    ]
    start = max([today, *live_starts])
    current = sorted(
        (row for row in rows if row.valid_to is None or row.valid_to >= start),
        key=lambda row: (row.opens_at or time.min, row.byday),
    )
    earlier = sorted(
        (row for row in rows if row.valid_to is not None and row.valid_to < start),
        key=lambda row: (row.valid_to, row.valid_from or date.min),
        reverse=True,
    )
    return start, current, earlier


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
        now = editing.service_values(proposal.service)
        written_in = proposal.service.language
        rows = [
            {
                "field": labels.get(name, name),
                "before": field_value(name, proposal.original.get(name), written_in),
                "after": field_value(name, value, written_in),
                "now": field_value(name, now.get(name), written_in),
                "changed_since": now.get(name) != proposal.original.get(name),
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
