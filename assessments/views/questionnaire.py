"""One page per area to answer its questions.

Answers are saved one by one as they are given by `static/js/questionnaire.js` through the REST API
(`/api/v1/assessments/<id>/answers/`); without JavaScript an area page is a plain form: the form reads the posted
strings (`forms.read_posted_answer`) and `services.answers_apply` saves what changed, all or none, with every
answer rule the API applies too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.generic import TemplateView

from config.errors import Conflict, DomainError

from .. import forms, scoring, selectors, services
from ..models import Answer
from ..scoring import level_label
from .base import AssessmentMixin
from .collaboration import area_collaboration


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


class AreaView(AssessmentMixin, TemplateView):
    """One area: its sub-areas and their questions. GET shows them; POST (the page without JavaScript) saves the
    answers that changed, all or none, and shows the problems by question."""

    template_name = "assessments/area.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        framework = self.get_framework()
        area = self.get_area()
        posted: dict[str, forms.PostedAnswer] = kwargs.get("posted") or {}
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
        context["comment_url"] = reverse("assessments:area_comment", args=[assessment.pk, area.id])
        context["review_action_url"] = reverse("assessments:area_review", args=[assessment.pk, area.id])
        context["owner_url"] = reverse("assessments:area_owner", args=[assessment.pk, area.id])
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

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        area = self.get_area()
        questions = list(area.questions())
        posted = {q.id: forms.read_posted_answer(q, request.POST) for q in questions}
        errors = [error for item in posted.values() for error in item.errors or []]
        if not errors:
            items = [posted[q.id].as_input() for q in questions]
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
                        stale.version = problem.current["version"]
                    errors.append(problem.message)
            except DomainError as error:
                for problem in error.errors:
                    if problem.index is not None and problem.index < len(items):
                        posted[items[problem.index].question_id].errors.append(problem.message)
                    errors.append(problem.message)
        if errors:
            context = self.get_context_data(posted=posted)
            context["errors"] = errors
            return self.render_to_response(context)
        parts = []
        if applied.saved:
            parts.append(f"{applied.saved} answer{'s' if applied.saved != 1 else ''} saved")
        if applied.cleared:
            parts.append(f"{applied.cleared} answer{'s' if applied.cleared != 1 else ''} removed")
        messages.success(request, (", ".join(parts) + ".").capitalize() if parts else "Nothing changed.")
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
