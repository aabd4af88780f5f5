"""A walk through every admin registered in ``admin.site`` as a staff member of organization A who is not a
superuser and holds every permission: nothing of organization B is listed, opened, chosen, autocompleted, exported
or deleted. The registry is iterated, so a model registered later is walked too; a model the walk does not know how
to tell the organization of must be closed to such staff (``accounts.admin_scoping.close_unscoped_admins``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import ForeignKey, Model, OneToOneField, QuerySet
from django.forms import ModelChoiceField
from django.urls import NoReverseMatch, reverse

from accounts import services as accounts_services
from accounts.admin_scoping import is_closed_to_staff, organization_path
from accounts.integrations import trackers
from accounts.integrations.webhooks import webhook_endpoint_create
from accounts.models import Organization, Role, WebhookDelivery
from accounts.tests.factories import MembershipFactory, UserFactory
from assessments import services as assessment_services
from assessments.models import AreaAssignment, AreaReview, Comment
from assessments.tests.factories import answer_all, ensure_default_framework, start_assessment, weak_value
from inventory.exchange.services import rate_override_set
from inventory.models import AcceleratorType, ImportJob, ModelProfile
from inventory.tests.factories import (
    CloudCapacityFactory,
    NetworkFabricFactory,
    ServerFactory,
    SiteFactory,
    StorageSystemFactory,
    WorkloadFactory,
)
from inventory.tests.hardware_factories import hardware_rows
from inventory.tests.telemetry_factories import telemetry_rows
from reports.models import Report

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
B_NAME = "Other Corp"


def _label(item: tuple[type[Model], Any]) -> str:
    return item[0]._meta.label


def admin_url(model: type[Model], action: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def _rows_of(organization: Organization, user: Any) -> None:
    """One row of every kind the apps have, in `organization`."""
    prefix = organization.slug
    site = SiteFactory(organization=organization, name=f"{prefix}-site")
    server = ServerFactory(organization=organization, site=site, hostname=f"{prefix}-gpu1")
    StorageSystemFactory(organization=organization, site=site, name=f"{prefix}-lustre")
    NetworkFabricFactory(organization=organization, site=site, name=f"{prefix}-ib")
    CloudCapacityFactory(organization=organization, region=f"{prefix}-region")
    WorkloadFactory(organization=organization, name=f"{prefix}-chat")
    telemetry_rows(organization, server)
    hardware_rows(organization, server)
    shared = AcceleratorType.objects.get(organization__isnull=True, model="H100 SXM")
    shared.pk = None
    shared.organization, shared.model = organization, f"H100 ({prefix})"
    shared.save()
    profile = ModelProfile.objects.filter(organization__isnull=True).first()
    profile.pk = None
    profile.organization, profile.name = organization, f"Model ({prefix})"
    profile.save()
    framework = ensure_default_framework()
    framework.pk = None
    framework.organization, framework.title = organization, f"{prefix} framework"
    framework.save()
    ImportJob.objects.create(organization=organization, filename=f"{prefix}.csv", file_format="csv", kind="servers")
    assessment = start_assessment(organization=organization, user=user, title=f"{prefix} 2026")
    answer_all(assessment, user, weak_value)
    assessment_services.assessment_submit(assessment=assessment, user=user)
    Report.objects.create(organization=organization, assessment=assessment, requested_by=user)
    accounts_services.invitation_create(
        organization=organization, email=f"new@{prefix}.example", role=Role.VIEWER, invited_by=user
    )
    accounts_services.api_token_issue(user=user, organization=organization, name=f"{prefix} token")
    _integration_rows(organization, prefix)
    draft = start_assessment(organization=organization, user=user, title=f"{prefix} draft")
    area = "HW"
    AreaAssignment.objects.create(organization=organization, assessment=draft, area_ref=area, assignee=user)
    AreaReview.objects.create(organization=organization, assessment=draft, area_ref=area)
    Comment.objects.create(organization=organization, assessment=draft, question_ref="HW-1", area_ref=area, author=user)
    question = next(iter(assessment_services.framework_parse(draft.framework).questions())).id
    assessment_services.evidence_add(
        assessment=draft,
        item=assessment_services.EvidenceInput(
            question_id=question,
            title=f"{prefix} report",
            effective_date=dt.date(2026, 1, 1),
            url="https://example.com/r",
        ),
        user=user,
    )
    rate_override_set(organization=organization, currency="USD", rate_per_eur="1.10", user=user)


def _integration_rows(organization: Organization, prefix: str) -> None:
    """A webhook endpoint with a delivery and an issue tracker (loopback targets allowed for the walk)."""
    from django.test import override_settings

    with override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True):
        endpoint, _ = webhook_endpoint_create(
            organization=organization, url=f"http://127.0.0.1:9/{prefix}", events=["report.ready"], secret="s" * 32
        )
        WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, event="report.ready", body="{}", status="failed"
        )
        trackers.tracker_create(
            organization=organization,
            name=f"{prefix}-tracker",
            kind="github",
            base_url="http://127.0.0.1:9",
            project="o/r",
            token=f"{prefix}-token-value",
        )


@pytest.fixture
def world(organization, other_organization, owner, outsider):
    """Every kind of row in both organizations; Olivia (owner of A) is staff with every permission."""
    ensure_default_framework()
    _rows_of(organization, owner)
    _rows_of(other_organization, outsider)
    owner.is_staff = True
    owner.save()
    owner.user_permissions.set(Permission.objects.all())
    return {"a": organization, "b": other_organization, "staff": owner, "outsider": outsider}


def rows_of_b(model: type[Model], world: dict[str, Any]) -> QuerySet[Any]:
    """The rows of `model` that belong to organization B (and not to A)."""
    b, a = world["b"], world["a"]
    if model is get_user_model():
        return model.objects.filter(memberships__organization=b).exclude(memberships__organization=a)
    path = organization_path(model)
    assert path is not None
    return model.objects.filter(**{path: b.pk})


def _assert_nothing_of_b(content: str) -> None:
    assert B_NAME not in content
    assert "other-corp" not in content


WALKED = list(REGISTRY)


@pytest.mark.parametrize(("model", "model_admin"), WALKED, ids=[_label(item) for item in WALKED])
def test_staff_of_a_see_nothing_of_b(client, world, model, model_admin):
    client.force_login(world["staff"])
    if organization_path(model) is None and model is not get_user_model():
        # Not organization-owned and not shared reference data: only superusers open it.
        if not getattr(model_admin, "shared_reference", False):
            assert is_closed_to_staff(model_admin), f"{model._meta.label}: unscoped admin open to staff"
            assert client.get(admin_url(model, "changelist")).status_code == 403
            return
        response = client.get(admin_url(model, "changelist"))
        _assert_nothing_of_b(response.content.decode())
        return
    if model is get_user_model():
        assert is_closed_to_staff(model_admin)
        assert client.get(admin_url(model, "changelist")).status_code == 403
        return

    theirs = list(rows_of_b(model, world))
    assert theirs, f"the walk made no row of {model._meta.label} in organization B"
    their_pks = {obj.pk for obj in theirs}

    # The change list.
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        listed = {obj.pk for obj in response.context["cl"].queryset}
        assert not listed & their_pks
        _assert_nothing_of_b(response.content.decode())
        response = client.get(admin_url(model, "changelist"), {"q": "other"})
        assert not {obj.pk for obj in response.context["cl"].queryset} & their_pks

    # B's rows: change, history and delete pages.
    for obj in theirs[:3]:
        for action in ("change", "history", "delete"):
            response = client.get(admin_url(model, action, obj.pk))
            assert response.status_code in (302, 403, 404), (action, obj)
            if response.status_code == 302:
                assert response.url == reverse("admin:index")
        client.post(admin_url(model, "delete", theirs[0].pk), {"post": "yes"})
        assert model.objects.filter(pk=theirs[0].pk).exists()

    # Adding a row that points at B's rows.
    response = client.get(admin_url(model, "add"))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        form = response.context["adminform"].form
        data: dict[str, Any] = {}
        pointed: list[str] = []
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField):
                foreign = _a_row_of_b(field.queryset.model, world)
                if foreign is not None:
                    assert foreign.pk not in set(field.queryset.values_list("pk", flat=True)), name
                    data[name] = foreign.pk
                    pointed.append(name)
        if pointed:
            before = model.objects.count()
            response = client.post(admin_url(model, "add"), data)
            assert model.objects.count() == before
            if response.status_code == 200:
                errors = response.context["adminform"].form.errors
                for name in pointed:
                    assert name in errors, name

    # Every action (exports, deletion) on a forged selection holding B's rows.
    request = response.wsgi_request
    actions = model_admin.get_actions(request) if model_admin.has_view_permission(request) else {}
    for name in actions:
        response = client.post(
            admin_url(model, "changelist"), {"action": name, "_selected_action": sorted(their_pks), "post": "yes"}
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        _assert_nothing_of_b(body.decode(errors="replace"))
        for obj in theirs:
            assert str(obj) not in body.decode(errors="replace") or _shared_text(obj, world), (name, obj)
        assert model.objects.filter(pk__in=their_pks).count() == len(their_pks), name


def _shared_text(obj: Any, world: dict[str, Any]) -> bool:
    """A row of B whose text a row of A shares (then its text in a page says nothing of B)."""
    return any(str(mine) == str(obj) for mine in type(obj).objects.exclude(pk=obj.pk)[:200])


def _a_row_of_b(model: type[Model], world: dict[str, Any]) -> Any:
    if model is Organization:
        return world["b"]
    if model is get_user_model():
        return world["outsider"]
    path = organization_path(model)
    return model.objects.filter(**{path: world["b"].pk}).first() if path else None


def _autocomplete_cases() -> list[tuple[type[Model], str, type[Model]]]:
    cases = []
    for model, _ in REGISTRY:
        for field in model._meta.get_fields():
            if isinstance(field, ForeignKey | OneToOneField) and field.remote_field.model in admin.site._registry:
                related_admin = admin.site._registry[field.remote_field.model]
                if related_admin.search_fields:
                    cases.append((model, field.name, field.remote_field.model))
    return cases


AUTOCOMPLETE = _autocomplete_cases()


@pytest.mark.parametrize(
    ("model", "field_name", "related"),
    AUTOCOMPLETE,
    ids=[f"{model._meta.label}.{name}" for model, name, _ in AUTOCOMPLETE],
)
def test_autocomplete_offers_nothing_of_b(client, world, model, field_name, related):
    client.force_login(world["staff"])
    params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name}
    for term in ("", "other", "o"):
        response = client.get(reverse("admin:autocomplete"), {**params, "term": term})
        assert response.status_code in (200, 403, 404)
        if response.status_code == 200:
            offered = {str(result["id"]) for result in response.json()["results"]}
            b_row = _a_row_of_b(related, world)
            theirs = {str(pk) for pk in _b_pks(related, world)}
            assert not offered & theirs, (model, field_name, b_row)


def _b_pks(model: type[Model], world: dict[str, Any]) -> list[Any]:
    if model is Organization:
        return [world["b"].pk]
    if model is get_user_model():
        return [world["outsider"].pk]
    return list(rows_of_b(model, world).values_list("pk", flat=True))


def test_superusers_see_every_organizations_rows(client, world):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    for model, _ in REGISTRY:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model
        if organization_path(model) is not None:
            listed = {obj.pk for obj in response.context["cl"].queryset}
            assert set(_b_pks(model, world)) <= listed, model


def test_the_membership_escalation_of_the_issue_is_refused(client, world):
    """`POST /admin/accounts/membership/add/` making oneself owner of B."""
    client.force_login(world["staff"])
    data = {"user": world["staff"].pk, "organization": world["b"].pk, "role": Role.OWNER}
    client.post(admin_url(MembershipFactory._meta.model, "add"), data)
    assert not world["b"].memberships.filter(user=world["staff"]).exists()


def test_every_admin_url_the_walk_uses_exists():
    for model, _ in REGISTRY:
        try:
            admin_url(model, "changelist")
        except NoReverseMatch:  # pragma: no cover
            pytest.fail(f"{model._meta.label} has no change list")
