"""Back-office pages of the directory: keep the entries true, review partners' proposals."""

from collections.abc import Mapping
from datetime import date, time
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from coop4int.accounts.domain import queries as account_queries
from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.backoffice.directory_forms import (
    ClosureForm,
    HoursForm,
    LocationForm,
    NewServiceForm,
    ReviewForm,
    ServiceForm,
    TranslationForm,
)
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.views import StaffView
from coop4int.core.formatting import format_datetime
from coop4int.core.languages import REGISTRY
from coop4int.directory.domain import editing, queries
from coop4int.directory.domain.calendars import hours_owner
from coop4int.directory.enums import ProposalStatus, ServiceStatus
from coop4int.directory.models import ChangeProposal, Location, Schedule, Service

EDIT_OR_PROPOSE = (Permission.EDIT_DIRECTORY, Permission.PROPOSE_DIRECTORY_CHANGE)
YES = pgettext_lazy("value of a yes-or-no field", "Yes")
NO = pgettext_lazy("value of a yes-or-no field", "No")


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


def _save(act: Acting[Service]) -> str:
    """The description form: an editor changes the entry, a partner proposes the change."""
    service = act.obj
    changes = {name: act.data[name] for name in editing.EDITABLE_FIELDS}
    try:
        if act.actor.has_perm(Permission.EDIT_DIRECTORY, service):
            changed = editing.update_service(actor=act.actor, service=service, changes=changes)
            return _("Saved.") if changed else _("Nothing was changed.")
        editing.propose_change(
            actor=act.actor, service=service, changes=changes, note=act.data.get("note", "")
        )
    except ValidationError:
        # The values were set on the service before they were refused: the page shows it as
        # it is on record.
        service.refresh_from_db()
        raise
    return _("Your proposal was sent to the editors.")


def _verify(act: Acting[Service]) -> str:
    editing.verify_service(actor=act.actor, service=act.obj)
    return _("Marked as verified today.")


def _change_hours(act: Acting[Service]) -> str:
    form = cast(HoursForm, act.form)
    editing.change_hours_from(
        actor=act.actor, service=act.obj, valid_from=form.starts_on(), openings=form.openings()
    )
    return _("The new hours were saved.")


def _add_closure(act: Acting[Service]) -> str:
    editing.add_closure(
        actor=act.actor, service=act.obj, location=_place_of(act.obj),
        starts_at=act.data["starts_at"], ends_at=act.data["ends_at"], reason=act.data["reason"],
    )  # fmt: skip
    return _("The closure was saved.")


def _update_location(act: Acting[Service]) -> str:
    editing.update_location(
        actor=act.actor, service=act.obj, location=_place_of(act.obj),
        values={name: value for name, value in act.data.items() if name != "phones"},
        phones=cast(LocationForm, act.form).phone_list(),
    )  # fmt: skip
    return _("The place was saved.")


def _save_translation(act: Acting[Service]) -> str:
    editing.save_translation(actor=act.actor, service=act.obj, **act.data)
    return _("The translation was saved.")


def _may_edit(user: User, service: Service) -> bool:
    return user.has_perm(Permission.EDIT_DIRECTORY, service)


def _service_options(page: "DirectoryServiceView", service: Service) -> dict[str, Any]:
    return {"proposing": not _may_edit(page.user, service)}


# The place's forms are asked for their place before anything posted is read: a service
# without one has no such form (404).
def _closure_options(page: "DirectoryServiceView", service: Service) -> dict[str, Any]:
    _place_of(service)
    return {"time_zone": _zone(service), "auto_id": "closure_%s"}


def _place_options(page: "DirectoryServiceView", service: Service) -> dict[str, Any]:
    _place_of(service)
    return {"auto_id": "place_%s"}


def _translation_options(page: "DirectoryServiceView", service: Service) -> dict[str, Any]:
    return {"auto_id": "translation_%s"}


# What a partner may do on the page: propose a change to the description. Every other action
# of the page is the editors'.
PROPOSING = frozenset({"save"})


class DirectoryServiceView(ActionPage[Service], StaffView):
    """Edit a service (editors) or propose a change to it (partners). Each of the page's
    forms is one action, back at its own section."""

    permission = EDIT_OR_PROPOSE
    actions = ActionTable[Service](
        Action("save", ServiceForm, _save, "description", options=_service_options),
        Action("verify", forms.Form, _verify, "verified", shows_form=False),
        Action("hours", HoursForm, _change_hours, "hours"),
        Action("translation", TranslationForm, _save_translation, "translations",
               options=_translation_options),
        Action("location", LocationForm, _update_location, "place", options=_place_options),
        Action("closure", ClosureForm, _add_closure, "closures", options=_closure_options),
        default="save",
    )  # fmt: skip

    def _service(self, service_id: UUID) -> Service:
        service = queries.get_service_for_user(self.user, service_id)
        if not (
            self.user.has_perm(Permission.EDIT_DIRECTORY, service)
            or self.user.has_perm(Permission.PROPOSE_DIRECTORY_CHANGE, service)
        ):
            raise PermissionDenied
        return service

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Service | HttpResponse:
        service = self._service(kwargs["service_id"])
        action = self.actions.chosen(request.POST)
        editors_only = action is not None and action.name not in PROPOSING
        if editors_only and not _may_edit(self.user, service):
            # A partner's page has no such form: as for any action the page does not have.
            messages.error(request, _("This page has no such action. Nothing was changed."))
            return redirect(self.page_url(service))
        return service

    def page_url(self, obj: Service) -> str:
        return reverse("backoffice:directory_service", args=[obj.pk])

    def render_page(
        self, request: HttpRequest, obj: Service, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        service = obj
        may_edit = _may_edit(self.user, service)
        today = timezone.localdate()
        hours_from, current, history = _hours_on_record(service, today)
        form = cast(
            ServiceForm,
            bound.get("save")
            or ServiceForm(initial=editing.service_values(service), proposing=not may_edit),
        )
        context = {
            "service": service,
            "form": form.written_in(service.language),
            "may_edit": may_edit,
            "hours_form": bound.get("hours")
            or HoursForm(
                current=queries.current_openings(service, hours_from),
                initial={"valid_from": hours_from},
            ),
            "closure_form": bound.get("closure")
            or ClosureForm(time_zone=_zone(service), auto_id="closure_%s"),
            "location_form": bound.get("location") or _location_form(service),
            "translation_form": bound.get("translation")
            or TranslationForm(auto_id="translation_%s"),
            "translations": service.translations.order_by("language"),
            "hours_from": hours_from if hours_from > today else None,
            "current_hours": current,
            "earlier_hours": history,
            "proposals": service.proposals.select_related("proposed_by")[:10],
            "closures": _closures(service),
        } | self.section_context(request, service)
        return render(request, "backoffice/directory_service.html", context)

    def get(self, request: HttpRequest, service_id: UUID) -> HttpResponse:
        return self.render_page(request, self._service(service_id), {})


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


def _place_of(service: Service) -> Location:
    """The place of the service, whose closures and address the page changes; a service
    without a place has no place to close or to change (404, whatever was posted)."""
    location = _location(service)
    if location is None:
        raise Http404
    return location


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


def _approve(act: Acting[ChangeProposal]) -> Done:
    try:
        editing.approve_proposal(actor=act.actor, proposal=act.obj)
    except ValidationError as error:
        # The service had the proposed values set before they were refused; the page shows
        # it as it is on record, and the reasons above the form (the form has no such fields).
        act.obj.service.refresh_from_db()
        raise ValidationError(error.messages) from error
    return Done(
        _("The proposal was approved and applied."), to=reverse("backoffice:directory_proposals")
    )


def _reject(act: Acting[ChangeProposal]) -> Done:
    try:
        editing.reject_proposal(actor=act.actor, proposal=act.obj, reason=act.data["reason"])
    except ValidationError as error:
        raise ValidationError(error.messages) from error
    return Done(_("The proposal was rejected."), to=reverse("backoffice:directory_proposals"))


class ProposalView(ActionPage[ChangeProposal], StaffView):
    """A partner's proposal beside the entry as it is now: approve it or reject it, saying
    why; either leads back to the proposals still waiting."""

    permission = Permission.EDIT_DIRECTORY
    actions = ActionTable[ChangeProposal](
        Action("approve", ReviewForm, _approve, "decision", form_key="decision", leaves=True),
        Action("reject", ReviewForm, _reject, "decision", form_key="decision", leaves=True),
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> ChangeProposal:
        return queries.get_proposal_for_user(self.user, kwargs["proposal_id"])

    def page_url(self, obj: ChangeProposal) -> str:
        return reverse("backoffice:directory_proposal", args=[obj.pk])

    def render_page(
        self, request: HttpRequest, obj: ChangeProposal, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        proposal = obj
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
        context = {
            "proposal": proposal,
            "rows": rows,
            "form": bound.get("decision") or ReviewForm(),
        } | self.section_context(request, proposal)
        return render(request, "backoffice/directory_proposal.html", context)

    def get(self, request: HttpRequest, proposal_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, proposal_id=proposal_id), {})
