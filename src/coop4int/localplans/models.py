"""Local integration plans with municipalities (modelled on Portugal's PMIM): the plan and its
governance, its diagnosis, objectives and measures by intervention area with their budget,
funding, indicators and targets, the semester monitoring reports, the evaluation, the change
history and the public's comments.

Texts a plan publishes are kept per language ({"pt": "...", "fr": "..."}), read with
``observatory.texts.text_in``, which says when a text is shown in another language. Nothing
here names a person served: consultations are counted, never named; a public comment is a
``content.Feedback`` (declared there), linked to the plan."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop4int.localplans.enums import (
    CommentKind,
    ConsultationKind,
    Direction,
    EvaluationStage,
    GovernanceRole,
    IndicatorSource,
    IndicatorUnit,
    LinkKind,
    MeasureStatus,
    MemberKind,
    PlanStatus,
    PlatformCount,
    ReportStatus,
)

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class InterventionArea(models.Model):
    """One of the configurable list of areas (by default the fourteen of ``DefaultArea``,
    whose names come from the interface's translations unless ``names`` holds others)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    names = models.JSONField(_("name"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("offered for new measures"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("intervention area")
        verbose_name_plural = _("intervention areas")

    def __str__(self) -> str:
        return self.code


class Plan(models.Model):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.JSONField(_("title"), default=dict)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # The diagnosis's free-text analysis, per language.
    analysis = models.JSONField(_("analysis"), default=dict, blank=True)
    # The language the plan is written in first (its other texts are translations).
    source_language = models.CharField(_("written in"), max_length=10, default="pt")
    starts_year = models.PositiveSmallIntegerField(_("first year"))
    ends_year = models.PositiveSmallIntegerField(_("last year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # The body that coordinates the plan (usually the municipality), from the directory.
    coordinating_body = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("coordinating body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who, by username: kept when the account is gone, or was never here (an imported plan).
    approved_by_username = models.CharField(max_length=150, blank=True)
    # Why a submitted plan was sent back, kept until it is submitted again.
    returned_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_year", "slug"]
        verbose_name = _("local integration plan")
        verbose_name_plural = _("local integration plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_year__gte=models.F("starts_year")), name="plan_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.slug


class PlanMunicipality(models.Model):
    """A municipality the plan covers, by its ISO 3166-2:CV code (``observatory.geography``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="municipalities")
    code = models.CharField(_("municipality"), max_length=8)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_municipality_once")
        ]

    def __str__(self) -> str:
        return self.code


class SteeringMember(models.Model):
    """An organisation in the plan's governance: from the directory, or named (a migrant
    association not listed there)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=MemberKind.choices)
    role = models.CharField(_("role"), max_length=16, choices=GovernanceRole.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(name=""),
                name="steering_member_named",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.organisation)


class Consultation(models.Model):
    """A meeting, session or survey of the diagnosis: when, how, how many were heard (never
    who) and what was found."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="consultations")
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ConsultationKind.choices)
    organisations_heard = models.PositiveIntegerField(_("organisations heard"), default=0)
    people_heard = models.PositiveIntegerField(_("people heard"), default=0)
    women_heard = models.PositiveIntegerField(_("of whom women"), null=True, blank=True)
    findings = models.JSONField(_("findings"), default=dict, blank=True)

    class Meta:
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(women_heard__isnull=True)
                | Q(women_heard__lte=models.F("people_heard")),
                name="consultation_women_within_people",
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.kind}"


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("number"), max_length=12)
    area = models.ForeignKey(
        InterventionArea, verbose_name=_("intervention area"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    title = models.JSONField(_("objective"), default=dict)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal(1),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="objective_code_once")]

    def __str__(self) -> str:
        return self.code


class Measure(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.PROTECT, related_name="measures"
    )
    area = models.ForeignKey(
        InterventionArea, verbose_name=_("intervention area"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    code = models.CharField(_("number"), max_length=12)
    title = models.JSONField(_("measure"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    target_group = models.JSONField(_("target group"), default=dict, blank=True)
    # The organisation responsible: its unit's partner users update the measure.
    responsible = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("organisation responsible"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    partners = models.ManyToManyField(
        "directory.Organization", verbose_name=_("partners"), blank=True, related_name="+"
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    budget = models.DecimalField(
        _("budget (CVE)"), max_digits=14, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    # How much the measure counts in its objective's and the plan's progress.
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal(1),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=PERCENT)
    progress_note = models.TextField(_("note on progress"), blank=True)
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="measure_code_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="measure_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="measure_progress_pct"),
        ]

    def __str__(self) -> str:
        return self.code


class FundingSource(models.Model):
    """Who pays a share of a measure's budget (e.g. an EU fund 75 %, the municipality 25 %);
    the shares of a measure add up to 100 (``domain.measures``)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="funding")
    name = models.CharField(_("funding source"), max_length=200)
    share = models.DecimalField(
        _("share (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.share}%"


class MeasureLink(models.Model):
    """A service, campaign or course the measure delivers through, by reference (kept when the
    thing it names is gone, and shown so)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    ref = models.CharField(_("reference"), max_length=120)

    class Meta:
        ordering = ["kind", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "kind", "ref"], name="measure_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"


class MeasureIndicator(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("number"), max_length=16)
    name = models.JSONField(_("indicator"), default=dict)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    source = models.CharField(
        _("source of values"), max_length=12, choices=IndicatorSource.choices,
        default=IndicatorSource.MANUAL,
    )  # fmt: skip
    # For an observatory indicator: its code and the series (dimension → code), e.g.
    # {"MUNICIPALITY": "CV-PR", "SEX": "_T"}.
    observatory_code = models.CharField(_("observatory indicator"), max_length=40, blank=True)
    observatory_series = models.JSONField(default=dict, blank=True)
    platform_count = models.CharField(
        _("platform count"), max_length=16, choices=PlatformCount.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "code"], name="indicator_code_once"),
            models.CheckConstraint(
                condition=(
                    Q(source=IndicatorSource.MANUAL)
                    | (Q(source=IndicatorSource.OBSERVATORY) & ~Q(observatory_code=""))
                    | (Q(source=IndicatorSource.PLATFORM) & ~Q(platform_count=""))
                ),
                name="indicator_source_named",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        MeasureIndicator, on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_per_year_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class MonitoringReport(models.Model):
    """A semester's report: each measure's progress and status, each indicator's value, with
    comments and the deviations found; frozen once approved."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.PositiveSmallIntegerField(
        _("semester"), validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    language = models.CharField(_("written in"), max_length=10, default="pt")
    summary = models.TextField(_("summary"), blank=True)
    # Why a submitted report was sent back, kept until it is submitted again.
    returned_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who, by username: kept when the account is gone, or was never here (an imported plan).
    submitted_by_username = models.CharField(max_length=150, blank=True)
    approved_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "semester"], name="report_per_semester_once"
            ),
            models.CheckConstraint(condition=Q(semester__in=[1, 2]), name="report_semester"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.slug} {self.year}-S{self.semester}"


class ReportEntry(models.Model):
    """A measure in a report: its progress and status at the end of the semester."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="entries")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="report_entries")
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=PERCENT
    )
    status = models.CharField(_("status"), max_length=12, choices=MeasureStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    # Deviations found when the report was last saved (kept as found once it is approved).
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["measure__position", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="report_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.measure_id}"


class ReportValue(models.Model):
    """An indicator's value in a report (empty when not known), against its target."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(
        MeasureIndicator, on_delete=models.CASCADE, related_name="report_values"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    under_target = models.BooleanField(default=False)

    class Meta:
        ordering = ["indicator__measure__position", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="report_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.indicator_id}"


class EvaluationQuestion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="questions")
    text = models.JSONField(_("question"), default=dict)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.position}"


class EvaluationAnswer(models.Model):
    question = models.ForeignKey(
        EvaluationQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=EvaluationStage.choices)
    language = models.CharField(_("written in"), max_length=10, default="pt")
    answer = models.TextField(_("answer"))
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who, by username: kept when the account is gone, or was never here (an imported plan).
    answered_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["question", "stage"], name="answer_per_stage_once")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}/{self.stage}"


class PlanChange(models.Model):
    """The plan's change history, as its readers see it: what changed, when, by whom (the
    security audit is ``core.AuditEntry``, written by the same domain functions)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who, by username: kept when the account is gone, or was never here (an imported plan).
    actor_username = models.CharField(max_length=150, blank=True)
    # The audit code of the change (``localplans.measure.updated``…) and what it touched:
    # {"measure": "M1.2", "fields": ["budget", "ends_on"], "version": 2, ...}.
    action = models.CharField(max_length=60)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "-at"])]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.action}"


class PlanComment(models.Model):
    """A comment or proposal on a plan sent by the public: the message is a ``content.Feedback``
    (the feedback queue's, with its retention), routed to the plan's coordinators."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    feedback = models.OneToOneField(
        "content.Feedback", on_delete=models.CASCADE, related_name="plan_comment"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CommentKind.choices)

    class Meta:
        ordering = ["-feedback__received_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind}"
