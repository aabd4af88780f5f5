"""Private argument checks of the capacity model: each raises ``ValueError`` whose message starts with the
argument's name."""

import math
import numbers
from decimal import Decimal

from .constants import _CEIL_SLACK, BYTES_PER_VALUE, PRECISIONS, Precision


def _number(name: str, value: object) -> float:
    """Return ``value`` as a finite float, or raise ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def _non_negative(name: str, value: object) -> float:
    result = _number(name, value)
    if result < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return result


def _positive(name: str, value: object) -> float:
    result = _number(name, value)
    if result <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return result


def _count(name: str, value: object, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (ints and integral floats/Decimals are accepted)."""
    result = _number(name, value)
    if not result.is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if result < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(result)


def _unit_fraction(name: str, value: object) -> float:
    """A fraction in (0, 1] (MFU, bandwidth efficiency, memory utilization)."""
    result = _number(name, value)
    if not 0 < result <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return result


def _at_least_one(name: str, value: object) -> float:
    """A ratio >= 1 (PUE, server overhead factor)."""
    result = _number(name, value)
    if result < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return result


def _precision(value: object, name: str = "precision") -> Precision:
    if value not in BYTES_PER_VALUE:
        raise ValueError(f"{name} must be one of {', '.join(PRECISIONS)}, got {value!r}")
    return value  # type: ignore[return-value]


def _name(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _ceil_count(quotient: float) -> int:
    """Round a non-negative quotient up to a whole count, ignoring float noise (see _CEIL_SLACK)."""
    return max(0, math.ceil(quotient - _CEIL_SLACK))
