from django.urls import path

from incidents.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("panel/", views.panel_list, name="panel_list"),
    path("panel/<int:pk>/", views.panel_detail, name="panel_detail"),
    path("for-incident/<int:incident_pk>/", views.review_for_incident, name="for_incident"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/my-account/", views.account_person, name="account_person"),
    path("<int:pk>/staff-account/", views.account_staff, name="account_staff"),
    path("<int:pk>/accounts/<int:account_pk>/history/", views.account_history, name="account_history"),
    path("<int:pk>/taking-part/", views.participation, name="participation"),
    path("<int:pk>/supporter/", views.supporter, name="supporter"),
    path("<int:pk>/facilitator/", views.facilitator, name="facilitator"),
    path("<int:pk>/debrief/", views.debrief, name="debrief"),
    path("<int:pk>/meeting/", views.meeting, name="meeting"),
    path("<int:pk>/pathway/add/", views.pathway_add, name="pathway_add"),
    path("<int:pk>/learning/add/", views.learning_add, name="learning_add"),
    path("<int:pk>/learning/<int:point_pk>/respond/", views.learning_respond, name="learning_respond"),
    path("<int:pk>/actions/add/", views.action_create, name="action_create"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/agree/", views.agree, name="agree"),
    path("<int:pk>/close/", views.close, name="close"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", views.action_update, name="action_update"),
]
