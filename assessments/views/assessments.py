"""Assessment pages: the list, starting an assessment, its overview and results, the review before submitting,
submitting and re-assessing.

Everything is scoped to the active organization (`AssessmentMixin`, `selectors.assessments_for`): another
organization's assessment is a 404. Viewers read; assessors and owners start, submit and re-assess. The rules are
the services' (`assessments.services`); a refusal shows as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.errors import DomainError, add_to_form

from .. import forms, scoring, selectors, services
from ..models import AssessmentStatus, Framework, ReviewStatus
from ..scoring import level_label
from .base import AssessmentMixin, progress_rows

PAGE_SIZE = 50


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
                    "pct": scoring.percent(assessment.answered_count / total) or 0 if total else 0,
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
            "organization": self.organization,
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
                **form.scope_choices(),
            )
        except DomainError as error:
            add_to_form(form, error)
            return self.form_invalid(form)
        prefilled = assessment.answers.count()
        text = f"Assessment “{assessment.title}” started."
        if prefilled:
            text += f" {prefilled} question{'s' if prefilled != 1 else ''} answered from the inventory."
        messages.success(self.request, text)
        first_area = services.framework_parse(assessment.framework).areas[0]
        return HttpResponseRedirect(reverse("assessments:area", args=[assessment.pk, first_area.id]))


# --- overview and results ----------------------------------------------------------------------------------------


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
        context["job"] = selectors.scoring_status(assessment=assessment)
        if assessment.status == AssessmentStatus.SCORING:
            context["status_url"] = reverse("api:assessments:assessment-scoring-status", args=[assessment.pk])
        context["retry_url"] = reverse("assessments:retry", args=[assessment.pk])
        if assessment.status == AssessmentStatus.SCORED:
            context["result"] = selectors.result_for(assessment=assessment)  # every number of the results section
            context["open_high_risk_items"] = selectors.open_high_risk_items(assessment=assessment)
        context["reassess_url"] = reverse("assessments:reassess", args=[assessment.pk])
        context["reassess_preview_url"] = reverse("assessments:reassess_preview", args=[assessment.pk])
        context["history_url"] = reverse("assessments:history", args=[assessment.pk])
        context["newer_versions"] = selectors.frameworks_newer_than(assessment=assessment)
        context["can_delete"] = (  # here a draft only; an owner deletes others through the API
            context["can_write"]
            and assessment.status == AssessmentStatus.DRAFT
            and services.assessment_deletable(
                assessment=assessment, user=self.request.user, owner=self.membership.role == Role.OWNER
            )
        )
        context["can_reassess"] = context["can_write"] and assessment.status in (
            AssessmentStatus.SCORED,
            AssessmentStatus.FAILED,
        )
        if assessment.previous_id:
            previous = selectors.assessments_for(organization=self.organization).filter(pk=assessment.previous_id)
            context["previous"] = previous.first()
        return context


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
        reviews = selectors.reviews_of(assessment=assessment)
        owners = {a.area_ref: a.assignee for a in selectors.assignments_of(assessment=assessment) if not a.question_ref}
        for row in rows:
            review = reviews.get(row["area"].id)
            row["review"] = review
            row["review_status"] = review.status if review else ReviewStatus.DRAFT
            row["review_label"] = ReviewStatus(row["review_status"]).label
            row["owner"] = owners.get(row["area"].id)
        not_approved = [row["area"].name for row in rows if row["review_status"] != ReviewStatus.APPROVED]
        context["not_approved"] = not_approved if assessment.sign_off_required else []
        context["is_owner"] = self.membership.has_role(Role.OWNER)
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
            services.assessment_submit(
                assessment=assessment, user=request.user, override_reason=request.POST.get("override_reason", "")
            )
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
            target = "assessments:detail" if assessment.is_frozen else "assessments:review"
            return HttpResponseRedirect(reverse(target, args=[assessment.pk]))
        messages.success(request, f"“{assessment.title}” submitted for scoring.")
        return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))


class ScoringRetryView(AssessmentMixin, View):
    """Score a failed assessment again (its scoring job failed: a lost worker, an error)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        try:
            services.assessment_scoring_retry(assessment=assessment)
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
        else:
            messages.success(request, f"“{assessment.title}” is being scored again.")
        return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))


class AssessmentDeleteView(AssessmentMixin, TemplateView):
    """Delete a draft (a stray re-assessment, say), after a confirmation: its creator or an owner
    (`services.assessment_delete`, which the API's DELETE calls too; an owner deletes others through the API)."""

    template_name = "assessments/assessment_confirm_delete.html"
    read_role = Role.ASSESSOR

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        if assessment.status != AssessmentStatus.DRAFT:
            messages.error(request, "Only a draft can be deleted here; a submitted assessment is kept.")
            return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))
        try:
            services.assessment_delete(assessment=assessment, user=request.user)
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
            return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))
        messages.success(request, f"Draft “{assessment.title}” deleted.")
        return HttpResponseRedirect(reverse("assessments:list"))


class ScopeEditView(AssessmentMixin, FormView):
    """Change a draft's scope: its notes and the sites, workloads and cloud capacity its evidence covers."""

    template_name = "assessments/scope_form.html"
    form_class = forms.AssessmentScopeForm
    read_role = Role.ASSESSOR

    def get_form_kwargs(self) -> dict[str, Any]:
        assessment = self.get_assessment()
        kwargs = {**super().get_form_kwargs(), "organization": self.organization}
        kwargs["initial"] = {
            "scope": assessment.scope,
            "sites": list(assessment.sites.all()),
            "workloads": list(assessment.workloads.all()),
            "cloud_capacity": list(assessment.cloud_capacity.all()),
        }
        return kwargs

    def form_valid(self, form: forms.AssessmentScopeForm) -> HttpResponse:
        assessment = self.get_assessment()
        try:
            services.assessment_update(
                assessment=assessment,
                changes={"scope": form.cleaned_data["scope"], **form.scope_choices()},
                user=self.request.user,
            )
        except DomainError as error:
            add_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Scope: {assessment.scope_label}.")
        return HttpResponseRedirect(reverse("assessments:detail", args=[assessment.pk]))


class ReassessView(AssessmentMixin, View):
    """Start a new assessment pre-filled from this one: on the same framework version, or on the posted
    ``framework_version`` (the preview page's choice)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        try:
            new = services.assessment_reassess(
                previous=assessment, user=request.user, framework_version=request.POST.get("framework_version") or None
            )
        except DomainError as error:
            messages.error(request, " ".join(item.message for item in error.errors))
            ongoing = next((item.current for item in error.errors if item.code == "reassessment_in_progress"), None)
            target = ongoing["id"] if ongoing else assessment.pk  # the re-assessment already in progress
            return HttpResponseRedirect(reverse("assessments:detail", args=[target]))
        owners = services.reassess_owners(previous=assessment, framework=new.framework)
        carried = sum(1 for owner in owners if owner.carried)
        text = f"“{new.title}” started from the answers of “{assessment.title}”."
        if carried:
            text += f" {carried} owner{'s' if carried != 1 else ''} of areas and questions carried over."
        messages.success(request, text)
        if left := owners_left(owners):
            messages.warning(request, left)
        return HttpResponseRedirect(reverse("assessments:detail", args=[new.pk]))


def owners_left(owners: list[services.OwnerCarried]) -> str:
    """What a re-assessment did not carry of its predecessor's owners, in words: due dates already past (set new
    ones), owners no longer members or of an area the new version does not have."""
    past = [owner for owner in owners if owner.carried and owner.due_date_past]
    left = [owner for owner in owners if not owner.carried]
    parts = []
    if past:
        said = "; ".join(
            f"{owner.place} ({owner.assignee.get_username()}, due {date_format(owner.due_date, 'j M Y')})"
            for owner in past
        )
        parts.append(f"Due dates already past were not carried over: {said}. Set new ones on their areas.")
    if left:
        said = "; ".join(f"{owner.place} ({owner.assignee.get_username()}: {owner.left_because})" for owner in left)
        parts.append(f"Owners not carried over: {said}.")
    return " ".join(parts)
