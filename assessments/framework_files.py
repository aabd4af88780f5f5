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

from inventory.facts import FACTS

from . import scoring

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
DEFAULT_FRAMEWORK_FILE = FRAMEWORKS_DIR / "genai-infrastructure" / "1.0.yaml"
MAX_FRAMEWORK_BYTES = 1_000_000


class FrameworkFileError(ValueError):
    """A framework file that cannot be loaded; `problems` lists every problem found, each with its path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def _schema() -> dict[str, Any]:
    return json.loads((FRAMEWORKS_DIR / "schema.json").read_text(encoding="utf-8"))


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def _message(error: jsonschema.ValidationError) -> str:
    """jsonschema's messages, said the way an author reads them."""
    validator, value = error.validator, error.validator_value
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"{_path([*error.absolute_path, missing])}: is required"
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{_path(error.absolute_path)}: unknown field(s) {', '.join(extra)}"
    where = _path(error.absolute_path)
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
        return f"{where}: must be one of " + ", ".join(map(str, value))
    if validator in templates:
        return f"{where}: " + templates[str(validator)].format(value)
    return f"{where}: {error.message}"


def parse_framework_text(text: str | bytes) -> dict[str, Any]:
    """Parse YAML (or JSON, a subset of YAML) into a mapping; raises FrameworkFileError."""
    if isinstance(text, bytes):
        if len(text) > MAX_FRAMEWORK_BYTES:
            raise FrameworkFileError([f"(file): larger than {MAX_FRAMEWORK_BYTES // 1000} kB"])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise FrameworkFileError([f"(file): not UTF-8 text ({error.reason} at byte {error.start})"]) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise FrameworkFileError([f"{where}: not valid YAML ({getattr(error, 'problem', error)})"]) from error
    if not isinstance(data, dict):
        raise FrameworkFileError(["(file): must be a mapping with id, version, title and areas"])
    return data


def framework_problems(data: Mapping[str, Any]) -> list[str]:
    """Every problem of a parsed framework, by path; an empty list means it loads."""
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [_message(error) for error in errors]
    if problems:
        return problems
    return _semantic_problems(data)


def _semantic_problems(data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    recommendations: dict[str, tuple[str, list[str]]] = {}

    def unique(identifier: str, where: str) -> None:
        if identifier in seen:
            problems.append(f"{where}.id: {identifier!r} is used twice (first at {seen[identifier]})")
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
                    problems.append(f"{where}.inventory_fact: unknown fact {fact!r}")
                elif fact is not None and FACTS[fact].kind != ("choice" if question["type"] == "choice" else "number"):
                    problems.append(f"{where}.inventory_fact: {fact!r} does not suit a {question['type']} question")
                rec = question.get("recommendation")
                if rec:
                    unique(rec["id"], f"{where}.recommendation")
                    recommendations[rec["id"]] = (f"{where}.recommendation", list(rec.get("depends_on", [])))
    for where, depends_on in recommendations.values():
        for d, dependency in enumerate(depends_on):
            if dependency not in recommendations:
                problems.append(f"{where}.depends_on[{d}]: unknown recommendation {dependency!r}")
    problems += _cycles(recommendations)
    if not problems:
        try:
            scoring.Framework.from_dict(data)
        except ValueError as error:
            problems.append(str(error))
    return problems


def _cycles(recommendations: Mapping[str, tuple[str, list[str]]]) -> list[str]:
    state: dict[str, int] = {}  # 1 visiting, 2 done
    problems: list[str] = []

    def visit(rec_id: str, trail: list[str]) -> None:
        if state.get(rec_id) == 2 or rec_id not in recommendations:
            return
        if state.get(rec_id) == 1:
            cycle = " -> ".join([*trail[trail.index(rec_id) :], rec_id])
            problems.append(f"{recommendations[rec_id][0]}.depends_on: dependency cycle {cycle}")
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
