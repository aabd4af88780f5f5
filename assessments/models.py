"""Frameworks (versioned data), assessments, answers, and stored results.

A framework version is stored whole, as the parsed file (`definition`), and never changes once loaded: an
assessment stays tied to the version it was taken on, and its stored results are never recomputed silently.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organization, OrganizationOwned


class Framework(models.Model):
    """One version of an assessment framework. Shared when `organization` is empty, else the organization's own."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for a framework every organization can use.",
    )
    slug = models.SlugField(max_length=80, help_text="The file's `id`, stable across versions.")
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    definition = models.JSONField(help_text="The parsed framework file, as validated.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the definition, to recognise a reload.")
    question_count = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], condition=Q(organization__isnull=True), name="framework_shared_version"
            ),
            models.UniqueConstraint(fields=["organization", "slug", "version"], name="framework_private_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SCORING = "scoring", "Scoring…"
    SCORED = "scored", "Scored"
    FAILED = "failed", "Scoring failed"


class Assessment(OrganizationOwned):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200)
    scope = models.TextField(blank=True, help_text="What this assessment covers: sites, business units, workloads.")
    target_levels = models.JSONField(default=dict, blank=True, help_text="Target maturity level (1-5) per area id.")
    status = models.CharField(max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The assessment this one re-assesses (its answers were the starting point).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scoring_task_id = models.CharField(max_length=64, blank=True)
    scoring_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        """Submitted assessments no longer take answers."""
        return self.status != AssessmentStatus.DRAFT


class AnswerSource(models.TextChoices):
    SELF = "self", "Self-reported"
    INVENTORY = "inventory", "From the inventory"


class Answer(models.Model):
    """The current answer to one question; several members may answer, the last write wins per question."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=40)
    value = models.JSONField(null=True, blank=True, help_text="Level 0-4, true/false, an option id, or a number.")
    not_applicable = models.BooleanField(default=False)
    na_reason = models.CharField("reason it does not apply", max_length=500, blank=True)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    source = models.CharField(max_length=16, choices=AnswerSource.choices, default=AnswerSource.SELF)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_id"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(not_applicable=True) | Q(value__isnull=False), name="answer_has_value_unless_na"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {'N/A' if self.not_applicable else self.value}"


class AssessmentResult(models.Model):
    """The stored outcome of scoring one assessment (one per assessment: scoring twice replaces, never adds)."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    framework_slug = models.SlugField(max_length=80)
    framework_version = models.CharField(max_length=20)
    readiness_index = models.FloatField(
        null=True, help_text="Grounded index: weighted mean of the areas' self-assessment blended with evidence."
    )
    level = models.PositiveSmallIntegerField(null=True)
    answers_index = models.FloatField(null=True, help_text="Index of the questionnaire answers alone.")
    contradictions = models.PositiveIntegerField(
        default=0, help_text="Areas whose self-assessment and evidence differ by more than 30 points."
    )
    facts = models.JSONField(default=dict, blank=True, help_text="The inventory facts used, as they were when scored.")
    answered = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    high_risks = models.PositiveIntegerField()
    medium_risks = models.PositiveIntegerField()
    answers_digest = models.CharField(max_length=64, help_text="SHA-256 of the answers scored.")
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.assessment}: {self.readiness_index}"


class ScoreScope(models.TextChoices):
    AREA = "area", "Area"
    SUBAREA = "subarea", "Sub-area"
    QUESTION = "question", "Question"


class Score(models.Model):
    """One stored score of a result: an area, a sub-area or a question (rows, so trends and charts can query)."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="scores")
    scope = models.CharField(max_length=10, choices=ScoreScope.choices)
    ref = models.CharField(max_length=80, help_text="The area, sub-area or question id.")
    area_ref = models.CharField(max_length=80)
    position = models.PositiveIntegerField(help_text="Order in the framework file.")
    score = models.FloatField(null=True)
    level = models.PositiveSmallIntegerField(null=True)
    target_level = models.PositiveSmallIntegerField(null=True)
    weight = models.FloatField()
    risk = models.CharField(max_length=8, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Confidence, counts, status, source.")

    class Meta:
        ordering = ["result", "position"]
        constraints = [models.UniqueConstraint(fields=["result", "scope", "ref"], name="score_unique_per_result")]

    def __str__(self) -> str:
        return f"{self.scope} {self.ref}: {self.score}"


class RoadmapKind(models.TextChoices):
    GAP = "gap", "Close a gap"
    CAPACITY = "capacity", "Capacity shortfall"
    VERIFY = "verify", "Verify the facts"


class RoadmapPhase(models.TextChoices):
    NOW = "now", "Now (0-3 months)"
    NEXT = "next", "Next (3-6 months)"
    LATER = "later", "Later (6-12 months)"


class RoadmapStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"


class RoadmapItem(OrganizationOwned):
    """One step of an assessment's roadmap: computed by `assessments.roadmap`, then tracked by people.

    The computed fields (rank, phase, priority, scores, details) are rewritten when the roadmap is rebuilt; the
    tracking fields (status, reason, owner, due date) belong to the users and are never overwritten.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="roadmap_items")
    item_id = models.CharField(max_length=80, help_text="The recommendation id, or CAP-/VERIFY- for built items.")
    rank = models.PositiveIntegerField(help_text="1-based position in execution order.")
    phase = models.CharField(max_length=8, choices=RoadmapPhase.choices)
    kind = models.CharField(max_length=10, choices=RoadmapKind.choices)
    area_ref = models.CharField(max_length=80, blank=True)
    question_ref = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=300)
    action = models.TextField(blank=True)
    why = models.TextField(help_text="The answers and facts behind the item, in words.")
    effort = models.CharField(max_length=1)
    effort_cost = models.PositiveSmallIntegerField()
    priority = models.FloatField()
    risk = models.CharField(max_length=8, blank=True)
    current_score = models.FloatField(null=True, blank=True)
    target_score = models.FloatField(null=True, blank=True)
    gap_points = models.FloatField()
    current_area_score = models.FloatField(null=True, blank=True)
    expected_area_score = models.FloatField(null=True, blank=True)
    depends_on = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Figures behind the item, with their sources.")
    in_plan = models.BooleanField(
        default=True, help_text="False when a rebuild no longer needs it (kept because someone tracked it)."
    )
    status = models.CharField(max_length=12, choices=RoadmapStatus.choices, default=RoadmapStatus.PROPOSED)
    status_reason = models.CharField(max_length=500, blank=True, help_text="Why it was dismissed.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The same item in the previous assessment, when it was tracked there.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "-in_plan", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item_id"], name="roadmap_item_unique_per_assessment"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(status_reason=""), name="roadmap_dismissed_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"#{self.rank} {self.title}"
