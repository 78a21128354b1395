from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from blanket_rules import api as blanket_rules_api
from incidents.api import IncidentViewSet
from incidents.reviews import api as review_api
from rrp import api_views, views
from safety_plans import api as safety_plans_api
from trends import api as trends_api
from ward_rounds import api as wr_api

router = DefaultRouter()
router.register("wards", api_views.WardViewSet, basename="ward")
router.register("service-users", api_views.ServiceUserViewSet, basename="service-user")
router.register("admissions", api_views.AdmissionViewSet, basename="admission")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("post-incident-reviews", review_api.ReviewViewSet, basename="post-incident-review")
router.register("review-sections", review_api.SectionViewSet, basename="review-section")
router.register("review-pathway-entries", review_api.PathwayEntryViewSet, basename="review-pathway-entry")
router.register("review-actions", review_api.ReviewActionViewSet, basename="review-action")
router.register("review-panel", review_api.PanelViewSet, basename="review-panel")
router.register("safety-plans", safety_plans_api.SafetyPlanViewSet, basename="safety-plans")
router.register("safety-plan-versions", safety_plans_api.PlanVersionViewSet, basename="safety-plan-versions")
router.register("safety-plan-sections", safety_plans_api.SectionViewSet, basename="safety-plan-sections")
router.register("safety-plan-proposals", safety_plans_api.ProposalViewSet, basename="safety-plan-proposals")
router.register("blanket-rules", blanket_rules_api.BlanketRuleViewSet, basename="blanket-rule")
router.register(
    "blanket-rule-reviews", blanket_rules_api.BlanketRuleReviewViewSet, basename="blanket-rule-review"
)
router.register(
    "blanket-rule-challenges", blanket_rules_api.ChallengeViewSet, basename="blanket-rule-challenge"
)
router.register("ward-rounds", wr_api.WardRoundViewSet, basename="ward-round")
router.register("ward-round-appointments", wr_api.AppointmentViewSet, basename="ward-round-appointment")
router.register("ward-round-items", wr_api.AgendaItemViewSet, basename="ward-round-item")
router.register("ward-round-outcomes", wr_api.OutcomeViewSet, basename="ward-round-outcome")
router.register("trends/rates", trends_api.TrendRatesViewSet, basename="trend-rates")
router.register("trends/equality", trends_api.TrendEqualityViewSet, basename="trend-equality")
router.register("trends/annual-statistics", trends_api.AnnualStatisticsViewSet, basename="annual-statistics")

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("people/", views.service_user_list, name="service_user_list"),
    path("people/add/", views.service_user_create, name="service_user_create"),
    path("people/<int:pk>/", views.service_user_detail, name="service_user_detail"),
    path("admissions/<int:pk>/transfer/", views.admission_transfer, name="admission_transfer"),
    path("admissions/<int:pk>/discharge/", views.admission_discharge, name="admission_discharge"),
    path("incidents/", include("incidents.urls")),
    path("wards/", views.ward_list, name="ward_list"),
    path("wards/<int:pk>/", views.ward_detail, name="ward_detail"),
    path("safety-plans/", include("safety_plans.urls")),
    path("ward-rounds/", include("ward_rounds.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("reviews/", include("incidents.reviews.urls")),
    path("blanket-rules/", include("blanket_rules.urls")),
    path("trends/", include("trends.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("api/docs/", login_not_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api_docs"),
]
