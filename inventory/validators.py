"""The inventory's field rules, written once.

Single-field rules are validators on the model fields (`models.py`); rules across fields are the *row rules* below,
which each model's ``clean()`` calls. Every way in uses them, so every channel refuses a value with the same
message:

- the app's forms (ModelForms: ``full_clean`` runs the validators and ``clean()``),
- the API (``config.serializers.ValidatedModelSerializer`` builds the instance and calls ``full_clean``),
- the admin (ModelForms too),
- bulk import (`inventory.importing`: each cell through its model field's validators, each row through the same
  row rules, without building model instances: imports stay fast).

Row rules take a mapping of field names to values (a related row by any non-empty value: an instance, an id or a
name) so that the importer can call them on a row before any instance exists. They return `ErrorItem`s with a
``field``.

The database's check constraints (`models.py`) say the same again, as the last line; they are not evaluated in
Python (`RowRulesMixin.validate_constraints`), which would cost a query per constraint and row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.deconstruct import deconstructible

from config.errors import ErrorItem
from config.validators import (  # noqa: F401 - re-exported: models and migrations name them here
    validate_country_code,
    validate_currency_code,
)

# --- single fields --------------------------------------------------------------------------------------------


@deconstructible(path="inventory.validators.Bounds")
class Bounds:
    """A number within bounds (``None`` passes: emptiness is the field's own business); `message` says the rule.

    Not a subclass of Django's ``MinValueValidator``: DRF would replace that with its own message.
    """

    def __init__(
        self,
        message: str,
        *,
        above: float | None = None,
        at_least: float | None = None,
        at_most: float | None = None,
        code: str = "min_value",
    ) -> None:
        self.message = message
        self.above = above
        self.at_least = at_least
        self.at_most = at_most
        self.code = code

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("Enter a finite number.", code="not_finite")
        if (
            (self.above is not None and not value > self.above)
            or (self.at_least is not None and value < self.at_least)
            or (self.at_most is not None and value > self.at_most)
        ):
            raise ValidationError(self.message, code=self.code)

    def _key(self) -> tuple[Any, ...]:
        return (self.message, self.above, self.at_least, self.at_most, self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bounds) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


POSITIVE = Bounds("Enter a value above 0.", above=0)
NOT_NEGATIVE = Bounds("Enter 0 or more.", at_least=0)
AT_LEAST_ONE = Bounds("Enter at least 1.", at_least=1)
PUE = Bounds(
    "Enter a PUE between 1.0 (all power reaches the IT equipment) and 3.0.", at_least=1, at_most=3, code="out_of_range"
)
PERCENTAGE = Bounds("Enter a percentage between 0 and 100.", at_least=0, at_most=100, code="out_of_range")
FRACTION = Bounds("Enter a fraction above 0 and at most 1, e.g. 0.4.", above=0, at_most=1, code="out_of_range")
OVERSUBSCRIPTION = Bounds(
    "Enter a ratio between 1.0 (non-blocking) and 100.", at_least=1, at_most=100, code="out_of_range"
)


def up_to(limit: float, unit: str = "", *, above_zero: bool = False, at_least: float | None = None) -> Bounds:
    """A realistic range: 0 (or above 0, or `at_least`) up to `limit`, said with its unit."""
    shown = (f"{limit:,.0f}" if limit == int(limit) else f"{limit:,}") if limit >= 1 else f"{limit:g}"
    unit = f" {unit}" if unit else ""
    if at_least is not None:
        return Bounds(
            f"Enter a value between {at_least:g} and {shown}{unit}.",
            at_least=at_least,
            at_most=limit,
            code="out_of_range",
        )
    if above_zero:
        return Bounds(f"Enter a value above 0 and at most {shown}{unit}.", above=0, at_most=limit, code="out_of_range")
    return Bounds(f"Enter a value between 0 and {shown}{unit}.", at_least=0, at_most=limit, code="out_of_range")


# Realistic ranges (docs/architecture.md, "Bounded numbers"): far above any real installation, far below what
# overflows a sum, a float or a column.
CAMPUS_KW = 5_000_000  # 5 GW: the largest AI campuses announced
SITE_POWER_KW = up_to(CAMPUS_KW, "kW", above_zero=True)
GRID_INTENSITY = up_to(2_000, "gCO2e/kWh")  # coal is about 1,000
PRICE_PER_KWH = up_to(9_999.9999)  # in the site's currency: what the column holds
SERVER_POWER_W = up_to(1_000_000, "W")  # a whole rack-scale system is about 150 kW
SERVER_CPU_CORES = up_to(100_000)
SERVER_RAM_GB = up_to(1_000_000, "GB")
ACCELERATORS_PER_SERVER = up_to(1_024)
MONEY = up_to(9_999_999_999.99)  # what a 12-digit column with cents holds
HOURLY_PRICE = up_to(999_999.9999)  # what the 10-digit column with 4 decimals holds
STORAGE_TB = up_to(10_000_000, "TB", above_zero=True)
THROUGHPUT_GBPS = up_to(1_000_000, "GB/s")
LINK_SPEED_GBPS = up_to(100_000, "Gb/s", above_zero=True)
ACCELERATORS_PER_INSTANCE = up_to(1_024, at_least=1)
INSTANCES = up_to(10_000_000, at_least=1)
REQUESTS_PER_SECOND = up_to(100_000_000, "requests/s", above_zero=True)
# The capacity model needs at least one prompt and one output token and latency targets above 0
# (`capacity.InferenceWorkload`: ``_count(..., minimum=1)``, ``_positive``): the fields ask the same.
TOKENS = up_to(100_000_000, "tokens", at_least=1)
LATENCY_MS = up_to(3_600_000, "ms", at_least=1)
TRAINING_TOKENS = up_to(1e16, "tokens", above_zero=True)
DEADLINE_DAYS = up_to(3_650, "days", above_zero=True)
DEPRECIATION_YEARS = up_to(30, "years", above_zero=True)
DATASET_TB = up_to(10_000_000, "TB")
ACCELERATOR_MEMORY_GB = up_to(100_000, "GB", above_zero=True)
ACCELERATOR_BANDWIDTH = up_to(10_000_000, "GB/s", above_zero=True)
ACCELERATOR_OPS = up_to(100_000_000, above_zero=True)
ACCELERATOR_TDP_W = up_to(100_000, "W")
SYSTEM_POWER_W = up_to(100_000, "W", above_zero=True)  # an integrated system's power per accelerator
HOST_RESERVED_GB = up_to(100_000, "GB")  # the part of a unified memory the host keeps
RELEASE_YEAR = up_to(2_100, at_least=1_990)
PARAMETERS = up_to(1e15, "parameters", above_zero=True)
MODEL_DIMENSION = up_to(10_000_000)
CONTEXT_TOKENS = up_to(1_000_000_000, "tokens")
WEIGHT_KG = up_to(100_000, "kg")

# The limits of PostgreSQL's integer columns, on every database (SQLite accepts 64 bits everywhere): a value the
# production database would refuse is refused in tests and the demo too.
SMALLINT = MaxValueValidator(32767)
INTEGER = MaxValueValidator(2147483647)

# RFC 1123 hostnames and FQDNs: labels of letters, digits and hyphens (not at a label's ends), at most 63 characters,
# separated by dots; underscores too, as some inventories hold them (Windows and SRV-style names). ASCII only, so
# that case folds the same in Python and in the database (hostnames are unique whatever their case).
HOSTNAME_MESSAGE = (
    "Enter a hostname or FQDN: letters, digits, hyphens and underscores, in labels of at most 63 characters "
    "separated by dots, e.g. gpu-01.example.com (no spaces, slashes or other characters)."
)
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def validate_hostname(value: Any) -> None:
    """A server's hostname: RFC 1123 (with underscores); the length (253) is the field's ``max_length``."""
    if isinstance(value, str) and value and not _HOSTNAME.fullmatch(value):
        raise ValidationError(HOSTNAME_MESSAGE, code="invalid_hostname")


# --- rows (rules across fields) -------------------------------------------------------------------------------

ACCELERATOR_TYPE_NEEDED = "Choose the type of the accelerators (or set their count to 0)."
KV_HEADS_TOO_MANY = "Cannot be more than the attention heads."
WORKLOAD_NEEDS: dict[str, tuple[str, ...]] = {
    "inference": ("requests_per_second", "prompt_tokens", "output_tokens"),
    "training": ("training_tokens",),
    "fine_tuning": ("training_tokens",),
}
_WORKLOAD_WORDS = {"inference": "inference", "training": "training", "fine_tuning": "fine-tuning"}


# Not "required": a ModelForm would replace the message with its field's own "This field is required.".
MISSING = "missing"


def _set(value: Any) -> bool:
    return value is not None and value != ""


def server_rules(values: Mapping[str, Any]) -> list[ErrorItem]:
    """Accelerators need a type."""
    if values.get("accelerator_count") and not _set(values.get("accelerator_type")):
        return [ErrorItem(ACCELERATOR_TYPE_NEEDED, MISSING, field="accelerator_type")]
    return []


def workload_rules(values: Mapping[str, Any]) -> list[ErrorItem]:
    """Serving needs its traffic (requests per second, prompt and output tokens); training needs its tokens."""
    kind = values.get("kind")
    needed = WORKLOAD_NEEDS.get(str(kind), ()) if kind else ()
    message = f"Required for {_WORKLOAD_WORDS.get(str(kind), str(kind))} workloads."
    return [ErrorItem(message, MISSING, field=name) for name in needed if not _set(values.get(name))]


def model_profile_rules(values: Mapping[str, Any]) -> list[ErrorItem]:
    """Grouped-query attention shares key/value heads: never more of them than attention heads."""
    heads, kv_heads = values.get("attention_heads"), values.get("kv_heads")
    if heads is not None and kv_heads is not None and kv_heads > heads:
        return [ErrorItem(KV_HEADS_TOO_MANY, "invalid", field="kv_heads")]
    return []


HOST_RESERVED_TOO_LARGE = "Enter less than the accelerator's memory: the host cannot keep all of it."
SYSTEM_POWER_BELOW_TDP = "Enter at least the TDP: the system's power includes the accelerator's."


def accelerator_type_rules(values: Mapping[str, Any]) -> list[ErrorItem]:
    """An integrated system's figures: the memory its host keeps is less than the (unified) memory, and its
    system power is at least the accelerator's TDP (the system includes the accelerator)."""
    items = []
    memory, reserved = values.get("memory_gb"), values.get("host_reserved_gb")
    if memory is not None and reserved is not None and reserved >= memory:
        items.append(ErrorItem(HOST_RESERVED_TOO_LARGE, "invalid", field="host_reserved_gb"))
    tdp, system = values.get("tdp_w"), values.get("system_power_w")
    if tdp is not None and system is not None and system < tdp:
        items.append(ErrorItem(SYSTEM_POWER_BELOW_TDP, "invalid", field="system_power_w"))
    return items


def no_rules(values: Mapping[str, Any]) -> list[ErrorItem]:
    return []


def raise_for(items: list[ErrorItem]) -> None:
    """Raise the row rules' items as Django's ``ValidationError`` by field (what ``Model.clean()`` raises)."""
    if not items:
        return
    by_field: dict[str, list[ValidationError]] = {}
    for item in items:
        by_field.setdefault(item.field or "__all__", []).append(ValidationError(item.message, code=item.code))
    raise ValidationError(by_field)
