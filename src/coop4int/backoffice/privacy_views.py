"""Data protection in the back office: a person's access export (readable, JSON, ZIP), the
register of processing and the breach log with its 72-hour clock.

The export is for those who may open the person and read their sensitive fields
(``Permission.EXPORT_PERSON``, ``privacy/rules.py``): the coordinators and officers who serve
them, and administrators. Outside the scope it answers 404, like the record. The register,
which names no one, is for administrators and coordinators; the breach log for
administrators. Every response is for one reader: ``Cache-Control: private, no-store``.
"""

import csv
import tempfile
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done, Refused
from coop4int.backoffice.views import StaffView
from coop4int.core import personal_data
from coop4int.core.formatting import time_zone_name
from coop4int.core.personal_pages import mark_personal
from coop4int.people.domain.queries import PersonMergedAway, get_person_for_user
from coop4int.people.models import Person
from coop4int.privacy.access_document import render_document, render_json, write_zip
from coop4int.privacy.domain.access import AccessExport, ExportFormat, export_person
from coop4int.privacy.domain.breaches import (
    BreachDetails,
    BreachRefused,
    breach_clock,
    close_breach,
    notify_people,
    notify_regulator,
    record_breach,
)
from coop4int.privacy.domain.queries import breach_log, get_breach
from coop4int.privacy.domain.register import kind_name, processing_register, register_table
from coop4int.privacy.forms import (
    BreachForm,
    CloseBreachForm,
    PeopleNotifiedForm,
    RegulatorNotifiedForm,
)
from coop4int.privacy.models import Breach

# --- The access export ----------------------------------------------------------------------


class _AccessView(StaffView):
    """Fetch the person in scope (404 outside), authorise, export in ``format``."""

    permission = Permission.EXPORT_PERSON
    format = ExportFormat.HTML
    url_name = "backoffice:privacy_access"

    def respond(self, request: HttpRequest, export: AccessExport) -> HttpResponseBase:
        raise NotImplementedError

    def get(self, request: HttpRequest, person_id: UUID) -> HttpResponseBase:
        try:
            person = get_person_for_user(self.user, person_id)
        except PersonMergedAway as moved:
            return redirect(self.url_name, person_id=moved.kept_id)
        if not self.user.has_perm(Permission.EXPORT_PERSON, person):
            raise PermissionDenied
        export = export_person(
            person=person, actor=self.user, now=timezone.now(), format=self.format
        )
        return mark_personal(self.respond(request, export))


def _filename(person: Person, extension: str) -> str:
    # The record's id, never the name: the file may sit in a downloads folder.
    return f"coop4int-access-{str(person.pk)[:8]}.{extension}"


class PersonAccessView(_AccessView):
    def respond(self, request: HttpRequest, export: AccessExport) -> HttpResponseBase:
        # Rendered by our own template with escaping on: safe to place in the staff page.
        document = mark_safe(render_document(export, standalone=False))  # noqa: S308
        return render(
            request,
            "backoffice/privacy_access.html",
            {"person": export.person, "document": document, "export": export},
        )


class PersonAccessJSONView(_AccessView):
    format = ExportFormat.JSON
    url_name = "backoffice:privacy_access_json"

    def respond(self, request: HttpRequest, export: AccessExport) -> HttpResponseBase:
        response = HttpResponse(render_json(export), content_type="application/json")
        response["Content-Disposition"] = (
            f'attachment; filename="{_filename(export.person, "json")}"'
        )
        return response


class PersonAccessZipView(_AccessView):
    format = ExportFormat.ZIP
    url_name = "backoffice:privacy_access_zip"

    def respond(self, request: HttpRequest, export: AccessExport) -> HttpResponseBase:
        # On disk, not in memory: the files may add up to many megabytes.
        archive = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
        write_zip(export, archive)
        archive.seek(0)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=_filename(export.person, "zip"),
            content_type="application/zip",
        )


# --- The register of processing -------------------------------------------------------------


class ProcessingRegisterView(StaffView):
    permission = Permission.VIEW_PROCESSING_REGISTER

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "backoffice/privacy_register.html",
            {"purposes": processing_register(), "kind_count": len(personal_data.declarations())},
        )


class ProcessingRegisterCSVView(StaffView):
    permission = Permission.VIEW_PROCESSING_REGISTER

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="coop4int-processing-register.csv"'
        csv.writer(response).writerows(register_table())
        return response


# --- The breach log -------------------------------------------------------------------------


class _InReaderTimeZone:
    """Moments shown and typed in the reader's time zone: their unit's, else the country's."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        unit = getattr(request.user, "unit", None)
        zone = unit.time_zone if unit is not None and unit.time_zone else settings.TIME_ZONE
        with timezone.override(zone):
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response


def _reader_zone() -> str:
    return time_zone_name(timezone.get_current_timezone_name())


def _record(act: Acting[None]) -> Done:
    data = act.data
    breach = record_breach(
        actor=act.actor,
        details=BreachDetails(
            discovered_at=data["discovered_at"], description=data["description"],
            people_categories=data["people_categories"],
            people_affected=data["people_affected"], measures=data["measures"],
            data_kinds=tuple(data["data_kinds"]), other_data=data["other_data"],
            records_affected=data["records_affected"], units=tuple(data["units"]),
        ),
        now=timezone.now(),
    )  # fmt: skip
    return Done(
        _("The breach was recorded. The CNPD must be notified within 72 hours of its discovery."),
        to=reverse("backoffice:privacy_breach", kwargs={"breach_id": breach.pk}),
    )


class BreachLogView(_InReaderTimeZone, ActionPage[None], StaffView):
    permission = Permission.MANAGE_BREACHES
    actions = ActionTable[None](
        Action("record", BreachForm, _record, "record", leaves=True), default="record"
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> None:
        return None

    def page_url(self, obj: None) -> str:
        return reverse("backoffice:privacy_breaches")

    def render_page(
        self, request: HttpRequest, obj: None, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        now = timezone.now()
        rows = [(breach, breach_clock(breach, now=now)) for breach in breach_log()]
        context = {
            "rows": rows,
            "form": bound.get("record") or BreachForm(),
            "zone_name": _reader_zone(),
        } | self.section_context(request, None)
        return render(request, "backoffice/privacy_breaches.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, None, {})


def _refused(error: BreachRefused) -> Refused:
    return Refused(str(error))


def _notify_regulator(act: Acting[Breach]) -> str:
    try:
        notify_regulator(
            actor=act.actor, breach=act.obj, notified_at=act.data["notified_at"],
            reference=act.data["reference"], delay_reason=act.data["delay_reason"],
            now=timezone.now(),
        )  # fmt: skip
    except BreachRefused as refused:
        raise _refused(refused) from refused
    return _("The notification of the CNPD was recorded.")


def _notify_people(act: Acting[Breach]) -> str:
    try:
        notify_people(
            actor=act.actor, breach=act.obj, notified_at=act.data["notified_at"],
            notice=act.data["notice"], now=timezone.now(),
        )  # fmt: skip
    except BreachRefused as refused:
        raise _refused(refused) from refused
    return _("The notice to the people affected was recorded.")


def _close(act: Acting[Breach]) -> str:
    try:
        close_breach(actor=act.actor, breach=act.obj, note=act.data["note"], now=timezone.now())
    except BreachRefused as refused:
        raise _refused(refused) from refused
    return _("The breach was closed.")


class BreachView(_InReaderTimeZone, ActionPage[Breach], StaffView):
    permission = Permission.MANAGE_BREACHES
    actions = ActionTable[Breach](
        Action("notify_regulator", RegulatorNotifiedForm, _notify_regulator, "regulator"),
        Action("notify_people", PeopleNotifiedForm, _notify_people, "people"),
        Action("close", CloseBreachForm, _close, "closing"),
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Breach:
        return get_breach(kwargs["breach_id"])

    def page_url(self, obj: Breach) -> str:
        return reverse("backoffice:privacy_breach", kwargs={"breach_id": obj.pk})

    def render_page(
        self, request: HttpRequest, obj: Breach, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        names = {d.model: kind_name(d) or str(d.description) for d in personal_data.declarations()}
        context = {
            "breach": obj,
            "clock": breach_clock(obj, now=timezone.now()),
            "kinds": [names.get(label, label) for label in obj.data_kinds],
            "zone_name": _reader_zone(),
            "regulator_form": bound.get("notify_regulator") or RegulatorNotifiedForm(),
            "people_form": bound.get("notify_people") or PeopleNotifiedForm(),
            "close_form": bound.get("close") or CloseBreachForm(),
        } | self.section_context(request, obj)
        return render(request, "backoffice/privacy_breach.html", context)

    def get(self, request: HttpRequest, breach_id: int) -> HttpResponse:
        return self.render_page(request, self.action_object(request, breach_id=breach_id), {})
