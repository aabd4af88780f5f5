"""Collaboration on the pages (docs/collaboration.md): an area's owner and due date, its review (ask, approve,
send back), comments per question with replies and @mentions. Each form posts to a small view here that calls
the service the API calls too, then returns to the area page. A refused owner is shown at once on the area page
(these views are `AreaPage`s), beside its card with what was typed; the others say why at the top of the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst

from config.errors import DomainError, Invalid, add_to_form

from .. import forms, scoring, selectors, services
from ..models import Assessment
from .questionnaire import AreaPage, RefusedForm


class _AreaPost(AreaPage):
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
    date; or leave it without one. Refused, the area page is shown again with the form as it was filled in and
    its problems beside it (`RefusedForm`)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.AreaOwnerForm(request.POST)
        if form.is_valid():
            try:
                text = self.act_on(form, self.get_assessment(), self.get_area())
            except DomainError as error:
                add_to_form(form, error, aliases={"assignee_id": "assignee"})
            else:
                messages.success(request, text)
                return self.back("sign-off")
        refused = RefusedForm.of(form)
        return self.area_page(**{"question_owner_refused" if form.for_question else "owner_refused": refused})

    def act_on(self, form: forms.AreaOwnerForm, assessment: Assessment, area: scoring.Area) -> str:
        question_id = form.cleaned_data["question_id"]
        if question_id and question_id not in {q.id for q in area.questions()}:
            raise Invalid("Choose a question of this area.", field="question_id")
        what = f"question {question_id}" if question_id else f"“{area.name}”"
        if not form.cleaned_data["assignee"]:
            current = selectors.assignments_of(assessment=assessment).filter(area_ref=area.id, question_ref=question_id)
            for assignment in current:
                services.assignment_remove(assignment=assignment)
            return f"{capfirst(what)} has no owner now."
        assignment = services.assignment_set(
            assessment=assessment,
            area_ref=area.id,
            question_ref=question_id,
            assignee_id=form.assignee_id,
            due_date=form.cleaned_data["due_date"],
            user=self.request.user,
        )
        return f"{assignment.assignee.get_username()} owns {what}."


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
