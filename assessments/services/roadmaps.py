"""The roadmap: built after scoring from the stored result (its gaps and contradictions) and the capacity
shortfalls of the fleet, then tracked by people.

`roadmap_build` reads the stored result (`selectors.result_for`; never scores again), plans with the pure engine
(`assessments.roadmap`) and writes every item in bulk: a fixed number of statements whatever the number of items,
and one raise of the organization's data version (bulk writes send no signals).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.integrations.webhooks import webhook_emit
from accounts.models import Organization, WebhookEvent
from accounts.services import organization_data_changed
from config.errors import ErrorItem, Invalid
from config.history import history_record_bulk
from inventory import capacity
from inventory.facts import shown
from inventory.money import format_money

from .. import roadmap, scoring
from ..models import Answer, AnswerSource, Assessment, AssessmentResult, Evidence, RoadmapItem, RoadmapStatus
from ..results import ResultArea, StoredResult
from ..selectors import answer_shown, grounded_area_score, result_for
from .frameworks import framework_parse

OVERHEAD = capacity.DEFAULT_SERVER_OVERHEAD_FACTOR
"""Server overhead of a rated accelerator (TDP x 1.821, NVIDIA DGX H100 datasheet), as the capacity page's."""
CAPACITY_AREA = "hardware"
"""Area of capacity-shortfall items (procuring or renting accelerators is a hardware decision)."""
COMPUTED_FIELDS = (
    "rank", "phase", "kind", "area_ref", "question_ref", "title", "action", "why", "effort", "effort_cost",
    "priority", "risk", "current_score", "target_score", "gap_points", "current_area_score", "expected_area_score",
    "depends_on", "details", "in_plan",
)  # fmt: skip
"""What a rebuild rewrites; the tracking (status, reason, owner, due date) belongs to the users."""


def _gap_why(question: scoring.Question, answer: Answer | None, item: roadmap.RoadmapItem, currency: str) -> str:
    """The answer in words with its unit ("66.7 %", "€166/month" in the reporting ``currency``), the scores and the
    area by its name."""
    source = "from the inventory" if answer is not None and answer.source == AnswerSource.INVENTORY else "self-reported"
    answered = answer_shown(question=question, value=None if answer is None else answer.value, currency=currency)
    return (
        f"“{question.text}” was answered {answered} ({source}); it scores {item.current_score:.0f} against the "
        f"target {item.target_score:.0f} of area {item.area_name or item.area_id} (risk {item.risk.value})."
    )


def _verify_items(stored: StoredResult) -> list[roadmap.ExternalItem]:
    """One "verify the facts first" item per area whose self-assessment and evidence disagree by > 30 points."""
    return [
        roadmap.ExternalItem(
            id=f"VERIFY-{area.area_id}",
            title=f"Verify the facts of {area.name} before acting on them",
            action=(
                "The answers and the inventory disagree. Check the inventory records and the answers with their "
                "owners, correct whichever is wrong, then re-assess."
            ),
            effort="S",
            area_id=area.area_id,
            gap_points=abs(area.self_score - area.evidence_score),
            risk=scoring.Risk.MEDIUM,
            blocks_area=True,
            kind="verify",
        )
        for area in stored.contradicted
        if area.self_score is not None and area.evidence_score is not None
    ]


def _evidence_items(
    assessment: Assessment, framework: scoring.Framework
) -> tuple[list[roadmap.ExternalItem], dict[str, dict[str, Any]]]:
    """One "refresh evidence" item per question whose files or links have expired (one query).

    Its gap is the share of the question's evidence that expired (x 100); its risk medium. Expired evidence also
    lowers the area's confidence (`scoring.confidence_share`).
    """
    today = timezone.localdate()
    by_question: dict[str, list[Evidence]] = {}
    for item in Evidence.objects.filter(assessment=assessment).order_by("question_id", "expires_on", "pk"):
        by_question.setdefault(item.question_id, []).append(item)
    items: list[roadmap.ExternalItem] = []
    details: dict[str, dict[str, Any]] = {}
    areas = {q.id: area.id for area in framework.areas for q in area.questions()}
    for question_id, evidence in by_question.items():
        expired = [e for e in evidence if e.is_expired(today)]
        if not expired or question_id not in areas:
            continue
        item_id = f"EVIDENCE-{question_id}"
        details[item_id] = {
            "question_id": question_id,
            "question": framework.question(question_id).text,
            "expired": [{"title": e.title, "expired_on": e.expires_on.isoformat()} for e in expired],
            "items": len(evidence),
        }
        items.append(
            roadmap.ExternalItem(
                id=item_id,
                title=_evidence_title([e.title for e in expired]),
                action="Replace the expired files or links with current ones, each with its effective date and expiry.",
                effort="S",
                area_id=areas[question_id],
                gap_points=100.0 * len(expired) / len(evidence),
                risk=scoring.Risk.MEDIUM,
                kind="evidence",
            )
        )
    return items, details


def _evidence_title(expired: list[str]) -> str:
    """The item's title in words, naming the expired evidence (at most 200 characters a title, so under 300)."""
    if len(expired) == 1:
        return f"Refresh the expired evidence “{expired[0]}”"
    return f"Refresh {len(expired)} expired pieces of evidence (“{expired[0]}” and {len(expired) - 1} more)"


def _evidence_why(figures: Mapping[str, Any]) -> str:
    names = ", ".join(f"“{e['title']}” (expired {e['expired_on']})" for e in figures["expired"])
    expired, items, question = len(figures["expired"]), figures["items"], figures["question"]
    if items == 1:
        which = f"The only piece of evidence behind “{question}” has expired"
    elif expired == items:
        which = f"All {items} pieces of evidence behind “{question}” have expired"
    else:
        verb = "has" if expired == 1 else "have"
        which = f"{expired} of the {items} pieces of evidence behind “{question}” {verb} expired"
    return f"{which}: {names}. Expired evidence lowers the area's confidence."


def _capacity_items(
    organization: Organization, scope: Any = None
) -> tuple[list[roadmap.ExternalItem], dict[str, dict[str, Any]]]:
    """One item per workload the fleet cannot run, with the accelerators, power, energy cost and carbon to add.

    Extra accelerators = GPUs needed - GPUs available in the pool that comes closest; their power is rated
    (`capacity.rated_server_watts`: an integrated system's power, else TDP x server overhead), as the capacity
    page's what-if adds them: they are not bought yet, so nothing measured them; energy, cost and tCO2e
    per month follow `inventory.capacity` at the pool's site (PUE, price, grid intensity). Energy cost only: the
    inventory holds no purchase prices.
    """
    from inventory.analysis import analyse

    summary = analyse(organization=organization, scope=scope)  # the assessment's scope
    sites = {footprint.site.pk: footprint for footprint in summary.sites}
    items: list[roadmap.ExternalItem] = []
    details: dict[str, dict[str, Any]] = {}
    for verdict in summary.verdicts:
        if verdict.fits or verdict.problem:  # a workload whose values need correcting asks for no capacity
            continue
        workload = verdict.workload
        item_id = f"CAP-{workload.pk}"
        fit, pool = verdict.fit, verdict.pool
        needed = None if fit is None else fit.gpus_needed
        figures: dict[str, Any] = {"workload": workload.name, "reasons": list(verdict.reasons)}
        if fit is not None and pool is not None and needed is not None and needed > fit.gpus_available:
            extra = needed - fit.gpus_available
            accelerator = pool.pool.accelerator
            site = sites.get(pool.site.pk) if pool.site is not None else None
            figures.update(accelerator=accelerator.name, add_accelerators=extra, needed=needed)
            figures["where"] = pool.label
            # Accelerators to add are not measured: rated, as the capacity page's what-if adds them (one rule)
            added_w = capacity.rated_server_watts(extra, accelerator.tdp_w, accelerator.system_power_w)
            if added_w:
                watts = added_w / extra
                figures["add_it_kw"] = added_w / 1000
                rated = capacity.rated_server_words(accelerator.tdp_w, accelerator.system_power_w)
                figures["power_basis"] = f"rated: {rated}"
                if site is not None:
                    kwh = capacity.energy_kwh(extra, watts, capacity.HOURS_PER_MONTH, site.pue)
                    figures.update(add_kwh_month=kwh, pue=site.pue, g_per_kwh=site.g_per_kwh)
                    figures["add_tco2_month"] = capacity.emissions_kg(kwh, site.g_per_kwh) / 1000
                    if site.price_per_kwh is not None:
                        figures["add_cost_month"] = capacity.energy_cost(kwh, site.price_per_kwh)
                        figures["currency"] = site.currency
            where = pool.site.name if pool.site is not None else pool.label
            verb = "serve" if workload.kind == "inference" else "run"
            title = f"Add {extra} {accelerator.name} at {where} to {verb} {workload.name}"
            gap_points = min(100.0, 100.0 * extra / needed)
        else:
            title = f"Find capacity for {workload.name}"
            gap_points = 100.0
        figures["sources"] = [
            "inventory/capacity.py: GPUs needed (docs/capacity.md)",
            "power = the accelerators to add at their rated whole-server watts, as the capacity page's what-if "
            f"adds them: an integrated system's power, else TDP x server overhead {OVERHEAD:.3f} (DGX H100 datasheet); "
            "hardware not yet bought is not measured",
            "energy = kW x PUE x 730 h; tCO2e = kWh x grid gCO2e/kWh / 1e6",
        ]
        details[item_id] = figures
        items.append(
            roadmap.ExternalItem(
                id=item_id,
                title=title,
                action=(
                    "Decide between procuring or renting the accelerators, or shrinking the workload (quantization, "
                    "a smaller model, a lower request rate); record the decision with an owner and a date."
                ),
                effort="L",
                area_id=CAPACITY_AREA,
                gap_points=gap_points,
                risk=scoring.Risk.HIGH,
                kind="capacity",
            )
        )
    return items, details


def _capacity_why(figures: Mapping[str, Any]) -> str:
    reasons = " ".join(figures.get("reasons", []))
    if "add_accelerators" not in figures:
        return f"Workload {figures['workload']} does not fit the fleet. {reasons}".strip()
    parts = [
        f"Workload {figures['workload']} needs {figures['needed']} {figures['accelerator']}; "
        f"{figures['needed'] - figures['add_accelerators']} are available at {figures['where']}."
    ]
    if "add_it_kw" in figures:
        basis = f" ({figures['power_basis']})" if figures.get("power_basis") else ""
        parts.append(f"Adding them draws +{figures['add_it_kw']:.1f} kW IT{basis}")
        if "add_kwh_month" in figures:
            parts.append(
                f", +{figures['add_kwh_month']:,.0f} kWh and +{figures['add_tco2_month']:.2f} tCO2e per month"
                f" (PUE {figures['pue']:g}, {figures['g_per_kwh']:g} gCO2e/kWh)"
            )
        if "add_cost_month" in figures:
            parts.append(f", +{format_money(figures['add_cost_month'], figures['currency'])} of energy per month")
        parts.append(".")
    return "".join(parts[:1]) + " " + "".join(parts[1:]) + (f" {reasons}" if reasons else "")


def _verify_why(area: ResultArea) -> str:
    facts = ", ".join(f"{fact.label}: {shown(fact.answer_value, fact.unit)}" for fact in area.evidence)
    return (
        f"Self-assessed {area.self_score:.0f} but the inventory's evidence gives {area.evidence_score:.0f}"
        f" (more than {scoring.CONTRADICTION_THRESHOLD:.0f} points apart). Facts: {facts or 'none'}."
    )


def _area_effects(
    framework: scoring.Framework, stored: StoredResult, plan: roadmap.Roadmap
) -> dict[str, tuple[float | None, float | None]]:
    """Each item's area score now and, for a gap item, if this item alone were done (any other item changes no
    answer: the same score twice), as the results show the area's score (the grounded one: the respondents'
    answers blended with the inventory's evidence), not the questionnaire's own mean of all answers, which no
    page shows: `selectors.grounded_area_score` over the area's self-assessed score now and with the item's
    question raised to the area's target (`roadmap.project_source_area`: only the item's own area is scored, as
    no other area moves). An item whose question was pre-filled from the inventory leaves the area's score as it
    is: the evidence scores that question."""
    result = stored.as_scoring_result()
    self_now: dict[str, float | None] = {}
    effects: dict[str, tuple[float | None, float | None]] = {}
    for item in plan.items:
        if item.area_id is None:
            continue
        try:
            area = stored.area(item.area_id)
        except KeyError:
            continue
        if item.kind != "gap":  # verify, capacity and evidence items change no answer: the area's score as it is
            effects[item.id] = (area.score, area.score)
            continue
        if item.area_id not in self_now:
            self_now[item.area_id] = roadmap.project_source_area(framework, result, item.area_id, ())
        after = roadmap.project_source_area(framework, result, item.area_id, {item.id})
        effects[item.id] = (area.score, grounded_area_score(area, self_now[item.area_id], after))
    return effects


def _planned_values(
    planned: roadmap.RoadmapItem,
    framework: scoring.Framework,
    stored: StoredResult,
    answers: Mapping[str, Answer],
    capacity_details: Mapping[str, dict[str, Any]],
    currency: str,
    effects: Mapping[str, tuple[float | None, float | None]],
) -> dict[str, Any]:
    """The computed fields of one planned item, with the words and figures behind it (a gap item's area scores
    from `_area_effects`)."""
    details: dict[str, Any] = {}
    if planned.kind == "gap":
        question = framework.question(planned.question_id)
        why = _gap_why(question, answers.get(planned.question_id), planned, currency)
        details = {"question": question.text, "recommendation_impact": question.recommendation.impact}
    elif planned.kind == "verify":
        area = stored.area(planned.area_id)
        why = _verify_why(area)
        details = {
            "self_score": area.self_score,
            "evidence_score": area.evidence_score,
            "evidence": [fact.as_json() for fact in area.evidence],
        }
    elif planned.kind == "evidence":
        details = capacity_details[planned.id]
        why = _evidence_why(details)
    else:
        details = capacity_details[planned.id]
        why = _capacity_why(details)
    values = {
        name: getattr(planned, name)
        for name in (
            "rank", "title", "action", "effort", "effort_cost", "priority", "current_score", "target_score",
            "gap_points", "current_area_score", "expected_area_score",
        )
    }  # fmt: skip
    if planned.id in effects:
        values["current_area_score"], values["expected_area_score"] = effects[planned.id]
    values.update(
        phase=planned.phase.value,
        kind=planned.kind,
        area_ref=planned.area_id or "",
        question_ref=planned.question_id or "",
        why=why,
        risk=planned.risk.value,
        depends_on=list(planned.depends_on),
        details=details,
        in_plan=True,
    )
    if planned.kind == "evidence":
        values["question_ref"] = details["question_id"]
    return values


@transaction.atomic
def roadmap_build(*, assessment_id: int) -> list[RoadmapItem]:
    """Build (or rebuild) the roadmap of a scored assessment from its stored result and store it; idempotent.

    Computed fields are rewritten; the tracking (status, reason, owner, due date) of items already there is kept.
    Items no longer needed are deleted if nobody tracked them, else kept with ``in_plan=False``. Items of the
    previous assessment that were tracked link to their successor (``carried_from``) and pass on their owner.
    A fixed number of queries whatever the number of items: reads, then bulk writes (as many statements as the
    database's batches need: one on PostgreSQL), then one raise of the data version when anything changed.
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("framework", "organization", "result")
        .get(pk=assessment_id)
    )
    stored = result_for(assessment=assessment)
    if stored is None:
        raise AssessmentResult.DoesNotExist(f"Assessment {assessment_id} has no stored result to plan from.")
    framework = framework_parse(assessment.framework)
    answers = {a.question_id: a for a in assessment.answers.all()}
    capacity_items, capacity_details = _capacity_items(assessment.organization, assessment.analysis_scope)
    evidence_items, evidence_details = _evidence_items(assessment, framework)
    capacity_details = {**capacity_details, **evidence_details}
    plan = roadmap.build_roadmap(
        framework, stored.as_scoring_result(), [*_verify_items(stored), *capacity_items, *evidence_items]
    )

    existing = {item.item_id: item for item in assessment.roadmap_items.all()}
    previous = {}
    if assessment.previous_id is not None:
        previous = {
            item.item_id: item
            for item in RoadmapItem.objects.filter(assessment_id=assessment.previous_id).exclude(
                status=RoadmapStatus.PROPOSED
            )
        }
    now = timezone.now()
    created: list[RoadmapItem] = []
    changed: list[RoadmapItem] = []
    kept: list[RoadmapItem] = []
    effects = _area_effects(framework, stored, plan)
    for planned in plan.items:
        values = _planned_values(
            planned, framework, stored, answers, capacity_details, assessment.organization.reporting_currency, effects
        )
        row = existing.pop(planned.id, None)
        if row is None:
            row = RoadmapItem(assessment=assessment, organization_id=assessment.organization_id, item_id=planned.id)
            before = previous.get(planned.id)
            if before is not None:
                row.carried_from = before
                row.owner_id = before.owner_id
            created.append(row)
        elif any(getattr(row, name) != value for name, value in values.items()):
            changed.append(row)
        else:
            kept.append(row)
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.updated = now
        kept.append(row)
    RoadmapItem.objects.bulk_create(created)
    RoadmapItem.objects.bulk_update(changed, [*COMPUTED_FIELDS, "updated"])
    dropped = list(existing.values())
    untracked = [row.pk for row in dropped if row.status == RoadmapStatus.PROPOSED]
    last = len(kept) + 1
    aside_rows = [row for row in dropped if row.pk not in untracked and (row.in_plan or row.rank != last)]
    set_aside = [row.pk for row in aside_rows]
    for row in aside_rows:
        row.in_plan, row.rank = False, last
    # The history of the rebuild: one statement (in the database's batches) for every row created, changed, set
    # aside or deleted (bulk writes send no signals).
    history_record_bulk(
        RoadmapItem,
        [*changed, *aside_rows],
        created=created,
        deleted=[row for row in dropped if row.pk in untracked],
        reason="roadmap rebuilt",
    )
    _delete_untracked(untracked)
    if set_aside:
        RoadmapItem.objects.filter(pk__in=set_aside).update(in_plan=False, rank=last)
    if created or changed or untracked or set_aside:
        organization_data_changed(organization_id=assessment.organization_id)
    return kept


def _delete_untracked(pks: list[int]) -> None:
    """Delete items nobody tracked in two statements, without Django's per-row delete signals (the caller raises
    the data version once): items carried from them forget it (their ``on_delete=SET_NULL``), then they go."""
    if not pks:
        return
    RoadmapItem.objects.filter(carried_from_id__in=pks).update(carried_from=None)
    doomed = RoadmapItem.objects.filter(pk__in=pks)
    doomed._raw_delete(doomed.db)


ROADMAP_TRACKED_FIELDS = ("status", "status_reason", "owner_id", "due_date")


def roadmap_item_check(*, item: RoadmapItem, changes: Mapping[str, Any]) -> tuple[str, str, int | None]:
    """The status, reason and owner id ``changes`` would give ``item``; `Invalid` naming each bad field.

    A dismissal needs a reason; leaving "dismissed" clears it. The owner must be a member of the organization. A new
    due date cannot be in the past (as an area's, `owners`); an item already overdue keeps its date while other
    fields change.
    """
    errors: list[ErrorItem] = []
    status = changes.get("status") or item.status
    if status not in RoadmapStatus.values:
        errors.append(ErrorItem(f"Choose one of: {', '.join(RoadmapStatus.values)}.", "invalid_choice", field="status"))
    reason = (changes.get("status_reason", item.status_reason) or "").strip()
    if status == RoadmapStatus.DISMISSED and not reason:
        errors.append(ErrorItem("Say why the item is dismissed.", "required", field="status_reason"))
    elif status != RoadmapStatus.DISMISSED:
        reason = ""
    owner_id = changes.get("owner_id", item.owner_id)
    if owner_id is not None and not item.organization.memberships.filter(user_id=owner_id).exists():
        errors.append(ErrorItem("The owner must be a member of the organization.", "not_a_member", field="owner"))
    due_date = changes.get("due_date", item.due_date)
    if due_date is not None and due_date != item.due_date and due_date < timezone.localdate():
        errors.append(ErrorItem("The due date is in the past.", "past_due_date", field="due_date"))
    if errors:
        raise Invalid(errors)
    return status, reason, owner_id


def roadmap_item_update(*, item: RoadmapItem, changes: Mapping[str, Any], user: AbstractBaseUser) -> RoadmapItem:
    """Track an item: change any of ``status``, ``status_reason``, ``owner_id`` and ``due_date`` (others ignored),
    checked by :func:`roadmap_item_check`."""
    changes = {name: value for name, value in changes.items() if name in ROADMAP_TRACKED_FIELDS}
    before = {name: getattr(item, name) for name in ROADMAP_TRACKED_FIELDS}
    item.status, item.status_reason, item.owner_id = roadmap_item_check(item=item, changes=changes)
    item.due_date = changes.get("due_date", item.due_date)
    item.updated_by = user
    item._history_user = user  # the history's author, whichever channel (web, API, admin, a task) changed it
    with transaction.atomic():
        item.save(update_fields=["status", "status_reason", "owner", "due_date", "updated_by", "updated"])
        changed = {
            name.removesuffix("_id"): {"before": before[name], "after": getattr(item, name)}
            for name in ROADMAP_TRACKED_FIELDS
            if getattr(item, name) != before[name]
        }
        if changed:
            _announce_change(item, changed, user)
    return item


def _announce_change(item: RoadmapItem, changed: dict[str, dict[str, Any]], user: AbstractBaseUser) -> None:
    """``roadmap.item.changed``: the item as it is now and what changed (owners by user name)."""
    if "owner" in changed:
        ids = [value for value in changed["owner"].values() if value]
        users = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        changed["owner"] = {key: users.get(value) for key, value in changed["owner"].items()}
    webhook_emit(
        organization_id=item.organization_id,
        event=WebhookEvent.ROADMAP_ITEM_CHANGED,
        data={
            "assessment": {"id": item.assessment_id},
            "item": {
                "item_id": item.item_id,
                "title": item.title,
                "phase": item.phase,
                "rank": item.rank,
                "status": item.status,
                "due_date": item.due_date,
                "issue_url": item.tracker_url or None,
            },
            "changes": changed,
            "changed_by": getattr(user, "username", ""),
        },
    )
