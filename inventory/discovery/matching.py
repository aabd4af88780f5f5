"""Which catalog accelerator a GPU is, from the name a tool printed. Pure Python: the service passes the catalog in.

How a name is read depends on where it comes from (`GpuRecord.name_kind`):

- **printed** (nvidia-smi, rocm-smi, amd-smi): the exact name, ignoring case, repeated spaces and a leading
  vendor word (old drivers print "A100-SXM4-40GB" for "NVIDIA A100-SXM4-40GB"), against each entry's names (its
  model, vendor and model, and the names the tools print, ``nvidia_smi_names``); then the output's aliases (an AMD
  device id's product name). A name nvidia-smi's table cut ("NVIDIA GeForce RTX 4080 ...")
  matches the entries one of whose names starts with it and whose memory fits the GPU's (within 12%); several
  candidates are refused with their names, never guessed.
- **label** (Kubernetes): the same, with "-", "_" and spaces alike (``NVIDIA-H100-80GB-HBM3``).
- **gres** and **inventory** (Slurm gres types, NetBox module types and inventory items: names people chose): the
  words without brand words (NVIDIA, AMD, Tesla, GeForce, Instinct...) and punctuation: the same letters
  (``rtx3090``), or an entry's words all in the name (``H100 SXM5 80GB`` holds ``H100 SXM``: ``sxm`` may be followed
  by a digit), or the name's words all in exactly one entry's (``a6000`` in ``RTX A6000``). A name that fits several
  entries (``a100``, ``h100``) is refused with them.

A private entry of the organization wins over a shared one with the same name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .base import GRES, INVENTORY_NAME, LABEL, GpuRecord

BRAND_WORDS = frozenset({"nvidia", "amd", "intel", "habana", "google", "tesla", "geforce", "instinct", "radeon"})
MEMORY_TOLERANCE = 0.12


@dataclass(frozen=True)
class CatalogItem:
    key: int
    vendor: str
    model: str
    names: tuple[str, ...] = ()
    memory_gb: float | None = None
    tdp_w: int | None = None
    private: bool = False

    @property
    def label(self) -> str:
        return f"{self.vendor} {self.model}"

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.model, self.label, *self.names)


@dataclass(frozen=True)
class Match:
    item: CatalogItem | None
    candidates: tuple[CatalogItem, ...] = ()  # several entries fit: refused with them
    note: str = ""
    suggestions: tuple[CatalogItem, ...] = ()  # none fits; these share a model word ("did you mean")

    @property
    def ambiguous(self) -> bool:
        return self.item is None and len(self.candidates) > 1


def exact_key(name: str) -> str:
    return " ".join(name.split()).lower()


def label_key(name: str) -> str:
    return " ".join(re.split(r"[\s_-]+", name.strip().lower())).strip()


def without_vendor(name: str) -> str:
    """Old drivers print names without the vendor ("A100-SXM4-40GB", "GeForce GTX 1070 Ti"): both spellings match."""
    first, _, rest = name.strip().partition(" ")
    return rest if first.lower() in ("nvidia", "amd") and rest else name.strip()


def words(name: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[^a-z0-9]+", name.lower()) if w and w not in BRAND_WORDS)


def _word_in(word: str, others: tuple[str, ...]) -> bool:
    """``sxm`` is in ``sxm5`` (a letter word followed by a version digit); ``l4`` is not in ``l40s``."""
    return any(
        other == word or (other.startswith(word) and word[-1].isalpha() and other[len(word) :].isdigit())
        for other in others
    )


def fits_memory(item: CatalogItem, memory_mib: int | None) -> bool:
    if memory_mib is None or not item.memory_gb:
        return True
    return abs(memory_mib / 1024 - item.memory_gb) <= MEMORY_TOLERANCE * item.memory_gb + 0.5


class Matcher:
    def __init__(self, items: Iterable[CatalogItem]) -> None:
        self.items = list(items)
        self._exact: dict[tuple[bool, str], set[int]] = {}
        self._label: dict[tuple[bool, str], set[int]] = {}
        self.by_key = {item.key: item for item in self.items}
        for item in self.items:
            for name in item.all_names:
                for variant in {name, without_vendor(name)}:
                    self._exact.setdefault((item.private, exact_key(variant)), set()).add(item.key)
                    self._label.setdefault((item.private, label_key(variant)), set()).add(item.key)

    def _lookup(self, index: dict[tuple[bool, str], set[int]], key: str) -> tuple[CatalogItem, ...]:
        for private in (True, False):
            found = index.get((private, key))
            if found:
                return tuple(self.by_key[k] for k in sorted(found))
        return ()

    def _decide(self, found: tuple[CatalogItem, ...], memory_mib: int | None, note: str = "") -> Match | None:
        if not found:
            return None
        if len(found) > 1:
            fitting = tuple(item for item in found if fits_memory(item, memory_mib))
            found = fitting or found
        return Match(found[0], note=note) if len(found) == 1 else Match(None, found)

    def match(self, gpu: GpuRecord) -> Match:
        names = (gpu.name, *gpu.aliases)
        if gpu.name_kind in (GRES, INVENTORY_NAME):
            for name in names:
                decided = self._loose(name, gpu.memory_mib, gpu.name_kind)
                if decided is not None:
                    return decided
            return Match(None, suggestions=self.suggestions(gpu.name))
        index, key = (self._label, label_key) if gpu.name_kind == LABEL else (self._exact, exact_key)
        for position, name in enumerate(names):
            note = f"{gpu.name!r} read by its device id as {name}" if position else ""
            found = self._lookup(index, key(name)) or self._lookup(index, key(without_vendor(name)))
            decided = self._decide(found, gpu.memory_mib, note)
            if decided is not None:
                return decided
        if gpu.truncated:
            return self._truncated(gpu)
        return Match(None, suggestions=self.suggestions(gpu.name))

    def _truncated(self, gpu: GpuRecord) -> Match:
        prefix = exact_key(gpu.name.removesuffix("...").rstrip())
        found = [
            item for item in self.items if any(exact_key(name).startswith(prefix) for name in (item.label, *item.names))
        ]
        private = [item for item in found if item.private]
        found = private or found
        fitting = tuple(item for item in found if fits_memory(item, gpu.memory_mib))
        if len(fitting) == 1:
            memory = f", {gpu.memory_mib} MiB" if gpu.memory_mib else ""
            return Match(
                fitting[0], note=f"{gpu.name!r} (cut by nvidia-smi's table{memory}) read as {fitting[0].label}"
            )
        return Match(None, fitting or tuple(found))

    def _loose(self, name: str, memory_mib: int | None, kind: str) -> Match | None:
        query = words(name)
        if not query:
            return None
        compact = "".join(query)
        same = tuple(item for item in self.items if any("".join(words(n)) == compact for n in item.all_names))
        what = "gres type" if kind == GRES else "name"
        decided = self._decide(self._prefer_private(same), memory_mib)
        if decided is not None:
            return decided
        # The name holds every word of an entry's name (the most words wins): "H100 SXM5 80GB" -> "H100 SXM".
        scored: dict[int, int] = {}
        for item in self.items:
            for candidate in item.all_names:
                mine = words(candidate)
                if mine and all(_word_in(w, query) for w in mine):
                    scored[item.key] = max(scored.get(item.key, 0), len(mine))
        if scored:
            best = max(scored.values())
            found = self._prefer_private(tuple(self.by_key[k] for k, s in scored.items() if s == best))
            decided = self._decide(found, memory_mib, note=f"{what} {name!r} read as {{}}")
            if decided is not None:
                return _fill(decided)
        # Every word of the name is in an entry's name: "a6000" -> "RTX A6000"; "h100" fits three entries.
        general = self._prefer_private(
            tuple(item for item in self.items if any(all(_word_in(w, words(n)) for w in query) for n in item.all_names))
        )
        decided = self._decide(general, memory_mib, note=f"{what} {name!r} read as {{}}")
        return _fill(decided) if decided is not None else None

    @staticmethod
    def _prefer_private(found: tuple[CatalogItem, ...]) -> tuple[CatalogItem, ...]:
        private = tuple(item for item in found if item.private)
        return private or found

    def suggestions(self, name: str, limit: int = 5) -> tuple[CatalogItem, ...]:
        """Entries sharing a model word with the name (for "did you mean"): never a match."""
        query = {w for w in words(name) if any(c.isdigit() for c in w)}
        found = [item for item in self.items if query & {w for n in item.all_names for w in words(n)}]
        return tuple(found[:limit])


def _fill(match: Match) -> Match:
    if match.item is not None and "{}" in match.note:
        return Match(match.item, match.candidates, match.note.format(match.item.label))
    return match
