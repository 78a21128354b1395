"""The project's URLs plus a stand-in for the blanket rules app's challenge page."""

from django.http import HttpResponse
from django.urls import include, path

from rrp.urls import urlpatterns as project_urlpatterns

blanket_rules_patterns = (
    [path("challenge/", lambda request: HttpResponse("challenge"), name="challenge_create")],
    "blanket_rules",
)

urlpatterns = [*project_urlpatterns, path("blanket-rules/", include(blanket_rules_patterns))]
