"""Back-office pages for information items: write, translate side by side, review, publish,
keep true (review dates) and the health of each unit's information."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.content_forms import (
    AttachmentForm,
    FileStepForm,
    ItemSettingsForm,
    NewItemForm,
    ReplaceFileForm,
    ReviewForm,
    TextForm,
    TextStepForm,
)
from coop4int.backoffice.page_actions import (
    Acting,
    Action,
    ActionPage,
    ActionTable,
    Done,
    Refused,
)
from coop4int.backoffice.views import StaffView
from coop4int.content import markdown
from coop4int.content.domain import attachments, health, queries, review, settings, workflow
from coop4int.content.enums import Health, ItemKind, TranslationStatus
from coop4int.content.models import Attachment, ContentItem, Translation
from coop4int.content.review_dates import next_review
from coop4int.core import formatting
from coop4int.core.languages import REGISTRY, fallback_chain
from coop4int.directory.models import TaxonomyTerm


class ContentListView(StaffView):
    permission = Permission.EDIT_CONTENT

    def _render(self, request: HttpRequest, form: NewItemForm, status: int = 200) -> HttpResponse:
        items = ContentItem.objects.prefetch_related("translations").order_by("slug")
        reader = get_language() or "pt"
        today = timezone.localdate()
        context = {
            "items": [(item, listed_title(item, reader)) for item in items],
            "form": form,
            "today": today,
            "soon": today + health.DUE_SOON,
        }
        return render(request, "backoffice/content_list.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, NewItemForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewItemForm(request.POST)
        if form.is_valid():
            try:
                item = workflow.create_item(
                    actor=self.user,
                    slug=form.cleaned_data["slug"],
                    kind=ItemKind(form.cleaned_data["kind"]),
                    source_language=form.cleaned_data["source_language"],
                    title=form.cleaned_data["title"],
                )
            except (ValidationError, IntegrityError):
                form.add_error("slug", _("This short name is taken."))
            else:
                return redirect(
                    "backoffice:content_text", slug=item.slug, language=item.source_language
                )
        return self._render(request, form)


@dataclass(frozen=True, slots=True)
class ListedTitle:
    text: str
    language: str
    is_fallback: bool  # not in the reader's language

    @property
    def language_name(self) -> str:
        return REGISTRY[self.language].native_name if self.language in REGISTRY else self.language


def listed_title(item: ContentItem, reader: str) -> ListedTitle:
    """The title an editor reading ``reader`` knows the item by: in their language, else the
    nearest of its fallbacks, else the source's — published or not (from the prefetched
    texts); the short name only when no text has a title yet."""
    titles = {text.language: text.title for text in item.translations.all() if text.title}
    for language in (*fallback_chain(reader), item.source_language):
        if language in titles:
            return ListedTitle(titles[language], language, language != reader)
    return ListedTitle(item.slug, item.source_language, item.source_language != reader)


@dataclass(frozen=True, slots=True)
class ItemText:
    """What the page of a text acts on: an item, in the language being written."""

    item: ContentItem
    language: str

    def text(self) -> Translation:
        """The text in this language; a step taken on a text not yet written is not found."""
        text = self.item.translations.filter(language=self.language).first()
        if text is None:
            raise Http404
        return text


class TextRefused(Exception):
    """The workflow refused a step, or a save over a text someone else saved meanwhile:
    nothing was done. The page is shown again as the text is now, with the reasons at the
    text and what was typed kept; ``changed`` when the text changed since the page showed
    it (409), else the step was not the person's to take (400)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(*error.messages)
        self.reasons = error.messages
        self.changed = isinstance(error, workflow.TextChanged)


def _save(act: Acting[ItemText]) -> str:
    data = act.data
    try:
        workflow.save_text(
            actor=act.actor, item=act.obj.item, language=act.obj.language, title=data["title"],
            summary=data["summary"], body=data["body"], expected_version=data["version"],
        )  # fmt: skip
    except workflow.TextChanged as changed:
        raise TextRefused(
            workflow.TextChanged(
                _(
                    "Someone else saved this text since you opened it, so yours was not "
                    "saved. It is kept below: save it again to replace theirs."
                )
            )
        ) from changed
    return _("Saved as a draft.")


def _shown_version(act: Acting[ItemText]) -> int:
    version: int | None = act.data["version"]
    if version is None:
        # A page without the version it showed: whatever it showed is unknown.
        raise TextRefused(workflow.TextChanged())
    return version


def _submit(act: Acting[ItemText]) -> str:
    text, version = act.obj.text(), _shown_version(act)
    try:
        workflow.submit_for_review(actor=act.actor, translation=text, expected_version=version)
    except ValidationError as error:
        raise TextRefused(error) from error
    return _("Sent for review.")


def _publish(act: Acting[ItemText]) -> Done | str:
    text, version = act.obj.text(), _shown_version(act)
    try:
        outdated = workflow.publish(actor=act.actor, translation=text, expected_version=version)
    except ValidationError as error:
        raise TextRefused(error) from error
    if not outdated:
        return _("Published.")
    # Said first, before what follows from it.
    messages.success(act.request, _("Published."))
    return Done(
        _("These translations are now outdated: %(languages)s")
        % {"languages": ", ".join(t.language for t in outdated)},
        messages.WARNING,
    )


def _review(act: Acting[ItemText]) -> str:
    """Checked and still true."""
    item = review.mark_reviewed(actor=act.actor, item=act.obj.item, review_by=act.data["review_by"])
    return _("Marked as reviewed. The next review is due by %(date)s.") % {
        "date": formatting.format_date(item.review_by)
    }


def _review_date(act: Acting[ItemText]) -> str:
    """Only a new review-by date."""
    review_by = act.data["review_by"]
    if review_by is None:
        raise ValidationError({"review_by": _("Choose the date of the next review.")})
    item = review.set_review_date(actor=act.actor, item=act.obj.item, review_by=review_by)
    return _("The next review is now due by %(date)s.") % {
        "date": formatting.format_date(item.review_by)
    }


def _settings(act: Acting[ItemText]) -> str:
    data = act.data
    try:
        settings.update_item_settings(
            actor=act.actor, item=act.obj.item, topic=data["topic"], audience=data["audience"],
            services=data["services"], unit=data["unit"], period_start=data["period_start"],
            period_end=data["period_end"], channels=data["channels"],
            reach=cast(ItemSettingsForm, act.form).reach(),
        )  # fmt: skip
    except ValidationError as error:
        # Said above the form: the domain may name a field the form does not have.
        raise ValidationError(error.messages) from error
    return _("Saved.")


def _attach(act: Acting[ItemText]) -> str:
    try:
        attachments.add_attachment(
            actor=act.actor, item=act.obj.item, language=act.obj.language,
            title=act.data["title"], upload=act.data["upload"],
        )  # fmt: skip
    except ValidationError as error:
        raise ValidationError(error.messages) from error
    return _("The file was added as a draft. Someone else must open it and publish it.")


def _posted_file(act: Acting[ItemText]) -> Attachment:
    """The file the post names, when it is one the page lists: of its item and language."""
    try:
        attachment = attachments.file_for_editor(
            slug=act.obj.item.slug, attachment_id=act.data["attachment"]
        )
    except Http404 as missing:
        raise Refused(_("That file is not one of this page's. Nothing was changed.")) from missing
    if attachment.language != act.obj.language:
        raise Refused(_("That file is not one of this page's. Nothing was changed."))
    return attachment


def _publish_file(act: Acting[ItemText]) -> str:
    attachment = _posted_file(act)
    try:
        attachments.publish_attachment(actor=act.actor, attachment=attachment)
    except ValidationError as error:
        raise Refused(" ".join(error.messages)) from error
    return _("The file was published.")


def _replace_file(act: Acting[ItemText]) -> str:
    attachment = _posted_file(act)
    try:
        attachments.replace_attachment(
            actor=act.actor, attachment=attachment, upload=act.data["upload"]
        )
    except ValidationError as error:
        raise Refused(" ".join(error.messages)) from error
    return _(
        "The new version was added as a draft. The public gets the old one until someone "
        "else opens the new one and publishes it."
    )


def _with_ids(prefix: str) -> Callable[[Any, ItemText], dict[str, Any]]:
    """The form's fields get ids of their own: the page holds several forms."""
    return lambda page, obj: {"auto_id": f"{prefix}_%s"}


class ContentTextView(ActionPage[ItemText], StaffView):
    """One language of an item, beside its source: save, send for review, publish; and, on
    the source's page, the item's review and settings; files to download in each language,
    added (or replaced) as drafts that someone other than who added them opens and publishes.
    Each action returns to its own section of the page."""

    permission = Permission.EDIT_CONTENT
    actions = ActionTable[ItemText](
        Action("save", TextForm, _save, "text"),
        Action("submit", TextStepForm, _submit, "text", shows_form=False),
        Action("publish", TextStepForm, _publish, "text", shows_form=False),
        Action("review", ReviewForm, _review, "review", options=_with_ids("review")),
        Action("review_date", ReviewForm, _review_date, "review", form_key="review",
               options=_with_ids("review")),
        Action("settings", ItemSettingsForm, _settings, "about", options=_with_ids("settings")),
        Action("attach", AttachmentForm, _attach, "files", options=_with_ids("file")),
        Action("publish_file", FileStepForm, _publish_file, "files", shows_form=False),
        # A file input is never filled in again: a problem with it is said at the section.
        Action("replace_file", ReplaceFileForm, _replace_file, "files", shows_form=False),
        default="save",
    )  # fmt: skip
    conflicts = (TextRefused,)
    # The answer's status when the page is shown again after a post (see ``render_page``).
    _status: int = 0

    def action_object(self, request: HttpRequest, **kwargs: Any) -> ItemText:
        if kwargs["language"] not in REGISTRY:
            raise Http404
        return ItemText(get_object_or_404(ContentItem, slug=kwargs["slug"]), kwargs["language"])

    def page_url(self, obj: ItemText) -> str:
        return reverse("backoffice:content_text", args=[obj.item.slug, obj.language])

    def render_page(
        self, request: HttpRequest, obj: ItemText, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        item, language = obj.item, obj.language
        source = workflow.source_of(item)
        text = item.translations.filter(language=language).first()
        today = timezone.localdate()
        form = cast(TextForm, bound.get("save") or TextForm(initial=_initial(item, language)))
        # The text's fields are in the language being written; their labels, in the page's.
        form.written_in(REGISTRY[language])
        files = attachments.files_for_editor(item=item, language=language, editor=self.user)
        context = {
            "item": item,
            "language": REGISTRY[language],
            "source": source,
            "source_html": markdown.render(source.body),
            "text": text,
            "change": workflow.source_change(text) if text else None,
            "form": form,
            "is_source": language == item.source_language,
            "may_publish": bool(
                text
                and text.status == TranslationStatus.IN_REVIEW
                and text.last_edited_by_id != self.user.pk
            ),
            "translations": queries.translations_of(item),
            "attachments": files,
            # Published files a new version of which already waits: not offered another.
            "versions_waiting": {row.attachment.replaces_id for row in files if row.is_draft},
            "attachment_form": bound.get("attach") or AttachmentForm(auto_id="file_%s"),
            "settings_form": bound.get("settings") or _settings_form(item),
            "review_form": bound.get("review")
            or ReviewForm(initial={"review_by": next_review(today)}, auto_id="review_%s"),
            "past_review": item.review_by < today,
            "review_due_soon": today <= item.review_by <= today + health.DUE_SOON,
            "all_languages": REGISTRY.values(),
        } | self.section_context(request, obj)
        # A form shown again with its problems is a bad request; a text changed meanwhile,
        # a conflict (``conflict``).
        status = self._status or (400 if bound else 200)
        return render(request, "backoffice/content_text.html", context, status=status)

    def get(self, request: HttpRequest, slug: str, language: str) -> HttpResponse:
        go = request.GET.get("go")
        if go in REGISTRY:
            item = get_object_or_404(ContentItem, slug=slug)
            return redirect("backoffice:content_text", slug=item.slug, language=go)
        obj = self.action_object(request, slug=slug, language=language)
        return self.render_page(request, obj, {})

    def conflict(
        self,
        request: HttpRequest,
        obj: ItemText,
        action: Action[ItemText],
        form: forms.Form,
        error: Exception,
    ) -> HttpResponse:
        """The reasons at the text, and the text as it is now — or what was typed and
        posted, now naming the version on record: saving it again is a choice made knowing
        that it replaces the other text."""
        refused = cast(TextRefused, error)
        for reason in refused.reasons:
            messages.error(request, reason)
        self._status = 409 if refused.changed else 400
        current = _initial(obj.item, obj.language)
        if any(name in request.POST for name in ("title", "summary", "body")):
            posted = request.POST.copy()
            posted["version"] = str(current.get("version", 0))
            text_form = TextForm(posted)
        else:
            text_form = TextForm(initial=current)
        return self.show_again(request, obj, action, {"save": text_form})


def _settings_form(item: ContentItem) -> ItemSettingsForm:
    initial: dict[str, object] = {
        "topic": item.topic,
        "audience": item.audience,
        "unit": item.unit,
        "services": list(item.services.all()),
        "period_start": item.period_start,
        "period_end": item.period_end,
        "channels": item.channels,
    }
    initial |= {f"reach_{channel}": count for channel, count in item.reach.items()}
    return ItemSettingsForm(initial=initial, auto_id="settings_%s")


def _initial(item: ContentItem, language: str) -> dict[str, str | int]:
    text = item.translations.filter(language=language).first()
    if text is None:
        return {"version": 0}
    return {
        "version": text.version,
        "title": text.title,
        "summary": text.summary,
        "body": text.body,
    }


class CoverageView(StaffView):
    """Per language (and topic): published, outdated, being translated, missing."""

    permission = Permission.EDIT_CONTENT

    def get(self, request: HttpRequest) -> HttpResponse:
        topics = TaxonomyTerm.objects.filter(
            pk__in=ContentItem.objects.exclude(topic=None).values("topic")
        ).order_by("name")
        topic: UUID | None = None
        try:
            topic = UUID(request.GET.get("topic", ""))
        except ValueError:
            topic = None
        if topic and not topics.filter(pk=topic).exists():
            topic = None
        return render(
            request,
            "backoffice/content_coverage.html",
            {
                "rows": [(REGISTRY[row.language], row) for row in queries.coverage(topic)],
                "topics": topics,
                "topic": str(topic) if topic else "",
            },
        )


class ContentHealthView(StaffView):
    """Per unit, a traffic light and its reasons: items past their review date, translations
    behind their source, languages missing. Content editors see every unit; a unit
    coordinator, who is reminded of it every month, sees their own (``?unit=`` chooses one)."""

    permission = (Permission.EDIT_CONTENT, Permission.VIEW_UNITS)

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        units = health.content_health_for_user(self.user, today=today)
        chosen = request.GET.get("unit", "")
        shown = [u for u in units if u.unit is not None and u.unit.slug == chosen]
        return render(
            request,
            "backoffice/content_health.html",
            {
                "units": units,
                "shown": shown or units,
                "chosen": chosen if shown else "",
                "lights": {light.value: light for light in Health},
            },
        )
