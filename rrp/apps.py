from django.apps import AppConfig


class RrpConfig(AppConfig):
    name = "rrp"
    verbose_name = "Organisation and people"

    def ready(self):
        from rrp import choices

        choices.install()
