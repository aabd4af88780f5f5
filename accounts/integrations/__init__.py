"""Integrations with other systems: webhooks (events sent out, signed) and issue trackers (GitHub Issues, Jira).

The lowest layer holds them so that every app can emit an event or push to a tracker without importing the apps
above it: ``webhooks.webhook_emit`` is called from the service functions where things happen (an assessment
submitted or scored, a roadmap item changed, a report rendered, an inventory import finished), and
``trackers`` speaks to GitHub's and Jira's REST APIs for the roadmap (``assessments.services.trackers``).
Outbound HTTP goes through :mod:`config.outbound` (address policy at send time, no cross-host redirects,
timeouts); secrets are stored with :mod:`config.encryption`. docs/webhooks.md describes both.
"""
