"""Demo data, in one place: `python manage.py seed_demo` runs every step in order, and is safe to run twice.

Each app adds its own step to `DEMO_STEPS` (dotted paths, so that accounts imports no other app).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Membership, Organization, Role

DEMO_ORGANIZATION = "Demo Corp"
DEMO_SLUG = "demo-corp"
DEMO_USERNAME = "demo"
DEMO_OPERATOR_USERNAME = "operator"
# The Django admin group of operators: every permission on the models of these apps (the admin still shows them
# only their organizations' rows, accounts.admin_scoping).
OPERATORS_GROUP = "Operators"
OPERATOR_APPS = ("inventory", "assessments")


@dataclass
class DemoResult:
    organization: Organization
    username: str
    password: str
    password_generated: bool
    notes: list[str] = field(default_factory=list)
    operator_username: str = DEMO_OPERATOR_USERNAME


def seed_organization(password: str | None) -> DemoResult:
    User = get_user_model()
    organization, _ = Organization.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": DEMO_ORGANIZATION, "industry": "Manufacturing", "country": "DE"}
    )
    user, _ = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
    generated = not password
    password = password or secrets.token_urlsafe(12)
    user.set_password(password)
    user.save()
    Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": Role.OWNER})
    seed_operator(organization, password)
    return DemoResult(organization, DEMO_USERNAME, password, generated)


def operators_group() -> Group:
    """The admin group of operators, with every permission on the inventory's and the assessments' models."""
    group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=OPERATOR_APPS))
    return group


def seed_operator(organization: Organization, password: str) -> None:
    """A staff account for the Django admin, scoped to the demo organization: an assessor there (the admin shows
    staff only the rows of organizations where they are owner or assessor), staff but not superuser, in the
    operators group. It shares the demo user's password."""
    User = get_user_model()
    operator, _ = User.objects.get_or_create(
        username=DEMO_OPERATOR_USERNAME, defaults={"email": "operator@example.com"}
    )
    operator.is_staff, operator.is_superuser = True, False
    operator.set_password(password)
    operator.save()
    operator.groups.add(operators_group())
    Membership.objects.update_or_create(user=operator, organization=organization, defaults={"role": Role.ASSESSOR})


DEMO_STEPS: list[str] = [
    "inventory.demo.seed_inventory",
    "assessments.demo.seed_baseline",  # scored before any telemetry: in spring nothing was measured yet
    "inventory.telemetry.demo.seed_telemetry",
    "assessments.demo.seed_assessments",
]


@transaction.atomic
def seed_demo(*, password: str | None = None) -> DemoResult:
    """Create or refresh the demo organization, its owner and every later step's data."""
    result = seed_organization(password)
    for step in DEMO_STEPS:
        import_string(step)(result)
    return result
