"""The trend: every scored assessment with its result (`scored_with_results`), the one the home page headlines
with the result it is compared with (`headline_with_results`), scopes in words, and the trend's points."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from accounts.models import Organization
from assessments.models import WHOLE_ORGANIZATION_LABEL, Assessment, AssessmentStatus, scope_label
from assessments.results import StoredResult
from assessments.selectors import assessments_with_results
from inventory.analysis import WHOLE_ORGANIZATION, Scope

from ..charts import TrendPoint
from .results import Results


def scored_with_results(*, organization: Organization) -> list[tuple[Assessment, StoredResult]]:
    """Every scored assessment of the organization with its typed result, in submission order (two queries: the
    assessments with their results, and every score of those results)."""
    scored = Assessment.objects.filter(organization=organization, status=AssessmentStatus.SCORED).order_by(
        "submitted_at", "result__pk"
    )
    return assessments_with_results(assessments=scored)


def headline_with_results(scored: list[tuple[Assessment, StoredResult]]) -> tuple[Assessment | None, Results]:
    """From `scored_with_results`, without a query: the assessment the home page headlines (`headline_assessment`'s
    rule: the last submitted, then the highest id, of the whole organization's; of any scope when none covers the
    whole organization) and its `Results`, compared with the result `previous_result_id` names (of the same scope:
    the assessment it re-assesses if scored, else the last scored one submitted before it).
    `reports.tests.test_dashboards_cost` checks both against those selectors."""
    if not scored:
        return None, Results(None)
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    whole = [pair for pair in scored if pair[0].scope_key == WHOLE_ORGANIZATION.key]
    latest, current = max(whole or scored, key=lambda pair: (pair[0].submitted_at or never, pair[0].pk))
    others = [pair for pair in scored if pair[0].pk != latest.pk and pair[0].scope_key == latest.scope_key]
    chosen = [pair for pair in others if pair[0].pk == latest.previous_id]
    if not chosen and latest.submitted_at is not None:
        earlier = [pair for pair in others if pair[0].submitted_at and pair[0].submitted_at < latest.submitted_at]
        chosen = sorted(earlier, key=lambda pair: (pair[0].submitted_at, pair[0].result.pk), reverse=True)[:1]
    if not chosen:
        return latest, Results(current)
    previous, result = chosen[0]
    return latest, Results(current, result, previous.title)


@dataclass(frozen=True)
class ScopeWords:
    """An assessment's scope in words: ``label`` as `Assessment.scope_label` says it ("whole organization", "Berlin,
    Munich Lab", "every site; workloads: ..."), and the names of the sites it names (empty: every site)."""

    label: str
    sites: tuple[str, ...] = ()


def scope_words(*, assessments: Iterable[Assessment]) -> dict[str, ScopeWords]:
    """Each scope key of the assessments -> its `ScopeWords`, read from one assessment of each key. No query when
    every one covers the whole organization; else one for each kind of record the scoped ones name (sites,
    workloads, cloud reservations)."""
    one_each = {assessment.scope_key: assessment for assessment in assessments}
    words = {key: ScopeWords(WHOLE_ORGANIZATION_LABEL) for key in one_each if key == WHOLE_ORGANIZATION.key}
    scoped = [assessment for key, assessment in one_each.items() if key != WHOLE_ORGANIZATION.key]
    if not scoped:
        return words
    scopes = [Scope.from_key(assessment.scope_key) for assessment in scoped]
    named = {
        "sites": any(scope.site_ids for scope in scopes),
        "workloads": any(scope.workload_ids for scope in scopes),
        "cloud_capacity": any(scope.cloud_capacity_ids for scope in scopes),
    }
    prefetch_related_objects(scoped, *(relation for relation, any_named in named.items() if any_named))
    for assessment in scoped:
        sites = sorted(site.name for site in assessment.sites.all()) if named["sites"] else []
        label = scope_label(
            sites=sites,
            workloads=[workload.name for workload in assessment.workloads.all()] if named["workloads"] else [],
            clouds=[str(cloud) for cloud in assessment.cloud_capacity.all()] if named["cloud_capacity"] else [],
        )
        words[assessment.scope_key] = ScopeWords(label, tuple(sites))
    return words


def scope_text(words: ScopeWords, organization_sites: int) -> str:
    """A scope as the home page says it: "the whole organization"; the sites it names counted against the
    organization's ("2 of 5 sites (Berlin, Munich Lab)", with its workloads or cloud reservations when it names
    them too); else its label ("every site; workloads: Llama serving")."""
    if words.label == WHOLE_ORGANIZATION_LABEL:
        return f"the {WHOLE_ORGANIZATION_LABEL}"
    if not words.sites:
        return words.label
    named = len(words.sites)
    total = max(organization_sites, named)
    return f"{named} of {total} site{'s' if total != 1 else ''} ({words.label})"


def scope_labels(*, assessments: Iterable[Assessment]) -> dict[str, str]:
    """Each scope key of the assessments -> the scope in words (`Assessment.scope_label`: "whole organization",
    "Munich Lab", ...): the labels of `scope_words`, in as many queries."""
    return {key: words.label for key, words in scope_words(assessments=assessments).items()}


def trend_points(
    *,
    organization: Organization,
    scored: list[tuple[Assessment, StoredResult]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[TrendPoint]:
    """Every scored assessment of the organization in submission order: its index and area scores, by area name,
    and its scope (key and words, `scope_labels`), each scope a line of its own (`scored_with_results`, read here
    unless given; ``labels``, the scopes' words, read here unless given)."""
    if scored is None:
        scored = scored_with_results(organization=organization)
    if labels is None:
        labels = scope_labels(assessments=[assessment for assessment, _ in scored])
    points = []
    for assessment, result in scored:
        when = assessment.submitted_at or assessment.created
        points.append(
            TrendPoint(
                label=assessment.title,
                date=when.date() if isinstance(when, datetime.datetime) else when,
                index=result.readiness_index,
                areas={area.name: area.score for area in result.areas},
                scope_key=assessment.scope_key,
                scope=labels[assessment.scope_key],
            )
        )
    return points
