"""Secrets at rest: Fernet with keys from FIELD_ENCRYPTION_KEY (rotation) or derived from SECRET_KEY (HKDF)."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from config import encryption

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_round_trip_and_nothing_in_clear(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    token = encryption.encrypt("s3cret-bmc-password")
    assert "s3cret" not in token
    assert token != encryption.encrypt("s3cret-bmc-password")  # a random IV each time
    assert encryption.decrypt(token) == "s3cret-bmc-password"
    assert encryption.encrypt("") == ""
    assert encryption.decrypt("") == ""


def test_the_default_key_is_derived_from_the_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    token = encryption.encrypt("x")
    assert Fernet(encryption.derive_key(settings.SECRET_KEY)).decrypt(token.encode()) == b"x"
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    with pytest.raises(encryption.SecretUnreadable, match="enter it again"):
        encryption.decrypt(token)
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert encryption.decrypt(token) == "x"


def test_keys_rotate(settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    token = encryption.encrypt("rotate me")
    settings.FIELD_ENCRYPTION_KEY = f"{NEW}, {OLD}"
    assert encryption.decrypt(token) == "rotate me"
    rotated = encryption.reencrypt(token)
    settings.FIELD_ENCRYPTION_KEY = NEW
    assert encryption.decrypt(rotated) == "rotate me"
    with pytest.raises(encryption.SecretUnreadable):
        encryption.decrypt(token)


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        encryption.encrypt("x")


@pytest.mark.django_db
def test_the_command_reencrypts_stored_secrets(settings, organization):
    from inventory.models import BmcEndpoint, PrometheusConfig
    from inventory.tests.factories import ServerFactory
    from inventory.tests.telemetry_factories import BMC_PASSWORD, TOKEN, telemetry_rows

    settings.FIELD_ENCRYPTION_KEY = OLD
    telemetry_rows(organization, ServerFactory(organization=organization))
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "1 Prometheus token(s), 1 BMC endpoint(s)" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEY = NEW
    assert PrometheusConfig.objects.get().get_token() == TOKEN
    assert BmcEndpoint.objects.get().get_password() == BMC_PASSWORD
