"""Demo service directory: the integration topics, AAI's national line and four local support
units, partner services on the islands, and Portugal's ACM network as the ACM leaflet in the
project's seed text gives it.

Everything made up is marked as demo ("(demo)" in descriptions, `is_demo` on organisations and
services). The ACM part keeps the leaflet's numbers, addresses and hours; only what the leaflet
leaves out (coordinates, languages) is added.

Where things are kept, as the directory's editing and hours code reads them: a place's opening
hours, phones and accessibility are on its Location (`hours_owner`: "a local unit's front
desk"); the languages a service is given in are on the Service (what the editing form
changes); a telephone line is offered at a virtual Location that gives it a country and a time
zone, so that it is listed and its "open now" works like any place's. Only step-free places
have an Accessibility row: the list reads any row as "accessible".

Loading twice changes nothing: each HSDS row has a fixed id (uuid5 of a stable key), the other
rows a natural key, and a row is saved only when one of its fields differs — so a second run
leaves even `modified_at` as it was, and a changed demo value is still brought up to date. The
public list's derived entries are rebuilt only when the load changed something or some are
missing.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models, transaction

from coop4int.accounts.enums import Island
from coop4int.accounts.models import Unit
from coop4int.core import search
from coop4int.core.languages import REGISTRY
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.enums import Country, Frequency, LocationType, PhoneType, ServiceStatus
from coop4int.directory.models import (
    Accessibility,
    Address,
    Closure,
    DirectoryEntry,
    Language,
    Location,
    Organization,
    Phone,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTopic,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
)

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:coop4int:demo:directory")

CAPE_VERDE = "Atlantic/Cape_Verde"
LISBON = "Europe/Lisbon"
WEEKDAYS = "MO,TU,WE,TH,FR"
SATURDAY = "SA"

M = TypeVar("M", bound=models.Model)


# --- Writing rows -----------------------------------------------------------------------------


def demo_id(model: type[models.Model], key: str) -> uuid.UUID:
    """The fixed id of a demo row: the same key gives the same id on every load."""
    return uuid.uuid5(NAMESPACE, f"{model._meta.label_lower}:{key}")


def _sync(model: type[M], lookup: dict[str, Any], **fields: Any) -> M:
    """The row matching ``lookup``, created or brought up to date, saved only if a field differs."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **fields)
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, fields[name])
        if any(f.name == "modified_at" for f in model._meta.concrete_fields):
            changed.append("modified_at")
        obj.save(update_fields=changed)
    return obj


def _put(model: type[M], key: str, **fields: Any) -> M:
    return _sync(model, {"pk": demo_id(model, key)}, **fields)


# --- Topics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    code: str
    pt: str
    kea: str
    en: str
    fr: str
    description: str


TAXONOMY_NAME = "Coop4Int integration topics"

TOPICS = (
    Topic("documentation-residence", "Documentação e residência", "Dokumentu i rezidénsia",
          "Documents and residence", "Documents et séjour",
          "Vistos, autorizações de residência, renovações e documentos de identificação."),
    Topic("legal-support", "Apoio jurídico", "Apoiu jurídiku", "Legal support", "Aide juridique",
          "Informação e encaminhamento sobre direitos, deveres e processos legais."),
    Topic("health", "Saúde", "Saúdi", "Health", "Santé",
          "Acesso a centros de saúde, consultas, vacinação e inscrição nos serviços de saúde."),
    Topic("education", "Educação", "Edukason", "Education", "Éducation",
          "Matrícula escolar, equivalências e reconhecimento de habilitações."),
    Topic("employment-training", "Emprego e formação profissional", "Tarbadju i formason",
          "Employment and training", "Emploi et formation",
          "Procura de emprego, contratos de trabalho, formação profissional certificada."),
    Topic("social-support", "Apoio social", "Apoiu sosial", "Social support", "Aide sociale",
          "Apoios sociais, situações de vulnerabilidade e encaminhamento para parceiros."),
    Topic("housing", "Habitação", "Kaza", "Housing", "Logement",
          "Arrendamento, alojamento de emergência e direitos de quem arrenda."),
    Topic("language-courses", "Cursos de língua", "Kursu di língua", "Language courses",
          "Cours de langue", "Cursos de português e de outras línguas para pessoas imigrantes."),
    Topic("victims-support", "Apoio a vítimas", "Apoiu a vítima", "Victim support",
          "Aide aux victimes",
          "Vítimas de tráfico de seres humanos, de violência doméstica ou de discriminação."),
    Topic("nationality", "Nacionalidade", "Nasionalidadi", "Nationality", "Nationalité",
          "Aquisição da nacionalidade e registo civil."),
    Topic("entrepreneurship", "Empreendedorismo", "Inprendedorismu", "Entrepreneurship",
          "Entrepreneuriat", "Criar um negócio, licenças e microcrédito."),
    Topic("covid-19", "COVID-19", "COVID-19", "COVID-19", "COVID-19",
          "Vacinação e informação sobre a COVID-19 para pessoas migrantes."),
    Topic("family-reunification", "Reagrupamento familiar", "Djunta família",
          "Family reunification", "Regroupement familial",
          "Trazer a família para viver consigo: requisitos e documentos."),
    Topic("return", "Retorno e retorno voluntário", "Volta i volta voluntáriu",
          "Return and voluntary return", "Retour et retour volontaire",
          "Apoio ao regresso ao país de origem, incluindo programas de retorno voluntário."),
)  # fmt: skip


def _load_topics() -> dict[str, TaxonomyTerm]:
    taxonomy = _put(
        Taxonomy,
        "integration-topics",
        name=TAXONOMY_NAME,
        description="Temas de integração usados para classificar os serviços do diretório (demo).",
        version="1",
    )
    terms = {}
    for topic in TOPICS:
        terms[topic.code] = _put(
            TaxonomyTerm,
            topic.code,
            code=topic.code,
            name=topic.pt,
            description=topic.description,
            taxonomy_name=TAXONOMY_NAME,
            taxonomy_detail=taxonomy,
            language="pt",
            names={"pt": topic.pt, "kea": topic.kea, "en": topic.en, "fr": topic.fr},
        )
    return terms


# --- Specifications -------------------------------------------------------------------------


DAY_TEXT = {WEEKDAYS: "Segunda a sexta", SATURDAY: "Sábado", "TU,TH": "Terça e quinta"}


@dataclass(frozen=True)
class Window:
    byday: str
    opens_at: time
    closes_at: time
    valid_from: date | None = None
    valid_to: date | None = None
    # The wording of the source, when there is one (the ACM leaflet); else said from the hours.
    text: str = ""

    @property
    def description(self) -> str:
        return self.text or (
            f"{DAY_TEXT[self.byday]}, das {self.opens_at:%H:%M} às {self.closes_at:%H:%M}"
        )


@dataclass(frozen=True)
class PhoneSpec:
    number: str
    type: str = PhoneType.VOICE
    description: str = ""


@dataclass(frozen=True)
class AddressSpec:
    address_1: str
    city: str
    state_province: str
    country: str
    address_2: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class Translation:
    language: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    name: str
    description: str
    topics: Sequence[str]
    languages: Sequence[str]
    unit: str | None = None
    walk_in: bool = False
    appointment_required: bool = False
    application_process: str = ""
    fees_description: str = ""
    eligibility_description: str = ""
    alert: str = ""
    last_verified: date | None = None
    required_documents: Sequence[str] = ()
    translations: Sequence[Translation] = ()


@dataclass(frozen=True)
class LineSpec:
    """A telephone line: its hours and numbers are the service's own."""

    service: ServiceSpec
    place_name: str
    country: str
    time_zone: str
    area: str
    hours: Sequence[Window]
    phones: Sequence[PhoneSpec]


@dataclass(frozen=True)
class PlaceSpec:
    """A physical location and the one service offered there."""

    key: str
    name: str
    description: str
    country: str
    time_zone: str
    municipality: str
    holiday_subdivision: str
    latitude: str
    longitude: str
    address: AddressSpec
    service: ServiceSpec
    hours: Sequence[Window]
    phones: Sequence[PhoneSpec]
    island: str = ""
    transportation: str = ""
    # (description, details) of what makes the place accessible; empty when it is not.
    accessibility: Sequence[tuple[str, str]] = ()


def _demo_phone(number: str, what: str = "Receção") -> PhoneSpec:
    return PhoneSpec(number, description=f"{what} (número fictício, demo)")


# Cabo Verde's postal codes have four digits, one per town (Correios de Cabo Verde). HSDS
# requires an address's postal code, so every demo town has its own.
CV_POSTAL_CODES = {"Praia": "7600", "Mindelo": "2110", "Espargos": "4110", "Sal Rei": "5110"}


def _cv_address(street: str, area: str, city: str, island: Island) -> AddressSpec:
    return AddressSpec(
        street, city, island.label, Country.CABO_VERDE, address_2=area,
        postal_code=CV_POSTAL_CODES[city],
    )  # fmt: skip


STEP_FREE = ("Acesso sem degraus", "Entrada ao nível da rua; casa de banho adaptada (demo).")


# --- AAI: national line and the four local support units ---------------------------------


AAI_NAME = "Alta Autoridade para a Imigração (AAI)"

AAI_LINE = LineSpec(
    service=ServiceSpec(
        key="aai/line",
        name="Linha Nacional de Apoio ao Imigrante",
        description=(
            "Informação e orientação por telefone sobre documentação, trabalho, saúde, "
            "educação e apoio social para pessoas imigrantes em todo o país. Chamada gratuita; "
            "o número é fictício (demo)."
        ),
        topics=(
            "documentation-residence",
            "legal-support",
            "health",
            "employment-training",
            "social-support",
            "family-reunification",
            "nationality",
        ),
        languages=("pt", "kea", "en", "fr"),
        unit="aai",
        fees_description="Gratuito",
        last_verified=date(2026, 11, 2),
        translations=(
            Translation(
                "en",
                "National Immigrant Support Line",
                "Information and guidance by phone on documents, work, health, education and "
                "social support for immigrants anywhere in the country. Free call; the number "
                "is fictitious (demo).",
            ),
        ),
    ),
    place_name="Por telefone — Cabo Verde",
    country=Country.CABO_VERDE,
    time_zone=CAPE_VERDE,
    area="Cabo Verde (todas as ilhas)",
    hours=(Window(WEEKDAYS, time(8), time(16)),),
    phones=(_demo_phone("+238 800 10 10", "Chamada gratuita"),),
)

WALK_IN_DOCUMENTS = (
    "Passaporte ou outro documento de identificação",
    "Autorização de residência ou visto (se tiver)",
    "Documentos do assunto a tratar (contrato, certidões, cartas recebidas)",
)


def _local_service(
    slug: str, town: str, verified: date, languages: Sequence[str], french: bool = False
) -> ServiceSpec:
    translations = [
        Translation(
            "en",
            f"Face-to-face support — {town}",
            "Information, guidance and referral for immigrants, without appointment, at the "
            "local immigrant support unit (demo).",
        )
    ]
    if french:
        translations.append(
            Translation(
                "fr",
                f"Accueil en personne — {town}",
                "Information, orientation et accompagnement des personnes immigrées, sans "
                "rendez-vous, à l'unité locale d'aide aux immigrés (démo).",
            )
        )
    return ServiceSpec(
        key=f"aai/{slug}/walk-in",
        name=f"Atendimento presencial — {town}",
        description=(
            "Informação, orientação e encaminhamento de pessoas imigrantes, sem marcação, "
            "na unidade local de apoio ao imigrante (demo)."
        ),
        topics=(
            "documentation-residence",
            "legal-support",
            "social-support",
            "health",
            "education",
            "employment-training",
            "family-reunification",
        ),
        languages=languages,
        unit=slug,
        walk_in=True,
        application_process="Dirija-se à unidade no horário de atendimento; não há marcação.",
        fees_description="Gratuito",
        eligibility_description="Pessoas imigrantes e as suas famílias, em qualquer situação.",
        last_verified=verified,
        required_documents=WALK_IN_DOCUMENTS,
        translations=translations,
    )


LOCAL_UNITS = (
    PlaceSpec(
        key="aai/praia",
        name="Unidade Local de Apoio ao Imigrante — Praia",
        description="Unidade local da AAI na ilha de Santiago (demo).",
        country=Country.CABO_VERDE,
        time_zone=CAPE_VERDE,
        island=Island.SANTIAGO.label,
        municipality="Praia",
        holiday_subdivision="PR",
        latitude="14.917700",
        longitude="-23.509200",
        address=_cv_address("Avenida Amílcar Cabral, 45", "Plateau", "Praia", Island.SANTIAGO),
        transportation="Autocarro: paragem do Plateau, a 200 m (demo).",
        phones=(_demo_phone("+238 261 40 10"),),
        accessibility=(STEP_FREE,),
        hours=(Window(WEEKDAYS, time(8), time(15, 30)),),
        service=_local_service(
            "praia",
            "Praia",
            date(2026, 11, 2),
            ("pt", "kea", "fr", "en", "wo", "ff", "man"),
            french=True,
        ),
    ),
    PlaceSpec(
        key="aai/mindelo",
        name="Unidade Local de Apoio ao Imigrante — Mindelo",
        description=(
            "Unidade local da AAI na ilha de São Vicente. Atendimento no 1.º andar, sem "
            "elevador; a pedido, atende-se no rés-do-chão (demo)."
        ),
        country=Country.CABO_VERDE,
        time_zone=CAPE_VERDE,
        island=Island.SAO_VICENTE.label,
        municipality="São Vicente",
        holiday_subdivision="SV",
        latitude="16.886600",
        longitude="-24.988000",
        address=_cv_address("Rua de Lisboa, 20", "Centro", "Mindelo", Island.SAO_VICENTE),
        transportation="No centro da cidade, perto do mercado municipal (demo).",
        phones=(_demo_phone("+238 232 40 10"),),
        # A lunch break: two windows a day.
        hours=(Window(WEEKDAYS, time(8), time(12)), Window(WEEKDAYS, time(13, 30), time(16))),
        service=_local_service("mindelo", "Mindelo", date(2026, 10, 14), ("pt", "kea", "en", "zh")),
    ),
    PlaceSpec(
        key="aai/espargos",
        name="Unidade Local de Apoio ao Imigrante — Espargos",
        description="Unidade local da AAI na ilha do Sal (demo).",
        country=Country.CABO_VERDE,
        time_zone=CAPE_VERDE,
        island=Island.SAL.label,
        municipality="Sal",
        holiday_subdivision="SL",
        latitude="16.755800",
        longitude="-22.949500",
        address=_cv_address("Rua Amílcar Cabral, 8", "Centro", "Espargos", Island.SAL),
        phones=(_demo_phone("+238 241 40 10"),),
        accessibility=(STEP_FREE,),
        hours=(Window(WEEKDAYS, time(8), time(15, 30)), Window(SATURDAY, time(9), time(12))),
        service=_local_service(
            "espargos", "Espargos", date(2026, 9, 21), ("pt", "kea", "en", "fr", "it", "es")
        ),
    ),
    PlaceSpec(
        key="aai/sal-rei",
        name="Unidade Local de Apoio ao Imigrante — Sal Rei",
        description=(
            "Unidade local da AAI na ilha da Boa Vista. Três degraus à entrada, sem rampa (demo)."
        ),
        country=Country.CABO_VERDE,
        time_zone=CAPE_VERDE,
        island=Island.BOA_VISTA.label,
        municipality="Boa Vista",
        holiday_subdivision="BV",
        latitude="16.178100",
        longitude="-22.917700",
        address=_cv_address("Largo de Santa Isabel, 3", "Centro", "Sal Rei", Island.BOA_VISTA),
        phones=(_demo_phone("+238 251 40 10"),),
        hours=(Window(WEEKDAYS, time(8), time(15, 30)),),
        # Not checked for more than six months: the directory should say so.
        service=_local_service("sal-rei", "Sal Rei", date(2026, 3, 16), ("pt", "kea", "en", "es")),
    ),
)

# Praia closes at noon on Christmas Eve; the 25th is a national holiday anyway.
PRAIA_CLOSURE = (
    datetime(2026, 12, 24, 12, tzinfo=ZoneInfo(CAPE_VERDE)),
    datetime(2026, 12, 25, 0, tzinfo=ZoneInfo(CAPE_VERDE)),
    "Véspera de Natal: encerra às 12:00 (demo)",
)


# --- Partner services on the islands (all invented, all demo) -----------------------------


@dataclass(frozen=True)
class PartnerSpec:
    unit: str
    description: str
    place: PlaceSpec


PARTNERS = (
    PartnerSpec(
        unit="centro-saude-achada",
        description="Centro de saúde de proximidade na cidade da Praia (demo).",
        place=PlaceSpec(
            key="partner/centro-saude-achada",
            name="Centro de Saúde da Achada Santo António",
            description="Centro de saúde (demo).",
            country=Country.CABO_VERDE,
            time_zone=CAPE_VERDE,
            island=Island.SANTIAGO.label,
            municipality="Praia",
            holiday_subdivision="PR",
            latitude="14.921500",
            longitude="-23.521800",
            address=_cv_address(
                "Rua Cidade do Funchal, 2", "Achada Santo António", "Praia", Island.SANTIAGO
            ),
            phones=(_demo_phone("+238 262 15 20"),),
            accessibility=(STEP_FREE,),
            hours=(Window(WEEKDAYS, time(8), time(18)), Window(SATURDAY, time(8), time(12))),
            service=ServiceSpec(
                key="partner/centro-saude-achada/consultas",
                name="Consultas de medicina geral e vacinação",
                description=(
                    "Consultas de medicina geral, saúde materno-infantil e vacinação, também "
                    "para pessoas imigrantes sem documentos (demo)."
                ),
                topics=("health", "covid-19"),
                languages=("pt", "kea", "fr", "en"),
                unit="centro-saude-achada",
                walk_in=True,
                fees_description="Taxa moderadora segundo a tabela em vigor (demo)",
                last_verified=date(2026, 10, 1),
                required_documents=("Documento de identificação, se tiver",),
            ),
        ),
    ),
    PartnerSpec(
        unit="def",
        description="Serviço de estrangeiros e fronteiras: vistos e residência (demo).",
        place=PlaceSpec(
            key="partner/def",
            name="Direção de Estrangeiros e Fronteiras — Praia",
            description="Atendimento ao público. Escadaria à entrada, sem rampa (demo).",
            country=Country.CABO_VERDE,
            time_zone=CAPE_VERDE,
            island=Island.SANTIAGO.label,
            municipality="Praia",
            holiday_subdivision="PR",
            latitude="14.915300",
            longitude="-23.507400",
            address=_cv_address("Avenida Andrade Corvo, 10", "Plateau", "Praia", Island.SANTIAGO),
            phones=(_demo_phone("+238 260 30 40", "Atendimento"),),
            hours=(Window(WEEKDAYS, time(8), time(15)),),
            service=ServiceSpec(
                key="partner/def/residence",
                name="Autorização de residência",
                description=(
                    "Pedido, renovação e prorrogação de autorizações de residência e de vistos "
                    "(demo)."
                ),
                topics=("documentation-residence", "family-reunification", "nationality"),
                languages=("pt", "kea", "en"),
                unit="def",
                appointment_required=True,
                application_process="Marcação prévia por telefone ou presencialmente (demo).",
                fees_description="Taxas segundo a tabela em vigor (demo)",
                last_verified=date(2026, 8, 28),
                required_documents=(
                    "Passaporte válido",
                    "Duas fotografias tipo passe",
                    "Certificado de registo criminal",
                    "Comprovativo de meios de subsistência",
                    "Comprovativo de alojamento",
                ),
            ),
        ),
    ),
    PartnerSpec(
        unit="iefp",
        description="Emprego e formação profissional certificada (demo).",
        place=PlaceSpec(
            key="partner/iefp",
            name="Centro de Emprego e Formação Profissional da Praia",
            description="Centro de emprego (demo).",
            country=Country.CABO_VERDE,
            time_zone=CAPE_VERDE,
            island=Island.SANTIAGO.label,
            municipality="Praia",
            holiday_subdivision="PR",
            latitude="14.930100",
            longitude="-23.513600",
            address=_cv_address("Rua de Palmarejo, 5", "Palmarejo", "Praia", Island.SANTIAGO),
            phones=(_demo_phone("+238 261 22 33"),),
            accessibility=(STEP_FREE,),
            hours=(
                Window(WEEKDAYS, time(8), time(12, 30)),
                Window(WEEKDAYS, time(14), time(16)),
            ),
            service=ServiceSpec(
                key="partner/iefp/emprego",
                name="Inscrição para emprego e formação profissional",
                description=(
                    "Inscrição como candidato a emprego, ofertas de trabalho e cursos de "
                    "formação profissional certificada, abertos a pessoas imigrantes com "
                    "autorização de residência (demo)."
                ),
                topics=("employment-training", "entrepreneurship", "language-courses"),
                languages=("pt", "kea", "en"),
                unit="iefp",
                walk_in=True,
                fees_description="Gratuito",
                last_verified=date(2026, 9, 30),
                required_documents=("Autorização de residência", "Número de identificação fiscal"),
            ),
        ),
    ),
    PartnerSpec(
        unit="ong-apoio",
        description="Associação de apoio a pessoas imigrantes em São Vicente (demo).",
        place=PlaceSpec(
            key="partner/ong-apoio",
            name="Associação Solidariedade Imigrante — Mindelo",
            description="Sede da associação (demo).",
            country=Country.CABO_VERDE,
            time_zone=CAPE_VERDE,
            island=Island.SAO_VICENTE.label,
            municipality="São Vicente",
            holiday_subdivision="SV",
            latitude="16.881900",
            longitude="-24.993100",
            address=_cv_address(
                "Rua Senador Vera-Cruz, 7", "Fonte Filipe", "Mindelo", Island.SAO_VICENTE
            ),
            phones=(
                PhoneSpec(
                    "+238 991 00 00", PhoneType.CELL, "Telemóvel e WhatsApp (número fictício, demo)"
                ),
            ),
            accessibility=(STEP_FREE,),
            hours=(Window("TU,TH", time(14), time(18)), Window(SATURDAY, time(9), time(12))),
            service=ServiceSpec(
                key="partner/ong-apoio/apoio",
                name="Apoio social e aulas de português",
                description=(
                    "Acolhimento, apoio social, ajuda na procura de casa, aulas de português e "
                    "acompanhamento de vítimas (demo)."
                ),
                topics=(
                    "social-support",
                    "housing",
                    "language-courses",
                    "victims-support",
                    "return",
                ),
                languages=("pt", "kea", "fr", "wo", "ff", "en"),
                unit="ong-apoio",
                walk_in=True,
                fees_description="Gratuito",
                last_verified=date(2026, 7, 10),
            ),
        ),
    ),
)


# --- Portugal: the ACM network, as the ACM leaflet in the seed text gives it ------------


ACM_NAME = "Alto Comissariado para as Migrações, I.P. (ACM)"
ACM_TOPICS = (
    "documentation-residence",
    "legal-support",
    "employment-training",
    "social-support",
    "family-reunification",
    "nationality",
    "covid-19",
    "return",
)
# The leaflet says nothing of languages: Portuguese and English are a safe minimum.
ACM_LANGUAGES = ("pt", "en")
# Described in the service's language, as the leaflet's Portuguese version says it.
MIGRANT_SUPPORT_LINE_PHONES = (
    PhoneSpec("808 257 257", description="rede fixa"),
    PhoneSpec("21 810 61 91", description="rede móvel e estrangeiro"),
)

MIGRANT_SUPPORT_LINE = LineSpec(
    service=ServiceSpec(
        key="acm/migrant-support-line",
        name="Linha de Apoio a Migrantes",
        description=(
            "Atendimento telefónico do ACM para pessoas migrantes, em alternativa ao "
            "atendimento presencial nos CNAIM; também disponível através da app My CNAIM ou "
            "por e-mail."
        ),
        topics=ACM_TOPICS,
        languages=ACM_LANGUAGES,
        translations=(
            Translation(
                "en",
                "Migrant Support Line",
                "You can still opt for the telephone service, through the Migrant Support "
                "Line, app My CNAIM or by e-mail",
            ),
        ),
    ),
    place_name="Por telefone — Portugal e estrangeiro",
    country=Country.PORTUGAL,
    time_zone=LISBON,
    area="Portugal e estrangeiro",
    hours=(
        # The hours before 5 March 2022, kept as history.
        Window(
            WEEKDAYS,
            time(9),
            time(19),
            valid_to=date(2022, 3, 4),
            text="This hotline is working from Monday to Friday between 9:00 am and 7:00 pm.",
        ),
        Window(
            WEEKDAYS,
            time(9),
            time(20),
            valid_from=date(2022, 3, 5),
            text="From 5 March 2022: Monday to Friday, between 9 am and 8 pm",
        ),
        Window(
            SATURDAY,
            time(9),
            time(17),
            valid_from=date(2022, 3, 5),
            text="From 5 March 2022: on Saturday, between 9 am and 5 pm",
        ),
    ),
    phones=MIGRANT_SUPPORT_LINE_PHONES,
)

CNAIM = "Centro Nacional de Apoio à Integração de Migrantes (CNAIM)"
# Beja and Faro give the Migrant Support Line as their telephone.
VIA_SUPPORT_LINE = tuple(
    PhoneSpec(phone.number, description="Linha de Apoio a Migrantes")
    for phone in MIGRANT_SUPPORT_LINE_PHONES
)


def _cnaim_service(slug: str, centre: str) -> ServiceSpec:
    return ServiceSpec(
        key=f"acm/{slug}/walk-in",
        name=f"Atendimento presencial sem marcação — {centre}",
        description=(
            f"Atendimento presencial disponível sem marcação prévia no {CNAIM}. Também pode "
            "optar pelo atendimento telefónico, através da Linha de Apoio a Migrantes, da app "
            "My CNAIM ou por e-mail."
        ),
        topics=ACM_TOPICS,
        languages=ACM_LANGUAGES,
        walk_in=True,
        appointment_required=False,
        alert="É obrigatório o uso de máscara ou viseira.",
        fees_description="Gratuito",
        translations=(
            Translation(
                "en",
                f"Face-to-face service without previous appointment — {centre}",
                "Face-to-face service available without previous appointment. "
                "The use of a mask or visor is mandatory",
            ),
        ),
    )


def _pt_address(street: str, postal_code: str, city: str, extra: str = "") -> AddressSpec:
    return AddressSpec(
        street, city, city, Country.PORTUGAL, address_2=extra, postal_code=postal_code
    )


CNAIM_CENTRES = (
    PlaceSpec(
        key="acm/lisboa",
        name="CNAIM Lisboa",
        description=f"{CNAIM} de Lisboa.",
        country=Country.PORTUGAL,
        time_zone=LISBON,
        municipality="Lisboa",
        holiday_subdivision="11",
        latitude="38.726300",
        longitude="-9.136700",
        address=_pt_address("Rua Álvaro Coutinho, 14", "1150-025", "Lisboa"),
        # The leaflet gives Lisboa a fax number only; the centre's telephone, which a person
        # can call, is ACM's published switchboard in the same building.
        phones=(
            PhoneSpec("21 810 61 17", PhoneType.FAX),
            PhoneSpec("21 810 61 00"),
        ),
        hours=(
            Window(
                WEEKDAYS, time(8), time(17), text="From Monday to Friday, between 8 am and 5 pm"
            ),
        ),
        service=_cnaim_service("lisboa", "CNAIM Lisboa"),
    ),
    PlaceSpec(
        key="acm/porto",
        name="CNAIM Porto",
        description=f"{CNAIM} do Porto.",
        country=Country.PORTUGAL,
        time_zone=LISBON,
        municipality="Porto",
        holiday_subdivision="13",
        latitude="41.158900",
        longitude="-8.629300",
        address=_pt_address("Av. de França, 316", "4050-276", "Porto", "Edifício Capitólio"),
        phones=(
            PhoneSpec("22 207 38 10"),
            PhoneSpec("22 207 38 17", PhoneType.FAX),
        ),
        hours=(
            Window(
                WEEKDAYS, time(8), time(17), text="From Monday to Friday, between 8 am and 5 pm"
            ),
        ),
        service=_cnaim_service("porto", "CNAIM Porto"),
    ),
    PlaceSpec(
        key="acm/beja",
        name="CNAIM Beja",
        description=f"{CNAIM} de Beja.",
        country=Country.PORTUGAL,
        time_zone=LISBON,
        municipality="Beja",
        holiday_subdivision="02",
        latitude="38.023000",
        longitude="-7.856000",
        address=_pt_address(
            "Av. Salgueiro Maia, s/n",
            "7800-552",
            "Beja",
            "Edifício Administrativo do Parque de Feiras e Exposições Manuel de Castro e Brito",
        ),
        phones=VIA_SUPPORT_LINE,
        hours=tuple(
            Window(
                WEEKDAYS,
                opens,
                closes,
                text="From Monday to Friday, between 9:00 am and 12:30 pm, and 2:00 pm and 5:30 pm",
            )
            for opens, closes in ((time(9), time(12, 30)), (time(14), time(17, 30)))
        ),
        service=_cnaim_service("beja", "CNAIM Beja"),
    ),
    PlaceSpec(
        key="acm/algarve",
        name="CNAIM Algarve",
        description=f"{CNAIM} do Algarve, na Loja do Cidadão de Faro.",
        country=Country.PORTUGAL,
        time_zone=LISBON,
        municipality="Faro",
        holiday_subdivision="08",
        latitude="37.019400",
        longitude="-7.930400",
        address=_pt_address(
            "Largo Dr. Francisco Sá Carneiro",
            "8000-151",
            "Faro",
            "Loja do Cidadão, Mercado Municipal, 1.º Piso",
        ),
        phones=VIA_SUPPORT_LINE,
        hours=(
            Window(
                WEEKDAYS,
                time(8, 30),
                time(17),
                text="From Monday to Friday, between 8:30 am and 5 pm",
            ),
        ),
        service=_cnaim_service("algarve", "CNAIM Algarve"),
    ),
)


# --- Loading ----------------------------------------------------------------------------------


def _put_hours(key: str, windows: Sequence[Window], attending_type: str, **owner: Any) -> None:
    for index, window in enumerate(windows):
        _put(
            Schedule,
            f"{key}/hours/{index}",
            **owner,
            freq=Frequency.WEEKLY,
            wkst="MO",
            byday=window.byday,
            opens_at=window.opens_at,
            closes_at=window.closes_at,
            valid_from=window.valid_from,
            valid_to=window.valid_to,
            description=window.description,
            attending_type=attending_type,
        )


def _put_phones(key: str, phones: Sequence[PhoneSpec], **owner: Any) -> None:
    for index, phone in enumerate(phones):
        _put(
            Phone,
            f"{key}/phone/{index}",
            **owner,
            number=phone.number,
            type=phone.type,
            description=phone.description,
        )


def _put_service(
    spec: ServiceSpec,
    organization: Organization,
    units: dict[str, Unit],
    terms: dict[str, TaxonomyTerm],
    *,
    telephone_line: bool = False,
) -> Service:
    service = _put(
        Service,
        spec.key,
        organization=organization,
        name=spec.name,
        description=spec.description,
        status=ServiceStatus.ACTIVE,
        language="pt",
        unit=units[spec.unit] if spec.unit else None,
        walk_in=spec.walk_in,
        appointment_required=spec.appointment_required,
        telephone_line=telephone_line,
        application_process=spec.application_process,
        fees_description=spec.fees_description,
        eligibility_description=spec.eligibility_description,
        alert=spec.alert,
        last_verified=spec.last_verified,
        is_demo=True,
    )
    for code in spec.topics:
        _put(ServiceTopic, f"{spec.key}/topic/{code}", service=service, taxonomy_term=terms[code])
    for code in spec.languages:
        _put(
            Language,
            f"{spec.key}/language/{code}",
            service=service,
            code=code,
            name=REGISTRY[code].english_name,
        )
    for index, document in enumerate(spec.required_documents):
        _put(RequiredDocument, f"{spec.key}/document/{index}", service=service, document=document)
    for translation in spec.translations:
        _sync(
            ServiceTranslation,
            {"service": service, "language": translation.language},
            name=translation.name,
            description=translation.description,
        )
    return service


def _put_line(
    spec: LineSpec,
    organization: Organization,
    units: dict[str, Unit],
    terms: dict[str, TaxonomyTerm],
) -> Service:
    key = spec.service.key
    service = _put_service(spec.service, organization, units, terms, telephone_line=True)
    _put_hours(key, spec.hours, "phone", service=service)
    _put_phones(key, spec.phones, service=service)
    _put(ServiceArea, f"{key}/area", service=service, name=spec.area)
    place = _put(
        Location,
        f"{key}/virtual",
        location_type=LocationType.VIRTUAL,
        organization=organization,
        name=spec.place_name,
        time_zone=spec.time_zone,
        country=spec.country,
    )
    _put(ServiceAtLocation, f"{key}@virtual", service=service, location=place)
    return service


def _put_place(
    spec: PlaceSpec,
    organization: Organization,
    units: dict[str, Unit],
    terms: dict[str, TaxonomyTerm],
) -> Location:
    location = _put(
        Location,
        spec.key,
        location_type=LocationType.PHYSICAL,
        organization=organization,
        name=spec.name,
        description=spec.description,
        transportation=spec.transportation,
        latitude=Decimal(spec.latitude),
        longitude=Decimal(spec.longitude),
        time_zone=spec.time_zone,
        country=spec.country,
        island=spec.island,
        municipality=spec.municipality,
        holiday_subdivision=spec.holiday_subdivision,
    )
    address = spec.address
    _put(
        Address,
        f"{spec.key}/address",
        location=location,
        address_1=address.address_1,
        address_2=address.address_2,
        city=address.city,
        state_province=address.state_province,
        postal_code=address.postal_code,
        country=address.country,
        address_type=LocationType.PHYSICAL,
    )
    _put_hours(spec.key, spec.hours, "in-person", location=location)
    _put_phones(spec.key, spec.phones, location=location)
    for index, (description, details) in enumerate(spec.accessibility):
        _put(
            Accessibility,
            f"{spec.key}/accessibility/{index}",
            location=location,
            description=description,
            details=details,
        )
    service = _put_service(spec.service, organization, units, terms)
    _put(ServiceAtLocation, f"{spec.service.key}@{spec.key}", service=service, location=location)
    return location


# What a load writes; compared before and after to know whether the public entries are stale.
WRITTEN: tuple[type[models.Model], ...] = (
    Taxonomy, TaxonomyTerm, Organization, Location, Address, Phone, Schedule, Closure,
    Accessibility, Service, ServiceTopic, Language, RequiredDocument, ServiceTranslation,
    ServiceArea, ServiceAtLocation,
)  # fmt: skip


def _state() -> list[list[dict[str, Any]]]:
    return [list(model._default_manager.order_by("pk").values()) for model in WRITTEN]


@transaction.atomic
def load() -> None:
    """Create or bring up to date the demo directory, then its public entries. Needs the demo
    units (``organisation.load``)."""
    before = _state()
    units = {unit.slug: unit for unit in Unit.objects.all()}
    terms = _load_topics()

    aai = _put(
        Organization,
        "aai",
        name=AAI_NAME,
        alternate_name="AAI",
        description=(
            "Autoridade nacional de Cabo Verde para a integração de pessoas imigrantes, com "
            "uma linha telefónica nacional e quatro unidades locais de apoio (demo)."
        ),
        email="aai@demo.coop4int.example",
        unit=units["aai"],
        is_demo=True,
    )
    _put_line(AAI_LINE, aai, units, terms)
    places = {spec.key: _put_place(spec, aai, units, terms) for spec in LOCAL_UNITS}
    starts_at, ends_at, reason = PRAIA_CLOSURE
    _sync(
        Closure,
        {"location": places["aai/praia"], "starts_at": starts_at},
        ends_at=ends_at,
        reason=reason,
    )

    for partner in PARTNERS:
        unit = units[partner.unit]
        organization = _put(
            Organization,
            f"partner/{partner.unit}",
            name=unit.name,
            description=partner.description,
            unit=unit,
            is_demo=True,
        )
        _put_place(partner.place, organization, units, terms)

    # Real data from the seed's ACM leaflet, loaded as demo: the platform does not keep it.
    acm = _put(
        Organization,
        "acm",
        name=ACM_NAME,
        alternate_name="High Commission for Migration, Public Institute",
        description=(
            "Instituto público português que coordena o projeto Coop4Int, com a Linha de Apoio "
            f"a Migrantes e os {CNAIM}."
        ),
        is_demo=True,
    )
    _put_line(MIGRANT_SUPPORT_LINE, acm, units, terms)
    for spec in CNAIM_CENTRES:
        _put_place(spec, acm, units, terms)

    demo_services = Service.objects.filter(is_demo=True)
    listed = DirectoryEntry.objects.filter(service__in=demo_services).count()
    offered = [
        str(pk)
        for pk in ServiceAtLocation.objects.filter(service__in=demo_services).values_list(
            "pk", flat=True
        )
    ]
    # A demo loaded before services were searchable is indexed on the next load.
    searchable = search.indexed_keys(kind="service", keys=offered)
    if _state() != before or listed != len(offered) or len(searchable) != len(offered):
        refresh_entries(service_ids=list(demo_services.values_list("pk", flat=True)))
