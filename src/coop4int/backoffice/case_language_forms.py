"""The form that corrects the language of a case."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coop4int.backoffice.case_forms import VersionedForm
from coop4int.core.languages import language_choices


class CaseLanguageForm(VersionedForm):
    prefix = "case-language"

    language = forms.ChoiceField(label=_("Language of the person"), choices=language_choices)
