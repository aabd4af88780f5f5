"""Owners per area: an assessment assigns an area (or one question of it) to a member, with an optional due date;
the owner is emailed when assigned and, once, when the due date nears (the daily beat task). A re-assessment
takes over its previous assessment's owners, and their due dates while those are not past
(`assignments_carry`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.models import Membership
from config.errors import Conflict, Invalid

from .. import scoring
from ..models import Answer, AreaAssignment, Assessment, AssessmentStatus
from .frameworks import framework_parse
from .notify import area_link, notify

FROZEN = "This assessment has been submitted; its owners can no longer change."


def _place(framework: scoring.Framework, area_ref: str, question_ref: str) -> tuple[scoring.Area, str]:
    """The area, and the question's id if one is named (it must be one of the area's); `Invalid` otherwise."""
    area = framework.area(area_ref)
    if area is None:
        raise Invalid(
            f"There is no area {area_ref!r} in this assessment's framework.", code="unknown_area", field="area"
        )
    if question_ref and question_ref not in {q.id for q in area.questions()}:
        raise Invalid(
            f"Question {question_ref!r} is not one of “{area.name}”.", code="unknown_question", field="question_id"
        )
    return area, question_ref


def _member(assessment: Assessment, user_id: Any) -> Any:
    membership = (
        assessment.organization.memberships.select_related("user").filter(user_id=user_id).first()
        if user_id is not None
        else None
    )
    if membership is None:
        raise Invalid("The owner must be a member of the organization.", code="not_a_member", field="assignee_id")
    return membership.user


@transaction.atomic
def assignment_set(
    *,
    assessment: Assessment,
    area_ref: str,
    assignee_id: Any,
    user: AbstractBaseUser,
    question_ref: str = "",
    due_date: dt.date | None = None,
) -> AreaAssignment:
    """Make a member the owner of an area (or of one question of it) until ``due_date``; replaces the previous
    owner. A new owner is emailed; `Invalid` for an unknown area or question or a non-member, `Conflict` once
    the assessment is submitted."""
    if assessment.is_frozen:
        raise Conflict(FROZEN, code="frozen")
    framework = framework_parse(assessment.framework)
    area, question_ref = _place(framework, area_ref, question_ref or "")
    assignee = _member(assessment, assignee_id)
    if due_date is not None and due_date < timezone.localdate():
        raise Invalid("The due date is in the past.", code="past_due_date", field="due_date")
    assignment = (
        AreaAssignment.objects.select_for_update()
        .filter(assessment=assessment, area_ref=area.id, question_ref=question_ref)
        .first()
    )
    is_new_owner = assignment is None or assignment.assignee_id != assignee.pk
    if assignment is None:
        assignment = AreaAssignment(
            organization_id=assessment.organization_id,
            assessment=assessment,
            area_ref=area.id,
            question_ref=question_ref,
        )
    assignment.assignee, assignment.due_date, assignment.assigned_by = assignee, due_date, user
    assignment.save()
    if is_new_owner and assignee.pk != user.pk:
        notify(
            users=[assignee],
            subject=f"You own “{area.name}” in {assessment.title}",
            template="assigned",
            context={
                "by": user.get_username(),
                "area": area.name,
                "question": question_ref,
                "assessment": assessment,
                "due_date": due_date,
                "link": area_link(assessment.pk, area.id, question_ref),
            },
        )
    return assignment


def assignment_remove(*, assignment: AreaAssignment) -> None:
    """The area (or question) has no owner any more; `Conflict` once the assessment is submitted."""
    if assignment.assessment.is_frozen:
        raise Conflict(FROZEN, code="frozen")
    assignment.delete()


@dataclass(frozen=True)
class OwnerCarried:
    """What a re-assessment does with one owner of its previous assessment (`assignments_carry_plan`)."""

    area_ref: str
    """The area in the re-assessment's framework version (the previous one's when the area is gone)."""
    area_name: str
    question_ref: str
    """Empty for the owner of a whole area; else the question it maps to (the previous one when it is gone)."""
    assignee: Any
    due_date: dt.date | None
    """The due date the previous assessment gave."""
    assigned_by_id: int | None
    left_because: str = ""
    """Why the owner is not carried ("no longer a member", "not in version 1.1"); empty when carried."""
    due_date_past: bool = False
    """The due date is not carried: it is in the past (`assignment_set` refuses one, ``past_due_date``)."""

    @property
    def carried(self) -> bool:
        return not self.left_because

    @property
    def due_date_carried(self) -> dt.date | None:
        return None if not self.carried or self.due_date_past else self.due_date

    @property
    def place(self) -> str:
        """“Hardware”, or question HW-PP-03, as a page says it."""
        return f"question {self.question_ref}" if self.question_ref else f"“{self.area_name}”"


def assignments_carry_plan(
    *,
    previous: Assessment,
    framework: scoring.Framework,
    question_map: Mapping[str, str],
    today: dt.date | None = None,
) -> list[OwnerCarried]:
    """What re-assessing ``previous`` onto ``framework`` does with its owners, in the framework's order: each owner
    of an area or a question is carried while still a member of the organization and while the area (or the
    question ``question_map`` maps it to: old id -> new id) is in ``framework``; their due date too, unless it is
    in the past (today is not). Of the owners of questions merged into one, the owner of the question that keeps
    its id (else the first) is carried. Two queries."""
    today = today or timezone.localdate()
    old = framework_parse(previous.framework)
    assignments = list(previous.assignments.select_related("assignee"))
    members = set(
        Membership.objects.filter(
            organization_id=previous.organization_id, user_id__in={a.assignee_id for a in assignments}
        ).values_list("user_id", flat=True)
    )
    area_of_question = {q.id: area for area in framework.areas for q in area.questions()}

    def keeps_its_place(assignment: AreaAssignment) -> bool:
        return not assignment.question_ref or question_map.get(assignment.question_ref) == assignment.question_ref

    plan: list[OwnerCarried] = []
    taken: set[tuple[str, str]] = set()
    for assignment in sorted(assignments, key=lambda a: (not keeps_its_place(a), a.pk)):
        question_ref = question_map.get(assignment.question_ref, "") if assignment.question_ref else ""
        area = area_of_question.get(question_ref) if assignment.question_ref else framework.area(assignment.area_ref)
        if area is None:
            gone = old.area(assignment.area_ref)
            area_ref, area_name = assignment.area_ref, gone.name if gone is not None else assignment.area_ref
            question_ref, left = assignment.question_ref, f"not in version {framework.version}"
        else:
            area_ref, area_name = area.id, area.name
            left = ""
            if assignment.assignee_id not in members:
                left = "no longer a member"
            elif (area_ref, question_ref) in taken:
                left = f"merged into {question_ref}, whose owner is carried"
            else:
                taken.add((area_ref, question_ref))
        plan.append(
            OwnerCarried(
                area_ref,
                area_name,
                question_ref,
                assignment.assignee,
                assignment.due_date,
                assignment.assigned_by_id,
                left_because=left,
                due_date_past=assignment.due_date is not None and assignment.due_date < today,
            )
        )
    position = {area.id: index for index, area in enumerate(framework.areas)}
    return sorted(plan, key=lambda item: (position.get(item.area_ref, len(position)), item.question_ref))


def assignments_carry(
    *, previous: Assessment, assessment: Assessment, question_map: Mapping[str, str], today: dt.date | None = None
) -> list[OwnerCarried]:
    """Give the re-assessment ``assessment`` the owners of ``previous`` (`assignments_carry_plan`), each with its
    due date unless that is past, in one statement; nobody is emailed (the owners keep what they had). Returns the
    plan: what was carried and what was not, and why."""
    plan = assignments_carry_plan(
        previous=previous, framework=framework_parse(assessment.framework), question_map=question_map, today=today
    )
    AreaAssignment.objects.bulk_create(
        [
            AreaAssignment(
                organization_id=assessment.organization_id,
                assessment=assessment,
                area_ref=item.area_ref,
                question_ref=item.question_ref,
                assignee=item.assignee,
                due_date=item.due_date_carried,
                assigned_by_id=item.assigned_by_id,
            )
            for item in plan
            if item.carried
        ]
    )
    return plan


def assignments_remind_due(*, today: dt.date | None = None) -> int:
    """Email every owner whose due date is within ``INFRAREADY_DUE_SOON_DAYS`` days (today included) on an
    assessment still in progress, once per due date: a conditional update claims each reminder, so running it
    twice (or on two beat schedulers) sends nothing more. An owner no longer a member of the organization is not
    reminded. Returns how many reminders were sent."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.INFRAREADY_DUE_SOON_DAYS)
    # Only members are reminded: someone removed from the organization since the assignment is told nothing more.
    still_member = Membership.objects.filter(
        organization_id=OuterRef("organization_id"), user_id=OuterRef("assignee_id")
    )
    due = (
        AreaAssignment.objects.filter(
            Exists(still_member), assessment__status=AssessmentStatus.DRAFT, due_date__gte=today, due_date__lte=horizon
        )
        .exclude(reminded_for=F("due_date"))
        .select_related("assessment__framework", "assignee")
        .order_by("pk")
    )
    sent = 0
    frameworks: dict[int, scoring.Framework] = {}
    for assignment in due:
        with transaction.atomic():
            claimed = (
                AreaAssignment.objects.filter(pk=assignment.pk, due_date=assignment.due_date)
                .exclude(reminded_for=assignment.due_date)
                .update(reminded_for=assignment.due_date)
            )
            if not claimed:
                continue
            assessment = assignment.assessment
            framework = frameworks.setdefault(assessment.framework_id, framework_parse(assessment.framework))
            area = framework.area(assignment.area_ref)
            questions = (
                [assignment.question_ref]
                if assignment.question_ref
                else [q.id for q in area.questions()]
                if area is not None
                else []
            )
            answered = Answer.objects.filter(assessment=assessment, question_id__in=questions).count()
            sent += notify(
                users=[assignment.assignee],
                subject=f"“{area.name if area else assignment.area_ref}” is due {assignment.due_date:%d %b}",
                template="due_soon",
                context={
                    "area": area.name if area else assignment.area_ref,
                    "question": assignment.question_ref,
                    "assessment": assessment,
                    "due_date": assignment.due_date,
                    "answered": answered,
                    "total": len(questions),
                    "link": area_link(assessment.pk, assignment.area_ref, assignment.question_ref),
                },
            )
    return sent
