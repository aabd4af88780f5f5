"""The collaboration API (docs/collaboration.md): owners per area, review and sign-off, comments, "assigned to me".

`CollaborationActions` adds these actions to the assessments' viewset; each calls one service of
`assessments.services` (the web pages call the same ones). Lists run a constant number of queries.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from config.pagination import WHOLE_LIST
from config.serializers import KnownFieldsOnly
from config.validators import id_field

from .. import scoring, selectors, services
from ..models import AreaAssignment, AreaReview, Assessment, Comment, ReviewStatus

# --- serializers ------------------------------------------------------------------------------------------------


def _area_name(framework: scoring.Framework | None, area_ref: str) -> str:
    area = framework.area(area_ref) if framework is not None else None
    return area.name if area is not None else area_ref


class AssignmentSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """Who owns an area (or one question of it) of an assessment, by when."""

    assessment = serializers.IntegerField(source="assessment_id", read_only=True)
    assessment_title = serializers.CharField(source="assessment.title", read_only=True)
    area = serializers.CharField(source="area_ref", read_only=True)
    area_name = serializers.SerializerMethodField()
    question_id = serializers.CharField(source="question_ref", read_only=True)
    assignee = serializers.StringRelatedField()
    assignee_id = serializers.IntegerField(read_only=True)
    assigned_by = serializers.StringRelatedField(allow_null=True)  # null once the member is deleted
    review_status = serializers.SerializerMethodField()

    class Meta:
        model = AreaAssignment
        fields = (
            "id",
            "assessment",
            "assessment_title",
            "area",
            "area_name",
            "question_id",
            "assignee",
            "assignee_id",
            "due_date",
            "assigned_by",
            "review_status",
            "updated",
        )

    def get_area_name(self, assignment: AreaAssignment) -> str:
        return _area_name(selectors.framework_of(assignment.assessment.framework), assignment.area_ref)

    def get_review_status(self, assignment: AreaAssignment) -> str:
        reviews = self.context.get("reviews", {})
        review = reviews.get((assignment.assessment_id, assignment.area_ref))
        return review.status if review is not None else ReviewStatus.DRAFT


class AssignmentInputSerializer(KnownFieldsOnly, serializers.Serializer):
    area = serializers.CharField(max_length=80, help_text="The area's id in the framework.")
    question_id = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="One question of the area, or none."
    )
    assignee_id = id_field(help_text="The owner: a member of the organization (user id).")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class AreaReviewSerializer(KnownFieldsOnly, serializers.Serializer):
    """An area's sign-off: draft, in review or approved, and by whom."""

    area = serializers.CharField()
    area_name = serializers.CharField()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    status_label = serializers.CharField()
    owner = serializers.CharField(allow_null=True)
    requested_by = serializers.CharField(allow_null=True)
    requested_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class AreaReviewActionSerializer(KnownFieldsOnly, serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("request", "request"), ("approve", "approve"), ("reopen", "reopen")],
        help_text="`request`: draft → in review; `approve`: in review → approved (by a member who gave none of "
        "the area's answers, else 409 `reviewer_is_answerer`); `reopen`: back to draft.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CommentSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    author = serializers.StringRelatedField(allow_null=True)  # null once the member is deleted
    question_id = serializers.CharField(source="question_ref", read_only=True)
    area = serializers.CharField(source="area_ref", read_only=True)
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ("id", "question_id", "area", "parent_id", "author", "body", "mentions", "created", "edited")

    def get_mentions(self, comment: Comment) -> list[str]:
        return sorted(user.get_username() for user in comment.mentions.all())


def _comment_body(help_text: str) -> serializers.CharField:
    """A comment's text as typed: its rules (not empty, at most 5,000 characters, no control character) are the
    service's (`services.comments._body`), so the API refuses it in the page's words."""
    return serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=help_text)


class CommentEditSerializer(KnownFieldsOnly, serializers.Serializer):
    body = _comment_body("The new text (at most 5,000 characters). Members it newly mentions as @username are emailed.")


class CommentInputSerializer(KnownFieldsOnly, serializers.Serializer):
    question_id = serializers.CharField(max_length=40)
    body = _comment_body("At most 5,000 characters. Mention members as @username: they are emailed.")
    parent_id = id_field(required=False, allow_null=True, default=None, help_text="Reply to it.")


class SubmitInputSerializer(KnownFieldsOnly, serializers.Serializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="An owner's reason to submit although some areas are not approved (kept with who and when).",
    )


# --- rows ---------------------------------------------------------------------------------------------------------


def review_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """One row per area of the framework: its review, its owner (two queries)."""
    framework = services.framework_parse(assessment.framework)
    reviews = selectors.reviews_of(assessment=assessment)
    owners = {a.area_ref: a.assignee for a in selectors.assignments_of(assessment=assessment) if not a.question_ref}
    rows = []
    for area in framework.areas:
        review: AreaReview | None = reviews.get(area.id)
        state = review.status if review is not None else ReviewStatus.DRAFT
        owner = owners.get(area.id)
        rows.append(
            {
                "area": area.id,
                "area_name": area.name,
                "status": state,
                "status_label": ReviewStatus(state).label,
                "owner": owner.get_username() if owner else None,
                "requested_by": _name(review.requested_by if review else None),
                "requested_at": review.requested_at if review else None,
                "reviewed_by": _name(review.reviewed_by if review else None),
                "reviewed_at": review.reviewed_at if review else None,
                "note": review.note if review else "",
            }
        )
    return rows


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def assignments_response(assignments: list[AreaAssignment]) -> list[dict[str, Any]]:
    """Assignments as the API lists them, with each area's review status (one query for all of them)."""
    keys = {(a.assessment_id, a.area_ref) for a in assignments}
    reviews = {
        (r.assessment_id, r.area_ref): r
        for r in AreaReview.objects.filter(assessment_id__in={a for a, _ in keys}, area_ref__in={r for _, r in keys})
    }
    return AssignmentSerializer(assignments, many=True, context={"reviews": reviews}).data


# --- actions --------------------------------------------------------------------------------------------------------


class CollaborationActions:
    """Actions of the assessments' viewset: ``assigned-to-me``, ``assignments``, ``reviews``, ``comments``."""

    get_object: Any
    organization: Any

    @extend_schema(responses=AssignmentSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="assigned-to-me", **WHOLE_LIST)
    def assigned_to_me(self, request: Request) -> Response:
        """What you own (areas and questions) in the organization's assessments still in progress, soonest due
        first, with each area's review status."""
        assignments = list(selectors.assigned_to(user=request.user, organization=self.organization))
        return Response(assignments_response(assignments))

    @extend_schema(
        request=AssignmentInputSerializer,
        responses={200: AssignmentSerializer(many=True), 201: AssignmentSerializer},
    )
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def assignments(self, request: Request, pk: str | None = None) -> Response:
        """GET: the owners of the assessment's areas and questions. POST: make a member the owner of an area (or
        of one `question_id` of it), with an optional `due_date`; replaces its owner; the new owner is emailed."""
        assessment = self.get_object()
        if request.method == "GET":
            return Response(assignments_response(list(selectors.assignments_of(assessment=assessment))))
        payload = AssignmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assignment = services.assignment_set(
            assessment=assessment,
            area_ref=data["area"],
            question_ref=data["question_id"],
            assignee_id=data["assignee_id"],
            due_date=data["due_date"],
            user=request.user,
        )
        return Response(assignments_response([assignment])[0], status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"assignments/(?P<assignment_id>\d+)")
    def remove_assignment(self, request: Request, pk: str | None = None, assignment_id: str = "") -> Response:
        """The area (or question) has no owner any more."""
        assessment = self.get_object()
        assignment = get_object_or_404(selectors.assignments_of(assessment=assessment), pk=assignment_id)
        services.assignment_remove(assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=AreaReviewSerializer(many=True))
    @action(detail=True, methods=["get"], **WHOLE_LIST)
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        """Every area's sign-off (draft, in review, approved), its owner, who asked and who reviewed."""
        return Response(AreaReviewSerializer(review_rows(self.get_object()), many=True).data)

    @extend_schema(request=AreaReviewActionSerializer, responses=AreaReviewSerializer)
    @action(detail=True, methods=["post"], url_path=r"reviews/(?P<area_id>[A-Za-z0-9_.-]+)")
    def review_area(self, request: Request, pk: str | None = None, area_id: str = "") -> Response:
        """Move an area's sign-off: `request` a review, `approve` it (409 `reviewer_is_answerer` when you gave
        any of its answers; 409 `not_in_review`), or `reopen` it (back to draft, with a `note`)."""
        assessment = self.get_object()
        payload = AreaReviewActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["action"] == "request":
            services.area_review_request(assessment=assessment, area_ref=area_id, user=request.user)
        elif data["action"] == "approve":
            services.area_review_approve(assessment=assessment, area_ref=area_id, user=request.user)
        else:
            services.area_review_reopen(assessment=assessment, area_ref=area_id, user=request.user, note=data["note"])
        row = next(row for row in review_rows(assessment) if row["area"] == area_id)
        return Response(AreaReviewSerializer(row).data)

    @extend_schema(
        parameters=[OpenApiParameter("question_id", str, description="Only the comments on this question.")],
        request=CommentInputSerializer,
        responses={200: CommentSerializer(many=True), 201: CommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], **WHOLE_LIST)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        """GET: comments, oldest first (`parent_id` names the comment a reply answers). POST: comment on a
        question, or reply with `parent_id`; members mentioned as @username are emailed."""
        assessment = self.get_object()
        if request.method == "GET":
            question = request.query_params.get("question_id") or None
            comments = selectors.comments_of(assessment=assessment, question_ref=question)
            return Response(CommentSerializer(comments, many=True).data)
        payload = CommentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        comment = services.comment_add(
            assessment=assessment,
            question_ref=data["question_id"],
            body=data["body"],
            parent_id=data["parent_id"],
            user=request.user,
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CommentEditSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["patch"], url_path=r"comments/(?P<comment_id>\d+)")
    def edit_comment(self, request: Request, pk: str | None = None, comment_id: str = "") -> Response:
        """Change your comment's text (403 `permission_denied` for another member's); it is marked as edited and
        members it newly mentions are emailed."""
        assessment = self.get_object()
        comment = get_object_or_404(selectors.comments_of(assessment=assessment), pk=comment_id)
        payload = CommentEditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.comment_edit(comment=comment, body=payload.validated_data["body"], user=request.user)
        return Response(CommentSerializer(comment).data)
