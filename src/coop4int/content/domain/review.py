"""Keeping information true: an editor checks an item against the facts by its review-by date,
or chooses another date. Publishing the source text counts as a review too
(``workflow.publish``)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.content.models import ContentItem
from coop4int.content.review_dates import next_review
from coop4int.core import audit


def _require(actor: User) -> None:
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied


def _check_future(review_by: date, today: date) -> None:
    if review_by <= today:
        raise ValidationError({"review_by": _("The next review must be after today.")})


def _locked(item: ContentItem) -> ContentItem:
    item.refresh_from_db(from_queryset=ContentItem.objects.select_for_update())
    return item


@transaction.atomic
def mark_reviewed(
    *,
    actor: User,
    item: ContentItem,
    review_by: date | None = None,
    today: date | None = None,
) -> ContentItem:
    """``actor`` checked ``item`` and it is still true: it was last reviewed ``today`` and is
    due again on ``review_by`` (by default a year later; it must be after today). The texts
    are unchanged. Side effects: audit ``content.item.reviewed``."""
    _require(actor)
    today = today or timezone.localdate()
    review_by = review_by or next_review(today)
    _check_future(review_by, today)
    item = _locked(item)
    item.last_reviewed_on, item.review_by = today, review_by
    item.save(update_fields=["last_reviewed_on", "review_by"])
    audit.record(
        action="content.item.reviewed",
        actor=actor,
        obj=item,
        unit=item.unit,
        data={"review_by": review_by.isoformat()},
    )
    return item


@transaction.atomic
def set_review_date(
    *, actor: User, item: ContentItem, review_by: date, today: date | None = None
) -> ContentItem:
    """Move ``item``'s next review to ``review_by`` (after today) without saying it was
    reviewed — sooner for a rule about to change, later for a text that cannot age. Side
    effects: audit ``content.item.review_date_set``."""
    _require(actor)
    _check_future(review_by, today or timezone.localdate())
    item = _locked(item)
    before = item.review_by
    item.review_by = review_by
    item.save(update_fields=["review_by"])
    audit.record(
        action="content.item.review_date_set",
        actor=actor,
        obj=item,
        unit=item.unit,
        data={"from": before.isoformat(), "to": review_by.isoformat()},
    )
    return item
