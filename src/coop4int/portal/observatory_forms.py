"""The chooser of an indicator's page: what to compare (the years, or the values of one
dimension), the period of a comparison across a dimension, and the value every other
dimension is held at. A GET form, so that a chosen chart has an address to share and works
without JavaScript; its choices are the codes the dataset holds."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.observatory.domain.figures import ACROSS_YEARS, IndicatorFigures

# The chooser's own fields; a dimension with one of these ids gets a prefixed field.
OWN_FIELDS = frozenset({"compare", "period"})


def field_name(dimension: str) -> str:
    """The GET parameter of a dimension: its SDMX id ("SEX", "MUNICIPALITY")."""
    return f"dim-{dimension}" if dimension in OWN_FIELDS else dimension


class ComparisonForm(forms.Form):
    compare = forms.ChoiceField(label=_("Compare"), required=False)
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        help_text=_("The period of a comparison of places or groups."),
    )

    def __init__(self, *args: Any, figures: IndicatorFigures, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.figures = figures
        self.fields["compare"].choices = figures.comparisons()  # type: ignore[attr-defined]
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (period, figures.period_labels[period]) for period in reversed(figures.periods)
        ]
        comparisons = [value for value, _label in figures.comparisons()]
        if len(figures.periods) < 2 or comparisons == [ACROSS_YEARS]:
            del self.fields["period"]  # nothing to compare at one period
        for values in figures.dimensions:
            if comparisons == [values.dimension]:
                continue  # always the one compared: never held at a value
            self.fields[field_name(values.dimension)] = forms.ChoiceField(
                label=values.label, choices=values.values, required=False
            )

    @property
    def worth_showing(self) -> bool:
        """Whether the reader has anything to choose."""
        return len(self.figures.comparisons()) > 1 or any(
            len(field.choices) > 1  # type: ignore[attr-defined]
            for name, field in self.fields.items()
            if name != "compare"
        )

    def choice(self) -> dict[str, Any]:
        """The keyword arguments of ``IndicatorFigures.selection``: what the reader chose,
        field by field (a value not offered is left out, and its default stands)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "compare": data.get("compare") or None,
            "period": data.get("period") or None,
            "filters": {
                values.dimension: data[name]
                for values in self.figures.dimensions
                if data.get(name := field_name(values.dimension))
            },
        }

    @classmethod
    def showing(cls, figures: IndicatorFigures, **selection: Any) -> "ComparisonForm":
        """An unbound form with ``selection`` (compare, period, filters) chosen: what the
        page shows, defaults included."""
        initial = {"compare": selection["compare"], "period": selection["period"]}
        for dimension, code in selection["filters"].items():
            initial[field_name(dimension)] = code
        return cls(figures=figures, initial=initial)
