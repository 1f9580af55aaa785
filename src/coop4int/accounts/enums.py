from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    NATIONAL_AUTHORITY = "national", _("National authority")
    LOCAL_UNIT = "local", _("Local support unit")
    PARTNER = "partner", _("Partner organisation")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    UNIT_COORDINATOR = "unit_coordinator", _("Unit coordinator")
    FRONT_OFFICE_OFFICER = "front_office_officer", _("Front-office officer")
    CONTENT_EDITOR = "content_editor", _("Content editor")
    TRAINER = "trainer", pgettext_lazy("role", "Trainer")
    ANALYST = "analyst", _("Analyst")
    PARTNER_USER = "partner_user", _("Partner organisation user")
    # Writes and runs the local integration plans of their unit's municipality.
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Municipal plan coordinator")


class Island(models.TextChoices):
    SANTO_ANTAO = "santo_antao", "Santo Antão"
    SAO_VICENTE = "sao_vicente", "São Vicente"
    SAO_NICOLAU = "sao_nicolau", "São Nicolau"
    SAL = "sal", "Sal"
    BOA_VISTA = "boa_vista", "Boa Vista"
    MAIO = "maio", "Maio"
    SANTIAGO = "santiago", "Santiago"
    FOGO = "fogo", "Fogo"
    BRAVA = "brava", "Brava"
