"""Review and sign-off of an assessment's areas: draft → in review → approved (by a member who gave none of the
area's answers), back to draft on request, back to review when an approved area's answers change; submitting
needs every area approved unless an owner overrides it, with a reason that is kept (who, when, why)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import is_owner
from config.errors import Conflict, Invalid

from .. import scoring
from ..models import Answer, AnswerSource, AreaReview, Assessment, ReviewStatus
from .frameworks import framework_parse
from .notify import area_link, notify

FROZEN = "This assessment has been submitted; its sign-off can no longer change."


def _area(assessment: Assessment, area_ref: str) -> scoring.Area:
    area = framework_parse(assessment.framework).area(area_ref)
    if area is not None:
        return area
    raise Invalid(f"There is no area {area_ref!r} in this assessment's framework.", code="unknown_area", field="area")


def _review(assessment: Assessment, area_ref: str) -> AreaReview:
    """The area's review row, locked until the transaction ends (created as a draft when there is none)."""
    if assessment.is_frozen:
        raise Conflict(FROZEN, code="frozen")
    review, _ = AreaReview.objects.select_for_update().get_or_create(
        assessment=assessment, area_ref=area_ref, defaults={"organization_id": assessment.organization_id}
    )
    return review


def area_answerers(*, assessment: Assessment, area: scoring.Area) -> set[int]:
    """Ids of the members who gave the area's current answers (inventory answers have no answerer)."""
    ids = Answer.objects.filter(
        assessment=assessment, question_id__in=[q.id for q in area.questions()], source=AnswerSource.SELF
    ).values_list("answered_by_id", flat=True)
    return {pk for pk in ids if pk is not None}


@transaction.atomic
def area_review_request(*, assessment: Assessment, area_ref: str, user: AbstractBaseUser) -> AreaReview:
    """Ask for the area's review: draft → in review (`Conflict` from any other state)."""
    area = _area(assessment, area_ref)
    review = _review(assessment, area.id)
    if review.status != ReviewStatus.DRAFT:
        raise Conflict(f"“{area.name}” is already {review.get_status_display().lower()}.", code="not_draft")
    review.status = ReviewStatus.IN_REVIEW
    review.requested_by, review.requested_at = user, timezone.now()
    review.reviewed_by, review.reviewed_at, review.note = None, None, ""
    review.save()
    notify(
        users=reviewers_for(assessment=assessment, area=area, exclude=user.pk),
        subject=f"{user.get_username()} asks you to review “{area.name}” in {assessment.title}",
        template="review_requested",
        context={"by": user.get_username(), "area": area.name, "assessment": assessment,
                 "link": area_link(assessment.pk, area.id)},
    )  # fmt: skip
    return review


def reviewers_for(*, assessment: Assessment, area: scoring.Area, exclude: int | None = None) -> list[AbstractBaseUser]:
    """The members who may approve the area (one query after its answerers'): active assessors and owners of the
    organization who gave none of its answers, but ``exclude`` (who asked)."""
    barred = area_answerers(assessment=assessment, area=area) | ({exclude} if exclude is not None else set())
    return list(
        get_user_model()
        .objects.filter(
            memberships__organization_id=assessment.organization_id,
            memberships__role__in=(Role.ASSESSOR, Role.OWNER),
            is_active=True,
        )
        .exclude(pk__in=barred)
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def area_review_approve(*, assessment: Assessment, area_ref: str, user: AbstractBaseUser) -> AreaReview:
    """Approve the area: in review → approved, by a member who gave none of its answers (`Conflict` otherwise)."""
    area = _area(assessment, area_ref)
    review = _review(assessment, area.id)
    if review.status != ReviewStatus.IN_REVIEW:
        raise Conflict(
            f"“{area.name}” is {review.get_status_display().lower()}: ask for its review first."
            if review.status == ReviewStatus.DRAFT
            else f"“{area.name}” is already approved.",
            code="not_in_review",
        )
    if user.pk in area_answerers(assessment=assessment, area=area):
        raise Conflict(
            f"You gave answers in “{area.name}”: another member must review and approve it.",
            code="reviewer_is_answerer",
        )
    review.status = ReviewStatus.APPROVED
    review.reviewed_by, review.reviewed_at, review.note = user, timezone.now(), ""
    review.save()
    return review


@transaction.atomic
def area_review_reopen(*, assessment: Assessment, area_ref: str, user: AbstractBaseUser, note: str = "") -> AreaReview:
    """Send the area back to draft (changes requested, or approval withdrawn), with an optional note why."""
    area = _area(assessment, area_ref)
    review = _review(assessment, area.id)
    if review.status == ReviewStatus.DRAFT:
        raise Conflict(f"“{area.name}” is already a draft.", code="already_draft")
    review.status = ReviewStatus.DRAFT
    review.reviewed_by, review.reviewed_at = user, timezone.now()
    review.note = note.strip()[:500] or f"Sent back to draft by {user.get_username()}."
    review.save()
    return review


def reviews_reopen_for_changes(
    *, assessment: Assessment, question_ids: Sequence[str], user: AbstractBaseUser | None
) -> int:
    """Approved areas whose answers changed go back to review (their approval was for other answers); one query."""
    if not question_ids:
        return 0
    framework = framework_parse(assessment.framework)
    wanted = set(question_ids)
    areas = [area.id for area in framework.areas if any(q.id in wanted for q in area.questions())]
    who = user.get_username() if user is not None else "someone"
    return AreaReview.objects.filter(assessment=assessment, area_ref__in=areas, status=ReviewStatus.APPROVED).update(
        status=ReviewStatus.IN_REVIEW,
        note=f"Answers changed by {who} after approval: approve again.",
        reviewed_by=None,
        reviewed_at=None,
        updated=timezone.now(),
    )


def areas_not_approved(*, assessment: Assessment) -> list[scoring.Area]:
    """The areas still waiting for approval, in the framework's order."""
    approved = set(
        AreaReview.objects.filter(assessment=assessment, status=ReviewStatus.APPROVED).values_list(
            "area_ref", flat=True
        )
    )
    return [area for area in framework_parse(assessment.framework).areas if area.id not in approved]


def sign_off_check(*, assessment: Assessment, user: AbstractBaseUser, override_reason: str = "") -> bool:
    """Whether submitting ``assessment`` overrides a missing sign-off (True), after checking it may.

    `Conflict` (``sign_off_missing``) naming the areas not approved, unless an owner of the organization gives a
    reason (``override_needs_owner`` when someone else does). An assessment that opted out needs no sign-off.
    """
    if not assessment.sign_off_required:
        return False
    missing = areas_not_approved(assessment=assessment)
    if not missing:
        return False
    names = ", ".join(f"“{area.name}”" for area in missing)
    if not override_reason.strip():
        raise Conflict(
            f"Every area must be approved before submitting; not approved yet: {names}. "
            "An owner can submit anyway, giving a reason.",
            code="sign_off_missing",
        )
    if not is_owner(organization_id=assessment.organization_id, user=user):
        raise Conflict(
            "Only an owner of the organization can submit without every area approved.", code="override_needs_owner"
        )
    return True
