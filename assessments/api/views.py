"""Assessments REST API: frameworks, assessments, answers (bulk upsert), submission (202) and results."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.api.base import OrganizationScopedAPIMixin, OrganizationScopedViewSet
from config.api_history import EXPORT_PARAMETER, HISTORY_RESPONSES, history_response
from config.api_jobs import BROKER_DOWN, JOB_STARTED, NO_JOB, JobStatusSerializer, job_response
from config.errors import Invalid
from config.jobs import JobStatus
from config.pagination import WHOLE_LIST
from config.parsers import SafeJSONParser

from .. import selectors, services
from ..downloads import evidence_download
from ..filtersets import AssessmentFilterSet
from ..models import Assessment, Framework
from . import serializers
from .collaboration import CollaborationActions, SubmitInputSerializer


class FrameworkViewSet(
    OrganizationScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Frameworks: the shipped ones and the organization's own. POST uploads a framework file (YAML or JSON);
    a bad file is refused with every problem listed by its path."""

    queryset = Framework.objects.none()
    parser_classes = (MultiPartParser, FormParser, SafeJSONParser)
    ordering_fields = ("slug", "version", "created")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Framework.objects.none()
        return selectors.frameworks_for(organization=self.organization).order_by("slug", "-created")

    def get_serializer_class(self) -> Any:
        if self.action == "retrieve":
            return serializers.FrameworkDetailSerializer
        if self.action == "create":
            return serializers.FrameworkUploadSerializer
        return serializers.FrameworkSerializer

    @extend_schema(request=serializers.FrameworkUploadSerializer, responses={201: serializers.FrameworkSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = serializers.FrameworkUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        framework, created = services.framework_load(text=upload.validated_data["text"], organization=self.organization)
        return Response(
            serializers.FrameworkSerializer(framework).data, status=status.HTTP_201_CREATED if created else 200
        )


class AssessmentViewSet(CollaborationActions, OrganizationScopedViewSet):
    """Assessments of the organization. Viewers read; assessors create, answer, review, comment and submit."""

    queryset = Assessment.objects.all()
    selector = selectors.assessments_for
    serializer_class = serializers.AssessmentSerializer
    lookup_value_regex = r"\d+"
    filterset_class = AssessmentFilterSet
    ordering_fields = ("created", "title", "submitted_at")
    ordering = ("-created",)

    def filter_queryset(self, queryset: Any) -> Any:
        """The list's filters and ordering (`?status=draft`) select assessments for the list only; one assessment
        and its endpoints (answers, roadmap, submit...) are found by id whatever the query string says."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve") and not self._schema_only():  # what `AssessmentSerializer` shows
            return queryset.prefetch_related("sites", "workloads", "cloud_capacity")
        return queryset

    def perform_create(self, serializer: serializers.AssessmentSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.assessment_create(
            organization=self.organization,
            framework=data.get("framework"),
            title=data["title"],
            scope=data.get("scope", ""),
            target_levels=data.get("target_levels"),
            user=self.request.user,
            sign_off_required=data.get("sign_off_required"),
            sites=data.get("sites"),
            workloads=data.get("workloads"),
            cloud_capacity=data.get("cloud_capacity"),
        )

    def perform_update(self, serializer: serializers.AssessmentSerializer) -> None:
        serializer.instance = services.assessment_update(
            assessment=serializer.instance, changes=serializer.validated_data, user=self.request.user
        )

    def perform_destroy(self, instance: Assessment) -> None:
        services.assessment_delete(assessment=instance, user=self.request.user)

    @extend_schema(
        request=serializers.AnswerInputSerializer(many=True), responses=serializers.AnswerSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """GET: every answer with who gave it and its `version`. POST: one answer or a list; each is validated
        against its question; any bad one refuses the whole request with its position and reason. An answer sent
        with the `version` it was made from is refused (409 `stale_answer`, the answer as it now is in `current`)
        when someone else saved the question since."""
        assessment = self.get_object()
        if request.method == "GET":
            return Response(serializers.AnswerSerializer(selectors.answers_of(assessment=assessment), many=True).data)
        many = isinstance(request.data, list)
        payload = serializers.AnswerInputSerializer(data=request.data, many=many)
        payload.is_valid(raise_exception=True)
        items = payload.validated_data if many else [payload.validated_data]
        saved = services.answers_save(
            assessment=assessment,
            items=[services.AnswerInput(**item) for item in items],
            user=request.user,
        )
        return Response(serializers.AnswerSerializer(saved, many=True).data)

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[
            OpenApiParameter(
                "version",
                int,
                description="The version you are removing: 409 `stale_answer` if someone else "
                "has saved the answer since.",
            )
        ],
    )
    @action(detail=True, methods=["delete"], url_path=r"answers/(?P<question_id>[A-Za-z0-9_.-]+)")
    def clear_answer(self, request: Request, pk: str | None = None, question_id: str = "") -> Response:
        """Remove the answer to one question (the question becomes unanswered again)."""
        assessment = self.get_object()
        raw = request.query_params.get("version", "")
        services.answer_clear(
            assessment=assessment,
            question_id=question_id,
            user=request.user,
            version=int(raw) if raw.isdigit() else None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _job(self, assessment: Assessment) -> JobStatus:
        job = selectors.scoring_status(assessment=assessment)
        if job is None:
            raise NotFound("This assessment has not been submitted: there is no scoring job yet.", code="no_job")
        request = self.request
        return job.with_urls(
            next_url=reverse("api:assessments:assessment-results", args=[assessment.pk], request=request)
            if job.state == "succeeded"
            else None,
            retry_url=reverse("api:assessments:assessment-retry", args=[assessment.pk], request=request),
        )

    def _started(self, assessment: Assessment) -> Response:
        status_url = reverse("api:assessments:assessment-scoring-status", args=[assessment.pk], request=self.request)
        return job_response(self._job(assessment), status_url=status_url, accepted=True)

    @extend_schema(request=SubmitInputSerializer, responses={202: JobStatusSerializer, 503: BROKER_DOWN})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Freeze the answers and score them in a worker: 202 with the scoring job's status (`Location`: the
        status URL to poll). 503 `broker_unavailable` when the task queue is down: the assessment stays a draft.
        With sign-off required, 409 `sign_off_missing` until every area is approved; an owner may give an
        `override_reason` to submit anyway (recorded: who, when, why)."""
        assessment = self.get_object()
        payload = SubmitInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        payload.is_valid(raise_exception=True)
        services.assessment_submit(
            assessment=assessment, user=request.user, override_reason=payload.validated_data["override_reason"]
        )
        return self._started(assessment)

    @extend_schema(request=None, responses=JOB_STARTED)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        """Score a failed assessment again: 202 with the job's status; 409 unless its scoring failed."""
        assessment = self.get_object()
        services.assessment_scoring_retry(assessment=assessment)
        return self._started(assessment)

    @extend_schema(responses={200: JobStatusSerializer, 404: NO_JOB})
    @action(detail=True, methods=["get"], url_path="status")
    def scoring_status(self, request: Request, pk: str | None = None) -> Response:
        """The scoring job: queued, running, succeeded (`next_url`: the results) or failed (`retry_url`)."""
        return job_response(self._job(self.get_object()))

    @extend_schema(responses=serializers.ResultSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """The stored scores: overall, and per area, sub-area and question."""
        assessment = self.get_object()
        result = selectors.result_for(assessment=assessment)
        if result is None:
            raise NotFound(f"Not scored yet (status: {assessment.status}).", code="not_scored")
        return Response(serializers.ResultSerializer(result).data)

    @extend_schema(request=serializers.ReassessInputSerializer, responses={201: serializers.AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def reassess(self, request: Request, pk: str | None = None) -> Response:
        """Start a new assessment pre-filled from this one, on the same framework version or on
        `framework_version` (another version of the same framework: every answer that maps carries over), with its
        owners per area and question who are still members and their due dates unless past (`assignments`). 409
        `not_submitted` for a draft; 409 `reassessment_in_progress` while a re-assessment of it is still in
        progress (its `id` and `title` in `current`: answer that one)."""
        assessment = self.get_object()
        payload = serializers.ReassessInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.assessment_reassess(
            previous=assessment, user=request.user, framework_version=payload.validated_data.get("framework_version")
        )
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("framework_version", str, description="Defaults to the same version.")],
        responses=serializers.UpgradePlanSerializer,
    )
    @action(detail=True, methods=["get"], url_path="reassess/preview")
    def reassess_preview(self, request: Request, pk: str | None = None) -> Response:
        """What a re-assessment onto `framework_version` changes: new, reworded, split, merged and removed
        questions, and whether each carries its answer (nothing is saved)."""
        assessment = self.get_object()
        target = services.reassess_target(
            previous=assessment, framework_version=request.query_params.get("framework_version")
        )
        plan = services.reassess_plan(previous=assessment, framework=target)
        return Response(serializers.UpgradePlanSerializer(plan).data)

    @extend_schema(parameters=[EXPORT_PARAMETER], responses=HISTORY_RESPONSES)
    @action(detail=True, methods=["get"], **WHOLE_LIST)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every change of this assessment's answers: who, when, each field before and after (newest first)."""
        assessment = self.get_object()
        entries = selectors.answer_history(assessment=assessment)
        return history_response(request, entries, subject="", filename=f"assessment-{assessment.pk}-history")

    @extend_schema(parameters=[EXPORT_PARAMETER], responses=HISTORY_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"answers/(?P<question_id>[A-Za-z0-9_.-]+)/history",
        **WHOLE_LIST,
    )
    def answer_history(self, request: Request, pk: str | None = None, question_id: str = "") -> Response:
        """Every change of the answer to one question."""
        assessment = self.get_object()
        entries = selectors.answer_history(assessment=assessment, question_id=question_id)
        return history_response(request, entries, subject=question_id, filename=f"{question_id}-history")

    @extend_schema(parameters=[EXPORT_PARAMETER], responses=HISTORY_RESPONSES)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"roadmap/(?P<item_id>(?!projection/)[A-Za-z0-9_.-]+)/history",
        **WHOLE_LIST,
    )
    def roadmap_item_history(self, request: Request, pk: str | None = None, item_id: str = "") -> Response:
        """Every change of one roadmap item: its rebuilds and its tracking."""
        assessment = self.get_object()
        item = get_object_or_404(selectors.roadmap_of(assessment=assessment), item_id=item_id)
        entries = selectors.roadmap_item_history(item=item)
        return history_response(request, entries, subject=item_id, filename=f"{item_id}-history")

    @extend_schema(
        request={"multipart/form-data": serializers.EvidenceInputSerializer},
        responses={200: serializers.EvidenceSerializer(many=True), 201: serializers.EvidenceSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=(MultiPartParser, FormParser, SafeJSONParser),
        **WHOLE_LIST,
    )
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """GET: the files and links behind the answers, each with its effective date, expiry and whether it has
        expired. POST: add one (a `url`, or a `file` as multipart: PDF, PNG, JPEG, text, XLSX or DOCX by content,
        at most 10 MB; 413 beyond)."""
        assessment = self.get_object()
        if request.method == "GET":
            items = selectors.evidence_of(assessment=assessment)
            return Response(serializers.EvidenceSerializer(items, many=True, context={"request": request}).data)
        payload = serializers.EvidenceInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        upload = data.get("file")
        item = services.EvidenceInput(
            question_id=data["question_id"],
            title=data["title"],
            effective_date=data["effective_date"],
            expires_on=data.get("expires_on"),
            url=data.get("url", ""),
            upload=upload,
        )
        evidence = services.evidence_add(assessment=assessment, item=item, user=request.user)
        return Response(
            serializers.EvidenceSerializer(evidence, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"evidence/(?P<evidence_id>\d+)")
    def remove_evidence(self, request: Request, pk: str | None = None, evidence_id: str = "") -> Response:
        """Remove one piece of evidence from a draft."""
        assessment = self.get_object()
        evidence = get_object_or_404(selectors.evidence_of(assessment=assessment), pk=evidence_id)
        services.evidence_remove(evidence=evidence)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>\d+)/file")
    def evidence_file(self, request: Request, pk: str | None = None, evidence_id: str = "") -> Any:
        """Download an evidence file (members of the organization only; another organization's is a 404)."""
        assessment = self.get_object()
        evidence = get_object_or_404(selectors.evidence_of(assessment=assessment).exclude(file=""), pk=evidence_id)
        return evidence_download(evidence)

    @extend_schema(responses=serializers.RoadmapItemSerializer(many=True))
    @action(detail=True, methods=["get"], **WHOLE_LIST)
    def roadmap(self, request: Request, pk: str | None = None) -> Response:
        """The roadmap in execution order (Now, Next, Later), with why, effect and tracking of each item.
        Empty until the assessment is scored and its roadmap built."""
        assessment = self.get_object()
        items = selectors.roadmap_of(assessment=assessment)
        return Response(serializers.RoadmapItemSerializer(items, many=True).data)

    @extend_schema(request=serializers.RoadmapItemUpdateSerializer, responses=serializers.RoadmapItemSerializer)
    @action(detail=True, methods=["patch"], url_path=r"roadmap/(?P<item_id>(?!projection/)[A-Za-z0-9_.-]+)")
    def roadmap_item(self, request: Request, pk: str | None = None, item_id: str = "") -> Response:
        """Track one item: status (a dismissal needs `status_reason`), `owner_id` (a member), `due_date`."""
        assessment = self.get_object()
        item = get_object_or_404(selectors.roadmap_of(assessment=assessment), item_id=item_id)
        payload = serializers.RoadmapItemUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.roadmap_item_update(item=item, changes=payload.validated_data, user=request.user)
        return Response(serializers.RoadmapItemSerializer(item).data)

    @extend_schema(request=serializers.RoadmapItemPushSerializer, responses=serializers.RoadmapItemSerializer)
    @action(detail=True, methods=["post"], url_path=r"roadmap/(?P<item_id>[A-Za-z0-9_.-]+)/push")
    def roadmap_item_push(self, request: Request, pk: str | None = None, item_id: str = "") -> Response:
        """Open an issue for the item in one of the organization's trackers (GitHub Issues, Jira) and keep its
        link; 409 ``already_pushed``, 503 ``tracker_failed`` when the tracker refuses or cannot be reached."""
        assessment = self.get_object()
        item = get_object_or_404(selectors.roadmap_of(assessment=assessment), item_id=item_id)
        payload = serializers.RoadmapItemPushSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.roadmap_item_push(item=item, tracker_id=payload.validated_data["tracker"], user=request.user)
        item = selectors.roadmap_of(assessment=assessment).get(pk=item.pk)
        return Response(serializers.RoadmapItemSerializer(item).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("done", str, many=True, description="Item ids to count as done (repeat the parameter).")
        ],
        responses=serializers.RoadmapProjectionSerializer,
    )
    @action(detail=True, methods=["get"], url_path="roadmap/projection")
    def roadmap_projection(self, request: Request, pk: str | None = None) -> Response:
        """What-if: the area scores and readiness index as scored and if the listed items were done (nothing is
        saved), as the roadmap page shows them: each done item raises its question to the area's target, the
        inventory's evidence stays as scored; and the self-assessed scores alone, before that evidence."""
        assessment = self.get_object()
        payload = serializers.RoadmapProjectionInputSerializer(data={"done": request.query_params.getlist("done")})
        payload.is_valid(raise_exception=True)
        done = payload.validated_data["done"]
        projections = None
        if assessment.status == "scored":
            known = set(selectors.roadmap_of(assessment=assessment).values_list("item_id", flat=True))
            unknown = [item_id for item_id in done if item_id not in known]
            if unknown:
                raise Invalid(
                    f"No item of this roadmap has the id {', '.join(unknown)}: give ids from "
                    f"/api/v1/assessments/{assessment.pk}/roadmap/ (item_id).",
                    code="unknown_item",
                    field="done",
                )
            projections = selectors.roadmap_projections(assessment=assessment, done_ids=done)
        if projections is None:
            raise NotFound(f"Not scored yet (status: {assessment.status}).", code="not_scored")
        current, projected = projections["now"], projections["projected"]
        body = {
            "done": done,
            "index": projected.index,
            "current_index": current.index,
            "areas": projected.areas,
            "current_areas": current.areas,
            "self_assessed_index": projections["self_projected"].index,
            "current_self_assessed_index": projections["self_now"].index,
        }
        return Response(serializers.RoadmapProjectionSerializer(body).data)
