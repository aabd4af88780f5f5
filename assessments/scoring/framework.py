"""The framework model (``Framework`` -> ``Area`` -> ``SubArea`` -> ``Question``) and its parsing from the dict
``yaml.safe_load`` gives (fields of ``docs/framework-format.md``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .base import (
    _QUESTION_TYPES,
    QuestionType,
    Risk,
    _check_target_level,
    _exact,
    _in_0_100,
    _parse_risk,
    _positive_weight,
)


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
    enforce them (the clamp already bounds the score). ``currency``: the ISO 4217 code the thresholds of an amount
    of money are in (`in_currency` converts them into the currency the answers are in); "" for any other unit.
    """

    full_score_at: float
    zero_score_at: float
    unit: str = ""
    min: float | None = None
    max: float | None = None
    currency: str = ""


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

    def area(self, area_id: str) -> Area | None:
        """The area with this id, or None."""
        return next((area for area in self.areas if area.id == area_id), None)

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
            currency=str(numeric.get("currency") or "").upper(),
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


def in_currency(
    framework: Framework, currency: str, per_unit: Callable[[str], float | None]
) -> tuple[Framework, tuple[str, ...]]:
    """``framework`` with the thresholds of its money questions (a numeric ``currency``) in ``currency``, the one
    the answers are in (the organization's reporting currency), and the currencies no rate was found for.

    A threshold ``t`` in currency ``C`` becomes ``t x per_unit(C)``, ``per_unit(C)`` being units of ``currency``
    per unit of ``C`` (1 for ``C == currency``). A question whose rate is missing keeps its thresholds as written
    and its currency is returned, so that the caller says so. Amounts are thus compared in one currency: the
    energy cost per accelerator answered in Swedish kronor (about 11 SEK to the euro) against thresholds written in
    euros would otherwise score 0 at any realistic cost.
    """
    currency = currency.upper()
    missing: set[str] = set()

    def converted(question: Question) -> Question:
        spec = question.numeric
        if spec is None or not spec.currency or spec.currency == currency:
            return question
        rate = per_unit(spec.currency)
        if rate is None:
            missing.add(spec.currency)
            return question
        scaled = replace(
            spec,
            full_score_at=spec.full_score_at * rate,
            zero_score_at=spec.zero_score_at * rate,
            min=None if spec.min is None else spec.min * rate,
            max=None if spec.max is None else spec.max * rate,
            currency=currency,
        )
        return replace(question, numeric=scaled)

    if not any(q.numeric is not None and q.numeric.currency not in ("", currency) for q in framework.questions()):
        return framework, ()
    areas = tuple(
        replace(
            area,
            subareas=tuple(replace(sub, questions=tuple(converted(q) for q in sub.questions)) for sub in area.subareas),
        )
        for area in framework.areas
    )
    return replace(framework, areas=areas), tuple(sorted(missing))


def with_units_renamed(framework: Framework, renamed: Mapping[str, str]) -> Framework:
    """``framework`` with its numeric questions' units written as ``renamed`` writes them now (e.g.
    ``{"gCO2/kWh": "gCO2e/kWh"}``), everything else as it is: a versioned file is never edited, but the unit it
    names is read as the rest of the application writes it. The same object when nothing is renamed."""

    def renamed_unit(question: Question) -> Question:
        spec = question.numeric
        if spec is None or spec.unit not in renamed:
            return question
        return replace(question, numeric=replace(spec, unit=renamed[spec.unit]))

    if not any(q.numeric is not None and q.numeric.unit in renamed for q in framework.questions()):
        return framework
    areas = tuple(
        replace(
            area,
            subareas=tuple(
                replace(sub, questions=tuple(renamed_unit(q) for q in sub.questions)) for sub in area.subareas
            ),
        )
        for area in framework.areas
    )
    return replace(framework, areas=areas)
