from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .integrations import views as integration_views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("signup/", views.sign_up, name="signup"),
    path("organizations/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("organizations/switch/", views.switch_organization, name="switch_organization"),
    path("organization/", views.OrganizationSettingsView.as_view(), name="organization_settings"),
    path("organization/webhooks/", integration_views.WebhooksView.as_view(), name="webhooks"),
    path("organization/webhooks/<int:pk>/", integration_views.WebhookDetailView.as_view(), name="webhook_detail"),
    path("organization/trackers/", integration_views.IssueTrackersView.as_view(), name="issue_trackers"),
    path("members/", views.MembersView.as_view(), name="members"),
    path("members/<int:pk>/", views.MemberUpdateView.as_view(), name="member_update"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation"),
    path("tokens/", views.ApiTokensView.as_view(), name="api_tokens"),
]
