"""The analysts' pages of the observatory's library of studies: the list (drafts first), adding
a study with its PDF, and a study's page — its details corrected, a new file put in place,
published and withdrawn.

Thin views over ``observatory.domain.studies``; every page needs
``Permission.MANAGE_OBSERVATORY``. What the domain refuses (not a PDF, too large, a field
missing) is shown beside the field, in the page's language, with what was typed kept; only the
file must be chosen again, as browsers never fill in a file input."""

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Refused
from coop4int.backoffice.study_forms import StudyButtonForm, StudyEditForm, StudyForm
from coop4int.backoffice.views import StaffView
from coop4int.core.languages import REGISTRY
from coop4int.observatory.domain import studies
from coop4int.observatory.enums import StudyStatus, licence
from coop4int.observatory.models import Study


def language_name(code: str) -> SafeString:
    """The language's own name, marked with its language."""
    name = REGISTRY[code].native_name if code in REGISTRY else code
    return format_html('<span lang="{}">{}</span>', code, name)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The domain's refusal on the form: beside the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class StudyListView(StaffView):
    """Every study: drafts to publish first, then the published ones, then the withdrawn."""

    permission = Permission.MANAGE_OBSERVATORY

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = [(study, language_name(study.language)) for study in studies.studies_for_staff()]
        return render(request, "backoffice/study_list.html", {"rows": rows})


class NewStudyView(StaffView):
    """A study added with its PDF, as a draft."""

    permission = Permission.MANAGE_OBSERVATORY

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "backoffice/study_new.html", {"form": StudyForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StudyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                study = studies.add_study(actor=self.user, **form.details())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The study was added as a draft. Check it, then publish it to put it "
                        "in the public library."
                    ),
                )
                return redirect("backoffice:study", slug=study.slug)
        return render(request, "backoffice/study_new.html", {"form": form}, status=400)


def _save(act: Acting[Study]) -> str:
    form = cast(StudyEditForm, act.form)
    studies.update_study(study=act.obj, actor=act.actor, **form.details())
    return _("The study was saved.")


def _publish(act: Acting[Study]) -> str:
    try:
        studies.publish_study(study=act.obj, actor=act.actor, now=timezone.now())
    except ValidationError as error:
        raise Refused(" ".join(error.messages)) from error
    return _("The study was published: it is in the public library and the site's search.")


def _withdraw(act: Acting[Study]) -> str:
    try:
        studies.withdraw_study(study=act.obj, actor=act.actor, now=timezone.now())
    except ValidationError as error:
        raise Refused(" ".join(error.messages)) from error
    return _("The study was withdrawn: the public no longer sees it.")


class StudyView(ActionPage[Study], StaffView):
    """A study: where it stands (with its public page once published), publishing or
    withdrawing it, and its details to correct."""

    permission = Permission.MANAGE_OBSERVATORY
    actions = ActionTable[Study](
        Action("save", StudyEditForm, _save, "details"),
        Action("publish", StudyButtonForm, _publish, "status", shows_form=False),
        Action("withdraw", StudyButtonForm, _withdraw, "status", shows_form=False),
        default="save",
    )

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Study:
        return studies.get_study(kwargs["slug"])

    def page_url(self, obj: Study) -> str:
        return reverse("backoffice:study", kwargs={"slug": obj.slug})

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        return self.render_page(request, self.action_object(request, slug=slug), {})

    def render_page(
        self, request: HttpRequest, obj: Study, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        study = obj
        context = {
            "study": study,
            "language": language_name(study.language),
            "licence": licence(study.licence),
            "topics": [term.name_in() for term in study.topics.all()],
            "is_draft": study.status == StudyStatus.DRAFT,
            "is_published": study.status == StudyStatus.PUBLISHED,
            "is_withdrawn": study.status == StudyStatus.WITHDRAWN,
            "public_url": reverse("portal:study", args=[study.slug])
            if study.status == StudyStatus.PUBLISHED
            else "",
            "form": bound.get("save") or StudyEditForm(initial=StudyEditForm.initial_for(study)),
        } | self.section_context(request, study)
        return render(request, "backoffice/study.html", context, status=400 if bound else 200)
