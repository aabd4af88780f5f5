"""Model fields every app shares."""

from __future__ import annotations

from typing import Any

from django.db import models


class UpperCaseCodeField(models.CharField):
    """An ISO code (country, currency): stored in capitals without surrounding spaces, whoever typed it. Only
    ASCII is put in capitals: ``"aß".upper()`` is ``"ASS"``, which the field's validator must see as typed."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        value = value.strip()
        return value.upper() if value.isascii() else value

    def deconstruct(self) -> Any:
        # Normalizing is no business of the database: migrations see a plain CharField (no table rebuild).
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
