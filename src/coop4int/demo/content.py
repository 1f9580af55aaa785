"""Demo information cards: the Migrant Support Line (in fourteen languages), face-to-face
service without appointment, COVID-19 vaccination without a national health service number,
and what Coop4Int is — taken from the ACM leaflet and the project description in the project's
seed text.

Every card is written through the content workflow, so its history and audit log are real: the
"editor" account writes and submits, the "admin" account (who also holds the content permission)
reviews and publishes. The cards tell small stories that leave a translation in each status:

- Migrant Support Line: published with the hours before 5 March 2022 in Portuguese and English;
  the new hours make the English outdated, then it and twelve more languages are published.
- Face-to-face service: published with the mask rule in Portuguese, English and French; the rule
  is dropped, English is brought up to date, French stays **outdated**.
- COVID-19 vaccination: Portuguese published, English **in review**.
- What Coop4Int is: Portuguese and English published, Kabuverdianu a **draft**.

They keep the traffic lights of the content-health page lit (``content.domain.health``): the
face-to-face card was last reviewed thirteen months before loading, so its review date has
passed (and its French is behind: **red**); the vaccination card's review falls due within
the month (**amber**); the others were reviewed when their source was published. The dates are
counted from the day the demo is loaded, so the story stays true whenever that is. Every card
is kept by the AAI, the editor's unit.

Every item and text is marked as demo and every text ends with a line that says so. Loading
twice changes nothing: a card whose slug exists is left as it is.
"""

import inspect
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from coop4int.accounts.models import User
from coop4int.content.domain.review import mark_reviewed
from coop4int.content.domain.workflow import (
    create_item,
    publish,
    save_text,
    source_of,
    submit_for_review,
)
from coop4int.content.enums import ItemKind
from coop4int.content.models import ContentItem, Translation

WRITER = "editor"
REVIEWER = "admin"

# The last line of every demo text, in its language; English where we could not be sure.
_TO_CHECK = "Demo translation — to be checked by a translator."
DEMO_NOTES: dict[str, str] = {
    "pt": "Texto de demonstração (demo).",
    "en": "Demo translation.",
    "kea": _TO_CHECK,
    "fr": "Traduction de démonstration (demo).",
    "es": "Traducción de demostración (demo).",
    "ar": "هذه ترجمة تجريبية (demo).",
    "zh": "此为演示译文（demo）。",
    "wo": _TO_CHECK,
    "bn": "এটি একটি ডেমো অনুবাদ (demo)।",
    "hi": "यह एक डेमो अनुवाद है (demo)।",
    "ru": "Это демонстрационный перевод (demo).",
    "uk": "Це демонстраційний переклад (demo).",
    "ro": "Aceasta este o traducere demonstrativă (demo).",
    "ne": "यो एउटा डेमो अनुवाद हो (demo)।",
}


def _md(text: str) -> str:
    """Markdown written indented in this module, without the indentation."""
    return inspect.cleandoc(text)


def with_demo_note(language: str, body: str) -> str:
    return f"{body}\n\n---\n\n*{DEMO_NOTES[language]}*"


class Stage(StrEnum):
    """How far a text goes in the workflow."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"


@dataclass(frozen=True)
class Text:
    language: str
    title: str
    summary: str
    body: str  # Markdown, without the demo note
    stage: Stage = Stage.PUBLISHED


@dataclass(frozen=True)
class Card:
    slug: str
    # In the order they are written; the first is the source's first version.
    texts: tuple[Text, ...]
    kind: ItemKind = ItemKind.CARD
    # When someone last checked the card against the facts, in days before loading; None:
    # when its source was last published (that is, on the day of loading).
    reviewed_days_ago: int | None = None


# --- Migrant Support Line --------------------------------------------------------------------

LANDLINE = "[808 257 257](tel:+351808257257)"
MOBILE = "[21 810 61 91](tel:+351218106191)"


@dataclass(frozen=True)
class LineWords:
    """The Migrant Support Line card in one language: each field a whole line or phrase."""

    title: str
    summary: str
    numbers: str
    landline: str
    mobile: str
    hours: str
    since: str
    weekdays: str
    saturday: str
    time_zone: str
    more: str = ""

    def text(self, language: str) -> Text:
        body = _md(f"""
            ## {self.numbers}

            - {LANDLINE} — {self.landline}
            - {MOBILE} — {self.mobile}

            ## {self.hours}

            {self.since}

            - {self.weekdays}
            - {self.saturday}

            {self.time_zone}
            """)
        if self.more:
            body = f"{body}\n\n{self.more}"
        return Text(language, self.title, self.summary, body)


LINE_PT_MORE = (
    "Também pode contactar o ACM através da app My CNAIM ou por e-mail, ou ir sem marcação "
    "prévia a um Centro Nacional de Apoio à Integração de Migrantes (CNAIM)."
)
LINE_EN_MORE = (
    "You can also contact ACM through the My CNAIM app or by e-mail, or go without an "
    "appointment to a National Support Centre for the Integration of Migrants (CNAIM)."
)

LINE_PT_BEFORE = Text(
    "pt",
    "Linha de Apoio a Migrantes",
    "Informação e apoio por telefone do Alto Comissariado para as Migrações (ACM), em Portugal.",
    _md(f"""
        ## Números

        - {LANDLINE} — rede fixa
        - {MOBILE} — rede móvel e estrangeiro

        ## Horário

        - Segunda a sexta-feira, das 9h00 às 19h00

        Hora de Lisboa.

        {LINE_PT_MORE}
        """),
)
LINE_EN_BEFORE = Text(
    "en",
    "Migrant Support Line",
    "Information and support by telephone from the High Commission for Migration (ACM), Portugal.",
    _md(f"""
        ## Numbers

        - {LANDLINE} — landline
        - {MOBILE} — mobile and abroad

        ## Opening hours

        - Monday to Friday, 9 am to 7 pm

        Lisbon time.

        {LINE_EN_MORE}
        """),
)

# From 5 March 2022, in every language the line's card is published in.
LINE_NOW: dict[str, LineWords] = {
    "pt": LineWords(
        title="Linha de Apoio a Migrantes",
        summary=LINE_PT_BEFORE.summary,
        numbers="Números",
        landline="rede fixa",
        mobile="rede móvel e estrangeiro",
        hours="Horário",
        since="A partir de 5 de março de 2022:",
        weekdays="Segunda a sexta-feira, das 9h00 às 20h00",
        saturday="Sábado, das 9h00 às 17h00",
        time_zone="Hora de Lisboa.",
        more=LINE_PT_MORE,
    ),
    "en": LineWords(
        title="Migrant Support Line",
        summary=LINE_EN_BEFORE.summary,
        numbers="Numbers",
        landline="landline",
        mobile="mobile and abroad",
        hours="Opening hours",
        since="From 5 March 2022:",
        weekdays="Monday to Friday, 9 am to 8 pm",
        saturday="Saturday, 9 am to 5 pm",
        time_zone="Lisbon time.",
        more=LINE_EN_MORE,
    ),
    "kea": LineWords(
        title="Linha di Apoiu a Migranti",
        summary="Informason i apoiu pa telefoni di Altu Kumisariadu pa Migrasons (ACM), "
        "na Purtugal.",
        numbers="Númerus",
        landline="di telefoni fiksu",
        mobile="di telemóvel i di stranjeru",
        hours="Oráriu",
        since="A partir di 5 di Marsu di 2022:",
        weekdays="Di sigunda a sesta-fera, di 9h00 pa 20h00",
        saturday="Sábadu, di 9h00 pa 17h00",
        time_zone="Ora di Lisboa.",
    ),
    "fr": LineWords(
        title="Ligne d'appui aux migrants",
        summary="Information et soutien par téléphone du Haut-Commissariat aux migrations "
        "(ACM), au Portugal.",
        numbers="Numéros",
        landline="depuis un téléphone fixe",
        mobile="depuis un mobile ou depuis l'étranger",
        hours="Horaires",
        since="À partir du 5 mars 2022 :",
        weekdays="Du lundi au vendredi, de 9 h à 20 h",
        saturday="Le samedi, de 9 h à 17 h",
        time_zone="Heure de Lisbonne.",
    ),
    "es": LineWords(
        title="Línea de Apoyo a Migrantes",
        summary="Información y apoyo por teléfono del Alto Comisionado para las Migraciones "
        "(ACM), en Portugal.",
        numbers="Números",
        landline="desde un teléfono fijo",
        mobile="desde un móvil o desde el extranjero",
        hours="Horario",
        since="A partir del 5 de marzo de 2022:",
        weekdays="De lunes a viernes, de 9:00 a 20:00",
        saturday="Sábados, de 9:00 a 17:00",
        time_zone="Hora de Lisboa.",
    ),
    "ar": LineWords(
        title="خط دعم المهاجرين",
        summary="معلومات ودعم عبر الهاتف من المفوضية السامية للهجرة (ACM) في البرتغال.",
        numbers="الأرقام",
        landline="من الهاتف الثابت",
        mobile="من الهاتف المحمول ومن خارج البرتغال",
        hours="أوقات العمل",
        since="ابتداءً من 5 مارس 2022:",
        weekdays="من الاثنين إلى الجمعة، من الساعة 9:00 إلى الساعة 20:00",
        saturday="السبت، من الساعة 9:00 إلى الساعة 17:00",
        time_zone="بتوقيت لشبونة.",
    ),
    "zh": LineWords(
        title="移民支持热线",
        summary="葡萄牙移民高级专员署（ACM）提供的电话咨询与支持。",
        numbers="电话号码",
        landline="固定电话拨打",
        mobile="手机或从国外拨打",
        hours="服务时间",
        since="自2022年3月5日起：",
        weekdays="周一至周五，9:00–20:00",
        saturday="周六，9:00–17:00",
        time_zone="里斯本时间。",
    ),
    "wo": LineWords(
        title="Liñu ndimbal ngir doxandéem yi",
        summary="Xibaar ak ndimbal ci telefon, ci Haut-Commissariat aux migrations (ACM) "
        "bu Portugal.",
        numbers="Nimero yi",
        landline="ci telefon bu fiks",
        mobile="ci portaabal walla bitim-réew",
        hours="Waxtu yi",
        since="Li dale 5 màrs 2022:",
        weekdays="Altine ba àjjuma, 9:00 ba 20:00",
        saturday="Gaawu, 9:00 ba 17:00",
        time_zone="Waxtu Lisbonne.",
    ),
    "bn": LineWords(
        title="অভিবাসী সহায়তা লাইন",
        summary="পর্তুগালের অভিবাসন বিষয়ক উচ্চ কমিশন (ACM)-এর টেলিফোনে তথ্য ও সহায়তা।",
        numbers="নম্বর",
        landline="ল্যান্ডলাইন থেকে",
        mobile="মোবাইল ও বিদেশ থেকে",
        hours="সময়",
        since="5 মার্চ 2022 থেকে:",
        weekdays="সোমবার থেকে শুক্রবার, 9:00–20:00",
        saturday="শনিবার, 9:00–17:00",
        time_zone="লিসবনের সময় অনুযায়ী।",
    ),
    "hi": LineWords(
        title="प्रवासी सहायता लाइन",
        summary="पुर्तगाल के प्रवासन उच्चायोग (ACM) की ओर से फ़ोन पर जानकारी और सहायता।",
        numbers="नंबर",
        landline="लैंडलाइन से",
        mobile="मोबाइल से और विदेश से",
        hours="समय",
        since="5 मार्च 2022 से:",
        weekdays="सोमवार से शुक्रवार, 9:00–20:00",
        saturday="शनिवार, 9:00–17:00",
        time_zone="लिस्बन के समय के अनुसार।",
    ),
    "ru": LineWords(
        title="Линия поддержки мигрантов",
        summary="Информация и поддержка по телефону от Высокого комиссариата по вопросам "
        "миграции (ACM) Португалии.",
        numbers="Номера",
        landline="со стационарного телефона",
        mobile="с мобильного телефона и из-за рубежа",
        hours="Часы работы",
        since="С 5 марта 2022 года:",
        weekdays="С понедельника по пятницу, с 9:00 до 20:00",
        saturday="В субботу, с 9:00 до 17:00",
        time_zone="По лиссабонскому времени.",
    ),
    "uk": LineWords(
        title="Лінія підтримки мігрантів",
        summary="Інформація та підтримка телефоном від Верховного комісаріату з питань "
        "міграції (ACM) Португалії.",
        numbers="Номери",
        landline="зі стаціонарного телефону",
        mobile="з мобільного телефону та з-за кордону",
        hours="Години роботи",
        since="З 5 березня 2022 року:",
        weekdays="З понеділка по п'ятницю, з 9:00 до 20:00",
        saturday="У суботу, з 9:00 до 17:00",
        time_zone="За лісабонським часом.",
    ),
    "ro": LineWords(
        title="Linia de sprijin pentru migranți",
        summary="Informații și sprijin prin telefon de la Înaltul Comisariat pentru Migrație "
        "(ACM) din Portugalia.",
        numbers="Numere",
        landline="de pe telefonul fix",
        mobile="de pe mobil și din străinătate",
        hours="Program",
        since="Începând cu 5 martie 2022:",
        weekdays="De luni până vineri, între 9:00 și 20:00",
        saturday="Sâmbătă, între 9:00 și 17:00",
        time_zone="Ora Lisabonei.",
    ),
    "ne": LineWords(
        title="आप्रवासी सहायता लाइन",
        summary="पोर्चुगलको आप्रवासन उच्चायोग (ACM) बाट फोनमार्फत जानकारी र सहयोग।",
        numbers="नम्बरहरू",
        landline="ल्यान्डलाइनबाट",
        mobile="मोबाइल र विदेशबाट",
        hours="समय",
        since="5 मार्च 2022 देखि:",
        weekdays="सोमबारदेखि शुक्रबारसम्म, 9:00–20:00",
        saturday="शनिबार, 9:00–17:00",
        time_zone="लिस्बनको समय अनुसार।",
    ),
}

MIGRANT_SUPPORT_LINE = Card(
    slug="linha-de-apoio-a-migrantes",
    texts=(
        LINE_PT_BEFORE,
        LINE_EN_BEFORE,
        # The new hours: the English above becomes outdated, then is brought up to date.
        *(words.text(language) for language, words in LINE_NOW.items()),
    ),
)


# --- Face-to-face service without appointment ----------------------------------------------

MASK = {
    "pt": "**É obrigatório o uso de máscara ou viseira.**",
    "en": "**The use of a mask or visor is mandatory.**",
    "fr": "**Le port d'un masque ou d'une visière est obligatoire.**",
}
BEJA = (
    "Edifício Administrativo do Parque de Feiras e Exposições Manuel de Castro e Brito, "
    "Av. Salgueiro Maia, s/n, 7800-552 Beja"
)
FARO = (
    "Loja do Cidadão, Mercado Municipal, 1.º piso, Largo Dr. Francisco Sá Carneiro, 8000-151 Faro"
)


def _face_to_face_pt(*, mask: bool) -> Text:
    return Text(
        "pt",
        "Atendimento presencial sem marcação",
        "Nos Centros Nacionais de Apoio à Integração de Migrantes (CNAIM), em Portugal, e nas "
        "unidades locais de apoio ao imigrante da AAI, em Cabo Verde, é atendido sem marcação "
        "prévia.",
        _md(f"""
            ## Em Portugal: CNAIM

            {MASK["pt"] if mask else ""}

            ### CNAIM Lisboa

            - Rua Álvaro Coutinho, 14, 1150-025 Lisboa
            - Fax: 21 810 61 17
            - Segunda a sexta-feira, das 8h00 às 17h00

            ### CNAIM Porto

            - Av. de França, 316, Edifício Capitólio, 4050-276 Porto
            - Telefone: [22 207 38 10](tel:+351222073810)
            - Fax: 22 207 38 17
            - Segunda a sexta-feira, das 8h00 às 17h00

            ### CNAIM Beja

            - {BEJA}
            - Telefone: {LANDLINE} ou {MOBILE} (Linha de Apoio a Migrantes)
            - Segunda a sexta-feira, das 9h00 às 12h30 e das 14h00 às 17h30

            ### CNAIM Algarve

            - {FARO}
            - Telefone: {LANDLINE} ou {MOBILE} (Linha de Apoio a Migrantes)
            - Segunda a sexta-feira, das 8h30 às 17h00

            Continua a poder optar pelo atendimento telefónico, através da Linha de Apoio a
            Migrantes, da app My CNAIM ou por e-mail.

            ## Em Cabo Verde: unidades locais da AAI

            A Alta Autoridade para a Imigração (AAI) tem unidades locais de apoio ao imigrante
            na Praia, no Mindelo, em Espargos e em Sal Rei. Moradas e horários no
            [diretório de serviços](/pt/directory/).
            """).replace("\n\n\n\n", "\n\n"),
    )


def _face_to_face_en(*, mask: bool) -> Text:
    return Text(
        "en",
        "Face-to-face service without appointment",
        "At the National Support Centres for the Integration of Migrants (CNAIM) in Portugal "
        "and at AAI's local immigrant support units in Cabo Verde, you are seen without a "
        "prior appointment.",
        _md(f"""
            ## In Portugal: CNAIM

            {MASK["en"] if mask else ""}

            ### CNAIM Lisboa

            - Rua Álvaro Coutinho, 14, 1150-025 Lisboa
            - Fax: 21 810 61 17
            - Monday to Friday, 8 am to 5 pm

            ### CNAIM Porto

            - Av. de França, 316, Edifício Capitólio, 4050-276 Porto
            - Telephone: [22 207 38 10](tel:+351222073810)
            - Fax: 22 207 38 17
            - Monday to Friday, 8 am to 5 pm

            ### CNAIM Beja

            - {BEJA}
            - Telephone: {LANDLINE} or {MOBILE} (Migrant Support Line)
            - Monday to Friday, 9:00 am to 12:30 pm and 2:00 pm to 5:30 pm

            ### CNAIM Algarve

            - {FARO}
            - Telephone: {LANDLINE} or {MOBILE} (Migrant Support Line)
            - Monday to Friday, 8:30 am to 5 pm

            You can still choose the telephone service, through the Migrant Support Line, the
            My CNAIM app or by e-mail.

            ## In Cabo Verde: AAI local units

            The High Authority for Immigration (AAI) has local immigrant support units in Praia,
            Mindelo, Espargos and Sal Rei. Addresses and opening hours are in the
            [service directory](/en/directory/).
            """).replace("\n\n\n\n", "\n\n"),
    )


FACE_TO_FACE_FR_WITH_MASK = Text(
    "fr",
    "Accueil sur place sans rendez-vous",
    "Dans les Centres nationaux d'appui à l'intégration des migrants (CNAIM), au Portugal, et "
    "dans les unités locales d'appui aux immigrés de l'AAI, au Cap-Vert, vous êtes reçu sans "
    "rendez-vous préalable.",
    _md(f"""
        ## Au Portugal : les CNAIM

        {MASK["fr"]}

        ### CNAIM Lisboa

        - Rua Álvaro Coutinho, 14, 1150-025 Lisboa
        - Fax : 21 810 61 17
        - Du lundi au vendredi, de 8 h à 17 h

        ### CNAIM Porto

        - Av. de França, 316, Edifício Capitólio, 4050-276 Porto
        - Téléphone : [22 207 38 10](tel:+351222073810)
        - Fax : 22 207 38 17
        - Du lundi au vendredi, de 8 h à 17 h

        ### CNAIM Beja

        - {BEJA}
        - Téléphone : {LANDLINE} ou {MOBILE} (Ligne d'appui aux migrants)
        - Du lundi au vendredi, de 9 h à 12 h 30 et de 14 h à 17 h 30

        ### CNAIM Algarve

        - {FARO}
        - Téléphone : {LANDLINE} ou {MOBILE} (Ligne d'appui aux migrants)
        - Du lundi au vendredi, de 8 h 30 à 17 h

        Vous pouvez toujours choisir l'accueil par téléphone : Ligne d'appui aux migrants,
        application My CNAIM ou e-mail.

        ## Au Cap-Vert : les unités locales de l'AAI

        La Haute Autorité pour l'immigration (AAI) a des unités locales d'appui aux immigrés à
        Praia, Mindelo, Espargos et Sal Rei. Adresses et horaires dans l'[annuaire des
        services](/fr/directory/).
        """),
)

FACE_TO_FACE = Card(
    slug="atendimento-presencial-sem-marcacao",
    texts=(
        _face_to_face_pt(mask=True),
        _face_to_face_en(mask=True),
        FACE_TO_FACE_FR_WITH_MASK,
        # The mask rule ends: English and French become outdated; only English is redone.
        _face_to_face_pt(mask=False),
        _face_to_face_en(mask=False),
    ),
    # Thirteen months ago: its review date passed a month ago.
    reviewed_days_ago=396,
)


# --- COVID-19 vaccination without a national health service number ------------------------

COVID_VACCINATION = Card(
    slug="vacinacao-covid-19-sem-numero-de-utente",
    texts=(
        Text(
            "pt",
            "Vacinação contra a COVID-19 sem número de utente do SNS",
            "Em Portugal, os cidadãos estrangeiros sem número de utente do Serviço Nacional de "
            "Saúde (SNS) podem registar-se numa plataforma online para serem vacinados.",
            _md(f"""
                ## Não tem número de utente do SNS?

                Registe-se na plataforma online de registo de cidadãos estrangeiros sem número
                de utente do SNS (Serviço Nacional de Saúde) para a vacinação contra a
                COVID-19.

                ## Tem número de utente do SNS?

                Faça o autoagendamento da sua vacinação.

                ## Precisa de ajuda?

                Se precisar de apoio no registo ou no autoagendamento, ou se tiver dificuldades
                no processo, contacte o ACM. Pode também ligar para a Linha de Apoio a
                Migrantes:

                - {LANDLINE} — rede fixa
                - {MOBILE} — rede móvel e estrangeiro

                ## Informação noutras línguas

                - Fichas informativas do ACM sobre a vacinação em árabe, chinês (mandarim),
                  espanhol, francês, hindi, inglês, nepalês, português, romeno, russo,
                  tailandês e ucraniano.
                - Guia dos Médicos do Mundo Portugal sobre a COVID-19, em 25 línguas.
                - Folheto informativo da OIM sobre a COVID-19, em mais de 30 línguas.

                A informação é meramente indicativa e não dispensa a consulta das autoridades
                competentes. Este cartão de demonstração resume informação publicada pelo ACM
                durante a vacinação contra a COVID-19: confirme no SNS se a plataforma ainda
                está disponível.
                """),
        ),
        Text(
            "en",
            "COVID-19 vaccination without a national health service number",
            "In Portugal, foreign citizens without a National Health Service (SNS) user "
            "number can register on an online platform to be vaccinated.",
            _md(f"""
                ## No SNS user number?

                Register on the online platform for foreign citizens without an SNS (National
                Health Service) user number to be vaccinated against COVID-19.

                ## You have an SNS user number?

                Self-schedule your vaccination appointment.

                ## Need help?

                If you need support with registration or self-scheduling, or if you are facing
                difficulties in the process, contact ACM. You can also call the Migrant Support
                Line:

                - {LANDLINE} — landline
                - {MOBILE} — mobile and abroad

                ## Information in other languages

                - ACM information cards on vaccination in Arabic, Chinese (Mandarin), English,
                  French, Hindi, Nepali, Portuguese, Romanian, Russian, Spanish, Thai and
                  Ukrainian.
                - Doctors of the World Portugal's guide on COVID-19, in 25 languages.
                - IOM's information leaflet on COVID-19, in more than 30 languages.

                This information is only indicative and does not replace consulting the
                competent authorities. This demo card summarises information published by ACM
                during the COVID-19 vaccination: check with the SNS whether the platform is
                still available.
                """),
            stage=Stage.IN_REVIEW,
        ),
    ),
    # Eleven and a half months ago: due for review within the month.
    reviewed_days_ago=345,
)


# --- What Coop4Int is ----------------------------------------------------------------------

ABOUT_COOP4INT = Card(
    slug="o-que-e-o-coop4int",
    texts=(
        Text(
            "pt",
            "O que é o Coop4Int?",
            "Um projeto de cooperação entre Portugal e Cabo Verde para reforçar a integração de "
            "imigrantes na sociedade cabo-verdiana.",
            _md("""
                O Coop4Int (*Strengthening Migrant Integration Through Cooperation Between
                Portugal and Cabo Verde*) reforça as capacidades institucionais e os mecanismos
                de Cabo Verde para a integração de imigrantes na sociedade cabo-verdiana, e
                contribui para as prioridades da cooperação entre os dois países.

                ## Quem participa

                - Alto Comissariado para as Migrações (ACM), de Portugal, que coordena o projeto
                - Alta Autoridade para a Imigração (AAI), de Cabo Verde
                - ISCTE – Instituto Universitário de Lisboa
                - Instituto Politécnico de Bragança (IPB)

                ## Financiamento e duração

                O projeto é financiado pela União Europeia (UE) e contratado pelo Centro
                Internacional para o Desenvolvimento de Políticas Migratórias (ICMPD) através
                da Migration Partnership Facility (MPF). Começou a 1 de dezembro de 2021 e dura
                37 meses.

                ## Objetivos específicos

                1. Melhorar os instrumentos e os procedimentos de integração de imigrantes em
                   Cabo Verde: quatro unidades locais de apoio ao imigrante, uma plataforma
                   multicanal de apoio aos serviços públicos para imigrantes e instrumentos
                   para abordagens locais.
                2. Capacitar as autoridades cabo-verdianas (nacionais e locais), as
                   organizações da sociedade civil e técnicos do ACM em gestão da migração
                   legal e integração.
                3. Dar formação profissional certificada a imigrantes, para promover as suas
                   qualificações profissionais.
                4. Produzir e divulgar conhecimento sobre as migrações em Cabo Verde: estudos,
                   campanhas de sensibilização e um Observatório das Migrações.

                ## De onde vem

                Do Protocolo de Colaboração assinado pelos dois países na V Cimeira
                Portugal–Cabo Verde, em abril de 2019. O projeto guia-se pelo respeito dos
                direitos humanos e pela integração da perspetiva de género.
                """),
        ),
        Text(
            "en",
            "What is Coop4Int?",
            "A cooperation project between Portugal and Cabo Verde to strengthen the "
            "integration of immigrants into Cabo Verdean society.",
            _md("""
                Coop4Int (*Strengthening Migrant Integration Through Cooperation Between
                Portugal and Cabo Verde*) strengthens Cabo Verde's institutional capacities and
                mechanisms for integrating immigrants into Cabo Verdean society, while
                contributing to the priorities of the cooperation between both countries.

                ## Partners

                - Alto Comissariado para as Migrações (ACM), Portugal, which coordinates the
                  project
                - Alta Autoridade para a Imigração (AAI), Cabo Verde
                - ISCTE – Instituto Universitário de Lisboa
                - Instituto Politécnico de Bragança (IPB)

                ## Funding and duration

                The project is funded by the European Union (EU) and contracted by the
                International Centre for Migration Policy Development (ICMPD) through the
                Migration Partnership Facility (MPF). It started on 1 December 2021 and lasts
                37 months.

                ## Specific objectives

                1. To improve instruments and operating procedures for immigrant integration in
                   Cabo Verde: four local units for immigrant support, a multichannel platform
                   to support and strengthen public services for immigrants, and instruments
                   for local approaches.
                2. To build the capacity of Cabo Verdean authorities (national and local),
                   civil society organisations and ACM key staff in legal migration management
                   and integration.
                3. To provide certified professional training to immigrants, to promote their
                   professional qualifications.
                4. To produce and disseminate knowledge about migration in Cabo Verde: studies,
                   awareness-raising campaigns and a Migration Observatory.

                ## Where it comes from

                The Collaboration Protocol signed by both countries at the V Portugal–Cabo Verde
                Summit in April 2019. The project is guided by respect for human rights and by
                gender mainstreaming.
                """),
        ),
        Text(
            "kea",
            "Kuzê ki é Coop4Int?",
            "Un prujetu di kooperason entri Purtugal i Kabu Verdi pa reforsa integrason di "
            "imigranti na Kabu Verdi.",
            _md("""
                ## Parseru

                - Alto Comissariado para as Migrações (ACM), di Purtugal, ki ta kordena
                  prujetu
                - Alta Autoridade para a Imigração (AAI), di Kabu Verdi
                - ISCTE – Instituto Universitário de Lisboa
                - Instituto Politécnico de Bragança (IPB)

                ## Finansiamentu i durason

                Prujetu é finansiadu pa Union Europeia. Kumesa na 1 di Dizénbru di 2021 i ta
                dura 37 mês.
                """),
            stage=Stage.DRAFT,
        ),
    ),
)


CARDS = (MIGRANT_SUPPORT_LINE, FACE_TO_FACE, COVID_VACCINATION, ABOUT_COOP4INT)


# --- Writing ---------------------------------------------------------------------------------


def _advance(translation: Translation, stage: Stage, *, writer: User, reviewer: User) -> None:
    if stage == Stage.DRAFT:
        return
    submit_for_review(actor=writer, translation=translation)
    if stage == Stage.PUBLISHED:
        publish(actor=reviewer, translation=translation)


def _write(card: Card, *, writer: User, reviewer: User, today: date) -> None:
    first, *rest = card.texts
    item = create_item(
        actor=writer,
        slug=card.slug,
        kind=card.kind,
        source_language=first.language,
        title=first.title,
        summary=first.summary,
        body=with_demo_note(first.language, first.body),
        is_demo=True,
    )
    _advance(source_of(item), first.stage, writer=writer, reviewer=reviewer)
    for text in rest:
        translation = save_text(
            actor=writer,
            item=item,
            language=text.language,
            title=text.title,
            summary=text.summary,
            body=with_demo_note(text.language, text.body),
            is_demo=True,
        )
        _advance(translation, text.stage, writer=writer, reviewer=reviewer)
    if card.reviewed_days_ago is not None:
        mark_reviewed(
            actor=reviewer, item=item, today=today - timedelta(days=card.reviewed_days_ago)
        )


@transaction.atomic
def load() -> None:
    """Write the demo cards that do not exist yet; leave existing ones as they are. Needs the
    demo accounts (``organisation.load``)."""
    writer = User.objects.get(username=WRITER)
    reviewer = User.objects.get(username=REVIEWER)
    existing = set(
        ContentItem.objects.filter(slug__in=[card.slug for card in CARDS]).values_list(
            "slug", flat=True
        )
    )
    today = timezone.localdate()
    for card in CARDS:
        if card.slug not in existing:
            _write(card, writer=writer, reviewer=reviewer, today=today)
