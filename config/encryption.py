"""Secrets stored encrypted at rest: integration credentials (a Prometheus bearer token, BMC user names and passwords).

Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package) through ``MultiFernet``:

- ``FIELD_ENCRYPTION_KEY`` (setting and environment variable): one or more Fernet keys, comma-separated. The first
  encrypts; every one of them decrypts, so a key is rotated by putting the new one first, running
  ``manage.py reencrypt_secrets`` (which re-encrypts every stored secret with the first key), then removing the old.
  Make a key with ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.
- Without it, the key is derived from ``SECRET_KEY`` with HKDF-SHA256 (and, to decrypt only, from each of
  ``SECRET_KEY_FALLBACKS``), so an installation works out of the box; changing ``SECRET_KEY`` without keeping the old
  one in ``SECRET_KEY_FALLBACKS`` then makes the stored secrets unreadable (they must be entered again).

Only ciphertext is stored (a text column); plaintext is never logged, shown by the API or the admin.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["SecretUnreadable", "decrypt", "derive_key", "encrypt", "reencrypt"]

HKDF_INFO = b"infraready field encryption v1"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured keys (the key changed): enter it again."""


def derive_key(secret: str) -> bytes:
    """A Fernet key (urlsafe base64 of 32 bytes) derived from ``secret`` with HKDF-SHA256 (no salt, fixed info)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


def _keys(configured: str, secret_key: str, fallbacks: tuple[str, ...]) -> list[bytes]:
    if configured.strip():
        keys = [part.strip().encode() for part in configured.split(",") if part.strip()]
        for key in keys:
            try:
                Fernet(key)
            except ValueError:
                raise ImproperlyConfigured(
                    "FIELD_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), comma-separated."
                ) from None
        return keys
    return [derive_key(secret) for secret in (secret_key, *fallbacks) if secret]


@lru_cache(maxsize=4)
def _fernet(configured: str, secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys(configured, secret_key, fallbacks)])


def _current() -> MultiFernet:
    return _fernet(
        getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "",
        settings.SECRET_KEY,
        tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ()),
    )


def encrypt(plaintext: str) -> str:
    """The ciphertext of ``plaintext`` (text, safe to store); the empty string stays empty (no secret)."""
    if not plaintext:
        return ""
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """The plaintext of a stored secret; raises :class:`SecretUnreadable` when no configured key opens it."""
    if not ciphertext:
        return ""
    try:
        return _current().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with the configured keys (FIELD_ENCRYPTION_KEY or SECRET_KEY "
            "changed?): enter it again."
        ) from None


def reencrypt(ciphertext: str) -> str:
    """The same secret encrypted with the first (current) key; raises :class:`SecretUnreadable` if unreadable."""
    if not ciphertext:
        return ""
    try:
        return _current().rotate(ciphertext.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable("a stored secret cannot be decrypted with the configured keys.") from None
