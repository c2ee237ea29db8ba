"""Certifications are categories, not fuzzy text (CONTRACT.md, hard rules).

A phrase resolves to a category of ``uk_skills.json`` ("certifications") or to nothing:

1. Normalise, then split the tokens into *marks* (anything with a digit, and licence class
   letters such as ``c``, ``c1``, ``ce``) and *words* (the rest, minus noise like "licence").
2. Marks must be EXACTLY equal to an alias's marks before any other comparison: "class 2"
   never meets "class 1", "level 2" never meets "level 3", "c1" never meets "c".
3. Words are then compared exactly, else with ``fuzz.ratio`` >= 90 on sorted words (typos,
   word order). If two categories come out (nearly) as good, the phrase is ambiguous and
   resolves to nothing.

A family's generic phrase ("HGV licence", "DBS", "forklift licence") names no category: it
resolves to ``family:<id>`` and is satisfied only by a client phrase of the same family that
is itself generic (same evidence). A specific category does not satisfy it either: a family
can be wider than its generic phrase (the driving-licence family holds Cat B, which is not
an "HGV licence"). A required certification that resolves to nothing is satisfied only by a
client certification with the same normalised text, never fuzzily.

Wrongly referring a client who lacks a licence is the worst error this product can make, so
every doubt resolves to "not held".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from rapidfuzz import fuzz

from services.matcher.engine.normalise import tokens
from services.matcher.engine.taxonomy import load_uk_data

__all__ = [
    "IMPLIES",
    "CertificationIndex",
    "cert_signature",
    "default_certifications",
]

_CUTOFF = 90.0
# A runner-up category within this many points of the best makes the phrase ambiguous.
_AMBIGUITY_MARGIN = 3.0
_MIN_FUZZY_LEN = 5

# DVLA entitlements and other licence classes: single letters and letter+digit codes.
_CLASS_TOKENS = frozenset({
    "a", "a1", "a2", "am", "b", "be", "b1", "c", "c1", "ce", "c1e", "d", "d1", "de", "d1e",
    "f", "g", "h", "k", "l", "p", "q",
})
# Words that say nothing about which certification it is.
_NOISE = frozenset({
    "licence", "licenced", "card", "certificate", "cert", "certification", "certified",
    "qualification", "qualified", "holder", "full", "uk", "valid", "current", "category",
    "cat", "class", "level", "award", "truck", "operator", "and", "with", "of", "the", "in",
    "for", "to", "check", "+", "lvl",
})
# Abbreviations only safe to expand inside a certification ("ds" is not a skill word).
_CERT_ABBREVIATIONS = {
    "ds": ("door", "supervisor"),
    "cp": ("close", "protection"),
    "cb": ("counterbalance",),
    "crb": ("dbs",),  # the CRB check was renamed DBS in 2012; the level still has to match.
}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_PREFIXED_NUMBER_RE = re.compile(r"^(level|lvl|lv|l|class|hgv|lgv|nvq|cat|category)(\d+)$")
_PLUS_E_RE = re.compile(r"^([bcd]1?)\+e$")

# Entitlements that legally include another (GOV.UK "Driving licence categories"): a Cat C
# licence covers C1; C+E covers C (and so C1); C1+E covers C1; D covers D1; D+E covers D; and
# every C1, D1 or B+E holder must already hold B. Only DVLA categories: a higher DBS or food
# hygiene level is NOT the lower one, and C+E does not give unrestricted C1+E. Keyed by
# (family, class) of uk_skills.json so the data file may rename its ids.
_DVLA = "uk_driving_licence"
IMPLIES: dict[tuple[str, str], tuple[str, ...]] = {
    (_DVLA, "CE"): ("C",),
    (_DVLA, "C"): ("C1",),
    (_DVLA, "C1E"): ("C1",),
    (_DVLA, "C1"): ("B",),
    (_DVLA, "DE"): ("D",),
    (_DVLA, "D"): ("D1",),
    (_DVLA, "D1"): ("B",),
    (_DVLA, "BE"): ("B",),
}


@lru_cache(maxsize=50_000)
def cert_signature(text: str) -> tuple[frozenset[str], str]:
    """(marks, sorted words) of a certification phrase."""
    raw = list(tokens(text, drop_stop_words=False))
    expanded: list[str] = []
    for typed in raw:
        tok = _NUMBER_WORDS.get(typed, typed)
        plus = _PLUS_E_RE.fullmatch(tok)
        if plus:
            tok = plus.group(1) + "e"
        prefixed = _PREFIXED_NUMBER_RE.fullmatch(tok)
        if prefixed:
            expanded.extend([prefixed.group(1), prefixed.group(2)])
            continue
        if tok == "e" and expanded and expanded[-1] in {"b", "c", "c1", "d", "d1"}:
            expanded[-1] += "e"  # "Cat C + E" typed with spaces
            continue
        expanded.extend(_CERT_ABBREVIATIONS.get(tok, (tok,)))
    marks = frozenset(t for t in expanded if t in _CLASS_TOKENS or any(c.isdigit() for c in t))
    words = [t for t in expanded if t not in marks and t not in _NOISE]
    if not words and not marks:
        words = [t for t in expanded if t not in marks]  # "full licence": keep what there is
    return marks, " ".join(sorted(words))


def _text_key(text: str) -> str:
    marks, words = cert_signature(text)
    return "certtxt:" + " ".join(sorted([*marks, *words.split()]))


@dataclass(frozen=True)
class _Alias:
    words: str
    category: str


class CertificationIndex:
    """Resolves certification phrases to category ids; built once from the UK file."""

    def __init__(
        self,
        categories: Iterable[Mapping[str, Any]],
        families: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._by_marks: defaultdict[frozenset[str], list[_Alias]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        for fid, family in (families or {}).items():
            for phrase in family.get("generic_aliases", []):
                marks, words = cert_signature(str(phrase))
                self._by_marks[marks].append(_Alias(words, f"family:{fid}"))
        categories = list(categories)
        for cat in categories:
            cid = str(cat["id"])
            self.labels[cid] = str(cat.get("label", cid))
            for phrase in [cat.get("label", ""), *cat.get("aliases", [])]:
                if not phrase:
                    continue
                marks, words = cert_signature(str(phrase))
                self._by_marks[marks].append(_Alias(words, cid))
        by_class = {(str(c.get("family")), str(c.get("class"))): str(c["id"])
                    for c in categories if c.get("class") is not None}
        self._implies = {
            by_class[key]: tuple(by_class[(key[0], v)] for v in implied if (key[0], v) in by_class)
            for key, implied in IMPLIES.items()
            if key in by_class
        }

    def resolve(self, text: str) -> str | None:
        """The category id ``text`` names, or None when unknown, generic or ambiguous."""
        found = self._resolve(text)
        return None if found is None or found.startswith("family:") else found

    @lru_cache(maxsize=50_000)  # noqa: B019 - one long-lived index per process; bounded.
    def _resolve(self, text: str) -> str | None:
        """A category id, ``family:<id>`` for a generic phrase, or None."""
        marks, words = cert_signature(text)
        aliases = self._by_marks.get(marks, [])
        exact = {a.category for a in aliases if a.words == words}
        if len(exact) == 1:
            return exact.pop()
        if exact or len(words) < _MIN_FUZZY_LEN:
            return None  # two categories share the alias, or too short to forgive typos
        best: dict[str, float] = {}
        for alias in aliases:
            if len(alias.words) < _MIN_FUZZY_LEN:
                continue
            score = fuzz.ratio(words, alias.words, score_cutoff=_CUTOFF)
            if score and score > best.get(alias.category, 0.0):
                best[alias.category] = score
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        if not ranked:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < _AMBIGUITY_MARGIN:
            return None
        return ranked[0][0]

    def _closure(self, category: str) -> set[str]:
        held, todo = {category}, [category]
        while todo:
            for implied in self._implies.get(todo.pop(), ()):
                if implied not in held:
                    held.add(implied)
                    todo.append(implied)
        return held

    def held_keys(self, certifications: Iterable[str]) -> frozenset[str]:
        """Everything a client's certifications satisfy: categories (with legal implications)
        and the exact normalised text of each."""
        keys: set[str] = set()
        for text in certifications:
            keys.add(_text_key(text))
            found = self._resolve(text)
            if found is not None and found.startswith("family:"):
                keys.add(found)
            elif found is not None:
                keys.update(f"cert:{c}" for c in self._closure(found))
        return frozenset(keys)

    def required_key(self, text: str) -> str:
        """The one key a client must hold to satisfy a required certification."""
        found = self._resolve(text)
        if found is None:
            return _text_key(text)
        return found if found.startswith("family:") else f"cert:{found}"


@cache
def default_certifications() -> CertificationIndex:
    data = load_uk_data()
    return CertificationIndex(data.get("certifications", []), data.get("families", {}))
