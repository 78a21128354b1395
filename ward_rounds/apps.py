from django.apps import AppConfig


class WardRoundsConfig(AppConfig):
    name = "ward_rounds"
    verbose_name = "Ward rounds"

    def ready(self):
        from ward_rounds import receivers  # noqa: F401  (connects to rrp.signals)
