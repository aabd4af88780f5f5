from django.urls import path

from config.parameters import Router

from . import integrations, views

app_name = "accounts"

router = Router()
router.register("members", views.MembershipViewSet, basename="membership")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("trackers", integrations.IssueTrackerViewSet, basename="tracker")

urlpatterns = [
    path("organization/", views.ActiveOrganizationView.as_view(), name="organization"),
    *router.urls,
]
