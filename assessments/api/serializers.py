from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.base import OrganizationRelatedField
from config.serializers import KnownFieldsOnly
from config.validators import id_field
from inventory.selectors import cloud_capacity_for, sites_for, workloads_for

from .. import selectors
from ..models import Answer, Assessment, Evidence, Framework, RoadmapItem, RoadmapStatus, ScoreScope
from ..results import StoredResult


class FrameworkSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    shared = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ("id", "slug", "version", "title", "description", "question_count", "shared", "created")

    def get_shared(self, framework: Framework) -> bool:
        return framework.organization_id is None


class FrameworkDetailSerializer(FrameworkSerializer):
    class Meta(FrameworkSerializer.Meta):
        fields = (*FrameworkSerializer.Meta.fields, "definition")


class FrameworkUploadSerializer(KnownFieldsOnly, serializers.Serializer):
    file = serializers.FileField(required=False, help_text="A framework file (YAML or JSON).")
    content = serializers.CharField(required=False, help_text="The file's text, instead of `file`.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "file" in attrs:
            return {"text": attrs["file"].read()}
        if "content" in attrs:
            return {"text": attrs["content"]}
        raise serializers.ValidationError({"file": "send a framework file (or its text as `content`)."})


class IdOrNameField(OrganizationRelatedField):
    """A related row of the organization by its id or by its ``name_field`` (a site "Frankfurt DC"); shown by id."""

    def __init__(self, selector: Any, name_field: str = "name", **kwargs: Any) -> None:
        self.name_field = name_field
        super().__init__(selector, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not data.strip().isdigit():
            matches = list(self.get_queryset().filter(**{f"{self.name_field}__iexact": data.strip()})[:2])
            if len(matches) == 1:
                return matches[0]
            if matches:
                self.fail("ambiguous", name=data)
            self.fail("no_name", name=data)
        return super().to_internal_value(data)

    default_error_messages = {
        **OrganizationRelatedField.default_error_messages,
        "no_name": "No record named “{name}” in this organization.",
        "ambiguous": "More than one record is named “{name}”: give its id.",
    }


class AssessmentSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    sites = IdOrNameField(
        sites_for,
        many=True,
        required=False,
        help_text="The sites it covers, by id or name; none: the whole organization.",
    )
    workloads = IdOrNameField(
        workloads_for, many=True, required=False, help_text="The workloads it covers, by id or name; none: every one."
    )
    cloud_capacity = IdOrNameField(
        cloud_capacity_for,
        name_field="instance_type",
        many=True,
        required=False,
        help_text="The cloud reservations it covers, by id (or instance type); none: all of them when no site is "
        "named, none when sites are.",
    )
    scope_label = serializers.CharField(read_only=True, help_text="The scope in words (“whole organization”).")
    framework = OrganizationRelatedField(
        selectors.frameworks_for, required=False, help_text="Defaults to the shipped GenAI infrastructure framework."
    )
    framework_title = serializers.CharField(source="framework.__str__", read_only=True)
    readiness_index = serializers.FloatField(
        source="result.readiness_index", read_only=True, default=None, allow_null=True
    )
    level = serializers.IntegerField(source="result.level", read_only=True, default=None, allow_null=True)
    created_by = serializers.StringRelatedField(allow_null=True)  # null once the member is deleted
    sign_off_overridden_by = serializers.StringRelatedField(allow_null=True)  # null once the member is deleted
    sign_off_required = serializers.BooleanField(
        required=False, help_text="Every area approved before submitting (the installation's default if omitted)."
    )
    target_levels = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), required=False)

    class Meta:
        model = Assessment
        fields = (
            "id",
            "title",
            "scope",
            "scope_label",
            "sites",
            "workloads",
            "cloud_capacity",
            "framework",
            "framework_title",
            "target_levels",
            "status",
            "previous",
            "readiness_index",
            "level",
            "created_by",
            "created",
            "submitted_at",
            "sign_off_required",
            "sign_off_overridden_by",
            "sign_off_overridden_at",
            "sign_off_override_reason",
        )
        read_only_fields = (
            "status",
            "previous",
            "created",
            "submitted_at",
            "sign_off_overridden_by",
            "sign_off_overridden_at",
            "sign_off_override_reason",
        )


class AnswerSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    answered_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Answer
        fields = (
            "question_id",
            "value",
            "not_applicable",
            "na_reason",
            "note",
            "evidence_url",
            "source",
            "inventory_note",
            "answered_by",
            "version",
            "updated",
        )
        read_only_fields = ("source", "inventory_note", "answered_by", "version", "updated")


class AnswerInputSerializer(KnownFieldsOnly, serializers.Serializer):
    question_id = serializers.CharField(max_length=40)
    value = serializers.JSONField(required=False, allow_null=True)
    not_applicable = serializers.BooleanField(default=False)
    na_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="The answer's version this one was made from (0: there was none). When someone else has saved "
        "the question since, the save is refused (409 `stale_answer`, the current answer in the error's "
        "`current`); send again with its version to overwrite it. Omit it to save whatever is stored.",
    )


class ScoreSerializer(KnownFieldsOnly, serializers.Serializer):
    """One stored score: an area (grounded), a sub-area or a question (the questionnaire's own)."""

    scope = serializers.ChoiceField(choices=ScoreScope.choices)
    ref = serializers.CharField(help_text="The area, sub-area or question id.")
    area_ref = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    level = serializers.IntegerField(allow_null=True)
    target_level = serializers.IntegerField(allow_null=True)
    weight = serializers.FloatField()
    risk = serializers.CharField(allow_blank=True)
    details = serializers.JSONField(help_text="Confidence, counts, status, source, evidence.")


class ResultSerializer(KnownFieldsOnly, serializers.Serializer):
    """The stored result of an assessment: the overall figures, the facts used, and one score per area, sub-area
    and question, as scoring wrote them."""

    framework_slug = serializers.CharField()
    framework_version = serializers.CharField()
    readiness_index = serializers.FloatField(allow_null=True)
    level = serializers.IntegerField(allow_null=True)
    answers_index = serializers.FloatField(allow_null=True)
    contradictions = serializers.IntegerField()
    facts = serializers.JSONField(help_text="The inventory facts used, as they were when scored.")
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    high_risks = serializers.IntegerField()
    medium_risks = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    scores = ScoreSerializer(many=True)

    def to_representation(self, instance: StoredResult) -> dict[str, Any]:
        rows = {**instance.result_fields(), "computed_at": instance.computed_at, "scores": instance.score_rows()}
        return super().to_representation(rows)


class RoadmapItemSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    owner_id = serializers.IntegerField(read_only=True, allow_null=True)
    carried_from = serializers.SerializerMethodField(help_text="The same item's tracking in the previous assessment.")
    tracker_issue = serializers.SerializerMethodField(
        help_text="Its issue in the organization's tracker once pushed: key, url, state (open/closed), status in "
        "words, when it was last read."
    )

    class Meta:
        model = RoadmapItem
        fields = (
            "item_id",
            "rank",
            "phase",
            "kind",
            "area_ref",
            "question_ref",
            "title",
            "action",
            "why",
            "effort",
            "effort_cost",
            "priority",
            "risk",
            "current_score",
            "target_score",
            "gap_points",
            "current_area_score",
            "expected_area_score",
            "depends_on",
            "details",
            "in_plan",
            "status",
            "status_reason",
            "owner",
            "owner_id",
            "due_date",
            "carried_from",
            "updated",
            "tracker_issue",
        )
        read_only_fields = fields

    def get_carried_from(self, item: RoadmapItem) -> dict[str, Any] | None:
        before = item.carried_from
        if before is None:
            return None
        return {
            "assessment": before.assessment_id,
            "assessment_title": before.assessment.title,
            "status": before.status,
        }

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "tracker": {"type": "string"},
                "key": {"type": "string"},
                "url": {"type": "string"},
                "state": {"type": "string", "enum": ["open", "closed"]},
                "status": {"type": "string"},
                "checked_at": {"type": "string", "format": "date-time", "nullable": True},
            },
        }
    )
    def get_tracker_issue(self, item: RoadmapItem) -> dict[str, Any] | None:
        if not item.tracker_key:
            return None
        return {
            "tracker": item.tracker.name if item.tracker_id else "",
            "key": item.tracker_key,
            "url": item.tracker_url,
            "state": item.tracker_state,
            "status": item.tracker_status,
            "checked_at": item.tracker_checked_at,
        }


class RoadmapItemPushSerializer(KnownFieldsOnly, serializers.Serializer):
    tracker = id_field(help_text="The id of one of the organization's issue trackers.")


class RoadmapItemUpdateSerializer(KnownFieldsOnly, serializers.Serializer):
    """Any subset of the tracking fields; the service checks them together (a dismissal needs a reason)."""

    status = serializers.ChoiceField(choices=RoadmapStatus.choices, required=False)
    status_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    owner_id = id_field(required=False, allow_null=True, help_text="A member's user id, or null.")
    due_date = serializers.DateField(required=False, allow_null=True)


class RoadmapProjectionInputSerializer(KnownFieldsOnly, serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField(max_length=80), allow_empty=True)


class RoadmapProjectionSerializer(KnownFieldsOnly, serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField())
    index = serializers.FloatField(
        allow_null=True, help_text="The readiness index if those items were done (the evidence stays as scored)."
    )
    current_index = serializers.FloatField(allow_null=True, help_text="The readiness index as scored.")
    areas = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Each area's score if those items were done (a gap item's `expected_area_score` when alone).",
    )
    current_areas = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="Each area's score as scored."
    )
    self_assessed_index = serializers.FloatField(
        allow_null=True, help_text="The self-assessed scores alone (no inventory evidence) if those items were done."
    )
    current_self_assessed_index = serializers.FloatField(
        allow_null=True, help_text="The self-assessed scores alone, before inventory evidence, now."
    )


# --- evidence, re-assessing onto another version ---------------------------------------------------------------------


class EvidenceSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    added_by = serializers.StringRelatedField(allow_null=True)  # null once the member is deleted
    expired = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField(help_text="Where members download the file (files only).")

    class Meta:
        model = Evidence
        fields = (
            "id",
            "question_id",
            "kind",
            "title",
            "url",
            "file_url",
            "content_type",
            "size",
            "effective_date",
            "expires_on",
            "expired",
            "added_by",
            "created",
        )

    def get_expired(self, evidence: Evidence) -> bool:
        return evidence.is_expired(timezone.localdate())

    def get_file_url(self, evidence: Evidence) -> str | None:
        if not evidence.file:
            return None
        path = f"/api/v1/assessments/{evidence.assessment_id}/evidence/{evidence.pk}/file/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EvidenceInputSerializer(KnownFieldsOnly, serializers.Serializer):
    """A link (`url`) or a file (`file`, multipart), with its effective date and optional expiry."""

    question_id = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500, required=False, default="")
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    effective_date = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReassessInputSerializer(KnownFieldsOnly, serializers.Serializer):
    framework_version = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Another version of the same framework."
    )


class UpgradeChangeSerializer(KnownFieldsOnly, serializers.Serializer):
    kind = serializers.ChoiceField(choices=["unchanged", "reworded", "renamed", "split", "merged", "new", "removed"])
    question_id = serializers.CharField(source="new_id")
    from_question_ids = serializers.ListField(child=serializers.CharField(), source="old_ids")
    area_id = serializers.CharField()
    old_text = serializers.CharField()
    new_text = serializers.CharField()
    note = serializers.CharField()
    changed = serializers.ListField(
        child=serializers.CharField(),
        help_text="What reads differently, in words (its text, an option, the unit, the thresholds or their currency).",
    )
    carries = serializers.BooleanField()


class UpgradePlanSerializer(KnownFieldsOnly, serializers.Serializer):
    from_version = serializers.CharField()
    to_version = serializers.CharField()
    changes = UpgradeChangeSerializer(many=True, source="notable", help_text="Every question that is not unchanged.")
    unchanged = serializers.SerializerMethodField()

    def get_unchanged(self, plan: Any) -> int:
        return len(plan.of_kind("unchanged"))
