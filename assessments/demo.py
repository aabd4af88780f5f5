"""Demo assessments for `seed_demo`: a scored spring baseline and a scored autumn re-assessment built on it.

The baseline (`seed_baseline`) is submitted and scored before the demo's week of telemetry is seeded, the review
(`seed_assessments`) after it: each is scored on what was true when it was submitted, so the baseline cites no
measurement taken after its spring date.

The autumn review was a team effort (docs/collaboration.md): two more members own areas (facilities the energy
and hardware areas, security the compliance one), a comment thread on one question mentions a member, and every
area was approved by a member who did not answer it before the review was submitted.

Answers are deterministic (derived from each question id), so every run produces the same scores; questions
bound to inventory facts keep the answers the demo inventory gives them.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import scoring, selectors, services
from .models import Assessment, AssessmentResult
from .results import score_text
from .selectors import default_framework

BASELINE = "Spring baseline"
REVIEW = "Autumn readiness review"


def _pick(question_id: str, salt: str, n: int) -> int:
    return int(hashlib.sha256(f"{salt}:{question_id}".encode()).hexdigest(), 16) % n


def _answer(question: scoring.Question, *, uplift: int) -> services.AnswerInput:
    """A plausible answer: mostly middling maturity, better after the uplift."""
    if question.allow_na and _pick(question.id, "na", 5) == 0:
        return services.AnswerInput(question.id, not_applicable=True, na_reason="Not in the scope of this review.")
    if question.type == "maturity":
        return services.AnswerInput(question.id, min(4, 1 + _pick(question.id, "level", 3) + uplift))
    if question.type == "yes_no":
        return services.AnswerInput(question.id, _pick(question.id, "yes", 3) + uplift > 0)
    if question.type == "choice":
        scores = sorted(question.options, key=lambda option: option.score)
        return services.AnswerInput(question.id, scores[min(len(scores) - 1, _pick(question.id, "c", 2) + uplift)].id)
    spec = question.numeric
    share = min(1.0, (1 + _pick(question.id, "n", 3) + uplift) / 5)
    return services.AnswerInput(question.id, spec.zero_score_at + share * (spec.full_score_at - spec.zero_score_at))


def _answered(assessment: Assessment, *, uplift: int, user: Any, before_submit: Any = None) -> None:
    from_inventory = set(assessment.answers.filter(source="inventory").values_list("question_id", flat=True))
    framework = services.framework_parse(assessment.framework)
    items = [_answer(q, uplift=uplift) for q in framework.questions() if q.id not in from_inventory]
    services.answers_save(assessment=assessment, items=items, user=user)
    if before_submit is not None:
        before_submit(assessment, framework)
    services.assessment_submit(assessment=assessment, user=user)


TEAM = (("fatima", "Facilities", ("energy", "hardware")), ("sam", "Security", ("compliance",)))
"""Demo members (username, team, the areas they own when the framework has them)."""


def _team(organization: Any, password: str) -> list[Any]:
    """The demo's team, assessors of the demo organization who log in with the demo password (as the operator
    does): trying the collaboration (owners, review by another member, a conflict) takes a second person."""
    from accounts.models import Membership, Role

    members = []
    for username, team, _ in TEAM:
        member, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com", "first_name": team}
        )
        member.set_password(password)
        member.save(update_fields=["password"])
        Membership.objects.get_or_create(user=member, organization=organization, defaults={"role": Role.ASSESSOR})
        members.append(member)
    return members


def _signed_off(user: Any, team: list[Any]) -> Any:
    """Before the review is submitted: owners per area, a comment thread with a mention, every area approved."""

    def work(assessment: Assessment, framework: scoring.Framework) -> None:
        due = timezone.localdate() + timedelta(days=14)
        area_ids = {area.id for area in framework.areas}
        for member, (_, _, areas) in zip(team, TEAM, strict=True):
            for area_id in areas:
                if area_id in area_ids:
                    services.assignment_set(
                        assessment=assessment, area_ref=area_id, assignee_id=member.pk, user=user, due_date=due
                    )
        question = next(framework.questions())
        first = services.comment_add(
            assessment=assessment,
            question_ref=question.id,
            body=f"@{team[0].username} is this still true after the new racks went in?",
            user=user,
        )
        services.comment_add(
            assessment=assessment,
            question_ref=question.id,
            body="Yes: the forecast now covers the new racks too.",
            user=team[0],
            parent_id=first.pk,
        )
        for area in framework.areas:  # the demo user answered everything: a teammate reviews
            services.area_review_request(assessment=assessment, area_ref=area.id, user=user)
            services.area_review_approve(assessment=assessment, area_ref=area.id, user=team[0])

    return work


def _track_baseline_roadmap(baseline: Assessment, *, user: Any) -> None:
    """Work the baseline's plan as a team would: the first items done, one under way, one dismissed."""
    items = list(selectors.roadmap_of(assessment=baseline))  # empty when a real worker has not built it yet
    today = timezone.localdate()  # due dates ahead of whenever the demo is seeded (a new one cannot be past)
    plan: list[dict[str, Any]] = [
        {"status": "done"},
        {"status": "done"},
        {"status": "done"},
        {"status": "in_progress", "due_date": today + timedelta(days=10)},
        {"status": "dismissed", "status_reason": "Covered by the data-centre provider's contract."},
        {"status": "accepted", "due_date": today + timedelta(days=120)},
    ]
    for item, changes in zip(items, plan, strict=False):
        services.roadmap_item_update(item=item, changes={**changes, "owner_id": user.pk}, user=user)


def seed_baseline(result: Any) -> None:
    """The spring baseline, submitted and scored before the demo's week of telemetry is seeded (`DEMO_STEPS` runs
    this step first) and as of its spring date: nothing was measured yet, so its evidence and the facts it cites
    are the rated inventory's, never a measurement taken after it was submitted."""
    organization = result.organization
    if Assessment.objects.filter(organization=organization, title__in=[BASELINE, REVIEW]).exists():
        return
    user = get_user_model().objects.get(username=result.username)
    baseline = services.assessment_create(
        organization=organization,
        framework=default_framework(),
        title=BASELINE,
        user=user,
        scope="All three sites and the cloud capacity; serving, fine-tuning and training workloads.",
        sign_off_required=False,  # taken before the team signed off areas
    )
    _answered(baseline, uplift=0, user=user)
    # The baseline was taken in spring: date it so the trend and "change since" read as they would in real use,
    # and score it again as of that date (scoring reads the facts as of the day an assessment was submitted).
    spring = timezone.now() - timedelta(days=210)
    Assessment.objects.filter(pk=baseline.pk).update(created=spring, submitted_at=spring + timedelta(days=9))
    AssessmentResult.objects.filter(assessment=baseline).delete()
    services.assessment_score(assessment_id=baseline.pk)
    services.roadmap_build(assessment_id=baseline.pk)
    _track_baseline_roadmap(baseline, user=user)


def seed_assessments(result: Any) -> None:
    """The autumn review, re-assessing the spring baseline (`seed_baseline`) on today's inventory and telemetry."""
    organization = result.organization
    team = _team(organization, result.password)
    result.notes.append(
        "Demo team: "
        + ", ".join(f"{member.username} ({team_name})" for member, (_, team_name, _) in zip(team, TEAM, strict=True))
        + f"  password: {result.password}  (the same; log in as them to answer and review beside demo)"
    )
    if Assessment.objects.filter(organization=organization, title=REVIEW).exists():
        return
    baseline = Assessment.objects.filter(organization=organization, title=BASELINE).first()
    if baseline is None:  # made by `seed_baseline`, the step before the telemetry
        return
    user = get_user_model().objects.get(username=result.username)
    framework = default_framework()
    review = services.assessment_create(
        organization=organization,
        framework=framework,
        title=REVIEW,
        user=user,
        scope=baseline.scope,
        previous=baseline,
        sign_off_required=True,
    )
    review.answers.filter(source="self").delete()  # answered afresh below, with the improvements made since
    # The questions measured telemetry answers this week were people's in spring (nothing measured then): the
    # inventory answers them now that their answers are gone.
    services.answers_prefill_from_inventory(assessment=review)
    # Evidence that has expired: the facility's PUE report ran out a month ago (it lowers the energy area's
    # confidence and becomes a "refresh evidence" step of the roadmap).
    today = timezone.localdate()
    services.evidence_add(
        assessment=review,
        item=services.EvidenceInput(
            question_id="EN-COST-01",
            title="Facility PUE report (colocation provider)",
            url="https://facilities.example.com/reports/pue-annual.pdf",
            effective_date=today - timedelta(days=400),
            expires_on=today - timedelta(days=30),
        ),
        user=user,
    )
    _answered(review, uplift=1, user=user, before_submit=_signed_off(user, team))
    for assessment in (baseline, review):
        assessment.refresh_from_db()
        scored = AssessmentResult.objects.filter(assessment=assessment).first()
        index = f", readiness index {score_text(scored.readiness_index)}" if scored else " (a worker will score it)"
        result.notes.append(f"Demo assessment '{assessment.title}': {assessment.get_status_display()}{index}")
