from django.apps import AppConfig


class BlanketRulesConfig(AppConfig):
    name = "blanket_rules"
    verbose_name = "Blanket rules"
