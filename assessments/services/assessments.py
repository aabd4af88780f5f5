"""An assessment's life: started (or re-assessed), corrected while a draft, submitted for scoring, failed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.integrations.webhooks import webhook_emit
from accounts.models import Organization, WebhookEvent
from accounts.selectors import is_owner
from config import jobs
from config.errors import Conflict, ErrorItem, Forbidden, Invalid
from config.history import history_record_bulk
from inventory.models import CloudCapacity, Site, Workload

from .. import upgrades
from ..models import Answer, Assessment, AssessmentStatus, Framework, assessment_scope
from ..selectors import frameworks_for
from .answers import answers_prefill_from_inventory
from .evidence import evidence_carry
from .frameworks import default_target_levels, framework_or_default, framework_parse, validate_target_levels
from .owners import OwnerCarried, assignments_carry, assignments_carry_plan
from .reviews import sign_off_check
from .scoring_jobs import job_state, scoring_fields, scoring_queue

SCOPE_FIELDS = ("sites", "workloads", "cloud_capacity")

REASSESSMENT_SUFFIX = re.compile(r" \(re-assessment \d{4}-\d{2}-\d{2}\)$")


@transaction.atomic
def assessment_create(
    *,
    organization: Organization,
    framework: Framework | None,
    title: str,
    user: AbstractBaseUser | None,
    scope: str = "",
    target_levels: Mapping[str, int] | None = None,
    previous: Assessment | None = None,
    sign_off_required: bool | None = None,
    sites: Iterable[Site] | None = None,
    workloads: Iterable[Workload] | None = None,
    cloud_capacity: Iterable[CloudCapacity] | None = None,
) -> Assessment:
    """Start an assessment on ``framework`` (the shipped one when ``None``). With `previous` (re-assess) its
    answers are the starting point; questions bound to inventory facts are pre-filled from the inventory either way.
    ``sign_off_required`` (every area approved before submitting): the installation's default when ``None``.

    ``sites``, ``workloads`` and ``cloud_capacity`` are what its inventory evidence covers (`Assessment.analysis_scope`;
    none: the whole organization); they must be the organization's (`scope_check`)."""
    framework = framework_or_default(framework)
    targets = default_target_levels(framework)
    targets.update(target_levels or {})
    assessment = Assessment.objects.create(
        organization=organization,
        framework=framework,
        title=title.strip(),
        scope=scope,
        target_levels=validate_target_levels(framework=framework, targets=targets),
        previous=previous,
        created_by=user,
        sign_off_required=settings.INFRAREADY_SIGN_OFF_DEFAULT if sign_off_required is None else sign_off_required,
    )
    _set_scope(assessment, sites=sites, workloads=workloads, cloud_capacity=cloud_capacity, new=True)
    if previous is not None:
        _carry_from(previous, assessment, user)
    answers_prefill_from_inventory(assessment=assessment)
    return assessment


def _set_scope(
    assessment: Assessment,
    *,
    sites: Iterable[Site] | None,
    workloads: Iterable[Workload] | None,
    cloud_capacity: Iterable[CloudCapacity] | None,
    new: bool = False,
) -> None:
    """Set what the assessment's evidence covers (``None`` leaves a part as it is); every row must be the
    assessment's organization's, else `Invalid` on that field. Keeps ``scope_key`` (`Scope.key` of
    `assessment_scope`), by which results are compared only with results of the same scope."""
    ids: dict[str, list[int]] = {}
    for name, rows in zip(SCOPE_FIELDS, (sites, workloads, cloud_capacity), strict=True):
        if rows is None:
            continue
        rows = list(rows)
        if any(row.organization_id != assessment.organization_id for row in rows):
            raise Invalid("Choose among your organization's own records.", code="not_in_organization", field=name)
        getattr(assessment, name).set(rows)
        ids[name] = [row.pk for row in rows]
    for name in SCOPE_FIELDS:
        if name not in ids:  # a new assessment has none yet; a draft keeps what it has
            ids[name] = [] if new else list(getattr(assessment, name).values_list("pk", flat=True))
    key = assessment_scope(sites=ids["sites"], workloads=ids["workloads"], clouds=ids["cloud_capacity"]).key
    if key != assessment.scope_key:
        assessment.scope_key = key
        assessment.save(update_fields=["scope_key"])


def reassess_plan(*, previous: Assessment, framework: Framework) -> upgrades.UpgradePlan:
    """What re-assessing ``previous`` onto ``framework`` does to each question (the preview shows it)."""
    old, new = framework_parse(previous.framework), framework_parse(framework)
    if old.id != new.id:
        raise Invalid(
            f"A re-assessment stays on framework {old.title}; {new.title} is another framework.",
            code="other_framework",
            field="framework_version",
        )
    try:
        return upgrades.plan_upgrade(old, new, framework.definition.get("upgrade"))
    except ValueError as error:
        raise Invalid(str(error), code="bad_upgrade", field="framework_version") from error


def reassess_owners(*, previous: Assessment, framework: Framework) -> list[OwnerCarried]:
    """What re-assessing ``previous`` onto ``framework`` does with its owners per area and question, and their due
    dates (`owners.assignments_carry_plan`): what a page says of them once it has re-assessed."""
    plan = reassess_plan(previous=previous, framework=framework)
    return assignments_carry_plan(
        previous=previous, framework=framework_parse(framework), question_map=_question_map(plan)
    )


def _question_map(plan: upgrades.UpgradePlan) -> dict[str, str]:
    """Old question id -> the new question its answer, evidence and owner follow: the question that keeps the id
    (a split), else the first it maps to."""
    question_map: dict[str, str] = {}
    for change in plan.changes:
        for old_id in change.old_ids if change.carries else ():
            if old_id not in question_map or change.new_id == old_id:
                question_map[old_id] = change.new_id
    return question_map


def _carry_from(previous: Assessment, assessment: Assessment, user: AbstractBaseUser | None) -> None:
    """The previous assessment's answers, evidence and owners (with their due dates, unless past), carried onto the
    new one by the upgrade plan (on the same version every question maps to itself). Three reads and four bulk
    writes (answers, their history, evidence, owners)."""
    plan = reassess_plan(previous=previous, framework=assessment.framework)
    stored = {a.question_id: a for a in previous.answers.all()}
    old = {qid: upgrades.OldAnswer(qid, a.value, a.not_applicable, a.na_reason, a.note) for qid, a in stored.items()}
    carried = upgrades.carry_answers(plan, framework_parse(assessment.framework), old)
    rows = []
    for item in carried.answers:
        source = stored[item.from_id]
        note = item.note
        if item.check:
            note = (note + "\n" if note else "") + (
                f"Carried from {item.from_id} of version {plan.from_version}: check it (the question changed)."
            )
        rows.append(
            Answer(
                assessment=assessment,
                question_id=item.question_id,
                value=item.value,
                not_applicable=item.not_applicable,
                na_reason=item.na_reason,
                note=note,
                evidence_url=source.evidence_url,
                source=source.source,
                inventory_note=source.inventory_note,
                answered_by=source.answered_by,
            )
        )
    Answer.objects.bulk_create(rows)
    history_record_bulk(Answer, created=rows, user=user, reason=f"carried from {previous.title}")
    question_map = _question_map(plan)
    evidence_carry(previous=previous, assessment=assessment, question_map=question_map)
    assignments_carry(previous=previous, assessment=assessment, question_map=question_map)


def assessment_update(
    *, assessment: Assessment, changes: Mapping[str, Any], user: AbstractBaseUser | None = None
) -> Assessment:
    """Change a draft's ``title``, ``scope`` (notes), ``sign_off_required``, ``sites``, ``workloads``,
    ``cloud_capacity`` (what its evidence covers; the answers pre-filled from the inventory follow) or
    ``target_levels`` (merged into the
    current targets).

    A submitted assessment is frozen (re-assess instead); an assessment stays on the framework version it was
    started on. Once sign-off is required, only an owner (``user``) may stop requiring it (`Forbidden`): submitting
    without every area approved is an owner's override, with its reason kept (`reviews.sign_off_check`), and an
    assessor turning the requirement off would skip it without a trace.
    """
    if assessment.is_frozen:
        raise Conflict("A submitted assessment cannot be changed; re-assess instead.", code="frozen")
    framework = changes.get("framework")
    if framework is not None and framework != assessment.framework:
        raise Invalid(
            "An assessment stays on the framework version it was started on.", code="framework_fixed", field="framework"
        )
    fields = []
    if "title" in changes:
        assessment.title = changes["title"].strip()
        fields.append("title")
    if "scope" in changes:
        assessment.scope = changes["scope"]
        fields.append("scope")
    if "sign_off_required" in changes:
        required = bool(changes["sign_off_required"])
        if (
            assessment.sign_off_required
            and not required
            and not is_owner(organization_id=assessment.organization_id, user=user)
        ):
            raise Forbidden(
                "Only an owner of the organization can stop requiring sign-off (an owner can also submit without "
                "every area approved, giving a reason).",
                code="sign_off_needs_owner",
                field="sign_off_required",
            )
        assessment.sign_off_required = required
        fields.append("sign_off_required")
    if any(name in changes for name in SCOPE_FIELDS):
        _set_scope(assessment, **{name: changes.get(name) for name in SCOPE_FIELDS})
        answers_prefill_from_inventory(assessment=assessment)  # the evidence of the new scope
    if "target_levels" in changes:
        targets = {**assessment.target_levels, **changes["target_levels"]}
        assessment.target_levels = validate_target_levels(framework=assessment.framework, targets=targets)
        fields.append("target_levels")
    if fields:
        assessment.save(update_fields=fields)
    return assessment


def assessment_deletable(*, assessment: Assessment, user: AbstractBaseUser, owner: bool) -> bool:
    """The rule `assessment_delete` applies (pages read it to offer the button): an ``owner`` of the organization
    deletes any assessment; anyone else only a draft they started."""
    return owner or (assessment.status == AssessmentStatus.DRAFT and assessment.created_by_id == user.pk)


def assessment_delete(*, assessment: Assessment, user: AbstractBaseUser) -> None:
    """Delete an assessment with its answers, scores, roadmap and reports. An owner may delete any; an assessor only
    a draft they started (a stray re-assessment, say): a submitted or scored assessment, or another member's draft,
    is kept from them (`Forbidden`). A re-assessment of it keeps its own answers and loses the link back."""
    owner = is_owner(organization_id=assessment.organization_id, user=user)
    if not assessment_deletable(assessment=assessment, user=user, owner=owner):
        raise Forbidden(
            "Only an owner of the organization can delete a submitted or scored assessment, or another member's "
            "draft; you can delete a draft you started.",
            code="delete_needs_owner",
        )
    assessment.delete()


def assessment_submit(*, assessment: Assessment, user: AbstractBaseUser, override_reason: str = "") -> str:
    """Freeze the answers and queue scoring once that has committed; returns the Celery task id.

    With sign-off required, every area must be approved; an owner may submit anyway with ``override_reason``,
    recorded on the assessment (who, when, why). `Conflict` otherwise (`reviews.sign_off_check`).

    When the broker cannot be reached the assessment is put back as it was (a draft) and `Unavailable` (503)
    raised: it can be submitted again once the broker is back."""
    task_id = jobs.new_task_id()
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != AssessmentStatus.DRAFT:
            raise Conflict("This assessment has already been submitted.", code="already_submitted")
        if not locked.answers.exists():
            raise Invalid("Answer at least one question before submitting.", code="no_answers")
        overridden = sign_off_check(assessment=locked, user=user, override_reason=override_reason)
        before = {
            **job_state(locked),
            "submitted_at": locked.submitted_at,
            "submitted_by_id": locked.submitted_by_id,
            "sign_off_overridden_by_id": locked.sign_off_overridden_by_id,
            "sign_off_overridden_at": locked.sign_off_overridden_at,
            "sign_off_override_reason": locked.sign_off_override_reason,
        }
        override = (
            {
                "sign_off_overridden_by": user,
                "sign_off_overridden_at": timezone.now(),
                "sign_off_override_reason": override_reason.strip(),
            }
            if overridden
            else {}
        )
        Assessment.objects.filter(pk=locked.pk).update(
            **scoring_fields(task_id), scoring_attempts=0, submitted_at=timezone.now(), submitted_by=user, **override
        )
    scoring_queue(assessment_id=assessment.pk, task_id=task_id, before=before, what="the scoring of this assessment")
    assessment.refresh_from_db()
    # Announced once scoring is queued (a submission the broker refused was undone: nothing to announce). With
    # eager tasks (tests, seed_demo) scoring has run already, so assessment.scored is sent first there.
    webhook_emit(
        organization_id=assessment.organization_id,
        event=WebhookEvent.ASSESSMENT_SUBMITTED,
        data={"assessment": assessment_event_data(assessment), "submitted_by": getattr(user, "username", "")},
    )
    return task_id


def assessment_event_data(assessment: Assessment) -> dict[str, Any]:
    """How webhooks name an assessment: its id (for the API), title, framework version and status."""
    return {
        "id": assessment.pk,
        "title": assessment.title,
        "framework_version": assessment.framework.version if assessment.framework_id else "",
        "status": assessment.status,
        "submitted_at": assessment.submitted_at,
    }


def reassess_target(*, previous: Assessment, framework_version: str | None) -> Framework:
    """The framework version a re-assessment of ``previous`` goes onto: ``framework_version`` of the same framework
    (shared, or the organization's own), else the same version; `Invalid` naming ``framework_version`` when the
    organization has no such version."""
    if not framework_version:
        return previous.framework
    found = (
        frameworks_for(organization=previous.organization)
        .filter(slug=previous.framework.slug, version=str(framework_version).strip())
        .order_by("organization_id")
        .first()
    )
    if found is None:
        raise Invalid(
            f"{previous.framework.title} has no version {framework_version!r}.",
            code="unknown_version",
            field="framework_version",
        )
    return found


def assessment_reassess(
    *,
    previous: Assessment,
    user: AbstractBaseUser,
    framework: Framework | None = None,
    framework_version: str | None = None,
) -> Assessment:
    """Start a new assessment, pre-filled from `previous`, to compare progress: on the same framework version, or
    on ``framework``, another version of the same framework (its declared upgrade carries every answer that maps,
    `upgrades`); the target levels of areas both versions have are kept, and so are the owners per area and
    question who are still members, with their due dates unless past (`reassess_owners` says which are not).

    Only a submitted assessment is re-assessed: a draft is still being answered. And once at a time: while a
    re-assessment of it is in progress, another is refused (409 ``reassessment_in_progress``, naming it, its id and
    title in ``current``), so that a team answers one re-assessment together, not two drafts of the same name.
    """
    if not previous.is_frozen:
        raise Conflict("This assessment is still in progress: finish and submit it first.", code="not_submitted")
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=previous.pk).first()  # two presses at once: one waits
        return _reassess(previous=previous, user=user, framework=framework, framework_version=framework_version)


def _reassess(
    *, previous: Assessment, user: AbstractBaseUser, framework: Framework | None, framework_version: str | None
) -> Assessment:
    ongoing = (
        Assessment.objects.filter(previous=previous, status=AssessmentStatus.DRAFT)
        .select_related("created_by")
        .order_by("created", "pk")
        .first()
    )
    if ongoing is not None:
        by = f" by {ongoing.created_by.get_username()}" if ongoing.created_by else ""
        raise Conflict(
            [
                ErrorItem(
                    f"“{previous.title}” is already being re-assessed in “{ongoing.title}” (started{by} on "
                    f"{timezone.localtime(ongoing.created):%Y-%m-%d}): answer that one, or submit it before "
                    "re-assessing again.",
                    "reassessment_in_progress",
                    current={"id": ongoing.pk, "title": ongoing.title},
                )
            ]
        )
    # One suffix, never a growing chain of them: drop the previous re-assessment's own suffix, then shorten the
    # name so that name and suffix fit the title column (varchar on PostgreSQL).
    suffix = f" (re-assessment {timezone.now():%Y-%m-%d})"
    name = REASSESSMENT_SUFFIX.sub("", previous.title)
    max_length = Assessment._meta.get_field("title").max_length
    name = name[: max_length - len(suffix)].rstrip()
    framework = framework or reassess_target(previous=previous, framework_version=framework_version)
    reassess_plan(previous=previous, framework=framework)  # another framework is refused before anything is written
    areas = {area.id for area in framework_parse(framework).areas}
    return assessment_create(
        organization=previous.organization,
        framework=framework,
        title=f"{name}{suffix}",
        user=user,
        scope=previous.scope,
        target_levels={k: v for k, v in previous.target_levels.items() if k in areas},
        previous=previous,
        sign_off_required=previous.sign_off_required,
        sites=previous.sites.all(),
        workloads=previous.workloads.all(),
        cloud_capacity=previous.cloud_capacity.all(),
    )
