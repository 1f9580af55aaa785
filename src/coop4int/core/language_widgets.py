"""Form widgets whose options are languages, each option marked with its language: its label is
the language's own name ("Français" on a Portuguese page), read out in that language."""

from typing import Any

from django import forms

from coop4int.core.languages import REGISTRY


class LanguageSelect(forms.Select):
    """A select whose options with a registry language as their value carry ``lang``."""

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in REGISTRY:
            option["attrs"] = {**option["attrs"], "lang": str(value)}
        return option


class _ObjectLanguageOptions:
    """Options of model instances (a ModelChoiceField) carry the language their label is
    written in: the instance's ``language`` (a service's name is in the service's language)."""

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(  # type: ignore[misc]
            name, value, label, selected, index, subindex, attrs
        )
        language = getattr(getattr(value, "instance", None), "language", "")
        if language:
            option["attrs"] = {**option["attrs"], "lang": language}
        return option


class TextLanguageSelect(_ObjectLanguageOptions, forms.Select):
    pass


class TextLanguageSelectMultiple(_ObjectLanguageOptions, forms.SelectMultiple):
    pass
