from django.urls import path

from trends import views

app_name = "trends"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("csv/<slug:section>/", views.dashboard_csv, name="dashboard_csv"),
    path("wards/<int:pk>/target/", views.target_edit, name="target_edit"),
    path("equality/", views.equality_page, name="equality"),
    path("equality/csv/", views.equality_csv, name="equality_csv"),
    path("annual-statistics/", views.annual_page, name="annual"),
    path("annual-statistics/csv/", views.annual_csv, name="annual_csv"),
]
