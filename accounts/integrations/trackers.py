"""Issue trackers: an organization's GitHub repository or Jira project, and the two calls the roadmap needs.

- :func:`tracker_create` / :func:`tracker_update`: the configuration, its token stored encrypted
  (:mod:`config.encryption`) and its address checked under ``INTEGRATIONS_ALLOW_PRIVATE_TARGETS``;
- :func:`issue_create`: open an issue (GitHub: ``POST /repos/{owner}/{repo}/issues``; Jira Cloud:
  ``POST /rest/api/3/issue`` with an Atlassian Document Format description) and return its key, link and state;
- :func:`issue_read`: read its state back (GitHub: ``GET /repos/{owner}/{repo}/issues/{number}``, ``state``
  open/closed and ``state_reason``; Jira: ``GET /rest/api/3/issue/{key}?fields=status``, the status and its
  category: ``new``/``indeterminate`` open, ``done`` closed).

Every request goes through :func:`config.outbound.request` (address policy at send time, no cross-host redirect,
timeouts). Failures raise :class:`TrackerError` with a sentence for people (never the token).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings

from config import encryption, outbound
from config.errors import ErrorItem, Invalid

from ..models import Organization
from .models import IssueTracker, TrackerKind

__all__ = [
    "OPEN",
    "CLOSED",
    "TrackerError",
    "TrackerIssue",
    "issue_create",
    "issue_read",
    "tracker_create",
    "tracker_update",
]

OPEN, CLOSED = "open", "closed"
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
JIRA_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")
GITHUB_API_VERSION = "2022-11-28"
MAX_BYTES = 5 * 1024 * 1024


class TrackerError(Exception):
    """The tracker refused the request or could not be reached; ``str()`` says why, for people."""


@dataclass(frozen=True, slots=True)
class TrackerIssue:
    """An issue as the roadmap keeps it: its key ("42", "OPS-7"), its page, open or closed, and its status in
    words (GitHub: "open", "closed (completed)"; Jira: "In Review (In Progress)")."""

    key: str
    url: str
    state: str
    status: str


# --- configuration ----------------------------------------------------------------------------------------------


def _check(kind: str, base_url: str, project: str, username: str, token: str | None) -> None:
    problems: list[ErrorItem] = []
    if kind not in TrackerKind.values:
        problems.append(ErrorItem(f"Choose one of: {', '.join(TrackerKind.values)}.", "invalid_choice", field="kind"))
    problem = outbound.target_problem(base_url)  # the integrations' one rule
    if problem is not None:
        words = (
            problem.problem if isinstance(problem, outbound.InvalidUrl) else f"This address cannot be used: {problem}."
        )
        problems.append(ErrorItem(words, outbound.target_code(problem), field="base_url"))
    if kind == TrackerKind.GITHUB and not GITHUB_REPOSITORY.match(project):
        problems.append(ErrorItem('Enter the repository as "owner/name".', "invalid", field="project"))
    if kind == TrackerKind.JIRA:
        if not JIRA_PROJECT.match(project):
            problems.append(ErrorItem("Enter the Jira project key (e.g. OPS).", "invalid", field="project"))
        if not username:
            problems.append(ErrorItem("Enter the Jira account's email address.", "required", field="username"))
    if token is not None and not token.strip():
        problems.append(ErrorItem("Enter the API token.", "required", field="token"))
    if problems:
        raise Invalid(problems)


def tracker_create(
    *,
    organization: Organization,
    name: str,
    kind: str,
    base_url: str,
    project: str,
    token: str,
    username: str = "",
    issue_type: str = "Task",
    active: bool = True,
) -> IssueTracker:
    base_url = base_url.strip().rstrip("/")
    _check(kind, base_url, project.strip(), username.strip(), token)
    if IssueTracker.objects.filter(organization=organization, name=name).exists():
        raise Invalid("A tracker with this name exists already.", code="unique", field="name")
    return IssueTracker.objects.create(
        organization=organization,
        name=name,
        kind=kind,
        base_url=base_url,
        project=project.strip(),
        username=username.strip(),
        issue_type=issue_type or "Task",
        token_encrypted=encryption.encrypt(token.strip()),
        active=active,
    )


def tracker_update(*, tracker: IssueTracker, changes: Mapping[str, Any]) -> IssueTracker:
    """Change the configuration; a blank or absent ``token`` keeps the stored one."""
    for name in ("name", "kind", "base_url", "project", "username", "issue_type", "active"):
        if name in changes:
            value = changes[name]
            setattr(tracker, name, value.strip().rstrip("/") if name == "base_url" else value)
    token = (changes.get("token") or "").strip()
    _check(tracker.kind, tracker.base_url, tracker.project, tracker.username, None)
    if (
        IssueTracker.objects.filter(organization_id=tracker.organization_id, name=tracker.name)
        .exclude(pk=tracker.pk)
        .exists()
    ):
        raise Invalid("A tracker with this name exists already.", code="unique", field="name")
    if token:
        tracker.token_encrypted = encryption.encrypt(token)
    tracker.save()
    return tracker


# --- HTTP -------------------------------------------------------------------------------------------------------


def _call(tracker: IssueTracker, method: str, path: str, *, body: Any = None, params: Any = None) -> Any:
    try:
        token = encryption.decrypt(tracker.token_encrypted)
    except encryption.SecretUnreadable as error:
        raise TrackerError(str(error)) from None
    if tracker.kind == TrackerKind.GITHUB:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": GITHUB_API_VERSION,
        }
    else:
        basic = base64.b64encode(f"{tracker.username}:{token}".encode()).decode()
        headers = {"Accept": "application/json", "Authorization": f"Basic {basic}"}
    headers["User-Agent"] = "InfraReady"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        response = outbound.request(
            method,
            tracker.base_url + path,
            allow_private=outbound.integrations_allow_private(),
            headers=headers,
            params=params,
            data=None if body is None else json.dumps(body).encode(),
            timeout=tuple(getattr(settings, "ISSUE_TRACKERS_HTTP_TIMEOUT", (3.05, 20.0))),
            max_bytes=MAX_BYTES,
        )
    except outbound.OutboundError as error:
        raise TrackerError(f"{tracker.get_kind_display()} could not be reached: {error}") from None
    if not 200 <= response.status_code < 300:
        raise TrackerError(f"{tracker.get_kind_display()} answered {response.status_code}: {_reason(response)}")
    try:
        return response.json()
    except ValueError:
        raise TrackerError(f"{tracker.get_kind_display()} answered something that is not JSON") from None


def _reason(response: Any) -> str:
    """The tracker's own words: GitHub's ``message``, Jira's ``errorMessages`` and ``errors``."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:200] or response.reason or "no reason given"
    if not isinstance(data, dict):
        return str(data)[:200]
    words = [data.get("message") or ""] + list(data.get("errorMessages") or [])
    words += (
        [f"{key}: {value}" for key, value in (data.get("errors") or {}).items()]
        if isinstance(data.get("errors"), dict)
        else []
    )
    return "; ".join(w for w in words if w)[:300] or "no reason given"


def _github_issue(data: Mapping[str, Any]) -> TrackerIssue:
    state = CLOSED if data.get("state") == "closed" else OPEN
    reason = data.get("state_reason")
    status = f"{state} ({str(reason).replace('_', ' ')})" if state == CLOSED and reason else state
    return TrackerIssue(key=str(data["number"]), url=str(data["html_url"]), state=state, status=status)


def _jira_browse(tracker: IssueTracker, key: str) -> str:
    return f"{tracker.base_url}/browse/{quote(key)}"


def _adf(text: str) -> dict[str, Any]:
    """Plain paragraphs as an Atlassian Document Format document (what v3 takes for a description)."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()] or [""]
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": p}] if p else []} for p in paragraphs],
    }


def issue_create(tracker: IssueTracker, *, title: str, body: str, labels: list[str] | None = None) -> TrackerIssue:
    """Open an issue; raises :class:`TrackerError`."""
    if tracker.kind == TrackerKind.GITHUB:
        data = _call(
            tracker,
            "POST",
            f"/repos/{tracker.project}/issues",
            body={"title": title[:256], "body": body, "labels": labels or []},
        )
        return _github_issue(data)
    fields: dict[str, Any] = {
        "project": {"key": tracker.project},
        "summary": title[:255],
        "issuetype": {"name": tracker.issue_type or "Task"},
        "description": _adf(body),
    }
    if labels:
        fields["labels"] = [label.replace(" ", "-") for label in labels]
    created = _call(tracker, "POST", "/rest/api/3/issue", body={"fields": fields})
    key = str(created["key"])
    return issue_read(tracker, key=key, url=_jira_browse(tracker, key))


def issue_read(tracker: IssueTracker, *, key: str, url: str = "") -> TrackerIssue:
    """An issue's current state; raises :class:`TrackerError`."""
    if tracker.kind == TrackerKind.GITHUB:
        return _github_issue(_call(tracker, "GET", f"/repos/{tracker.project}/issues/{quote(key)}"))
    data = _call(tracker, "GET", f"/rest/api/3/issue/{quote(key)}", params={"fields": "status"})
    status = (data.get("fields") or {}).get("status") or {}
    category = status.get("statusCategory") or {}
    state = CLOSED if category.get("key") == "done" else OPEN
    name, category_name = status.get("name") or "", category.get("name") or ""
    words = f"{name} ({category_name})" if category_name and category_name != name else name or state
    return TrackerIssue(
        key=str(data.get("key") or key), url=url or _jira_browse(tracker, key), state=state, status=words
    )
