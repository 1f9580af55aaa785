"""Demo local integration plan: Praia's municipal plan for the integration of migrants, written
by the municipality's plan coordinator with the migrant associations, approved by AAI and in
force, with measures in seven intervention areas, one approved semester report and one in draft.

- The municipality is a partner unit ("Câmara Municipal da Praia (demo)", municipality Praia)
  holding the municipal coordinator's account ``coordenador.municipio.praia``; a migrant
  association of Praia is another, with a partner account ``parceiro.associacao``; both are
  organisations of the directory (the plan's coordinating body and a measure's responsible).
- The plan runs from last year to next year (from the date of loading); the approved report is
  the last semester that ended, the draft the current one.
- Two indicators are the observatory's census figures (INE, RGPH 2021). The observatory holds
  them for the whole country only (no MUNICIPALITY breakdown), so the plan follows the national
  series; three are counts from the platform's own records in Praia (cases, people trained,
  campaigns); the others are reported by the partners.

Everything is written through the plans' domain functions, as a coordinator's and an
administrator's pages would. Loading twice changes nothing (a plan with the demo's short name
is left as it is).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from coop4int.accounts.domain.authentication import TOTP_DEVICE_NAME
from coop4int.accounts.domain.staff import create_staff_account
from coop4int.accounts.enums import Island, Role, UnitKind
from coop4int.accounts.models import AuthenticatorDevice, Unit, User
from coop4int.demo.directory import demo_id
from coop4int.demo.learning import PORTUGUESE_FOR_WORK
from coop4int.demo.organisation import DEMO_PASSWORD
from coop4int.directory.models import Organization, Service
from coop4int.localplans.domain import evaluation, measures, plans, reports
from coop4int.localplans.domain.measures import Funding, IndicatorDetails, MeasureDetails
from coop4int.localplans.domain.plans import MemberDetails, PlanDetails
from coop4int.localplans.domain.reports import EntryInput, ValueInput
from coop4int.localplans.enums import (
    ConsultationKind,
    DefaultArea,
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
from coop4int.localplans.models import InterventionArea, Measure, MonitoringReport, Plan

ZONE = ZoneInfo("Atlantic/Cape_Verde")
PLAN_SLUG = "praia"
PRAIA = "CV-PR"
COORDINATOR = "coordenador.municipio.praia"
ASSOCIATION_USER = "parceiro.associacao"
MUNICIPALITY_UNIT = "camara-praia"
ASSOCIATION_UNIT = "associacao-imigrantes-praia"
EU_FUND = "Fundo de cooperação da União Europeia (demo)"
MUNICIPAL_BUDGET = "Câmara Municipal da Praia"


@dataclass(frozen=True)
class DemoPartner:
    unit: str
    name: str
    description: str
    account: str
    first_name: str
    last_name: str
    role: Role


PARTNERS = (
    DemoPartner(
        MUNICIPALITY_UNIT, "Câmara Municipal da Praia (demo)",
        "Município da Praia: coordena o plano municipal para a integração dos imigrantes "
        "(demo).",
        COORDINATOR, "Djamila", "Rodrigues", Role.MUNICIPAL_COORDINATOR,
    ),
    DemoPartner(
        ASSOCIATION_UNIT, "Associação dos Imigrantes da África Ocidental na Praia (demo)",
        "Associação de imigrantes: acolhimento, mediação e participação cívica das comunidades "
        "da África Ocidental na Praia (demo).",
        ASSOCIATION_USER, "Mamadou", "Sané", Role.PARTNER_USER,
    ),
)  # fmt: skip


def _partners() -> dict[str, Organization]:
    """The municipality and the association: units, accounts and directory organisations,
    created when missing."""
    organisations = {}
    for spec in PARTNERS:
        unit, _created = Unit.objects.get_or_create(
            slug=spec.unit,
            defaults={
                "name": spec.name,
                "kind": UnitKind.PARTNER,
                "island": Island.SANTIAGO,
                "municipality": "Praia",
                "is_demo": True,
            },
        )
        user = User.objects.filter(username=spec.account).first()
        if user is None:
            user = create_staff_account(
                actor=None, unit=unit, username=spec.account,
                email=f"{spec.account}@demo.coop4int.example", first_name=spec.first_name,
                last_name=spec.last_name, roles=[spec.role], password=DEMO_PASSWORD,
                is_demo=True,
            )  # fmt: skip
        AuthenticatorDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": TOTP_DEVICE_NAME}
        )
        organisations[spec.unit], _created = Organization.objects.get_or_create(
            pk=demo_id(Organization, f"partner/{spec.unit}"),
            defaults={
                "name": spec.name,
                "description": spec.description,
                "unit": unit,
                "is_demo": True,
            },
        )
    return organisations


def _areas() -> dict[str, InterventionArea]:
    """The intervention areas, the default ones added when missing (a database emptied by a
    restore has lost the migration's rows)."""
    held = {area.code: area for area in InterventionArea.objects.all()}
    for position, code in enumerate(DefaultArea.values, start=1):
        if code not in held:
            held[code] = measures.configure_area(
                actor=None, code=code, names={}, position=position, active=True
            )
    return held


def _semesters(today: date) -> tuple[tuple[int, int], tuple[int, int]]:
    """The last semester that ended before ``today`` and the current one, as (year, semester)."""
    if today.month <= 6:
        return (today.year - 1, 2), (today.year, 1)
    return (today.year, 1), (today.year, 2)


def _text(pt: str, fr: str, en: str, kea: str = "") -> dict[str, str]:
    texts = {"pt": pt, "fr": fr, "en": en}
    if kea:
        texts["kea"] = kea
    return texts


TITLE = _text(
    "Plano Municipal para a Integração dos Imigrantes da Praia",
    "Plan municipal pour l'intégration des immigrés de Praia",
    "Praia's Municipal Plan for the Integration of Immigrants",
    "Planu Munisipal pa Integrason di Imigranti na Praia",
)
SUMMARY = _text(
    "O plano reúne a Câmara Municipal, os serviços públicos e as associações de imigrantes da "
    "Praia em torno de medidas concretas: acolher e informar, dar acesso ao emprego, à língua, "
    "à saúde e à habitação, e dar voz às comunidades imigrantes na vida do município.",
    "Le plan réunit la mairie, les services publics et les associations d'immigrés de Praia "
    "autour de mesures concrètes : accueillir et informer, ouvrir l'accès à l'emploi, à la "
    "langue, à la santé et au logement, et donner une voix aux communautés immigrées dans la vie "
    "de la commune.",
    "The plan brings Praia's municipality, public services and migrant associations together "
    "around concrete measures: welcoming and informing, access to work, language, health and "
    "housing, and a voice for migrant communities in the life of the municipality.",
)
ANALYSIS = _text(
    "A Praia concentra a maior parte dos residentes estrangeiros do país, sobretudo da África "
    "Ocidental. As consultas apontaram três dificuldades: a informação sobre os documentos, o "
    "acesso ao trabalho formal e a língua portuguesa. As mulheres imigrantes pediram horários de "
    "formação compatíveis com o trabalho e os filhos.",
    "Praia concentre la plupart des résidents étrangers du pays, surtout d'Afrique de l'Ouest. "
    "Les consultations ont relevé trois difficultés : l'information sur les papiers, l'accès au "
    "travail déclaré et la langue portugaise. Les femmes immigrées ont demandé des horaires de "
    "formation compatibles avec le travail et les enfants.",
    "Praia is home to most of the country's foreign residents, mainly from West Africa. The "
    "consultations pointed to three difficulties: information about papers, access to formal "
    "work and the Portuguese language. Migrant women asked for training hours that fit work and "
    "children.",
)


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name: dict[str, str]
    unit: IndicatorUnit
    source: IndicatorSource
    baseline: Decimal | None
    # Targets by year of the plan: 0 the first year, 1 the second, 2 the third.
    targets: tuple[Decimal, ...]
    observatory_code: str = ""
    platform_count: str = ""
    # The value reported in the approved report (None: taken from the source, or not known).
    reported: Decimal | None = None
    direction: Direction = Direction.INCREASE


@dataclass(frozen=True)
class DemoMeasure:
    area: str
    objective: dict[str, str]
    code: str
    title: dict[str, str]
    description: dict[str, str]
    target_group: dict[str, str]
    responsible: str
    partners: tuple[str, ...]
    budget: Decimal
    eu_share: Decimal | None
    links: tuple[tuple[LinkKind, str], ...]
    indicators: tuple[DemoIndicator, ...]
    # Progress and status at the end of the last semester, then now.
    reported: tuple[int, MeasureStatus]
    current: tuple[int, MeasureStatus]
    # The years of the plan it runs (0 the first): (from, to).
    years: tuple[int, int] = (0, 2)


IN_PROGRESS = MeasureStatus.IN_PROGRESS
AAI = "aai"
IEFP = "partner/iefp"
HEALTH_CENTRE = "partner/centro-saude-achada"
D = Decimal

MEASURES = (
    DemoMeasure(
        area=DefaultArea.RECEPTION,
        objective=_text(
            "Acolher e informar quem chega à Praia",
            "Accueillir et informer les personnes qui arrivent à Praia",
            "Welcome and inform people arriving in Praia",
            "Kolhe y informa kenha ki ta tchiga na Praia",
        ),
        code="M1.1",
        title=_text(
            "Balcão municipal de atendimento ao imigrante",
            "Guichet municipal d'accueil des immigrés",
            "Municipal help desk for immigrants",
            "Balkon munisipal pa atendi imigranti",
        ),
        description=_text(
            "Um balcão na Câmara, em articulação com a unidade local da AAI, que informa e "
            "encaminha sobre documentos, trabalho, saúde e escola, em português, crioulo, "
            "francês e inglês.",
            "Un guichet à la mairie, avec l'unité locale de l'AAI, qui informe et oriente sur "
            "les papiers, le travail, la santé et l'école, en portugais, en créole, en français "
            "et en anglais.",
            "A desk at the town hall, with AAI's local unit, that informs and refers people on "
            "papers, work, health and school, in Portuguese, Creole, French and English.",
        ),
        target_group=_text(
            "Imigrantes residentes na Praia",
            "Immigrés résidant à Praia",
            "Immigrants living in Praia",
        ),
        responsible=MUNICIPALITY_UNIT,
        partners=(AAI, ASSOCIATION_UNIT),
        budget=D("2400000"),
        eu_share=D(75),
        links=((LinkKind.SERVICE, "aai/praia/walk-in"),),
        indicators=(
            DemoIndicator(
                "I1.1.1",
                _text(
                    "Pedidos de apoio recebidos na Praia",
                    "Demandes d'aide reçues à Praia",
                    "Requests for support received in Praia",
                ),
                IndicatorUnit.NUMBER,
                IndicatorSource.PLATFORM,
                D(40),
                (D(60), D(80), D(100)),
                platform_count=PlatformCount.CASES,
            ),
            DemoIndicator(
                "I1.1.2",
                _text(
                    "Residentes de nacionalidade estrangeira (recenseamento, todo o país)",
                    "Résidents de nationalité étrangère (recensement, tout le pays)",
                    "Residents of foreign nationality (census, whole country)",
                ),
                IndicatorUnit.PERSONS,
                IndicatorSource.OBSERVATORY,
                D(10875),
                (),
                observatory_code="FOREIGN_NATIONALS",
            ),
        ),
        reported=(40, IN_PROGRESS),
        current=(55, IN_PROGRESS),
    ),
    DemoMeasure(
        area=DefaultArea.LABOUR,
        objective=_text(
            "Abrir o acesso ao trabalho formal",
            "Ouvrir l'accès au travail déclaré",
            "Open access to formal work",
            "Abri kaminhu pa trabadju formal",
        ),
        code="M2.1",
        title=_text(
            "Orientação profissional e apoio ao empreendedorismo",
            "Orientation professionnelle et appui à l'entrepreneuriat",
            "Career guidance and support for entrepreneurs",
            "Orientason profisional y apoiu pa empreendedoris",
        ),
        description=_text(
            "Sessões mensais do IEFP para imigrantes: inscrição no emprego, reconhecimento de "
            "competências e apoio à formalização de pequenos negócios.",
            "Des séances mensuelles de l'IEFP pour les immigrés : inscription à l'emploi, "
            "reconnaissance des compétences et aide à la déclaration des petits commerces.",
            "Monthly IEFP sessions for immigrants: job registration, recognition of skills and "
            "help to register small businesses.",
        ),
        target_group=_text(
            "Imigrantes à procura de emprego e pequenos comerciantes",
            "Immigrés en recherche d'emploi et petits commerçants",
            "Immigrants looking for work and small traders",
        ),
        responsible=IEFP,
        partners=(MUNICIPALITY_UNIT, ASSOCIATION_UNIT),
        budget=D("3600000"),
        eu_share=D(75),
        links=((LinkKind.SERVICE, "partner/iefp/emprego"),),
        indicators=(
            DemoIndicator(
                "I2.1.1",
                _text(
                    "Imigrantes inscritos no emprego",
                    "Immigrés inscrits à l'emploi",
                    "Immigrants registered for work",
                ),
                IndicatorUnit.PERSONS,
                IndicatorSource.MANUAL,
                D(25),
                (D(50), D(90), D(130)),
                reported=D(34),
            ),
        ),
        reported=(30, IN_PROGRESS),
        current=(45, IN_PROGRESS),
    ),
    DemoMeasure(
        area=DefaultArea.EDUCATION,
        objective=_text(
            "Aprender português para trabalhar e participar",
            "Apprendre le portugais pour travailler et participer",
            "Learn Portuguese to work and take part",
            "Prende purtugês pa trabadja y partisipa",
        ),
        code="M3.1",
        title=_text(
            "Cursos de português para o trabalho",
            "Cours de portugais pour le travail",
            "Portuguese for work courses",
            "Kursu di purtugês pa trabadju",
        ),
        description=_text(
            "Cursos de 40 horas em horário pós-laboral, com acolhimento das crianças durante as "
            "aulas.",
            "Des cours de 40 heures après le travail, avec une garde des enfants pendant les "
            "cours.",
            "40-hour courses after working hours, with childcare during the lessons.",
        ),
        target_group=_text(
            "Imigrantes adultos que não falam português",
            "Immigrés adultes qui ne parlent pas portugais",
            "Adult immigrants who do not speak Portuguese",
        ),
        responsible=MUNICIPALITY_UNIT,
        partners=(IEFP,),
        budget=D("1800000"),
        eu_share=D(75),
        links=((LinkKind.COURSE, PORTUGUESE_FOR_WORK),),
        indicators=(
            DemoIndicator(
                "I3.1.1",
                _text(
                    "Pessoas formadas (cursos concluídos)",
                    "Personnes formées (cours achevés)",
                    "People trained (courses completed)",
                ),
                IndicatorUnit.PERSONS,
                IndicatorSource.PLATFORM,
                D(0),
                (D(24), D(48), D(72)),
                platform_count=PlatformCount.PEOPLE_TRAINED,
            ),
        ),
        reported=(35, IN_PROGRESS),
        current=(50, IN_PROGRESS),
    ),
    DemoMeasure(
        area=DefaultArea.HEALTH,
        objective=_text(
            "Garantir o acesso aos cuidados de saúde",
            "Garantir l'accès aux soins de santé",
            "Ensure access to health care",
            "Garanti asesu a saúdi",
        ),
        code="M4.1",
        title=_text(
            "Mediadores de saúde nas comunidades",
            "Médiateurs de santé dans les communautés",
            "Health mediators in the communities",
            "Mediadoris di saúdi na komunidadis",
        ),
        description=_text(
            "Dois mediadores das comunidades acompanham a inscrição no centro de saúde, a "
            "vacinação e as consultas materno-infantis.",
            "Deux médiateurs issus des communautés accompagnent l'inscription au centre de "
            "santé, la vaccination et les consultations mère-enfant.",
            "Two mediators from the communities help people register at the health centre, get "
            "vaccinated and attend mother-and-child consultations.",
        ),
        target_group=_text(
            "Famílias imigrantes, em especial mulheres e crianças",
            "Familles immigrées, surtout les femmes et les enfants",
            "Migrant families, women and children first",
        ),
        responsible=HEALTH_CENTRE,
        partners=(ASSOCIATION_UNIT,),
        budget=D("1500000"),
        eu_share=None,
        links=((LinkKind.SERVICE, "partner/centro-saude-achada/consultas"),),
        indicators=(
            DemoIndicator(
                "I4.1.1",
                _text(
                    "Imigrantes inscritos no centro de saúde",
                    "Immigrés inscrits au centre de santé",
                    "Immigrants registered at the health centre",
                ),
                IndicatorUnit.PERSONS,
                IndicatorSource.MANUAL,
                D(120),
                (D(200), D(280), D(350)),
                reported=D(150),
            ),
        ),
        reported=(50, IN_PROGRESS),
        current=(60, IN_PROGRESS),
    ),
    DemoMeasure(
        area=DefaultArea.HOUSING,
        objective=_text(
            "Conhecer e melhorar as condições de habitação",
            "Connaître et améliorer les conditions de logement",
            "Know and improve housing conditions",
            "Konxe y midjora kondisons di kaza",
        ),
        code="M5.1",
        title=_text(
            "Levantamento da habitação nos bairros de acolhimento",
            "Relevé du logement dans les quartiers d'accueil",
            "Survey of housing in the neighbourhoods where migrants settle",
            "Levantamentu di kaza na bairus",
        ),
        description=_text(
            "Um levantamento das condições de habitação em três bairros, com as associações de "
            "moradores, para orientar a reabilitação urbana.",
            "Un relevé des conditions de logement dans trois quartiers, avec les associations "
            "d'habitants, pour orienter la réhabilitation urbaine.",
            "A survey of housing conditions in three neighbourhoods, with residents' "
            "associations, to guide urban renewal.",
        ),
        target_group=_text(
            "Moradores dos bairros de acolhimento",
            "Habitants des quartiers d'accueil",
            "Residents of the neighbourhoods where migrants settle",
        ),
        responsible=MUNICIPALITY_UNIT,
        partners=(ASSOCIATION_UNIT,),
        budget=D("900000"),
        eu_share=None,
        links=(),
        indicators=(
            DemoIndicator(
                "I5.1.1",
                _text(
                    "Bairros com levantamento concluído",
                    "Quartiers dont le relevé est achevé",
                    "Neighbourhoods surveyed",
                ),
                IndicatorUnit.NUMBER,
                IndicatorSource.MANUAL,
                D(0),
                (D(1), D(3), D(3)),
                reported=D(1),
            ),
        ),
        reported=(20, IN_PROGRESS),
        current=(30, IN_PROGRESS),
        years=(0, 1),
    ),
    DemoMeasure(
        area=DefaultArea.CITIZENSHIP,
        objective=_text(
            "Dar voz às comunidades imigrantes",
            "Donner une voix aux communautés immigrées",
            "Give migrant communities a voice",
            "Da vos a komunidadis imigranti",
        ),
        code="M6.1",
        title=_text(
            "Conselho municipal das comunidades imigrantes",
            "Conseil municipal des communautés immigrées",
            "Municipal council of migrant communities",
            "Konsedju munisipal di komunidadis imigranti",
        ),
        description=_text(
            "Um conselho consultivo que reúne as associações de imigrantes com a Câmara duas "
            "vezes por ano e dá parecer sobre o plano.",
            "Un conseil consultatif qui réunit les associations d'immigrés et la mairie deux "
            "fois par an et donne son avis sur le plan.",
            "An advisory council that brings migrant associations and the municipality together "
            "twice a year and gives its opinion on the plan.",
        ),
        target_group=_text(
            "Associações de imigrantes", "Associations d'immigrés", "Migrant associations"
        ),
        responsible=ASSOCIATION_UNIT,
        partners=(MUNICIPALITY_UNIT,),
        budget=D("300000"),
        eu_share=None,
        links=(),
        indicators=(
            DemoIndicator(
                "I6.1.1",
                _text(
                    "Reuniões do conselho realizadas",
                    "Réunions du conseil tenues",
                    "Council meetings held",
                ),
                IndicatorUnit.EVENTS,
                IndicatorSource.MANUAL,
                D(0),
                (D(2), D(4), D(6)),
                reported=D(2),
            ),
            DemoIndicator(
                "I6.1.2",
                _text(
                    "Residentes de nacionalidade estrangeira, em % da população (todo o país)",
                    "Résidents de nationalité étrangère, en % de la population (tout le pays)",
                    "Residents of foreign nationality, as a % of the population (whole country)",
                ),
                IndicatorUnit.PERCENT,
                IndicatorSource.OBSERVATORY,
                D("2.2"),
                (),
                observatory_code="FOREIGN_NATIONALS_SHARE",
            ),
        ),
        reported=(50, IN_PROGRESS),
        current=(50, IN_PROGRESS),
    ),
    DemoMeasure(
        area=DefaultArea.RACISM,
        objective=_text(
            "Combater o racismo e a discriminação",
            "Combattre le racisme et les discriminations",
            "Fight racism and discrimination",
            "Kumbati rasismu y diskriminason",
        ),
        code="M7.1",
        title=_text(
            "Campanha «Praia, cidade de todos»",
            "Campagne « Praia, ville de tous »",
            "“Praia, everyone's city” campaign",
            "Kanpanha «Praia, sidadi di tudu algen»",
        ),
        description=_text(
            "Uma campanha na rádio, nas escolas e nos mercados contra os preconceitos, feita "
            "com as associações de imigrantes.",
            "Une campagne à la radio, dans les écoles et sur les marchés contre les préjugés, "
            "menée avec les associations d'immigrés.",
            "A campaign on the radio, in schools and at markets against prejudice, made with "
            "the migrant associations.",
        ),
        target_group=_text("População da Praia", "Population de Praia", "Praia's population"),
        responsible=MUNICIPALITY_UNIT,
        partners=(ASSOCIATION_UNIT, AAI),
        budget=D("750000"),
        eu_share=D(75),
        links=(),
        indicators=(
            DemoIndicator(
                "I7.1.1",
                _text(
                    "Campanhas de informação publicadas",
                    "Campagnes d'information publiées",
                    "Information campaigns published",
                ),
                IndicatorUnit.NUMBER,
                IndicatorSource.PLATFORM,
                D(0),
                (D(1), D(2), D(3)),
                platform_count=PlatformCount.CAMPAIGNS,
            ),
        ),
        reported=(0, MeasureStatus.PLANNED),
        current=(25, IN_PROGRESS),
        years=(1, 2),
    ),
)

QUESTIONS = (
    _text(
        "As medidas chegaram às pessoas imigrantes que mais precisavam?",
        "Les mesures ont-elles atteint les immigrés qui en avaient le plus besoin ?",
        "Did the measures reach the immigrants who needed them most?",
    ),
    _text(
        "As associações de imigrantes participaram nas decisões do plano?",
        "Les associations d'immigrés ont-elles pris part aux décisions du plan ?",
        "Did migrant associations take part in the plan's decisions?",
    ),
)
MID_TERM_ANSWER = (
    "O balcão municipal e os mediadores de saúde chegam sobretudo a quem já conhece as "
    "associações; os recém-chegados ainda são pouco atendidos."
)
REPORT_SUMMARY = (
    "Semestre de arranque: o balcão municipal abriu, o primeiro curso de português terminou e o "
    "conselho das comunidades reuniu duas vezes. A campanha contra a discriminação atrasou e "
    "começa no próximo semestre."
)
DRAFT_SUMMARY = "Em preparação: valores do semestre a confirmar com os parceiros."


def _organisations(partners: dict[str, Organization]) -> dict[str, Organization]:
    found = dict(partners)
    for key in (AAI, IEFP, HEALTH_CENTRE):
        organisation = Organization.objects.filter(pk=demo_id(Organization, key)).first()
        if organisation is not None:
            found[key] = organisation
    return found


def _link_ref(kind: LinkKind, ref: str) -> str:
    """A service is named by its id in the directory (the demo's fixed one), the rest by their
    short name."""
    if kind == LinkKind.SERVICE:
        return str(demo_id(Service, ref))
    return ref


def _add_measures(
    plan: Plan,
    orgs: dict[str, Organization],
    areas: dict[str, InterventionArea],
    *,
    now: datetime,
) -> list[Measure]:
    added = []
    first = plan.starts_year
    for number, spec in enumerate(MEASURES, start=1):
        objective = measures.add_objective(
            actor=None, plan=plan, code=f"O{number}", area=areas[spec.area],
            title=spec.objective, weight=D(1), now=now,
        )  # fmt: skip
        funding = (
            [Funding(name=EU_FUND, share=spec.eu_share),
             Funding(name=MUNICIPAL_BUDGET, share=D(100) - spec.eu_share)]
            if spec.eu_share is not None
            else [Funding(name=MUNICIPAL_BUDGET, share=D(100))]
        )  # fmt: skip
        details = MeasureDetails(
            objective=objective, area=areas[spec.area], code=spec.code, title=spec.title,
            description=spec.description, target_group=spec.target_group,
            responsible=orgs.get(spec.responsible, orgs[MUNICIPALITY_UNIT]),
            partners=[orgs[key] for key in spec.partners if key in orgs],
            starts_on=date(first + spec.years[0], 1, 1),
            ends_on=date(first + spec.years[1], 12, 31), budget=spec.budget, weight=D(1),
            funding=funding, links=[(kind, _link_ref(kind, ref)) for kind, ref in spec.links],
        )  # fmt: skip
        measure = measures.add_measure(actor=None, plan=plan, details=details, now=now)
        for indicator in spec.indicators:
            measures.add_indicator(
                actor=None,
                measure=measure,
                details=IndicatorDetails(
                    code=indicator.code, name=indicator.name, unit=indicator.unit,
                    direction=indicator.direction, baseline=indicator.baseline,
                    baseline_year=2021 if indicator.observatory_code else first - 1,
                    source=indicator.source, observatory_code=indicator.observatory_code,
                    observatory_series={}, platform_count=indicator.platform_count,
                    targets={first + year: value for year, value in enumerate(indicator.targets)},
                ),
                now=now,
            )  # fmt: skip
        added.append(measure)
    return added


def _governance(plan: Plan, orgs: dict[str, Organization], *, now: datetime) -> None:
    members = [
        MemberDetails(orgs[MUNICIPALITY_UNIT], "", MemberKind.MUNICIPALITY,
                      GovernanceRole.COORDINATION),
        MemberDetails(orgs[ASSOCIATION_UNIT], "", MemberKind.MIGRANT_ASSOCIATION,
                      GovernanceRole.STEERING),
        MemberDetails(None, "Associação das Mulheres Imigrantes de Santiago (demo)",
                      MemberKind.MIGRANT_ASSOCIATION, GovernanceRole.STEERING),
        MemberDetails(None, "Plataforma das ONG de Cabo Verde (demo)",
                      MemberKind.CIVIL_SOCIETY, GovernanceRole.ADVISORY),
    ]  # fmt: skip
    for key, role in ((AAI, GovernanceRole.STEERING), (IEFP, GovernanceRole.TECHNICAL),
                      (HEALTH_CENTRE, GovernanceRole.TECHNICAL)):  # fmt: skip
        if key in orgs:
            members.append(MemberDetails(orgs[key], "", MemberKind.PUBLIC_BODY, role))
    plans.set_members(actor=None, plan=plan, members=members, now=now)
    before = plan.starts_year - 1
    plans.add_consultation(
        actor=None, plan=plan, held_on=date(before, 10, 14),
        kind=ConsultationKind.MEETING, organisations_heard=6, people_heard=31, women_heard=14,
        findings=_text(
            "As associações pedem informação sobre os documentos na sua língua e um lugar "
            "onde ser ouvidas pela Câmara.",
            "Les associations demandent une information sur les papiers dans leur langue et un "
            "lieu où la mairie les écoute.",
            "The associations ask for information about papers in their language and a place "
            "where the municipality listens to them.",
        ),
        now=now,
    )  # fmt: skip
    plans.add_consultation(
        actor=None, plan=plan, held_on=date(before, 11, 25),
        kind=ConsultationKind.PUBLIC_SESSION, organisations_heard=11, people_heard=68,
        women_heard=30,
        findings=_text(
            "As mulheres imigrantes pedem cursos de português em horário pós-laboral, com "
            "acolhimento das crianças.",
            "Les femmes immigrées demandent des cours de portugais après le travail, avec une "
            "garde des enfants.",
            "Migrant women ask for Portuguese courses after working hours, with childcare.",
        ),
        now=now,
    )  # fmt: skip


def _report(
    plan: Plan,
    semester: tuple[int, int],
    *,
    summary: str,
    reported: bool,
    coordinator: User | None,
    now: datetime,
) -> MonitoringReport:
    """Open the semester's report and fill it: the progress of each measure, and (``reported``)
    the values the partners reported (those drawn from the observatory and the platform's
    records are as the report found them)."""
    year, half = semester
    report = reports.open_report(
        actor=coordinator, plan=plan, year=year, semester=half, language="pt", now=now
    )
    specs = {spec.code: spec for spec in MEASURES}
    entries = []
    values = []
    for measure in plan.measures.prefetch_related("indicators"):
        spec = specs[measure.code]
        progress, status = spec.reported if reported else spec.current
        entries.append(
            EntryInput(measure_id=measure.pk, progress=progress, status=status, comment="")
        )
        for indicator in measure.indicators.all():
            given = next(i for i in spec.indicators if i.code == indicator.code)
            if given.reported is not None and reported:
                values.append(
                    ValueInput(indicator_id=indicator.pk, value=given.reported, comment="")
                )
    return reports.save_report(
        actor=coordinator, report=report, summary=summary, entries=entries, values=values,
        now=now,
    )  # fmt: skip


def load(*, now: datetime) -> Plan | None:
    """Load Praia's plan (and its coordinator); None when it was there already."""
    orgs = _organisations(_partners())
    if Plan.objects.filter(slug=PLAN_SLUG).exists():
        return None
    admin = User.objects.filter(username="admin").first()
    coordinator = User.objects.get(username=COORDINATOR)
    today = now.astimezone(ZONE).date()
    ended, current = _semesters(today)
    with transaction.atomic():
        areas = _areas()
        plan = plans.create_plan(
            actor=coordinator,
            slug=PLAN_SLUG,
            details=PlanDetails(
                title=TITLE, summary=SUMMARY, analysis=ANALYSIS, source_language="pt",
                starts_year=today.year - 1, ends_year=today.year + 1, municipalities=[PRAIA],
                coordinating_body=orgs[MUNICIPALITY_UNIT],
            ),
            now=now,
        )  # fmt: skip
        _governance(plan, orgs, now=now)
        added = _add_measures(plan, orgs, areas, now=now)
        for text in QUESTIONS:
            evaluation.add_question(actor=coordinator, plan=plan, text=text, now=now)
        plans.transition_plan(actor=coordinator, plan=plan, to=PlanStatus.SUBMITTED, now=now)
        plans.transition_plan(actor=admin, plan=plan, to=PlanStatus.APPROVED, now=now)
        plans.transition_plan(actor=coordinator, plan=plan, to=PlanStatus.IN_FORCE, now=now)

        # The last semester: progress as it was, reported, submitted and approved by AAI.
        specs = {spec.code: spec for spec in MEASURES}
        for measure in added:
            progress, status = specs[measure.code].reported
            measures.update_progress(
                actor=coordinator, measure=measure, progress=progress, status=status, now=now
            )
        approved = _report(
            plan, ended, summary=REPORT_SUMMARY, reported=True, coordinator=coordinator, now=now
        )
        reports.transition_report(
            actor=coordinator, report=approved, to=ReportStatus.SUBMITTED, now=now
        )
        reports.transition_report(actor=admin, report=approved, to=ReportStatus.APPROVED, now=now)

        # This semester: progress since, and the report being written.
        for measure in added:
            progress, status = specs[measure.code].current
            measures.update_progress(
                actor=coordinator, measure=measure, progress=progress, status=status, now=now
            )
        _report(
            plan, current, summary=DRAFT_SUMMARY, reported=False, coordinator=coordinator, now=now
        )
        question = plan.questions.order_by("position", "pk").first()
        if question is not None:
            evaluation.answer_question(
                actor=coordinator, question=question, stage=EvaluationStage.MID_TERM,
                answer=MID_TERM_ANSWER, language="pt", now=now,
            )  # fmt: skip
    plan.refresh_from_db()
    return plan
