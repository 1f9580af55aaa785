"""Breaches of personal data, logged with the 72-hour clock for notifying the regulator
(CNPD). A breach holds counts and kinds of data, never a person: it needs no personal-data
declaration."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Breach(models.Model):
    """A breach of personal data: what happened, what and whom it touched (in kinds and
    approximate numbers), what was done, and when the CNPD and the people were told."""

    discovered_at = models.DateTimeField(_("discovered at"))
    description = models.TextField(_("what happened"))
    # Labels of the declared kinds of records touched (``core.personal_data``), so that the
    # log names them the way the register of processing does.
    data_kinds = models.JSONField(_("kinds of records affected"), default=list, blank=True)
    other_data = models.TextField(_("other data affected"), blank=True)
    people_categories = models.TextField(_("categories of people affected"))
    people_affected = models.PositiveIntegerField(_("people affected, approximately"))
    records_affected = models.PositiveIntegerField(
        _("records affected, approximately"), null=True, blank=True
    )
    units = models.ManyToManyField(
        "accounts.Unit", verbose_name=_("units affected"), blank=True, related_name="+"
    )
    measures = models.TextField(_("measures taken or proposed"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notified_to_cnpd_at = models.DateTimeField(_("CNPD notified at"), null=True, blank=True)
    cnpd_reference = models.CharField(_("CNPD reference"), max_length=100, blank=True)
    # Required when the CNPD was told more than 72 hours after discovery.
    delay_reason = models.TextField(_("reason for the delay"), blank=True)
    people_notified_at = models.DateTimeField(_("people notified at"), null=True, blank=True)
    people_notice = models.TextField(_("how the people were told"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    # When the administrators were reminded that the CNPD was not notified yet (once).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notified_to_cnpd_at__isnull=True)
                | models.Q(notified_to_cnpd_at__gte=models.F("discovered_at")),
                name="privacy_breach_notified_after_discovery",
            ),
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"Breach #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
