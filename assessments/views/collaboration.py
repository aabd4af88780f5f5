"""Collaboration on the pages (docs/collaboration.md): an area's owner and due date, its review (ask, approve,
send back), comments per question with replies and @mentions. Each form posts to a small view here that calls
the service the API calls too, then returns to the area page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from django.utils.text import capfirst
from django.views import View

from accounts.selectors import users_of_organization
from config.errors import DomainError, Invalid

from .. import scoring, selectors, services
from ..models import AreaAssignment, AreaReview, Assessment, ReviewStatus
from .base import AssessmentMixin


@dataclass(frozen=True)
class AreaSignOff:
    """An area's owner and review as its page shows them."""

    owner: AreaAssignment | None
    review: AreaReview | None
    answerers: set[int]

    @property
    def status(self) -> str:
        return self.review.status if self.review is not None else ReviewStatus.DRAFT

    @property
    def status_label(self) -> str:
        return ReviewStatus(self.status).label

    @property
    def badge(self) -> str:
        return {"draft": "text-bg-secondary", "in_review": "text-bg-warning", "approved": "text-bg-success"}[
            self.status
        ]


def area_collaboration(*, assessment: Assessment, area: scoring.Area, user: Any, organization: Any) -> dict[str, Any]:
    """Context of an area page: the sign-off, the members (to pick an owner), comments and owners by question."""
    assignments = list(selectors.assignments_of(assessment=assessment).filter(area_ref=area.id))
    review = selectors.reviews_of(assessment=assessment).get(area.id)
    sign_off = AreaSignOff(
        owner=next((a for a in assignments if not a.question_ref), None),
        review=review,
        answerers=services.area_answerers(assessment=assessment, area=area),
    )
    questions = [q.id for q in area.questions()]
    comments = selectors.comments_of(assessment=assessment).filter(question_ref__in=questions)
    return {
        "sign_off": sign_off,
        "can_approve": sign_off.status == ReviewStatus.IN_REVIEW and user.pk not in sign_off.answerers,
        "you_answered": user.pk in sign_off.answerers,
        "members": list(users_of_organization(organization=organization)),
        "threads": selectors.threads_by_question(comments),
        "question_owners": {a.question_ref: a for a in assignments if a.question_ref},
    }


class _AreaPost(AssessmentMixin, View):
    """POST only; the area of the URL; back to its page with what happened as a message."""

    http_method_names = ["post"]
    anchor = ""

    def back(self, anchor: str = "") -> HttpResponse:
        return HttpResponseRedirect(self.area_url(self.get_area().id) + (f"#{anchor}" if anchor else ""))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            text, anchor = self.act(request, self.get_assessment(), self.get_area())
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
            return self.back(self.anchor)
        messages.success(request, text)
        return self.back(anchor)

    def act(self, request: HttpRequest, assessment: Assessment, area: scoring.Area) -> tuple[str, str]:
        raise NotImplementedError


class AreaReviewView(_AreaPost):
    """Ask for the area's review, approve it, or send it back to draft."""

    anchor = "sign-off"

    def act(self, request: HttpRequest, assessment: Assessment, area: scoring.Area) -> tuple[str, str]:
        action = request.POST.get("action")
        if action == "request":
            services.area_review_request(assessment=assessment, area_ref=area.id, user=request.user)
            return f"“{area.name}” is ready for review.", "sign-off"
        if action == "approve":
            services.area_review_approve(assessment=assessment, area_ref=area.id, user=request.user)
            return f"“{area.name}” approved.", "sign-off"
        if action == "reopen":
            note = request.POST.get("note", "")
            services.area_review_reopen(assessment=assessment, area_ref=area.id, user=request.user, note=note)
            return f"“{area.name}” is a draft again.", "sign-off"
        raise Http404("Unknown review action.")


class AreaOwnerView(_AreaPost):
    """Make a member the owner of the area, or of one of its questions (``question_id``), with an optional due
    date; or leave it without one."""

    anchor = "sign-off"

    def act(self, request: HttpRequest, assessment: Assessment, area: scoring.Area) -> tuple[str, str]:
        question_id = request.POST.get("question_id", "")
        if question_id and question_id not in {q.id for q in area.questions()}:
            raise Invalid("Choose a question of this area.", field="question_id")
        what = f"question {question_id}" if question_id else f"“{area.name}”"
        assignee = request.POST.get("assignee", "")
        if not assignee:
            current = selectors.assignments_of(assessment=assessment).filter(area_ref=area.id, question_ref=question_id)
            for assignment in current:
                services.assignment_remove(assignment=assignment)
            return f"{capfirst(what)} has no owner now.", "sign-off"
        raw_due = request.POST.get("due_date", "").strip()
        try:
            due_date = parse_date(raw_due) if raw_due else None
        except ValueError:  # well formed, but no such day (2030-02-30)
            due_date = None
        if raw_due and due_date is None:
            raise Invalid("Enter the due date as a date.", field="due_date")
        assignment = services.assignment_set(
            assessment=assessment,
            area_ref=area.id,
            question_ref=question_id,
            assignee_id=int(assignee) if assignee.isdigit() else None,
            due_date=due_date,
            user=request.user,
        )
        return f"{assignment.assignee.get_username()} owns {what}.", "sign-off"


class CommentView(_AreaPost):
    """Comment on a question of the area, or reply to a comment."""

    def act(self, request: HttpRequest, assessment: Assessment, area: scoring.Area) -> tuple[str, str]:
        question_id = request.POST.get("question_id", "")
        if question_id not in {q.id for q in area.questions()}:
            raise Http404("No such question in this area.")
        self.anchor = f"comments-{question_id}"
        parent = request.POST.get("parent_id", "")
        services.comment_add(
            assessment=assessment,
            question_ref=question_id,
            body=request.POST.get("body", ""),
            parent_id=int(parent) if parent.isdigit() else None,
            user=request.user,
        )
        return "Comment added.", f"comments-{question_id}"


class CommentEditView(_AreaPost):
    """Change the text of one of your comments on the area's questions."""

    def act(self, request: HttpRequest, assessment: Assessment, area: scoring.Area) -> tuple[str, str]:
        comment = get_object_or_404(
            selectors.comments_of(assessment=assessment).filter(area_ref=area.id), pk=self.kwargs["comment_id"]
        )
        self.anchor = f"comments-{comment.question_ref}"
        services.comment_edit(comment=comment, body=request.POST.get("body", ""), user=request.user)
        return "Comment changed.", f"comment-{comment.pk}"
