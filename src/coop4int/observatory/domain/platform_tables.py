"""The platform's own statistics: quarterly tables of the support network's work — contacts
and cases, appointments and their waiting times, people trained and their certificates —
drafted from the platform's records for an analyst to review and publish as open data.

What is counted (each table an indicator, ``PLATFORM_INDICATORS``; a quarter's figures are the
observations of period "2026-Q3", quarters in the country's time zone):

- ``PLATFORM_CASES_OPENED``: the cases opened in the quarter, by unit, by the channel of the
  first contact, by the person's island, sex and nationalities, and by the case's topics. A
  person with two nationalities counts under each, a case with two topics under each
  (``_U``: no nationality known, no topic);
- ``PLATFORM_CONTACTS``: the contacts with the people served, by unit and channel: each case
  opened is one (its first contact, by the channel it came through), and each later message,
  call or visit from the person in a case (an interaction from the person after the case was
  opened, notes aside) is another;
- ``PLATFORM_APPOINTMENTS``: the appointments of the quarter that held their place (booked,
  checked in or marked as not come; not cancelled, lapsed or only offered), by the unit of the
  service, the person's sex and what happened (``attended``, ``no_show``, ``not_recorded``);
- ``PLATFORM_APPOINTMENT_WAIT``: the median number of days from booking to the appointment over
  the same appointments, in all and by unit;
- ``PLATFORM_PEOPLE_TRAINED``: the enrolments that held a place in a course session starting
  in the quarter (not cancelled), by course, sex and outcome — ``certified`` (completed, a
  certificate issued), ``certificate_revoked`` (completed, the certificate since revoked),
  ``completed`` (without a certificate), ``not_completed``, ``no_outcome`` (not ended) — as
  the records stand when the table is drafted.

Who is counted: only people with a live consent to the use of their data in statistics
(``people.enums.Purpose.STATISTICS``, read through ``cases.domain.statistics.consenting``,
as the support desk's figures): a case, contact, appointment or enrolment of anyone else —
someone who never agreed or withdrew, a request without a person record, a booking not linked
to one, a member of staff trained — is in none of the figures.

Tables are SDMX-like: the dimensions of each indicator, a row for the total (every dimension
``_T``) and a row for each group of each one-way breakdown (that dimension's code, every other
``_T``). Fixed lists (units, channels, islands, sexes, outcomes, the courses with a session in
the quarter) show every group; the open-ended ones (nationalities, topics, and any group
outside a fixed list) leave out the groups that round to zero, since listing them would tell
that someone is there.

Disclosure control: the support desk's (``cases.domain.statistics``: ``Keys``, ``Tally``,
``round_tally``), not a copy of it. Each table's records are one population: its total and
every breakdown are rounded *together* to multiples of the base (``small_cell()``) by
controlled, unbiased random rounding keyed by the records — the splits add up exactly to the
rounded total, an overlapping breakdown's cells (nationalities, topics) stay within it and
together reach it. A count that rounds to 0 is withheld: stored empty with ``CONF_STATUS``
"C" and ``OBS_STATUS`` "Q"; no count from 1 to ``base - 1`` is ever published. The contacts
are not a population of their own: a contacts figure is the cases opened as the cases table
publishes them plus the later contacts, a population rounded on its own — so that the
contacts are never fewer than the cases in any unit or channel, a relation that rounding the
two apart could break and that would then narrow both. No other relation ties the tables of a
quarter together (units do not nest in islands: the island is the person's; courses are not
broken down by unit or island, which the public catalogue would tie to them), so the argument
of ``cases.domain.statistics`` holds for all of them at once: the published quarter, read as
numbers (withheld as 0), is itself a possible truth, and so is the quarter with ``base - 1``
more in each total and in one group of each breakdown; every figure may be anything from its
published value to ``base - 1`` more. ``observatory/tests/test_platform_tables.py`` attacks the
published observations of a quarter, every indicator together, with a linear programme
(HiGHS) and narrows no count below that — while exact figures with "<5" for 1 to 4 give
people away.

The median waiting time is a derived figure: given only where the published number of
appointments it is taken over reaches ``2 · base`` (so over more than ``base`` of them;
decided on the published figure, so that giving it tells nothing more), else withheld.

Versions: a dataset is one version of an indicator's whole series (``observatory.domain.
datasets``). Drafting quarter Q makes, for each indicator, a new draft holding the current
published version's observations of the other quarters *unchanged* — published figures never
change — and Q's new figures. Drafting a quarter already published is a correction: it needs
a note (the new version's ``revision_note``), and on publication the figures that differ are
marked revised. An analyst reviews each draft (``backoffice:observatory_dataset``) before
publishing it. A draft of the same quarter not yet reviewed is discarded and replaced; while a
draft of another quarter waits for review, no quarter is drafted (the later draft would hold
the series without it).

Not covered: two versions of the same quarter (a correction and what it corrects, both public)
are rounded each on its own, from records that differ; their difference is about the records
the correction changed, which its note explains. The support desk's and the training pages
(staff only) round their own periods and units on their own.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Island, UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking
from coop4int.cases.domain.statistics import Keys, Tally, consenting, round_tally, small_cell
from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import Case, Interaction
from coop4int.core import audit
from coop4int.learning.enums import HOLDING, EnrolmentStatus
from coop4int.learning.models import Certificate, CourseSession, Enrolment
from coop4int.observatory import enums
from coop4int.observatory.domain.datasets import (
    Provenance,
    Row,
    discard_dataset,
    store_dataset,
)
from coop4int.observatory.domain.registry import create_indicator
from coop4int.observatory.enums import (
    TOTAL,
    Concept,
    DatasetOrigin,
    DatasetStatus,
    Dimension,
    FileFormat,
    Periodicity,
    UnitOfMeasure,
)
from coop4int.observatory.models import Dataset, Indicator, Observation
from coop4int.people.enums import Sex

UNKNOWN = "_U"
OTHER = "_O"
UNIT = Dimension.UNIT.value
CHANNEL = Dimension.CHANNEL.value
ISLAND = Dimension.ISLAND.value
SEX = Dimension.SEX.value
CITIZENSHIP = Dimension.NATIONALITY.value
TOPIC = Dimension.TOPIC.value
COURSE = Dimension.COURSE.value
OUTCOME = "OUTCOME"

# SDMX CL_SEX codes of the person's sex (intersex is "other", not stated "unknown").
SEX_CODES = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.INTERSEX: OTHER, Sex.NOT_STATED: UNKNOWN}
CHANNELS = tuple(channel.value for channel in Channel if channel != Channel.NOTE)
ISLANDS = (*Island.values, UNKNOWN)
SEXES = ("F", "M", OTHER, UNKNOWN)
ATTENDED, NO_SHOW, NOT_RECORDED = "attended", "no_show", "not_recorded"
APPOINTMENT_OUTCOMES = (ATTENDED, NO_SHOW, NOT_RECORDED)
CERTIFIED, REVOKED = "certified", "certificate_revoked"
COMPLETED, NOT_COMPLETED, NO_OUTCOME = "completed", "not_completed", "no_outcome"
TRAINING_OUTCOMES = (CERTIFIED, REVOKED, COMPLETED, NOT_COMPLETED, NO_OUTCOME)
# The bookings that held their place (``appointments.domain.statistics`` counts the same).
_HELD = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
_ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
# The earliest quarter that may be drafted: nothing the platform holds is older.
FIRST_YEAR = 2000

CASES_OPENED = "PLATFORM_CASES_OPENED"
CONTACTS = "PLATFORM_CONTACTS"
APPOINTMENTS = "PLATFORM_APPOINTMENTS"
APPOINTMENT_WAIT = "PLATFORM_APPOINTMENT_WAIT"
PEOPLE_TRAINED = "PLATFORM_PEOPLE_TRAINED"


class TablesRefused(Exception):
    """Drafting was refused and nothing was changed; the message (translated, in the active
    language) says why."""


# --- Quarters ---------------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def quarter_of(moment: datetime) -> str:
    """The quarter ``moment`` falls in, in the country's time zone: "2026-Q3"."""
    if moment.tzinfo is None:
        raise ValueError("a time-zone-aware moment is needed")
    local = moment.astimezone(_zone())
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> tuple[int, int]:
    """The year and quarter number of "2026-Q3"; TablesRefused for anything else."""
    match = _QUARTER.match(text.strip())
    if match is None or int(match[1]) < FIRST_YEAR:
        raise TablesRefused(
            _("“%(quarter)s” is not a quarter: write the year and the quarter, as 2026-Q3.")
            % {"quarter": text}
        )
    return int(match[1]), int(match[2])


def quarter_bounds(quarter: str) -> tuple[datetime, datetime]:
    """The first moment of ``quarter`` and the first moment after it, in the country's time
    zone."""
    year, number = parse_quarter(quarter)
    since = datetime(year, 3 * number - 2, 1, tzinfo=_zone())
    until = datetime(year + number // 4, 3 * number % 12 + 1, 1, tzinfo=_zone())
    return since, until


def previous_quarter(quarter: str) -> str:
    year, number = parse_quarter(quarter)
    return f"{year}-Q{number - 1}" if number > 1 else f"{year - 1}-Q4"


def last_ended_quarter(now: datetime) -> str:
    """The quarter that ended last at ``now``."""
    return previous_quarter(quarter_of(now))


# --- The indicators ---------------------------------------------------------------------------

_COUNTED = {
    "pt": "Só são contadas as pessoas que autorizaram o uso dos seus dados para fins "
    "estatísticos. Cada valor é arredondado para um múltiplo de {base}, os totais também, de "
    "modo que as partes somam o total; um valor que arredonda para zero não é publicado "
    "(confidencial).",
    "kea": "Só ta kontadu pesoas ki aseita uzu di ses dadus pa statístika. Kada valor é "
    "rondadu pa un múltiplu di {base}, tanbé totais, di manera ki partis ta soma total; un "
    "valor ki ta ronda pa zeru ka ta publikadu (konfidensial).",
    "en": "Only people who agreed to the use of their data in statistics are counted. Every "
    "figure, totals included, is rounded to a multiple of {base}, so that the parts add up to "
    "the total; a figure that rounds to zero is not published (confidential).",
    "fr": "Seules sont comptées les personnes qui ont accepté l’utilisation de leurs données à "
    "des fins statistiques. Chaque valeur, totaux compris, est arrondie à un multiple de "
    "{base}, de sorte que les parties s’additionnent au total ; une valeur qui s’arrondit à "
    "zéro n’est pas publiée (confidentielle).",
}
_NOTES = {
    "pt": "Valores da própria plataforma Coop4Int, por trimestre. Um trimestre publicado não "
    "muda: uma correção é uma nova versão, com uma nota.",
    "kea": "Valoris di própi plataforma Coop4Int, pa trimestri. Un trimestri publikadu ka ta "
    "muda: un korekson é un nobu verson, ku un nóta.",
    "en": "Figures of the Coop4Int platform itself, by quarter. A published quarter never "
    "changes: a correction is a new version, with a note.",
    "fr": "Chiffres de la plateforme Coop4Int elle-même, par trimestre. Un trimestre publié ne "
    "change plus : une correction est une nouvelle version, avec une note.",
}


@dataclass(frozen=True, slots=True)
class Table:
    """One of the platform's indicators: its code, dimensions and texts."""

    code: str
    dimensions: tuple[str, ...]
    unit_measure: UnitOfMeasure
    names: Mapping[str, str]
    definitions: Mapping[str, str]
    """Per language; "{base}" and "{twice}" stand for the rounding base and its double."""
    decimals: int = 0
    overlapping: frozenset[str] = frozenset()
    """The dimensions whose groups a record may count under several of."""
    counts: bool = True
    """False: a derived figure (a median), not a count."""


TABLES: tuple[Table, ...] = (
    Table(
        CONTACTS,
        (UNIT, CHANNEL),
        UnitOfMeasure.NUMBER,
        names={
            "pt": "Contactos com a rede de apoio",
            "kea": "Kontaktu ku rédi di apoiu",
            "en": "Contacts with the support network",
            "fr": "Contacts avec le réseau d’accueil",
        },
        definitions={
            "pt": "Contactos entre as pessoas e as unidades locais de apoio no trimestre, por "
            "unidade e por canal: cada caso aberto conta como um (o seu primeiro contacto, "
            "pelo canal por onde chegou) e cada mensagem, chamada ou visita posterior da "
            "pessoa num caso conta como outro.",
            "kea": "Kontaktu entri pesoas i unidadis lokal di apoiu na trimestri, pa unidadi i "
            "pa kanal: kada kazu abertu ta konta komu un (se primeru kontaktu, pa kanal ki el "
            "txiga), i kada mensajen, txomada ó vizita di pesoa dipos, na un kazu, ta konta "
            "komu otu.",
            "en": "Contacts between people and the local support units in the quarter, by "
            "unit and by channel: each case opened counts as one (its first contact, by the "
            "channel it came through), and each later message, call or visit from the person "
            "in a case as another.",
            "fr": "Contacts entre les personnes et les unités locales d’accueil au cours du "
            "trimestre, par unité et par canal : chaque dossier ouvert compte pour un (son "
            "premier contact, par le canal d’arrivée), et chaque message, appel ou visite "
            "ultérieur de la personne dans un dossier pour un autre.",
        },
    ),
    Table(
        CASES_OPENED,
        (UNIT, CHANNEL, ISLAND, SEX, CITIZENSHIP, TOPIC),
        UnitOfMeasure.NUMBER,
        names={
            "pt": "Casos abertos",
            "kea": "Kazus abertu",
            "en": "Cases opened",
            "fr": "Dossiers ouverts",
        },
        definitions={
            "pt": "Casos abertos no trimestre pelas unidades locais de apoio, por unidade, "
            "canal do primeiro contacto, ilha, sexo e nacionalidade da pessoa, e tema do "
            "caso. Uma pessoa com várias nacionalidades, e um caso com vários temas, conta em "
            "cada uma; as nacionalidades e os temas que arredondam para zero não são "
            "listados.",
            "kea": "Kazus abertu na trimestri pa unidadis lokal di apoiu, pa unidadi, kanal di "
            "primeru kontaktu, ilha, sexu i nasionalidadi di pesoa, i tema di kazu. Un pesoa "
            "ku txeu nasionalidadi, i un kazu ku txeu tema, ta konta na kada un; "
            "nasionalidadis i temas ki ta ronda pa zeru ka ta listadu.",
            "en": "Cases opened in the quarter by the local support units, by unit, channel of "
            "the first contact, the person's island, sex and nationality, and the case's "
            "topic. A person with several nationalities, and a case with several topics, "
            "counts under each; nationalities and topics that round to zero are not listed.",
            "fr": "Dossiers ouverts au cours du trimestre par les unités locales d’accueil, "
            "par unité, canal du premier contact, île, sexe et nationalité de la personne, et "
            "thème du dossier. Une personne ayant plusieurs nationalités, et un dossier ayant "
            "plusieurs thèmes, compte dans chacun ; les nationalités et thèmes qui "
            "s’arrondissent à zéro ne sont pas listés.",
        },
        overlapping=frozenset({CITIZENSHIP, TOPIC}),
    ),
    Table(
        APPOINTMENTS,
        (UNIT, SEX, OUTCOME),
        UnitOfMeasure.NUMBER,
        names={
            "pt": "Marcações de atendimento",
            "kea": "Markason di atendimentu",
            "en": "Appointments",
            "fr": "Rendez-vous",
        },
        definitions={
            "pt": "Marcações com data no trimestre que mantiveram o seu lugar (não canceladas), "
            "por unidade do serviço, sexo da pessoa e resultado: compareceu (attended), não "
            "compareceu (no_show) ou não registado (not_recorded).",
            "kea": "Markason ku data na trimestri ki fika ku ses lugar (ka kanseladu), pa "
            "unidadi di sirvisu, sexu di pesoa i rezultadu: bai (attended), ka bai (no_show) "
            "ó ka rejistadu (not_recorded).",
            "en": "Appointments falling in the quarter that kept their place (not cancelled), "
            "by the unit of the service, the person's sex and what happened: attended, did "
            "not come (no_show) or not recorded (not_recorded).",
            "fr": "Rendez-vous tombant dans le trimestre qui ont gardé leur place (non "
            "annulés), par unité du service, sexe de la personne et résultat : présent "
            "(attended), absent (no_show) ou non enregistré (not_recorded).",
        },
    ),
    Table(
        APPOINTMENT_WAIT,
        (UNIT,),
        UnitOfMeasure.DAYS,
        decimals=1,
        counts=False,
        names={
            "pt": "Tempo de espera por uma marcação (mediana, em dias)",
            "kea": "Tenpu di spera pa un markason (mediana, na dia)",
            "en": "Waiting time for an appointment (median, in days)",
            "fr": "Délai d’attente d’un rendez-vous (médiane, en jours)",
        },
        definitions={
            "pt": "Mediana do número de dias entre a marcação e o atendimento, sobre as "
            "marcações contadas em PLATFORM_APPOINTMENTS, no total e por unidade; só é dada "
            "quando o número publicado dessas marcações é pelo menos {twice}.",
            "kea": "Mediana di númeru di dia entri markason i atendimentu, di markason kontadu "
            "na PLATFORM_APPOINTMENTS, na total i pa unidadi; ta dadu só óra ki númeru "
            "publikadu di kes markason é pa menus {twice}.",
            "en": "The median number of days from booking to the appointment, over the "
            "appointments counted in PLATFORM_APPOINTMENTS, in all and by unit; given only "
            "where the published number of those appointments is at least {twice}.",
            "fr": "Nombre médian de jours entre la prise de rendez-vous et le rendez-vous, sur "
            "les rendez-vous comptés dans PLATFORM_APPOINTMENTS, au total et par unité ; donné "
            "seulement lorsque le nombre publié de ces rendez-vous atteint au moins {twice}.",
        },
    ),
    Table(
        PEOPLE_TRAINED,
        (COURSE, SEX, OUTCOME),
        UnitOfMeasure.PERSONS,
        names={
            "pt": "Pessoas formadas",
            "kea": "Pesoas formadu",
            "en": "People trained",
            "fr": "Personnes formées",
        },
        definitions={
            "pt": "Participantes com lugar numa sessão de formação que começou no trimestre "
            "(um por inscrição), por curso, sexo e resultado: certificado emitido (certified), "
            "certificado revogado (certificate_revoked), concluiu sem certificado "
            "(completed), não concluiu (not_completed), ainda sem resultado (no_outcome) — "
            "tal como registado quando a tabela foi preparada.",
            "kea": "Partisipantis ku lugar na un seson di formason ki kumesa na trimestri (un "
            "pa inskrison), pa kursu, sexu i rezultadu: sertifikadu emitidu (certified), "
            "sertifikadu revogadu (certificate_revoked), konklui sen sertifikadu "
            "(completed), ka konklui (not_completed), inda sen rezultadu (no_outcome) — sima "
            "rejistadu óra ki tabela prepradu.",
            "en": "Participants who held a place in a course session starting in the quarter "
            "(one per enrolment), by course, sex and outcome: certificate issued (certified), "
            "certificate revoked (certificate_revoked), completed without a certificate "
            "(completed), did not complete (not_completed), no outcome yet (no_outcome) — as "
            "recorded when the table was drafted.",
            "fr": "Participants ayant une place dans une session de formation commençant au "
            "cours du trimestre (un par inscription), par cours, sexe et résultat : "
            "certificat délivré (certified), certificat révoqué (certificate_revoked), terminé "
            "sans certificat (completed), non terminé (not_completed), pas encore de résultat "
            "(no_outcome) — tel qu’enregistré lors de la préparation du tableau.",
        },
    ),
)
TABLES_BY_CODE = {table.code: table for table in TABLES}
PLATFORM_INDICATORS: tuple[str, ...] = tuple(table.code for table in TABLES)


def _source() -> str:
    return _("%(publisher)s: records of the Coop4Int platform") % {
        "publisher": settings.OPENDATA_PUBLISHER_NAME
    }


def _note(base: int) -> str:
    return _(
        "Counted from the platform's records when the table was drafted: only people who "
        "agreed to the use of their data in statistics. Every count is rounded to a "
        "multiple of %(base)s (controlled random rounding, so that parts add up to their "
        "total); a count that rounds to zero is withheld (confidential)."
    ) % {"base": base}


def shown_provenance(dataset: Dataset) -> tuple[str, str]:
    """The source and the note on it that a page shows for ``dataset``: a platform table's in
    the reader's language (the stored ones are in the language of whoever drafted it), any
    other's as the source and the analyst wrote them."""
    if dataset.origin != DatasetOrigin.PLATFORM:
        return dataset.source_name, dataset.provenance_note
    return _source(), _note(small_cell())


def shown_source(indicator: Indicator) -> str:
    """The source an indicator names: the platform's in the reader's language."""
    if indicator.concept == Concept.PLATFORM_ACTIVITY and indicator.code in TABLES_BY_CODE:
        return _source()
    return indicator.source


def _indicator(table: Table, base: int) -> Indicator:
    """The indicator of ``table``, created as the platform's own (no actor) when missing."""
    found = Indicator.objects.filter(code=table.code).first()
    if found is not None:
        return found
    filled = {"base": base, "twice": 2 * base}
    return create_indicator(
        actor=None,
        code=table.code,
        names=dict(table.names),
        definitions={
            language: f"{text.format(**filled)} {_COUNTED[language].format(**filled)}"
            for language, text in table.definitions.items()
        },
        notes=dict(_NOTES),
        concept=Concept.PLATFORM_ACTIVITY,
        unit_measure=table.unit_measure,
        decimals=table.decimals,
        dimensions=list(table.dimensions),
        source=_source()[:300],
        periodicity=Periodicity.QUARTERLY,
    )


# --- Rounding the records of a quarter (pure) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Record:
    """One record counted (a case, a later contact, an appointment, an enrolment): its id and
    its group in each dimension of its table — one code, or several in an overlapping one."""

    pk: Any
    groups: Mapping[str, tuple[str, ...]]
    days: float | None = None
    """An appointment's wait, from booking to the appointment."""


@dataclass(frozen=True, slots=True)
class Facts:
    """What a quarter's tables count, before any rounding."""

    cases: Sequence[Record] = ()
    later_contacts: Sequence[Record] = ()
    appointments: Sequence[Record] = ()
    trained: Sequence[Record] = ()
    units: Sequence[str] = ()
    """The support units (every one is listed, "<base" included)."""
    courses: Sequence[str] = ()
    """The courses with a session starting in the quarter (likewise)."""


Key = tuple[str, ...]
Figures = dict[Key, float | None]
"""A table's figures of one quarter: series key → value; ``None`` is withheld."""

# The figure names the support desk's page gives the same records (``Keys.count``): the same
# records then round alike on both.
_FIGURE_NAMES = {SEX: "sex", ISLAND: "island", TOPIC: "topic", CITIZENSHIP: "nationality"}


def one_way_key(dimensions: Sequence[str], dimension: str | None = None, code: str = "") -> Key:
    """The series key of the total (``dimension`` None) or of ``code`` in ``dimension``, every
    other dimension at ``_T``."""
    return tuple(code if name == dimension else TOTAL for name in dimensions)


def round_population(
    records: Sequence[Record],
    *,
    kind: str,
    figure: str,
    dimensions: Sequence[str],
    fixed: Mapping[str, Iterable[str]],
    overlapping: frozenset[str] = frozenset(),
    base: int,
) -> dict[Key, int]:
    """The total and every one-way breakdown of ``records``, rounded together
    (``round_tally``) and keyed as series keys. Every group of ``fixed`` is listed (0
    included); any other group only when it did not round to 0."""
    keys = Keys(kind)
    groups: dict[str, dict[str, list[Any]]] = {
        dimension: {code: [] for code in fixed.get(dimension, ())} for dimension in dimensions
    }
    for record in records:
        for dimension in dimensions:
            for code in dict.fromkeys(record.groups[dimension]):
                groups[dimension].setdefault(code, []).append(record.pk)

    def cells(dimension: str) -> Mapping[str, Any]:
        return keys.cells(groups[dimension], _FIGURE_NAMES.get(dimension, dimension.lower()))

    rounded = round_tally(
        Tally(
            total=keys.count((record.pk for record in records), figure),
            splits={d: cells(d) for d in dimensions if d not in overlapping},
            overlaps={d: cells(d) for d in dimensions if d in overlapping},
        ),
        base=base,
    )
    found: dict[Key, int] = {one_way_key(dimensions): rounded.total}
    for dimension in dimensions:
        listed = set(fixed.get(dimension, ()))
        for code, value in sorted(rounded.breakdowns[dimension].items()):
            if value or code in listed:
                found[one_way_key(dimensions, dimension, code)] = value
    return found


def _published(counts: Mapping[Key, int]) -> Figures:
    return {key: float(value) if value else None for key, value in counts.items()}


def _median_days(records: Iterable[Record]) -> float:
    return round(median(record.days for record in records if record.days is not None), 1)


def build_tables(facts: Facts, *, base: int) -> dict[str, Figures]:
    """Every table of a quarter from its records, rounded as the module describes: indicator
    code → series key → value (``None``: withheld)."""
    table = TABLES_BY_CODE
    cases = round_population(
        facts.cases,
        kind="case",
        figure="cases_opened",
        dimensions=table[CASES_OPENED].dimensions,
        fixed={UNIT: facts.units, CHANNEL: CHANNELS, ISLAND: ISLANDS, SEX: SEXES},
        overlapping=table[CASES_OPENED].overlapping,
        base=base,
    )
    contact_dimensions = table[CONTACTS].dimensions
    later = round_population(
        facts.later_contacts,
        kind="interaction",
        figure="later_contacts",
        dimensions=contact_dimensions,
        fixed={UNIT: facts.units, CHANNEL: CHANNELS},
        base=base,
    )
    # A contacts figure: the cases opened as published, and the later contacts. The cases'
    # dimensions begin with the contacts' (UNIT, CHANNEL): their figures by unit and by
    # channel are those whose other dimensions are all at the total.
    size = len(contact_dimensions)
    padding = (TOTAL,) * (len(table[CASES_OPENED].dimensions) - size)
    opened = {key[:size]: value for key, value in cases.items() if key[size:] == padding}
    contacts = {
        key: later.get(key, 0) + opened.get(key, 0) for key in dict.fromkeys([*later, *opened])
    }
    appointment_dimensions = table[APPOINTMENTS].dimensions
    appointments = round_population(
        facts.appointments,
        kind="booking",
        figure="platform_appointments",
        dimensions=appointment_dimensions,
        fixed={UNIT: facts.units, SEX: SEXES, OUTCOME: APPOINTMENT_OUTCOMES},
        base=base,
    )
    by_unit: dict[str, list[Record]] = defaultdict(list)
    for record in facts.appointments:
        by_unit[record.groups[UNIT][0]].append(record)
    waits: Figures = {}
    for key, published in appointments.items():
        unit = key[0]
        if key[1:] != (TOTAL,) * (len(appointment_dimensions) - 1):
            continue
        over = facts.appointments if unit == TOTAL else by_unit.get(unit, [])
        waits[(unit,)] = _median_days(over) if published >= 2 * base else None
    trained = round_population(
        facts.trained,
        kind="enrolment",
        figure="platform_people_trained",
        dimensions=table[PEOPLE_TRAINED].dimensions,
        fixed={COURSE: facts.courses, SEX: SEXES, OUTCOME: TRAINING_OUTCOMES},
        base=base,
    )
    return {
        CONTACTS: _published(contacts),
        CASES_OPENED: _published(cases),
        APPOINTMENTS: _published(appointments),
        APPOINTMENT_WAIT: waits,
        PEOPLE_TRAINED: _published(trained),
    }


def table_rows(quarter: str, figures: Figures) -> Iterator[Row]:
    """The observations of ``figures`` for ``quarter``: a withheld figure is empty, with
    ``CONF_STATUS`` "C" (confidential) and ``OBS_STATUS`` "Q" (suppressed)."""
    for key, value in sorted(figures.items()):
        if value is None:
            yield Row(period=quarter, key=key, value=None, obs_status="Q", conf_status="C")
        else:
            yield Row(period=quarter, key=key, value=value)


# --- Reading the records of a quarter ---------------------------------------------------------


def _sex(value: str | None) -> str:
    return SEX_CODES.get(Sex(value), UNKNOWN) if value in Sex.values else UNKNOWN


def _countries(codes: Iterable[Any] | None) -> tuple[str, ...]:
    found = {str(code).strip().upper() for code in codes or ()}
    return tuple(sorted(code for code in found if _ISO_COUNTRY.match(code))) or (UNKNOWN,)


def _code(value: str | None) -> str:
    """A group's code as SDMX allows it; ``_U`` for none."""
    return value if value and enums.CODE_VALUE.match(value) else UNKNOWN


def _topic_code(code: str, pk: Any) -> str:
    """A topic by its code (``observatory.labels`` names it by that); one without a usable
    code by its id."""
    return code if code and code != TOTAL and enums.CODE_VALUE.match(code) else str(pk)


def count_quarter(quarter: str) -> Facts:
    """The records of ``quarter`` that its tables count (the module says which)."""
    since, until = quarter_bounds(quarter)

    def during(field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": since, f"{field_name}__lt": until})

    units = tuple(
        Unit.objects.exclude(kind=UnitKind.PARTNER).order_by("slug").values_list("slug", flat=True)
    )
    rows = list(
        Case.objects.filter(consenting("person"), during("opened_at"))
        .values_list(
            "id", "unit__slug", "channel", "person__island", "person__sex",
            "person__nationalities",
        )
        .order_by()
    )  # fmt: skip
    topics: dict[int, set[str]] = defaultdict(set)
    for case_id, code, term_id in (
        Case.topics.through.objects.filter(
            consenting("case__person"), case__opened_at__gte=since, case__opened_at__lt=until
        )
        .values_list("case_id", "taxonomyterm__code", "taxonomyterm_id")
        .order_by()
    ):
        topics[case_id].add(_topic_code(code, term_id))
    cases = [
        Record(
            pk,
            {
                UNIT: (_code(unit),),
                CHANNEL: (_code(channel),),
                ISLAND: (island if island in Island.values else UNKNOWN,),
                SEX: (_sex(sex),),
                CITIZENSHIP: _countries(nationalities),
                TOPIC: tuple(sorted(topics.get(pk, ()))) or (UNKNOWN,),
            },
        )
        for pk, unit, channel, island, sex, nationalities in rows
    ]
    # The first contact of a case is the case itself: later ones come after its opening.
    later_contacts = [
        Record(pk, {UNIT: (_code(unit),), CHANNEL: (_code(channel),)})
        for pk, unit, channel in Interaction.objects.filter(
            consenting("case__person"), during("occurred_at"), direction=Direction.IN,
            occurred_at__gt=F("case__opened_at"),
        )
        .exclude(channel=Channel.NOTE)
        .values_list("id", "case__unit__slug", "channel")
        .order_by()
    ]  # fmt: skip
    appointments = [
        Record(
            pk,
            {
                UNIT: (_code(unit),),
                SEX: (_sex(sex),),
                OUTCOME: (
                    ATTENDED
                    if status == BookingStatus.CHECKED_IN
                    else NO_SHOW
                    if status == BookingStatus.NO_SHOW
                    else NOT_RECORDED,
                ),
            },
            days=(starts_at - created_at).total_seconds() / 86400,
        )
        for pk, unit, sex, status, starts_at, created_at in Booking.objects.filter(
            consenting("person"), during("starts_at"), status__in=_HELD
        )
        .values_list(
            "id", "bookable__service_at_location__service__unit__slug", "person__sex", "status",
            "starts_at", "created_at",
        )
        .order_by()
    ]  # fmt: skip
    sessions = CourseSession.objects.filter(cancelled_at__isnull=True).filter(during("starts_at"))
    courses = tuple(sorted(set(sessions.values_list("course__slug", flat=True))))
    certificates = {
        enrolment_id: revoked_at is not None
        for enrolment_id, revoked_at in Certificate.objects.filter(
            enrolment__session__in=sessions
        ).values_list("enrolment_id", "revoked_at")
    }

    def outcome(pk: int, status: str) -> str:
        if status == EnrolmentStatus.COMPLETED:
            if pk in certificates:
                return REVOKED if certificates[pk] else CERTIFIED
            return COMPLETED
        return NOT_COMPLETED if status == EnrolmentStatus.NOT_COMPLETED else NO_OUTCOME

    trained = [
        Record(pk, {COURSE: (course,), SEX: (_sex(sex),), OUTCOME: (outcome(pk, status),)})
        for pk, course, sex, status in Enrolment.objects.filter(
            consenting("person"), session__in=sessions, status__in=HOLDING
        )
        .values_list("id", "session__course__slug", "sex", "status")
        .order_by()
    ]
    return Facts(
        cases=cases,
        later_contacts=later_contacts,
        appointments=appointments,
        trained=trained,
        units=units,
        courses=courses,
    )


# --- Drafting ---------------------------------------------------------------------------------


def _current(indicator: Indicator) -> Dataset | None:
    return Dataset.objects.filter(indicator=indicator, status=DatasetStatus.PUBLISHED).first()


def _holds(dataset: Dataset | None, quarter: str) -> bool:
    return dataset is not None and dataset.observations.filter(period=quarter).exists()


def _platform_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.filter(indicator__code__in=PLATFORM_INDICATORS)


def _kept_rows(dataset: Dataset | None, quarter: str) -> Iterator[Row]:
    """The observations of ``dataset`` outside ``quarter``, unchanged."""
    if dataset is None:
        return
    for period, key, value, obs_status, conf_status in (
        Observation.objects.filter(dataset=dataset)
        .exclude(period=quarter)
        .order_by("period", "key")
        .values_list("period", "key", "value", "obs_status", "conf_status")
        .iterator(chunk_size=2000)
    ):
        yield Row(
            period=period,
            key=tuple(key.split(".")),
            value=value,
            obs_status=obs_status,
            conf_status=conf_status,
        )


@dataclass
class _Plan:
    table: Table
    indicator: Indicator
    current: Dataset | None
    correcting: bool
    rows: list[Row] = field(default_factory=list)


@transaction.atomic
def draft_platform_tables(
    *, quarter: str, actor: User | None, now: datetime, correction_note: str = ""
) -> list[Dataset]:
    """Draft the tables of ``quarter`` ("2026-Q3"): for each of ``PLATFORM_INDICATORS``
    (created when missing), a new draft version holding the published quarters unchanged and
    this quarter's figures, for an analyst to review. Refused (``TablesRefused``, nothing
    changed) for a quarter that has not ended at ``now``, while a draft of another quarter
    waits for review, and for a quarter already published without a ``correction_note`` — a
    correction's note becomes the new versions' ``revision_note``. A draft of the same
    quarter not yet reviewed is discarded and replaced. Permissions are the caller's.

    Side effects: audit ``observatory.platform.drafted`` (quarter, correction or not, each
    indicator's new version and its number of figures for the quarter, withheld ones, the
    drafts replaced); each draft stored audits ``observatory.dataset.imported``, each replaced
    one ``observatory.dataset.discarded``, each indicator created
    ``observatory.indicator.created``."""
    quarter = quarter.strip()
    _since, until = quarter_bounds(quarter)
    if until > now:
        raise TablesRefused(
            _("%(quarter)s has not ended yet: its tables can be drafted once it is over.")
            % {"quarter": quarter}
        )
    note = correction_note.strip()
    waiting = sorted(
        set(
            _platform_datasets()
            .filter(status=DatasetStatus.DRAFT)
            .exclude(quarter=quarter)
            .values_list("quarter", flat=True)
        )
    )
    if waiting:
        raise TablesRefused(
            _(
                "The tables of %(quarters)s are waiting for review: publish or discard them "
                "before drafting another quarter."
            )
            % {"quarters": ", ".join(q or "?" for q in waiting)}
        )
    base = small_cell()
    plans = []
    for table in TABLES:
        indicator = _indicator(table, base)
        # One drafting at a time per indicator.
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        current = _current(indicator)
        if current is not None and list(current.dimensions) != list(table.dimensions):
            raise TablesRefused(
                _(
                    "The published version %(dataset)s has other dimensions than the "
                    "platform's table: it cannot be carried on."
                )
                % {"dataset": current.public_id}
            )
        plans.append(_Plan(table, indicator, current, _holds(current, quarter)))
    correcting = [plan.indicator.code for plan in plans if plan.correcting]
    if correcting and not note:
        raise TablesRefused(
            _(
                "The tables of %(quarter)s are published already: a correction needs a note "
                "saying what was wrong."
            )
            % {"quarter": quarter}
        )
    replaced = [
        discard_dataset(dataset=draft, actor=actor).public_id
        for draft in _platform_datasets().filter(status=DatasetStatus.DRAFT, quarter=quarter)
    ]
    figures = build_tables(count_quarter(quarter), base=base)
    provenance = Provenance(
        source_name=_source()[:300],
        retrieved_on=now.astimezone(_zone()).date(),
        note=_note(base),
    )
    drafted: list[Dataset] = []
    counts: dict[str, int] = {}
    withheld: dict[str, int] = {}
    for plan in plans:
        new_rows = list(table_rows(quarter, figures[plan.table.code]))
        dataset = store_dataset(
            indicator=plan.indicator,
            dimensions=plan.table.dimensions,
            rows=_chain(_kept_rows(plan.current, quarter), new_rows),
            provenance=provenance,
            origin=DatasetOrigin.PLATFORM,
            actor=actor,
            # Not read from a file: the format its figures are published in.
            file_format=FileFormat.SDMX_CSV,
            quarter=quarter,
        )
        # What the analyst will publish it with (``publish_dataset`` takes the draft's note):
        # a correction's note; for a quarter added to the series, that it was added.
        dataset.revision_note = note
        if not note and dataset.version > 1:
            dataset.revision_note = _(
                "The figures of %(quarter)s are added; the earlier quarters are unchanged."
            ) % {"quarter": quarter}
        dataset.save(update_fields=["revision_note"])
        drafted.append(dataset)
        counts[plan.table.code] = len(new_rows)
        withheld[plan.table.code] = sum(1 for row in new_rows if row.value is None)
    audit.record(
        action="observatory.platform.drafted",
        actor=actor,
        data={
            "quarter": quarter,
            "correction": bool(correcting),
            "indicators": {dataset.indicator.code: dataset.public_id for dataset in drafted},
            "observations": counts,
            "withheld": withheld,
            "replaced": replaced,
        },
    )
    return drafted


def _chain(first: Iterable[Row], second: Iterable[Row]) -> Iterator[Row]:
    yield from first
    yield from second


def draft_due_tables(*, now: datetime) -> int:
    """The periodic job: once a quarter has ended, draft its tables (as the platform, no
    actor) — once: not when a version of any status was already drafted for it, or a published
    version holds it; not either while a draft of another quarter waits for review (the job
    tries again the next day). Returns how many tables were drafted."""
    quarter = last_ended_quarter(now)
    platform = _platform_datasets()
    if platform.filter(quarter=quarter).exists():
        return 0
    if Observation.objects.filter(
        dataset__in=platform.filter(status=DatasetStatus.PUBLISHED), period=quarter
    ).exists():
        return 0
    if platform.filter(status=DatasetStatus.DRAFT).exists():
        return 0
    return len(draft_platform_tables(quarter=quarter, actor=None, now=now))


# --- What the analyst's page shows ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableState:
    """One indicator's table of a quarter: the published version that holds it, and the
    drafts made for it that wait for review."""

    code: str
    indicator: Indicator | None
    published: Dataset | None
    drafts: tuple[Dataset, ...]


@dataclass(frozen=True, slots=True)
class QuarterState:
    quarter: str
    tables: tuple[TableState, ...]

    @property
    def is_published(self) -> bool:
        return any(table.published is not None for table in self.tables)

    @property
    def waits_for_review(self) -> bool:
        return any(table.drafts for table in self.tables)


def quarter_overview(*, now: datetime, shown: int = 8) -> list[QuarterState]:
    """The quarters that have platform tables (drafted or published), and the last ended one,
    newest first — at least the ``shown`` last ended quarters: each with, for every table, the
    published version holding it and the drafts waiting for review. A handful of queries."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=PLATFORM_INDICATORS)}
    current = {
        dataset.indicator.code: dataset
        for dataset in _platform_datasets()
        .filter(status=DatasetStatus.PUBLISHED)
        .select_related("indicator")
    }
    published: dict[str, set[str]] = defaultdict(set)
    for code, period in (
        Observation.objects.filter(dataset__in=list(current.values()))
        .values_list("dataset__indicator__code", "period")
        .distinct()
        .order_by()
    ):
        published[period].add(code)
    drafts: dict[tuple[str, str], list[Dataset]] = defaultdict(list)
    for dataset in (
        _platform_datasets()
        .filter(status=DatasetStatus.DRAFT)
        .select_related("indicator")
        .order_by("version")
    ):
        drafts[(dataset.quarter, dataset.indicator.code)].append(dataset)
    latest = last_ended_quarter(now)
    quarters = {
        quarter
        for quarter in {quarter for quarter, _code in drafts} | set(published)
        if _is_quarter(quarter) and parse_quarter(quarter) <= parse_quarter(latest)
    }
    recent = latest
    for _n in range(shown):
        quarters.add(recent)
        recent = previous_quarter(recent)
    return [
        QuarterState(
            quarter,
            tuple(
                TableState(
                    code,
                    indicators.get(code),
                    current.get(code) if code in published.get(quarter, ()) else None,
                    tuple(drafts.get((quarter, code), ())),
                )
                for code in PLATFORM_INDICATORS
            ),
        )
        for quarter in sorted(quarters, key=parse_quarter, reverse=True)
    ]


def _is_quarter(text: str) -> bool:
    match = _QUARTER.match(text)
    return match is not None and int(match[1]) >= FIRST_YEAR
