"""One page per area to answer its questions.

Answers are saved one by one as they are given by `static/js/questionnaire.js` through the REST API
(`/api/v1/assessments/<id>/answers/`); without JavaScript an area page is a plain form: the form reads the posted
strings (`forms.read_posted_answer`) and `services.answers_apply` saves what changed, all or none, with every
answer rule the API applies too. A question someone else saved meanwhile shows both answers and "Keep theirs", a
plain button: the page's other answers are saved, that question is left as it is stored ("Save answers" overwrites
theirs instead).

The page has other forms (an owner, its review, comments, evidence: `collaboration`, `lifecycle`); each posts to a
view of its own, which is an `AreaPage` too: a refused form shows the page again at once, the form bound to what
was typed and its problems beside the card that posted it (`RefusedForm`), not at the top of a page that jumped
elsewhere; one that succeeds goes back to the page (a redirect, its message at the top, the page at its card).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.generic import TemplateView

from accounts.selectors import users_of_organization
from config.errors import Conflict, DomainError

from .. import forms, scoring, selectors, services
from ..models import Answer, AnswerSource, AreaAssignment, AreaReview, Assessment, ReviewStatus
from ..scoring import level_label
from .base import AssessmentMixin


@dataclass
class Choice:
    value: str
    label: str
    description: str
    checked: bool
    dom_id: str


@dataclass
class QuestionView:
    """One question as the area page shows it: the stored answer, or what was just posted when it had errors."""

    question: scoring.Question
    answer: Answer | None
    raw_value: str
    not_applicable: bool
    na_reason: str
    note: str
    evidence_url: str
    errors: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    version: int = 0
    threads: list[Any] = field(default_factory=list)
    owner: Any = None
    unit: str = ""  # a numeric question's unit as people read it ("€/month" in the reporting currency, "%")
    theirs: Mapping[str, Any] | None = None
    """Someone else's answer, saved since the page was opened (a ``stale_answer``'s ``current``): the question
    offers "Keep theirs"."""
    made_from: int | None = None
    """With ``theirs``: the version the posted answer was made from, posted again so that keeping theirs on
    another question leaves this conflict open (`AreaView.post`)."""
    comment_refused: RefusedForm | None = None
    """A refused comment on this question (a new one, a reply or an edit, `forms.CommentForm.place`), shown again
    in the box that posted it."""

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def dom_id(self) -> str:
        return f"q-{self.question.id}"

    @property
    def answered_when(self) -> str:
        """“just now”, or “3 minutes ago”."""
        if self.answer is None:
            return ""
        if timezone.now() - self.answer.updated < timedelta(minutes=1):
            return "just now"
        return f"{timesince(self.answer.updated)} ago"

    @property
    def from_inventory(self) -> bool:
        return self.answer is not None and self.answer.source == "inventory"

    @property
    def names(self) -> dict[str, str]:
        return {part: forms.field_name(self.question.id, part) for part in forms.ANSWER_PARTS}

    @property
    def numeric(self) -> scoring.NumericSpec | None:
        return self.question.numeric


def _choices(question: scoring.Question, raw_value: str) -> list[Choice]:
    prefix = f"q-{question.id}-value"
    if question.type == "maturity":  # worded as a conflict, a report or an export words the answer
        items = [
            (str(level.value), level.label, level.description) for level in selectors.maturity_levels(question=question)
        ]
    elif question.type == "yes_no":
        items = [(forms.YES, "Yes", ""), (forms.NO, "No", "")]
    elif question.type == "choice":
        items = [(option.id, option.label or option.id, "") for option in question.options]
    else:
        return []
    return [
        Choice(value, label, description, value == raw_value, f"{prefix}-{index}")
        for index, (value, label, description) in enumerate(items)
    ]


def question_view(
    question: scoring.Question, answer: Answer | None, posted: forms.PostedAnswer | None = None, currency: str = ""
) -> QuestionView:
    if posted is not None:
        raw_value = "" if posted.not_applicable else posted.raw_value.strip()
        state = (raw_value, posted.not_applicable, posted.na_reason, posted.note, posted.evidence_url)
    else:
        state = forms.stored_state(question, answer)
    view = QuestionView(question, answer, *state, errors=list(posted.errors or []) if posted else [])
    view.choices = _choices(question, view.raw_value)
    if posted is not None and posted.version is not None:
        view.version = posted.version  # shown again: the version its posted values were made from
    else:
        view.version = answer.version if answer is not None else 0
    view.unit = selectors.question_unit_shown(question=question, currency=currency)
    return view


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


@dataclass(frozen=True)
class RefusedForm:
    """A form of the area page that was refused, shown again beside the card that posted it: the bound form (what
    was typed), its problems in words and the fields to mark. The first of those takes the focus when the page
    opens (the problems do when no field is to blame), so that the page opens on it and a screen reader reads the
    field with its problem (``aria-describedby``); the problems are an alert besides."""

    form: django_forms.Form
    problems: list[str]
    invalid: list[str]

    @classmethod
    def of(cls, form: django_forms.Form, *, labelled: bool = False) -> RefusedForm:
        """``labelled``: each problem of a field starts with the field's label ("Expires: …")."""
        problems = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if labelled and name in form.fields else None
            problems.extend(f"{label}: {error}" if label else error for error in errors)
        return cls(form, problems, [name for name in form.fields if name in form.errors])

    @property
    def focus(self) -> str:
        return self.invalid[0] if self.invalid else ""


class AreaPage(AssessmentMixin, TemplateView):
    """The page of one area: its sub-areas and their questions, its owner and sign-off, comments, evidence.

    `AreaView` shows it; every other form of the page posts to a view that is an `AreaPage` too, which shows it
    again with that form refused (`area_page`). Context it takes: ``posted`` (the answers as posted, with their
    problems), ``conflicts`` (question id -> (their answer, the version the posted one was made from)), and a
    `RefusedForm` as ``owner_refused``, ``question_owner_refused``, ``review_refused`` (with
    ``review_refused_lead``, what did not happen), ``comment_refused`` (on its question, `QuestionView`) or
    ``evidence_refused``."""

    template_name = "assessments/area.html"

    def area_page(self, **context: Any) -> HttpResponse:
        """The page shown again, with ``context`` (what a refused form said)."""
        return self.render_to_response(self.get_context_data(**context))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        framework = self.get_framework()
        area = self.get_area()
        posted: dict[str, forms.PostedAnswer] = kwargs.get("posted") or {}
        conflicts: dict[str, tuple[Mapping[str, Any], int | None]] = kwargs.get("conflicts") or {}
        comment_refused: RefusedForm | None = kwargs.get("comment_refused")
        answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
        collaboration = area_collaboration(
            assessment=assessment, area=area, user=self.request.user, organization=self.organization
        )
        context.update(collaboration)
        context["area"] = area
        context["subareas"] = [
            {
                "subarea": sub,
                "questions": [
                    question_view(q, answers.get(q.id), posted.get(q.id), self.organization.reporting_currency)
                    for q in sub.questions
                ],
            }
            for sub in area.subareas
        ]
        for block in context["subareas"]:
            for view in block["questions"]:
                view.threads = collaboration["threads"].get(view.id, [])
                view.owner = collaboration["question_owners"].get(view.id)
                view.theirs, view.made_from = conflicts.get(view.id, (None, None))
                if comment_refused is not None and comment_refused.form.question_id == view.id:
                    view.comment_refused = comment_refused
        context["area_url"] = self.area_url(area.id)
        context["comment_url"] = reverse("assessments:area_comment", args=[assessment.pk, area.id])
        context["review_action_url"] = reverse("assessments:area_review", args=[assessment.pk, area.id])
        context["owner_url"] = reverse("assessments:area_owner", args=[assessment.pk, area.id])
        context["evidence_add_url"] = reverse("assessments:area_evidence", args=[assessment.pk, area.id])
        areas = list(framework.areas)
        position = areas.index(area)
        context["area_number"] = position + 1
        context["area_count"] = len(areas)
        context["previous_area"] = areas[position - 1] if position > 0 else None
        context["next_area"] = areas[position + 1] if position + 1 < len(areas) else None
        context["previous_url"] = self.area_url(areas[position - 1].id) if position > 0 else None
        context["next_url"] = self.area_url(areas[position + 1].id) if position + 1 < len(areas) else None
        progress = selectors.progress_of(assessment=assessment, framework=framework)
        context["progress"] = progress
        context["area_progress"] = progress.areas[position]
        context["answers_api_url"] = reverse("api:assessments:assessment-answers", args=[assessment.pk])
        context["read_only"] = not context["can_answer"]
        context["target"] = level_label(assessment.target_levels.get(area.id, area.default_target_level))
        area_questions = [q.id for q in area.questions()]
        context["evidence"] = selectors.evidence_of(assessment=assessment).filter(question_id__in=area_questions)
        context["today"] = timezone.localdate()
        context["evidence_max_mb"] = services.EVIDENCE_MAX_BYTES // (1024 * 1024)
        return context


class AreaView(AreaPage):
    """One area: GET shows it; POST (the page without JavaScript) saves the answers that changed, all or none, and
    shows the problems by question. "Keep theirs" (``keep_theirs``: a question someone else saved meanwhile)
    saves the page without that question, whose stored answer stays as it is."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        area = self.get_area()
        questions = list(area.questions())
        kept = set(request.POST.getlist("keep_theirs")) & {q.id for q in questions}
        posted = {q.id: forms.read_posted_answer(q, request.POST) for q in questions if q.id not in kept}
        if kept:  # keeping theirs on one question decides nothing about the others still in conflict
            for question_id, item in posted.items():
                made_from = str(request.POST.get(forms.field_name(question_id, "made_from"), ""))
                if made_from.isdigit():
                    item.version = int(made_from)
        errors = [error for item in posted.values() for error in item.errors or []]
        conflicts: dict[str, tuple[Mapping[str, Any], int | None]] = {}
        if not errors:
            items = [item.as_input() for item in posted.values()]
            try:
                applied = services.answers_apply(assessment=assessment, items=items, user=request.user)
            except Conflict as error:
                if not all(item.code == "stale_answer" for item in error.errors):  # submitted meanwhile
                    messages.error(request, " ".join(item.message for item in error.errors))
                    return HttpResponseRedirect(self.area_url(area.id))
                for problem in error.errors:  # someone else saved these since the page was opened: both shown
                    stale = posted[items[problem.index].question_id]
                    stale.errors.append(problem.message)
                    if problem.current is not None:  # saving again overwrites theirs, as the message says
                        conflicts[stale.question.id] = (problem.current, stale.version)
                        stale.version = problem.current["version"]
                    errors.append(problem.message)
            except DomainError as error:
                for problem in error.errors:
                    if problem.index is not None and problem.index < len(items):
                        posted[items[problem.index].question_id].errors.append(problem.message)
                    errors.append(problem.message)
        if errors:
            return self.area_page(posted=posted, errors=errors, conflicts=conflicts)
        parts = [_kept(assessment, sorted(kept))] if kept else []
        counts = []
        if applied.saved:
            counts.append(f"{applied.saved} answer{'s' if applied.saved != 1 else ''} saved")
        if applied.cleared:
            counts.append(f"{applied.cleared} answer{'s' if applied.cleared != 1 else ''} removed")
        if counts:
            parts.append((", ".join(counts) + ".").capitalize())
        messages.success(request, " ".join(parts) or "Nothing changed.")
        if request.POST.get("go") == "next":
            next_area = self._area_after(area)
            return HttpResponseRedirect(self.area_url(next_area.id) if next_area else self.review_url())
        return HttpResponseRedirect(self.area_url(area.id))

    def _area_after(self, area: scoring.Area) -> scoring.Area | None:
        areas = list(self.get_framework().areas)
        position = areas.index(area)
        return areas[position + 1] if position + 1 < len(areas) else None

    def review_url(self) -> str:
        return reverse("assessments:review", args=[self.get_assessment().pk])


def _kept(assessment: Assessment, question_ids: list[str]) -> str:
    """“Kept arjun's answer to HW-PP-03.”: whose answer each kept question has now."""
    answers = selectors.answers_of(assessment=assessment).filter(question_id__in=question_ids)
    stored = {answer.question_id: answer for answer in answers}
    said = []
    for question_id in question_ids:
        answer = stored.get(question_id)
        if answer is None:
            said.append(f"Left {question_id} unanswered, as it now is.")
            continue
        if answer.source == AnswerSource.INVENTORY:
            whose = "the inventory's"
        else:
            whose = f"{answer.answered_by.get_username()}'s" if answer.answered_by else "a former member's"
        said.append(f"Kept {whose} answer to {question_id}.")
    return " ".join(said)
