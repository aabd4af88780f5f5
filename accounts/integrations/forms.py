"""Forms of the integration pages: they parse input only; the services check it."""

from __future__ import annotations

from django import forms

from .models import TrackerKind, WebhookEvent


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="URL", assume_scheme="https", help_text="Where events are POSTed.")
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 16 characters. Leave empty: a new endpoint gets a random one (shown once); an existing "
        "one keeps its own.",
    )
    active = forms.BooleanField(required=False, initial=True)


class IssueTrackerForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=TrackerKind.choices, label="Tracker")
    base_url = forms.URLField(
        max_length=300,
        label="Address",
        assume_scheme="https",
        help_text="GitHub: https://api.github.com (or https://HOST/api/v3); Jira: https://YOUR-SITE.atlassian.net.",
    )
    project = forms.CharField(max_length=200, help_text='GitHub: "owner/repository"; Jira: the project key.')
    issue_type = forms.CharField(max_length=60, required=False, initial="Task", help_text="Jira only.")
    username = forms.CharField(max_length=200, required=False, help_text="Jira only: the account's email address.")
    token = forms.CharField(max_length=500, widget=forms.PasswordInput(render_value=False), label="API token")
