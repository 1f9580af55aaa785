"""The support desk in the back office: the inbox, a case with its timeline, and registering a
walk-in or a phone call."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.appointments.domain.queries import appointments_of_case, visits_of_case
from coop4int.backoffice.case_forms import (
    AssignForm,
    ConsentForm,
    InboxFilterForm,
    NewCaseForm,
    NoteForm,
    ReferralForm,
    ReplyForm,
    SatisfactionForm,
    StatusForm,
    WithdrawReferralForm,
)
from coop4int.backoffice.page_actions import (
    Acting,
    Action,
    ActionPage,
    ActionTable,
    Refused,
)
from coop4int.backoffice.person_views import consent_actions
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain import cases as case_domain
from coop4int.cases.domain.canned import answers_for, canned_reply
from coop4int.cases.domain.intake import (
    Contact,
    confirm_identity,
    possible_match_for,
    receive_contact,
)
from coop4int.cases.domain.queries import (
    InboxFilter,
    InboxView,
    case_timeline,
    cases_for_user,
    get_case_for_user,
    inbox,
    reply_channels,
    usual_reply_channel,
)
from coop4int.cases.domain.referrals import partner_services, refer_case, withdraw_referral
from coop4int.cases.enums import Channel, Priority, Status
from coop4int.cases.models import Case, CaseAttachment
from coop4int.channels.providers import whatsapp_window_open
from coop4int.core import audit
from coop4int.core.files import SIGNATURES
from coop4int.core.formatting import format_datetime
from coop4int.core.languages import interface_language_for
from coop4int.people.domain.people import PersonDetails, has_consent
from coop4int.people.domain.queries import duplicates_for_user
from coop4int.people.enums import Purpose
from coop4int.people.models import Person


def officers_for(case: Case) -> QuerySet[User]:
    """Who a case can be given to: active staff of its unit who may work cases."""
    staff = User.objects.filter(unit_id=case.unit_id, is_active=True).order_by("username")
    return staff.filter(pk__in=[u.pk for u in staff if u.has_perm(Permission.WORK_CASES, case)])


TRACKING_SESSION_KEY = "backoffice:tracking_link"


def hand_over_tracking_link(request: HttpRequest, case: Case, secret: str) -> None:
    """Keep the new case's tracking link for the one page that shows it to the officer, who
    gives it to the person (the secret is never stored)."""
    request.session[TRACKING_SESSION_KEY] = {"reference": case.reference, "secret": secret}


def tracking_link_to_hand_over(request: HttpRequest, case: Case) -> str:
    """The link kept by ``hand_over_tracking_link`` for ``case``, once; "" otherwise."""
    kept = request.session.get(TRACKING_SESSION_KEY)
    if not kept or kept.get("reference") != case.reference:
        return ""
    del request.session[TRACKING_SESSION_KEY]
    with translation.override(interface_language_for(case.language)):
        path = reverse(
            "portal:follow", kwargs={"reference": case.reference, "secret": kept["secret"]}
        )
    return request.build_absolute_uri(path)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox, ready to print: the template only writes strings."""

    reference: str
    subject: str
    urgent: str
    person: str
    status: str
    due: str
    assignee: str
    overdue: bool


def inbox_row(case: Case) -> InboxRow:
    assignee = case.assigned_to
    return InboxRow(
        reference=case.reference,
        subject=case.subject,
        urgent=case.get_priority_display() if case.priority >= Priority.HIGH else "",
        person=case.person.display_name if case.person else _("Anonymous"),
        status=f"{case.get_status_display()} · {case.get_channel_display()}",
        due=format_datetime(case.due_at, "short"),
        assignee=(assignee.get_full_name() or assignee.get_username()) if assignee else "—",
        overdue=case.is_overdue,
    )


class InboxPageView(StaffView):
    permission = Permission.WORK_CASES

    def get(self, request: HttpRequest) -> HttpResponse:
        view = request.GET.get("view", InboxView.UNIT)
        view = InboxView(view) if view in InboxView.__members__.values() else InboxView.UNIT
        form = InboxFilterForm(request.GET or None)
        criteria: dict[str, Any] = {}
        if form.is_valid():
            topic = form.cleaned_data["topic"]
            criteria = {
                "text": form.cleaned_data["q"],
                "topic": topic.pk if topic else None,
                "channel": form.cleaned_data["channel"],
                "priority": form.cleaned_data["priority"],
            }
        page = inbox(
            self.user, InboxFilter(view=view, **criteria), after=request.GET.get("after", "")
        )
        query = request.GET.copy()
        query.pop("after", None)
        return render(
            request,
            "backoffice/case_inbox.html",
            {
                "page": page,
                "rows": [inbox_row(case) for case in page.cases],
                "case_url": reverse("backoffice:case_inbox"),
                "form": form,
                "view": view,
                "views": [
                    (InboxView.MINE, _("Mine")),
                    (InboxView.UNIT, _("My unit's queue")),
                    (InboxView.UNASSIGNED, _("Unassigned")),
                    (InboxView.OVERDUE, _("Overdue")),
                    (InboxView.WAITING, _("Waiting")),
                    (InboxView.CLOSED, _("Resolved and closed")),
                ],
                "query": query.urlencode(),
                "colleagues": User.objects.filter(
                    unit_id=self.user.unit_id, is_active=True
                ).order_by("username")
                if self.user.unit_id
                else User.objects.none(),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        """Bulk assignment of the ticked cases."""
        references = request.POST.getlist("case")[:100]
        officer_id = request.POST.get("officer", "")
        officer = (
            User.objects.filter(pk=int(officer_id), is_active=True).first()
            if officer_id.isascii() and officer_id.isdigit() and len(officer_id) <= 18
            else None
        )
        chosen = cases_for_user(self.user).filter(reference__in=references)
        try:
            count = case_domain.assign_cases(actor=self.user, cases=chosen, officer=officer)
        except case_domain.NotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(count)d cases were assigned.") % {"count": count})
        return redirect(f"{request.path}?{request.POST.get('back', '')}")


def _reply(act: Acting[Case]) -> str:
    upload = act.data["attachment"]
    try:
        case_domain.reply(
            actor=act.actor, case=act.obj, body=act.data["body"],
            channel=Channel(act.data["channel"]), expected_version=act.data["version"],
            files=[upload] if upload else [],
        )  # fmt: skip
    except ValidationError as error:
        raise ValidationError({"attachment": error}) from error
    return _("Your reply was added.")


def _note(act: Acting[Case]) -> str:
    case_domain.add_note(
        actor=act.actor, case=act.obj, body=act.data["note"],
        expected_version=act.data["version"],
    )  # fmt: skip
    return _("The note was added.")


def _change_status(act: Acting[Case]) -> str:
    case_domain.change_status(
        actor=act.actor, case=act.obj, status=Status(act.data["status"]),
        expected_version=act.data["version"],
    )  # fmt: skip
    return _("The status was changed.")


def _assign(act: Acting[Case]) -> str:
    case_domain.assign_case(
        actor=act.actor, case=act.obj, officer=act.data["officer"],
        expected_version=act.data["version"],
    )  # fmt: skip
    return _("The case was assigned.")


def _refer(act: Acting[Case]) -> str:
    refer_case(
        actor=act.actor, case=act.obj, service=act.data["service"],
        summary=act.data["summary"], share_phone=act.data["share_phone"],
        expected_version=act.data["version"],
    )  # fmt: skip
    return _("The case was referred.")


def _record_satisfaction(act: Acting[Case]) -> str:
    if not case_domain.record_satisfaction(actor=act.actor, case=act.obj, score=act.data["score"]):
        raise Refused(_("The person's answer was already recorded. Nothing was saved."))
    return _("The person's answer was recorded.")


def _withdraw_referral(act: Acting[Case]) -> str:
    withdraw_referral(actor=act.actor, referral=act.data["referral"])
    return _("The referral was withdrawn.")


def _case_person(case: Case) -> Person | None:
    return case.person


class CaseDetailView(ActionPage[Case], StaffView):
    """A case: its facts, status and assignment, the person, the timeline (contacts and what
    was done), the reply and the internal note, referrals. Every action returns to its own
    section of the page."""

    permission = Permission.WORK_CASES
    actions = ActionTable[Case](
        Action("status", StatusForm, _change_status, "status"),
        Action("assign", AssignForm, _assign, "status",
               options=lambda page, case: {"officers": officers_for(case)}),
        Action("satisfaction", SatisfactionForm, _record_satisfaction, "satisfaction",
               shows_form=False),
        *consent_actions(_case_person, section="person"),
        Action("reply", ReplyForm, _reply, "reply",
               options=lambda page, case: {"channels": reply_channels(case)}),
        Action("note", NoteForm, _note, "note"),
        Action("refer", ReferralForm, _refer, "referrals",
               options=lambda page, case: {"services": partner_services()}),
        Action("withdraw_referral", WithdrawReferralForm, _withdraw_referral, "referrals",
               shows_form=False, options=lambda page, case: {"referrals": case.referrals.all()}),
    )  # fmt: skip
    # Someone else changed the case meanwhile, or the flow refuses the change.
    conflicts = (case_domain.StaleCase, case_domain.NotAllowed)

    @staticmethod
    def _posted_id(value: str) -> int | None:
        """An id typed by no one but still to be checked: ASCII digits of a size the database
        takes, else None (``int("²")`` fails though ``"²".isdigit()``)."""
        if value.isascii() and value.isdigit() and len(value) <= 18:
            return int(value)
        return None

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Case:
        return get_case_for_user(self.user, kwargs["reference"])

    def page_url(self, obj: Case) -> str:
        return reverse("backoffice:case_detail", kwargs={"reference": obj.reference})

    def _fresh_forms(self, case: Case, reply_body: str = "") -> dict[str, forms.Form]:
        initial = {"version": case.version}
        channels = reply_channels(case)
        return {
            "reply": ReplyForm(
                initial=initial | {"channel": usual_reply_channel(case, channels),
                                   "body": reply_body},
                channels=channels,
            ),
            "note": NoteForm(initial=initial),
            "status": StatusForm(initial=initial | {"status": case.status}),
            "assign": AssignForm(
                initial=initial | {"officer": case.assigned_to_id}, officers=officers_for(case)
            ),
            "refer": ReferralForm(initial=initial, services=partner_services()),
            "consent": ConsentForm(),
        }  # fmt: skip

    def render_page(
        self,
        request: HttpRequest,
        obj: Case,
        bound: Mapping[str, forms.Form],
        *,
        tracking_link: str = "",
        reply_body: str = "",
    ) -> HttpResponse:
        case = obj
        forms_shown = self._fresh_forms(case, reply_body) | dict(bound)
        context = {
            "case": case,
            "tracking_link": tracking_link,
            "timeline": case_timeline(case),
            "person": case.person,
            "possible_match": possible_match_for(self.user, case),
            "sees_sensitive": self.user.has_perm(Permission.VIEW_PERSON_SENSITIVE, case.person),
            "consents": case.person.consents.filter(withdrawn_at__isnull=True)
            if case.person
            else [],
            "reply_form": forms_shown["reply"],
            "note_form": forms_shown["note"],
            "status_form": forms_shown["status"],
            "assign_form": forms_shown["assign"],
            "referrals": case.referrals.select_related("service", "partner"),
            "appointments": appointments_of_case(self.user, case),
            "visits": visits_of_case(self.user, case),
            "referral_form": forms_shown["refer"],
            "consent_form": forms_shown["consent"],
            "may_share": has_consent(case.person, Purpose.REFERRAL),
            "canned": answers_for(case),
            "whatsapp_closed": case.channel == Channel.WHATSAPP and not whatsapp_window_open(case),
        } | self.section_context(request, case)
        return render(request, "backoffice/case_detail.html", context)

    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        case = get_case_for_user(self.user, reference)
        link = tracking_link_to_hand_over(request, case)
        if link:
            return self.render_page(request, case, {}, tracking_link=link)
        canned = self._posted_id(request.GET.get("canned", ""))
        if canned is not None:
            _language, text = canned_reply(case, canned, self.user)
            if text:
                return self.render_page(request, case, {}, reply_body=text)
        return self.render_page(request, case, {})

    def conflict(
        self,
        request: HttpRequest,
        obj: Case,
        action: Action[Case],
        form: forms.Form,
        error: Exception,
    ) -> HttpResponse:
        """What was typed stays in its form, with the reason beside it and the case's version
        as it is now; the page shows the case as it is now."""
        if not action.shows_form:
            return super().conflict(request, obj, action, form, error)
        obj.refresh_from_db()
        data = cast(QueryDict, form.data).copy()
        data[form.add_prefix("version")] = str(obj.version)
        again = self.bind(action, obj, data)
        again.add_error(None, str(error))
        return self.show_again(request, obj, action, {action.key: again})


class CaseFileView(StaffView):
    """A file of a case's timeline, to those who may open the case: always as a download, as
    the type it was checked to be (anything else as plain bytes)."""

    permission = Permission.WORK_CASES

    def get(self, request: HttpRequest, reference: str, file_id: int) -> FileResponse:
        case = get_case_for_user(self.user, reference)
        attached = CaseAttachment.objects.filter(pk=file_id, interaction__case=case).first()
        if attached is None:
            raise Http404
        audit.record(
            action="cases.attachment.downloaded", actor=self.user, obj=case, unit=case.unit,
            data={"file": attached.pk},
        )  # fmt: skip
        checked = {kind for kind, _extension in SIGNATURES.values()}
        return FileResponse(
            attached.file.open("rb"),
            as_attachment=True,
            filename=attached.filename,
            content_type=attached.content_type
            if attached.content_type in checked
            else "application/octet-stream",
        )


class NewCaseView(StaffView):
    """A walk-in or phone contact: find the person among the possible duplicates within the
    officer's scope, register them, or — when their phone or e-mail belongs to a record of
    another unit, and they agree to share it between units — link that record; or nobody, for
    an anonymous question. Then the case opens, through the one intake path."""

    permission = Permission.WORK_CASES

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "backoffice/case_new.html", {"form": NewCaseForm(), "duplicates": []}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewCaseForm(request.POST)
        if not form.is_valid():
            return render(request, "backoffice/case_new.html", {"form": form, "duplicates": []})
        data = form.cleaned_data
        person: Person | None = None
        choice = request.POST.get("person_choice", "")
        if not data["anonymous"]:
            duplicates, elsewhere = duplicates_for_user(
                self.user,
                given_names=data["given_names"],
                family_names=data["family_names"],
                birth_date=data["birth_date"],
                phones=(data["phone"],) if data["phone"] else (),
                emails=(data["email"],) if data["email"] else (),
            )
            known = {str(d.person.pk): d.person for d in duplicates}
            allowed = {"new", *known, *(("link",) if elsewhere else ())}
            if (duplicates or elsewhere) and choice not in allowed:
                return render(
                    request,
                    "backoffice/case_new.html",
                    {"form": form, "duplicates": duplicates, "elsewhere": elsewhere},
                )
            person = known.get(choice)
        channel = Channel(data["channel"])
        consents = frozenset(
            purpose
            for purpose, field in (
                (Purpose.SERVICE, "consent_service"),
                (Purpose.CONTACT, "consent_contact"),
                (Purpose.STATISTICS, "consent_statistics"),
            )
            if data[field] and not data["anonymous"]
        )
        try:
            intake = receive_contact(
                actor=self.user,
                person=person,
                register=not data["anonymous"] and person is None and choice != "link",
                link_with_consent=not data["anonymous"] and choice == "link",
                assign_to=self.user,
                contact=Contact(
                    channel=channel,
                    subject=data["subject"],
                    body=data["body"],
                    language=data["preferred_language"],
                    phone="" if data["anonymous"] else data["phone"],
                    email="" if data["anonymous"] else data["email"],
                    details=PersonDetails(
                        given_names=data["given_names"],
                        family_names=data["family_names"],
                        birth_date=data["birth_date"],
                        age_group=data["age_group"],
                        sex=data["sex"],
                        gender=data["gender"],
                        nationalities=tuple(data["nationality"]),
                        preferred_language=data["preferred_language"],
                        island=data["island"],
                        municipality=data["municipality"],
                    ),
                    consents=consents,
                    topics=list(data["topics"]),
                    priority=Priority(data["priority"]),
                    duration_seconds=data["duration_minutes"] * 60
                    if data["duration_minutes"] is not None
                    else None,
                    interpreter=data["interpreter"],
                ),
            )
        except case_domain.NotAllowed as error:
            form.add_error(None, str(error))
            return render(request, "backoffice/case_new.html", {"form": form, "duplicates": []})
        case = intake.case
        messages.success(
            request, _("Case %(reference)s was opened.") % {"reference": case.reference}
        )
        hand_over_tracking_link(request, case, intake.secret)
        return redirect("backoffice:case_detail", reference=case.reference)


class CaseIdentityView(StaffView):
    """An officer confirms with the person who sent a public request: the possible match
    (only shown to those who may open that record), or nobody known."""

    permission = Permission.WORK_CASES

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        case = get_case_for_user(self.user, reference)
        choice = request.POST.get("person", "")
        match = possible_match_for(self.user, case)
        person = match if match is not None and choice == str(match.pk) else None
        if person is None and choice not in ("none", "link"):
            messages.error(request, _("That person's record is not within your reach."))
            return redirect("backoffice:case_detail", reference=case.reference)
        try:
            confirm_identity(
                actor=self.user, case=case, person=person, link_with_consent=choice == "link"
            )
        except case_domain.NotAllowed as error:
            messages.error(request, str(error))
        else:
            if choice == "none":
                messages.success(
                    request,
                    _("The identity was confirmed: the request stays apart from any record."),
                )
            else:
                messages.success(
                    request, _("The identity was confirmed: the request is on the person's record.")
                )
        return redirect("backoffice:case_detail", reference=case.reference)
