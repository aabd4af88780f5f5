"""Catalog entries by the names people write: import cells, export names, and what nvidia-smi prints.

One query per catalog model for a whole file (never one per row). An organization's private entry wins over a
shared one of the same name; a name two entries share is ambiguous, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from accounts.models import Organization

from .. import selectors

AMBIGUOUS = -1


def written_name(name: str) -> str:
    """A name as written, its spaces collapsed ("NVIDIA  H100 " -> "NVIDIA H100"); ``.lower()`` of it is the key
    names are matched by whatever their case."""
    return " ".join(name.split())


class NameIndex:
    """Catalog entries by name, case-insensitively; an organization's private entry wins over a shared one. Where
    two entries' names differ only by case or spaces ("T1" and "t1"), the name as written picks its own: only a name
    that matches several entries in neither way is ambiguous."""

    def __init__(self) -> None:
        self._private: dict[str, set[int]] = defaultdict(set)
        self._shared: dict[str, set[int]] = defaultdict(set)
        self._written: dict[str, set[int]] = defaultdict(set)

    def add(self, name: str, pk: int, *, private: bool) -> None:
        written = written_name(name)
        if written:
            (self._private if private else self._shared)[written.lower()].add(pk)
            self._written[written].add(pk)

    def resolve(self, name: str) -> int | None:
        """The entry's id, None when no entry has the name, `AMBIGUOUS` when several have it."""
        written = written_name(name)
        key = written.lower()
        for candidates in (self._private.get(key), self._shared.get(key)):
            if candidates:
                if len(candidates) == 1:
                    return next(iter(candidates))
                exact = self._written.get(written, set()) & candidates
                return next(iter(exact)) if len(exact) == 1 else AMBIGUOUS
        return None


def accelerator_type_names(entry: Any) -> list[str]:
    """The names an accelerator type is known by: its model ("H100 SXM"), vendor and model ("NVIDIA H100 SXM"),
    and what nvidia-smi prints."""
    return [entry.model, f"{entry.vendor} {entry.model}", *(entry.nvidia_smi_names or [])]


def name_index(entries: Iterable[Any], names_of: Callable[[Any], Iterable[str]]) -> NameIndex:
    """`entries` by every name `names_of` gives; an entry with no organization (shared) loses to a private one."""
    index = NameIndex()
    for entry in entries:
        private = getattr(entry, "organization_id", None) is not None
        for name in names_of(entry):
            index.add(name, entry.pk, private=private)
    return index


class Catalog:
    """The accelerator types and model profiles an organization may use, resolvable by the names users write:
    the model ("H100 SXM"), vendor and model ("NVIDIA H100 SXM"), or what nvidia-smi prints."""

    def __init__(self, organization: Organization) -> None:
        self.accelerators = NameIndex()
        self.accelerator_names: dict[int, list[str]] = {}
        for entry in selectors.accelerator_types_for(organization=organization).order_by("pk"):
            names = accelerator_type_names(entry)
            self.accelerator_names[entry.pk] = names
            for name in names:
                self.accelerators.add(name, entry.pk, private=not entry.is_shared)
        self.profiles = NameIndex()
        self.profile_names: dict[int, str] = {}
        for profile in selectors.model_profiles_for(organization=organization).order_by("pk"):
            self.profile_names[profile.pk] = profile.name
            self.profiles.add(profile.name, profile.pk, private=not profile.is_shared)

    def resolve(self, relation: str, name: str) -> int | None:
        return (self.accelerators if relation == "accelerator_type" else self.profiles).resolve(name)

    def accelerator_export_name(self, pk: int | None) -> str | None:
        """The shortest name that imports back to the same entry: the model, else vendor and model."""
        if pk is None:
            return None
        names = self.accelerator_names.get(pk)
        if not names:
            return None
        return next((n for n in names if self.accelerators.resolve(n) == pk), names[1])

    def profile_export_name(self, pk: int | None) -> str | None:
        return self.profile_names.get(pk) if pk is not None else None
