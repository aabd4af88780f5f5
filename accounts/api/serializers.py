from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.serializers import KnownFieldsOnly

from ..models import Invitation, Membership, Organization, Role


class OrganizationSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("id", "name", "slug", "industry", "country", "reporting_currency", "created")
        read_only_fields = ("id", "slug", "created")
        extra_kwargs = {
            "reporting_currency": {
                "help_text": "ISO code of the currency totals over several currencies are converted into (default EUR)."
            }
        }


class OrganizationUpdateSerializer(KnownFieldsOnly, serializers.Serializer):
    """An owner's change of the organization's settings (every field optional)."""

    name = serializers.CharField(max_length=120, required=False)
    industry = serializers.CharField(max_length=80, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    reporting_currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text="ISO code, e.g. EUR: totals over several currencies are converted into it.",
    )


class ActiveOrganizationSerializer(KnownFieldsOnly, serializers.Serializer):
    """The organization a request acts for, and the caller's role in it."""

    organization = OrganizationSerializer()
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """A member. `email` is shown to owners only (they invite and manage members); `null` for everyone else."""

    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ("id", "username", "email", "role", "created")
        read_only_fields = ("id", "username", "email", "created")

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, membership: Membership) -> str | None:
        return membership.user.email if self.context.get("show_emails") else None


class InvitationSerializer(KnownFieldsOnly, serializers.ModelSerializer):
    """A pending invitation of an email address to the organization, with a role."""

    class Meta:
        model = Invitation
        fields = ("id", "email", "role", "created", "expires_at")
        read_only_fields = ("id", "created", "expires_at")


class InvitationCreateSerializer(KnownFieldsOnly, serializers.Serializer):
    email = serializers.EmailField(help_text="The address invited: only an account with this email can accept.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)
    send_email = serializers.BooleanField(
        default=True, help_text="Email the link to the address (false: deliver the returned link yourself)."
    )


class InvitationCreatedSerializer(InvitationSerializer):
    """The new invitation and its link, returned once: only a hash of the link's secret is stored."""

    link = serializers.URLField(read_only=True, help_text="The invitation's link; shown this once.")

    class Meta(InvitationSerializer.Meta):
        fields = (*InvitationSerializer.Meta.fields, "link")
