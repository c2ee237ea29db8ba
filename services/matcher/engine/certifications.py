"""Certifications are categories, not fuzzy text (CONTRACT.md, hard rules).

A phrase resolves to a category of ``uk_skills.json`` ("certifications") or to nothing:

1. Normalise, then split the tokens into *marks* (anything with a digit, and licence class
   letters such as ``c``, ``c1``, ``ce``) and *words* (the rest, minus noise like "licence").
2. Marks must be EXACTLY equal to an alias's marks before any other comparison: "class 2"
   never meets "class 1", "level 2" never meets "level 3", "c1" never meets "c".
3. Words are then compared exactly, else with ``fuzz.ratio`` >= 90 on sorted words (typos,
   word order), unless a word that differs is by itself the name of another category or
   family: a name is no typo ("CPCS" is a scheme of its own, not a misspelt "CSCS"). If two
   categories come out (nearly) as good, the phrase is ambiguous and resolves to nothing.
   Document words ("licence", "card") must agree unless the rest names the category by
   itself: several words, a wording the category is known by with no document word, or a
   licence class alone ("Cat C" is "Cat C licence"; a bare "3b" still needs its "card").
4. A phrase no alias matches may still name a category whose names hold all its words and
   its exact marks, when that is the only such category and the phrase carries evidence of
   which one it is (``_cert_cover``): "door supervisor badge", "IPAF mobile boom".

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

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from rapidfuzz import fuzz

from services.matcher.engine._cert_cover import CoverIndex
from services.matcher.engine._cert_signature import (
    _CLASS_TOKENS,
    _Signature,
    _signature,
    _text_key,
    cert_signature,
    strip_notes,
)
from services.matcher.engine.taxonomy import load_uk_data

__all__ = [
    "IMPLIES",
    "CertificationIndex",
    "cert_signature",
    "default_certifications",
    "strip_notes",
]

_CUTOFF = 90.0
# A runner-up category within this many points of the best makes the phrase ambiguous.
_AMBIGUITY_MARGIN = 3.0
_MIN_FUZZY_LEN = 5

# Without any document word, a phrase of this many words may still name a category whose
# aliases all carry one ("SIA PSS CCTV"); a single word ("driver") may not.
_MIN_WORDS_WITHOUT_DOCUMENT = 2

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


@dataclass(frozen=True)
class _Alias:
    words: str
    category: str
    document: frozenset[str]
    days: str


class CertificationIndex:
    """Resolves certification phrases to category ids; built once from the UK file."""

    def __init__(
        self,
        categories: Iterable[Mapping[str, Any]],
        families: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._by_marks: defaultdict[frozenset[str], list[_Alias]] = defaultdict(list)
        # Words that alone name a category or family ("CPCS", "SMSTS"): such a word is a
        # name, never a typo in another's ("CPCS" is not a misspelt "CSCS").
        self._names: defaultdict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, str] = {}
        # (marks, words) a category is named by with no document word ("IPAF", "Cat B"):
        # such a category may be typed with any document word after it.
        self._standalone: set[tuple[frozenset[str], str, str]] = set()
        # course lengths a category's aliases state ("1 day first aid" -> EFAW: {"1"})
        self._days: defaultdict[str, set[str]] = defaultdict(set)
        named: list[tuple[str, str]] = [
            (str(phrase), f"family:{fid}")
            for fid, family in (families or {}).items()
            for phrase in family.get("generic_aliases", [])
        ]
        categories = list(categories)
        for cat in categories:
            cid = str(cat["id"])
            self.labels[cid] = str(cat.get("label", cid))
            named += [(str(p), cid) for p in [cat.get("label", ""), *cat.get("aliases", [])] if p]
        self._cover = CoverIndex({str(c["id"]): str(c.get("family") or "") for c in categories})
        for phrase, cid in named:
            sig = _signature(phrase)
            if sig is None:
                continue
            self._by_marks[sig.marks].append(_Alias(sig.words, cid, sig.document, sig.days))
            self._cover.add(cid, sig.marks, sig.words.split())
            if sig.words and " " not in sig.words:
                self._names[sig.words].add(cid)
            if not sig.document:
                self._standalone.add((sig.marks, sig.words, cid))
            if sig.days:
                self._days[cid].add(sig.days)
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

    def reading(self, text: str) -> tuple[str | None, str]:
        """(what ``text`` names, by which route) for people asking why: a category id or
        ``family:<id>`` by "its words", "a typo" or "its names' words" (the cover rule);
        None by "not held" (a note says so), "ambiguous" or "unknown"."""
        return self._read(text)

    def _resolve(self, text: str) -> str | None:
        return self._read(text)[0]

    def _fits(self, sig: _Signature, alias: _Alias, marks: frozenset[str]) -> bool:
        """May ``alias`` name the phrase whose signature is ``sig`` (words already compared)?"""
        if sig.days and self._days.get(alias.category) and sig.days not in self._days[
                alias.category]:
            return False  # "1 day first aid at work": the 3-day course is not a 1-day one
        if sig.document == alias.document:
            return True
        if not sig.words and sig.marks and sig.marks <= _CLASS_TOKENS:
            return True  # "Cat C" is "Cat C licence": a licence class names its category alone
        if not sig.document and len(alias.words.split()) >= _MIN_WORDS_WITHOUT_DOCUMENT:
            return True  # "SIA PSS CCTV": several words name it without "licence"
        return (marks, alias.words, alias.category) in self._standalone

    @lru_cache(maxsize=50_000)  # noqa: B019 - one long-lived index per process; bounded.
    def _read(self, text: str) -> tuple[str | None, str]:
        sig = _signature(text)
        if sig is None:
            return None, "not held"
        aliases = self._by_marks.get(sig.marks, [])
        same = [a for a in aliases if a.words == sig.words]
        if same:
            found, route = self._by_words(sig, same), "its words"
        elif len(sig.words) >= _MIN_FUZZY_LEN:  # shorter is too short to forgive typos
            found, route = self._by_typo(sig, aliases), "a typo"
        else:
            found, route = set(), ""
        if len(found) > 1:
            return None, "ambiguous"
        if found:
            return found.pop(), route
        covered = self._cover.name(sig.marks, sig.words)
        return (covered, "its names' words") if covered else (None, "unknown")

    def _by_words(self, sig: _Signature, same: list[_Alias]) -> set[str]:
        """Every category these exact words may name with this document: one is the answer;
        several are ambiguous unless exactly one was typed with this very document word."""
        fitting = {a.category for a in same if self._fits(sig, a, sig.marks)}
        if len(fitting) > 1 and sig.days:
            fitting = {c for c in fitting if sig.days in self._days.get(c, ())} or fitting
        if len(fitting) > 1:
            fitting = {a.category for a in same
                       if a.document == sig.document and self._fits(sig, a, sig.marks)}
        return fitting

    def _by_typo(self, sig: _Signature, aliases: list[_Alias]) -> set[str]:
        """The category whose alias is nearest in spelling; two near-equals are ambiguous."""
        best: dict[str, float] = {}
        typed = set(sig.words.split())
        for alias in aliases:
            if len(alias.words) < _MIN_FUZZY_LEN or not self._fits(sig, alias, sig.marks):
                continue
            score = fuzz.ratio(sig.words, alias.words, score_cutoff=_CUTOFF)
            if score and self._names_another(typed, alias):
                continue
            if score and score > best.get(alias.category, 0.0):
                best[alias.category] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < _AMBIGUITY_MARGIN:
            return {ranked[0][0], ranked[1][0]}
        return {ranked[0][0]} if ranked else set()

    def _names_another(self, typed: set[str], alias: _Alias) -> bool:
        """Is a typed word that ``alias`` lacks, alone, the name of another category or
        family? Then the phrase is no misspelling of this alias ("CPCS labourer" is not
        "CSCS labourer": CPCS is a scheme of its own)."""
        return any(alias.category not in self._names.get(w, {alias.category})
                   for w in typed.difference(alias.words.split()))

    def implied(self, category: str) -> list[str]:
        """The other categories a holder of ``category`` holds by law (C+E: C, C1, B)."""
        return sorted(self._closure(category) - {category})

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
            keys.update(self._keys_of(text))
        return frozenset(keys)

    @lru_cache(maxsize=100_000)  # noqa: B019 - one long-lived index per process; bounded.
    def _keys_of(self, text: str) -> frozenset[str]:
        # Certificates are typed the same way by many clients: resolve each wording once.
        if _signature(text) is None:
            return frozenset()  # "expired", "working towards": not held
        keys = {_text_key(text)}
        found = self._resolve(text)
        if found is not None and found.startswith("family:"):
            keys.add(found)
        elif found is not None:
            keys.update(f"cert:{c}" for c in self._closure(found))
        return frozenset(keys)

    def required_key(self, text: str) -> str:
        """The one key a client must hold to satisfy a required certification."""
        if _signature(text) is None:
            return f"certnone:{text}"  # "expired": no client holds it
        found = self._resolve(text)
        if found is None:
            return _text_key(text)
        return found if found.startswith("family:") else f"cert:{found}"


@cache
def default_certifications() -> CertificationIndex:
    data = load_uk_data()
    return CertificationIndex(data.get("certifications", []), data.get("families", {}))
