"""Forms of the analyst's observatory pages: an indicator of the registry, a file to import
with its provenance, and publishing or discarding a dataset under review.

The forms check what a form can (types, lengths, sizes); what an indicator or a dataset may be
is the domain's to say (``observatory.domain.registry``, ``observatory.domain.datasets``), and
its refusals are shown on these forms by field."""

import json
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from coop4int.core.languages import REGISTRY
from coop4int.observatory import enums
from coop4int.observatory.models import Indicator
from coop4int.observatory.texts import text_in

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The texts of an indicator kept per interface language, one field each: the form's name for
# each kind of text, and the indicator's field that holds them.
TEXT_KINDS = (("name", "names"), ("definition", "definitions"), ("note", "notes"))
# A Table Schema or a data package is a small JSON file.
SCHEMA_MAX_BYTES = 2**20
_SEPARATORS = re.compile(r"[\s,;]+")
# Format choice "" leaves it to the file's first line.
AUTO = ""


def interface_languages() -> list[tuple[str, str]]:
    """(code, name in the page's language) of each interface language, in the settings'
    order."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def text_field_name(kind: str, language: str) -> str:
    return f"{kind}_{language}"


def _text_label(kind: str, language_name: str) -> str:
    labels = {
        "name": _("Name in %(language)s"),
        "definition": _("Definition in %(language)s"),
        "note": _("Notes on sources and breaks in series, in %(language)s"),
    }
    return labels[kind] % {"language": language_name}


# --- The indicator registry ----------------------------------------------------------------


class IndicatorForm(forms.Form):
    """An indicator: its code, texts per interface language, what it measures and how."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy(
            "Capital letters, digits and underscores, beginning with a letter (for example "
            "FOREIGN_NATIONALS). It is part of the addresses of the indicator's datasets: it "
            "cannot change once a dataset is imported."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr", "autocapitalize": "characters"}),
    )
    concept = forms.ChoiceField(
        label=gettext_lazy("What it measures"),
        choices=enums.Concept.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Keep these apart: foreign nationals are counted by citizenship, the foreign-born "
            "by country of birth (a naturalised citizen born abroad is foreign-born, not "
            "foreign; a child born here to foreign parents is foreign, not foreign-born), and "
            "UN DESA's international migrant stock is the foreign-born, or foreign nationals "
            "where birthplace is not known. One indicator measures one of them; indicators of "
            "different concepts are never drawn on one chart."
        ),
        error_messages={"required": gettext_lazy("Choose what the indicator measures.")},
    )
    unit_measure = forms.ChoiceField(
        label=gettext_lazy("Unit"), choices=enums.UnitOfMeasure.choices
    )
    decimals = forms.IntegerField(
        label=gettext_lazy("Decimals shown"), min_value=0, max_value=6, initial=0
    )
    dimensions = forms.MultipleChoiceField(
        label=gettext_lazy("Figures broken down by"),
        choices=[
            (dimension.value, format_lazy("{} ({})", dimension.label, dimension.value))
            for dimension in enums.Dimension
            if dimension != enums.Dimension.TIME_PERIOD
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Besides the period, which every figure has."),
    )
    other_dimensions = forms.CharField(
        label=gettext_lazy("Other dimensions (SDMX ids)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "Ids a source's files use, separated by spaces or commas (for example EDUCATION_LEV)."
        ),
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    source = forms.CharField(
        label=pgettext_lazy("where figures come from", "Source"),
        max_length=300,
        help_text=gettext_lazy("Who publishes the figures (for example INE Cabo Verde, RGPH)."),
    )
    periodicity = forms.ChoiceField(
        label=gettext_lazy("Released"),
        choices=enums.Periodicity.choices,
        initial=enums.Periodicity.ANNUAL,
    )

    def __init__(self, *args: Any, code_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = interface_languages()
        for kind, _field in TEXT_KINDS:
            for code, name in self.languages:
                widget: forms.Widget = (
                    forms.TextInput() if kind == "name" else forms.Textarea(attrs={"rows": 3})
                )
                widget.attrs["lang"] = code
                language = REGISTRY.get(code)
                widget.attrs["dir"] = language.direction.value if language else "ltr"
                self.fields[text_field_name(kind, code)] = forms.CharField(
                    label=_text_label(kind, name),
                    max_length=300 if kind == "name" else 5000,
                    required=False,
                    widget=widget,
                )
        if code_fixed:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _(
                "Datasets of this indicator are known by this code: it cannot change."
            )

    def text_fields(self, kind: str) -> list[forms.BoundField]:
        """The bound fields of one kind of text ("name", "definition", "note"), one per
        interface language."""
        return [self[text_field_name(kind, code)] for code, _name in self.languages]

    @property
    def text_fields_name(self) -> list[forms.BoundField]:
        return self.text_fields("name")

    @property
    def text_fields_definition(self) -> list[forms.BoundField]:
        return self.text_fields("definition")

    @property
    def text_fields_note(self) -> list[forms.BoundField]:
        return self.text_fields("note")

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()

    def clean_other_dimensions(self) -> list[str]:
        return [part for part in _SEPARATORS.split(self.cleaned_data["other_dimensions"]) if part]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(
            str(cleaned.get(text_field_name("name", code)) or "").strip()
            for code, _name in self.languages
        ):
            raise ValidationError(
                _("Give the indicator a name in at least one language."), code="no_name"
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        """The indicator's fields, as ``create_indicator`` and ``update_indicator`` take them."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            field: {
                code: data.get(text_field_name(kind, code)) or "" for code, _name in self.languages
            }
            for kind, field in TEXT_KINDS
        }
        values |= {
            "code": data["code"],
            "concept": data["concept"],
            "unit_measure": data["unit_measure"],
            "decimals": data["decimals"],
            "dimensions": list(dict.fromkeys([*data["dimensions"], *data["other_dimensions"]])),
            "source": data["source"],
            "periodicity": data["periodicity"],
        }
        return values

    def show_refusal(self, error: ValidationError) -> None:
        """The domain's refusal on the fields it names: the texts above the form (each
        language has its own field), dimensions on the free text (the choices cannot be
        wrong)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field == "dimensions":
                self.add_error("other_dimensions", errors)
            elif field in self.fields and not self.fields[field].disabled:
                self.add_error(field, errors)
            else:
                self.add_error(None, errors)

    @staticmethod
    def initial_for(indicator: Indicator) -> dict[str, Any]:
        """What the form shows of ``indicator``."""
        known = {dimension.value for dimension in enums.Dimension}
        initial: dict[str, Any] = {
            "code": indicator.code,
            "concept": indicator.concept,
            "unit_measure": indicator.unit_measure,
            "decimals": indicator.decimals,
            "dimensions": [d for d in indicator.dimensions if d in known],
            "other_dimensions": " ".join(d for d in indicator.dimensions if d not in known),
            "source": indicator.source,
            "periodicity": indicator.periodicity,
        }
        for kind, field in TEXT_KINDS:
            texts: Mapping[str, str] = getattr(indicator, field) or {}
            for code, _name in interface_languages():
                initial[text_field_name(kind, code)] = texts.get(code, "")
        return initial


# --- Importing a file ----------------------------------------------------------------------


class IndicatorChoiceField(forms.ModelChoiceField[Indicator]):
    def label_from_instance(self, obj: Indicator) -> str:
        name = text_in(obj.names).text
        return f"{obj.code} — {name}" if name else obj.code


def _max_bytes() -> int:
    return int(settings.OBSERVATORY_UPLOAD_MAX_MB) * 2**20


class ImportForm(forms.Form):
    """A file to import as a draft, the indicator it holds, and where it comes from."""

    upload = forms.FileField(
        label=gettext_lazy("Data file"),
        error_messages={"required": gettext_lazy("Choose the file to import.")},
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[(AUTO, gettext_lazy("Recognise it from the file")), *enums.FileFormat.choices],
        required=False,
        initial=AUTO,
    )
    schema = forms.FileField(
        label=gettext_lazy("Table Schema or data package (CSV only)"),
        required=False,
        help_text=gettext_lazy(
            "For a plain CSV file: the Frictionless Table Schema that describes its columns, "
            "or a datapackage.json naming it. An SDMX-CSV file needs none."
        ),
    )
    indicator = IndicatorChoiceField(
        label=gettext_lazy("Indicator"),
        queryset=Indicator.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("The one the file names"),
        help_text=gettext_lazy(
            "An SDMX-CSV file names its dataflow; choose an indicator of the registry when "
            "the file's name for it is not the indicator's code."
        ),
    )
    source_name = forms.CharField(
        label=pgettext_lazy("where figures come from", "Source"),
        max_length=300,
        required=False,
        help_text=gettext_lazy(
            "Who published the figures (for example INE Cabo Verde). Left empty: the data "
            "package's source, else the indicator's."
        ),
    )
    source_url = forms.URLField(
        label=gettext_lazy("Address of the source"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    licence = forms.ChoiceField(
        label=gettext_lazy("Licence"),
        choices=enums.licence_choices,
        initial=enums.DEFAULT_LICENCE,
    )
    retrieved_on = forms.DateField(
        label=gettext_lazy("Date retrieved"), required=False, widget=DATE_INPUT
    )
    note = forms.CharField(
        label=gettext_lazy("Note on the source"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The table or page the figures were taken from, a definition…"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.package = False
        self.package_paths: list[str] = []
        self.table_schema: dict[str, Any] = {}
        self.fields["upload"].help_text = _("SDMX-CSV (1.0 or 2.0) or CSV, at most %(mb)d MB.") % {
            "mb": settings.OBSERVATORY_UPLOAD_MAX_MB
        }

    def clean_upload(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["upload"]
        if (upload.size or 0) > _max_bytes():
            raise ValidationError(
                _(
                    "The file is too large to import here: at most %(mb)d MB. Ask an "
                    "administrator to import it with the command coop4int import_dataset."
                )
                % {"mb": settings.OBSERVATORY_UPLOAD_MAX_MB}
            )
        return upload

    def clean_schema(self) -> UploadedFile | None:
        """A Table Schema (a JSON object with ``fields``, kept in ``table_schema``) or a data
        package (with ``resources``: ``package`` is then True, the resources' paths in
        ``package_paths``)."""
        schema: UploadedFile | None = self.cleaned_data.get("schema")
        if schema is None:
            return None
        if (schema.size or 0) > SCHEMA_MAX_BYTES:
            raise ValidationError(_("The Table Schema is too large: at most 1 MB."))
        try:
            document = json.loads(b"".join(schema.chunks()).decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            document = None
        schema.seek(0)
        if isinstance(document, dict) and isinstance(document.get("resources"), list):
            self.package = True
            self.package_paths = [
                resource["path"]
                for resource in document["resources"]
                if isinstance(resource, dict) and isinstance(resource.get("path"), str)
            ]
        elif isinstance(document, dict) and isinstance(document.get("fields"), list):
            self.table_schema = document
        else:
            raise ValidationError(
                _(
                    "This is neither a Table Schema (a JSON file with its fields) nor a data "
                    "package (a datapackage.json with its resources)."
                )
            )
        return schema

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("schema") is not None and cleaned.get("file_format") == (
            enums.FileFormat.SDMX_CSV
        ):
            self.add_error(
                "schema", _("An SDMX-CSV file describes itself: leave the Table Schema out.")
            )
        return cleaned


# --- Reviewing a dataset -------------------------------------------------------------------


class PublishForm(forms.Form):
    """Publish a draft; a new version says what changed (a first version has nothing to
    say: the form is then a button)."""

    revision_note = forms.CharField(
        label=gettext_lazy("What changed since the published version"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Shown to readers beside the figures: a new release, a correction, a break in "
            "the series…"
        ),
    )

    def __init__(
        self, *args: Any, later_version: bool = False, needs_note: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.needs_note = needs_note
        if not later_version:
            # A first version replaces nothing: there is no change to tell.
            del self.fields["revision_note"]

    def clean_revision_note(self) -> str:
        note = str(self.cleaned_data["revision_note"]).strip()
        if self.needs_note and not note:
            raise ValidationError(
                _("Say what changed since the published version: readers are shown it.")
            )
        return note


class DiscardForm(forms.Form):
    """Discard a draft: a button."""
