from django.apps import AppConfig


class RrpConfig(AppConfig):
    name = "rrp"
    verbose_name = "Organisation and people"
