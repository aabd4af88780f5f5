#!/usr/bin/env python
"""InfraReady's one benchmark: every measure of issue 16 as a ratio to a floor measured in the same run.

    python scripts/bench.py                          # SQLite; 1k / 10k / 50k servers; 5 runs a measure
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/infraready python scripts/bench.py     # PostgreSQL
    python scripts/bench.py --sizes 1000,10000 --runs 3 --import-rows 20000 --only pages,pure
    make bench                                       # the first line, with the project's .venv

It builds its own data in a throw-away database (`scripts/benchmarking.py`: a SQLite file in a temporary folder,
or ``<name>_bench`` beside the database named by ``DATABASE_URL``), removed with the folder at the end:

- one organization per size (``--sizes``), each with three sites, N servers (``bulk_create``, as an import does:
  three accelerator types, every fifth server without recorded power, one in twenty planned or retired), cloud
  capacity, four workloads and ``--assessments`` scored assessments (each re-assessing the one before) plus a
  draft; one user per organization, logged in through the test client;
- the demo organization (``seed_demo``) for the PDF report;
- an organization per import run, with the three sites the CSV file names.

Each measure runs ``--runs`` times (imports ``--import-runs``); each run of a measure is preceded by a run of its
floor, so measure and floor see the same machine load. Printed per measure: the median, its spread (lowest and
highest run), the floor's median, the ratio of the two medians, and the queries of one run. Floors:

- ``hello``: a Django JSON view through the full middleware that loads the session user (`scripts/bench_urls.py`,
  a URLconf only the benchmark uses), for pages, the API and the scoring task;
- ``iterate answers``: a loop over the framework's 74 questions looking up each answer, for the pure scoring and
  roadmap functions;
- ``1-page PDF (browser or WeasyPrint) + 1-figure export``: the least a PDF with a chart costs, printed by the
  renderer the report uses, for the PDF report;
- ``COPY`` (PostgreSQL) or ``executemany`` (SQLite) of the same rows into a table of the same columns, for the
  import. Its ratio is the import's throughput as a fraction of the floor's: 0.33 means a third of COPY speed.

"Cold" pages are requested after clearing the cache, so every figure is built. The machine's load (``uptime``) is
printed before and after each section: on a shared machine, read ratios, not absolute times. A benchmark, not a
test: nothing is asserted beyond each response being a 200.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarking import scratch_database  # first: the project on sys.path, test settings

SECTIONS = ("pages", "pure", "pdf", "api", "import")

# ----------------------------------------------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------------------------------------------


def load() -> str:
    """The machine's load average (1, 5, 15 minutes) and its core count, as ``uptime`` shows them."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@dataclass
class Row:
    measure: str
    size: str
    times: list[float] = field(default_factory=list)
    floor: str = ""
    floor_times: list[float] = field(default_factory=list)
    queries: int | None = None
    note: str = ""
    throughput: bool = False
    """The ratio is floor time / time (a share of the floor's throughput), not time / floor time."""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor_times) if self.floor_times else None

    @property
    def ratio(self) -> float | None:
        floor = self.floor_median
        if not floor:
            return None
        return floor / self.median if self.throughput else self.median / floor


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    return f"{value * 1000:.2f} ms"


class Bench:
    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.rows: list[Row] = []

    def measure(
        self,
        measure: str,
        size: str,
        call: Callable[[], Any],
        *,
        floor: tuple[str, Callable[[], Any]] | None = None,
        before: Callable[[], Any] | None = None,
        runs: int | None = None,
        note: str = "",
        throughput: bool = False,
    ) -> Row:
        """Time ``call`` ``runs`` times, each after ``before`` (untimed) and one run of ``floor``."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        row = Row(measure, size, floor=floor[0] if floor else "", note=note, throughput=throughput)
        for _ in range(runs or self.runs):
            if floor is not None:
                began = time.perf_counter()
                floor[1]()
                row.floor_times.append(time.perf_counter() - began)
            if before is not None:
                before()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                call()
                row.times.append(time.perf_counter() - began)
            row.queries = len(captured)
        self.rows.append(row)
        print(
            f"  {measure} [{size}]: {seconds(row.median)} ({seconds(min(row.times))}-{seconds(max(row.times))}), "
            f"floor {seconds(row.floor_median)}, ratio {_ratio(row)}, {row.queries} queries",
            flush=True,
        )
        return row

    def table(self) -> str:
        lines = [
            "| measure | size | median | spread (min-max) | floor | floor median | ratio | queries | notes |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in self.rows:
            lines.append(
                f"| {row.measure} | {row.size} | {seconds(row.median)} | {seconds(min(row.times))}-"
                f"{seconds(max(row.times))} | {row.floor or '-'} | {seconds(row.floor_median)} | {_ratio(row)} | "
                f"{row.queries if row.queries is not None else '-'} | {row.note} |"
            )
        return "\n".join(lines)


def _ratio(row: Row) -> str:
    ratio = row.ratio
    if ratio is None:
        return "-"
    return f"{ratio:.2f} of the floor's throughput" if row.throughput else f"{ratio:.1f}x"


# ----------------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Fleet:
    size: int
    user: Any
    organization: Any
    latest: Any
    draft: Any
    area_id: str


def _weak(question: Any) -> Any:
    """The lowest answer of a non-maturity question."""
    if question.type == "yes_no":
        return question.yes_score < 50
    if question.type == "choice":
        return min(question.options, key=lambda option: option.score).id
    return question.numeric.zero_score_at


def build_fleet(size: int, assessments: int) -> Fleet:
    """An organization with ``size`` servers, four workloads and ``assessments`` scored assessments and a draft."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import Membership, Organization, Role
    from accounts.services import organization_data_changed
    from assessments import services
    from assessments.selectors import default_framework
    from inventory.models import AcceleratorType, CloudCapacity, ModelProfile, Server, Site, Workload

    user = get_user_model().objects.create_user(f"bench-{size}")
    organization = Organization.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
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

    # Assessments first, servers after: scoring 50k servers per assessment would only slow the set-up down.
    framework = services.framework_parse(default_framework())
    previous = None
    for n in range(assessments):
        if previous is None:
            assessment = services.assessment_create(  # no sign-off: the benchmark submits straight away
                organization=organization,
                framework=default_framework(),
                title="Assessment 1",
                user=user,
                sign_off_required=False,
            )
        else:
            assessment = services.assessment_reassess(previous=previous, user=user)
        level = min(4, n * 4 // max(1, assessments - 1))
        fixed = set(assessment.answers.filter(source="inventory").values_list("question_id", flat=True))
        items = [
            services.AnswerInput(q.id, level if q.type == "maturity" else _weak(q))
            for q in framework.questions()
            if q.id not in fixed
        ]
        services.answers_save(assessment=assessment, items=items, user=user)
        services.assessment_submit(assessment=assessment, user=user)
        previous = assessment
    previous.refresh_from_db()
    draft = services.assessment_create(
        organization=organization, framework=default_framework(), title="Draft", user=user
    )
    statuses = ["active"] * 18 + ["planned", "retired"]
    Server.objects.bulk_create(
        (
            Server(
                organization=organization,
                site=sites[i % 3],
                hostname=f"gpu-{i:06d}.example.net",
                serial=f"SN{i:010d}",
                status=statuses[i % 20],
                vendor="Supermicro",
                model="SYS-821GE-TNHR",
                cpu_cores=112,
                ram_gb=2048,
                accelerator_type=kinds[i % 3],
                accelerator_count=8,
                power_w=None if i % 5 == 0 else 10_200,
            )
            for i in range(size)
        ),
        batch_size=1000,
    )
    organization_data_changed(organization_id=organization.pk)  # bulk writes send no signals
    organization.refresh_from_db()
    if connection.vendor == "postgresql":  # what autovacuum does within a minute of a bulk write (PostgreSQL 13+
        with connection.cursor() as cursor:  # vacuums after inserts too: the visibility map lets counts read indexes)
            cursor.execute("VACUUM ANALYZE")
    return Fleet(size, user, organization, previous, draft, framework.areas[0].id)


# ----------------------------------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------------------------------


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client: Any, url: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def pages(bench: Bench, sizes: list[int], assessments: int) -> None:
    from django.core.cache import cache

    from assessments.models import Assessment, AssessmentResult, AssessmentStatus
    from assessments.tasks import score_assessment_task

    for size in sizes:
        began = time.perf_counter()
        fleet = build_fleet(size, assessments)
        print(f"\n{size:,} servers, {assessments} assessments: built in {time.perf_counter() - began:.1f} s; {load()}")
        client = _client(fleet.user)
        hello = ("hello", _get(client, "/bench/hello/"))
        label = f"{size // 1000}k" if size >= 1000 else str(size)
        latest = fleet.latest.pk
        cold = [
            ("inventory dashboard, cold", "/reports/inventory/"),
            ("energy dashboard, cold", "/reports/energy/"),
            ("capacity page, every request", "/inventory/capacity/"),
            ("overview dashboard, cold", "/"),
            ("assessment dashboard, cold", f"/reports/assessments/{latest}/"),
            ("trend dashboard, cold", "/reports/trend/"),
            ("roadmap page, cold", f"/assessments/{latest}/roadmap/"),
        ]
        other = [
            ("server list (not targeted)", "/inventory/servers/"),
            ("questionnaire area page (not targeted)", f"/assessments/{fleet.draft.pk}/areas/{fleet.area_id}/"),
            ("overview dashboard, warm", "/"),
            ("API list of 1,000 servers", "/api/v1/inventory/servers/?limit=1000"),
        ]
        for url in [url for _, url in cold + other]:  # imports, template compilation, plotly's first use
            cache.clear()
            _get(client, url)()
        for measure, url in cold:
            bench.measure(measure, label, _get(client, url), floor=hello, before=cache.clear)
        for measure, url in other:
            warm = _get(client, url) if "warm" in measure else None  # its own cache entry filled first
            bench.measure(measure, label, _get(client, url), floor=hello, before=warm)

        def rescore(latest: int = latest) -> None:
            outcome = score_assessment_task.apply(args=(latest,)).get()
            assert "readiness_index" in outcome, outcome  # scored, not skipped: a no-op would measure nothing

        def forget(latest: int = latest) -> None:
            # The task scores an assessment it can claim (status "scoring", no other message's) and stores one
            # result: as if it had just been submitted.
            AssessmentResult.objects.filter(assessment_id=latest).delete()
            Assessment.objects.filter(pk=latest).update(status=AssessmentStatus.SCORING, scoring_task_id="")

        bench.measure("scoring task (score, store, roadmap)", label, rescore, floor=hello, before=forget)
        print(f"  {load()}")


def pure(bench: Bench) -> None:
    from assessments import roadmap, scoring
    from assessments.tests.factories import default_definition

    framework = scoring.Framework.from_dict(default_definition())
    questions = list(framework.questions())
    answers = {}
    for n, question in enumerate(questions):  # a weak-to-middling assessment: most areas have a gap
        value = n % 3 if question.type == "maturity" else _weak(question)
        answers[question.id] = scoring.Answer(question.id, value)

    def score_and_plan() -> Any:
        result = scoring.score_assessment(framework, answers)
        return roadmap.build_roadmap(framework, result)

    def iterate() -> int:
        return sum(1 for question in questions if answers.get(question.id) is not None)

    plan = score_and_plan()
    print(f"\npure functions: {len(questions)} questions, {len(plan.items)} roadmap items; {load()}")
    bench.measure(
        f"score + roadmap, pure functions ({len(questions)} questions)",
        "-",
        score_and_plan,
        floor=("iterate answers", iterate),
        runs=max(bench.runs, 20),
    )


def pdf(bench: Bench) -> None:
    from django.core.management import call_command
    from weasyprint import HTML

    from assessments.models import Assessment
    from reports import browser_pdf, chart_export, report_data, services
    from reports.charts import readiness_indicator

    os.environ.setdefault("DEMO_PASSWORD", "bench-password-123")
    call_command("seed_demo", stdout=io.StringIO())
    assessment = Assessment.objects.get(organization__slug="demo-corp", title="Autumn readiness review")
    if chart_export.browser_path() is None:
        print("\nPDF: no browser for chart export (CHART_EXPORT_BROWSER): skipped")
        return
    figure = readiness_indicator(55.0, 3, 50.0).figure.to_dict()
    one_page = "<html><head><title>Floor</title></head><body><h1>Readiness</h1><p>One page.</p></body></html>"
    printer = "browser" if browser_pdf.available() else "WeasyPrint"

    def floor() -> None:  # one page by the renderer the report uses, and one figure drawn
        if printer == "browser":
            assert browser_pdf.print_pdf(one_page, page_refs=None) is not None
        else:
            HTML(string=one_page).write_pdf()
        assert chart_export.export_many([figure])[0] is not None

    def warm() -> Any:  # an explicit exporter skips the image cache: every chart is exported
        return services.report_build(assessment=assessment, exporter=chart_export.export_many)

    def again() -> Any:  # the task's own path: images drawn before come from the cache
        return services.report_build(assessment=assessment)

    report_data.report_charts(assessment=assessment)  # the dashboards' charts, cached as in a worker
    first = warm()  # starts the browser
    print(f"\nPDF of the demo report: {first.pages} pages ({printer}), charts drawn {first.charts_drawn}; {load()}")
    bench.measure("PDF report, warm worker", "demo", warm, floor=(f"1-page PDF ({printer}) + 1-figure export", floor))
    again()
    bench.measure(
        "PDF report, same data again (images cached)",
        "demo",
        again,
        floor=(f"1-page PDF ({printer}) + 1-figure export", floor),
    )


def api(bench: Bench) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-1000") if _has_user("bench-1000") else None
    if user is None:
        user = get_user_model().objects.create_user("bench-api")
    client = _client(user)
    hello = ("hello", _get(client, "/bench/hello/"))
    _get(client, "/api/schema/")()
    print(f"\nAPI schema; {load()}")
    bench.measure("OpenAPI schema /api/schema/", "-", _get(client, "/api/schema/"), floor=hello)


def _has_user(username: str) -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).exists()


# --- import ---------------------------------------------------------------------------------------------------------

CSV_HEADER = (
    "hostname,site,serial,status,vendor,model,cpu_cores,ram_gb,accelerator_type,accelerator_count,power_w,"
    "power_measured,purchase_date,purchase_cost,gpu_driver_version,cuda_version,os\n"
)


def write_csv(path: Path, rows: int) -> None:
    """``rows`` servers in all 17 columns: three sites, accelerators named three ways, dates, decimals."""
    statuses = ("active", "planned", "retired")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(CSV_HEADER)
        for i in range(rows):
            site = ("Frankfurt", "Dublin", "Ashburn")[i % 3]
            accelerator = ("H100 SXM", "NVIDIA A100-SXM4-80GB", "L4", "")[i % 4]
            count = 8 if accelerator else 0
            handle.write(
                f"gpu-{i:06d}.example.net,{site},SN{i:010d},{statuses[i % 3]},Supermicro,SYS-821GE-TNHR,"
                f"{112 + i % 16},2048,{accelerator},{count},10200,{'true' if i % 2 else 'false'},"
                f"2024-0{1 + i % 9}-1{i % 10},310000.{i % 100:02d},550.54.15,12.4,Ubuntu 22.04\n"
            )


@contextlib.contextmanager
def _floor_table() -> Iterator[tuple[str, list[str]]]:
    """A table of the server table's columns, without its constraints or indexes; dropped on exit."""
    from django.db import connection

    from inventory.models import Server

    table = Server._meta.db_table
    columns = [f.column for f in Server._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor AS SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608
    try:
        yield "bench_floor", columns
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_floor")


def imports(bench: Bench, tmp: Path, rows: int, runs: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization
    from inventory.models import Server, Site
    from inventory.services.import_writer import write_rows  # the import's own way to write rows

    path = tmp / "servers.csv"
    write_csv(path, rows)
    size_mb = path.stat().st_size / 1e6
    made: list[Organization] = []

    def new_organization() -> None:
        n = len(made) + 1
        organization = Organization.objects.create(name=f"Import {n}", slug=f"import-{n}")
        for name, country in (("Frankfurt", "DE"), ("Dublin", "IE"), ("Ashburn", "US")):
            Site.objects.create(organization=organization, name=name, country=country)
        made.append(organization)

    def run() -> None:
        call_command(
            "import_inventory", str(path), org=made[-1].slug, kind="servers", stdout=io.StringIO(), verbosity=0
        )

    # The floor writes the rows the import wrote, as the database stores them, into a table of the same columns.
    new_organization()
    run()
    assert Server.objects.filter(organization=made[-1]).count() == rows
    with _floor_table() as (table, columns):
        stored = list(Server.objects.filter(organization=made[-1]).values_list(*columns))

        def floor() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
                write_rows(cursor, table, columns, stored)

        name = "COPY" if connection.vendor == "postgresql" else "executemany"
        print(f"\nimport of {rows:,} servers ({size_mb:.1f} MB CSV, 17 columns) into new organizations; {load()}")
        row = bench.measure(
            f"import {rows:,} servers (import_inventory, new rows)",
            connection.vendor,
            run,
            floor=(name, floor),
            before=new_organization,
            runs=runs,
            throughput=True,
        )
        row.note = f"{rows / row.median:,.0f} rows/s; floor {rows / row.floor_median:,.0f} rows/s"

        # The database's own share: the same rows written straight into the server table (its eight indexes, its
        # foreign keys checked at commit) with their history rows, as one transaction; no file, no checks.
        history = Server.history.model
        tracked = ", ".join(f.column for f in history.tracked_fields)
        recorded = f"{tracked}, history_date, history_type, history_change_reason"
        at = {name: columns.index(name) for name in ("organization_id", "site_id")}

        moved: list[list[Any]] = []

        def prepare() -> None:  # untimed: a new organization, and the rows moved into it
            new_organization()
            organization = made[-1]
            sites = dict(Site.objects.filter(organization=organization).values_list("name", "id"))
            first = dict(Site.objects.filter(organization=made[0]).values_list("id", "name"))
            moved.clear()
            for values in stored:
                values = list(values)
                values[at["organization_id"]] = organization.pk
                values[at["site_id"]] = sites[first[values[at["site_id"]]]]
                moved.append(values)

        def written_directly() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                write_rows(cursor, Server._meta.db_table, columns, moved)
                cursor.execute(
                    f"INSERT INTO {history._meta.db_table} ({recorded}) "  # noqa: S608 - our names
                    f"SELECT {tracked}, %s, '+', 'bench' FROM {Server._meta.db_table} WHERE organization_id = %s",
                    [timezone.now(), made[-1].pk],
                )

        share = bench.measure(
            f"the database's share: {rows:,} servers written into the server table and its history",
            connection.vendor,
            written_directly,
            floor=(name, floor),
            before=prepare,
            runs=runs,
            throughput=True,
        )
        share.note = "what any import of these rows must write (indexes, foreign keys, history)"
        of_share = share.median / row.median
        row.note += f"; {of_share:.2f} of the database's share's throughput"
        print(f"  the import runs at {of_share:.2f} of the database's share's throughput")
        if connection.vendor == "postgresql":
            _share_steps(bench, moved, columns, floor, name, prepare, runs, rows)
    print(f"  {load()}")


def _share_steps(
    bench: Bench,
    moved: list[list[Any]],
    columns: list[str],
    floor: Callable[[], None],
    name: str,
    prepare: Callable[[], None],
    runs: int,
    rows: int,
) -> None:
    """Where the database's share goes beyond the floor, step by step: the same rows copied into a copy of the
    server table with its indexes and checks (``LIKE ... INCLUDING ALL``), then with its foreign keys too (checked
    at commit, as Django declares them: ``DEFERRABLE INITIALLY DEFERRED``). The share's row adds the history rows."""
    from django.db import connection, transaction

    from inventory.models import Server
    from inventory.services.import_writer import write_rows

    table = Server._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = [definition for (definition,) in cursor.fetchall()]
    steps = (
        ("its indexes and checks", []),
        ("its indexes, checks and foreign keys", foreign_keys),
    )
    for words, keys in steps:

        def fresh(keys: list[str] = keys) -> None:  # untimed: the rows of a new organization, an empty copy
            prepare()
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_step")
                cursor.execute(f"CREATE TABLE bench_step (LIKE {table} INCLUDING ALL)")  # noqa: S608 - our names
                for definition in keys:
                    cursor.execute(f"ALTER TABLE bench_step ADD {definition}")

        def copy() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                write_rows(cursor, "bench_step", columns, moved)

        try:
            step = bench.measure(
                f"the database's share, step: {rows:,} servers copied into a table with {words}",
                connection.vendor,
                copy,
                floor=(name, floor),
                before=fresh,
                runs=runs,
                throughput=True,
            )
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_step")
        step.note = "where the share's time goes beyond the floor (the share adds the history rows)"


# ----------------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000", help="server counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="runs of each measure (the median is shown)")
    parser.add_argument("--assessments", type=int, default=12, help="scored assessments per organization")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections among {', '.join(SECTIONS)}")
    args = parser.parse_args()
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    began = time.perf_counter()
    with scratch_database() as tmp:
        from django.conf import settings
        from django.db import connection
        from django.urls import clear_url_caches

        settings.ROOT_URLCONF = "bench_urls"
        clear_url_caches()
        with connection.cursor() as cursor:
            cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
            version = cursor.fetchone()[0]
        header = (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores ({_cpu()}), Python {platform.python_version()}, "
            f"{connection.vendor} {version}; {load()} at the start"
        )
        print(header, flush=True)
        bench = Bench(args.runs)
        if "pages" in sections:
            pages(bench, sizes, args.assessments)
        if "api" in sections:
            api(bench)
        if "pure" in sections:
            pure(bench)
        if "pdf" in sections:
            pdf(bench)
        if "import" in sections:
            imports(bench, tmp, args.import_rows, args.import_runs)
        print(f"\n{header}\n{load()} at the end; {time.perf_counter() - began:.0f} s in all")
        print(f"(median of {args.runs} runs; the import {args.import_runs}; each run after one of its floor)\n")
        print(bench.table())


def _cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
