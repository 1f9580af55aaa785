"""Data for a deployment test, written through the platform's own code into the database that
the environment names: ``python -m tests.deployment.site_data seed`` prints what it made as
JSON; ``… totp USERNAME`` prints that account's current code."""

import json
import os
import sys

import django


def seed() -> dict[str, str]:
    from coop4int.accounts.enums import Role
    from coop4int.accounts.tests.factories import PASSWORD, StaffFactory, UnitFactory
    from coop4int.cases.domain.cases import open_case
    from coop4int.cases.enums import Channel

    unit = UnitFactory(slug="praia", name="Praia", kind="local")
    officer = StaffFactory(
        username="tecnico.praia", first_name="Ana", last_name="Lopes", unit=unit,
        roles=[Role.FRONT_OFFICE_OFFICER],
    )  # fmt: skip
    # One account per test: a code once used cannot log in again in the same 30 seconds.
    replier = StaffFactory(username="tecnica.praia", unit=unit, roles=[Role.FRONT_OFFICE_OFFICER])
    colleague = StaffFactory(username="coordenador.praia", unit=unit, roles=[Role.UNIT_COORDINATOR])
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.EMAIL, subject="Renovação do visto",
        body="Bom dia, o meu visto acaba este mês.", reply_email="pessoa@example.cv",
    )  # fmt: skip
    return {
        "password": PASSWORD,
        "officer": officer.username,
        "officer_name": officer.get_full_name(),
        "replier": replier.username,
        "colleague": colleague.username,
        "case": case.reference,
    }


def totp(username: str) -> str:
    from coop4int.accounts.models import User
    from coop4int.accounts.tests.factories import current_totp

    return current_totp(User.objects.get(username=username))


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop4int.settings")
    django.setup()
    if argv[:1] == ["seed"]:
        print(json.dumps(seed()))
    elif argv[:1] == ["totp"] and len(argv) == 2:
        print(totp(argv[1]))
    else:
        sys.exit("usage: python -m tests.deployment.site_data seed | totp USERNAME")


if __name__ == "__main__":
    main(sys.argv[1:])
