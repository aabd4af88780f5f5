"""Fixtures shared by every app's tests: organizations with members of each role, API clients, a browser and a
real Celery worker for the integration suite."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Organization, Role
from accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from config.tests.processes import Worker

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def organization(db) -> Organization:
    return OrganizationFactory(name="Acme AI", slug="acme-ai")


@pytest.fixture
def other_organization(db) -> Organization:
    return OrganizationFactory(name="Other Corp", slug="other-corp")


def _member(organization: Organization, role: Role, username: str) -> Any:
    return MembershipFactory(organization=organization, role=role, user=UserFactory(username=username)).user


@pytest.fixture
def owner(organization):
    return _member(organization, Role.OWNER, "olivia")


@pytest.fixture
def assessor(organization):
    return _member(organization, Role.ASSESSOR, "arjun")


@pytest.fixture
def viewer(organization):
    return _member(organization, Role.VIEWER, "vera")


@pytest.fixture
def outsider(other_organization):
    """An owner of another organization."""
    return _member(other_organization, Role.OWNER, "oscar")


@pytest.fixture
def api_client_for():
    """`api_client_for(user, organization)`: an API client authenticated by an organization-bound token."""

    def make(user: Any, organization: Organization) -> APIClient:
        _, raw = services.api_token_issue(user=user, organization=organization, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The dashboards' cache is keyed by organization id and data version, which a rolled-back test may reuse."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _shared_catalog(request, django_db_blocker):
    """A transactional test ends by flushing every table, the rows data migrations loaded included. Before each
    database test, put the shared catalog and the shipped framework back if they are gone, so that every test sees
    what a migrated database holds whatever ran before it."""
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        from assessments import selectors, services
        from assessments.framework_files import DEFAULT_FRAMEWORK_FILE
        from inventory.catalog import load_catalog
        from inventory.models import AcceleratorType, GridRegion, ModelProfile

        with django_db_blocker.unblock():
            if not AcceleratorType.objects.filter(organization=None).exists():
                load_catalog(AcceleratorType, ModelProfile, GridRegion)
            if selectors.default_framework() is None:
                services.framework_load(text=DEFAULT_FRAMEWORK_FILE.read_bytes())


# --- the broker, as jobs see it (config.jobs) -------------------------------------------------------------------


BROKER_REFUSED = "Error 111 connecting to 127.0.0.1:6379. Connection refused."


@pytest.fixture
def broker_down(monkeypatch):
    """Publishing any task raises what kombu raises when Redis refuses connections."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError(BROKER_REFUSED)

    monkeypatch.setattr(Task, "apply_async", refuse)


@pytest.fixture
def through_a_broker() -> Iterator[None]:
    """Tasks are published to a broker after commit, as in production, not run in process as in the test suite."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


@dataclass
class Published:
    """A message a task would have sent to the broker: `deliver()` runs it as a worker would (in process)."""

    task: Any
    args: tuple[Any, ...]
    task_id: str

    def deliver(self) -> Any:
        return self.task.apply(self.args, task_id=self.task_id).get()


@pytest.fixture
def published(monkeypatch) -> list[Published]:
    """Messages are recorded instead of run (as if sent to a broker no worker reads yet), in order."""
    from celery.app.task import Task
    from celery.result import AsyncResult

    sent: list[Published] = []

    def record(self: Any, args: Any = None, kwargs: Any = None, task_id: str | None = None, **options: Any) -> Any:
        sent.append(Published(self, tuple(args or ()), task_id or str(uuid.uuid4())))
        return AsyncResult(sent[-1].task_id)

    monkeypatch.setattr(Task, "apply_async", record)
    return sent


# --- browser ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a missing browser is an error)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM then refuses to run in it unless told.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page that fails the test on any console error."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()
    assert not errors, f"console errors: {errors}"


# --- real Celery worker (integration) ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_worker_queue(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """Start `celery worker` as a separate process on the test database; yields the queue it consumes.

    A queue of its own per run, so that nothing left in Redis by an earlier run is picked up.
    """
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the real worker runs against PostgreSQL (make test-integration)")
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    queue = f"infraready-test-{uuid.uuid4().hex[:8]}"
    worker = Worker(queue=queue, database_url=database_url, log_dir=tmp_path_factory.mktemp("celery"))
    try:
        worker.start(ready_within=60)
    except RuntimeError as error:
        pytest.fail(str(error))
    try:
        yield queue
    finally:
        worker.stop()


@pytest.fixture(autouse=True)
def one_connection_with_the_live_server(request):
    """The test's reads go through the live server's connection to the in-memory test database.

    Playwright's sync API leaves an event loop running in this thread, and Django keeps a thread's connections in
    a context variable while a loop runs: once the browser is up, the test gets a connection of its own, not the
    one the session's live server was given (`live_server` may have started before the browser). Two connections
    to SQLite's shared-cache memory database lock each other table by table, at once and whatever the busy timeout
    ("database table is locked: assessments_answer" when the test reads answers while the server saves one)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from django.db import connections

    if {"browser", "page"} & set(request.fixturenames):
        request.getfixturevalue("browser")  # the loop runs from here on: the connection is kept where it looks now
    shared = request.getfixturevalue("live_server").thread.connections_override.get("default")
    own = connections["default"]
    if shared is None or shared is own:
        yield
        return
    connections["default"] = shared
    yield
    connections["default"] = own
