"""An assessment over time: the history of its answers, re-assessing onto another framework version (the preview
of what changes), and the evidence behind its answers (adding, removing, downloading files: members only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from config.errors import DomainError, Invalid, add_to_form
from config.history import history_csv

from .. import forms, selectors, services
from ..downloads import evidence_download
from .base import AssessmentMixin
from .questionnaire import AreaPage, RefusedForm


class AnswerHistoryView(AssessmentMixin, TemplateView):
    """Every change of the assessment's answers (``?question=`` one question's; ``?export=csv`` as CSV)."""

    template_name = "assessments/history.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        question = request.GET.get("question") or None
        self.entries = selectors.answer_history(assessment=assessment, question_id=question)
        if request.GET.get("export") == "csv":
            response = HttpResponse(history_csv(self.entries), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.pk}-history.csv"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entries"] = self.entries
        context["question"] = self.request.GET.get("question", "")
        return context


class ReassessPreviewView(AssessmentMixin, TemplateView):
    """Before re-assessing: the versions to choose from and what moving onto one changes (new, reworded, split,
    merged and removed questions, and which answers carry over). The form posts to the re-assess view."""

    template_name = "assessments/reassess_preview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.get_assessment()
        newer = selectors.frameworks_newer_than(assessment=assessment)  # newest first
        versions = [assessment.framework, *newer]
        # Unless one is chosen, the newest version published after the assessment's own, else its own (an older
        # one is never offered: re-assessing onto it drops the questions added since).
        chosen = self.request.GET.get("framework_version") or (newer[0] if newer else assessment.framework).version
        context["versions"] = versions
        context["chosen"] = chosen
        try:
            target = services.reassess_target(previous=assessment, framework_version=chosen)
            plan = services.reassess_plan(previous=assessment, framework=target)
        except DomainError as error:
            context["error"] = " ".join(error.messages)
            return context
        if target not in versions:  # an older version, named in the address: shown as what it is, never offered
            context["older"] = target
        answered = set(assessment.answers.values_list("question_id", flat=True))
        context["plan"] = plan
        context["target"] = target
        context["groups"] = [
            (title, [(c, any(i in answered for i in c.old_ids)) for c in plan.of_kind(*kinds)])
            for title, kinds in (
                ("New questions", ("new",)),
                ("Reworded or changed", ("reworded", "renamed")),
                ("Split into several questions", ("split",)),
                ("Merged into one question", ("merged",)),
                ("Dropped", ("removed",)),
            )
        ]
        context["unchanged"] = len(plan.of_kind("unchanged"))
        context["reassess_url"] = reverse("assessments:reassess", args=[assessment.pk])
        return context


class EvidenceAddView(AreaPage):
    """Add a link or a file to the answer of one of the area's questions (the area page's evidence form). Refused,
    the area page is shown again with the form as it was filled in (a file is chosen again: no browser keeps it)
    and each problem named by its field's label beside the evidence card (`RefusedForm`)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        area = self.get_area()
        form = forms.EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            question_id = form.cleaned_data["question_id"]
            try:
                if question_id not in {q.id for q in area.questions()}:
                    raise Invalid("Choose a question of this area.", field="question_id")
                services.evidence_add(assessment=self.get_assessment(), item=form.as_input(), user=request.user)
            except DomainError as error:
                add_to_form(form, error)
            else:
                messages.success(request, f"Evidence added to {question_id}.")
                return HttpResponseRedirect(self.area_url(area.id) + "#evidence")
        return self.area_page(evidence_refused=RefusedForm.of(form, labelled=True))


class EvidenceRemoveView(AssessmentMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        evidence = get_object_or_404(selectors.evidence_of(assessment=assessment), pk=kwargs["evidence_id"])
        try:
            services.evidence_remove(evidence=evidence)
        except DomainError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{evidence.title}” removed.")
        back = request.POST.get("next") or reverse("assessments:detail", args=[assessment.pk])
        return HttpResponseRedirect(back if back.startswith("/") else "/")


class EvidenceFileView(AssessmentMixin, View):
    """Download an evidence file: members of the assessment's organization only (another's is a 404)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assessment = self.get_assessment()
        evidence = get_object_or_404(
            selectors.evidence_of(assessment=assessment).exclude(file=""), pk=kwargs["evidence_id"]
        )
        return evidence_download(evidence)
