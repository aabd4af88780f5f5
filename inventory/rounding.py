"""The one rounding rule of every number people read, pure Python (no Django).

Half away from zero on the number's **decimal spelling**: 29.25 -> 29.3, 0.125 -> 0.13, 2.5 -> 3, a PUE of 1.405 ->
1.41, -29.25 -> -29.3. That is how Django's ``floatformat`` rounds the pages' tables and how money is rounded.
Python's ``round`` and its formatting round the *binary* value half to even (29.25 -> 29.2, 0.125 -> 0.12, 2.5 -> 2,
1.405 -> 1.4), so the same number would read differently in a table and in the figure or chart beside it. Scores
(``assessments.scoring.round_score``, ``percent``), money (``inventory.money.format_money``), facts
(``inventory.facts.rounded``), figures (``inventory.capacity.format_value``) and charts' tables
(``reports.charts``) all round here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_away(number: float | Decimal, decimals: int) -> float:
    """``number`` rounded to ``decimals`` places (negative: tens, hundreds...) half away from zero on its decimal
    spelling (a float is read as ``repr`` writes it: 1.405 is 1.405, not the binary 1.40499...); a ``Decimal`` is
    exact already (``Decimal(repr(share)) * 100`` for a percentage). Infinities and NaN are returned as they are."""
    exact = number if isinstance(number, Decimal) else Decimal(repr(float(number)))
    if not exact.is_finite():
        return float(exact)
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
