"""Fixtures of the accounts tests."""

from accounts.tests.http_stub import http_stub  # noqa: F401  (a loopback HTTP server: webhook receiver, tracker API)
