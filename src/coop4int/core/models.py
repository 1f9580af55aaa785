from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# The action code of a refused log-in, whose entry names the account it was aimed at.
FAILED_LOGIN = "accounts.login.failed"


class AppendOnlyError(RuntimeError):
    """Audit entries are written once and never changed or removed by the application."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be updated")


class AuditEntry(models.Model):
    """One thing that happened: who, in which unit, what, to which object, when, from where.

    Append-only: the model refuses updates and deletes, and the database refuses UPDATE (and,
    on PostgreSQL, DELETE) with a trigger. Written by domain functions through
    ``coop4int.core.audit.record``, never by signals.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The name as it was at the time, kept even if the account is renamed.
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    def object_label(self) -> str:
        """The object as the reader's language names it. The log names a record held on a
        person "<verbose name> #<id>", written in English so that entries read alike
        (``core.audit.object_label``); that form is shown with the verbose name in the active
        language, as is the verbose name that begins a model's own ``audit_label``. Any other
        label (a case's reference) is shown as it was stored."""
        model = self.object_type.model_class() if self.object_type is not None else None
        if model is None or not self.object_id:
            return self.object_repr
        with translation.override("en"):
            english_name = capfirst(str(model._meta.verbose_name))
        name = capfirst(str(model._meta.verbose_name))
        if self.object_repr == f"{english_name} #{self.object_id}":
            return f"{name} #{self.object_id}"
        # A label of the model's own ``audit_label`` form, "<verbose name> <what names it>"
        # ("Booking K7MX-4QF9", "Ticket A011 2025-12-05"): its name in the reader's language.
        if self.object_repr.startswith(f"{english_name} "):
            return name + self.object_repr[len(english_name) :]
        return self.object_repr

    def targeted_account(self, *, in_clear: bool) -> str:
        """For a refused log-in, the account it was made against: the user name when
        ``in_clear`` (administrators) and the entry has it, else the name as typed, masked;
        "" for any other entry."""
        if self.action != FAILED_LOGIN or not isinstance(self.data, dict):
            return ""
        masked = str(self.data.get("username") or "")
        if in_clear:
            return str(self.data.get("targeted_account") or masked)
        return masked


class WorkerHeartbeat(models.Model):
    """A running task worker says it is alive every few seconds; /health/ reads this."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.hostname}:{self.pid}"


class PeriodicRun(models.Model):
    """When a periodic job was last handed to the task queue (see core.periodic)."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.last_run_at:%Y-%m-%d %H:%M}"


class SearchDocument(models.Model):
    """One searchable text: an information item or a directory service, in one language.

    Kept by the domain functions that publish or change them (coop4int.core.search); the
    full-text index (SQLite FTS5, or PostgreSQL's text search) is built on ``folded``."""

    kind = models.CharField(max_length=20)  # "content", "service"
    key = models.CharField(max_length=64)  # the item's or entry's id
    language = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    # Title and body in lower case and without accents: what the index matches against.
    folded = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "language"], name="one_document")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}:{self.language}"
