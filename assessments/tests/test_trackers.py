"""Roadmap items pushed to GitHub Issues and Jira, their state read back by beat: against the trackers' recorded
answers (data/trackers/, each with its source in SOURCES.md) replayed by a loopback server."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.integrations import trackers
from accounts.models import IssueTracker
from assessments import services, tasks
from assessments.models import AssessmentStatus, RoadmapItem
from assessments.selectors import roadmap_of
from assessments.tests.factories import answer_all, start_assessment, weak_value
from config import encryption
from config.errors import Conflict, Invalid, Unavailable
from config.testing import api_errors

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "data" / "trackers"
GITHUB_TOKEN = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
JIRA_TOKEN = "ATATT3xFfGF0-example-api-token"


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


@pytest.fixture
def scored(organization, assessor):
    assessment = start_assessment(organization=organization, user=assessor)
    answer_all(assessment, assessor, weak_value)
    services.assessment_submit(assessment=assessment, user=assessor)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SCORED
    return assessment


@pytest.fixture
def item(scored) -> RoadmapItem:
    return roadmap_of(assessment=scored).first()


@pytest.fixture
def github(organization, http_stub) -> IssueTracker:
    return trackers.tracker_create(
        organization=organization,
        name="Platform repo",
        kind="github",
        base_url=http_stub.url,
        project="octocat/Hello-World",
        token=GITHUB_TOKEN,
    )


@pytest.fixture
def jira(organization, http_stub) -> IssueTracker:
    return trackers.tracker_create(
        organization=organization,
        name="Ops Jira",
        kind="jira",
        base_url=http_stub.url,
        project="ED",
        username="olivia@example.com",
        token=JIRA_TOKEN,
    )


class TestGitHub:
    def test_an_item_becomes_an_issue_and_its_closing_is_read_back(self, item, github, http_stub):
        http_stub.answer("POST", "/repos/octocat/Hello-World/issues", 201, recorded("github_issue_created.json"))
        services.roadmap_item_push(item=item, tracker_id=github.pk)
        [sent] = http_stub.requests
        assert sent.headers["Authorization"] == f"Bearer {GITHUB_TOKEN}"
        assert sent.headers["Accept"] == "application/vnd.github+json"
        assert sent.headers["X-GitHub-Api-Version"] == "2022-11-28"
        body = sent.json()
        assert body["title"] == item.title
        assert "Why: " in body["body"]
        assert body["labels"][0] == "infraready"
        item.refresh_from_db()
        assert (item.tracker_id, item.tracker_key, item.tracker_state, item.tracker_status) == (
            github.pk,
            "1347",
            "open",
            "open",
        )
        assert item.tracker_url == "https://github.com/octocat/Hello-World/issues/1347"

        http_stub.answer("GET", "/repos/octocat/Hello-World/issues/1347", 200, recorded("github_issue_closed.json"))
        assert tasks.roadmap_trackers_sync() == {"read": 1, "changed": 1, "failed": 0}
        item.refresh_from_db()
        assert (item.tracker_state, item.tracker_status) == ("closed", "closed (completed)")
        assert item.tracker_checked_at is not None

    def test_an_item_is_pushed_once(self, item, github, http_stub):
        http_stub.answer("POST", "/repos/octocat/Hello-World/issues", 201, recorded("github_issue_created.json"))
        services.roadmap_item_push(item=item, tracker_id=github.pk)
        with pytest.raises(Conflict) as caught:
            services.roadmap_item_push(item=item, tracker_id=github.pk)
        assert caught.value.errors[0].code == "already_pushed"
        assert len(http_stub.requests) == 1

    def test_a_refusal_is_a_503_with_the_trackers_words_and_nothing_changes(self, item, github, http_stub):
        http_stub.answer("POST", "/repos/octocat/Hello-World/issues", 401, recorded("github_error_unauthorized.json"))
        with pytest.raises(Unavailable) as caught:
            services.roadmap_item_push(item=item, tracker_id=github.pk)
        assert caught.value.errors[0].code == "tracker_failed"
        assert "GitHub Issues answered 401: Bad credentials" in caught.value.errors[0].message
        assert GITHUB_TOKEN not in caught.value.errors[0].message
        item.refresh_from_db()
        assert item.tracker_key == ""


class TestJira:
    def test_an_item_becomes_an_issue_and_its_status_category_is_read_back(self, item, jira, http_stub):
        http_stub.answer("POST", "/rest/api/3/issue", 201, recorded("jira_issue_created.json"))
        http_stub.answer("GET", "/rest/api/3/issue/ED-24", 200, recorded("jira_issue_todo.json"))
        services.roadmap_item_push(item=item, tracker_id=jira.pk)
        created, read = http_stub.requests
        basic = base64.b64encode(f"olivia@example.com:{JIRA_TOKEN}".encode()).decode()
        assert created.headers["Authorization"] == f"Basic {basic}"
        fields = created.json()["fields"]
        assert fields["project"] == {"key": "ED"}
        assert fields["summary"] == item.title
        assert fields["issuetype"] == {"name": "Task"}
        assert fields["description"]["type"] == "doc"
        assert fields["description"]["version"] == 1
        assert fields["description"]["content"][0]["content"][0]["type"] == "text"
        assert (read.method, read.path, read.query) == ("GET", "/rest/api/3/issue/ED-24", "fields=status")
        item.refresh_from_db()
        assert (item.tracker_key, item.tracker_state, item.tracker_status) == ("ED-24", "open", "To Do")
        assert item.tracker_url == f"{http_stub.url}/browse/ED-24"

        http_stub.only("GET", "/rest/api/3/issue/ED-24", 200, recorded("jira_issue_in_review.json"))
        services.roadmap_trackers_sync(organization_id=item.organization_id)
        item.refresh_from_db()
        assert (item.tracker_state, item.tracker_status) == ("open", "In Review (In Progress)")

        http_stub.only("GET", "/rest/api/3/issue/ED-24", 200, recorded("jira_issue_done.json"))
        services.roadmap_trackers_sync()
        item.refresh_from_db()
        assert (item.tracker_state, item.tracker_status) == ("closed", "Done")

    def test_a_bad_request_names_the_field_jira_complains_about(self, item, jira, http_stub):
        http_stub.answer("POST", "/rest/api/3/issue", 400, recorded("jira_error_bad_request.json"))
        with pytest.raises(Unavailable) as caught:
            services.roadmap_item_push(item=item, tracker_id=jira.pk)
        assert "Jira answered 400: issuetype: Specify an issue type" in caught.value.errors[0].message

    def test_a_tracker_down_leaves_its_items_as_last_read(self, item, jira, http_stub):
        http_stub.answer("POST", "/rest/api/3/issue", 201, recorded("jira_issue_created.json"))
        http_stub.answer("GET", "/rest/api/3/issue/ED-24", 200, recorded("jira_issue_todo.json"))
        services.roadmap_item_push(item=item, tracker_id=jira.pk)
        http_stub.only("GET", "/rest/api/3/issue/ED-24", 503, "")
        assert services.roadmap_trackers_sync() == {"read": 0, "changed": 0, "failed": 1}
        item.refresh_from_db()
        assert (item.tracker_state, item.tracker_status) == ("open", "To Do")


class TestConfiguration:
    def test_the_token_is_stored_encrypted(self, github):
        assert GITHUB_TOKEN not in github.token_encrypted
        assert encryption.decrypt(github.token_encrypted) == GITHUB_TOKEN

    def test_addresses_follow_the_integrations_policy(self, organization, settings):
        settings.INTEGRATIONS_ALLOW_PRIVATE_TARGETS = False
        with pytest.raises(Invalid) as caught:
            trackers.tracker_create(
                organization=organization,
                name="x",
                kind="github",
                base_url="http://127.0.0.1:9",
                project="a/b",
                token="t",
            )
        assert [(e.code, e.field) for e in caught.value.errors] == [("target_refused", "base_url")]

    @pytest.mark.parametrize(
        "base_url",
        ["https://me:secret@github.example.com", "ftp://github.example.com", "https://github.example.com:0x"],
    )
    def test_a_url_that_cannot_be_contacted_is_refused_as_webhooks_refuse_it(self, organization, base_url):
        with pytest.raises(Invalid) as caught:
            trackers.tracker_create(
                organization=organization, name="x", kind="github", base_url=base_url, project="a/b", token="t"
            )
        assert [(e.code, e.field) for e in caught.value.errors] == [("invalid_url", "base_url")]
        assert "secret" not in caught.value.errors[0].message

    def test_each_kind_checks_its_project_and_jira_its_user(self, organization):
        with pytest.raises(Invalid) as caught:
            trackers.tracker_create(
                organization=organization, name="x", kind="jira", base_url="http://127.0.0.1:9", project="a/b", token=""
            )
        assert {e.field for e in caught.value.errors} == {"project", "username", "token"}

    def test_another_organizations_tracker_cannot_be_used(self, item, other_organization, http_stub):
        theirs = trackers.tracker_create(
            organization=other_organization,
            name="Theirs",
            kind="github",
            base_url=http_stub.url,
            project="o/r",
            token="t",
        )
        with pytest.raises(Invalid) as caught:
            services.roadmap_item_push(item=item, tracker_id=theirs.pk)
        assert caught.value.errors[0].field == "tracker"
        assert http_stub.requests == []

    def test_beat_reads_the_trackers_back(self):
        schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
        assert {"assessments.tasks.roadmap_trackers_sync", "accounts.webhook_deliveries_sweep"} <= schedule


class TestChannels:
    def test_the_api_manages_trackers_and_pushes_an_item(self, owner, organization, scored, api_client_for, http_stub):
        client = api_client_for(owner, organization)
        response = client.post(
            "/api/v1/accounts/trackers/",
            {
                "name": "Platform repo",
                "kind": "github",
                "base_url": http_stub.url,
                "project": "octocat/Hello-World",
                "token": GITHUB_TOKEN,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        tracker = response.json()
        assert "token" not in tracker
        assert "token_encrypted" not in tracker
        item = roadmap_of(assessment=scored).first()
        http_stub.answer("POST", "/repos/octocat/Hello-World/issues", 201, recorded("github_issue_created.json"))
        url = f"/api/v1/assessments/{scored.pk}/roadmap/{item.item_id}/push/"
        response = client.post(url, {"tracker": tracker["id"]}, format="json")
        assert response.status_code == 200, response.json()
        issue = response.json()["tracker_issue"]
        assert (issue["tracker"], issue["key"], issue["state"]) == ("Platform repo", "1347", "open")
        again = client.post(url, {"tracker": tracker["id"]}, format="json")
        assert again.status_code == 409
        assert api_errors(again)[0]["code"] == "already_pushed"
        roadmap = client.get(f"/api/v1/assessments/{scored.pk}/roadmap/").json()
        assert roadmap[0]["tracker_issue"]["url"] == "https://github.com/octocat/Hello-World/issues/1347"

    def test_a_tracker_failure_is_a_503_in_the_one_error_shape(
        self, owner, organization, item, github, api_client_for, http_stub
    ):
        http_stub.answer("POST", "/repos/octocat/Hello-World/issues", 401, recorded("github_error_unauthorized.json"))
        response = api_client_for(owner, organization).post(
            f"/api/v1/assessments/{item.assessment_id}/roadmap/{item.item_id}/push/", {"tracker": github.pk}
        )
        assert response.status_code == 503
        assert api_errors(response)[0]["code"] == "tracker_failed"

    def test_viewers_cannot_push(self, viewer, organization, item, github, api_client_for):
        response = api_client_for(viewer, organization).post(
            f"/api/v1/assessments/{item.assessment_id}/roadmap/{item.item_id}/push/", {"tracker": github.pk}
        )
        assert response.status_code == 403

    def test_the_roadmap_page_pushes_and_shows_the_link(self, client, assessor, item, github, http_stub):
        http_stub.answer("POST", "/repos/octocat/Hello-World/issues", 201, recorded("github_issue_created.json"))
        client.force_login(assessor)
        page = client.get(reverse("assessments:roadmap", args=[item.assessment_id]))
        push_url = reverse("assessments:roadmap_push", args=[item.assessment_id, item.item_id])
        assert push_url.encode() in page.content
        client.post(push_url, {"tracker": github.pk})
        page = client.get(reverse("assessments:roadmap", args=[item.assessment_id]))
        assert b"https://github.com/octocat/Hello-World/issues/1347" in page.content
        assert b"#1347" in page.content

    def test_the_roadmap_page_refuses_a_tracker_that_is_not_an_id(self, client, assessor, item, github):
        """A posted word (not a tracker's id) was a ValueError, a 500: it is refused as an unknown tracker."""
        client.force_login(assessor)
        push_url = reverse("assessments:roadmap_push", args=[item.assessment_id, item.item_id])
        response = client.post(push_url, {"tracker": "abc"}, follow=True)
        assert response.status_code == 200
        assert "Choose one of the organization&#x27;s issue trackers." in response.content.decode()
        item.refresh_from_db()
        assert item.tracker_key == ""

    @pytest.mark.parametrize("posted", ["abc", "", "1.5"])
    def test_the_trackers_page_answers_not_found_for_what_is_not_a_trackers_id(self, client, owner, github, posted):
        client.force_login(owner)
        for action in ("delete", "toggle"):
            assert (
                client.post(reverse("accounts:issue_trackers"), {action: posted, "confirm": "yes"}).status_code == 404
            )
        assert IssueTracker.objects.filter(pk=github.pk, active=True).exists()

    def test_the_owners_page_adds_a_tracker(self, client, owner, organization, http_stub):
        client.force_login(owner)
        response = client.post(
            reverse("accounts:issue_trackers"),
            {
                "name": "Ops Jira",
                "kind": "jira",
                "base_url": http_stub.url,
                "project": "ED",
                "issue_type": "Task",
                "username": "olivia@example.com",
                "token": JIRA_TOKEN,
            },
        )
        assert response.status_code == 302
        tracker = IssueTracker.objects.get(organization=organization)
        assert encryption.decrypt(tracker.token_encrypted) == JIRA_TOKEN
        assert JIRA_TOKEN.encode() not in client.get(reverse("accounts:issue_trackers")).content


def test_the_recorded_files_name_their_sources():
    sources = (RECORDED / "SOURCES.md").read_text()
    for path in RECORDED.glob("*.json"):
        assert f"`{path.name}`" in sources or path.name in sources, path.name
        json.loads(path.read_text())


def test_deleting_a_tracker_asks_for_confirmation_first(client, owner, github):
    client.force_login(owner)
    asked = client.post(reverse("accounts:issue_trackers"), {"delete": github.pk})
    assert asked.status_code == 200
    assert b"Delete tracker" in asked.content
    assert IssueTracker.objects.filter(pk=github.pk).exists()
    client.post(reverse("accounts:issue_trackers"), {"delete": github.pk, "confirm": "yes"})
    assert not IssueTracker.objects.filter(pk=github.pk).exists()
