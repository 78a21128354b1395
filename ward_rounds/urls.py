from django.urls import path

from ward_rounds import views

app_name = "ward_rounds"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.session_create, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/book/", views.appointment_book, name="appointment_book"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/print/", views.appointment_print, name="appointment_print"),
    path("appointments/<int:pk>/history/", views.appointment_history, name="appointment_history"),
    path("appointments/<int:pk>/prepare/", views.preparation_edit, name="preparation_edit"),
    path("appointments/<int:pk>/items/add/", views.item_add, name="item_add"),
    path("appointments/<int:pk>/attendance/", views.appointment_attendance, name="appointment_attendance"),
    path("appointments/<int:pk>/timing/", views.appointment_timing, name="appointment_timing"),
    path("appointments/<int:pk>/summary/", views.appointment_summary, name="appointment_summary"),
    path("appointments/<int:pk>/summary/read/", views.summary_read, name="summary_read"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/move-out/", views.item_move_out, name="item_move_out"),
    path("items/<int:pk>/bring-back/", views.item_bring_back, name="item_bring_back"),
    path("items/<int:pk>/outcome/", views.outcome_edit, name="outcome_edit"),
    path("items/<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
]
