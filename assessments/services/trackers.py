"""Roadmap items in the organization's issue tracker (GitHub Issues, Jira): pushed by people, read back by beat.

- :func:`roadmap_item_push`: open an issue for an item in one of the organization's trackers
  (``accounts.integrations.trackers``) and keep its key, link and state on the item; an item is pushed once
  (409 ``already_pushed``), a tracker that refuses or cannot be reached is a 503 ``tracker_failed`` with its words,
  nothing changed;
- :func:`roadmap_trackers_sync`: read back the state of every pushed item (the beat task
  ``assessments.tasks.roadmap_trackers_sync``): GitHub open/closed (and why it was closed), Jira's status and its
  category (To Do and In Progress are open, Done is closed). A tracker that fails leaves its items as last read.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.integrations.trackers import TrackerError, TrackerIssue, issue_create, issue_read
from accounts.models import IssueTracker
from config.errors import Conflict, Invalid, Unavailable

from ..models import RoadmapItem

__all__ = ["roadmap_item_issue_text", "roadmap_item_push", "roadmap_trackers_sync"]

logger = logging.getLogger(__name__)

SYNC_BATCH = 500


def roadmap_item_issue_text(item: RoadmapItem) -> tuple[str, str, list[str]]:
    """The issue's title, body (plain text, read the same on GitHub and in Jira) and labels."""
    lines = [item.action or item.title, "", f"Why: {item.why}"]
    lines += ["", f"Phase: {item.get_phase_display()}; effort {item.effort}; rank {item.rank} in the roadmap."]
    if item.area_ref:
        lines.append(f"Area: {item.area_ref}.")
    lines += ["", f"From the InfraReady assessment “{item.assessment.title}” (item {item.item_id})."]
    return item.title, "\n".join(lines).replace("\n\n\n", "\n\n"), ["infraready", f"phase {item.phase}".lower()]


def _store(item: RoadmapItem, issue: TrackerIssue, *, tracker: IssueTracker | None = None) -> None:
    if tracker is not None:
        item.tracker = tracker
    item.tracker_key, item.tracker_url = issue.key, issue.url
    item.tracker_state, item.tracker_status = issue.state, issue.status[:120]
    item.tracker_checked_at = timezone.now()
    RoadmapItem.objects.filter(pk=item.pk).update(
        tracker=item.tracker,
        tracker_key=item.tracker_key,
        tracker_url=item.tracker_url,
        tracker_state=item.tracker_state,
        tracker_status=item.tracker_status,
        tracker_checked_at=item.tracker_checked_at,
    )


def roadmap_item_push(*, item: RoadmapItem, tracker_id: Any, user: AbstractBaseUser | None = None) -> RoadmapItem:
    """Open an issue for ``item`` in the organization's tracker ``tracker_id`` and keep its link on the item."""
    try:
        tracker_pk = IssueTracker._meta.pk.to_python(tracker_id)
    except ValidationError:  # not an id at all ("abc" posted by a form): no tracker, as an unknown id
        tracker_pk = None
    tracker = IssueTracker.objects.filter(organization_id=item.organization_id, pk=tracker_pk).first()
    if tracker is None:
        raise Invalid("Choose one of the organization's issue trackers.", code="does_not_exist", field="tracker")
    if not tracker.active:
        raise Invalid("This tracker is switched off.", code="tracker_inactive", field="tracker")
    if item.tracker_key:
        raise Conflict(f"This item is already an issue: {item.tracker_url or item.tracker_key}.", code="already_pushed")
    title, body, labels = roadmap_item_issue_text(item)
    try:
        issue = issue_create(tracker, title=title, body=body, labels=labels)
    except TrackerError as error:
        raise Unavailable(f"The issue could not be created: {error}", code="tracker_failed") from None
    _store(item, issue, tracker=tracker)
    logger.info("roadmap item %s pushed to %s as %s", item.pk, tracker, issue.key)
    return item


def roadmap_trackers_sync(*, organization_id: int | None = None) -> dict[str, int]:
    """Read back the state of pushed items (all organizations', or one's); counts of read, changed, failed."""
    items = RoadmapItem.objects.exclude(tracker_key="").filter(tracker__active=True).select_related("tracker")
    if organization_id is not None:
        items = items.filter(organization_id=organization_id)
    counts = {"read": 0, "changed": 0, "failed": 0}
    broken: set[int] = set()
    for item in items.order_by("tracker_checked_at", "pk")[:SYNC_BATCH]:
        if item.tracker_id in broken:
            counts["failed"] += 1
            continue
        try:
            issue = issue_read(item.tracker, key=item.tracker_key, url=item.tracker_url)
        except TrackerError as error:
            logger.warning("tracker %s: reading %s failed: %s", item.tracker_id, item.tracker_key, error)
            broken.add(item.tracker_id)  # one failure per tracker and run: the others would fail the same way
            counts["failed"] += 1
            continue
        counts["read"] += 1
        if (issue.state, issue.status[:120]) != (item.tracker_state, item.tracker_status):
            counts["changed"] += 1
        _store(item, issue)
    return counts
