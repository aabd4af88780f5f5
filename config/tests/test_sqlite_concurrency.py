"""The embedded SQLite database under concurrent web use: WAL journal, a busy timeout and IMMEDIATE transactions
(settings for SQLite URLs only), so that simultaneous writers wait for each other instead of failing with
"database is locked". Checked in a separate process on a database file, as `make demo` runs it."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# Threads that each read, then write, in one transaction: the pattern of a request saving an answer. In SQLite's
# default (DEFERRED) mode a read transaction that then writes while another holds the write lock fails at once
# with "database is locked", whatever the timeout; IMMEDIATE transactions take the lock first and wait.
PROBE = textwrap.dedent(
    """
    import json, threading
    import django
    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy = cursor.fetchone()[0]
    errors = []

    def work():
        from django.db import connection
        try:
            for _ in range(25):
                try:
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT n FROM counter WHERE id = 1")
                            n = cursor.fetchone()[0]
                            cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
                except Exception as error:
                    errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter WHERE id = 1")
        total = cursor.fetchone()[0]
    print(json.dumps({"journal_mode": journal, "busy_timeout": busy, "errors": errors[:3],
                      "error_count": len(errors), "total": total,
                      "options": settings.DATABASES["default"].get("OPTIONS", {})}))
    """
)


def probe(database_url: str, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY="sqlite-concurrency-probe-" + "x" * 30,
        DATABASE_URL=database_url,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_sqlite_file_runs_in_wal_mode_and_concurrent_writers_wait_for_each_other(tmp_path):
    report = probe(f"sqlite:///{tmp_path / 'demo.sqlite3'}", tmp_path)
    assert report["journal_mode"] == "wal"
    assert report["busy_timeout"] >= 10_000  # milliseconds
    assert report["options"]["transaction_mode"] == "IMMEDIATE"
    assert report["error_count"] == 0, report["errors"]
    assert report["total"] == 8 * 25  # no update lost


def test_the_sqlite_options_are_not_given_to_postgresql():
    from config.settings.base import sqlite_options

    assert sqlite_options("django.db.backends.postgresql") == {}
    assert sqlite_options("django.db.backends.sqlite3")["transaction_mode"] == "IMMEDIATE"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        assert "transaction_mode" not in settings.DATABASES["default"].get("OPTIONS", {})
