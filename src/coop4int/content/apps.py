from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "coop4int.content"
    label = "content"
    verbose_name = _("Information in many languages")
