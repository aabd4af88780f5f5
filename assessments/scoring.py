"""InfraReady scoring engine: turn answers to a framework into readiness scores.

Pure Python 3.11, no Django import: the module can be imported, tested and reasoned about on its own.
The full description, with a worked example, lives in ``docs/scoring.md``; this docstring is the summary.

Method
------
1. **Normalize** every answer to a score ``s`` in [0, 100] (``docs/framework-format.md``)::

       maturity   s = 25 * level                                  level in 0..4
       yes_no     s = yes_score  if yes,  100 - yes_score  if no
       choice     s = score of the chosen option
       numeric    s = clamp(100 * (v - zero_score_at) / (full_score_at - zero_score_at), 0, 100)

   A "not applicable" (N/A) answer and an unanswered question have no score.

2. **Sub-area score** = weighted mean over its *scored* questions (question weights ``w_q``)::

       S_sub = sum(w_q * s_q) / sum(w_q)

   N/A and unanswered questions are left out of numerator *and* denominator.

3. **Area score** = weighted mean of its sub-area scores (sub-area weights ``W_sub``) over the sub-areas
   that have a score::

       S_area = sum(W_sub * S_sub) / sum(W_sub)

4. **Readiness index** = weighted mean of the area scores (area weights ``W_area``) over areas with a score::

       I = sum(W_area * S_area) / sum(W_area)

   Any level with nothing scored below it has score ``None``.

5. **Maturity level** of the index and of each area: ``level = min(5, floor(score / 20) + 1)``, i.e.
   1 Initial [0, 20), 2 Developing [20, 40), 3 Defined [40, 60), 4 Managed [60, 80), 5 Optimized [80, 100].
   A score exactly on a boundary belongs to the upper level; 100 is level 5.
   ``gap = max(0, target_level - level)``.

6. **Risk** of a question (``s`` its score, ``w`` its weight inside the sub-area)::

       s <  25  and w >= 1.5  -> high
       s <  25                -> medium
       s <  50  and w >= 1.5  -> medium
       otherwise              -> none

   If ``s < 50`` and the framework file sets ``risk:`` on the question, that value replaces the computed
   one (even if it is lower). ``s >= 50``, N/A and unanswered are always ``none``.

7. **Confidence** of an area (and overall)::

       answered_share = (scored + N/A) / questions
       evidence_share = answers with source == "inventory" / (scored + N/A)

8. **Evidence** (used when an inventory fact checks a self-assessed answer)::

       blend(self, evidence, k=EVIDENCE_WEIGHT) = (1 - k) * self + k * evidence     (EVIDENCE_WEIGHT = 0.5)
       contradiction(self, evidence, t=30)     = |self - evidence| > t

Arithmetic
----------
All means are computed in exact rational numbers (:class:`fractions.Fraction`); every input number is
taken at its shortest decimal spelling (the float ``1.2`` means 6/5), and each result is converted to
``float`` once, at the end. So a sub-area whose answers all score ``s`` scores exactly ``s``, a mean never
leaves the range of its inputs, and a hand-computed 40.0 is not turned into 39.99999999999999 (level 2).
The engine never rounds; :func:`round_score` rounds to one decimal for display only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any, Literal, TypeAlias, TypeGuard, get_args

__all__ = [
    "CONTRADICTION_THRESHOLD",
    "EVIDENCE_WEIGHT",
    "HIGH_WEIGHT_THRESHOLD",
    "LEVEL_WIDTH",
    "LOW_SCORE_THRESHOLD",
    "MATURITY_STEP",
    "RISK_SCORE_THRESHOLD",
    "Answer",
    "AreaEvidence",
    "EvidenceResult",
    "AnswerStatus",
    "AnswerValue",
    "Area",
    "AreaResult",
    "Confidence",
    "Framework",
    "MaturityLevel",
    "NumericSpec",
    "Option",
    "OverallResult",
    "Question",
    "QuestionResult",
    "QuestionType",
    "Recommendation",
    "Result",
    "Risk",
    "Source",
    "SubArea",
    "SubAreaResult",
    "blend",
    "contradiction",
    "level_for_score",
    "level_label",
    "normalize",
    "percent",
    "question_risk",
    "round_score",
    "score_assessment",
    "score_evidence",
]

QuestionType = Literal["maturity", "yes_no", "choice", "numeric"]
"""The four question types of the framework format."""

Source = Literal["self", "inventory"]
"""Where an answer came from: the respondent ("self") or a fact computed from the inventory."""

AnswerStatus = Literal["scored", "not_applicable", "unanswered"]
"""What happened to a question: it has a score, it was answered N/A, or it has no answer."""

AnswerValue: TypeAlias = int | bool | str | float
"""int level (maturity), bool (yes_no), option id (choice), number (numeric)."""

MATURITY_STEP = 25
"""Score per maturity level: level ``L`` (0..4) scores ``25 * L``."""

LEVEL_WIDTH = 20
"""Width of a maturity band on the 0-100 scale: five bands of 20 points."""

RISK_SCORE_THRESHOLD = 25.0
"""A score below this is a *failing* answer (medium risk, high if the question weighs >= 1.5)."""

LOW_SCORE_THRESHOLD = 50.0
"""A score below this is a *low* answer: it may carry risk, shows its recommendation, and lets the
framework's ``risk`` override apply. A score at or above it is never a risk."""

HIGH_WEIGHT_THRESHOLD = 1.5
"""A question weighing this much or more inside its sub-area is *heavy*: its risk is one step higher."""

EVIDENCE_WEIGHT = 0.5
"""Share of an inventory fact in a blended score. A choice: self-assessment and evidence count equally,
because the inventory is often incomplete and self-assessment captures practice the inventory cannot."""

CONTRADICTION_THRESHOLD = 30.0
"""Self and evidence scores *strictly* more than this many points apart are flagged as contradicting."""

_QUESTION_TYPES: frozenset[str] = frozenset(get_args(QuestionType))
_SOURCES: frozenset[str] = frozenset(get_args(Source))
_ZERO = Fraction(0)
_HUNDRED = Fraction(100)


class Risk(StrEnum):
    """Risk attached to one answer; equal to its string value (``Risk.HIGH == "high"``)."""

    HIGH = "high"
    MEDIUM = "medium"
    NONE = "none"

    @property
    def severity(self) -> int:
        """2 for high, 1 for medium, 0 for none (for sorting and comparing)."""
        return {Risk.HIGH: 2, Risk.MEDIUM: 1, Risk.NONE: 0}[self]


class MaturityLevel(IntEnum):
    """The five maturity levels of an area or the index: band ``[20 * (L - 1), 20 * L)``, 100 in level 5."""

    INITIAL = 1
    DEVELOPING = 2
    DEFINED = 3
    MANAGED = 4
    OPTIMIZED = 5

    @property
    def label(self) -> str:
        """Display name: "Initial", "Developing", "Defined", "Managed", "Optimized"."""
        return self.name.title()

    @property
    def lower(self) -> float:
        """Lowest score of the band (inclusive): ``20 * (level - 1)``."""
        return float(LEVEL_WIDTH * (self.value - 1))

    @property
    def upper(self) -> float:
        """Upper end of the band: ``20 * level`` (exclusive, except 100 which belongs to level 5)."""
        return float(LEVEL_WIDTH * self.value)


def level_label(level: int | None, none: str = "—") -> str:
    """“4 Managed” for a maturity level 1-5; ``none`` when there is no level."""
    return none if level is None else f"{level} {MaturityLevel(level).label}"


def percent(share: float | None) -> int | None:
    """A share 0-1 as a whole percentage (``0.256 -> 26``); ``None`` stays ``None``."""
    return None if share is None else round(100 * share)


# --------------------------------------------------------------------------------------------------
# Exact arithmetic helpers
# --------------------------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[int | float]:
    """True for int and float, but not bool (``True`` is an ``int`` in Python)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exact(value: float | int | Fraction, what: str) -> Fraction:
    """Exact rational of a finite number, a float taken at its shortest decimal spelling.

    ``_exact(1.2) == Fraction(6, 5)``. Raises ValueError (mentioning ``what``) for NaN, infinities, bools
    and non-numbers.
    """
    if isinstance(value, Fraction):
        return value
    if not _is_number(value):
        raise ValueError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if not math.isfinite(value):
        raise ValueError(f"{what}: expected a finite number, got {value!r}")
    return Fraction(repr(float(value)))


def _weighted_mean(pairs: Iterable[tuple[Fraction, Fraction]]) -> Fraction | None:
    """``sum(w * s) / sum(w)`` over ``(s, w)`` pairs, exactly; ``None`` when there are no pairs."""
    numerator = _ZERO
    denominator = _ZERO
    for score, weight in pairs:
        numerator += weight * score
        denominator += weight
    if denominator == 0:
        return None
    return numerator / denominator


def _to_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _positive_weight(value: float, what: str) -> None:
    weight = _exact(value, what)
    if weight <= 0:
        raise ValueError(f"{what}: weight must be > 0, got {value!r}")


def _in_0_100(value: float, what: str) -> Fraction:
    exact = _exact(value, what)
    if not _ZERO <= exact <= _HUNDRED:
        raise ValueError(f"{what}: must be within 0-100, got {value!r}")
    return exact


# --------------------------------------------------------------------------------------------------
# Framework
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One option of a choice question; ``score`` in 0-100."""

    id: str
    label: str = ""
    score: float = 0.0


@dataclass(frozen=True)
class NumericSpec:
    """Scoring thresholds of a numeric question.

    ``s = clamp(100 * (v - zero_score_at) / (full_score_at - zero_score_at), 0, 100)``: 100 at or beyond
    ``full_score_at``, 0 at or beyond ``zero_score_at``, linear between. Lower is better when
    ``full_score_at < zero_score_at``. ``min``/``max`` are bounds for the input form; the engine does not
    enforce them (the clamp already bounds the score).
    """

    full_score_at: float
    zero_score_at: float
    unit: str = ""
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Recommendation:
    """What to do when the question's answer is low (score < ``LOW_SCORE_THRESHOLD``)."""

    id: str
    title: str = ""
    action: str = ""
    effort: str = ""
    impact: str = ""
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question of a sub-area.

    Only the invariants the arithmetic relies on are checked (ValueError naming the question id): a known
    type, weight > 0, ``yes_score`` and option scores within 0-100, at least one option with unique ids for
    a choice question, distinct finite thresholds for a numeric question.
    """

    id: str
    type: QuestionType
    weight: float = 1.0
    allow_na: bool = False
    text: str = ""
    help: str = ""
    levels: tuple[str, ...] = ()
    yes_score: float = 100.0
    options: tuple[Option, ...] = ()
    numeric: NumericSpec | None = None
    inventory_fact: str | None = None
    risk: Risk | None = None
    recommendation: Recommendation | None = None

    def __post_init__(self) -> None:
        where = f"question {self.id}"
        if self.type not in _QUESTION_TYPES:
            raise ValueError(f"{where}: unknown type {self.type!r}")
        _positive_weight(self.weight, where)
        if self.risk is not None and not isinstance(self.risk, Risk):
            object.__setattr__(self, "risk", _parse_risk(self.risk, where))
        if self.type == "yes_no":
            _in_0_100(self.yes_score, f"{where}: yes_score")
        elif self.type == "choice":
            if not self.options:
                raise ValueError(f"{where}: a choice question needs options")
            ids = [option.id for option in self.options]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{where}: duplicate option ids")
            for option in self.options:
                _in_0_100(option.score, f"{where}: option {option.id} score")
        elif self.type == "numeric":
            if self.numeric is None:
                raise ValueError(f"{where}: a numeric question needs a 'numeric' block")
            full = _exact(self.numeric.full_score_at, f"{where}: full_score_at")
            zero = _exact(self.numeric.zero_score_at, f"{where}: zero_score_at")
            if full == zero:
                raise ValueError(f"{where}: full_score_at and zero_score_at must differ")

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or ``None``."""
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class SubArea:
    """A sub-area: weighted questions; its weight counts inside its area."""

    id: str
    weight: float = 1.0
    name: str = ""
    description: str = ""
    questions: tuple[Question, ...] = ()

    def __post_init__(self) -> None:
        _positive_weight(self.weight, f"sub-area {self.id}")


@dataclass(frozen=True)
class Area:
    """An area (challenge): weighted sub-areas; its weight counts in the readiness index."""

    id: str
    weight: float = 1.0
    default_target_level: int = 4
    name: str = ""
    description: str = ""
    subareas: tuple[SubArea, ...] = ()

    def __post_init__(self) -> None:
        _positive_weight(self.weight, f"area {self.id}")
        _check_target_level(self.default_target_level, f"area {self.id}: default_target_level")

    def questions(self) -> Iterator[Question]:
        """All questions of the area, in file order."""
        for subarea in self.subareas:
            yield from subarea.questions


@dataclass(frozen=True)
class Framework:
    """A versioned assessment framework: areas -> sub-areas -> questions.

    Build it from the parsed YAML with :meth:`from_dict`. Ids of areas, sub-areas and questions must be
    unique (answers are keyed by question id); nothing else about the schema is validated here.
    """

    id: str
    version: str
    areas: tuple[Area, ...] = ()
    title: str = ""
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        for kind, ids in (
            ("area", [area.id for area in self.areas]),
            ("sub-area", [sub.id for area in self.areas for sub in area.subareas]),
            ("question", [question.id for question in self.questions()]),
        ):
            seen: set[str] = set()
            for item_id in ids:
                if item_id in seen:
                    raise ValueError(f"framework {self.id}: duplicate {kind} id {item_id}")
                seen.add(item_id)

    def questions(self) -> Iterator[Question]:
        """All questions, in file order."""
        for area in self.areas:
            yield from area.questions()

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if there is none."""
        for question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Framework:
        """Build a framework from a plain dict as parsed from the YAML file (``yaml.safe_load``).

        Reads the fields of ``docs/framework-format.md``; missing optional fields take their defaults
        (weights 1.0, ``allow_na`` false, ``yes_score`` 100, ``default_target_level`` 4). A missing id or
        type raises ValueError. No deeper schema validation.
        """
        return cls(
            id=str(_required(data, "id", "framework")),
            version=str(data.get("version", "")),
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            source=str(data.get("source", "")),
            areas=tuple(_area_from_dict(area) for area in data.get("areas") or ()),
        )


def _required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise ValueError(f"{where}: missing '{key}'")
    return data[key]


def _parse_risk(value: object, where: str) -> Risk:
    try:
        return Risk(str(value))
    except ValueError:
        raise ValueError(f"{where}: unknown risk {value!r} (expected high, medium or none)") from None


def _check_target_level(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValueError(f"{where}: target level must be an int 1-5, got {value!r}")
    return value


def _area_from_dict(data: Mapping[str, Any]) -> Area:
    area_id = str(_required(data, "id", "area"))
    return Area(
        id=area_id,
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        weight=data.get("weight", 1.0),
        default_target_level=data.get("default_target_level", 4),
        subareas=tuple(_subarea_from_dict(sub, area_id) for sub in data.get("subareas") or ()),
    )


def _subarea_from_dict(data: Mapping[str, Any], area_id: str) -> SubArea:
    return SubArea(
        id=str(_required(data, "id", f"area {area_id}: sub-area")),
        name=str(data.get("name", "")),
        description=str(data.get("description", "")),
        weight=data.get("weight", 1.0),
        questions=tuple(_question_from_dict(question) for question in data.get("questions") or ()),
    )


def _question_from_dict(data: Mapping[str, Any]) -> Question:
    question_id = str(_required(data, "id", "question"))
    where = f"question {question_id}"
    numeric = data.get("numeric")
    recommendation = data.get("recommendation")
    risk = data.get("risk")
    return Question(
        id=question_id,
        type=_required(data, "type", where),
        weight=data.get("weight", 1.0),
        allow_na=bool(data.get("allow_na", False)),
        text=str(data.get("text", "")),
        help=str(data.get("help", "")),
        levels=tuple(str(level) for level in data.get("levels") or ()),
        yes_score=data.get("yes_score", 100),
        options=tuple(
            Option(
                id=str(_required(option, "id", f"{where}: option")),
                label=str(option.get("label", "")),
                score=_required(option, "score", f"{where}: option {option.get('id')}"),
            )
            for option in data.get("options") or ()
        ),
        numeric=None
        if numeric is None
        else NumericSpec(
            full_score_at=_required(numeric, "full_score_at", f"{where}: numeric"),
            zero_score_at=_required(numeric, "zero_score_at", f"{where}: numeric"),
            unit=str(numeric.get("unit", "")),
            min=numeric.get("min"),
            max=numeric.get("max"),
        ),
        inventory_fact=data.get("inventory_fact"),
        risk=None if risk is None else _parse_risk(risk, where),
        recommendation=None
        if recommendation is None
        else Recommendation(
            id=str(_required(recommendation, "id", f"{where}: recommendation")),
            title=str(recommendation.get("title", "")),
            action=str(recommendation.get("action", "")),
            effort=str(recommendation.get("effort", "")),
            impact=str(recommendation.get("impact", "")),
            depends_on=tuple(str(dep) for dep in recommendation.get("depends_on") or ()),
        ),
    )


# --------------------------------------------------------------------------------------------------
# Answers and normalization
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer. ``value``: int level 0-4 (maturity), bool (yes_no), option id (choice), number (numeric).

    With ``not_applicable=True`` the value is ignored (and may be ``None``). ``source`` says whether the
    respondent gave it ("self") or an inventory fact did ("inventory"). A question with no ``Answer`` is
    unanswered; an ``Answer`` with ``value=None`` that is not N/A is invalid.
    """

    question_id: str
    value: AnswerValue | None = None
    not_applicable: bool = False
    source: Source = "self"

    def __post_init__(self) -> None:
        if self.source not in _SOURCES:
            raise ValueError(f"question {self.question_id}: unknown answer source {self.source!r}")


def _normalize_exact(question: Question, answer: Answer) -> Fraction | None:
    """Exact score in [0, 100] of an answer to ``question``, ``None`` if N/A. ValueError if invalid."""
    where = f"question {question.id}"
    if answer.not_applicable:
        if not question.allow_na:
            raise ValueError(f"{where}: 'not applicable' is not allowed")
        return None
    value = answer.value
    if question.type == "maturity":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 4:
            raise ValueError(f"{where}: maturity level must be an int 0-4, got {value!r}")
        return Fraction(MATURITY_STEP * value)
    if question.type == "yes_no":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: a yes/no answer must be a bool, got {value!r}")
        yes = _exact(question.yes_score, where)
        return yes if value else _HUNDRED - yes
    if question.type == "choice":
        option = question.option(value) if isinstance(value, str) else None
        if option is None:
            known = ", ".join(option.id for option in question.options)
            raise ValueError(f"{where}: unknown option id {value!r} (expected one of {known})")
        return _exact(option.score, where)
    # numeric
    if not _is_number(value):
        raise ValueError(f"{where}: a numeric answer must be a number, got {value!r}")
    if question.numeric is None:  # excluded by Question.__post_init__; kept for type narrowing
        raise ValueError(f"{where}: a numeric question needs a 'numeric' block")
    v = _exact(value, where)
    full = _exact(question.numeric.full_score_at, where)
    zero = _exact(question.numeric.zero_score_at, where)
    return min(_HUNDRED, max(_ZERO, _HUNDRED * (v - zero) / (full - zero)))


def normalize(question: Question, answer: Answer) -> float | None:
    """Score in [0, 100] of ``answer`` to ``question``, or ``None`` if the answer is N/A.

    maturity ``25 * level``; yes_no ``yes_score`` / ``100 - yes_score``; choice the option's score;
    numeric ``clamp(100 * (v - zero_score_at) / (full_score_at - zero_score_at), 0, 100)``.

    Raises ValueError naming the question id for: a maturity level that is not an int 0-4, a yes/no value
    that is not a bool, an unknown option id, a numeric value that is not a finite number (bools, strings,
    ``None``, NaN and infinities included), and N/A on a question with ``allow_na: false``.
    """
    return _to_float(_normalize_exact(question, answer))


# --------------------------------------------------------------------------------------------------
# Levels, risk, evidence, display
# --------------------------------------------------------------------------------------------------


def level_for_score(score: float) -> MaturityLevel:
    """Maturity level of a score in [0, 100]: ``min(5, floor(score / 20) + 1)``.

    A score exactly on a boundary belongs to the upper level (20 -> 2, 40 -> 3, ...); 100 is level 5.
    ValueError if the score is not a finite number within 0-100.
    """
    exact = _in_0_100(score, "score")
    return MaturityLevel(min(5, math.floor(exact / LEVEL_WIDTH) + 1))


def question_risk(score: float | None, weight: float, override: Risk | str | None = None) -> Risk:
    """Risk of one answer from its score ``s`` and the question's weight ``w`` inside its sub-area.

    ::

        s is None (N/A or unanswered)  -> none
        s >= 50                        -> none        (never a risk, override or not)
        s <  50 and override given     -> override    (the file's ``risk:`` wins, even if lower)
        s <  25 and w >= 1.5           -> high
        s <  25                        -> medium
        s <  50 and w >= 1.5           -> medium
        otherwise                      -> none
    """
    if score is None or score >= LOW_SCORE_THRESHOLD:
        return Risk.NONE
    if override is not None:
        return _parse_risk(override, "risk override")
    heavy = weight >= HIGH_WEIGHT_THRESHOLD
    if score < RISK_SCORE_THRESHOLD:
        return Risk.HIGH if heavy else Risk.MEDIUM
    return Risk.MEDIUM if heavy else Risk.NONE


def blend(self_score: float, evidence_score: float, evidence_weight: float = EVIDENCE_WEIGHT) -> float:
    """Blend a self-assessed score with an evidence (inventory) score::

        blend = (1 - evidence_weight) * self_score + evidence_weight * evidence_score

    Both scores must be within 0-100 and ``evidence_weight`` within 0-1 (ValueError otherwise); the
    result therefore lies between the two scores. Exact arithmetic: ``blend(s, s, k) == s``.
    """
    own = _in_0_100(self_score, "self_score")
    evidence = _in_0_100(evidence_score, "evidence_score")
    k = _exact(evidence_weight, "evidence_weight")
    if not 0 <= k <= 1:
        raise ValueError(f"evidence_weight: must be within 0-1, got {evidence_weight!r}")
    return float((1 - k) * own + k * evidence)


def contradiction(
    self_score: float,
    evidence_score: float,
    threshold: float = CONTRADICTION_THRESHOLD,
) -> bool:
    """True when the self-assessed and evidence scores are *strictly* more than ``threshold`` apart.

    ``|self_score - evidence_score| > threshold``, computed exactly (80.1 vs 50.1 is exactly 30 apart: not
    a contradiction). Scores must be within 0-100 and the threshold >= 0 (ValueError otherwise).
    """
    own = _in_0_100(self_score, "self_score")
    evidence = _in_0_100(evidence_score, "evidence_score")
    limit = _exact(threshold, "threshold")
    if limit < 0:
        raise ValueError(f"threshold: must be >= 0, got {threshold!r}")
    return abs(own - evidence) > limit


def round_score(score: float | None) -> float | None:
    """Round a score to one decimal for display, half away from zero on its decimal spelling.

    ``54.375 -> 54.4``, ``62.25 -> 62.3`` (Python's ``round`` would give 62.2), ``None -> None``.
    The engine itself never rounds.
    """
    if score is None:
        return None
    return float(Decimal(repr(float(score))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    """Outcome for one question. ``score`` is ``None`` unless ``status == "scored"``."""

    question_id: str
    subarea_id: str
    area_id: str
    status: AnswerStatus
    score: float | None
    weight: float
    risk: Risk
    source: Source | None
    recommendation_id: str | None = None

    @property
    def low(self) -> bool:
        """True when the answer scores below ``LOW_SCORE_THRESHOLD`` (50): show its recommendation."""
        return self.score is not None and self.score < LOW_SCORE_THRESHOLD


@dataclass(frozen=True)
class Confidence:
    """How much of a scope (an area, or the whole framework) is answered, and from what.

    ``answered_share = answered / total`` where answered counts scored and N/A answers;
    ``evidence_share = from_inventory / answered``. ``None`` when the denominator is 0.
    """

    total: int
    answered: int
    not_applicable: int
    from_inventory: int
    answered_share: float | None
    evidence_share: float | None

    @classmethod
    def from_questions(cls, questions: Iterable[QuestionResult]) -> Confidence:
        """Count the questions' statuses and sources."""
        items = list(questions)
        answered = [q for q in items if q.status != "unanswered"]
        inventory = sum(1 for q in answered if q.source == "inventory")
        return cls(
            total=len(items),
            answered=len(answered),
            not_applicable=sum(1 for q in answered if q.status == "not_applicable"),
            from_inventory=inventory,
            answered_share=len(answered) / len(items) if items else None,
            evidence_share=inventory / len(answered) if answered else None,
        )


@dataclass(frozen=True)
class SubAreaResult:
    """Score of one sub-area: weighted mean of its scored questions (``None`` if none is scored)."""

    subarea_id: str
    area_id: str
    weight: float
    score: float | None
    questions: tuple[QuestionResult, ...]

    @property
    def scored(self) -> int:
        """Number of questions with a score."""
        return sum(1 for q in self.questions if q.status == "scored")


@dataclass(frozen=True)
class AreaResult:
    """Score, level, target, gap, risk counts and confidence of one area."""

    area_id: str
    weight: float
    score: float | None
    level: MaturityLevel | None
    target_level: int
    gap: int | None
    high_risks: int
    medium_risks: int
    confidence: Confidence
    subareas: tuple[SubAreaResult, ...]

    @property
    def questions(self) -> tuple[QuestionResult, ...]:
        """All question results of the area, in file order."""
        return tuple(q for sub in self.subareas for q in sub.questions)


@dataclass(frozen=True)
class OverallResult:
    """Readiness index (weighted mean of area scores), its level, and framework-wide counts."""

    index: float | None
    level: MaturityLevel | None
    high_risks: int
    medium_risks: int
    confidence: Confidence

    @property
    def answered(self) -> int:
        """Questions answered (scored or N/A)."""
        return self.confidence.answered

    @property
    def total(self) -> int:
        """Questions in the framework."""
        return self.confidence.total


@dataclass(frozen=True)
class Result:
    """Everything :func:`score_assessment` computes; full-precision floats (see :func:`round_score`)."""

    framework_id: str
    framework_version: str
    areas: tuple[AreaResult, ...]
    overall: OverallResult

    @property
    def subareas(self) -> tuple[SubAreaResult, ...]:
        """All sub-area results, in file order."""
        return tuple(sub for area in self.areas for sub in area.subareas)

    @property
    def questions(self) -> tuple[QuestionResult, ...]:
        """All question results, in file order."""
        return tuple(q for area in self.areas for q in area.questions)

    def area(self, area_id: str) -> AreaResult:
        """The result of this area; KeyError if unknown."""
        for area in self.areas:
            if area.area_id == area_id:
                return area
        raise KeyError(area_id)

    def subarea(self, subarea_id: str) -> SubAreaResult:
        """The result of this sub-area; KeyError if unknown."""
        for sub in self.subareas:
            if sub.subarea_id == subarea_id:
                return sub
        raise KeyError(subarea_id)

    def question(self, question_id: str) -> QuestionResult:
        """The result of this question; KeyError if unknown."""
        for question in self.questions:
            if question.question_id == question_id:
                return question
        raise KeyError(question_id)


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


def score_assessment(
    framework: Framework,
    answers: Mapping[str, Answer],
    target_levels: Mapping[str, int] | None = None,
) -> Result:
    """Score ``answers`` (keyed by question id) against ``framework``.

    ``S_sub = sum(w_q * s_q) / sum(w_q)`` over scored questions; ``S_area = sum(W_sub * S_sub) / sum(W_sub)``
    over sub-areas with a score; ``I = sum(W_area * S_area) / sum(W_area)`` over areas with a score. Levels,
    risk and confidence as in the module docstring. ``target_levels`` (area id -> 1-5) overrides each area's
    ``default_target_level``. Deterministic and independent of the order of ``answers``.

    Raises ValueError (naming the question or area id) for an invalid answer (see :func:`normalize`), an
    answer stored under a key other than its ``question_id``, an answer to a question not in the framework,
    or a target level for an unknown area / outside 1-5.
    """
    known_questions = {question.id for question in framework.questions()}
    for key, answer in answers.items():
        if answer.question_id != key:
            raise ValueError(f"question {key}: answer stored under {key!r} is for {answer.question_id!r}")
        if key not in known_questions:
            raise ValueError(f"question {key}: not in framework {framework.id} {framework.version}")
    targets = dict(target_levels or {})
    known_areas = {area.id for area in framework.areas}
    for area_id, level in targets.items():
        if area_id not in known_areas:
            raise ValueError(f"area {area_id}: target level given for an unknown area")
        _check_target_level(level, f"area {area_id}: target level")

    area_results: list[AreaResult] = []
    area_pairs: list[tuple[Fraction, Fraction]] = []
    for area in framework.areas:
        sub_results: list[SubAreaResult] = []
        sub_pairs: list[tuple[Fraction, Fraction]] = []
        for sub in area.subareas:
            question_results: list[QuestionResult] = []
            question_pairs: list[tuple[Fraction, Fraction]] = []
            for question in sub.questions:
                result, exact = _score_question(question, answers.get(question.id), sub.id, area.id)
                question_results.append(result)
                if exact is not None:
                    question_pairs.append((exact, _exact(question.weight, question.id)))
            sub_score = _weighted_mean(question_pairs)
            if sub_score is not None:
                sub_pairs.append((sub_score, _exact(sub.weight, sub.id)))
            sub_results.append(
                SubAreaResult(
                    subarea_id=sub.id,
                    area_id=area.id,
                    weight=sub.weight,
                    score=_to_float(sub_score),
                    questions=tuple(question_results),
                )
            )
        area_score = _weighted_mean(sub_pairs)
        if area_score is not None:
            area_pairs.append((area_score, _exact(area.weight, area.id)))
        area_results.append(_area_result(area, area_score, tuple(sub_results), targets))

    index = _to_float(_weighted_mean(area_pairs))
    all_questions = [q for area_result in area_results for q in area_result.questions]
    overall = OverallResult(
        index=index,
        level=None if index is None else level_for_score(index),
        high_risks=sum(area_result.high_risks for area_result in area_results),
        medium_risks=sum(area_result.medium_risks for area_result in area_results),
        confidence=Confidence.from_questions(all_questions),
    )
    return Result(
        framework_id=framework.id,
        framework_version=framework.version,
        areas=tuple(area_results),
        overall=overall,
    )


def _score_question(
    question: Question, answer: Answer | None, subarea_id: str, area_id: str
) -> tuple[QuestionResult, Fraction | None]:
    """The result of one question and its exact score (``None`` when N/A or unanswered)."""
    recommendation_id = question.recommendation.id if question.recommendation else None
    if answer is None:
        status: AnswerStatus = "unanswered"
        exact = None
    else:
        exact = _normalize_exact(question, answer)
        status = "not_applicable" if exact is None else "scored"
    score = _to_float(exact)
    result = QuestionResult(
        question_id=question.id,
        subarea_id=subarea_id,
        area_id=area_id,
        status=status,
        score=score,
        weight=question.weight,
        risk=question_risk(score, question.weight, question.risk),
        source=None if answer is None else answer.source,
        recommendation_id=recommendation_id,
    )
    return result, exact


def _area_result(
    area: Area,
    exact_score: Fraction | None,
    subareas: tuple[SubAreaResult, ...],
    targets: Mapping[str, int],
) -> AreaResult:
    score = _to_float(exact_score)
    level = None if score is None else level_for_score(score)
    target = targets.get(area.id, area.default_target_level)
    questions = [q for sub in subareas for q in sub.questions]
    return AreaResult(
        area_id=area.id,
        weight=area.weight,
        score=score,
        level=level,
        target_level=target,
        gap=None if level is None else max(0, target - level),
        high_risks=sum(1 for q in questions if q.risk == Risk.HIGH),
        medium_risks=sum(1 for q in questions if q.risk == Risk.MEDIUM),
        confidence=Confidence.from_questions(questions),
        subareas=subareas,
    )


# --------------------------------------------------------------------------------------------------
# Evidence: the self-assessment checked against inventory facts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaEvidence:
    """One area seen twice: as the respondents assessed it, and as the inventory facts score it.

    ``self_score``: the area score from self-reported answers only (source "self").
    ``evidence_score``: the area score of its fact-bound questions answered by the facts themselves.
    ``score``: ``blend(self, evidence)`` when both exist, else whichever exists (``None`` if neither).
    ``contradiction``: both exist and differ by more than the threshold (30 points).
    """

    area_id: str
    weight: float
    self_score: float | None
    evidence_score: float | None
    score: float | None
    level: MaturityLevel | None
    contradiction: bool
    evidence_questions: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceResult:
    """Per-area evidence and the grounded readiness index: the weighted mean of the areas' ``score``."""

    areas: tuple[AreaEvidence, ...]
    index: float | None
    level: MaturityLevel | None

    def area(self, area_id: str) -> AreaEvidence:
        for area in self.areas:
            if area.area_id == area_id:
                return area
        raise KeyError(area_id)


def score_evidence(
    framework: Framework,
    answers: Mapping[str, Answer],
    facts: Mapping[str, AnswerValue],
    *,
    evidence_weight: float = EVIDENCE_WEIGHT,
    threshold: float = CONTRADICTION_THRESHOLD,
) -> EvidenceResult:
    """Blend each area's self-assessment with the evidence of the inventory.

    ``facts`` maps a question id to the value an inventory fact gives it (a number, or an option id). Per area:
    ``S_self`` = :func:`score_assessment` over the answers whose source is "self"; ``S_evidence`` = the same over
    the facts as answers; ``S = (1 - k) * S_self + k * S_evidence`` (k = ``evidence_weight``, 0.5) when both
    exist, else the one that exists. The grounded index is ``sum(W_area * S) / sum(W_area)`` over areas with a
    score. Raises ValueError (naming the question) for a fact value its question cannot take.
    """
    self_answers = {key: answer for key, answer in answers.items() if answer.source == "self"}
    fact_answers = {key: Answer(key, value, source="inventory") for key, value in facts.items()}
    self_result = score_assessment(framework, self_answers)
    evidence_result = score_assessment(framework, fact_answers)
    areas: list[AreaEvidence] = []
    pairs: list[tuple[Fraction, Fraction]] = []
    for area in framework.areas:
        own = self_result.area(area.id).score
        evidence = evidence_result.area(area.id).score
        if own is not None and evidence is not None:
            score: float | None = blend(own, evidence, evidence_weight)
            flagged = contradiction(own, evidence, threshold)
        else:
            score, flagged = (own if evidence is None else evidence), False
        if score is not None:
            pairs.append((_exact(score, area.id), _exact(area.weight, area.id)))
        areas.append(
            AreaEvidence(
                area_id=area.id,
                weight=area.weight,
                self_score=own,
                evidence_score=evidence,
                score=score,
                level=None if score is None else level_for_score(score),
                contradiction=flagged,
                evidence_questions=tuple(q.id for q in area.questions() if q.id in facts),
            )
        )
    index = _to_float(_weighted_mean(pairs))
    return EvidenceResult(tuple(areas), index, None if index is None else level_for_score(index))
