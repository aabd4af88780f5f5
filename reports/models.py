"""Exported reports: a PDF of one scored assessment, rendered by a Celery worker and kept per organization.

A report is never changed once ready: regenerating makes a new one (the list keeps who asked and when). The file
lives in the default storage under a random name and is served only through the scoped download views.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.text import slugify

from accounts.models import OrganizationOwned
from assessments.models import Assessment


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering…"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class PageSize(models.TextChoices):
    A4 = "A4", "A4"
    LETTER = "Letter", "Letter"


def report_upload_to(instance: Report, filename: str) -> str:
    """A random name per file: the storage path reveals nothing and cannot be guessed."""
    return f"reports/{instance.organization_id}/{uuid.uuid4().hex}.pdf"


class Report(OrganizationOwned):
    """One PDF report of an assessment: queued, rendered by `reports.tasks.render_report_task`, then downloaded."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    page_size = models.CharField(max_length=8, choices=PageSize.choices, default=PageSize.A4)
    file = models.FileField(upload_to=report_upload_to, blank=True, max_length=200)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The rendering job (config.jobs): the id of the message that renders it, when it was queued (the reaper's
    # deadline counts from this, then from `started`), how often the reaper queued it again.
    task_id = models.CharField(max_length=64, blank=True)
    queued = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    charts_exported = models.BooleanField(
        default=False, help_text="Whether every chart was drawn (else tables stand in for the missing ones)."
    )

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["organization", "-created"])]

    def __str__(self) -> str:
        return f"Report {self.pk} of {self.assessment_id} ({self.get_status_display()})"

    @property
    def is_ready(self) -> bool:
        return self.status == ReportStatus.READY and bool(self.file)

    @property
    def is_pending(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RENDERING)

    @property
    def filename(self) -> str:
        """The name the download is offered under: organization, assessment, date, paper size."""
        title = slugify(self.assessment.title)[:60] or "assessment"
        when = self.created.strftime("%Y%m%d-%H%M") if self.created else "new"
        return f"infraready-{slugify(self.organization.slug)}-{title}-{when}-{self.page_size.lower()}.pdf"


@receiver(post_delete, sender=Report, dispatch_uid="reports-delete-file")
def _delete_file(sender: type[Report], instance: Report, **kwargs: object) -> None:
    """A deleted report (or one deleted with its assessment) takes its file with it, once the deletion commits."""
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
