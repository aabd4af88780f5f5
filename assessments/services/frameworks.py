"""Framework versions: loading a file, and the rules on the target levels an assessment sets for its areas."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accounts.models import Organization
from config.errors import Conflict, ErrorItem, Invalid
from inventory import money
from inventory.exchange.selectors import rate_table_for

from .. import scoring
from ..framework_files import framework_fields, read_framework
from ..models import Framework
from ..selectors import default_framework, framework_of

logger = logging.getLogger(__name__)


def framework_parse(framework: Framework) -> scoring.Framework:
    """The framework version as the scoring engine reads it (parsed once per version, `selectors.framework_of`)."""
    return framework_of(framework)


def framework_for_scoring(*, framework: Framework, organization: Organization) -> scoring.Framework:
    """The framework version with the thresholds of its money questions in ``organization``'s reporting currency,
    the one its answers and inventory facts are in (`scoring.in_currency`), at the organization's exchange rates
    (reference rates or its overrides, docs/money.md). No query unless a threshold's currency differs from it. A
    currency without a rate keeps its thresholds as written, and is logged."""
    currency = (organization.reporting_currency or money.EUR).upper()
    rates = functools.cache(lambda: rate_table_for(organization=organization))  # read at the first conversion only

    def per_unit(code: str) -> float | None:
        try:
            return money.convert(1.0, code, currency, rates()).converted
        except money.MissingRate:
            return None

    converted, missing = scoring.in_currency(framework_parse(framework), currency, per_unit)
    if missing:
        logger.warning(
            "No exchange rate from %s to %s for organization %s: thresholds left as written",
            ", ".join(missing),
            currency,
            organization.pk,
        )
    return converted


@transaction.atomic
def framework_load(*, text: str | bytes, organization: Organization | None = None) -> tuple[Framework, bool]:
    """Validate and store a framework version; returns it and whether it was new.

    Loading the same version with the same content again changes nothing. A version is never changed once
    loaded (assessments taken on it must keep their meaning): different content needs a new version number.
    Raises `framework_files.FrameworkFileError` listing every problem of a bad file.
    """
    fields = framework_fields(read_framework(text))
    existing = Framework.objects.filter(
        organization=organization, slug=fields["slug"], version=fields["version"]
    ).first()
    if existing is not None:
        if existing.digest != fields["digest"]:
            raise Conflict(
                f"Version {existing.version} of {existing.slug} is already loaded with different content; "
                "give the changed file a new version number.",
                code="version_exists",
            )
        return existing, False
    return Framework.objects.create(organization=organization, **fields), True


def framework_or_default(framework: Framework | None) -> Framework:
    """``framework``, else the shipped one; `Invalid` naming the field when none is loaded."""
    chosen = framework or default_framework()
    if chosen is None:
        raise Invalid("No framework is loaded; run `manage.py load_framework`.", code="no_framework", field="framework")
    return chosen


def default_target_levels(framework: Framework) -> dict[str, int]:
    return {area.id: area.default_target_level for area in framework_parse(framework).areas}


def validate_target_levels(*, framework: Framework, targets: Mapping[str, Any]) -> dict[str, int]:
    """The targets as ints when each names an area of ``framework`` and is a level 1-5; else `Invalid` naming each
    bad one (``target_levels.<area>``)."""
    areas = {area.id for area in framework_parse(framework).areas}
    problems = []
    for area_id, level in targets.items():
        where = f"target_levels.{area_id}"
        if area_id not in areas:
            problems.append(ErrorItem("Unknown area.", "unknown_area", field=where))
        elif not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            problems.append(ErrorItem("A maturity level from 1 to 5.", "invalid_level", field=where))
    if problems:
        raise Invalid(problems)
    return {area_id: int(level) for area_id, level in targets.items()}
