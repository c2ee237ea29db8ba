"""Map a skill phrase to taxonomy ids: UK synonym groups and ESCO v1.1.1 skills.

Two phrases that share an id name the same skill even when no string metric could see it
("till operation" and "cash handling"). Lookup order: exact (normalised, word order ignored)
label/alias, then a typo-tolerant rapidfuzz search with a high cutoff. Every phrase also gets a
``txt:`` id of its own normalised text, so identical phrases outside the taxonomy still match.

The ESCO file is ~1 MB gzipped and ~96,000 labels: it is read lazily, once per process
(``default_taxonomy``), never at import time. ESCO's skill groups ("parents") are not used:
sharing a broad group ("selling") said too little and widened every candidate list.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from services.matcher.engine.normalise import tokens

__all__ = [
    "DATA_DIR",
    "Taxonomy",
    "build_taxonomy",
    "default_taxonomy",
    "load_uk_data",
    "phrase_key",
]

DATA_DIR = Path(__file__).parent / "data"
# Typos forgiven, as edits (optimal string alignment: a swapped pair of letters is one
# edit) on word-sorted text: one from 8 characters, two from 16. Shorter words are too close
# to other real words ("welding"/"wedding") to guess.
_MIN_FUZZY_LEN = 8
_TWO_EDITS_LEN = 16
# ESCO labels start with a verb that typed skills usually leave out ("operate forklift").
_LEADING_VERBS = frozenset({"use", "operate", "perform", "apply", "carry", "undertake", "do"})


def phrase_key(text: str) -> str:
    """Normalised tokens, sorted: word order does not change what a skill is."""
    return " ".join(sorted(tokens(text)))


def load_uk_data(path: Path | None = None) -> dict[str, Any]:
    """The UK skill groups and certification categories (empty until the file exists)."""
    path = path or DATA_DIR / "uk_skills.json"
    if not path.exists():
        return {"skills": [], "certifications": []}
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _load_esco(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"skills": {}}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class Taxonomy:
    """An immutable phrase -> ids index. Build with ``from_data``; share one per process."""

    def __init__(self) -> None:
        self._exact: dict[str, tuple[str, ...]] = {}
        # Fuzzy choices grouped by length: a ratio >= 90 needs lengths within ~20%.
        self._by_length: dict[int, list[str]] = {}
        self.labels: dict[str, str] = {}

    @classmethod
    def from_data(cls, esco: Mapping[str, Any], uk: Mapping[str, Any]) -> Taxonomy:
        tax = cls()
        exact: defaultdict[str, set[str]] = defaultdict(set)
        esco_to_uk: defaultdict[str, set[str]] = defaultdict(set)
        # Typos are searched among UK phrases and ESCO preferred labels only: ESCO's 82,000
        # alternative labels would make each search ~6x slower for little gain.
        fuzzy_keys: set[str] = set()
        for group in uk.get("skills", []):
            gid = f"uk:{group['id']}"
            tax.labels[gid] = str(group.get("label", group["id"]))
            linked = [f"esco:{e}" for e in _as_list(group.get("esco"))]
            for e in linked:
                esco_to_uk[e].add(gid)
            for phrase in [group.get("label", ""), *_as_list(group.get("aliases"))]:
                key = phrase_key(phrase)
                if key:
                    exact[key].update([gid, *linked])
                    fuzzy_keys.add(key)
        for sid, skill in esco.get("skills", {}).items():
            eid = f"esco:{sid}"
            tax.labels[eid] = str(skill.get("label", sid))
            ids = {eid, *esco_to_uk.get(eid, ())}
            label = skill.get("label", "")
            for phrase in [label, *_as_list(skill.get("alt"))]:
                words = tokens(phrase)
                variants = [words]
                if len(words) > 1 and words[0] in _LEADING_VERBS:
                    variants.append(words[1:])
                for variant in variants:
                    key = " ".join(sorted(variant))
                    if key:
                        exact[key].update(ids)
                        if phrase is label:
                            fuzzy_keys.add(key)
        tax._exact = {k: tuple(sorted(v)) for k, v in exact.items()}
        by_length: defaultdict[int, list[str]] = defaultdict(list)
        for key in sorted(fuzzy_keys):
            if len(key) >= _MIN_FUZZY_LEN - 2 and key in tax._exact:
                by_length[len(key)].append(key)
        tax._by_length = dict(by_length)
        return tax

    def _fuzzy(self, key: str) -> tuple[str, float] | None:
        edits = 2 if len(key) >= _TWO_EDITS_LEN else 1
        best: tuple[int, str] | None = None
        for n in range(len(key) - edits, len(key) + edits + 1):
            choices = self._by_length.get(n)
            if not choices:
                continue
            hit = process.extractOne(key, choices, scorer=OSA.distance, score_cutoff=edits)
            if hit is not None and (best is None or (int(hit[1]), str(hit[0])) < best):
                best = int(hit[1]), str(hit[0])
        if best is None:
            return None
        return best[1], 1.0 - 0.05 * best[0]  # 0.95 per edit: still a strong hit

    def resolve(self, phrase: str) -> dict[str, float]:
        """Ids a phrase names, with a confidence in 0..1 for each."""
        return dict(self._resolve_key(phrase_key(phrase)))

    @lru_cache(maxsize=100_000)  # noqa: B019 - one long-lived instance per process; bounded.
    def _resolve_key(self, key: str) -> tuple[tuple[str, float], ...]:
        if not key:
            return ()
        found: dict[str, float] = {f"txt:{key}": 1.0}
        ids = self._exact.get(key)
        confidence = 1.0
        if ids is None and len(key) >= _MIN_FUZZY_LEN:
            hit = self._fuzzy(key)
            if hit is not None:
                ids, confidence = self._exact[hit[0]], hit[1]
        for tid in ids or ():
            found[tid] = max(found.get(tid, 0.0), confidence)
        return tuple(sorted(found.items()))

    def __len__(self) -> int:
        return len(self._exact)


def build_taxonomy(phrases: Iterable[tuple[str, Iterable[str]]]) -> Taxonomy:
    """A small taxonomy from (id, phrases) pairs: handy for tests and tools."""
    groups = []
    for gid, group_phrases in phrases:
        listed = list(group_phrases)
        groups.append({"id": gid, "label": listed[0] if listed else gid, "aliases": listed})
    return Taxonomy.from_data({"skills": {}}, {"skills": groups})


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded on first use and kept for the life of the process."""
    return Taxonomy.from_data(_load_esco(DATA_DIR / "esco_skills.json.gz"), load_uk_data())
