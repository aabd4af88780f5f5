"""Assessments REST API: frameworks, assessments, answers (bulk upsert), submission (202) and results."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django_celery_results.models import TaskResult
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.api.base import OrganizationScopedAPIMixin, OrganizationScopedViewSet

from .. import selectors, services
from ..framework_files import FrameworkFileError
from ..models import Assessment, Framework
from . import serializers


def _domain_errors(function: Any, **kwargs: Any) -> Any:
    """Call a service; its domain errors become a 400 listing every problem."""
    try:
        return function(**kwargs)
    except FrameworkFileError as error:
        raise ValidationError({"problems": error.problems}) from error
    except DjangoValidationError as error:
        raise ValidationError({"problems": error.messages}) from error


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
    parser_classes = (MultiPartParser, FormParser, JSONParser)
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
        framework, created = _domain_errors(
            services.framework_load, text=upload.validated_data["text"], organization=self.organization
        )
        return Response(
            serializers.FrameworkSerializer(framework).data, status=status.HTTP_201_CREATED if created else 200
        )


class AssessmentViewSet(OrganizationScopedViewSet):
    """Assessments of the organization. Viewers read; assessors create, answer and submit."""

    queryset = Assessment.objects.all()
    selector = selectors.assessments_for
    serializer_class = serializers.AssessmentSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ("status", "framework")
    ordering_fields = ("created", "title", "submitted_at")
    ordering = ("-created",)

    def perform_create(self, serializer: serializers.AssessmentSerializer) -> None:
        data = serializer.validated_data
        framework = data.get("framework") or selectors.default_framework()
        if framework is None:
            raise ValidationError({"framework": "no framework is loaded; run `manage.py load_framework`."})
        serializer.instance = _domain_errors(
            services.assessment_create,
            organization=self.organization,
            framework=framework,
            title=data["title"],
            scope=data.get("scope", ""),
            target_levels=data.get("target_levels"),
            user=self.request.user,
        )

    def perform_update(self, serializer: serializers.AssessmentSerializer) -> None:
        if serializer.instance.is_frozen:
            raise ValidationError({"problems": ["A submitted assessment cannot be changed; re-assess instead."]})
        if (
            "framework" in serializer.validated_data
            and serializer.validated_data["framework"] != serializer.instance.framework
        ):
            raise ValidationError({"framework": "an assessment stays on the framework version it was started on."})
        if "target_levels" in serializer.validated_data:
            targets = services.default_target_levels(serializer.instance.framework)
            targets.update(serializer.validated_data["target_levels"])
            serializer.validated_data["target_levels"] = _domain_errors(
                services.validate_target_levels, framework=serializer.instance.framework, targets=targets
            )
        serializer.save()

    @extend_schema(
        request=serializers.AnswerInputSerializer(many=True), responses=serializers.AnswerSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """GET: every answer with who gave it. POST: one answer or a list; each is validated against its
        question; any bad one refuses the whole request with its position and reason (last write wins)."""
        assessment = self.get_object()
        if request.method == "GET":
            return Response(serializers.AnswerSerializer(selectors.answers_of(assessment=assessment), many=True).data)
        many = isinstance(request.data, list)
        payload = serializers.AnswerInputSerializer(data=request.data, many=many)
        payload.is_valid(raise_exception=True)
        items = payload.validated_data if many else [payload.validated_data]
        saved = _domain_errors(
            services.answers_save,
            assessment=assessment,
            items=[services.AnswerInput(**item) for item in items],
            user=request.user,
        )
        return Response(serializers.AnswerSerializer(saved, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"answers/(?P<question_id>[A-Za-z0-9_.-]+)")
    def clear_answer(self, request: Request, pk: str | None = None, question_id: str = "") -> Response:
        """Remove the answer to one question (the question becomes unanswered again)."""
        assessment = self.get_object()
        _domain_errors(services.answer_clear, assessment=assessment, question_id=question_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: dict})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Freeze the answers and score them in a worker: 202 with the status URL to poll."""
        assessment = self.get_object()
        task_id = _domain_errors(services.assessment_submit, assessment=assessment, user=request.user)
        status_url = reverse("api:assessments:assessment-scoring-status", args=[assessment.pk], request=request)
        return Response(
            {"status": "scoring", "task_id": task_id, "status_url": status_url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": status_url},
        )

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"], url_path="status")
    def scoring_status(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        task = TaskResult.objects.filter(task_id=assessment.scoring_task_id).only("status").first()
        body: dict[str, Any] = {
            "status": assessment.status,
            "task": task.status if task else None,
            "error": assessment.scoring_error or None,
        }
        if assessment.status == "scored":
            body["results_url"] = reverse("api:assessments:assessment-results", args=[assessment.pk], request=request)
        return Response(body)

    @extend_schema(responses=serializers.ResultSerializer)
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """The stored scores: overall, and per area, sub-area and question."""
        assessment = self.get_object()
        result = selectors.result_of(assessment=assessment)
        if result is None:
            return Response({"detail": f"Not scored yet (status: {assessment.status})."}, status=404)
        return Response(serializers.ResultSerializer(result).data)

    @extend_schema(request=None, responses={201: serializers.AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def reassess(self, request: Request, pk: str | None = None) -> Response:
        """Start a new assessment pre-filled from this one."""
        assessment = self.get_object()
        new = services.assessment_reassess(previous=assessment, user=request.user)
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.RoadmapItemSerializer(many=True))
    @action(detail=True, methods=["get"])
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
        try:
            services.roadmap_item_update(item=item, changes=payload.validated_data, user=request.user)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(serializers.RoadmapItemSerializer(item).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("done", str, many=True, description="Item ids to count as done (repeat the parameter).")
        ],
        responses=serializers.RoadmapProjectionSerializer,
    )
    @action(detail=True, methods=["get"], url_path="roadmap/projection")
    def roadmap_projection(self, request: Request, pk: str | None = None) -> Response:
        """What-if: the questionnaire's area scores and index if the listed items were done (nothing is saved)."""
        assessment = self.get_object()
        payload = serializers.RoadmapProjectionInputSerializer(data={"done": request.query_params.getlist("done")})
        payload.is_valid(raise_exception=True)
        if assessment.status != "scored":
            return Response({"detail": f"Not scored yet (status: {assessment.status})."}, status=404)
        done = payload.validated_data["done"]
        current, projected = selectors.roadmap_projection(assessment=assessment, done_ids=done)
        body = {
            "done": done,
            "index": projected.index,
            "current_index": current.index,
            "areas": projected.areas,
            "current_areas": current.areas,
        }
        return Response(serializers.RoadmapProjectionSerializer(body).data)
