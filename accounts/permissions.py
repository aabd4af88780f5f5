from __future__ import annotations

from typing import Any

from rest_framework import permissions

from .models import Role
from .scoping import active_membership, required_role_for


class HasOrganizationRole(permissions.BasePermission):
    """DRF permission: authenticated, a member of the active organization, with the view's role for the method.

    Views may set `read_role` and `write_role` (defaults: viewer reads, assessor writes).
    """

    message = "You need a membership with a sufficient role in the active organization."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        membership = active_membership(request)
        if membership is None:
            return False
        needed = required_role_for(
            request.method,
            read_role=getattr(view, "read_role", Role.VIEWER),
            write_role=getattr(view, "write_role", Role.ASSESSOR),
        )
        return membership.has_role(needed)
