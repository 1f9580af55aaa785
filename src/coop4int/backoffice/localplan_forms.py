"""Forms of the local integration plans' back-office pages: a plan's texts and period, its
governance and consultations, its objectives, a measure with its indicators and targets, a
partner's progress report, the status buttons, the intervention areas and an import.

A plan's texts (title, summary, analysis; a measure's title, description and target group…) are
kept per interface language, one field each (``title_pt``, ``title_fr``…). The forms check what
a form can (types, lengths, a line that reads as nothing); what a plan may hold is the domain's
to say (``localplans.domain.plans`` / ``measures``) and its refusals are shown on these forms."""

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from coop4int.core.languages import REGISTRY
from coop4int.directory.models import Organization
from coop4int.localplans.domain.measures import Funding, IndicatorDetails, MeasureDetails
from coop4int.localplans.domain.plans import MemberDetails, PlanDetails
from coop4int.localplans.enums import (
    ConsultationKind,
    Direction,
    GovernanceRole,
    IndicatorSource,
    IndicatorUnit,
    LinkKind,
    MeasureStatus,
    MemberKind,
    PlatformCount,
)
from coop4int.localplans.models import (
    Consultation,
    InterventionArea,
    Measure,
    MeasureIndicator,
    Objective,
    Plan,
)
from coop4int.localplans.texts import area_name
from coop4int.observatory.geography import MUNICIPALITIES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Extra empty rows of the governance form, to add members.
EMPTY_MEMBER_ROWS = 3
# An export of a plan is a small file.
IMPORT_MAX_BYTES = 20 * 2**20
_SEPARATORS = re.compile(r"[\s,;]+")


def interface_languages() -> list[tuple[str, str]]:
    """(code, name in the page's language) of each interface language, in the settings'
    order."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def _text_labels() -> dict[str, str]:
    return {
        "title": _("Title in %(language)s"),
        "summary": _("Summary in %(language)s"),
        "analysis": _("Analysis of the diagnosis in %(language)s"),
        "findings": _("Findings in %(language)s"),
        "description": _("Description in %(language)s"),
        "target_group": _("Target group in %(language)s"),
        "name": _("Name in %(language)s"),
    }


class TextsForm(forms.Form):
    """A form with texts kept per interface language: ``texts`` names each kind of text and
    whether it is long (a text area)."""

    texts: tuple[tuple[str, bool], ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = interface_languages()
        labels = _text_labels()
        for kind, long in self.texts:
            for code, name in self.languages:
                widget: forms.Widget = (
                    forms.Textarea(attrs={"rows": 4}) if long else forms.TextInput()
                )
                language = REGISTRY.get(code)
                widget.attrs["lang"] = code
                widget.attrs["dir"] = language.direction.value if language else "ltr"
                self.fields[f"{kind}_{code}"] = forms.CharField(
                    label=labels[kind] % {"language": name},
                    max_length=10000 if long else 300,
                    required=False,
                    widget=widget,
                )

    def text_fields(self, kind: str) -> list[forms.BoundField]:
        """The bound fields of one kind of text, one per interface language."""
        return [self[f"{kind}_{code}"] for code, _name in self.languages]

    @property
    def texts_by_kind(self) -> dict[str, list[forms.BoundField]]:
        """Each kind of text → its fields (``form.texts_by_kind.title`` in a template)."""
        return {kind: self.text_fields(kind) for kind, _long in self.texts}

    def texts_of(self, kind: str) -> dict[str, str]:
        """The texts typed for ``kind``, by language (empty ones left out)."""
        data = self.cleaned_data
        return {
            code: data[f"{kind}_{code}"].strip()
            for code, _name in self.languages
            if data.get(f"{kind}_{code}", "").strip()
        }

    @staticmethod
    def initial_texts(**texts: Mapping[str, str]) -> dict[str, str]:
        """Initial values of the text fields from the object's dicts (kind → {language: text})."""
        return {
            f"{kind}_{code}": text
            for kind, values in texts.items()
            for code, text in (values or {}).items()
        }

    def require_one(self, kind: str, message: str) -> None:
        if not any(
            (self.cleaned_data.get(f"{kind}_{code}") or "").strip()
            for code, _name in self.languages
        ):
            self.add_error(f"{kind}_{self.languages[0][0]}", message)


def show_refusal(form: forms.Form, error: ValidationError) -> None:
    """The domain's refusal on the form: beside the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def organisations() -> QuerySet[Organization]:
    return Organization.objects.order_by("name")


def active_areas() -> QuerySet[InterventionArea]:
    return InterventionArea.objects.filter(active=True).order_by("position", "code")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(area_name(obj))


def _municipality_choices() -> list[tuple[str, str]]:
    return sorted(((m.code, m.name) for m in MUNICIPALITIES.values()), key=lambda c: c[1])


# --- The plan --------------------------------------------------------------------------------


class PlanForm(TextsForm):
    """A plan's texts, the language it is written in, its period, municipalities and
    coordinating body. The short name is asked only of a new plan."""

    texts = (("title", False), ("summary", True), ("analysis", True))

    slug = forms.SlugField(
        label=gettext_lazy("Short name (in the address)"),
        max_length=80,
        help_text=gettext_lazy("Letters, digits and hyphens, for example praia-2025-2027."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    source_language = forms.ChoiceField(
        label=gettext_lazy("Written first in"), choices=interface_languages, initial="pt"
    )
    starts_year = forms.IntegerField(
        label=gettext_lazy("First year"), min_value=2000, max_value=2100
    )
    ends_year = forms.IntegerField(label=gettext_lazy("Last year"), min_value=2000, max_value=2100)
    municipalities = forms.MultipleChoiceField(
        label=gettext_lazy("Municipalities covered"),
        choices=_municipality_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one municipality.")},
    )
    coordinating_body = forms.ModelChoiceField(
        label=gettext_lazy("Coordinating body"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=gettext_lazy("From the service directory; usually the municipality."),
    )

    def __init__(self, *args: Any, new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinating_body"].queryset = organisations()  # type: ignore[attr-defined]
        if not new:
            del self.fields["slug"]
        self.order_fields(["slug"])

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        return TextsForm.initial_texts(
            title=plan.title, summary=plan.summary, analysis=plan.analysis
        ) | {
            "source_language": plan.source_language,
            "starts_year": plan.starts_year,
            "ends_year": plan.ends_year,
            "municipalities": [m.code for m in plan.municipalities.all()],
            "coordinating_body": plan.coordinating_body_id,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one("title", _("Give the plan a title in at least one language."))
        starts, ends = data.get("starts_year"), data.get("ends_year")
        if starts is not None and ends is not None and ends < starts:
            self.add_error("ends_year", _("The last year cannot come before the first."))
        return data

    def details(self) -> PlanDetails:
        data = self.cleaned_data
        return PlanDetails(
            title=self.texts_of("title"),
            summary=self.texts_of("summary"),
            analysis=self.texts_of("analysis"),
            source_language=data["source_language"],
            starts_year=data["starts_year"],
            ends_year=data["ends_year"],
            municipalities=list(data["municipalities"]),
            coordinating_body=data["coordinating_body"],
        )


class GovernanceForm(forms.Form):
    """The plan's governance, one row per member (an organisation of the directory, or a
    name for one not listed there), with room for a few more; an empty row is left out."""

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        members = list(plan.members.all())
        initial: dict[str, Any] = dict(kwargs.pop("initial", None) or {})
        for i, member in enumerate(members):
            initial |= {
                f"member-{i}-organisation": member.organisation_id,
                f"member-{i}-name": member.name,
                f"member-{i}-kind": member.kind,
                f"member-{i}-role": member.role,
            }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.row_count = len(members) + EMPTY_MEMBER_ROWS
        for i in range(self.row_count):
            self.fields[f"member-{i}-organisation"] = forms.ModelChoiceField(
                label=_("Organisation in the directory"), queryset=organisations(), required=False
            )
            self.fields[f"member-{i}-name"] = forms.CharField(
                label=_("Or its name"), max_length=300, required=False
            )
            self.fields[f"member-{i}-kind"] = forms.ChoiceField(
                label=_("Kind"), choices=[("", "—"), *MemberKind.choices], required=False
            )
            self.fields[f"member-{i}-role"] = forms.ChoiceField(
                label=_("Role"), choices=[("", "—"), *GovernanceRole.choices], required=False
            )

    @property
    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"member-{i}-{part}"] for part in ("organisation", "name", "kind", "role")]
            for i in range(self.row_count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.row_count):
            organisation = data.get(f"member-{i}-organisation")
            name = (data.get(f"member-{i}-name") or "").strip()
            kind, role = data.get(f"member-{i}-kind"), data.get(f"member-{i}-role")
            if organisation is None and not name and not kind and not role:
                continue
            if organisation is None and not name:
                self.add_error(
                    f"member-{i}-name", _("Choose an organisation of the directory or name it.")
                )
            if not kind:
                self.add_error(f"member-{i}-kind", _("Say what kind of organisation it is."))
            if not role:
                self.add_error(f"member-{i}-role", _("Say what its role is."))
        return data

    def members(self) -> list[MemberDetails]:
        data = self.cleaned_data
        members = []
        for i in range(self.row_count):
            organisation = data.get(f"member-{i}-organisation")
            name = (data.get(f"member-{i}-name") or "").strip()
            if organisation is None and not name:
                continue
            members.append(
                MemberDetails(
                    organisation=organisation,
                    name=name,
                    kind=MemberKind(data[f"member-{i}-kind"]),
                    role=GovernanceRole(data[f"member-{i}-role"]),
                )
            )
        return members


class ConsultationForm(TextsForm):
    """A consultation of the diagnosis: counts of those heard, never names."""

    texts = (("findings", True),)

    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ConsultationKind.choices)
    organisations_heard = forms.IntegerField(
        label=gettext_lazy("Organisations heard"), min_value=0, initial=0
    )
    people_heard = forms.IntegerField(label=gettext_lazy("People heard"), min_value=0, initial=0)
    women_heard = forms.IntegerField(
        label=gettext_lazy("Of whom women"),
        min_value=0,
        required=False,
        help_text=gettext_lazy("Leave empty when not counted."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        people, women = data.get("people_heard"), data.get("women_heard")
        if people is not None and women is not None and women > people:
            self.add_error("women_heard", _("There cannot be more women than people heard."))
        return data


class ConsultationChoiceForm(forms.Form):
    """A button naming one of the plan's consultations."""

    consultation = forms.ModelChoiceField(
        queryset=Consultation.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("That consultation is not in this plan.")},
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = plan.consultations.all()  # type: ignore[attr-defined]


class ObjectiveForm(TextsForm):
    """An objective of the plan: its number, area, title and weight."""

    texts = (("title", False),)

    code = forms.CharField(
        label=gettext_lazy("Number"), max_length=12, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    area = AreaChoiceField(label=gettext_lazy("Intervention area"), queryset=active_areas())
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"), min_value=Decimal(0), max_digits=6, decimal_places=2,
        initial=Decimal(1),
        help_text=gettext_lazy("How much the objective counts in the plan's progress."),
    )  # fmt: skip

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["area"].queryset = active_areas()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one("title", _("Give the objective a title in at least one language."))
        return data


class ObjectiveEditForm(ObjectiveForm):
    """An objective of the plan changed: the hidden field says which."""

    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("That objective is not in this plan.")},
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["objective"].queryset = plan.objectives.all()  # type: ignore[attr-defined]
        # An objective keeps its area even once the area is no longer offered.
        self.fields["area"].queryset = InterventionArea.objects.order_by("position", "code")  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(objective: Objective) -> dict[str, Any]:
        return TextsForm.initial_texts(title=objective.title) | {
            "objective": objective.pk,
            "code": objective.code,
            "area": objective.area_id,
            "weight": objective.weight,
        }


class ButtonForm(forms.Form):
    """A button: nothing to fill in."""


class ReturnForm(forms.Form):
    """Sending a submitted plan back to its coordinator, saying why."""

    reason = forms.CharField(
        label=gettext_lazy("Why it is sent back"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say why the plan is sent back.")},
    )


# --- A measure -------------------------------------------------------------------------------


def parse_funding(text: str) -> list[Funding]:
    """Lines "name: share" (a share in percent, "75" or "75,5") → funding sources."""
    funding = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, _colon, share = line.rpartition(":")
        try:
            value = Decimal(share.strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            value = None
        if not name.strip() or value is None or not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(
                _("Line %(line)s: write the source, a colon and its share in percent.")
                % {"line": number}
            )
        funding.append(Funding(name=name.strip(), share=value))
    return funding


def parse_targets(text: str) -> dict[int, Decimal]:
    """Lines "year: target" → targets by year."""
    targets: dict[int, Decimal] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        year, _colon, value = line.partition(":")
        try:
            targets[int(year.strip())] = Decimal(value.strip().replace(",", "."))
        except (ValueError, InvalidOperation):
            raise ValidationError(
                _("Line %(line)s: write the year, a colon and the target.") % {"line": number}
            ) from None
    return targets


def parse_series(text: str) -> dict[str, str]:
    """ "SEX=_T, MUNICIPALITY=CV-PR" → {"SEX": "_T", "MUNICIPALITY": "CV-PR"}."""
    series: dict[str, str] = {}
    for part in _SEPARATORS.split(text.strip()):
        if not part:
            continue
        dimension, equals, code = part.partition("=")
        if not equals or not dimension or not code:
            raise ValidationError(_("Write each dimension as DIMENSION=CODE, for example SEX=_T."))
        series[dimension.strip().upper()] = code.strip()
    return series


def _funding_text(measure: Measure) -> str:
    return "\n".join(f"{f.name}: {f.share.normalize():f}" for f in measure.funding.all())


class MeasureForm(TextsForm):
    """A measure: its objective and area, texts, who is responsible and with whom, when,
    its budget, weight and funding, and what it delivers through."""

    texts = (("title", False), ("description", True), ("target_group", False))

    objective = forms.ModelChoiceField(
        label=gettext_lazy("Objective"), queryset=Objective.objects.none()
    )
    area = AreaChoiceField(
        label=gettext_lazy("Intervention area"), queryset=InterventionArea.objects.none()
    )
    code = forms.CharField(
        label=gettext_lazy("Number"), max_length=12, widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=gettext_lazy("For example 1.2: part of the measure's address."),
    )  # fmt: skip
    responsible = forms.ModelChoiceField(
        label=gettext_lazy("Organisation responsible"),
        queryset=Organization.objects.none(),
        help_text=gettext_lazy("Its unit's partner users may report the measure's progress."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Partners"), queryset=Organization.objects.none(), required=False
    )
    starts_on = forms.DateField(label=gettext_lazy("Start"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=gettext_lazy("End"), widget=DATE_INPUT)
    budget = forms.DecimalField(
        label=gettext_lazy("Budget (CVE)"), min_value=Decimal(0), max_digits=14, decimal_places=2,
        initial=Decimal(0),
    )  # fmt: skip
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"), min_value=Decimal(0), max_digits=6, decimal_places=2,
        initial=Decimal(1),
        help_text=gettext_lazy("How much the measure counts in its objective's progress."),
    )  # fmt: skip
    funding = forms.CharField(
        label=gettext_lazy("Funding sources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One a line: the source, a colon and its share in percent (for example "
            "“Fundo europeu: 75”). The shares add up to 100."
        ),
    )
    services = forms.CharField(
        label=gettext_lazy("Services in the directory"), required=False, max_length=2000,
        help_text=gettext_lazy("Their ids, separated by spaces."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )  # fmt: skip
    campaigns = forms.CharField(
        label=gettext_lazy("Information campaigns"), required=False, max_length=2000,
        help_text=gettext_lazy("Their short names, separated by spaces."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )  # fmt: skip
    courses = forms.CharField(
        label=gettext_lazy("Training courses"), required=False, max_length=2000,
        help_text=gettext_lazy("Their short names, separated by spaces."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )  # fmt: skip

    LINK_FIELDS = (("services", LinkKind.SERVICE), ("campaigns", LinkKind.CAMPAIGN),
                   ("courses", LinkKind.COURSE))  # fmt: skip

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["objective"].queryset = plan.objectives.order_by("position", "code")  # type: ignore[attr-defined]
        self.fields["area"].queryset = InterventionArea.objects.order_by("position", "code")  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = organisations()  # type: ignore[attr-defined]
        self.fields["partners"].queryset = organisations()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(measure: Measure) -> dict[str, Any]:
        links: dict[str, list[str]] = {}
        for link in measure.links.all():
            links.setdefault(link.kind, []).append(link.ref)
        return TextsForm.initial_texts(
            title=measure.title, description=measure.description, target_group=measure.target_group
        ) | {
            "objective": measure.objective_id,
            "area": measure.area_id,
            "code": measure.code,
            "responsible": measure.responsible_id,
            "partners": [p.pk for p in measure.partners.all()],
            "starts_on": measure.starts_on,
            "ends_on": measure.ends_on,
            "budget": measure.budget,
            "weight": measure.weight,
            "funding": _funding_text(measure),
            "services": " ".join(links.get(LinkKind.SERVICE, [])),
            "campaigns": " ".join(links.get(LinkKind.CAMPAIGN, [])),
            "courses": " ".join(links.get(LinkKind.COURSE, [])),
        }

    def clean_funding(self) -> list[Funding]:
        return parse_funding(self.cleaned_data.get("funding", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one("title", _("Give the measure a title in at least one language."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end cannot come before the start."))
        return data

    def _links(self) -> list[tuple[LinkKind, str]]:
        links: list[tuple[LinkKind, str]] = []
        for field, kind in self.LINK_FIELDS:
            refs = _SEPARATORS.split(self.cleaned_data.get(field, "").strip())
            links += [(kind, ref) for ref in dict.fromkeys(refs) if ref]
        return links

    def details(self) -> MeasureDetails:
        data = self.cleaned_data
        return MeasureDetails(
            objective=data["objective"],
            area=data["area"],
            code=data["code"].strip(),
            title=self.texts_of("title"),
            description=self.texts_of("description"),
            target_group=self.texts_of("target_group"),
            responsible=data["responsible"],
            partners=list(data["partners"]),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            budget=data["budget"],
            weight=data["weight"],
            funding=data["funding"],
            links=self._links(),
        )


class ProgressForm(forms.Form):
    """Where the measure stands: its progress and status, with a note."""

    progress = forms.IntegerField(
        label=gettext_lazy("Progress (%)"), min_value=0, max_value=100,
        widget=forms.NumberInput(attrs={"dir": "ltr"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=pgettext_lazy("of a measure", "Status"), choices=MeasureStatus.choices
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    @staticmethod
    def initial_for(measure: Measure) -> dict[str, Any]:
        return {"progress": measure.progress, "status": measure.status}


class IndicatorForm(TextsForm):
    """An indicator of a measure: where its values come from, its baseline and its targets."""

    texts = (("name", False),)

    code = forms.CharField(
        label=gettext_lazy("Number"), max_length=16, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=IndicatorUnit.choices)
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"), choices=Direction.choices, initial=Direction.INCREASE
    )
    baseline = forms.DecimalField(
        label=gettext_lazy("Baseline"), required=False, max_digits=14, decimal_places=2
    )
    baseline_year = forms.IntegerField(
        label=gettext_lazy("Baseline year"), required=False, min_value=1900, max_value=2100
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source of values"), choices=IndicatorSource.choices,
        initial=IndicatorSource.MANUAL,
    )  # fmt: skip
    observatory_code = forms.CharField(
        label=gettext_lazy("Observatory indicator"), required=False, max_length=40,
        help_text=gettext_lazy("Its code, for an indicator of the Migration Observatory."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )  # fmt: skip
    observatory_series = forms.CharField(
        label=gettext_lazy("Observatory series"), required=False, max_length=500,
        help_text=gettext_lazy("Dimensions and codes, for example SEX=_T MUNICIPALITY=CV-PR."),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )  # fmt: skip
    platform_count = forms.ChoiceField(
        label=gettext_lazy("Platform count"),
        choices=[("", "—"), *PlatformCount.choices],
        required=False,
    )
    targets = forms.CharField(
        label=gettext_lazy("Targets"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=gettext_lazy(
            "One a line: the year, a colon and the target (for example 2026: 400)."
        ),
    )  # fmt: skip

    def clean_targets(self) -> dict[int, Decimal]:
        return parse_targets(self.cleaned_data.get("targets", ""))

    def clean_observatory_series(self) -> dict[str, str]:
        return parse_series(self.cleaned_data.get("observatory_series", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one("name", _("Name the indicator in at least one language."))
        source = data.get("source")
        if source == IndicatorSource.OBSERVATORY and not data.get("observatory_code"):
            self.add_error("observatory_code", _("Give the observatory indicator's code."))
        if source == IndicatorSource.PLATFORM and not data.get("platform_count"):
            self.add_error("platform_count", _("Choose which count of the platform."))
        return data

    def details(self) -> IndicatorDetails:
        data = self.cleaned_data
        source = IndicatorSource(data["source"])
        return IndicatorDetails(
            code=data["code"].strip(),
            name=self.texts_of("name"),
            unit=IndicatorUnit(data["unit"]),
            direction=Direction(data["direction"]),
            baseline=data["baseline"],
            baseline_year=data["baseline_year"],
            source=source,
            observatory_code=data["observatory_code"].strip()
            if source == IndicatorSource.OBSERVATORY
            else "",
            observatory_series=data["observatory_series"]
            if source == IndicatorSource.OBSERVATORY
            else {},
            platform_count=data["platform_count"] if source == IndicatorSource.PLATFORM else "",
            targets=data["targets"],
        )


class IndicatorEditForm(IndicatorForm):
    """An indicator of the measure changed: the hidden field says which."""

    indicator = forms.ModelChoiceField(
        queryset=MeasureIndicator.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("That indicator is not in this measure.")},
    )

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = measure.indicators.all()  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(indicator: MeasureIndicator) -> dict[str, Any]:
        series = " ".join(f"{k}={v}" for k, v in sorted(indicator.observatory_series.items()))
        targets = "\n".join(f"{t.year}: {t.value.normalize():f}" for t in indicator.targets.all())
        return TextsForm.initial_texts(name=indicator.name) | {
            "indicator": indicator.pk,
            "code": indicator.code,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "baseline": indicator.baseline,
            "baseline_year": indicator.baseline_year,
            "source": indicator.source,
            "observatory_code": indicator.observatory_code,
            "observatory_series": series,
            "platform_count": indicator.platform_count,
            "targets": targets,
        }


class IndicatorChoiceForm(forms.Form):
    """A button naming one of the measure's indicators."""

    indicator = forms.ModelChoiceField(
        queryset=MeasureIndicator.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("That indicator is not in this measure.")},
    )

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = measure.indicators.all()  # type: ignore[attr-defined]


# --- Areas and import ------------------------------------------------------------------------


class AreaForm(TextsForm):
    """An intervention area, new or changed (by its code)."""

    texts = (("name", False),)

    code = forms.SlugField(
        label=gettext_lazy("Code"), max_length=40, widget=forms.TextInput(attrs={"dir": "ltr"}),
        help_text=gettext_lazy(
            "Letters, digits and hyphens. An area of the default list keeps its translated "
            "name unless names are given here."
        ),
    )  # fmt: skip
    position = forms.IntegerField(
        label=gettext_lazy("Position in the list"), min_value=0, initial=0
    )
    active = forms.BooleanField(
        label=gettext_lazy("Offered for new measures"), required=False, initial=True
    )

    @staticmethod
    def initial_for(area: InterventionArea) -> dict[str, Any]:
        return TextsForm.initial_texts(name=area.names) | {
            "code": area.code,
            "position": area.position,
            "active": area.active,
        }


class PlanImportForm(forms.Form):
    upload = forms.FileField(
        label=gettext_lazy("Export of a plan"),
        help_text=gettext_lazy(
            "The JSON data package or the ZIP of CSV files that the plan's export gives."
        ),
        error_messages={"required": gettext_lazy("Choose the file to import.")},
    )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is too large for a plan's export."))
        return upload
