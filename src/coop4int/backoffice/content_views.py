"""Back-office pages for information items: write, translate side by side, review, publish,
keep true (review dates) and the health of each unit's information."""

from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.backoffice.content_forms import (
    AttachmentForm,
    ItemSettingsForm,
    NewItemForm,
    ReviewForm,
    TextForm,
    TextStepForm,
)
from coop4int.backoffice.views import StaffView
from coop4int.content import markdown
from coop4int.content.domain import attachments, health, queries, review, settings, workflow
from coop4int.content.enums import Health, ItemKind, TranslationStatus
from coop4int.content.models import ContentItem
from coop4int.content.review_dates import next_review
from coop4int.core import formatting
from coop4int.core.languages import REGISTRY, fallback_chain
from coop4int.directory.models import TaxonomyTerm

# The steps of a text's workflow taken from its page, besides saving it.
STEPS = frozenset({"submit", "publish"})


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


class ContentTextView(StaffView):
    """One language of an item, beside its source: save, send for review, publish."""

    permission = Permission.EDIT_CONTENT

    def _context(
        self,
        item: ContentItem,
        language: str,
        form: TextForm,
        attachment_form: AttachmentForm | None = None,
        settings_form: ItemSettingsForm | None = None,
        review_form: ReviewForm | None = None,
    ) -> dict[str, object]:
        if language not in REGISTRY:
            raise Http404
        source = workflow.source_of(item)
        text = item.translations.filter(language=language).first()
        today = timezone.localdate()
        # The text's fields are in the language being written; their labels, in the page's.
        form.written_in(REGISTRY[language])
        return {
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
            "attachments": item.attachments.filter(language=language),
            "attachment_form": attachment_form or AttachmentForm(auto_id="file_%s"),
            "settings_form": settings_form or _settings_form(item),
            "review_form": review_form
            or ReviewForm(initial={"review_by": next_review(today)}, auto_id="review_%s"),
            "past_review": item.review_by < today,
            "review_due_soon": today <= item.review_by <= today + health.DUE_SOON,
            "all_languages": REGISTRY.values(),
        }

    def get(self, request: HttpRequest, slug: str, language: str) -> HttpResponse:
        item = get_object_or_404(ContentItem, slug=slug)
        go = request.GET.get("go")
        if go in REGISTRY:
            return redirect("backoffice:content_text", slug=item.slug, language=go)
        context = self._context(item, language, TextForm(initial=_initial(item, language)))
        return render(request, "backoffice/content_text.html", context)

    def post(self, request: HttpRequest, slug: str, language: str) -> HttpResponse:
        item = get_object_or_404(ContentItem, slug=slug)
        action = request.POST.get("action", "save")
        if action == "attach":
            return self._attach(request, item, language)
        if action == "settings":
            return self._settings(request, item, language)
        if action == "review":
            return self._review(request, item, language, reviewed=True)
        if action == "review_date":
            return self._review(request, item, language, reviewed=False)
        if action == "save":
            return self._save(request, item, language)
        if action in STEPS:
            return self._step(request, item, language, action)
        raise BadRequest

    def _save(self, request: HttpRequest, item: ContentItem, language: str) -> HttpResponse:
        form = TextForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                workflow.save_text(
                    actor=self.user,
                    item=item,
                    language=language,
                    title=data["title"],
                    summary=data["summary"],
                    body=data["body"],
                    expected_version=data["version"],
                )
            except workflow.TextChanged:
                # What was typed stays in the form, now naming the current version: saving
                # it again is a choice made knowing that it replaces the other text.
                status = 409
                posted = request.POST.copy()
                posted["version"] = str(_initial(item, language).get("version", 0))
                form = TextForm(posted)
                messages.error(
                    request,
                    _(
                        "Someone else saved this text since you opened it, so yours was not "
                        "saved. It is kept below: save it again to replace theirs."
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved as a draft."))
                return redirect("backoffice:content_text", slug=item.slug, language=language)
        context = self._context(item, language, form)
        return render(request, "backoffice/content_text.html", context, status=status)

    def _step(
        self, request: HttpRequest, item: ContentItem, language: str, action: str
    ) -> HttpResponse:
        """Send for review or publish the version the page showed; when refused, the page
        as it is now, with the reason, and nothing changed."""
        text = item.translations.filter(language=language).first()
        if text is None:
            raise Http404
        step_form = TextStepForm(request.POST)
        try:
            if not step_form.is_valid():
                # A page without the version it showed: whatever it showed is unknown.
                raise workflow.TextChanged
            version = step_form.cleaned_data["version"]
            if action == "submit":
                workflow.submit_for_review(
                    actor=self.user, translation=text, expected_version=version
                )
                messages.success(request, _("Sent for review."))
            else:
                outdated = workflow.publish(
                    actor=self.user, translation=text, expected_version=version
                )
                messages.success(request, _("Published."))
                if outdated:
                    messages.warning(
                        request,
                        _("These translations are now outdated: %(languages)s")
                        % {"languages": ", ".join(t.language for t in outdated)},
                    )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 409 if isinstance(error, workflow.TextChanged) else 400
        else:
            return redirect("backoffice:content_text", slug=item.slug, language=language)
        # Text typed into the page and posted with the step is kept; else the current text.
        typed = any(name in request.POST for name in ("title", "summary", "body"))
        form = TextForm(request.POST) if typed else TextForm(initial=_initial(item, language))
        context = self._context(item, language, form)
        return render(request, "backoffice/content_text.html", context, status=status)

    def _settings(self, request: HttpRequest, item: ContentItem, language: str) -> HttpResponse:
        settings_form = ItemSettingsForm(request.POST, auto_id="settings_%s")
        if settings_form.is_valid():
            data = settings_form.cleaned_data
            try:
                settings.update_item_settings(
                    actor=self.user,
                    item=item,
                    topic=data["topic"],
                    audience=data["audience"],
                    services=data["services"],
                    unit=data["unit"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    channels=data["channels"],
                    reach=settings_form.reach(),
                )
            except ValidationError as error:
                settings_form.add_error(None, error.messages)
            else:
                messages.success(request, _("Saved."))
                return redirect("backoffice:content_text", slug=item.slug, language=language)
        context = self._context(
            item, language, TextForm(initial=_initial(item, language)), None, settings_form
        )
        return render(request, "backoffice/content_text.html", context, status=400)

    def _review(
        self, request: HttpRequest, item: ContentItem, language: str, *, reviewed: bool
    ) -> HttpResponse:
        """Checked and still true (``reviewed``), or only a new review-by date."""
        review_form = ReviewForm(request.POST, auto_id="review_%s")
        if review_form.is_valid():
            review_by = review_form.cleaned_data["review_by"]
            try:
                if reviewed:
                    item = review.mark_reviewed(actor=self.user, item=item, review_by=review_by)
                elif review_by is None:
                    raise ValidationError({"review_by": _("Choose the date of the next review.")})
                else:
                    item = review.set_review_date(actor=self.user, item=item, review_by=review_by)
            except ValidationError as error:
                review_form.add_error(None, error)
            else:
                message = (
                    _("Marked as reviewed. The next review is due by %(date)s.")
                    if reviewed
                    else _("The next review is now due by %(date)s.")
                )
                messages.success(
                    request, message % {"date": formatting.format_date(item.review_by)}
                )
                return redirect("backoffice:content_text", slug=item.slug, language=language)
        context = self._context(
            item, language, TextForm(initial=_initial(item, language)), review_form=review_form
        )
        return render(request, "backoffice/content_text.html", context, status=400)

    def _attach(self, request: HttpRequest, item: ContentItem, language: str) -> HttpResponse:
        attachment_form = AttachmentForm(request.POST, request.FILES, auto_id="file_%s")
        if attachment_form.is_valid():
            try:
                attachments.add_attachment(
                    actor=self.user,
                    item=item,
                    language=language,
                    title=attachment_form.cleaned_data["title"],
                    upload=attachment_form.cleaned_data["upload"],
                )
            except ValidationError as error:
                attachment_form.add_error(None, error.messages)
            else:
                messages.success(request, _("The file was attached."))
                return redirect("backoffice:content_text", slug=item.slug, language=language)
        context = self._context(
            item, language, TextForm(initial=_initial(item, language)), attachment_form
        )
        return render(request, "backoffice/content_text.html", context, status=400)


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
