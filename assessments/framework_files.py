"""Read and validate framework files: every problem is listed by its path (`areas[3].subareas[0].questions[2].weight:
must be > 0`), so that an author can fix a file in one go.

Validation has three layers: YAML syntax, the JSON Schema (`frameworks/schema.json`: fields, types, enums), then
what a schema cannot say (unique ids, recommendation links that exist and form no cycle, known inventory facts,
and the scoring engine's own invariants).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from config.errors import ErrorItem, Invalid
from inventory.facts import FACTS

from . import scoring
from .upgrades import declaration_problems

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
DEFAULT_FRAMEWORK_FILE = FRAMEWORKS_DIR / "genai-infrastructure" / "1.0.yaml"
# Shipped alongside 1.0 (loaded by a migration): re-assessing a 1.0 assessment onto it carries the mapped answers.
FRAMEWORK_1_1_FILE = FRAMEWORKS_DIR / "genai-infrastructure" / "1.1.yaml"
# Shipped alongside 1.1 (loaded by a migration, the newest, so new assessments take it): 1.1 and the questions
# answered by measured telemetry.
FRAMEWORK_1_2_FILE = FRAMEWORKS_DIR / "genai-infrastructure" / "1.2.yaml"
# Shipped alongside 1.2 (loaded by a migration, the newest): 1.2 with EN-COST-05's middle option worded for what the
# inventory pre-fills it for (part of the fleet measured).
FRAMEWORK_1_3_FILE = FRAMEWORKS_DIR / "genai-infrastructure" / "1.3.yaml"
# Shipped alongside 1.3 (loaded by a migration, the newest): 1.3 with EN-COST-03 asking about the headroom after the
# fleet's draw as its fact measures it (measured where metered, else rated), not "rated draw".
FRAMEWORK_1_4_FILE = FRAMEWORKS_DIR / "genai-infrastructure" / "1.4.yaml"
MAX_FRAMEWORK_BYTES = 1_000_000


class FrameworkFileError(Invalid):
    """A framework file that cannot be loaded: one item per problem found, each at its path in the file (``field``,
    e.g. ``areas[3].subareas[0].questions[2].weight``) or its line and column for YAML syntax errors."""

    code = "invalid_framework"

    @property
    def problems(self) -> list[str]:
        """Each problem in words, its path first (the command line and the upload page list these)."""
        return self.messages


def _item(where: str | None, message: str) -> ErrorItem:
    return ErrorItem(message, FrameworkFileError.code, field=where)


@cache
def _schema() -> dict[str, Any]:
    return json.loads((FRAMEWORKS_DIR / "schema.json").read_text(encoding="utf-8"))


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: jsonschema.ValidationError) -> ErrorItem:
    """jsonschema's messages, said the way an author reads them."""
    validator, value = error.validator, error.validator_value
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return _item(_path([*error.absolute_path, missing]), "is required")
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _item(_path(error.absolute_path) or None, f"unknown field(s) {', '.join(extra)}")
    where = _path(error.absolute_path) or None
    templates = {
        "exclusiveMinimum": "must be > {}",
        "minimum": "must be >= {}",
        "maximum": "must be <= {}",
        "exclusiveMaximum": "must be < {}",
        "type": "must be of type {}",
        "minItems": "needs at least {} item(s)",
        "maxItems": "takes at most {} item(s)",
        "pattern": "must match {}",
        "minLength": "must not be empty",
    }
    if validator == "enum":
        return _item(where, "must be one of " + ", ".join(map(str, value)))
    if validator in templates:
        return _item(where, templates[str(validator)].format(value))
    return _item(where, error.message)


def parse_framework_text(text: str | bytes) -> dict[str, Any]:
    """Parse YAML (or JSON, a subset of YAML) into a mapping; raises FrameworkFileError."""
    if isinstance(text, bytes):
        if len(text) > MAX_FRAMEWORK_BYTES:
            raise FrameworkFileError(f"The file is larger than {MAX_FRAMEWORK_BYTES // 1000} kB.", code="too_large")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FrameworkFileError(f"The file is not UTF-8 text ({error.reason} at byte {error.start}).") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        message = f"Not valid YAML ({getattr(error, 'problem', error)})."
        if mark is None:
            raise FrameworkFileError(message) from error
        raise FrameworkFileError(message, row=mark.line + 1, column=str(mark.column + 1)) from error
    if not isinstance(data, dict):
        raise FrameworkFileError("The file must be a mapping with id, version, title and areas.")
    return data


def framework_problems(data: Mapping[str, Any]) -> list[ErrorItem]:
    """Every problem of a parsed framework, by path; an empty list means it loads."""
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [_message(error) for error in errors]
    if problems:
        return problems
    return _semantic_problems(data)


def _semantic_problems(data: Mapping[str, Any]) -> list[ErrorItem]:
    problems: list[ErrorItem] = []
    seen: dict[str, str] = {}
    recommendations: dict[str, tuple[str, list[str]]] = {}

    def unique(identifier: str, where: str) -> None:
        if identifier in seen:
            problems.append(_item(f"{where}.id", f"{identifier!r} is used twice (first at {seen[identifier]})"))
        else:
            seen[identifier] = where

    for a, area in enumerate(data["areas"]):
        unique(area["id"], f"areas[{a}]")
        for s, sub in enumerate(area["subareas"]):
            unique(sub["id"], f"areas[{a}].subareas[{s}]")
            for q, question in enumerate(sub["questions"]):
                where = f"areas[{a}].subareas[{s}].questions[{q}]"
                unique(question["id"], where)
                fact = question.get("inventory_fact")
                if fact is not None and fact not in FACTS:
                    problems.append(_item(f"{where}.inventory_fact", f"unknown fact {fact!r}"))
                elif fact is not None and FACTS[fact].kind != ("choice" if question["type"] == "choice" else "number"):
                    problems.append(
                        _item(f"{where}.inventory_fact", f"{fact!r} does not suit a {question['type']} question")
                    )
                rec = question.get("recommendation")
                if rec:
                    unique(rec["id"], f"{where}.recommendation")
                    recommendations[rec["id"]] = (f"{where}.recommendation", list(rec.get("depends_on", [])))
    for where, depends_on in recommendations.values():
        for d, dependency in enumerate(depends_on):
            if dependency not in recommendations:
                problems.append(_item(f"{where}.depends_on[{d}]", f"unknown recommendation {dependency!r}"))
    problems += _cycles(recommendations)
    if data.get("upgrade"):
        question_ids = [q["id"] for area in data["areas"] for sub in area["subareas"] for q in sub["questions"]]
        problems += [_item(where, message) for where, message in declaration_problems(data["upgrade"], question_ids)]
    if not problems:
        try:
            scoring.Framework.from_dict(data)
        except ValueError as error:
            problems.append(_item(None, str(error)))
    return problems


def _cycles(recommendations: Mapping[str, tuple[str, list[str]]]) -> list[ErrorItem]:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    problems: list[ErrorItem] = []

    def visit(rec_id: str, trail: list[str]) -> None:
        if state.get(rec_id) == 2 or rec_id not in recommendations:
            return
        if state.get(rec_id) == 1:
            cycle = " -> ".join([*trail[trail.index(rec_id) :], rec_id])
            problems.append(_item(f"{recommendations[rec_id][0]}.depends_on", f"dependency cycle {cycle}"))
            return
        state[rec_id] = 1
        for dependency in recommendations[rec_id][1]:
            visit(dependency, [*trail, rec_id])
        state[rec_id] = 2

    for rec_id in recommendations:
        visit(rec_id, [])
    return problems


def read_framework(text: str | bytes) -> dict[str, Any]:
    """Parse and validate; returns the definition or raises FrameworkFileError listing every problem."""
    data = parse_framework_text(text)
    problems = framework_problems(data)
    if problems:
        raise FrameworkFileError(problems)
    return data


def framework_fields(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The stored fields of a validated framework definition (shared by the loader and the data migration)."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return {
        "slug": definition["id"],
        "version": str(definition["version"]),
        "title": definition["title"],
        "description": definition.get("description", ""),
        "definition": definition,
        "digest": hashlib.sha256(canonical.encode()).hexdigest(),
        "question_count": sum(len(sub["questions"]) for area in definition["areas"] for sub in area["subareas"]),
    }
