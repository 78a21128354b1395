from django.apps import AppConfig


class TrendsConfig(AppConfig):
    name = "trends"
    verbose_name = "Trends"

    def ready(self):
        from trends import monthly

        monthly.connect()
