"""Staff pages: parse, authorise, call one domain function, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
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


class AuditLogView(StaffView):
    permission = Permission.VIEW_AUDIT_LOG
    page_size = 50

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditFilterForm(request.GET or None)
        entries = audit_entries(form.criteria())
        page = Paginator(entries, self.page_size).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "backoffice/audit_log.html",
            {"form": form, "page": page, "query": query.urlencode()},
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


class StaffDetailView(StaffView):
    permission = Permission.MANAGE_STAFF

    def _account(self, username: str) -> User:
        account = account_queries.get_staff_for_user(self.user, username)
        if not self.user.has_perm(Permission.MANAGE_STAFF, account):
            raise PermissionDenied
        return account

    def _render(self, request: HttpRequest, account: User, form: RolesForm) -> HttpResponse:
        return render(
            request, "backoffice/staff_detail.html", {"account": account, "roles_form": form}
        )

    def get(self, request: HttpRequest, username: str) -> HttpResponse:
        account = self._account(username)
        form = RolesForm(actor=self.user, initial={"roles": sorted(account.roles)})
        return self._render(request, account, form)

    def post(self, request: HttpRequest, username: str) -> HttpResponse:
        account = self._account(username)
        action = request.POST.get("action")
        if action in {"disable", "enable"}:
            try:
                if action == "disable":
                    staff_domain.disable_account(actor=self.user, user=account)
                    messages.success(
                        request, _("The account was disabled and its sessions were ended.")
                    )
                else:
                    staff_domain.enable_account(actor=self.user, user=account)
                    messages.success(request, _("The account was enabled."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except PermissionDenied as error:
                messages.error(request, str(error))
            return redirect("backoffice:staff_detail", username=account.username)
        form = RolesForm(request.POST, actor=self.user)
        if form.is_valid():
            try:
                staff_domain.set_roles(
                    actor=self.user,
                    user=account,
                    roles=[Role(r) for r in form.cleaned_data["roles"]],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, str(error) if isinstance(error, PermissionDenied) else error)
            else:
                messages.success(request, _("The roles were saved."))
                return redirect("backoffice:staff_detail", username=account.username)
        return self._render(request, account, form)
