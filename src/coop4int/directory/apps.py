from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "coop4int.directory"
    label = "directory"
    verbose_name = _("Service directory")
