"""Demo units and staff: AAI, its four local support units, partner organisations, and one
account per role. Everything here is marked as demo; loading twice changes nothing."""

from dataclasses import dataclass

from django.db import transaction

from coop4int.accounts.domain.authentication import TOTP_DEVICE_NAME
from coop4int.accounts.domain.staff import create_staff_account
from coop4int.accounts.enums import Island, Role, UnitKind
from coop4int.accounts.models import AuthenticatorDevice, Unit, User

DEMO_PASSWORD = "morabeza-2026"  # noqa: S105 - printed for newcomers; demo accounts only


@dataclass(frozen=True)
class DemoUnit:
    slug: str
    name: str
    kind: UnitKind
    parent: str | None = None
    island: str = ""
    municipality: str = ""


UNITS = (
    DemoUnit("aai", "Alta Autoridade para a Imigração (AAI)", UnitKind.NATIONAL_AUTHORITY,
             island=Island.SANTIAGO, municipality="Praia"),
    DemoUnit("praia", "Unidade Local de Apoio ao Imigrante — Praia", UnitKind.LOCAL_UNIT,
             "aai", Island.SANTIAGO, "Praia"),
    DemoUnit("mindelo", "Unidade Local de Apoio ao Imigrante — Mindelo", UnitKind.LOCAL_UNIT,
             "aai", Island.SAO_VICENTE, "São Vicente"),
    DemoUnit("espargos", "Unidade Local de Apoio ao Imigrante — Espargos", UnitKind.LOCAL_UNIT,
             "aai", Island.SAL, "Sal"),
    DemoUnit("sal-rei", "Unidade Local de Apoio ao Imigrante — Sal Rei", UnitKind.LOCAL_UNIT,
             "aai", Island.BOA_VISTA, "Boa Vista"),
    DemoUnit("centro-saude-achada", "Centro de Saúde da Achada Santo António (demo)",
             UnitKind.PARTNER, island=Island.SANTIAGO, municipality="Praia"),
    DemoUnit("def", "Direção de Estrangeiros e Fronteiras (demo)", UnitKind.PARTNER,
             island=Island.SANTIAGO, municipality="Praia"),
    DemoUnit("iefp", "Instituto do Emprego e Formação Profissional (demo)", UnitKind.PARTNER,
             island=Island.SANTIAGO, municipality="Praia"),
    DemoUnit("ong-apoio", "Associação Solidariedade Imigrante (demo)", UnitKind.PARTNER,
             island=Island.SAO_VICENTE, municipality="São Vicente"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    unit: str
    role: Role


ACCOUNTS = (
    DemoAccount("admin", "Ana", "Administradora", "aai", Role.ADMINISTRATOR),
    DemoAccount("coordenador.praia", "Carlos", "Tavares", "praia", Role.UNIT_COORDINATOR),
    DemoAccount("tecnico.praia", "Fátima", "Semedo", "praia", Role.FRONT_OFFICE_OFFICER),
    DemoAccount("tecnico.mindelo", "João", "Lopes", "mindelo", Role.FRONT_OFFICE_OFFICER),
    DemoAccount("editor", "Marta", "Fortes", "aai", Role.CONTENT_EDITOR),
    # A second editor: a text is published by someone other than its author.
    DemoAccount("editora", "Helena", "Barbosa", "aai", Role.CONTENT_EDITOR),
    DemoAccount("formador", "Paulo", "Gomes", "aai", Role.TRAINER),
    DemoAccount("analista", "Sara", "Monteiro", "aai", Role.ANALYST),
    DemoAccount("parceiro.saude", "Rui", "Almeida", "centro-saude-achada", Role.PARTNER_USER),
)


@transaction.atomic
def load() -> list[User]:
    """Create what is missing; leave what exists as it is."""
    units: dict[str, Unit] = {}
    for unit_spec in UNITS:
        units[unit_spec.slug], _created = Unit.objects.get_or_create(
            slug=unit_spec.slug,
            defaults={
                "name": unit_spec.name,
                "kind": unit_spec.kind,
                "parent": units.get(unit_spec.parent) if unit_spec.parent else None,
                "island": unit_spec.island,
                "municipality": unit_spec.municipality,
                "is_demo": True,
            },
        )
    accounts = []
    for spec in ACCOUNTS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = create_staff_account(
                actor=None,
                unit=units[spec.unit],
                username=spec.username,
                email=f"{spec.username}@demo.coop4int.example",
                first_name=spec.first_name,
                last_name=spec.last_name,
                roles=[spec.role],
                password=DEMO_PASSWORD,
                is_demo=True,
            )
        AuthenticatorDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": TOTP_DEVICE_NAME}
        )
        accounts.append(user)
    return accounts
