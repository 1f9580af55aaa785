"""Staff pages: parse, authorise, call one domain function, render."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from coop4int.accounts.domain import queries as account_queries
from coop4int.accounts.domain import staff as staff_domain
from coop4int.accounts.enums import Role
from coop4int.accounts.forms import RolesForm, StaffAccountForm
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.tasks import send_account_invitation
from coop4int.backoffice.forms import AuditFilterForm
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Refused
from coop4int.core.models import AuditEntry
from coop4int.core.queries import audit_entries


class StaffView(View):
    """Base of every back-office page: the role must grant ``permission`` (403 otherwise).

    A tuple of permissions means any one of them.
    Log-in and the second factor are already enforced for all of /staff/ by
    StaffVerificationMiddleware; objects outside the user's scope answer 404 in the queries.
    """

    permission: Permission | tuple[Permission, ...] = Permission.USE_BACKOFFICE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        wanted = self.permission if isinstance(self.permission, tuple) else (self.permission,)
        if not any(request.user.has_perm(permission) for permission in wanted):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[return-value]


class HomeView(StaffView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "backoffice/home.html", {"roles": sorted(self.user.roles)})


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One line of the audit log as the reader may see it."""

    entry: AuditEntry
    targeted_account: str
    object_label: str
    """The account a refused log-in was aimed at ("" for other entries): in clear for
    administrators, masked for anyone else."""


class AuditLogView(StaffView):
    permission = Permission.VIEW_AUDIT_LOG
    page_size = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditFilterForm(request.GET or None)
        entries = audit_entries(form.criteria())
        page = Paginator(entries, self.page_size).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        in_clear = Role.ADMINISTRATOR in self.user.roles
        rows = [
            AuditRow(entry, entry.targeted_account(in_clear=in_clear), entry.object_label())
            for entry in page
        ]
        return render(
            request,
            "backoffice/audit_log.html",
            {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
        )


class UnitListView(StaffView):
    permission = Permission.VIEW_UNITS

    def get(self, request: HttpRequest) -> HttpResponse:
        units = account_queries.units_for_user(self.user)
        return render(request, "backoffice/unit_list.html", {"units": units})


class UnitDetailView(StaffView):
    permission = Permission.VIEW_UNITS

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        unit = account_queries.get_unit_for_user(self.user, slug)
        staff = account_queries.staff_for_user(self.user).filter(unit=unit)
        return render(request, "backoffice/unit_detail.html", {"unit": unit, "staff": staff})


class StaffCreateView(StaffView):
    permission = Permission.MANAGE_STAFF

    def _render(self, request: HttpRequest, unit: Any, form: StaffAccountForm) -> HttpResponse:
        return render(request, "backoffice/staff_form.html", {"unit": unit, "form": form})

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        unit = account_queries.get_unit_for_user(self.user, slug)
        return self._render(request, unit, StaffAccountForm(actor=self.user))

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        unit = account_queries.get_unit_for_user(self.user, slug)
        form = StaffAccountForm(request.POST, actor=self.user)
        if form.is_valid():
            try:
                account = staff_domain.create_staff_account(
                    actor=self.user,
                    unit=unit,
                    username=form.cleaned_data["username"],
                    email=form.cleaned_data["email"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    roles=[Role(r) for r in form.cleaned_data["roles"]],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                send_account_invitation.enqueue(account.pk, request.build_absolute_uri("/"))
                messages.success(
                    request,
                    _(
                        "The account %(username)s was created. An e-mail asks its holder "
                        "to choose a password."
                    )
                    % {"username": account.username},
                )
                return redirect("backoffice:staff_detail", username=account.username)
        return self._render(request, unit, form)


def _set_roles(act: Acting[User]) -> str:
    try:
        staff_domain.set_roles(
            actor=act.actor, user=act.obj, roles=[Role(r) for r in act.data["roles"]]
        )
    except PermissionDenied as error:
        raise ValidationError(str(error)) from error
    return _("The roles were saved.")


def _disable(act: Acting[User]) -> str:
    try:
        staff_domain.disable_account(actor=act.actor, user=act.obj)
    except PermissionDenied as error:
        raise Refused(str(error)) from error
    return _("The account was disabled and its sessions were ended.")


def _enable(act: Acting[User]) -> str:
    try:
        staff_domain.enable_account(actor=act.actor, user=act.obj)
    except PermissionDenied as error:
        raise Refused(str(error)) from error
    return _("The account was enabled.")


class StaffDetailView(ActionPage[User], StaffView):
    permission = Permission.MANAGE_STAFF
    actions = ActionTable[User](
        Action("roles", RolesForm, _set_roles, "roles",
               options=lambda page, account: {"actor": page.user}),
        Action("disable", forms.Form, _disable, "access", shows_form=False),
        Action("enable", forms.Form, _enable, "access", shows_form=False),
        default="roles",
    )  # fmt: skip

    def action_object(self, request: HttpRequest, **kwargs: Any) -> User:
        account = account_queries.get_staff_for_user(self.user, kwargs["username"])
        if not self.user.has_perm(Permission.MANAGE_STAFF, account):
            raise PermissionDenied
        return account

    def page_url(self, obj: User) -> str:
        return reverse("backoffice:staff_detail", kwargs={"username": obj.username})

    def render_page(
        self, request: HttpRequest, obj: User, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        form = bound.get("roles") or RolesForm(
            actor=self.user, initial={"roles": sorted(obj.roles)}
        )
        return render(
            request,
            "backoffice/staff_detail.html",
            {"account": obj, "roles_form": form} | self.section_context(request, obj),
        )

    def get(self, request: HttpRequest, username: str) -> HttpResponse:
        return self.render_page(request, self.action_object(request, username=username), {})
