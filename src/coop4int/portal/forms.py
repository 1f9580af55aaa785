from typing import Any
from uuid import UUID

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coop4int.core.language_widgets import LanguageSelect
from coop4int.core.languages import REGISTRY
from coop4int.directory.domain.queries import DirectoryFilter, Facets


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    island = forms.ChoiceField(label=_("Island"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    topic = forms.ChoiceField(label=pgettext_lazy("directory filter", "Topic"), required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False, widget=LanguageSelect)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    walk_in = forms.BooleanField(label=_("Walk-in, no appointment"), required=False)
    accessible = forms.BooleanField(label=_("Accessible"), required=False)

    def __init__(self, *args: Any, facets: Facets, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        fields = self.fields
        fields["island"].choices = anything + [(i, i) for i in facets.islands]  # type: ignore[attr-defined]
        fields["municipality"].choices = anything + [(m, m) for m in facets.municipalities]  # type: ignore[attr-defined]
        fields["topic"].choices = anything + [  # type: ignore[attr-defined]
            (str(term.id), term.names.get(language) or term.name) for term in facets.topics
        ]
        fields["language"].choices = anything + [  # type: ignore[attr-defined]
            (code, REGISTRY[code].native_name if code in REGISTRY else code)
            for code in facets.languages
        ]

    def criteria(self) -> DirectoryFilter:
        if not self.is_valid():
            return DirectoryFilter()
        data = self.cleaned_data
        return DirectoryFilter(
            q=data["q"],
            island=data["island"],
            municipality=data["municipality"],
            topic=UUID(data["topic"]) if data["topic"] else None,
            language=data["language"],
            open_now=data["open_now"],
            walk_in=data["walk_in"],
            accessible=data["accessible"],
        )
