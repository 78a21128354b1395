from django.urls import path

from safety_plans import views

app_name = "safety_plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("mine/", views.plan_mine, name="mine"),
    path("start/<int:person_pk>/", views.plan_start, name="start"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/parts/<str:kind>/", views.section_edit, name="section_edit"),
    path("<int:pk>/agree/", views.plan_agree, name="agree"),
    path("<int:pk>/review-date/", views.plan_review_date, name="review_date"),
    path("<int:pk>/versions/", views.version_list, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:pk>/compare/", views.version_compare, name="compare"),
    path("<int:pk>/print/", views.plan_print, name="print"),
    path("<int:pk>/sharing/", views.plan_sharing, name="sharing"),
    path("<int:pk>/sharing/<int:share_pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("<int:pk>/suggestions/<int:proposal_pk>/", views.proposal_decide, name="proposal"),
    path("<int:pk>/history/", views.plan_history, name="history"),
]
