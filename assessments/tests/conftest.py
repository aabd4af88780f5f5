"""Fixtures of the assessments tests."""

from accounts.tests.http_stub import http_stub  # noqa: F401  (a loopback stand-in for GitHub and Jira)
