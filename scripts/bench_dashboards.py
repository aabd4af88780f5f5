#!/usr/bin/env python
"""Benchmark of the dashboard pages on a large organization: 10,000 servers and 50 scored assessments by default.

    .venv/bin/python scripts/bench_dashboards.py                      # SQLite (a file in a temporary folder)
    .venv/bin/python scripts/bench_dashboards.py --servers 1000 --assessments 5
    DATABASE_URL=postgres://infraready:infraready@127.0.0.1:5432/infraready .venv/bin/python scripts/bench_dashboards.py

It creates a throw-away test database, an organization with three sites, N active servers (bulk_create, as the
import does), cloud capacity and four workloads, then M assessments scored one after the other through the services
(each a re-assessment of the one before, answers varying), and requests every dashboard page through Django's test
client: cold (cache cleared: every figure built) and warm (from the cache), with the queries of each. Results go
into docs/performance.md by hand. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarking import scratch_database  # first: the project on sys.path, test settings

REPEAT = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--assessments", type=int, default=50)
    args = parser.parse_args()

    with scratch_database():
        run(args.servers, args.assessments)


def seed(servers: int, assessments: int):  # noqa: ANN201 - returns (user, organization)
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Organization, Role
    from accounts.services import organization_data_changed
    from assessments import services
    from assessments.selectors import default_framework
    from inventory.models import AcceleratorType, CloudCapacity, ModelProfile, Server, Site, Workload

    user = get_user_model().objects.create_user("bench")  # logged in by force_login
    organization = Organization.objects.create(name="Bench Corp", slug="bench-corp")
    Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    sites = [
        Site.objects.create(
            organization=organization, name=name, country=country, pue=pue, currency=currency,
            electricity_price_per_kwh=price, power_capacity_kw=capacity_kw,
        )
        for name, country, pue, currency, price, capacity_kw in (
            ("Frankfurt", "DE", 1.3, "EUR", "0.19", 40_000.0),
            ("Dublin", "IE", 1.4, "EUR", "0.22", 30_000.0),
            ("Ashburn", "US", 1.5, "USD", "0.08", 50_000.0),
        )
    ]  # fmt: skip
    kinds = [AcceleratorType.objects.get(organization=None, model=m) for m in ("H100 SXM", "A100 SXM 80GB", "L40S")]
    started = time.perf_counter()
    Server.objects.bulk_create(
        (
            Server(
                organization=organization,
                site=sites[i % 3],
                hostname=f"gpu-{i:06d}.example.net",
                accelerator_type=kinds[i % 3],
                accelerator_count=8,
                power_w=10_200,
            )
            for i in range(servers)
        ),
        batch_size=1000,
    )
    organization_data_changed(organization_id=organization.pk)  # bulk writes send no signals
    CloudCapacity.objects.create(
        organization=organization, provider="AWS", region="eu-central-1", instance_type="p5.48xlarge",
        accelerator_type=kinds[0], accelerators_per_instance=8, instances=4, hourly_price="98.32",
    )  # fmt: skip
    llama = ModelProfile.objects.get(organization=None, name="Llama-3.1-70B")
    for n, rps in enumerate((5.0, 50.0, 200.0, 2000.0)):
        Workload.objects.create(
            organization=organization, name=f"Assistant {n}", kind="inference", model_profile=llama,
            requests_per_second=rps, prompt_tokens=1000, output_tokens=250,
        )  # fmt: skip
    print(f"{servers:,} servers, 4 workloads: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    framework = services.framework_parse(default_framework())
    previous = None
    for n in range(assessments):
        if previous is None:
            assessment = services.assessment_create(
                organization=organization, framework=default_framework(), title="Assessment 1", user=user
            )
        else:
            assessment = services.assessment_reassess(previous=previous, user=user)
        level = min(4, n * 4 // max(1, assessments - 1))
        items = [
            services.AnswerInput(q.id, level if q.type == "maturity" else _weak(q))
            for q in framework.questions()
            if not (q.inventory_fact and assessment.answers.filter(question_id=q.id, source="inventory").exists())
        ]
        services.answers_save(assessment=assessment, items=items, user=user)
        services.assessment_submit(assessment=assessment, user=user)
        previous = assessment
    print(f"{assessments} scored assessments with their roadmaps: {time.perf_counter() - started:.1f} s")
    return user, organization


def _weak(question):  # noqa: ANN001, ANN202 - the lowest answer of a non-maturity question
    if question.type == "yes_no":
        return question.yes_score < 50
    if question.type == "choice":
        return min(question.options, key=lambda option: option.score).id
    return question.numeric.zero_score_at


def run(servers: int, assessments: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reports.selectors import latest_scored_assessment

    user, organization = seed(servers, assessments)
    latest = latest_scored_assessment(organization=organization)
    client = Client()
    client.force_login(user)
    pages = {
        "overview /": "/",
        "assessment /reports/assessments/<pk>/": f"/reports/assessments/{latest.pk}/",
        "inventory /reports/inventory/": "/reports/inventory/",
        "energy /reports/energy/": "/reports/energy/",
        "trend /reports/trend/": "/reports/trend/",
        "roadmap /assessments/<pk>/roadmap/": f"/assessments/{latest.pk}/roadmap/",
    }

    def timed(url: str) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(captured)

    for url in pages.values():  # imports, template compilation: not what is measured
        cache.clear()
        client.get(url)
    print(f"\n| page ({servers:,} servers, {assessments} assessments) | cold | warm | queries cold / warm |")
    print("| --- | --- | --- | --- |")
    for label, url in pages.items():
        colds, warms = [], []
        for _ in range(REPEAT):
            cache.clear()
            cold, cold_queries = timed(url)
            warm, warm_queries = timed(url)
            colds.append(cold)
            warms.append(warm)
        print(
            f"| {label} | {statistics.median(colds) * 1000:,.0f} ms | {statistics.median(warms) * 1000:,.0f} ms "
            f"| {cold_queries} / {warm_queries} |"
        )
    cache.clear()
    started = time.perf_counter()
    for url in pages.values():
        client.get(url)
    print(f"\nEvery page once from a cleared cache: {(time.perf_counter() - started) * 1000:,.0f} ms")
    print(f"(median of {REPEAT} runs per page; database: {connection.vendor})")


if __name__ == "__main__":
    main()
