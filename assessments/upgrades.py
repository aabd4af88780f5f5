"""Framework upgrades, pure Python (no Django): how the answers to one framework version carry over to a newer one.

A framework file may declare, under ``upgrade``, how its questions map from the version before it (renamed,
reworded, split, merged, removed, new; docs/framework-format.md, "Upgrades"). :func:`plan_upgrade` reads that
declaration against both versions and says, question by question, what happens; :func:`carry_answers` applies the
plan to the old answers. Rules:

- A question of the new version not named in the declaration takes the answer of the old question with the same
  id ("unchanged", or "reworded" when its text, its options' labels, its levels' words or its number's unit and
  thresholds differ). A question the old version does not have and the declaration does not name is "new"
  (unanswered).
- ``renamed`` / ``reworded``: one old id, one new id; the answer carries.
- ``split``: one old id, several new ids; each new question takes the old answer, flagged "check it" (a yes to
  "can you fail over and have you tested it" is a yes to both; a no may be a no to only one of them).
- ``merged``: several old ids, one new id; answers of the same type as the new question carry the *lowest* one
  (the weaker practice limits the merged one: by score for numbers and choices, by level for maturity, and for
  yes/no by the score of the answer, so no before yes unless the question's ``yes_score`` makes yes the weaker); else
  the first old id (in the declared order) that has an answer.
- ``removed``: the old answers are dropped (listed). ``new``: unanswered.
- An answer is carried only when the new question takes it (a level 0-4 for maturity, a boolean for yes/no, one of
  its option ids for a choice, a number for numeric; "not applicable" only where the new question allows it);
  else the question is listed as needing a new answer.

Areas keep their ids across versions, so results of both versions compare area by area (the trend).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from inventory.rounding import round_half_away

from .scoring import Answer, Framework, Question, normalize

KINDS = ("renamed", "reworded", "split", "merged", "removed", "new")
# How many old (``from``) and new (``to``) ids each kind takes: (min from, max from, min to, max to); None = any.
_ARITY: dict[str, tuple[int, int | None, int, int | None]] = {
    "renamed": (1, 1, 1, 1),
    "reworded": (1, 1, 1, 1),
    "split": (1, 1, 2, None),
    "merged": (2, None, 1, 1),
    "removed": (1, None, 0, 0),
    "new": (0, 0, 1, None),
}


@dataclass(frozen=True)
class Change:
    """What happens to one question of the new version, or to a dropped question of the old one.

    ``kind``: unchanged, reworded, renamed, split, merged, new, removed. ``new_id`` is empty for a removed
    question, ``old_ids`` empty for a new one. ``old_text`` / ``new_text``: the wording in each version.
    ``changed``: for a question carried from one old question, what a person reads differently, in words ("its
    text", "the thresholds' currency: none (read in the answer's currency) -> EUR"); empty when nothing does.
    """

    kind: str
    new_id: str
    old_ids: tuple[str, ...]
    old_text: str
    new_text: str
    area_id: str
    note: str = ""
    changed: tuple[str, ...] = ()

    @property
    def same_text(self) -> bool:
        """Whether the question reads as it did (a change of options, levels, unit or thresholds only)."""
        return bool(self.old_ids) and self.old_text == self.new_text

    @property
    def carries(self) -> bool:
        return self.kind not in ("new", "removed")


@dataclass(frozen=True)
class UpgradePlan:
    """Every question of the new version and every dropped question of the old one, in the new file's order."""

    from_version: str
    to_version: str
    changes: tuple[Change, ...]

    def of_kind(self, *kinds: str) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.kind in kinds)

    @property
    def notable(self) -> tuple[Change, ...]:
        """What a person should read before starting: everything but the unchanged questions."""
        return tuple(change for change in self.changes if change.kind != "unchanged")


@dataclass(frozen=True)
class OldAnswer:
    """An answer to the old version, as carried: its value or N/A, with its reason, note and evidence link."""

    question_id: str
    value: Any
    not_applicable: bool = False
    na_reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class CarriedAnswer:
    """An answer for a question of the new version, from ``from_id`` of the old one; ``check``: read it again."""

    question_id: str
    from_id: str
    value: Any
    not_applicable: bool
    na_reason: str
    note: str
    check: bool


@dataclass(frozen=True)
class Carried:
    """The outcome of :func:`carry_answers`: the answers carried, and the questions whose old answer did not fit."""

    answers: tuple[CarriedAnswer, ...]
    not_carried: tuple[str, ...]


def declaration_problems(upgrade: Mapping[str, Any], new_ids: Iterable[str]) -> list[tuple[str, str]]:
    """Problems of an ``upgrade`` declaration that the new file alone shows: ``(path, message)`` pairs.

    Each change's number of old and new ids suits its kind; every new id is a question of this file; no new id and
    no old id is named twice. (Old ids are checked against the old version by :func:`plan_upgrade`.)
    """
    known = set(new_ids)
    problems: list[tuple[str, str]] = []
    seen_new: set[str] = set()
    seen_old: set[str] = set()
    for index, change in enumerate(upgrade.get("changes") or ()):
        where = f"upgrade.changes[{index}]"
        kind = change.get("kind")
        old, new = list(change.get("from") or ()), list(change.get("to") or ())
        low_from, high_from, low_to, high_to = _ARITY.get(kind, (0, None, 0, None))
        if not low_from <= len(old) <= (high_from if high_from is not None else len(old)):
            problems.append((f"{where}.from", f"{kind} takes {_count(low_from, high_from)} old question id(s)"))
        if not low_to <= len(new) <= (high_to if high_to is not None else len(new)):
            problems.append((f"{where}.to", f"{kind} takes {_count(low_to, high_to)} new question id(s)"))
        for position, question_id in enumerate(new):
            if question_id not in known:
                problems.append((f"{where}.to[{position}]", f"unknown question {question_id!r}"))
            elif question_id in seen_new:
                problems.append((f"{where}.to[{position}]", f"{question_id!r} is named twice"))
            seen_new.add(question_id)
        for position, question_id in enumerate(old):
            if question_id in seen_old:
                problems.append((f"{where}.from[{position}]", f"{question_id!r} is named twice"))
            seen_old.add(question_id)
    return problems


def _count(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    return str(low) if low == high else f"{low} to {high}"


def plan_upgrade(old: Framework, new: Framework, upgrade: Mapping[str, Any] | None) -> UpgradePlan:
    """What re-assessing from ``old`` onto ``new`` does to each question.

    ``upgrade`` is the new file's declaration (``None`` or one that declares another ``from_version``: questions
    carry by id only). Raises ValueError naming an old id the declaration names that ``old`` does not have.
    """
    old_questions = {q.id: q for q in old.questions()}
    declared = dict(upgrade or {})
    if declared and str(declared.get("from_version")) != old.version:
        declared = {}
    by_new: dict[str, tuple[str, tuple[str, ...], str]] = {}
    removed: list[tuple[str, str]] = []
    named_old: set[str] = set()
    for change in declared.get("changes") or ():
        kind, note = str(change["kind"]), str(change.get("note", ""))
        old_ids = tuple(change.get("from") or ())
        for question_id in old_ids:
            if question_id not in old_questions:
                raise ValueError(f"upgrade: version {old.version} has no question {question_id!r}")
        named_old.update(old_ids)
        if kind == "removed":
            removed.extend((question_id, note) for question_id in old_ids)
        for question_id in change.get("to") or ():
            by_new[question_id] = (kind, old_ids, note)
    changes: list[Change] = []
    for area in new.areas:
        for question in area.questions():
            kind, old_ids, note = by_new.get(question.id, ("", (), ""))
            if not kind:
                if question.id in old_questions and question.id not in named_old:
                    old_ids = (question.id,)
                    kind = "unchanged" if _wording(old_questions[question.id]) == _wording(question) else "reworded"
                else:
                    kind = "new"
            elif kind == "reworded" and _wording(old_questions[old_ids[0]]) == _wording(question):
                kind = "unchanged"
            old_text = " / ".join(old_questions[i].text for i in old_ids)
            changed = _what_changed(old_questions[old_ids[0]], question) if len(old_ids) == 1 else ()
            changes.append(Change(kind, question.id, old_ids, old_text, question.text, area.id, note, changed))
    new_ids = {q.id for q in new.questions()}
    carried_old = {i for change in changes for i in change.old_ids}
    for question_id, note in removed:
        changes.append(_removed(old_questions[question_id], old, note))
    for question_id, question in old_questions.items():
        if question_id not in new_ids and question_id not in carried_old and question_id not in named_old:
            changes.append(_removed(question, old, "No longer asked."))
    return UpgradePlan(old.version, new.version, tuple(changes))


def _wording(question: Question) -> tuple[Any, ...]:
    """What a person reads of a question and answers to: its text, its options' labels, its levels' words, and a
    number's unit and thresholds (with their currency)."""
    spec = question.numeric
    numeric = None if spec is None else (spec.unit, spec.full_score_at, spec.zero_score_at, spec.currency)
    return question.text, tuple(o.label for o in question.options), tuple(question.levels or ()), numeric


def _what_changed(old: Question, new: Question) -> tuple[str, ...]:
    """What a person reads differently in ``new`` than in ``old`` (`_wording`'s parts), in words."""
    changed: list[str] = []
    if old.text != new.text:
        changed.append("its text")
    old_labels = {o.id: o.label for o in old.options}
    for option in new.options:
        before = old_labels.get(option.id)
        if before is not None and before != option.label:
            changed.append(f"an option: “{before}” -> “{option.label}”")
    if {o.id for o in old.options} != {o.id for o in new.options}:
        changed.append("its options")
    if tuple(old.levels or ()) != tuple(new.levels or ()):
        changed.append("its levels' words")
    was, now = old.numeric, new.numeric
    if was is not None and now is not None:
        if was.unit != now.unit:
            changed.append(f"the unit: {was.unit or 'none'} -> {now.unit or 'none'}")
        if (was.full_score_at, was.zero_score_at) != (now.full_score_at, now.zero_score_at):
            changed.append(f"the thresholds: {_thresholds(was)} -> {_thresholds(now)}")
        if was.currency != now.currency:
            anyone = "none (read in the answer's currency)"
            changed.append(f"the thresholds' currency: {was.currency or anyone} -> {now.currency or anyone}")
    return tuple(changed)


def _thresholds(spec: Any) -> str:
    def number(value: float) -> str:
        shown = round_half_away(value, 2)
        return f"{shown:,.0f}" if shown == int(shown) else f"{shown:,.2f}".rstrip("0")

    return f"full score at {number(spec.full_score_at)}, none at {number(spec.zero_score_at)}"


def _removed(question: Question, framework: Framework, note: str) -> Change:
    area_id = next((a.id for a in framework.areas if any(q.id == question.id for q in a.questions())), "")
    return Change("removed", "", (question.id,), question.text, "", area_id, note)


def fits(question: Question, answer: OldAnswer) -> bool:
    """Whether ``question`` takes the old answer as it is."""
    if answer.not_applicable:
        return question.allow_na
    value = answer.value
    if question.type == "maturity":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 4
    if question.type == "yes_no":
        return isinstance(value, bool)
    if question.type == "choice":
        return isinstance(value, str) and question.option(value) is not None
    if question.type == "numeric":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return False


def _lowest(question: Question, answers: Sequence[OldAnswer]) -> OldAnswer | None:
    """The weakest of merged answers that the new question takes (N/A answers count only when all are N/A)."""
    usable = [a for a in answers if fits(question, a)]
    scored = [a for a in usable if not a.not_applicable]
    if not scored:
        return usable[0] if usable else None
    if question.type == "numeric" and question.numeric is not None:
        lower_is_better = question.numeric.full_score_at < question.numeric.zero_score_at
        return max(scored, key=lambda a: a.value) if lower_is_better else min(scored, key=lambda a: a.value)
    # Maturity levels, choices and yes/no by the score the new question gives them (docs/scoring.md, step 1): a
    # yes/no question's "yes" scores ``yes_score``, which may be below 50 ("Do you depend on one supplier?"), so
    # "no" is not always the weaker answer.
    return min(scored, key=lambda a: normalize(question, Answer(question.id, a.value)) or 0.0)


def carry_answers(plan: UpgradePlan, new: Framework, answers: Mapping[str, OldAnswer]) -> Carried:
    """The answers that carry onto the new version, and the ids of new questions whose old answer did not fit."""
    questions = {q.id: q for q in new.questions()}
    carried: list[CarriedAnswer] = []
    not_carried: list[str] = []
    for change in plan.changes:
        if not change.carries:
            continue
        question = questions[change.new_id]
        given = [answers[i] for i in change.old_ids if i in answers]
        if not given:
            continue
        chosen = _lowest(question, given) if change.kind == "merged" else given[0]
        if chosen is None or not fits(question, chosen):
            not_carried.append(change.new_id)
            continue
        carried.append(
            CarriedAnswer(
                question_id=change.new_id,
                from_id=chosen.question_id,
                value=None if chosen.not_applicable else chosen.value,
                not_applicable=chosen.not_applicable,
                na_reason=chosen.na_reason,
                note=chosen.note,
                check=change.kind in ("split", "merged"),
            )
        )
    return Carried(tuple(carried), tuple(not_carried))
