from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from config.validators import country_code, currency_code

from .models import ApiToken, Organization, Role

User = get_user_model()


class SignUpForm(UserCreationForm):
    """A new user and, unless they come with an invitation, their first organization."""

    email = forms.EmailField(required=True)
    organization_name = forms.CharField(
        max_length=120, label="Organization", help_text="Your company or team; you will be its owner."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, invited_email: str | None = None, **kwargs: Any) -> None:
        """`invited_email`: sign-up from an invitation's link. The account is for the invited address (shown,
        locked: what the browser sends instead is ignored) and joins the inviting organization, no new one."""
        super().__init__(*args, **kwargs)
        if invited_email is not None:
            del self.fields["organization_name"]
            email = self.fields["email"]
            email.initial = invited_email
            email.disabled = True
            email.help_text = "The invitation is for this address."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email exists already; log in instead.")
        return email


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ("name", "industry", "country", "reporting_currency")
        labels = {"reporting_currency": "Reporting currency"}
        help_texts = {
            "reporting_currency": "Totals over sites and prices in several currencies are converted into this one "
            "(ISO code, e.g. EUR), at the ECB reference rates or your own (Inventory → Exchange rates).",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporting_currency"].required = False  # empty: EUR, the default

    def clean_reporting_currency(self) -> str:
        return currency_code(self.cleaned_data.get("reporting_currency") or "EUR")

    def clean_country(self) -> str:
        return country_code(self.cleaned_data["country"])


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "expires_at")
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
        help_texts = {"expires_at": "Optional. Leave empty for a token that lasts until revoked."}
