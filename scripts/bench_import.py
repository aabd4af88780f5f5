#!/usr/bin/env python
"""Benchmark of the bulk import: N server rows (default 100,000) through the Celery tasks the app uses.

    .venv/bin/python scripts/bench_import.py                      # SQLite (a file in a temporary folder)
    DATABASE_URL=postgres://infraready:infraready@127.0.0.1:5432/infraready .venv/bin/python scripts/bench_import.py

It creates a throw-away test database (test_<name> on PostgreSQL), writes a CSV file of N servers, then runs
1. the validation task (first pass, nothing written), 2. the import task (second pass, one transaction),
3. the same file again with changed values (every row an update), and prints rows per second and the peak
memory of the process (`ru_maxrss`). Results go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from benchmarking import scratch_database  # first: the project on sys.path, test settings


def write_csv(path: Path, rows: int, *, cores: int) -> None:
    statuses = ("active", "planned", "retired")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(
            "hostname,site,serial,status,vendor,model,cpu_cores,ram_gb,accelerator_type,accelerator_count,power_w,"
            "power_measured,purchase_date,purchase_cost,gpu_driver_version,cuda_version,os\n"
        )
        for i in range(rows):
            site = ("Frankfurt", "Dublin", "Ashburn")[i % 3]
            accelerator = ("H100 SXM", "NVIDIA A100-SXM4-80GB", "L4", "")[i % 4]
            count = 8 if accelerator else 0
            handle.write(
                f"gpu-{i:06d}.example.net,{site},SN{i:010d},{statuses[i % 3]},Supermicro,SYS-821GE-TNHR,"
                f"{cores + i % 16},2048,{accelerator},{count},10200,{'true' if i % 2 else 'false'},"
                f"2024-0{1 + i % 9}-1{i % 10},310000.{i % 100:02d},550.54.15,12.4,Ubuntu 22.04\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    with scratch_database() as tmp:
        run(tmp, args.rows)


def run(tmp: Path, rows: int) -> None:
    from django.core.files import File
    from django.db import connection

    from accounts.models import Organization
    from inventory import services, tasks
    from inventory.models import ImportJob, ImportStatus, Server, Site

    organization = Organization.objects.create(name="Bench", slug="bench")
    for name, country in (("Frankfurt", "DE"), ("Dublin", "IE"), ("Ashburn", "US")):
        Site.objects.create(organization=organization, name=name, country=country)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; rows: {rows:,}")

    def one_import(label: str, cores: int) -> None:
        path = tmp / "servers.csv"
        write_csv(path, rows, cores=cores)
        size = path.stat().st_size
        with open(path, "rb") as handle:
            job = ImportJob.objects.create(
                organization=organization, filename="servers.csv", file_format="csv", kind="servers",
                payload=File(handle, name="servers.csv"), total_rows=rows,
            )  # fmt: skip
        started = time.perf_counter()
        tasks.import_job_process.delay(str(job.pk), False)
        validated = time.perf_counter()
        job.refresh_from_db()
        assert job.status == ImportStatus.READY, job.errors[:3]
        assert services.import_job_claim(job=job)
        tasks.import_job_apply.delay(str(job.pk))
        finished = time.perf_counter()
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE, job.errors[:3]
        total = finished - started
        print(
            f"{label}: {size / 1e6:.1f} MB; validate {validated - started:.1f} s "
            f"({rows / (validated - started):,.0f} rows/s), import {finished - validated:.1f} s "
            f"({rows / (finished - validated):,.0f} rows/s); total {total:.1f} s = {rows / total:,.0f} rows/s "
            f"(created {job.created_count:,}, updated {job.updated_count:,})"
        )

    one_import("create", cores=112)
    assert Server.objects.filter(organization=organization).count() == rows
    one_import("update (cpu_cores of every row, 16 distinct values)", cores=96)
    found = set(Server.objects.filter(organization=organization).values_list("cpu_cores", flat=True))
    assert found == set(range(96, 96 + min(16, rows))), sorted(found)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process (ru_maxrss): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
