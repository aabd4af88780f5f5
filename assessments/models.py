"""Frameworks (versioned data), assessments, answers, and stored results.

A framework version is stored whole, as the parsed file (`definition`), and never changes once loaded: an
assessment stays tied to the version it was taken on, and its stored results are never recomputed silently.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Organization, OrganizationOwned
from config.validators import NOTES, validate_finite_json, validate_name, validate_text, validate_web_address
from inventory.analysis import WHOLE_ORGANIZATION, Scope
from inventory.facts import shown as fact_shown

from .scoring.levels import round_score

WHOLE_ORGANIZATION_LABEL = "whole organization"


def scope_label(*, sites: list[str], workloads: list[str], clouds: list[str]) -> str:
    """An assessment's scope in words: "whole organization", "Frankfurt DC", "Frankfurt DC; workloads: ..."."""
    if not (sites or workloads or clouds):
        return WHOLE_ORGANIZATION_LABEL
    parts = [", ".join(sorted(sites)) if sites else "every site"]
    if workloads:
        parts.append("workloads: " + ", ".join(sorted(workloads)))
    if clouds:
        parts.append("cloud: " + ", ".join(sorted(clouds)))
    elif not sites:
        parts.append("all cloud capacity")
    return "; ".join(parts)


def assessment_scope(*, sites: list[int], workloads: list[int], clouds: list[int]) -> Scope:
    """What an assessment's inventory evidence covers, from the ids of the sites, workloads and cloud reservations
    it names (`Assessment.analysis_scope`). None named: the whole organization. Sites named: those sites, and the
    cloud reservations named (none when none is). Workloads named: those (else every workload)."""
    if not (sites or workloads or clouds):
        return WHOLE_ORGANIZATION
    clouds_named = clouds if (clouds or sites) else None
    return Scope.of(sites=sites or None, workloads=workloads or None, cloud_capacity=clouds_named)


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
    title = models.CharField(validators=[validate_name], max_length=200)
    scope = models.TextField(
        validators=NOTES,
        blank=True,
        verbose_name="scope notes",
        help_text="What this assessment covers, in words (business units, teams); the sites, workloads and cloud "
        "capacity it reads are chosen below.",
    )
    # What the inventory evidence covers (`analysis_scope`): no site chosen is the whole organization.
    sites = models.ManyToManyField(
        "inventory.Site",
        blank=True,
        related_name="+",
        help_text="The sites this assessment covers; none chosen: the whole organization.",
    )
    workloads = models.ManyToManyField(
        "inventory.Workload",
        blank=True,
        related_name="+",
        help_text="The workloads it covers; none chosen: every workload.",
    )
    cloud_capacity = models.ManyToManyField(
        "inventory.CloudCapacity",
        blank=True,
        related_name="+",
        help_text="The cloud reservations it covers; none chosen: all of them when it covers the whole "
        "organization, none when it names sites.",
    )
    scope_key = models.TextField(
        default=WHOLE_ORGANIZATION.key,
        editable=False,
        help_text='The sites, workloads and cloud reservations it covers as one key (`Scope.key`; "all": the whole '
        "organization), kept by the service that sets them: its result is compared only with results of the same key.",
    )
    target_levels = models.JSONField(
        validators=[validate_finite_json],
        default=dict,
        blank=True,
        help_text="Target maturity level (1-5) per area id.",
    )
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
    # The scoring job (config.jobs): the id of the message that scores it, when it was queued and when a worker
    # took it up (the reaper's deadline counts from these), how often the reaper queued it again, why it failed.
    scoring_task_id = models.CharField(max_length=64, blank=True)
    scoring_queued = models.DateTimeField(null=True, blank=True)
    scoring_started = models.DateTimeField(null=True, blank=True)
    scoring_attempts = models.PositiveSmallIntegerField(default=0)
    scoring_error = models.TextField(blank=True)
    # Sign-off (docs/collaboration.md): every area approved before submitting, unless an owner overrode it.
    sign_off_required = models.BooleanField(
        default=True, help_text="Every area must be approved by a reviewer before the assessment is submitted."
    )
    sign_off_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sign_off_overridden_at = models.DateTimeField(null=True, blank=True)
    sign_off_override_reason = models.TextField(blank=True, help_text="Why an owner submitted without every sign-off.")

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def analysis_scope(self) -> Scope:
        """What the inventory evidence of this assessment covers, as the analysis takes it (`assessment_scope`)."""
        return assessment_scope(
            sites=[site.pk for site in self.sites.all()],
            workloads=[workload.pk for workload in self.workloads.all()],
            clouds=[cloud.pk for cloud in self.cloud_capacity.all()],
        )

    @property
    def scope_label(self) -> str:
        """The scope in words: "whole organization", or the sites (and workloads, cloud capacity) it names."""
        return scope_label(
            sites=[site.name for site in self.sites.all()],
            workloads=[workload.name for workload in self.workloads.all()],
            clouds=[str(cloud) for cloud in self.cloud_capacity.all()],
        )

    @property
    def sign_off_override_text(self) -> str:
        """The sign-off override in words, as the assessment's page and the PDF's cover say it ("" when none): who
        overrode it (their user name), the day, and the reason they gave."""
        if self.sign_off_overridden_at is None:
            return ""
        by = self.sign_off_overridden_by
        who = by.get_username() if by is not None else "a former member"
        when = timezone.localtime(self.sign_off_overridden_at)
        return (
            f"Submitted without every area approved: {who} overrode the sign-off on {when:%-d %B %Y}. "
            f"Reason: “{self.sign_off_override_reason}”"
        )

    @property
    def is_frozen(self) -> bool:
        """Submitted assessments no longer take answers."""
        return self.status != AssessmentStatus.DRAFT


class AnswerSource(models.TextChoices):
    SELF = "self", "Self-reported"
    INVENTORY = "inventory", "From the inventory"


INVENTORY_NOTE_PREFIX = "From the inventory:"
"""How `Answer.inventory_note` begins (the questionnaire's box has it as its badge, and leaves it out)."""


class Answer(models.Model):
    """The current answer to one question. Several members may answer: each save raises ``version``, and a save
    made over a newer answer from someone else is refused (`services.answers_save`), so no update is lost."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=40)
    value = models.JSONField(null=True, blank=True, help_text="Level 0-4, true/false, an option id, or a number.")
    not_applicable = models.BooleanField(default=False)
    na_reason = models.CharField("reason it does not apply", max_length=500, blank=True, validators=[validate_text])
    note = models.TextField(validators=NOTES, blank=True, help_text="The members' note on the answer.")
    evidence_url = models.URLField(max_length=500, blank=True, validators=[validate_web_address])
    source = models.CharField(max_length=16, choices=AnswerSource.choices, default=AnswerSource.SELF)
    inventory_note = models.TextField(
        "from the inventory",
        blank=True,
        editable=False,
        help_text="How the inventory gave this answer (an answer filled in from the inventory); a members' note on "
        "it is kept apart, in the note.",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by every save; a stale save is refused.")
    updated = models.DateTimeField(auto_now=True)
    # Every change kept (django-simple-history); the services' bulk writes record theirs in bulk too.
    history = HistoricalRecords(excluded_fields=["updated"])

    class Meta:
        ordering = ["assessment", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_id"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(not_applicable=True) | Q(value__isnull=False), name="answer_has_value_unless_na"
            ),
        ]

    def __str__(self) -> str:
        if self.not_applicable:
            return f"{self.question_id}: N/A"
        # A number without its question's unit: four significant digits (`inventory.facts.shown`), not the float.
        value = fact_shown(self.value) if isinstance(self.value, float) else self.value
        return f"{self.question_id}: {value}"

    @property
    def inventory_words(self) -> str:
        """How the inventory gave the answer, without the "From the inventory:" its badge already says."""
        return self.inventory_note.removeprefix(INVENTORY_NOTE_PREFIX).strip()

    @property
    def notes_text(self) -> str:
        """What a report says beside the answer: how the inventory gave it, then the members' note."""
        return "\n".join(text for text in (self.inventory_note.strip(), self.note.strip()) if text)


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


def evidence_upload_path(instance: Evidence, filename: str) -> str:
    """Stored under a random name per organization: the uploaded name is never part of the path."""
    return f"evidence/{instance.organization_id}/{filename}"


class Evidence(OrganizationOwned):
    """A file or a link backing the answer to one question, valid from ``effective_date`` until ``expires_on``.

    Files are stored through Django's storage API under a random name, their type sniffed from their content
    (`services.evidence`), and served only to the organization's members (`views.evidence_file`).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    question_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True, validators=[validate_web_address])
    file = models.FileField(upload_to=evidence_upload_path, max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True, help_text="Sniffed from the content.")
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes.")
    effective_date = models.DateField(help_text="The day the evidence describes (or was produced).")
    expires_on = models.DateField(null=True, blank=True, help_text="After this day it no longer counts.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "question_id", "-effective_date", "pk"]
        indexes = [models.Index(fields=["assessment", "question_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("effective_date")),
                name="evidence_expires_after_effective",
            ),
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="")) | (Q(kind="file") & ~Q(file="")), name="evidence_has_content"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


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
    inventory = models.JSONField(
        default=dict,
        blank=True,
        help_text="The scope's inventory as scored: sites, servers, accelerators, IT kW (the PDF compares today's).",
    )
    answered = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    high_risks = models.PositiveIntegerField()
    medium_risks = models.PositiveIntegerField()
    answers_digest = models.CharField(max_length=64, help_text="SHA-256 of the answers scored.")
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.assessment}: {_score_words(self.readiness_index)}"


def _score_words(score: float | None) -> str:
    """A score as the pages write it in a row's name (the admin's titles and rows): one decimal, "73.4"."""
    rounded = round_score(score)
    return "not scored" if rounded is None else f"{rounded:.1f}"


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
        return f"{self.scope} {self.ref}: {_score_words(self.score)}"


class RoadmapKind(models.TextChoices):
    GAP = "gap", "Close a gap"
    CAPACITY = "capacity", "Capacity shortfall"
    VERIFY = "verify", "Verify the facts"
    EVIDENCE = "evidence", "Refresh evidence"


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


CLOSED_ROADMAP_STATUSES = (RoadmapStatus.DONE, RoadmapStatus.DISMISSED)
"""An item in one of these is no longer open: the roadmap's counts of open items and the report's actions leave it."""


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
    status_reason = models.CharField(
        validators=[validate_text], max_length=500, blank=True, help_text="Why it was dismissed."
    )
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
    # Its issue in the organization's tracker (GitHub Issues, Jira) once pushed; the state is read back on a
    # schedule (assessments.services.trackers).
    tracker = models.ForeignKey(
        "accounts.IssueTracker", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tracker_key = models.CharField(max_length=100, blank=True, help_text='The issue: "42" on GitHub, "OPS-7" on Jira.')
    tracker_url = models.URLField(max_length=500, blank=True, help_text="The issue's page.")
    tracker_state = models.CharField(max_length=8, blank=True, help_text="open or closed, as last read.")
    tracker_status = models.CharField(max_length=120, blank=True, help_text="The tracker's status in words.")
    tracker_checked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated"])

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


# --- collaboration: owners per area, review and sign-off, comments (docs/collaboration.md) ---------------------------


class AreaAssignment(OrganizationOwned):
    """Who answers an area of an assessment (or one question of it), by when."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    area_ref = models.CharField(max_length=80)
    question_ref = models.CharField(max_length=40, blank=True, help_text="Empty for the whole area.")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_for = models.DateField(
        null=True, blank=True, help_text="The due date the owner was last reminded of (one reminder per due date)."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "area_ref", "question_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "area_ref", "question_ref"], name="assignment_one_per_area_or_question"
            )
        ]
        indexes = [models.Index(fields=["organization", "assignee"])]

    def __str__(self) -> str:
        return f"{self.question_ref or self.area_ref} → {self.assignee}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class AreaReview(OrganizationOwned):
    """The sign-off state of one area of an assessment (no row: a draft)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="area_reviews")
    area_ref = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text="Why it went back to draft, when it did.")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "area_ref"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area_ref"], name="area_review_one_per_area"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="area_review_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.area_ref}: {self.get_status_display()}"


class Comment(OrganizationOwned):
    """A comment on one question of an assessment; a reply names its parent (one thread per top comment)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    question_ref = models.CharField(max_length=40)
    area_ref = models.CharField(max_length=80)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=5000, validators=[validate_text])
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    edited = models.DateTimeField(null=True, blank=True, help_text="When its author last changed it.")

    class Meta:
        ordering = ["assessment", "question_ref", "created", "pk"]
        indexes = [models.Index(fields=["assessment", "question_ref"])]

    def __str__(self) -> str:
        return f"{self.question_ref}: {self.body[:40]}"
