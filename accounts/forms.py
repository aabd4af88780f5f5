from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

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

    def __init__(self, *args: Any, with_organization: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_organization:
            del self.fields["organization_name"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email exists already; log in instead.")
        return email


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ("name", "industry", "country")

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError("Use the two-letter ISO code, e.g. DE or US.")
        return country


class AddMemberForm(forms.Form):
    """Add an existing user by username or email."""

    user = forms.CharField(label="Username or email", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_user(self) -> Any:
        value = self.cleaned_data["user"].strip()
        user = User.objects.filter(username__iexact=value).first() or User.objects.filter(email__iexact=value).first()
        if user is None:
            raise forms.ValidationError("No user with this username or email; send an invitation instead.")
        return user


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
