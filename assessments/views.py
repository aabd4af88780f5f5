"""Assessment pages: the list, starting an assessment, its overview and results, one page per area to answer the
questions, the review before submitting, re-assessing, and uploading an organization's own framework file.

Everything is scoped to the active organization (`OrganizationViewMixin` and `selectors.assessments_for`):
another organization's assessment is a 404. Viewers read; assessors and owners answer, submit and re-assess.

Answers are saved one by one as they are given by `static/js/questionnaire.js` through the REST API
(`/api/v1/assessments/<id>/answers/`); without JavaScript an area page is a plain form whose POST saves the
answers that changed (`services.answers_save`), all or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from inventory.facts import shown

from . import forms, scoring, selectors, services
from .framework_files import FrameworkFileError
from .models import Answer, Assessment, AssessmentStatus, Framework, ScoreScope
from .scoring import level_label, percent

PAGE_SIZE = 50
FROZEN_MESSAGE = "This assessment has been submitted; its answers are frozen. Re-assess to change them."
_LEVEL_PREFIX = re.compile(r"^\s*(\d)\s*:\s*")
_POSITION = re.compile(r"^\[(\d+)\]\s*")


# --- shared ------------------------------------------------------------------------------------------------------


class AssessmentMixin(OrganizationViewMixin):
    """An assessment of the active organization, from the URL's `pk` (another organization's is a 404)."""

    _assessment: Assessment | None = None
    _framework: scoring.Framework | None = None

    def get_assessment(self) -> Assessment:
        if self._assessment is None:
            self._assessment = get_object_or_404(
                selectors.assessments_for(organization=self.organization), pk=self.kwargs["pk"]
            )
        return self._assessment

    def get_framework(self) -> scoring.Framework:
        if self._framework is None:
            self._framework = services.framework_parse(self.get_assessment().framework)
        return self._framework

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        context["assessment"] = assessment
        context["framework"] = self.get_framework()
        context["can_answer"] = context["can_write"] and not assessment.is_frozen
        context["detail_url"] = reverse("assessments:detail", args=[assessment.pk])
        context["review_url"] = reverse("assessments:review", args=[assessment.pk])
        return context

    def area_url(self, area_id: str, question_id: str | None = None) -> str:
        url = reverse("assessments:area", args=[self.get_assessment().pk, area_id])
        return f"{url}#q-{question_id}" if question_id else url


@dataclass(frozen=True)
class ProgressRow:
    area_id: str
    name: str
    answered: int
    total: int
    pct: int
    url: str


def progress_rows(view: AssessmentMixin, progress: selectors.Progress) -> list[ProgressRow]:
    return [
        ProgressRow(a.area_id, a.name, a.answered, a.total, a.pct, view.area_url(a.area_id)) for a in progress.areas
    ]


# --- list and create ---------------------------------------------------------------------------------------------


class AssessmentListView(OrganizationViewMixin, ListView):
    template_name = "assessments/assessment_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> Any:
        return selectors.assessments_for(organization=self.organization).annotate(answered_count=Count("answers"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = []
        for assessment in context["object_list"]:
            total = assessment.framework.question_count
            result = getattr(assessment, "result", None) if assessment.status == AssessmentStatus.SCORED else None
            rows.append(
                {
                    "assessment": assessment,
                    "url": reverse("assessments:detail", args=[assessment.pk]),
                    "answered": assessment.answered_count,
                    "total": total,
                    "pct": round(100 * assessment.answered_count / total) if total else 0,
                    "index": None if result is None else scoring.round_score(result.readiness_index),
                    "level": None if result is None or result.level is None else level_label(result.level),
                }
            )
        context["rows"] = rows
        context["create_url"] = reverse("assessments:create")
        context["upload_url"] = reverse("assessments:framework_upload")
        return context


class AssessmentCreateView(OrganizationViewMixin, FormView):
    """Start an assessment: title, scope, framework and a target level per area."""

    template_name = "assessments/assessment_form.html"
    form_class = forms.AssessmentCreateForm
    read_role = Role.ASSESSOR

    def frameworks(self) -> Any:
        return selectors.frameworks_for(organization=self.organization).order_by("slug", "-created")

    def targets_framework(self) -> Framework | None:
        """The framework whose areas the target levels are for: the one posted or asked for, else the default."""
        if not hasattr(self, "_targets_framework"):
            self._targets_framework = self._find_targets_framework()
        return self._targets_framework

    def _find_targets_framework(self) -> Framework | None:
        wanted = self.request.POST.get("framework") or self.request.GET.get("framework")
        if wanted and str(wanted).isdigit():
            chosen = self.frameworks().filter(pk=wanted).first()
            if chosen is not None:
                return chosen
        default = selectors.default_framework()
        return default or self.frameworks().first()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.targets_framework() is None:
            return self.render_to_response(self.get_context_data(form=None))
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.targets_framework() is None:
            return self.render_to_response(self.get_context_data(form=None))
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "frameworks": self.frameworks(),
            "targets_framework": self.targets_framework(),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["upload_url"] = reverse("assessments:framework_upload")
        context["list_url"] = reverse("assessments:list")
        return context

    def form_valid(self, form: forms.AssessmentCreateForm) -> HttpResponse:
        try:
            assessment = services.assessment_create(
                organization=self.organization,
                framework=form.cleaned_data["framework"],
                title=form.cleaned_data["title"],
                scope=form.cleaned_data["scope"],
                target_levels=form.target_levels(),
                user=self.request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        prefilled = assessment.answers.count()
        text = f"Assessment “{assessment.title}” started."
        if prefilled:
            text += f" {prefilled} question{'s' if prefilled != 1 else ''} answered from the inventory."
        messages.success(self.request, text)
        first_area = services.framework_parse(assessment.framework).areas[0]
        return HttpResponseRedirect(reverse("assessments:area", args=[assessment.pk, first_area.id]))


# --- overview and results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaResultRow:
    area_id: str
    name: str
    score: float | None
    level: str
    target: str
    gap: int | None
    answered_pct: int | None
    evidence_pct: int | None
    high_risks: int
    medium_risks: int
    url: str
    self_score: float | None = None
    evidence_score: float | None = None
    contradiction: bool = False
    evidence: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class RiskRow:
    question_id: str
    text: str
    area: str
    risk: str
    score: float | None
    recommendation: str
    url: str


def _evidence_facts(
    evidence: list[dict[str, Any]], facts: dict[str, Any], questions: dict[str, Any]
) -> list[dict[str, Any]]:
    """The facts behind an area's evidence score, as they were when it was scored."""
    rows = []
    for item in evidence:
        fact = facts.get(item["fact"], {})
        question = questions.get(item["question"])
        rows.append(
            {
                "question": item["question"],
                "text": question.text if question else item["question"],
                "fact": item["fact"],
                "value": shown(fact.get("value", item["value"])),
                "unit": fact.get("unit", ""),
                "explanation": fact.get("explanation", ""),
            }
        )
    return rows


def result_context(view: AssessmentMixin, result: Any) -> dict[str, Any]:
    """The stored result as the detail page shows it (the framework supplies names, questions and recommendations)."""
    framework = view.get_framework()
    areas = {area.id: area for area in framework.areas}
    questions = {question.id: question for question in framework.questions()}
    area_rows: list[AreaResultRow] = []
    risks: list[tuple[int, int, RiskRow]] = []
    answered = from_inventory = 0
    for score in result.scores.all():
        if score.scope == ScoreScope.AREA:
            confidence = score.details.get("confidence", {})
            answered += confidence.get("answered", 0)
            from_inventory += confidence.get("from_inventory", 0)
            area = areas.get(score.ref)
            area_rows.append(
                AreaResultRow(
                    area_id=score.ref,
                    name=area.name if area else score.ref,
                    score=scoring.round_score(score.score),
                    level=level_label(score.level),
                    target=level_label(score.target_level),
                    gap=score.details.get("gap"),
                    answered_pct=percent(confidence.get("answered_share")),
                    evidence_pct=percent(confidence.get("evidence_share")),
                    high_risks=score.details.get("high_risks", 0),
                    medium_risks=score.details.get("medium_risks", 0),
                    url=view.area_url(score.ref),
                    self_score=scoring.round_score(score.details.get("self_score")),
                    evidence_score=scoring.round_score(score.details.get("evidence_score")),
                    contradiction=bool(score.details.get("contradiction")),
                    evidence=tuple(_evidence_facts(score.details.get("evidence", []), result.facts, questions)),
                )
            )
        elif score.scope == ScoreScope.QUESTION and score.risk in ("high", "medium"):
            question = questions.get(score.ref)
            recommendation = question.recommendation if question else None
            area = areas.get(score.area_ref)
            row = RiskRow(
                question_id=score.ref,
                text=question.text if question else score.ref,
                area=area.name if area else score.area_ref,
                risk=score.risk,
                score=scoring.round_score(score.score),
                recommendation=recommendation.title if recommendation else "",
                url=view.area_url(score.area_ref, score.ref),
            )
            risks.append((0 if score.risk == "high" else 1, score.position, row))
    return {
        "result": result,
        "result_index": scoring.round_score(result.readiness_index),
        "result_level": level_label(result.level),
        "answered_pct": round(100 * result.answered / result.total) if result.total else None,
        "evidence_pct": round(100 * from_inventory / answered) if answered else None,
        "area_results": area_rows,
        "contradictions": [row for row in area_rows if row.contradiction],
        "answers_index": scoring.round_score(result.answers_index),
        "risk_rows": [row for _, _, row in sorted(risks, key=lambda item: item[:2])],
    }


class AssessmentDetailView(AssessmentMixin, TemplateView):
    template_name = "assessments/assessment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        progress = selectors.progress_of(assessment=assessment, framework=self.get_framework())
        context["progress"] = progress
        context["progress_rows"] = progress_rows(self, progress)
        context["first_area_url"] = self.area_url(self.get_framework().areas[0].id)
        context["targets"] = [
            {"name": area.name, "level": level_label(assessment.target_levels.get(area.id, area.default_target_level))}
            for area in self.get_framework().areas
        ]
        if assessment.status == AssessmentStatus.SCORING:
            context["status_url"] = reverse("api:assessments:assessment-scoring-status", args=[assessment.pk])
        if assessment.status == AssessmentStatus.SCORED:
            result = selectors.result_of(assessment=assessment)
            if result is not None:
                context.update(result_context(self, result))
        context["reassess_url"] = reverse("assessments:reassess", args=[assessment.pk])
        context["can_reassess"] = context["can_write"] and assessment.status in (
            AssessmentStatus.SCORED,
            AssessmentStatus.FAILED,
        )
        if assessment.previous_id:
            previous = selectors.assessments_for(organization=self.organization).filter(pk=assessment.previous_id)
            context["previous"] = previous.first()
        return context


# --- one area of questions ---------------------------------------------------------------------------------------


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
    if question.type == "maturity":
        items = []
        for position, text in enumerate(question.levels):
            match = _LEVEL_PREFIX.match(text)
            value = match.group(1) if match else str(position)
            items.append((value, f"Level {value}", text[match.end() :] if match else text))
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
    question: scoring.Question, answer: Answer | None, posted: forms.PostedAnswer | None = None
) -> QuestionView:
    if posted is not None:
        raw_value = "" if posted.not_applicable else posted.raw_value.strip()
        state = (raw_value, posted.not_applicable, posted.na_reason, posted.note, posted.evidence_url)
    else:
        state = forms.stored_state(question, answer)
    view = QuestionView(question, answer, *state, errors=list(posted.errors or []) if posted else [])
    view.choices = _choices(question, view.raw_value)
    return view


class AreaView(AssessmentMixin, TemplateView):
    """One area: its sub-areas and their questions. GET shows them; POST (the page without JavaScript) saves the
    answers that changed, all or none, and shows the problems by question."""

    template_name = "assessments/area.html"

    def get_area(self) -> scoring.Area:
        for area in self.get_framework().areas:
            if area.id == self.kwargs["area_id"]:
                return area
        raise Http404("No such area in this assessment's framework.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        framework = self.get_framework()
        area = self.get_area()
        posted: dict[str, forms.PostedAnswer] = kwargs.get("posted") or {}
        answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
        context["area"] = area
        context["subareas"] = [
            {
                "subarea": sub,
                "questions": [question_view(q, answers.get(q.id), posted.get(q.id)) for q in sub.questions],
            }
            for sub in area.subareas
        ]
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
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        area = self.get_area()
        if assessment.is_frozen:
            messages.error(request, FROZEN_MESSAGE)
            return HttpResponseRedirect(self.area_url(area.id))
        answers = {answer.question_id: answer for answer in selectors.answers_of(assessment=assessment)}
        posted = {q.id: forms.read_posted_answer(q, request.POST) for q in area.questions()}
        errors = [error for item in posted.values() for error in item.errors or []]
        saved = cleared = 0
        if not errors:
            items: list[services.AnswerInput] = []
            to_clear: list[str] = []
            for question in area.questions():
                item = posted[question.id]
                stored = answers.get(question.id)
                if forms.posted_state(item) == forms.stored_state(question, stored):
                    continue  # unchanged: keep who answered it, and an inventory answer stays one
                if not item.gives_answer:
                    to_clear.append(question.id)
                    continue
                items.append(
                    services.AnswerInput(
                        question_id=question.id,
                        value=None if item.not_applicable else item.value,
                        not_applicable=item.not_applicable,
                        na_reason=item.na_reason,
                        note=item.note,
                        evidence_url=item.evidence_url,
                    )
                )
            try:
                with transaction.atomic():
                    if items:
                        saved = len(services.answers_save(assessment=assessment, items=items, user=request.user))
                    for question_id in to_clear:
                        services.answer_clear(assessment=assessment, question_id=question_id)
                        cleared += 1
            except ValidationError as error:
                for message in error.messages:
                    match = _POSITION.match(message)
                    if match and int(match.group(1)) < len(items):
                        message = message[match.end() :]
                        posted[items[int(match.group(1))].question_id].errors.append(message)
                    errors.append(message)
        if errors:
            context = self.get_context_data(posted=posted)
            context["errors"] = errors
            return self.render_to_response(context)
        parts = []
        if saved:
            parts.append(f"{saved} answer{'s' if saved != 1 else ''} saved")
        if cleared:
            parts.append(f"{cleared} answer{'s' if cleared != 1 else ''} removed")
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


# --- review, submit, re-assess -----------------------------------------------------------------------------------


class ReviewView(AssessmentMixin, TemplateView):
    """What is left to answer, per area, before submitting."""

    template_name = "assessments/review.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        framework = self.get_framework()
        answered = set(assessment.answers.values_list("question_id", flat=True))
        rows = []
        for area in framework.areas:
            questions = list(area.questions())
            missing = [q for q in questions if q.id not in answered]
            rows.append(
                {
                    "area": area,
                    "url": self.area_url(area.id),
                    "answered": len(questions) - len(missing),
                    "total": len(questions),
                    "missing": [{"question": q, "url": self.area_url(area.id, q.id)} for q in missing],
                }
            )
        context["rows"] = rows
        context["answered"] = sum(row["answered"] for row in rows)
        context["total"] = sum(row["total"] for row in rows)
        context["unanswered"] = context["total"] - context["answered"]
        context["submit_url"] = reverse("assessments:submit", args=[assessment.pk])
        return context


class SubmitView(AssessmentMixin, View):
    """Freeze the answers and score them (in a worker, or in process when Celery is eager)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        try:
            services.assessment_submit(assessment=assessment, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            target = "assessments:detail" if assessment.is_frozen else "assessments:review"
            return HttpResponseRedirect(reverse(target, args=[assessment.pk]))
        messages.success(request, f"“{assessment.title}” submitted for scoring.")
        return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))


class ReassessView(AssessmentMixin, View):
    """Start a new assessment on the same framework version, pre-filled from this one."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        if not assessment.is_frozen:
            messages.error(request, "This assessment is still in progress: finish and submit it first.")
            return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))
        new = services.assessment_reassess(previous=assessment, user=request.user)
        messages.success(request, f"“{new.title}” started from the answers of “{assessment.title}”.")
        return HttpResponseRedirect(reverse("assessments:detail", args=[new.pk]))


# --- framework files ---------------------------------------------------------------------------------------------


class FrameworkUploadView(OrganizationViewMixin, FormView):
    """Load an organization's own framework file; a bad file is refused with every problem by its path."""

    template_name = "assessments/framework_upload.html"
    form_class = forms.FrameworkUploadForm
    read_role = Role.ASSESSOR
    write_role = Role.ASSESSOR

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["frameworks"] = selectors.frameworks_for(organization=self.organization).order_by("slug", "-created")
        context["list_url"] = reverse("assessments:list")
        return context

    def form_valid(self, form: forms.FrameworkUploadForm) -> HttpResponse:
        try:
            framework, created = services.framework_load(text=form.cleaned_data["text"], organization=self.organization)
        except FrameworkFileError as error:
            return self.render_to_response(self.get_context_data(form=form, problems=error.problems))
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(form=form, problems=error.messages))
        what = f"{framework.title} {framework.version} ({framework.question_count} questions)"
        if created:
            messages.success(self.request, f"Loaded {what}. You can start an assessment on it.")
        else:
            messages.info(self.request, f"{what} was already loaded.")
        return HttpResponseRedirect(f"{reverse('assessments:create')}?framework={framework.pk}")
