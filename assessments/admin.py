"""Assessments in Django's admin, for inspection by staff.

Scoped like the inventory's admin (`inventory.admin.OrganizationScopedMixin`): superusers see everything, other staff
only the rows of organizations where they are an owner or assessor (and the shared frameworks, read-only). What the
application derives is read-only here: a framework version never changes once loaded (load files with
`manage.py load_framework` or the upload page), answers are given on the questionnaire, and results are computed by
scoring. Of an assessment only the title and scope can be corrected.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from inventory.admin import ORGANIZATION_FILTER, OrganizationAdminForm, OrganizationScopedMixin

from . import services
from .models import Answer, Assessment, AssessmentResult, Framework, RoadmapItem, Score


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SharedFilter(admin.SimpleListFilter):
    title = "availability"
    parameter_name = "shared"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Shared"), ("no", "An organization's own")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(organization__isnull=True)
        if self.value() == "no":
            return queryset.filter(organization__isnull=False)
        return queryset


@admin.register(Framework)
class FrameworkAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """Framework versions are loaded from files and never change: read-only, deletable while no assessment uses them."""

    list_display = ("slug", "version", "title", "organization", "question_count", "created")
    list_filter = (SharedFilter, "slug", ORGANIZATION_FILTER)
    search_fields = ("slug", "title", "version", "organization__name")
    list_select_related = ("organization",)
    fields = (
        "organization",
        "slug",
        "version",
        "title",
        "description",
        "question_count",
        "digest",
        "created",
        "definition_json",
    )
    readonly_fields = fields

    @admin.display(description="definition")
    def definition_json(self, obj: Framework) -> str:
        return format_html(
            '<pre style="max-height: 40rem; overflow: auto; white-space: pre-wrap">{}</pre>',
            json.dumps(obj.definition, indent=2, ensure_ascii=False),
        )

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = (
        "question_id",
        "value",
        "not_applicable",
        "na_reason",
        "note",
        "evidence_url",
        "source",
        "answered_by",
        "updated",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("answered_by")


@admin.register(Assessment)
class AssessmentAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "organization",
        "framework",
        "status",
        "readiness_index",
        "level",
        "created_by",
        "created",
        "submitted_at",
    )
    list_filter = ("status", ("framework", admin.RelatedOnlyFieldListFilter), ORGANIZATION_FILTER)
    search_fields = ("title",)
    list_select_related = ("organization", "framework", "created_by", "result")
    date_hierarchy = "created"
    list_per_page = 50
    fields = (
        "organization",
        "framework",
        "title",
        "scope",
        "target_levels",
        "status",
        "previous",
        "created_by",
        "created",
        "submitted_by",
        "submitted_at",
        "scoring_task_id",
        "scoring_error",
    )
    readonly_fields = (
        "organization",
        "framework",
        "target_levels",
        "status",
        "previous",
        "created_by",
        "created",
        "submitted_by",
        "submitted_at",
        "scoring_task_id",
        "scoring_error",
    )
    inlines = [AnswerInline]

    @staticmethod
    def _result(obj: Assessment) -> AssessmentResult | None:
        try:
            return obj.result
        except AssessmentResult.DoesNotExist:
            return None

    @admin.display(description="readiness index", ordering="result__readiness_index")
    def readiness_index(self, obj: Assessment) -> str:
        result = self._result(obj)
        return "—" if result is None or result.readiness_index is None else f"{result.readiness_index:.1f}"

    @admin.display(description="level", ordering="result__level")
    def level(self, obj: Assessment) -> str:
        result = self._result(obj)
        return "—" if result is None or result.level is None else str(result.level)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # started on the assessment pages or through the API, which pre-fill from the inventory


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("scope", "ref", "area_ref", "score", "level", "target_level", "weight", "risk", "details")


@admin.register(AssessmentResult)
class AssessmentResultAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = (
        "assessment",
        "organization",
        "framework_slug",
        "framework_version",
        "readiness_index",
        "level",
        "answered",
        "total",
        "high_risks",
        "medium_risks",
        "computed_at",
    )
    list_filter = ("level", "framework_slug", ORGANIZATION_FILTER)
    search_fields = ("assessment__title", "organization__name")
    list_select_related = ("assessment", "organization")
    list_per_page = 50
    inlines = [ScoreInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoadmapItemAdminForm(OrganizationAdminForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk is not None:  # the service's own rules, so the admin refuses what the app refuses
            services.roadmap_item_check(
                item=self.instance,
                changes={name: data.get(name) for name in ("status", "status_reason")}
                | {"owner_id": data["owner"].pk if data.get("owner") else None},
            )
        return data


@admin.register(RoadmapItem)
class RoadmapItemAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """Roadmap items are computed by the roadmap task; operators may only correct their tracking."""

    form = RoadmapItemAdminForm
    list_display = ("rank", "title", "assessment", "organization", "phase", "kind", "status", "owner", "due_date")
    list_filter = ("status", "phase", "kind", ORGANIZATION_FILTER)
    search_fields = ("title", "item_id", "assessment__title")
    list_select_related = ("assessment", "organization", "owner")
    list_per_page = 50
    raw_id_fields = ("owner",)
    tracked = ("status", "status_reason", "owner", "due_date")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields if f.name not in self.tracked]

    def save_model(self, request: HttpRequest, obj: RoadmapItem, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data.get(name) for name in ("status", "status_reason", "due_date")}
        changes["owner_id"] = obj.owner_id
        services.roadmap_item_update(item=obj, changes=changes, user=request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # built by the roadmap task after scoring
