"""Import jobs: a file's rows checked, previewed, then written all or nothing."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from accounts.models import OrganizationOwned


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", "Validating"
    INVALID = "invalid", "Invalid: nothing written"
    READY = "ready", "Valid: waiting for confirmation"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed: nothing written"


class ImportJob(OrganizationOwned):
    """A bulk import: the uploaded file, its validation problems, and its progress once confirmed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    encoding = models.CharField(
        max_length=16,
        blank=True,
        help_text="The codec the file's text is read as, found at upload (utf-8-sig, utf-16, cp1252); empty for a "
        "workbook, or a job from before it was recorded (then the file's first bytes say).",
    )
    kind = models.CharField(max_length=16, help_text="What the rows are: sites, servers, storage, networks, workloads.")
    payload = models.FileField(upload_to="imports/%Y/%m/")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.VALIDATING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="The first problems: [{code, message, row, column}] (config.errors)."
    )
    error_count = models.PositiveIntegerField(default=0, help_text="How many problems there are in all.")
    preview = models.JSONField(default=list, blank=True, help_text="The first rows, as parsed.")
    # The job (config.jobs): the id of the message that works on it (empty when it runs in the request), when it
    # was queued and when its current pass started (the reaper's deadline counts from these), how often the reaper
    # queued it again, and whether it is imported as soon as it is valid (the API without dry_run).
    task_id = models.CharField(max_length=64, blank=True)
    queued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    auto_confirm = models.BooleanField(default=False, help_text="Imported as soon as it is valid.")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_pct(self) -> int:
        return round(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


# Their own modules, part of this app: GPUs and MIG instances of servers, server models, discovery runs and the
# NetBox sync (hardware); measured telemetry (daily summaries, Prometheus and BMC endpoints).
