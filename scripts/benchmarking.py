"""The throw-away database the benchmarks in this folder run on.

A test database (a SQLite file in a temporary folder, or a scratch database ``<name>_bench`` beside the database
named by ``DATABASE_URL``), created on entry and destroyed on exit (the folder too), with uploaded and rendered
files stored on disk in that folder. Import this module before Django: it puts the project on ``sys.path`` and
picks the test settings.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


@contextlib.contextmanager
def scratch_database() -> Iterator[Path]:
    """Set Django up on a fresh test database; yields the temporary folder (files go to ``<folder>/media``)."""
    tmp = Path(tempfile.mkdtemp(prefix="infraready-bench-"))
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = tmp / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.DEBUG = False
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(tmp / "bench.sqlite3")
    else:
        database["TEST"]["NAME"] = f"{database['NAME']}_bench"

    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # also lets the test client's "testserver" host in
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        yield tmp
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)
