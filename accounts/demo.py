"""Demo data, in one place: `python manage.py seed_demo` runs every step in order, and is safe to run twice.

Each app adds its own step to `DEMO_STEPS` (dotted paths, so that accounts imports no other app).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Membership, Organization, Role

DEMO_ORGANIZATION = "Demo Corp"
DEMO_SLUG = "demo-corp"
DEMO_USERNAME = "demo"


@dataclass
class DemoResult:
    organization: Organization
    username: str
    password: str
    password_generated: bool
    notes: list[str] = field(default_factory=list)


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
    return DemoResult(organization, DEMO_USERNAME, password, generated)


DEMO_STEPS: list[str] = [
    "inventory.demo.seed_inventory",
    "assessments.demo.seed_assessments",
]


@transaction.atomic
def seed_demo(*, password: str | None = None) -> DemoResult:
    """Create or refresh the demo organization, its owner and every later step's data."""
    result = seed_organization(password)
    for step in DEMO_STEPS:
        import_string(step)(result)
    return result
