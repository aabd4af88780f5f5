"""Every reports route under /api/v1/ keeps the API's contract (``config.api_contracts``): anonymous 401, viewers
read and never write, another organization's report or assessment 404 for every method, list queries flat."""

from __future__ import annotations

from typing import Any

import pytest

from config.api_contracts import Contract, contract_tests
from reports import services

from .report_fixtures import scored_assessment

pytestmark = pytest.mark.usefixtures("quick", "no_browser")


def _report(organization: Any, user: Any) -> dict[str, Any]:
    assessment = scored_assessment(organization, user)
    report = services.report_request(organization=organization, assessment=assessment, user=user, page_size="A4")
    return {"pk": report.pk}


def _grow_reports(organization: Any, user: Any, n: int) -> None:
    assessment = scored_assessment(organization, user)
    for _ in range(n):
        services.report_request(organization=organization, assessment=assessment, user=user, page_size="A4")


def _scores(organization: Any, user: Any) -> dict[str, Any]:
    return {"pk": scored_assessment(organization, user).pk, "dataset": "scores"}


CONTRACTS = [
    Contract("api:reports:report-list", write=("post",), grow=_grow_reports),
    Contract("api:reports:report-detail", row=_report),
    Contract("api:reports:report-download", row=_report),
    Contract("api:reports:report-status", row=_report),
    Contract("api:reports:report-retry", read=(), write=("post",), row=_report),
    Contract("api:reports:export-assessment", row=_scores),
    Contract("api:reports:export-inventory"),
]

globals().update(contract_tests(CONTRACTS))
