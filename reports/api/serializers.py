from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from accounts.api.base import OrganizationRelatedField
from assessments import selectors as assessment_selectors
from config.serializers import KnownFieldsOnly

from ..models import PageSize, Report


class ReportSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    assessment_title = serializers.CharField(source="assessment.title", read_only=True)
    requested_by = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = (
            "id",
            "assessment",
            "assessment_title",
            "page_size",
            "status",
            "requested_by",
            "created",
            "started",
            "finished",
            "pages",
            "size_bytes",
            "render_seconds",
            "charts_exported",
            "error",
            "status_url",
            "download_url",
        )
        read_only_fields = fields

    def get_requested_by(self, report: Report) -> str | None:
        return report.requested_by.get_username() if report.requested_by else None

    def get_status_url(self, report: Report) -> str:
        return reverse("api:reports:report-status", args=[report.pk], request=self.context.get("request"))

    def get_download_url(self, report: Report) -> str | None:
        if not report.is_ready:
            return None
        return reverse("api:reports:report-download", args=[report.pk], request=self.context.get("request"))


class ReportRequestSerializer(KnownFieldsOnly, serializers.Serializer):
    assessment = OrganizationRelatedField(
        assessment_selectors.assessments_for, help_text="A scored assessment of the organization."
    )
    page_size = serializers.ChoiceField(choices=PageSize.choices, default=PageSize.A4)
