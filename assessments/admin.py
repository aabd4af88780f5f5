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
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin_scoping import (
    ORGANIZATION_FILTER,
    OrganizationAdminForm,
    OrganizationScopedMixin,
    ScopedHistoryAdmin,
)
from accounts.selectors import users_of_organization
from config.admin_display import EMPTY, in_place, json_shown, shown_numbers
from config.errors import DomainError

from . import scoring, services
from .models import (
    Answer,
    AreaAssignment,
    AreaReview,
    Assessment,
    AssessmentResult,
    Comment,
    Evidence,
    Framework,
    RoadmapItem,
    Score,
)
from .results import score_text
from .selectors import answer_shown, framework_of


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
        "value_shown",
        "not_applicable",
        "na_reason",
        "note",
        "evidence_url",
        "source",
        "answered_by",
        "version",
        "updated",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("answered_by")

    @admin.display(description="value")
    def value_shown(self, obj: Answer) -> str:
        """The value as the app words it (`selectors.answer_shown`: "Level 3: …", "47.2 %"), not as it is stored."""
        if obj.value is None:
            return EMPTY
        questions, currency = self._questions(obj.assessment_id)
        question = questions.get(obj.question_id)
        if question is None:  # not in its framework: as stored
            return str(obj.value)
        return answer_shown(question=question, value=obj.value, currency=currency)

    def _questions(self, assessment_id: int) -> tuple[dict[str, scoring.Question], str]:
        """The assessment's questions by id and its organization's reporting currency, read once per page."""
        cache = self.__dict__.setdefault("_questions_of", {})
        if assessment_id not in cache:
            assessment = Assessment.objects.select_related("framework", "organization").get(pk=assessment_id)
            questions = {question.id: question for question in framework_of(assessment.framework).questions()}
            cache[assessment_id] = questions, assessment.organization.reporting_currency
        return cache[assessment_id]


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
        "scoring_queued",
        "scoring_started",
        "scoring_attempts",
        "scoring_error",
        "sign_off_required",
        "sign_off_overridden_by",
        "sign_off_overridden_at",
        "sign_off_override_reason",
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
        "scoring_queued",
        "scoring_started",
        "scoring_attempts",
        "scoring_error",
        "sign_off_required",
        "sign_off_overridden_by",
        "sign_off_overridden_at",
        "sign_off_override_reason",
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
        return "—" if result is None else score_text(result.readiness_index, none="—")

    @admin.display(description="level", ordering="result__level")
    def level(self, obj: Assessment) -> str:
        result = self._result(obj)
        return "—" if result is None or result.level is None else str(result.level)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # started on the assessment pages or through the API, which pre-fill from the inventory


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = tuple(
        in_place(
            ("scope", "ref", "area_ref", "score", "level", "target_level", "weight", "risk", "details"),
            shown_numbers(Score, score_text, "score") | shown_numbers(Score, json_shown, "details"),
        )
    )


RESULT_SCORES = shown_numbers(AssessmentResult, score_text, "readiness_index", "answers_index") | shown_numbers(
    AssessmentResult, json_shown, "facts", "inventory"
)


@admin.register(AssessmentResult)
class AssessmentResultAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    list_display = in_place(
        (
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
        ),
        RESULT_SCORES,
    )
    list_filter = ("level", "framework_slug", ORGANIZATION_FILTER)
    search_fields = ("assessment__title", "organization__name")
    list_select_related = ("assessment", "organization")
    list_per_page = 50
    inlines = [ScoreInline]
    exclude = tuple(RESULT_SCORES)  # shown rounded in their place

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return in_place([f.name for f in self.model._meta.fields], RESULT_SCORES)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoadmapItemAdminForm(OrganizationAdminForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The owner is one of the item's organization's members (as in the app): a user is not an organization's
        # row, so the admin's scoping leaves this choice to the form; no other organization's user is offered or
        # named (a raw id field printed the name of any user whose id was posted).
        if "owner" in self.fields and self.instance.organization_id is not None:
            self.fields["owner"].queryset = users_of_organization(organization=self.instance.organization)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk is not None:  # the service's own rules, so the admin refuses what the app refuses
            try:
                services.roadmap_item_check(
                    item=self.instance,
                    changes={name: data.get(name) for name in ("status", "status_reason", "due_date")}
                    | {"owner_id": data["owner"].pk if data.get("owner") else None},
                )
            except DomainError as error:
                raise error.as_validation_error() from error
        return data


ROADMAP_SCORES = shown_numbers(
    RoadmapItem,
    score_text,  # one decimal, as the roadmap page writes them
    "priority",
    "current_score",
    "target_score",
    "gap_points",
    "current_area_score",
    "expected_area_score",
) | shown_numbers(RoadmapItem, json_shown, "details")


@admin.register(RoadmapItem)
class RoadmapItemAdmin(ScopedHistoryAdmin):
    """Roadmap items are computed by the roadmap task; operators may only correct their tracking."""

    form = RoadmapItemAdminForm
    list_display = ("rank", "title", "assessment", "organization", "phase", "kind", "status", "owner", "due_date")
    list_filter = ("status", "phase", "kind", ORGANIZATION_FILTER)
    search_fields = ("title", "item_id", "assessment__title")
    list_select_related = ("assessment", "organization", "owner")
    list_per_page = 50
    tracked = ("status", "status_reason", "owner", "due_date")
    exclude = tuple(ROADMAP_SCORES)  # shown rounded in their place

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return in_place([f.name for f in self.model._meta.fields if f.name not in self.tracked], ROADMAP_SCORES)

    def save_model(self, request: HttpRequest, obj: RoadmapItem, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data.get(name) for name in ("status", "status_reason", "due_date")}
        changes["owner_id"] = obj.owner_id
        services.roadmap_item_update(item=obj, changes=changes, user=request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # built by the roadmap task after scoring


@admin.register(Evidence)
class EvidenceAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """Evidence is added on the questionnaire page or through the API (the file's type is sniffed there); here it is
    listed, read, downloaded through the members-only view and removed through the service."""

    list_display = ("title", "question_id", "assessment", "organization", "kind", "effective_date", "expires_on")
    list_filter = ("kind", ORGANIZATION_FILTER)
    search_fields = ("title", "question_id", "assessment__title")
    list_select_related = ("assessment", "organization")
    list_per_page = 50
    readonly_fields = ("download",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*(f.name for f in self.model._meta.fields if f.name != "file"), "download"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("file",)

    @admin.display(description="File")
    def download(self, obj: Evidence) -> str:
        if not obj.file:
            return "—"
        link = reverse("assessments:evidence_file", args=[obj.assessment_id, obj.pk])
        return format_html('<a href="{}">Download</a> ({} bytes, {})', link, obj.size, obj.content_type)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Evidence) -> None:
        services.evidence_remove(evidence=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for evidence in queryset:
            services.evidence_remove(evidence=evidence)


# --- collaboration: inspected here, changed on the assessment pages or through the API (their services' rules) ---


class CollaborationAdmin(OrganizationScopedMixin, admin.ModelAdmin):
    """Read-only: owners, reviews and comments change through `assessments.services` (who may, and emails)."""

    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in self.model._meta.fields] + [f.name for f in self.model._meta.many_to_many]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AreaAssignment)
class AreaAssignmentAdmin(CollaborationAdmin):
    list_display = ("assessment", "area_ref", "question_ref", "assignee", "due_date", "reminded_for", "organization")
    list_filter = (ORGANIZATION_FILTER,)
    search_fields = ("assessment__title", "area_ref", "question_ref", "assignee__username")
    list_select_related = ("assessment", "assignee", "organization")


@admin.register(AreaReview)
class AreaReviewAdmin(CollaborationAdmin):
    list_display = ("assessment", "area_ref", "status", "requested_by", "reviewed_by", "reviewed_at", "organization")
    list_filter = ("status", ORGANIZATION_FILTER)
    search_fields = ("assessment__title", "area_ref")
    list_select_related = ("assessment", "requested_by", "reviewed_by", "organization")


@admin.register(Comment)
class CommentAdmin(CollaborationAdmin):
    """Comments may be deleted (moderation), never edited here: only their author edits them, in the app or the
    API (`services.comment_edit`)."""

    list_display = (
        "assessment", "question_ref", "author", "short_body", "parent", "created", "edited", "organization",
    )  # fmt: skip
    list_filter = (ORGANIZATION_FILTER,)
    search_fields = ("assessment__title", "question_ref", "body", "author__username")
    list_select_related = ("assessment", "author", "organization", "parent")

    @admin.display(description="comment")
    def short_body(self, obj: Comment) -> str:
        return obj.body if len(obj.body) <= 80 else f"{obj.body[:79]}…"
