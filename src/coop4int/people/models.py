"""People served: who they are, how to reach them, and what they agreed to — per purpose."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.enums import Island
from coop4int.core.languages import language_choices
from coop4int.people.enums import (
    AgeGroup,
    ConsentMethod,
    ContactKind,
    ErasureGround,
    Purpose,
    ResidenceStatus,
    Sex,
)


class Person(models.Model):
    """A person the units serve. Names are free text in any script. Fields marked sensitive
    are shown only to roles holding ``Permission.VIEW_PERSON_SENSITIVE``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    family_names = models.CharField(_("family names"), max_length=200, blank=True)
    # Lower case, without accents: what duplicate detection and search compare.
    folded_name = models.CharField(max_length=401, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.NOT_STATED)
    gender = models.CharField(_("gender, as the person describes it"), max_length=100, blank=True)
    nationalities = models.JSONField(_("nationalities"), default=list, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=language_choices(), default="pt"
    )
    island = models.CharField(_("island"), max_length=20, choices=Island.choices, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    # Sensitive.
    residence_status = models.CharField(
        _("residence status"), max_length=12, choices=ResidenceStatus.choices, blank=True
    )
    document_number = models.CharField(
        _("identity document number"), max_length=50, blank=True, db_index=True
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("registered by unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)
    # Erased on the person's request (``people.domain.erasure``): the row stays, emptied of
    # everything that identifies them, so that audit entries keep pointing at it and the
    # statistics keep counting their cases.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    # Why, as a code (the audit entry keeps the same code), and the officer's own words if any:
    # here rather than in the log, which can never let go of a name written in them.
    erasure_ground = models.CharField(
        _("ground for the erasure"), max_length=20, choices=ErasureGround.choices, blank=True
    )
    erasure_note = models.CharField(_("note on the erasure"), max_length=500, blank=True)
    # A legal hold (a court order, a pending complaint) keeps the record from erasure and
    # from the retention schedule until it is lifted.
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=300, blank=True)
    legal_hold_set_at = models.DateTimeField(null=True, blank=True)
    legal_hold_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["folded_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def audit_label(self) -> str:
        """How the audit log names the record: by id, never by name, so that an entry stays
        true and linkable after the person is erased (the row stays, anonymised)."""
        return f"Person #{self.pk}"

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return str(_("Erased record"))
        return " ".join(part for part in (self.given_names, self.family_names) if part) or str(
            _("Name not given")
        )

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def has_legal_hold(self) -> bool:
        return self.legal_hold_set_at is not None


class ContactPoint(models.Model):
    """A phone number (E.164) or e-mail address (lower case) of a person, to match incoming
    calls, messages and mail."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=8, choices=ContactKind.choices)
    value = models.CharField(max_length=254, db_index=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("phone numbers and e-mail addresses")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="people_contact_once")
        ]

    def __str__(self) -> str:
        return self.value

    @property
    def audit_label(self) -> str:
        """The audit log names the row, never the number or address it holds."""
        return f"Contact point #{self.pk}"


class Consent(models.Model):
    """One purpose a person agreed to: when, how and by whom it was recorded; withdrawn when
    ``withdrawn_at`` is set. A new agreement after a withdrawal is a new row."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    method = models.CharField(_("how"), max_length=12, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="people_one_live_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose}"


class UnitLink(models.Model):
    """A person's record opened to a unit other than the one that registered it, with the
    person's consent to share it between units (``consent``: who recorded it, when, how).
    The link lasts while that consent is not withdrawn (``people.domain.queries``)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("link to another unit")
        verbose_name_plural = _("links to other units")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="people_one_link_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.unit_id}"


class Rectification(models.Model):
    """One field of a person's record corrected at their request: what it said, what it says
    now, who changed it, when and why. Erased with the person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rectifications")
    field = models.CharField(_("field"), max_length=50)
    old_value = models.TextField(_("before"), blank=True)
    new_value = models.TextField(_("after"), blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    made_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.field} {self.made_at:%Y-%m-%d %H:%M}"

    @property
    def field_label(self) -> str:
        """The corrected field as the reader calls it ("Family names")."""
        field = Person._meta.get_field(self.field)
        return str(capfirst(getattr(field, "verbose_name", self.field)))
