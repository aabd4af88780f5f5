#!/usr/bin/env python
"""Benchmark of the inventory analysis at fleet scale: the pages and the task that run it, at several fleet sizes.

    .venv/bin/python scripts/bench_analysis.py                       # SQLite, 1k / 10k / 50k servers
    .venv/bin/python scripts/bench_analysis.py --sizes 1000 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/infraready_x .venv/bin/python scripts/bench_analysis.py

For each size it creates a throw-away database (`benchmarking.scratch_database`), an organization with three sites
in two currencies, N active servers of three accelerator types (a third without recorded power, so the TDP rule
runs too), cloud capacity, four workloads and one submitted assessment, and ANALYZEs the database (as PostgreSQL's
autovacuum would after a bulk load: without statistics its planner sorts 50k rows on disk); then measures, median
of ``--repeat`` runs:
the inventory and energy dashboards built afresh (cache cleared), the capacity page and the capacity API built
afresh and from the cache, and the scoring task (scoring, then the roadmap build it queues; eager). A benchmark,
not a test: nothing is asserted. Results go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from benchmarking import scratch_database  # first: the project on sys.path, test settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size in this process, JSON on stdout
    args = parser.parse_args()
    if args.one:
        with scratch_database():
            from django.db import connection

            results = run(args.one, args.repeat)
            print("RESULT " + json.dumps({"vendor": connection.vendor, "results": results}))
        return
    rows: dict[str, dict[int, tuple[float, float, int]]] = {}
    vendor = ""
    for size in args.sizes:  # a process per size: Django sets its test environment up once per process
        command = [sys.executable, __file__, "--one", str(size), "--repeat", str(args.repeat)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603 (itself)
        print("\n".join(line for line in output.splitlines() if not line.startswith("RESULT ")), flush=True)
        data = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
        vendor = data["vendor"]
        for label, measured in data["results"].items():
            rows.setdefault(label, {})[size] = measured
    print(f"\n| measure ({vendor}, median of {args.repeat}) | " + " | ".join(f"{s:,}" for s in args.sizes) + " |")
    print("| --- |" + " --- |" * len(args.sizes))
    for label, by_size in rows.items():
        cells = [
            f"{by_size[s][0] * 1000:,.0f} ms (±{by_size[s][1] * 1000:,.0f}), {by_size[s][2]} q" for s in args.sizes
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")


def seed(servers: int):  # noqa: ANN201 - returns (user, organization, assessment)
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Organization, Role
    from accounts.services import organization_data_changed
    from assessments import services
    from assessments.selectors import default_framework
    from inventory.models import AcceleratorType, CloudCapacity, ModelProfile, Server, Site, Workload

    user = get_user_model().objects.create_user("bench")
    organization = Organization.objects.create(name="Bench Corp", slug="bench-corp")
    Membership.objects.create(user=user, organization=organization, role=Role.OWNER)
    sites = [
        Site.objects.create(
            organization=organization, name=name, country=country, pue=pue, currency=currency,
            electricity_price_per_kwh=price, power_capacity_kw=capacity_kw,
        )
        for name, country, pue, currency, price, capacity_kw in (
            ("Frankfurt", "DE", 1.3, "EUR", "0.19", 400_000.0),
            ("Dublin", "IE", 1.4, "EUR", "0.22", 300_000.0),
            ("Ashburn", "US", 1.5, "USD", "0.08", 500_000.0),
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
                power_w=None if i % 3 == 2 else 10_200,
            )
            for i in range(servers)
        ),
        batch_size=1000,
    )
    organization_data_changed(organization_id=organization.pk)
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
    assessment = services.assessment_create(  # no sign-off: the benchmark submits straight away
        organization=organization, framework=default_framework(), title="Assessment", user=user, sign_off_required=False
    )
    framework = services.framework_parse(default_framework())
    items = [services.AnswerInput(q.id, 2) for q in framework.questions() if q.type == "maturity"]
    services.answers_save(assessment=assessment, items=items, user=user)
    services.assessment_submit(assessment=assessment, user=user)
    from django.db import connection

    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would gather after a bulk load
        cursor.execute("ANALYZE")
    print(f"{servers:,} servers seeded in {time.perf_counter() - started:.1f} s")
    return user, organization, assessment


def run(servers: int, repeat: int) -> dict[str, tuple[float, float, int]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from assessments.models import AssessmentResult
    from assessments.tasks import score_assessment_task

    user, organization, assessment = seed(servers)
    client = Client()
    client.force_login(user)

    def page(url: str, clear: bool) -> tuple[float, int]:
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(captured)

    def scoring() -> tuple[float, int]:
        AssessmentResult.objects.filter(assessment=assessment).delete()  # else scoring returns the stored result
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            score_assessment_task.apply(args=[assessment.pk]).get()
            elapsed = time.perf_counter() - started
        return elapsed, len(captured)

    measures = {
        "inventory dashboard, cold": lambda: page("/reports/inventory/", True),
        "energy dashboard, cold": lambda: page("/reports/energy/", True),
        "capacity page, cold": lambda: page("/inventory/capacity/", True),
        "capacity page, warm": lambda: page("/inventory/capacity/", False),
        "capacity API summary, cold": lambda: page("/api/v1/capacity/summary/", True),
        "scoring task (score + roadmap)": scoring,
    }
    for measure in measures.values():  # imports, template compilation: not what is measured
        measure()
    results = {}
    for label, measure in measures.items():
        times, count = [], 0
        for _ in range(repeat):
            elapsed, count = measure()
            times.append(elapsed)
        spread = (max(times) - min(times)) / 2
        results[label] = (statistics.median(times), spread, count)
        print(f"{servers:,} servers | {label}: {statistics.median(times) * 1000:,.0f} ms, {count} queries")
    return results


if __name__ == "__main__":
    main()
