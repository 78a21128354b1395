from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("mine/", views.incident_mine, name="mine"),
    path("export.csv", views.incident_export_csv, name="export_csv"),
    path("mhsds/", views.incident_export_mhsds, name="export_mhsds"),
    path("new/", views.incident_choose_person, name="choose_person"),
    path("new/<int:person_pk>/", views.incident_create, name="create"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/submit/", views.incident_submit, name="submit"),
    path("<int:pk>/sign-off/", views.incident_sign_off, name="sign_off"),
    path("<int:pk>/entered-in-error/", views.incident_mark_error, name="mark_error"),
    path("<int:pk>/record/", views.incident_statutory, name="statutory"),
    path("<int:pk>/record/print/", views.incident_statutory, {"printable": True}, name="statutory_print"),
]
