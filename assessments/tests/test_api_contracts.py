"""Every assessments route under /api/v1/ keeps the API's contract (``config.api_contracts``): anonymous 401,
viewers read and never write, another organization's assessment 404 for every method, list queries flat."""

from __future__ import annotations

from typing import Any

from config.api_contracts import Contract, contract_tests

from .. import scoring, services
from ..models import Framework, RoadmapItem
from .factories import answer_all, ensure_default_framework, start_assessment, weak_value


def scored_assessment(organization: Any, user: Any) -> Any:
    """Every question answered low (a roadmap with items), scored."""
    assessment = start_assessment(organization=organization, user=user)
    answer_all(assessment, user, weak_value)
    services.assessment_submit(assessment=assessment, user=user)
    return assessment


def _draft(organization: Any, user: Any) -> dict[str, Any]:
    return {"pk": start_assessment(organization=organization, user=user).pk}


def _scored(organization: Any, user: Any) -> dict[str, Any]:
    return {"pk": scored_assessment(organization, user).pk}


def _roadmap_item(organization: Any, user: Any) -> dict[str, Any]:
    assessment = scored_assessment(organization, user)
    item = RoadmapItem.objects.filter(assessment=assessment).order_by("pk").first()
    return {"pk": assessment.pk, "item_id": item.item_id}


def _answered(organization: Any, user: Any) -> dict[str, Any]:
    assessment = start_assessment(organization=organization, user=user)
    framework = scoring.Framework.from_dict(Framework.objects.get(pk=assessment.framework_id).definition)
    return {"pk": assessment.pk, "question_id": next(iter(framework.questions())).id}


def _own_framework(organization: Any, user: Any) -> dict[str, Any]:
    shared = ensure_default_framework()
    own = Framework.objects.create(
        organization=organization,
        slug=f"own-{organization.slug}",
        version="1.0",
        title="Our framework",
        definition=shared.definition,
        digest=f"{organization.pk:064d}",
        question_count=shared.question_count,
    )
    return {"pk": own.pk}


def _assignment(organization: Any, user: Any) -> dict[str, Any]:
    assessment = start_assessment(organization=organization, user=user)
    area = scoring.Framework.from_dict(Framework.objects.get(pk=assessment.framework_id).definition).areas[0]
    assignment = services.assignment_set(assessment=assessment, area_ref=area.id, assignee_id=user.pk, user=user)
    return {"pk": assessment.pk, "assignment_id": assignment.pk}


def _area(organization: Any, user: Any) -> dict[str, Any]:
    assessment = start_assessment(organization=organization, user=user)
    area = scoring.Framework.from_dict(Framework.objects.get(pk=assessment.framework_id).definition).areas[0]
    return {"pk": assessment.pk, "area_id": area.id}


def _grow_assessments(organization: Any, user: Any, n: int) -> None:
    for i in range(n):
        start_assessment(organization=organization, user=user, title=f"Readiness {i}")


def _evidence(organization: Any, user: Any, *, upload: bool = False) -> dict[str, Any]:
    import datetime as dt
    import io

    assessment = start_assessment(organization=organization, user=user)
    question = next(iter(scoring.Framework.from_dict(assessment.framework.definition).questions())).id
    item = services.EvidenceInput(
        question_id=question,
        title="Report",
        effective_date=dt.date(2026, 1, 1),
        url="" if upload else "https://example.com/report.pdf",
        upload=io.BytesIO(b"%PDF-1.4\n%%EOF\n") if upload else None,
        upload_size=15 if upload else None,
    )
    if upload:
        item.upload.name = "report.pdf"  # type: ignore[union-attr]
    evidence = services.evidence_add(assessment=assessment, item=item, user=user)
    return {"pk": assessment.pk, "evidence_id": evidence.pk}


def _evidence_file(organization: Any, user: Any) -> dict[str, Any]:
    return _evidence(organization, user, upload=True)


def _comment(organization: Any, user: Any) -> dict[str, Any]:
    assessment = start_assessment(organization=organization, user=user)
    question = next(iter(scoring.Framework.from_dict(assessment.framework.definition).questions())).id
    comment = services.comment_add(assessment=assessment, question_ref=question, body="A note.", user=user)
    return {"pk": assessment.pk, "comment_id": comment.pk}


DRAFT = {"row": _draft}
CONTRACTS = [
    Contract("api:assessments:framework-list", write=("post",)),
    Contract("api:assessments:framework-detail", row=_own_framework),
    Contract("api:assessments:assessment-list", write=("post",), grow=_grow_assessments),
    Contract("api:assessments:assessment-detail", write=("put", "patch", "delete"), **DRAFT),
    Contract("api:assessments:assessment-answers", write=("post",), **DRAFT),
    Contract("api:assessments:assessment-clear-answer", read=(), write=("delete",), row=_answered),
    Contract("api:assessments:assessment-reassess", read=(), write=("post",), row=_scored),
    Contract("api:assessments:assessment-results", row=_scored),
    Contract("api:assessments:assessment-retry", read=(), write=("post",), **DRAFT),
    Contract("api:assessments:assessment-roadmap", row=_scored),
    Contract("api:assessments:assessment-roadmap-item", read=(), write=("patch",), row=_roadmap_item),
    Contract("api:assessments:assessment-roadmap-item-push", read=(), write=("post",), row=_roadmap_item),
    Contract("api:assessments:assessment-roadmap-projection", row=_scored),
    Contract("api:assessments:assessment-scoring-status", row=_scored),
    Contract("api:assessments:assessment-submit", read=(), write=("post",), **DRAFT),
    Contract("api:assessments:assessment-history", **DRAFT),
    Contract("api:assessments:assessment-answer-history", row=_answered),
    Contract("api:assessments:assessment-roadmap-item-history", row=_roadmap_item),
    Contract("api:assessments:assessment-reassess-preview", row=_scored),
    Contract("api:assessments:assessment-evidence", write=("post",), **DRAFT),
    Contract("api:assessments:assessment-evidence-file", row=_evidence_file),
    Contract("api:assessments:assessment-remove-evidence", read=(), write=("delete",), row=_evidence),
    # collaboration (docs/collaboration.md); their flat query counts are pinned in test_collaboration.py
    Contract("api:assessments:assessment-assigned-to-me"),
    Contract("api:assessments:assessment-assignments", write=("post",), **DRAFT),
    Contract("api:assessments:assessment-remove-assignment", read=(), write=("delete",), row=_assignment),
    Contract("api:assessments:assessment-reviews", **DRAFT),
    Contract("api:assessments:assessment-review-area", read=(), write=("post",), row=_area),
    Contract("api:assessments:assessment-comments", write=("post",), **DRAFT),
    Contract("api:assessments:assessment-edit-comment", read=(), write=("patch",), row=_comment),
]

globals().update(contract_tests(CONTRACTS))
