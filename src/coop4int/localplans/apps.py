from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LocalPlansConfig(AppConfig):
    name = "coop4int.localplans"
    label = "localplans"
    verbose_name = _("Local integration plans")
    default_auto_field = "django.db.models.BigAutoField"
