"""Answers: the rules an answer obeys, saving answers (the API and the questionnaire page), applying a page of
answers (what changed, what is cleared), removing one, and pre-filling from the inventory.

No lost updates: every save raises the answer's ``version``. An input that says which version it was made from
(``version``; 0 for "there was no answer") is refused with a `Conflict` (``stale_answer``, the answer as it now is
in the error's ``current``) when someone else has saved that question since. Saves lock the assessment row, so two
members answering different questions at the same time both keep their answers.

Every answer rule is checked here (`_check_answer`), whichever channel the answer came through: the REST API and
the questionnaire page parse their own input (JSON fields; posted strings) and hand the values to these services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from config.errors import Conflict, ErrorItem, Invalid
from config.history import history_record_bulk
from config.validators import validate_finite_json
from inventory.facts import compute_facts, rounded

from .. import scoring
from ..models import INVENTORY_NOTE_PREFIX, Answer, AnswerSource, Assessment
from ..selectors import answer_shown
from .frameworks import framework_parse
from .reviews import reviews_reopen_for_changes

FROZEN = "This assessment has been submitted; its answers are frozen. Re-assess to change them."


@dataclass(frozen=True)
class AnswerInput:
    """One question's answer as given: a value, or ``not_applicable`` with a reason; a note and an evidence link."""

    question_id: str
    value: Any = None
    not_applicable: bool = False
    na_reason: str = ""
    note: str = ""
    evidence_url: str = ""
    version: int | None = None
    """The version of the stored answer this one was made from (0: none); None saves whatever is stored."""

    @property
    def gives_answer(self) -> bool:
        return self.not_applicable or self.value is not None


@dataclass(frozen=True)
class AnswersApplied:
    """What applying a page of answers did: answers saved and answers removed."""

    saved: int
    cleared: int


# --- the rules ------------------------------------------------------------------------------------------------------


def _check_answer(question: scoring.Question | None, item: AnswerInput) -> None:
    """Refuse an answer its question does not take: `Invalid` naming the field (positions are the caller's)."""
    if question is None:
        raise Invalid(f"Unknown question {item.question_id!r}.", code="unknown_question", field="question_id")
    _check_text(item)
    if item.not_applicable:
        if not question.allow_na:
            raise Invalid(
                f"Question {question.id} does not allow 'not applicable'.",
                code="na_not_allowed",
                field="not_applicable",
            )
        if not item.na_reason.strip():
            raise Invalid(f"Question {question.id}: say why it does not apply.", code="required", field="na_reason")
        return
    if item.value is None:
        raise Invalid(
            f"Question {question.id}: an answer needs a value (or 'not applicable').", code="required", field="value"
        )
    try:
        scoring.normalize(question, scoring.Answer(question.id, item.value))
    except ValueError as error:
        raise Invalid(str(error), field="value") from error
    spec = question.numeric
    unit = f" {spec.unit}" if spec is not None and spec.unit else ""
    if spec is not None and spec.min is not None and item.value < spec.min:
        raise Invalid(f"Question {question.id}: must be at least {spec.min:g}{unit}.", code="min_value", field="value")
    if spec is not None and spec.max is not None and item.value > spec.max:
        raise Invalid(f"Question {question.id}: must be at most {spec.max:g}{unit}.", code="max_value", field="value")


def _check_text(item: AnswerInput) -> None:
    """The note, the reason and the evidence link follow their model fields' rules (length, characters, an
    http(s) address); the value is finite JSON."""
    for name in ("na_reason", "note", "evidence_url"):
        value = getattr(item, name)
        try:
            field = Answer._meta.get_field(name)
            field.run_validators(value)
            if field.max_length and len(value) > field.max_length:
                raise ValidationError(f"Keep this under {field.max_length} characters.", code="max_length")
        except ValidationError as error:
            raise Invalid(error.messages[0], code=error.error_list[0].code or "invalid", field=name) from error
    try:
        validate_finite_json(item.value)
    except ValidationError as error:
        raise Invalid(error.messages[0], code="not_finite", field="value") from error


def _check_all(assessment: Assessment, items: Sequence[AnswerInput]) -> None:
    """`Invalid` with one error per bad item, at its ``index`` in ``items``."""
    questions = {q.id: q for q in framework_parse(assessment.framework).questions()}
    problems: list[ErrorItem] = []
    for position, item in enumerate(items):
        try:
            _check_answer(questions.get(item.question_id), item)
        except Invalid as error:
            problems.extend(error.at(index=position).errors)
    if problems:
        raise Invalid(problems)


def locked_draft(assessment_id: int) -> Assessment:
    """The assessment, locked until the transaction ends; `Conflict` once it has been submitted."""
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("framework", "organization")
        .get(pk=assessment_id)
    )
    if locked.is_frozen:
        raise Conflict(FROZEN, code="frozen")
    return locked


def _shown(question: scoring.Question | None, answer: Answer | AnswerInput | None, currency: str = "") -> str:
    if answer is None or (not answer.not_applicable and answer.value is None):
        return "no answer"
    if answer.not_applicable:
        return "not applicable"
    if question is None:
        return str(answer.value)
    return answer_shown(question=question, value=answer.value, currency=currency)


def answer_current(answer: Answer, question: scoring.Question | None = None, currency: str = "") -> dict[str, Any]:
    """An answer as a conflict shows it: its fields, version, who saved it and when, and the value in words."""
    return {
        "question_id": answer.question_id,
        "value": answer.value,
        "not_applicable": answer.not_applicable,
        "na_reason": answer.na_reason,
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "version": answer.version,
        "answered_by": answer.answered_by.get_username() if answer.answered_by else None,
        "updated": answer.updated.isoformat() if answer.updated else None,
        "shown": _shown(question, answer, currency),
    }


def _stale(
    locked: Assessment, stored: Mapping[str, Answer], items: Sequence[tuple[int, AnswerInput]], user: AbstractBaseUser
) -> list[ErrorItem]:
    """One `stale_answer` item per input made from an older version of an answer someone else has saved since."""
    questions = None
    problems = []
    for index, item in items:
        current = stored.get(item.question_id)
        if item.version is None or current is None or current.version == item.version:
            continue
        if current.answered_by_id is not None and current.answered_by_id == user.pk:
            continue  # your own newer save (another tab): yours again wins
        if questions is None:
            questions = {q.id: q for q in framework_parse(locked.framework).questions()}
        question = questions.get(item.question_id)
        who = current.answered_by.get_username() if current.answered_by else "the inventory"
        currency = locked.organization.reporting_currency
        theirs, yours = _shown(question, current, currency), _shown(question, item, currency)
        problems.append(
            ErrorItem(
                f"{item.question_id} was changed by {who} after you opened it: their answer is “{theirs}”, yours is "
                f"“{yours}”. Keep theirs, or save yours again to overwrite it.",
                "stale_answer",
                index=index,
                field="version",
                current=answer_current(current, question, currency),
                yours=yours,
            )
        )
    return problems


# --- writing --------------------------------------------------------------------------------------------------------

UPSERT_FIELDS = (
    "value",
    "not_applicable",
    "na_reason",
    "note",
    "evidence_url",
    "source",
    "inventory_note",
    "answered_by",
    "version",
    "updated",
)


def _upsert(answers: Iterable[Answer], *, user: AbstractBaseUser | None, reason: str = "") -> dict[str, Answer]:
    """Insert or replace answers in one statement per batch (one per question: the last one given wins), and
    record their history in one more (`config.history`; an upsert is recorded as a change, the first record of an
    answer reads as its creation)."""
    by_question = {answer.question_id: answer for answer in answers}
    Answer.objects.bulk_create(
        list(by_question.values()),
        update_conflicts=True,
        unique_fields=["assessment", "question_id"],
        update_fields=list(UPSERT_FIELDS),
    )
    history_record_bulk(Answer, list(by_question.values()), user=user, reason=reason)
    return by_question


def _delete(answers: QuerySet[Answer], *, user: AbstractBaseUser | None) -> bool:
    """Delete answers in a fixed number of statements, their history recorded in one (nothing refers to an answer,
    so Django's per-row delete, which the history's signal would otherwise force, is not needed). False when there
    was none."""
    doomed = list(answers)
    if not doomed:
        return False
    history_record_bulk(Answer, deleted=doomed, user=user)
    rows = Answer.objects.filter(pk__in=[answer.pk for answer in doomed])
    rows._raw_delete(rows.db)
    return True


def keeps_inventory_answer(item: AnswerInput, stored: Answer | None) -> bool:
    """Whether ``item`` leaves an answer the inventory filled in as the inventory's: the same value, not "not
    applicable". A note or an evidence link alone does not make it self-reported (its value keeps following the
    inventory and the scope, and still counts as evidence); changing the answer does."""
    return (
        stored is not None
        and stored.source == AnswerSource.INVENTORY
        and not item.not_applicable
        and not stored.not_applicable
        and type(item.value) is not bool  # True == 1: a yes/no answer is never a number's
        and item.value == stored.value
    )


def _answer(assessment: Assessment, item: AnswerInput, user: AbstractBaseUser, stored: Answer | None) -> Answer:
    inventory = keeps_inventory_answer(item, stored)
    return Answer(
        version=stored.version + 1 if stored is not None else 1,
        assessment=assessment,
        question_id=item.question_id,
        value=None if item.not_applicable else item.value,
        not_applicable=item.not_applicable,
        na_reason=item.na_reason.strip() if item.not_applicable else "",
        note=item.note,
        evidence_url=item.evidence_url,
        source=AnswerSource.INVENTORY if inventory else AnswerSource.SELF,
        inventory_note=stored.inventory_note if inventory and stored is not None else "",
        answered_by=None if inventory else user,
    )


@transaction.atomic
def answers_save(*, assessment: Assessment, items: Iterable[AnswerInput], user: AbstractBaseUser) -> list[Answer]:
    """Save answers (insert or replace per question), all or none; one answer per item.

    Raises `Invalid` with one item per bad answer, at its ``index`` in ``items``; `Conflict` once submitted, or
    (``stale_answer``, with the answer as it now is) when an item's ``version`` is older than the stored answer
    someone else saved. An area whose answers change after its approval goes back to review.
    """
    locked = locked_draft(assessment.pk)
    items = list(items)
    _check_all(locked, items)
    stored = _stored(locked, [item.question_id for item in items])
    stale = _stale(locked, stored, list(enumerate(items)), user)
    if stale:
        raise Conflict(stale)
    saved = _upsert((_answer(locked, item, user, stored.get(item.question_id)) for item in items), user=user)
    reviews_reopen_for_changes(assessment=locked, question_ids=list(saved), user=user)
    return [saved[item.question_id] for item in items]


def _stored(assessment: Assessment, question_ids: Sequence[str]) -> dict[str, Answer]:
    answers = Answer.objects.filter(assessment=assessment, question_id__in=question_ids).select_related("answered_by")
    return {answer.question_id: answer for answer in answers}


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def page_state(answer: Answer | None) -> tuple[Any, ...]:
    """A stored answer as an answer page holds it (how the inventory gave an answer, `Answer.inventory_note`, is
    shown apart: the note is the members')."""
    if answer is None:
        return (None, False, "", "", "")
    note = _clean(answer.note)
    na_reason = answer.na_reason if answer.not_applicable else ""
    return (
        None if answer.not_applicable else answer.value,
        answer.not_applicable,
        na_reason,
        note,
        answer.evidence_url,
    )


def _input_state(item: AnswerInput) -> tuple[Any, ...]:
    na_reason = item.na_reason.strip() if item.not_applicable else ""
    value = None if item.not_applicable else item.value
    return (value, item.not_applicable, na_reason, _clean(item.note), item.evidence_url)


def _seen_states(assessment: Assessment, stored: Mapping[str, Answer], items: Sequence[AnswerInput]) -> dict[str, Any]:
    """The answer each item was made from, as its page showed it, for the items made from another version than the
    stored one (someone saved the question since the page was opened): no answer for version 0, else the answer as
    its history recorded it at that version. An item whose version the history does not hold is left out."""
    behind = {
        item.question_id: item.version
        for item in items
        if item.version is not None
        and item.version != (stored[item.question_id].version if item.question_id in stored else 0)
    }
    seen: dict[str, Any] = {question_id: page_state(None) for question_id, version in behind.items() if version == 0}
    wanted = {question_id: version for question_id, version in behind.items() if version}
    if wanted:
        records = (
            Answer.history.filter(  # type: ignore[attr-defined]
                assessment_id=assessment.pk, question_id__in=list(wanted), version__in=set(wanted.values())
            )
            .exclude(history_type="-")
            .order_by("history_date", "history_id")
        )
        for record in records:  # the latest record of each version wins (an answer removed, then given again)
            if wanted[record.question_id] == record.version:
                seen[record.question_id] = page_state(record)
    return seen


@transaction.atomic
def answers_apply(*, assessment: Assessment, items: Sequence[AnswerInput], user: AbstractBaseUser) -> AnswersApplied:
    """Apply what a page now says about some questions (one area of the questionnaire without JavaScript): each
    item is the question's whole answer as the page holds it, with no value and not N/A for no answer.

    - An item equal to the stored answer (as the page shows it) changes nothing: who gave the answer and where it
      came from stay (an answer from the inventory stays one).
    - An item equal to the answer it was made from (its ``version``) changes nothing either: someone else saved the
      question since the page was opened and the member did not touch it, so their answer stays, without a
      conflict. Only an item the member changed (to something else than the stored answer) is refused as stale.
    - An item with no answer removes the stored one, unless it keeps a note or an evidence link (refused: give an
      answer to keep them).
    - Any other item is saved as `answers_save` saves it (self-reported, by ``user``).

    All or none: `Invalid` with one error per bad item at its ``index``; `Conflict` once submitted.
    """
    locked = locked_draft(assessment.pk)
    stored = {answer.question_id: answer for answer in locked.answers.select_related("answered_by")}
    seen = _seen_states(locked, stored, items)
    changed = []
    for index, item in enumerate(items):
        now = page_state(stored.get(item.question_id))
        if _input_state(item) not in (now, seen.get(item.question_id, now)):
            changed.append((index, item))
    problems = [
        ErrorItem(
            f"{item.question_id}: give an answer (or “not applicable”) to keep the note and the evidence link.",
            "required",
            index=index,
            field="value",
        )
        for index, item in changed
        if not item.gives_answer and (item.note.strip() or item.evidence_url.strip())
    ]
    to_save = [(index, item) for index, item in changed if item.gives_answer]
    try:
        _check_all(locked, [item for _, item in to_save])
    except Invalid as error:
        problems += [replace(problem, index=to_save[problem.index][0]) for problem in error.errors]
    if problems:
        raise Invalid(sorted(problems, key=lambda problem: problem.index or 0))
    stale = _stale(locked, stored, changed, user)
    if stale:
        raise Conflict(stale)
    to_clear = [item.question_id for _, item in changed if not item.gives_answer]
    _upsert((_answer(locked, item, user, stored.get(item.question_id)) for _, item in to_save), user=user)
    if to_clear:
        _delete(Answer.objects.filter(assessment=locked, question_id__in=to_clear), user=user)
    reviews_reopen_for_changes(assessment=locked, question_ids=[item.question_id for _, item in changed], user=user)
    return AnswersApplied(saved=len(to_save), cleared=len(to_clear))


@transaction.atomic
def answer_clear(
    *, assessment: Assessment, question_id: str, user: AbstractBaseUser | None = None, version: int | None = None
) -> None:
    """Remove the answer to one question (it becomes unanswered again); `Conflict` once submitted, or
    (``stale_answer``) when ``version`` is given and someone else has saved the answer since."""
    locked = locked_draft(assessment.pk)
    if version is not None and user is not None:
        stored = _stored(locked, [question_id])
        stale = _stale(locked, stored, [(0, AnswerInput(question_id, version=version))], user)
        if stale:
            raise Conflict(stale)
    if _delete(Answer.objects.filter(assessment=locked, question_id=question_id), user=user):
        reviews_reopen_for_changes(assessment=locked, question_ids=[question_id], user=user)


# --- from the inventory ---------------------------------------------------------------------------------------------


def _fact_answer(question: scoring.Question, fact: Any) -> Any:
    """The answer value an inventory fact gives a question, or None when it cannot answer it."""
    if question.type == "numeric" and isinstance(fact.value, int | float):
        return rounded(fact.value, fact.unit)  # as people read it, and as scoring then uses it
    if question.type == "choice" and question.option(str(fact.value)) is not None:
        return str(fact.value)
    return None


def facts_by_question(framework: scoring.Framework, facts: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """question id -> (the value its bound fact gives it, the fact's name), for the facts the inventory has."""
    bound = {}
    for question in framework.questions():
        fact = facts.get(question.inventory_fact or "")
        value = None if fact is None else _fact_answer(question, fact)
        if value is not None:
            bound[question.id] = (value, fact.name)
    return bound


def answers_prefill_from_inventory(*, assessment: Assessment) -> int:
    """Answer the questions bound to inventory facts from the current inventory (source "inventory").

    Only questions not answered yet by a person are filled (an answer the inventory gave keeps the members' note and
    evidence link on it, and its version unless its value changes); returns how many answers were written. An answer the
    inventory gave earlier whose fact the inventory no longer supports (a re-assessment carries its previous
    answers; a draft's scope may shrink to sites without that fact) is removed, not left standing as evidence of
    what this scope does not show.
    """
    facts = compute_facts(organization=assessment.organization, scope=assessment.analysis_scope)
    kept = {
        answer.question_id: answer
        for answer in assessment.answers.only("question_id", "source", "value", "note", "evidence_url", "version")
    }
    stored = {question_id: answer.source for question_id, answer in kept.items()}
    answered_by_people = {question_id for question_id, source in stored.items() if source == AnswerSource.SELF}
    framework = framework_parse(assessment.framework)
    questions = {question.id: question for question in framework.questions()}
    currency = assessment.organization.reporting_currency
    bound = facts_by_question(framework, facts)
    unsupported = [
        question_id
        for question_id, source in stored.items()
        if source == AnswerSource.INVENTORY
        and questions.get(question_id) is not None
        and question_id not in bound
        and questions[question_id].inventory_fact
    ]
    if unsupported:
        _delete(Answer.objects.filter(assessment=assessment, question_id__in=unsupported), user=None)
    answers = []
    for question_id, (value, fact_name) in bound.items():
        if question_id in answered_by_people:
            continue
        fact = facts[fact_name]
        answered = answer_shown(question=questions[question_id], value=value, currency=currency)
        earlier = kept.get(question_id)  # the inventory's: the members' note and link on it stay
        version = 1 if earlier is None else earlier.version + (0 if earlier.value == value else 1)
        answers.append(
            Answer(
                assessment=assessment,
                question_id=question_id,
                value=value,
                not_applicable=False,
                source=AnswerSource.INVENTORY,
                answered_by=None,
                note=earlier.note if earlier is not None else "",
                evidence_url=earlier.evidence_url if earlier is not None else "",
                inventory_note=f"{INVENTORY_NOTE_PREFIX} {fact.explanation} ({answered}).",
                version=version,
            )
        )
    return len(_upsert(answers, user=None, reason="from the inventory") if answers else {})
