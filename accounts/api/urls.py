from django.urls import path
from rest_framework.routers import DefaultRouter

from . import integrations, views

app_name = "accounts"

router = DefaultRouter()
router.register("members", views.MembershipViewSet, basename="membership")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("trackers", integrations.IssueTrackerViewSet, basename="tracker")

urlpatterns = [
    path("organization/", views.ActiveOrganizationView.as_view(), name="organization"),
    *router.urls,
]
