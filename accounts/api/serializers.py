from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..models import Membership, Organization, Role


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("id", "name", "slug", "industry", "country", "created")
        read_only_fields = ("id", "slug", "created")


class ActiveOrganizationSerializer(serializers.Serializer):
    """The organization a request acts for, and the caller's role in it."""

    organization = OrganizationSerializer()
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "username", "email", "role", "created")
        read_only_fields = ("id", "username", "email", "created")


class MembershipCreateSerializer(serializers.Serializer):
    """Add an existing user by username or email."""

    user = serializers.CharField(help_text="Username or email of an existing user.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)

    def validate_user(self, value: str):
        User = get_user_model()
        user = User.objects.filter(username__iexact=value).first() or User.objects.filter(email__iexact=value).first()
        if user is None:
            raise serializers.ValidationError("No user with this username or email.")
        return user
