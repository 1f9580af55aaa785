"""Cabo Verde's islands and its 22 municipalities, the codes the observatory's ISLAND and
MUNICIPALITY dimensions use: islands by ``accounts.enums.Island`` value, municipalities by
their ISO 3166-2:CV code."""

from dataclasses import dataclass

from coop4int.accounts.enums import Island


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    name: str
    island: Island


MUNICIPALITIES: dict[str, Municipality] = {
    m.code: m
    for m in (
        Municipality("CV-RG", "Ribeira Grande", Island.SANTO_ANTAO),
        Municipality("CV-PA", "Paul", Island.SANTO_ANTAO),
        Municipality("CV-PN", "Porto Novo", Island.SANTO_ANTAO),
        Municipality("CV-SV", "São Vicente", Island.SAO_VICENTE),
        Municipality("CV-RB", "Ribeira Brava", Island.SAO_NICOLAU),
        Municipality("CV-TS", "Tarrafal de São Nicolau", Island.SAO_NICOLAU),
        Municipality("CV-SL", "Sal", Island.SAL),
        Municipality("CV-BV", "Boa Vista", Island.BOA_VISTA),
        Municipality("CV-MA", "Maio", Island.MAIO),
        Municipality("CV-TA", "Tarrafal", Island.SANTIAGO),
        Municipality("CV-CA", "Santa Catarina", Island.SANTIAGO),
        Municipality("CV-SS", "São Salvador do Mundo", Island.SANTIAGO),
        Municipality("CV-SM", "São Miguel", Island.SANTIAGO),
        Municipality("CV-SO", "São Lourenço dos Órgãos", Island.SANTIAGO),
        Municipality("CV-CR", "Santa Cruz", Island.SANTIAGO),
        Municipality("CV-PR", "Praia", Island.SANTIAGO),
        Municipality("CV-SD", "São Domingos", Island.SANTIAGO),
        Municipality("CV-RS", "Ribeira Grande de Santiago", Island.SANTIAGO),
        Municipality("CV-MO", "Mosteiros", Island.FOGO),
        Municipality("CV-SF", "São Filipe", Island.FOGO),
        Municipality("CV-CF", "Santa Catarina do Fogo", Island.FOGO),
        Municipality("CV-BR", "Brava", Island.BRAVA),
    )
}


def municipality_code(text: str) -> str | None:
    """The ISO 3166-2:CV code of a municipality given by its code or its name (as a unit's
    ``municipality`` holds it: "Praia", "São Vicente"; case and spaces aside), else None."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    for municipality in MUNICIPALITIES.values():
        if wanted in (municipality.code.casefold(), municipality.name.casefold()):
            return municipality.code
    return None
