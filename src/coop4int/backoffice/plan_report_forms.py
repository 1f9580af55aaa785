"""Forms of a local integration plan's monitoring pages: a semester's report (each measure's
progress, status and comment, each indicator's value and comment), sending it for approval or
back with a reason, opening a semester's report, the evaluation's questions (one text per
interface language) and answers, and a reply to the public's comments.

The forms check what a form can (types, ranges, lengths); what a report, a question or an
answer may be is the domain's to say (``localplans.domain.reports``, ``.evaluation``,
``.comments``), and its refusals are shown on these forms."""

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from coop4int.localplans.domain.reports import EntryInput, ValueInput
from coop4int.localplans.enums import EvaluationStage, MeasureStatus
from coop4int.localplans.models import (
    EvaluationQuestion,
    MonitoringReport,
    Plan,
    PlanComment,
    ReportEntry,
    ReportValue,
)


def interface_languages() -> list[tuple[str, str]]:
    """(code, name in the page's language) of each interface language, in the settings'
    order."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


# --- A semester's report -----------------------------------------------------------------------


def progress_field(measure_id: int) -> str:
    return f"progress_{measure_id}"


def status_field(measure_id: int) -> str:
    return f"status_{measure_id}"


def comment_field(measure_id: int) -> str:
    return f"comment_{measure_id}"


def value_field(indicator_id: int) -> str:
    return f"value_{indicator_id}"


def value_comment_field(indicator_id: int) -> str:
    return f"vcomment_{indicator_id}"


class ReportForm(forms.Form):
    """The report's summary, and for each of its measures and indicators the fields the page
    lays out beside them (``entry_fields``, ``value_fields``)."""

    summary = forms.CharField(
        label=gettext_lazy("Summary of the semester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, report: MonitoringReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.entries: list[ReportEntry] = list(report.entries.select_related("measure"))
        self.values: list[ReportValue] = list(
            report.values.select_related("indicator").prefetch_related("indicator__targets")
        )
        if not self.is_bound:
            self.initial.setdefault("summary", report.summary)
        for entry in self.entries:
            measure = entry.measure_id
            self.fields[progress_field(measure)] = forms.IntegerField(
                label=pgettext_lazy("report field", "Progress (%)"),
                required=False,
                validators=[MinValueValidator(0), MaxValueValidator(100)],
                initial=entry.progress,
                widget=forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
                help_text=gettext_lazy("From 0 to 100; leave empty when not known."),
            )
            self.fields[status_field(measure)] = forms.ChoiceField(
                label=pgettext_lazy("report field", "Status"),
                choices=MeasureStatus.choices,
                initial=entry.status,
            )
            self.fields[comment_field(measure)] = forms.CharField(
                label=pgettext_lazy("report field", "Comment on the measure"),
                required=False,
                initial=entry.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for value in self.values:
            indicator = value.indicator_id
            self.fields[value_field(indicator)] = forms.DecimalField(
                label=pgettext_lazy("report field", "Value"),
                required=False,
                max_digits=14,
                decimal_places=2,
                initial=value.value,
                widget=forms.NumberInput(attrs={"step": "any"}),
                help_text=gettext_lazy("Leave empty when the value is not known."),
            )
            self.fields[value_comment_field(indicator)] = forms.CharField(
                label=pgettext_lazy("report field", "Comment on the value"),
                required=False,
                initial=value.comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def entry_fields(self, entry: ReportEntry) -> list[forms.BoundField]:
        measure = entry.measure_id
        return [
            self[progress_field(measure)],
            self[status_field(measure)],
            self[comment_field(measure)],
        ]

    def value_fields(self, value: ReportValue) -> list[forms.BoundField]:
        return [
            self[value_field(value.indicator_id)],
            self[value_comment_field(value.indicator_id)],
        ]

    def entry_inputs(self) -> list[EntryInput]:
        data = self.cleaned_data
        return [
            EntryInput(
                measure_id=entry.measure_id,
                progress=data.get(progress_field(entry.measure_id)),
                status=MeasureStatus(data[status_field(entry.measure_id)]),
                comment=data.get(comment_field(entry.measure_id), "").strip(),
            )
            for entry in self.entries
        ]

    def value_inputs(self) -> list[ValueInput]:
        data = self.cleaned_data
        inputs = []
        for value in self.values:
            number: Decimal | None = data.get(value_field(value.indicator_id))
            inputs.append(
                ValueInput(
                    indicator_id=value.indicator_id,
                    value=number,
                    comment=data.get(value_comment_field(value.indicator_id), "").strip(),
                )
            )
        return inputs


class ReportButtonForm(forms.Form):
    """Posted by a button (send for approval, approve)."""


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the report goes back to the coordinator"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say why the report is sent back.")},
    )


class OpenReportForm(forms.Form):
    """A semester of the plan's period whose report is not opened yet."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    semester = forms.TypedChoiceField(
        label=gettext_lazy("Semester"),
        coerce=int,
        choices=[
            (1, gettext_lazy("First semester (January to June)")),
            (2, gettext_lazy("Second semester (July to December)")),
        ],
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = range(plan.starts_year, plan.ends_year + 1)
        self.fields["year"].choices = [(year, str(year)) for year in years]  # type: ignore[attr-defined]


# --- The evaluation -----------------------------------------------------------------------------


def question_text_field(language: str) -> str:
    return f"text_{language}"


class QuestionForm(forms.Form):
    """A question of the evaluation, in each interface language it is written in."""

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        for code, name in interface_languages():
            self.fields[question_text_field(code)] = forms.CharField(
                label=_("Question in %(language)s") % {"language": name},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(str(data.get(question_text_field(code), "")).strip()
                   for code, _name in interface_languages()):  # fmt: skip
            raise ValidationError(_("Write the question in at least one language."))
        return data

    def texts(self) -> dict[str, str]:
        texts = {}
        for code, _name in interface_languages():
            text = str(self.cleaned_data.get(question_text_field(code), "")).strip()
            if text:
                texts[code] = text
        return texts

    @staticmethod
    def initial_for(question: EvaluationQuestion) -> dict[str, str]:
        return {question_text_field(code): text for code, text in question.text.items()}


class EditQuestionForm(QuestionForm):
    """A question's texts corrected or translated."""

    question = forms.ModelChoiceField(
        queryset=EvaluationQuestion.objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        questions: QuerySet[EvaluationQuestion] = EvaluationQuestion.objects.filter(plan=plan)
        self.fields["question"].queryset = questions  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    """The answer to a question at one stage of the evaluation, and the language it is in."""

    question = forms.ModelChoiceField(
        queryset=EvaluationQuestion.objects.none(), widget=forms.HiddenInput
    )
    stage = forms.ChoiceField(choices=EvaluationStage.choices, widget=forms.HiddenInput)
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write the answer.")},
    )
    language = forms.ChoiceField(label=gettext_lazy("Written in"), choices=())

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions: QuerySet[EvaluationQuestion] = EvaluationQuestion.objects.filter(plan=plan)
        self.fields["question"].queryset = questions  # type: ignore[attr-defined]
        self.fields["language"].choices = interface_languages()  # type: ignore[attr-defined]


# --- The public's comments ----------------------------------------------------------------------


class CommentReplyForm(forms.Form):
    comment = forms.ModelChoiceField(queryset=PlanComment.objects.none(), widget=forms.HiddenInput)
    reply = forms.CharField(
        label=gettext_lazy("Reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write the reply.")},
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        comments: QuerySet[PlanComment] = PlanComment.objects.filter(plan=plan)
        self.fields["comment"].queryset = comments  # type: ignore[attr-defined]
