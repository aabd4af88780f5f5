from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.api.base import OrganizationRelatedField

from .. import selectors
from ..models import Answer, Assessment, AssessmentResult, Framework, RoadmapItem, RoadmapStatus, Score


class FrameworkSerializer(serializers.ModelSerializer):
    shared = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ("id", "slug", "version", "title", "description", "question_count", "shared", "created")

    def get_shared(self, framework: Framework) -> bool:
        return framework.organization_id is None


class FrameworkDetailSerializer(FrameworkSerializer):
    class Meta(FrameworkSerializer.Meta):
        fields = (*FrameworkSerializer.Meta.fields, "definition")


class FrameworkUploadSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="A framework file (YAML or JSON).")
    content = serializers.CharField(required=False, help_text="The file's text, instead of `file`.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "file" in attrs:
            return {"text": attrs["file"].read()}
        if "content" in attrs:
            return {"text": attrs["content"]}
        raise serializers.ValidationError({"file": "send a framework file (or its text as `content`)."})


class AssessmentSerializer(serializers.ModelSerializer):
    framework = OrganizationRelatedField(
        selectors.frameworks_for, required=False, help_text="Defaults to the shipped GenAI infrastructure framework."
    )
    framework_title = serializers.CharField(source="framework.__str__", read_only=True)
    readiness_index = serializers.FloatField(source="result.readiness_index", read_only=True, default=None)
    level = serializers.IntegerField(source="result.level", read_only=True, default=None)
    created_by = serializers.StringRelatedField()
    target_levels = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), required=False)

    class Meta:
        model = Assessment
        fields = (
            "id",
            "title",
            "scope",
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
        )
        read_only_fields = ("status", "previous", "created", "submitted_at")


class AnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.StringRelatedField()

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
            "answered_by",
            "updated",
        )
        read_only_fields = ("source", "answered_by", "updated")


class AnswerInputSerializer(serializers.Serializer):
    question_id = serializers.CharField(max_length=40)
    value = serializers.JSONField(required=False, allow_null=True)
    not_applicable = serializers.BooleanField(default=False)
    na_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ("scope", "ref", "area_ref", "score", "level", "target_level", "weight", "risk", "details")


class ResultSerializer(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True)

    class Meta:
        model = AssessmentResult
        fields = (
            "framework_slug",
            "framework_version",
            "readiness_index",
            "level",
            "answers_index",
            "contradictions",
            "facts",
            "answered",
            "total",
            "high_risks",
            "medium_risks",
            "computed_at",
            "scores",
        )


class RoadmapItemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    owner_id = serializers.IntegerField(read_only=True, allow_null=True)
    carried_from = serializers.SerializerMethodField(help_text="The same item's tracking in the previous assessment.")

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


class RoadmapItemUpdateSerializer(serializers.Serializer):
    """Any subset of the tracking fields; the service checks them together (a dismissal needs a reason)."""

    status = serializers.ChoiceField(choices=RoadmapStatus.choices, required=False)
    status_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    owner_id = serializers.IntegerField(required=False, allow_null=True, help_text="A member's user id, or null.")
    due_date = serializers.DateField(required=False, allow_null=True)


class RoadmapProjectionInputSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField(max_length=80), allow_empty=True)


class RoadmapProjectionSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField())
    index = serializers.FloatField(allow_null=True, help_text="Questionnaire index if those items were done.")
    current_index = serializers.FloatField(allow_null=True)
    areas = serializers.DictField(child=serializers.FloatField(allow_null=True))
    current_areas = serializers.DictField(child=serializers.FloatField(allow_null=True))
