"""What an item is about, which unit keeps it true and, for campaigns, when it runs and whom
it reached."""

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.content.enums import Channel
from coop4int.content.models import ContentItem
from coop4int.core import audit
from coop4int.directory.models import Service, TaxonomyTerm


@transaction.atomic
def update_item_settings(
    *,
    actor: User,
    item: ContentItem,
    topic: TaxonomyTerm | None,
    audience: str,
    services: Iterable[Service],
    unit: Unit | None,
    period_start: date | None = None,
    period_end: date | None = None,
    channels: Iterable[str] = (),
    reach: Mapping[str, int] | None = None,
) -> None:
    """Set the topic, audience, related services and responsible unit; for a campaign, its
    period, channels and the people reached per channel. Side effects: audit
    ``content.item.settings_changed``."""
    if not actor.has_perm(Permission.EDIT_CONTENT):
        raise PermissionDenied
    channels = [c for c in channels if c in Channel.values]
    reach = {channel: count for channel, count in (reach or {}).items() if channel in channels}
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("The end date is before the start date.")})
    if any(count < 0 for count in reach.values()):
        raise ValidationError(_("A number of people cannot be negative."))
    item.topic = topic
    item.unit = unit
    item.audience = audience.strip()
    item.period_start, item.period_end = period_start, period_end
    item.channels, item.reach = channels, reach
    fields = ["topic", "unit", "audience", "period_start", "period_end", "channels", "reach"]
    item.save(update_fields=fields)
    item.services.set(list(services))
    audit.record(
        action="content.item.settings_changed",
        actor=actor,
        obj=item,
        data={
            "channels": channels,
            "reach": sum(reach.values()),
            "unit": unit.slug if unit else None,
        },
    )
