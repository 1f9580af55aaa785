"""Demo Migration Observatory: official figures from public sources, each with its provenance,
and the demo support desk's own quarterly tables.

- Instituto Nacional de Estatística de Cabo Verde (INE), V Recenseamento Geral da População e
  Habitação 2021 (RGPH 2021): 491,233 residents, of whom 10,875 foreign nationals (2.2 %), and
  18,562 residents born abroad.
- United Nations, Department of Economic and Social Affairs, Population Division (UN DESA),
  International Migrant Stock 2020, Cabo Verde: 15,788 international migrants (7,985 men,
  7,803 women), 2.84 % of a population of 555,988.

The files are kept in ``observatory_data/`` beside this module (SDMX-CSV 2.0 and 1.0, and CSV
described by a Frictionless Table Schema) and imported through the observatory's import, as an
analyst's would be; the three concepts — foreign nationals, the foreign-born and the
international migrant stock — are separate indicators. The platform's own tables of the last
quarter that ended are drafted from the demo's records and published (most of their cells are
suppressed: the demo holds few people). The library holds one study, a short methodological
note of the demo observatory (written here, drawn as a PDF when loading). Loading twice
changes nothing (an indicator that has a dataset is left as it is).
"""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from weasyprint import HTML

from coop4int.accounts.models import User
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.domain import platform_tables
from coop4int.observatory.domain.datasets import Provenance, import_dataset, publish_dataset
from coop4int.observatory.domain.studies import add_study, publish_study
from coop4int.observatory.enums import Concept, Dimension, Periodicity, UnitOfMeasure
from coop4int.observatory.models import Dataset, Indicator, Study

DATA = Path(__file__).with_name("observatory_data")
ANALYST = "analista"

INE = Provenance(
    source_name=(
        "Instituto Nacional de Estatística de Cabo Verde (INE), V Recenseamento Geral da "
        "População e Habitação 2021 (RGPH 2021)"
    ),
    source_url="https://ine.cv/",
    licence="other",
    retrieved_on=date(2026, 12, 6),
    note=(
        "Figures of the census published by INE Cabo Verde, reproduced citing the source. "
        "Residents on the census date; a foreign national has no Cabo Verdean citizenship."
    ),
)
UN_DESA = Provenance(
    source_name=(
        "United Nations, Department of Economic and Social Affairs, Population Division (2020). "
        "International Migrant Stock 2020"
    ),
    source_url="https://www.un.org/development/desa/pd/content/international-migrant-stock",
    licence="CC-BY-3.0-IGO",
    retrieved_on=date(2026, 12, 6),
    note=(
        "Estimates at mid-year 2020: people living in a country other than their country of "
        "birth (or of citizenship where birthplace is not recorded). The share is of UN DESA's "
        "own estimate of the total population (555,988), not of the census count."
    ),
)


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    concept: Concept
    unit: UnitOfMeasure
    decimals: int
    dimensions: tuple[str, ...]
    periodicity: Periodicity
    source: str
    names: dict[str, str]
    definitions: dict[str, str]
    file: str
    provenance: Provenance


INDICATORS = (
    DemoIndicator(
        code="POP_RESIDENT",
        concept=Concept.RESIDENT_POPULATION,
        unit=UnitOfMeasure.PERSONS,
        decimals=0,
        dimensions=(),
        periodicity=Periodicity.DECENNIAL,
        source="INE Cabo Verde, RGPH 2021",
        names={
            "pt": "População residente",
            "kea": "Populason residenti",
            "en": "Resident population",
            "fr": "Population résidente",
        },
        definitions={
            "pt": "Pessoas que residem habitualmente em Cabo Verde na data do recenseamento.",
            "kea": "Pesoas ki ta mora na Kabu Verdi na data di resenseamentu.",
            "en": "People usually resident in Cabo Verde on the census date.",
            "fr": "Personnes résidant habituellement au Cap-Vert à la date du recensement.",
        },
        file="ine-rgph-2021-population.csv",
        provenance=INE,
    ),
    DemoIndicator(
        code="FOREIGN_NATIONALS",
        concept=Concept.FOREIGN_NATIONALS,
        unit=UnitOfMeasure.PERSONS,
        decimals=0,
        dimensions=(),
        periodicity=Periodicity.DECENNIAL,
        source="INE Cabo Verde, RGPH 2021",
        names={
            "pt": "Residentes de nacionalidade estrangeira",
            "kea": "Residentis di nasionalidadi stranjeru",
            "en": "Residents of foreign nationality",
            "fr": "Résidents de nationalité étrangère",
        },
        definitions={
            "pt": "Residentes sem nacionalidade cabo-verdiana, qualquer que seja o país onde "
            "nasceram.",
            "kea": "Residentis sen nasionalidadi kabuverdianu, undi ki es nase.",
            "en": "Residents without Cabo Verdean citizenship, wherever they were born.",
            "fr": "Résidents sans la nationalité cap-verdienne, quel que soit leur pays de "
            "naissance.",
        },
        file="ine-rgph-2021-foreign-nationals.sdmx.csv",
        provenance=INE,
    ),
    DemoIndicator(
        code="FOREIGN_NATIONALS_SHARE",
        concept=Concept.FOREIGN_NATIONALS,
        unit=UnitOfMeasure.PERCENT,
        decimals=1,
        dimensions=(),
        periodicity=Periodicity.DECENNIAL,
        source="INE Cabo Verde, RGPH 2021",
        names={
            "pt": "Residentes de nacionalidade estrangeira, em % da população residente",
            "kea": "Residentis di nasionalidadi stranjeru, en % di populason residenti",
            "en": "Residents of foreign nationality, as a % of the resident population",
            "fr": "Résidents de nationalité étrangère, en % de la population résidente",
        },
        definitions={
            "pt": "Residentes sem nacionalidade cabo-verdiana por 100 residentes.",
            "kea": "Residentis sen nasionalidadi kabuverdianu pa kada 100 residenti.",
            "en": "Residents without Cabo Verdean citizenship per 100 residents.",
            "fr": "Résidents sans la nationalité cap-verdienne pour 100 résidents.",
        },
        file="ine-rgph-2021-foreign-share.sdmx.csv",
        provenance=INE,
    ),
    DemoIndicator(
        code="FOREIGN_BORN",
        concept=Concept.FOREIGN_BORN,
        unit=UnitOfMeasure.PERSONS,
        decimals=0,
        dimensions=(),
        periodicity=Periodicity.DECENNIAL,
        source="INE Cabo Verde, RGPH 2021",
        names={
            "pt": "Residentes nascidos no estrangeiro",
            "kea": "Residentis ki nase na stranjeru",
            "en": "Residents born abroad",
            "fr": "Résidents nés à l'étranger",
        },
        definitions={
            "pt": "Residentes nascidos fora de Cabo Verde, qualquer que seja a sua "
            "nacionalidade (incluindo cabo-verdianos nascidos no estrangeiro).",
            "kea": "Residentis ki nase fora di Kabu Verdi, kualker ki e se nasionalidadi "
            "(ku kabuverdianus ki nase na stranjeru tanbe).",
            "en": "Residents born outside Cabo Verde, whatever their citizenship (Cabo "
            "Verdeans born abroad included).",
            "fr": "Résidents nés hors du Cap-Vert, quelle que soit leur nationalité (Cap-"
            "Verdiens nés à l'étranger compris).",
        },
        file="ine-rgph-2021-foreign-born.csv",
        provenance=INE,
    ),
    DemoIndicator(
        code="MIGRANT_STOCK",
        concept=Concept.MIGRANT_STOCK,
        unit=UnitOfMeasure.PERSONS,
        decimals=0,
        dimensions=(Dimension.SEX.value,),
        periodicity=Periodicity.QUINQUENNIAL,
        source="UN DESA, International Migrant Stock 2020",
        names={
            "pt": "Stock de migrantes internacionais (ONU)",
            "kea": "Stock di migranti internasional (ONU)",
            "en": "International migrant stock (UN)",
            "fr": "Stock de migrants internationaux (ONU)",
        },
        definitions={
            "pt": "Estimativa das Nações Unidas das pessoas que vivem num país que não o do "
            "seu nascimento, a meio do ano.",
            "kea": "Stimativa di Nasons Unidas di pesoas ki ta mora na un pais ki ka sta di se "
            "nasimentu, na meiu di anu.",
            "en": "The United Nations' estimate of the people living in a country other than "
            "their country of birth, at mid-year.",
            "fr": "Estimation des Nations unies des personnes vivant dans un pays autre que "
            "leur pays de naissance, en milieu d'année.",
        },
        file="un-desa-ims-2020-migrant-stock.sdmx.csv",
        provenance=UN_DESA,
    ),
    DemoIndicator(
        code="MIGRANT_STOCK_SHARE",
        concept=Concept.MIGRANT_STOCK,
        unit=UnitOfMeasure.PERCENT,
        decimals=2,
        dimensions=(Dimension.SEX.value,),
        periodicity=Periodicity.QUINQUENNIAL,
        source="UN DESA, International Migrant Stock 2020",
        names={
            "pt": "Migrantes internacionais, em % da população (ONU)",
            "kea": "Migranti internasional, en % di populason (ONU)",
            "en": "International migrants, as a % of the population (UN)",
            "fr": "Migrants internationaux, en % de la population (ONU)",
        },
        definitions={
            "pt": "O stock de migrantes internacionais por 100 habitantes, segundo as "
            "estimativas de população das Nações Unidas.",
            "kea": "Stock di migranti internasional pa kada 100 abitanti, sugundu stimativas "
            "di populason di Nasons Unidas.",
            "en": "The international migrant stock per 100 inhabitants, by the United "
            "Nations' population estimates.",
            "fr": "Le stock de migrants internationaux pour 100 habitants, selon les "
            "estimations de population des Nations unies.",
        },
        file="un-desa-ims-2020-migrant-share.sdmx.csv",
        provenance=UN_DESA,
    ),
)

NOTES = {
    "pt": "Não comparar com os outros conceitos: estrangeiros (nacionalidade), nascidos no "
    "estrangeiro (naturalidade) e stock de migrantes (estimativa da ONU) contam pessoas "
    "diferentes.",
    "kea": "Ka bu kumpara ku otus konseitu: stranjerus (nasionalidadi), nasidu na stranjeru "
    "(naturalidadi) y stock di migranti (stimativa di ONU) ta konta pesoas diferenti.",
    "en": "Not to be compared with the other concepts: foreign nationals (citizenship), the "
    "foreign-born (country of birth) and the migrant stock (a UN estimate) count different "
    "people.",
    "fr": "À ne pas comparer avec les autres notions : étrangers (nationalité), nés à "
    "l'étranger (pays de naissance) et stock de migrants (estimation de l'ONU) comptent des "
    "personnes différentes.",
}


def load(*, now: datetime) -> None:
    analyst = User.objects.filter(username=ANALYST).first()
    with transaction.atomic():
        for spec in INDICATORS:
            indicator, _created = Indicator.objects.get_or_create(
                code=spec.code,
                defaults={
                    "names": spec.names,
                    "definitions": spec.definitions,
                    "notes": NOTES,
                    "concept": spec.concept,
                    "unit_measure": spec.unit,
                    "decimals": spec.decimals,
                    "dimensions": list(spec.dimensions),
                    "source": spec.source,
                    "periodicity": spec.periodicity,
                },
            )
            if Dataset.objects.filter(indicator=indicator).exists():
                continue
            dataset = import_dataset(
                path=DATA / spec.file,
                indicator_code=spec.code,
                provenance=spec.provenance,
                actor=analyst,
            )
            publish_dataset(dataset=dataset, actor=analyst, now=now)
    load_platform_tables(now=now, actor=analyst)
    load_study(now=now, actor=analyst)


def load_platform_tables(*, now: datetime, actor: User | None) -> None:
    """The last ended quarter's tables of the demo's records, drafted and published once."""
    if Dataset.objects.filter(origin="platform").exists():
        return
    previous = platform_tables.last_ended_quarter(now)
    for dataset in platform_tables.draft_platform_tables(quarter=previous, actor=actor, now=now):
        publish_dataset(dataset=dataset, actor=actor, now=now)


STUDY_TITLE = "Três maneiras de contar os imigrantes: nota metodológica"
STUDY_ABSTRACT = (
    "Estrangeiros residentes, residentes nascidos no estrangeiro e stock de migrantes "
    "internacionais são três conceitos diferentes. Esta nota explica o que cada um conta, de "
    "onde vêm os números do recenseamento de 2021 (INE) e das estimativas de 2020 da ONU, e "
    "porque não se subtraem uns aos outros."
)
STUDY_BODY = f"""<html lang="pt"><head><meta charset="utf-8"><title>{STUDY_TITLE}</title></head>
<body><h1>{STUDY_TITLE}</h1><p>Observatório das Migrações (demonstração)</p>
<p>{STUDY_ABSTRACT}</p>
<h2>Estrangeiros</h2><p>O recenseamento de 2021 contou 10 875 residentes de nacionalidade
estrangeira, 2,2 % de 491 233 residentes.</p>
<h2>Nascidos no estrangeiro</h2><p>18 562 residentes nasceram fora de Cabo Verde, incluindo
cabo-verdianos.</p>
<h2>Stock de migrantes</h2><p>A ONU estimou 15 788 migrantes internacionais em 2020 (7 985
homens, 7 803 mulheres), 2,84 % de uma população estimada em 555 988.</p></body></html>"""


def load_study(*, now: datetime, actor: User | None) -> None:
    if Study.objects.exists():
        return
    pdf = HTML(string=STUDY_BODY).write_pdf()
    topics = TaxonomyTerm.objects.filter(code__in=["documentation-residence", "nationality"])
    study = add_study(
        actor=actor,
        title=STUDY_TITLE,
        authors="Observatório das Migrações (demonstração)",
        published_on=now.date(),
        language="pt",
        abstract=STUDY_ABSTRACT,
        topics=list(topics),
        licence="CC-BY-4.0",
        upload=SimpleUploadedFile("nota-metodologica.pdf", pdf, "application/pdf"),
    )
    publish_study(study=study, actor=actor, now=now)
