"""Collaboration on the pages (docs/collaboration.md): an area's owner and due date, its review (ask, approve,
send back), comments per question with replies and @mentions. Each form posts to a small view here that calls
the service the API calls too, then returns to the area page. These views are `AreaPage`s: a refused form is shown
at once on the area page, beside the card that posted it, with what was typed (`RefusedForm`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.text import capfirst

from config.errors import DomainError, Forbidden, Invalid, add_to_form

from .. import forms, scoring, selectors, services
from ..models import Assessment
from .questionnaire import AreaPage, RefusedForm


class _AreaPost(AreaPage):
    """POST only; the area of the URL; back to its page, at ``anchor``, with what happened as a message."""

    http_method_names = ["post"]

    def back(self, request: HttpRequest, text: str, anchor: str = "") -> HttpResponse:
        messages.success(request, text)
        return HttpResponseRedirect(self.area_url(self.get_area().id) + (f"#{anchor}" if anchor else ""))


REVIEW_REFUSED = {
    "request": "The area was not sent for review.",
    "approve": "The area was not approved.",
    "reopen": "The area was not sent back to draft.",
}


class AreaReviewView(_AreaPost):
    """Ask for the area's review, approve it, or send it back to draft with a note. Refused (the area's state
    changed meanwhile, you gave its answers, a note too long), the area page is shown again with the reason beside
    the sign-off card and the note as it was typed."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.AreaReviewForm(request.POST)
        if not form.is_valid() and "action" in form.errors:
            raise Http404("Unknown review action.")
        if form.is_valid():
            try:
                text = self.act_on(form, self.get_assessment(), self.get_area())
            except DomainError as error:
                add_to_form(form, error)
            else:
                return self.back(request, text, "sign-off")
        lead = REVIEW_REFUSED[str(form.data.get("action"))]
        return self.area_page(review_refused=RefusedForm.of(form, labelled=True), review_refused_lead=lead)

    def act_on(self, form: forms.AreaReviewForm, assessment: Assessment, area: scoring.Area) -> str:
        action, user = form.cleaned_data["action"], self.request.user
        if action == "request":
            services.area_review_request(assessment=assessment, area_ref=area.id, user=user)
            return f"“{area.name}” is ready for review."
        if action == "approve":
            services.area_review_approve(assessment=assessment, area_ref=area.id, user=user)
            return f"“{area.name}” approved."
        note = form.cleaned_data["note"]
        services.area_review_reopen(assessment=assessment, area_ref=area.id, user=user, note=note)
        return f"“{area.name}” is a draft again."


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
                return self.back(request, text, "sign-off")
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
    """Comment on a question of the area, or reply to a comment. Refused, the area page is shown again with the
    text as it was typed in the box that posted it (the question's, or the thread's reply box) and the reason
    beside it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.CommentForm(request.POST)
        if form.question_id not in {q.id for q in self.get_area().questions()}:
            raise Http404("No such question in this area.")
        if form.is_valid():
            try:
                services.comment_add(
                    assessment=self.get_assessment(),
                    question_ref=form.question_id,
                    body=form.cleaned_data["body"],
                    parent_id=form.reply_to,
                    user=request.user,
                )
            except DomainError as error:
                if any(item.field == "parent_id" for item in error.errors):
                    form.reply_to = None  # no such thread on the page: said at the question's own box
                _refuse(form, error)
            else:
                return self.back(request, "Comment added.", f"comments-{form.question_id}")
        return self.area_page(comment_refused=RefusedForm.of(form, labelled=True))


class CommentEditView(_AreaPost):
    """Change the text of one of your comments on the area's questions. Refused, the area page is shown again with
    the comment's edit box open, the text as it was typed and the reason beside it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        comment = get_object_or_404(
            selectors.comments_of(assessment=self.get_assessment()).filter(area_ref=self.get_area().id),
            pk=self.kwargs["comment_id"],
        )
        form = forms.CommentForm(request.POST, comment=comment)
        if form.is_valid():
            try:
                services.comment_edit(comment=comment, body=form.cleaned_data["body"], user=request.user)
            except DomainError as error:
                _refuse(form, error)
            else:
                return self.back(request, "Comment changed.", f"comment-{comment.pk}")
        return self.area_page(comment_refused=RefusedForm.of(form, labelled=True))


def _refuse(form: forms.CommentForm, error: DomainError) -> None:
    """A comment's problems on its form: on its text, unless the text is not to blame (not your comment, not a
    comment of that question to reply to): then beside the box, no field marked."""
    for item in error.errors:
        on_text = item.field == "body" and not isinstance(error, Forbidden)
        form.add_error("body" if on_text else None, item.message)
