from django.urls import path

from blanket_rules import views

app_name = "blanket_rules"

urlpatterns = [
    path("", views.rule_list, name="rule_list"),
    path("notice-board/", views.notice_board, name="notice_board"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/authorise/", views.rule_authorise, name="rule_authorise"),
    path("rules/<int:pk>/refuse/", views.rule_refuse, name="rule_refuse"),
    path("rules/<int:pk>/change/", views.rule_modify, name="rule_modify"),
    path("rules/<int:pk>/lift/", views.rule_lift, name="rule_lift"),
    path("rules/<int:pk>/review/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/", views.review_record, name="review_record"),
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/decide/", views.challenge_decide, name="challenge_decide"),
    path("challenges/<int:pk>/look-again/", views.challenge_look_again, name="challenge_look_again"),
    path("challenges/<int:pk>/reconsider/", views.challenge_reconsider, name="challenge_reconsider"),
]
