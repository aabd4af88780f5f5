"""Writes of exchange rates: an owner's override of a currency's rate for the organization, and its removal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.models import Organization
from accounts.services import organization_data_changed
from config.errors import Invalid, checked
from config.validators import currency_code

from .models import ExchangeRateOverride


def _currency(value: str) -> str:
    code = checked(currency_code, value, code="invalid_currency", field="currency")
    if code == "EUR":
        raise Invalid("Rates are quoted per euro: the euro's own rate is 1.", code="euro_rate", field="currency")
    return code


@transaction.atomic
def rate_override_set(
    *,
    organization: Organization,
    currency: str,
    rate_per_eur: Decimal | float | str,
    user: AbstractBaseUser,
    note: str = "",
) -> ExchangeRateOverride:
    """Set the organization's own rate for ``currency`` (units per euro), recording who set it."""
    code = _currency(currency)
    try:
        rate = Decimal(str(rate_per_eur))
    except (InvalidOperation, ValueError):
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0 or rate >= Decimal("1e12"):
        raise Invalid("A rate is a positive number of units per euro.", code="invalid_rate", field="rate_per_eur")
    item, _ = ExchangeRateOverride.objects.update_or_create(
        organization=organization,
        currency=code,
        defaults={"rate_per_eur": rate.quantize(Decimal("0.000001")), "set_by": user, "note": note.strip()[:200]},
    )
    organization_data_changed(organization_id=organization.pk)
    return item


@transaction.atomic
def rate_override_clear(*, organization: Organization, currency: str) -> bool:
    """Go back to the reference rate for ``currency``; False when there was no override."""
    deleted, _ = ExchangeRateOverride.objects.filter(organization=organization, currency=_currency(currency)).delete()
    if deleted:
        organization_data_changed(organization_id=organization.pk)
    return bool(deleted)
