from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from rrp import api_views, views
from trends import api as trends_api

router = DefaultRouter()
router.register("wards", api_views.WardViewSet, basename="ward")
router.register("service-users", api_views.ServiceUserViewSet, basename="service-user")
router.register("admissions", api_views.AdmissionViewSet, basename="admission")
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
    path("wards/", views.ward_list, name="ward_list"),
    path("wards/<int:pk>/", views.ward_detail, name="ward_detail"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("trends/", include("trends.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("api/docs/", login_not_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api_docs"),
]
