from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "accounts"

router = DefaultRouter()
router.register("members", views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("organization/", views.ActiveOrganizationView.as_view(), name="organization"),
    *router.urls,
]
