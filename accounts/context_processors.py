from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .scoping import active_membership
from .selectors import memberships_of_user


def active_organization(request: HttpRequest) -> dict[str, Any]:
    """The active membership and the user's organizations (the navigation bar's switcher), lazily queried."""
    context: dict[str, Any] = {"open_signup": settings.INFRAREADY_OPEN_SIGNUP}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["active_membership"] = active_membership(request)
        context["user_memberships"] = memberships_of_user(user=user)
    return context
