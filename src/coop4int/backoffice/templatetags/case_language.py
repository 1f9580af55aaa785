"""``{% case_language case as language %}``: the language of a case as the case page shows it
(its name, whether it was detected) with the form that corrects it."""

from dataclasses import dataclass

from django import template

from coop4int.backoffice.case_language_forms import CaseLanguageForm
from coop4int.cases.domain.case_language import CaseLanguage, language_of_case
from coop4int.cases.models import Case

register = template.Library()


@dataclass(frozen=True, slots=True)
class ShownLanguage:
    language: CaseLanguage
    form: CaseLanguageForm


@register.simple_tag
def case_language(case: Case) -> ShownLanguage:
    return ShownLanguage(
        language=language_of_case(case),
        form=CaseLanguageForm(initial={"language": case.language, "version": case.version}),
    )
