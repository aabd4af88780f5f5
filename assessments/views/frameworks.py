"""Uploading an organization's own framework file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from accounts.models import Role
from accounts.scoping import OrganizationViewMixin
from config.errors import DomainError

from .. import forms, selectors, services


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
        except DomainError as error:
            return self.render_to_response(self.get_context_data(form=form, problems=error.messages))
        what = f"{framework.title} {framework.version} ({framework.question_count} questions)"
        if created:
            messages.success(self.request, f"Loaded {what}. You can start an assessment on it.")
        else:
            messages.info(self.request, f"{what} was already loaded.")
        return HttpResponseRedirect(f"{reverse('assessments:create')}?framework={framework.pk}")
