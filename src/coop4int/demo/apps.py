from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coop4int.demo"
    label = "demo"
    verbose_name = "Demo data"
