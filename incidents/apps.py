from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Uses of force"

    def ready(self):
        from incidents.models import Incident
        from incidents.permissions import possible_wards
        from rrp import permissions

        permissions.narrow(Incident, "ward", possible_wards)
