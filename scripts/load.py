#!/usr/bin/env python
"""Bounded load test of a running InfraReady: N people log in, autosave answers and read dashboards for D seconds.

    make demo                                            # in another terminal (PORT=8000); SQLite, gunicorn 2 x 4
    .venv/bin/python scripts/load.py --host http://127.0.0.1:8000             # 50 users, 60 s
    .venv/bin/python scripts/load.py --users 20 --duration 30 --json out.json

Run it with the server's own configuration (the same `.env`, or the same DATABASE_URL): first, in a separate
process with Django, it prepares the demo organization ("Demo Corp", from `seed_demo`): N assessor accounts
`load-01`... and, for every five of them, a draft assessment they answer together (as a team does). Then Locust
(as a library, headless) runs N simulated people against the server over HTTP:

- log in through the log-in page (CSRF token, session cookie), then open their assessment's questionnaire;
- autosave answers as `static/js/questionnaire.js` does: one JSON POST per answer to
  `/api/v1/assessments/<id>/answers/` with the session cookie and the `X-CSRFToken` header (weight 6);
- read a dashboard: the overview, capacity, energy, trend, or their assessment's questionnaire page (weight 3);
- think for 1 to 3 seconds between actions.

It prints, per endpoint, the requests, errors, and the median and 95th percentile response times, then every error
with its count; `--json` writes the same. Exit status 1 if any request failed. Figures: docs/performance.md.

Locust rather than a hand-written asyncio client: it keeps per-endpoint percentiles and error tallies, paces users
with think time and is the tool people know; it is a development dependency only (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEAM_SIZE = 5
PASSWORD = "load-test-password-7"  # noqa: S105 (throw-away accounts of a load test)
DASHBOARDS = ("/", "/reports/inventory/", "/reports/energy/", "/reports/trend/")


# --- preparation, in a process of its own with Django (Locust's gevent patches must not meet the ORM) ----------


def prepare(users: int) -> dict[str, Any]:
    """Accounts and draft assessments in the demo organization; returns the plan the simulated people follow."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.demo import DEMO_SLUG
    from accounts.models import Membership, Organization, Role
    from assessments import selectors, services
    from assessments.models import Assessment

    organization = Organization.objects.filter(slug=DEMO_SLUG).first()
    if organization is None:
        raise SystemExit("No demo organization: run `make demo` (or `manage.py seed_demo`) first.")
    framework = selectors.default_framework()
    questions = list(services.framework_parse(framework).questions())
    password = make_password(PASSWORD)  # hashed once for every account (hashing is slow on purpose)
    User = get_user_model()
    people = []
    with transaction.atomic():
        Assessment.objects.filter(organization=organization, title__startswith="Load test").delete()
        teams: list[Assessment] = []
        for n in range(users):
            user, _ = User.objects.update_or_create(
                username=f"load-{n + 1:02d}", defaults={"email": f"load-{n + 1:02d}@example.com", "password": password}
            )
            Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": Role.ASSESSOR})
            if n % TEAM_SIZE == 0:
                teams.append(
                    services.assessment_create(
                        organization=organization, framework=framework, title=f"Load test {len(teams) + 1}", user=user
                    )
                )
            people.append({"username": user.username, "assessment": teams[-1].pk})
    return {
        "people": people,
        "area_ids": [area.id for area in services.framework_parse(framework).areas],
        "answers": [answer for question in questions for answer in sample_answers(question)],
    }


def sample_answers(question: Any) -> list[dict[str, Any]]:
    """Valid answers to a question, as the questionnaire's JavaScript posts them."""
    if question.type == "maturity":
        values: list[Any] = [0, 1, 2, 3, 4]  # maturity levels 0-4 (shown as 1-5)
    elif question.type == "yes_no":
        values = [True, False]
    elif question.type == "choice":
        values = [option.id for option in question.options]
    else:
        low, high = sorted((float(question.numeric.zero_score_at), float(question.numeric.full_score_at)))
        values = [round(low + share * (high - low), 1) for share in (0.0, 0.25, 0.5, 0.75, 1.0)]
    return [
        {"question_id": question.id, "value": value, "not_applicable": False, "na_reason": "", "note": "",
         "evidence_url": ""}
        for value in values
    ]  # fmt: skip


# --- the load, with Locust ----------------------------------------------------------------------------------------


def run(args: argparse.Namespace, plan: dict[str, Any]) -> dict[str, Any]:
    import gevent
    from locust import HttpUser, between, task
    from locust.env import Environment

    people = iter(plan["people"])
    answers = plan["answers"]
    areas = plan["area_ids"]

    class Person(HttpUser):
        host = args.host
        wait_time = between(1, 3)

        def on_start(self) -> None:
            me = next(people)
            self.assessment = me["assessment"]
            self.client.get("/accounts/login/", name="GET /accounts/login/")
            token = self.client.cookies.get("csrftoken", "")
            with self.client.post(
                "/accounts/login/",
                data={"username": me["username"], "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": f"{args.host}/accounts/login/"},
                allow_redirects=False,
                name="POST /accounts/login/",
                catch_response=True,
            ) as response:
                if response.status_code != 302 or "sessionid" not in self.client.cookies:
                    response.failure(f"log-in refused ({response.status_code})")
            self.questionnaire()

        def questionnaire(self) -> None:
            self.client.get(
                f"/assessments/{self.assessment}/areas/{random.choice(areas)}/",
                name="GET /assessments/[id]/areas/[area]/ (questionnaire)",
            )

        @task(6)
        def autosave(self) -> None:
            self.client.post(
                f"/api/v1/assessments/{self.assessment}/answers/",
                json=random.choice(answers),
                headers={
                    "Accept": "application/json",
                    "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
                    "X-Requested-With": "XMLHttpRequest",
                    "Referer": f"{args.host}/assessments/{self.assessment}/",
                },
                name="POST /api/v1/assessments/[id]/answers/ (autosave)",
            )

        @task(3)
        def read(self) -> None:
            if random.random() < 0.2:
                self.questionnaire()
                return
            path = random.choice(DASHBOARDS)
            self.client.get(path, name=f"GET {path} (dashboard)")

    environment = Environment(user_classes=[Person])
    runner = environment.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.duration, runner.quit)
    runner.greenlet.join()
    return summary(environment.stats, args)


def summary(stats: Any, args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append(row(entry.name, entry))
    return {
        "host": args.host,
        "users": args.users,
        "duration_s": args.duration,
        "machine": f"{os.cpu_count()} CPU {platform.machine()}, Python {platform.python_version()}",
        "endpoints": rows,
        "total": row("total", stats.total),
        "errors": [
            {"request": f"{error.method} {error.name}", "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
    }


def row(name: str, entry: Any) -> dict[str, Any]:
    return {
        "endpoint": name,
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "p50_ms": round(entry.get_response_time_percentile(0.5) or 0),
        "p95_ms": round(entry.get_response_time_percentile(0.95) or 0),
        "rps": round(entry.total_rps, 1),
    }


def show(result: dict[str, Any]) -> None:
    print(f"\n{result['users']} users for {result['duration_s']} s against {result['host']} ({result['machine']})")
    width = max(len(r["endpoint"]) for r in [*result["endpoints"], result["total"]])
    print(f"{'endpoint':<{width}}  {'requests':>8}  {'errors':>6}  {'p50 ms':>6}  {'p95 ms':>6}  {'req/s':>6}")
    for r in [*result["endpoints"], result["total"]]:
        print(
            f"{r['endpoint']:<{width}}  {r['requests']:>8}  {r['errors']:>6}  {r['p50_ms']:>6}  {r['p95_ms']:>6}  "
            f"{r['rps']:>6}"
        )
    for error in result["errors"]:
        print(f"ERROR x{error['count']}: {error['request']}: {error['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="http://127.0.0.1:8000", help="the running server (loopback)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="people starting per second")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare_only:
        print(json.dumps(prepare(args.users)))
        return
    prepared = subprocess.run(  # noqa: S603 (this script, with its own interpreter)
        [sys.executable, __file__, "--prepare-only", "--users", str(args.users)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        sys.exit(f"preparation failed:\n{prepared.stderr[-3000:]}")
    result = run(args, json.loads(prepared.stdout.strip().splitlines()[-1]))
    show(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    sys.exit(1 if result["total"]["errors"] else 0)


if __name__ == "__main__":
    main()
