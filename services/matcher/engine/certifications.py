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
from rapidfuzz.distance import OSA

from services.matcher.engine.normalise import tokens
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

# DVLA entitlements and other licence classes: single letters and letter+digit codes.
_CLASS_TOKENS = frozenset({
    "a", "a1", "a2", "am", "b", "be", "b1", "c", "c1", "ce", "c1e", "d", "d1", "de", "d1e",
    "f", "g", "h", "k", "l", "p", "q",
})
# Words that name the kind of document, not which one it is. They are interchangeable only
# where the rest of the phrase names a category by itself ("IPAF card" = "IPAF"); where it
# does not ("drivers licence" without "licence" is just "driver"), they must agree, so
# "driver qualification card" or "driver card" never collapses into a car licence.
_DOCUMENT = frozenset({
    "licence", "licenced", "card", "certificate", "cert", "certification", "certified",
    "qualification", "qualified", "ticket", "badge", "award", "photocard", "disclosure",
})
# Words that say nothing about which certification it is, nor what kind of document.
_SOFT = frozenset({
    "holder", "full", "uk", "valid", "current", "category", "cat", "class", "level", "truck",
    "operator", "and", "with", "of", "the", "in", "for", "to", "check", "+", "lvl", "held",
})
_NOISE = _DOCUMENT | _SOFT
# Without any document word, a phrase of this many words may still name a category whose
# aliases all carry one ("SIA PSS CCTV"); a single word ("driver") may not.
_MIN_WORDS_WITHOUT_DOCUMENT = 2
# Typos of the noise words themselves ("certificte", "leevl") are still noise.
_NOISE_TYPO_MIN = 5
# Abbreviations only safe to expand inside a certification ("ds" is not a skill word).
_CERT_ABBREVIATIONS = {
    "ds": ("door", "supervisor"),
    "cp": ("close", "protection"),
    "cb": ("counterbalance",),
    "crb": ("dbs",),  # the CRB check was renamed DBS in 2012; the level still has to match.
    "edbs": ("enhanced", "dbs"),  # "eDBS", the usual short form of an enhanced DBS check
    "pss": ("public", "space", "surveillance"),
}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_PREFIXED_NUMBER_RE = re.compile(r"^(level|lvl|lv|l|class|hgv|lgv|nvq|cat|category)(\d+)$")
_LEVEL_PREFIXES = {"l": "level", "lv": "level", "lvl": "level"}
_PLUS_E_RE = re.compile(r"^([bcd]1?)\+e$")

# Notes people add after a certification: when it is valid to, that it is current, how long
# they have held it. They say nothing about which category it is, and their digits ("2027")
# must not be read as a level or class. A note that says the certification is NOT held
# (expired, being worked towards) makes the whole phrase name nothing.
_NOTE_WORDS = (r"in date|valid|current(?:ly)?|held|expires?|exp|renewed|issued|obtained|since|"
               r"until|till|to|from|full|clean|up to date|in-date|date")
_NOT_HELD_RE = re.compile(
    r"\b(expired|lapsed|out of date|working towards|in progress|pending|applied for|"
    r"booked|awaiting|not held|due to renew|needs renewing)\b", re.IGNORECASE)
_PAREN_NOTE_RE = re.compile(
    r"\((?:\s*(?:" + _NOTE_WORDS + r")\b[^()]*|\s*[\d/.\- ]+(?:yrs?|years?|months?)?\s*)\)",
    re.IGNORECASE)
_TRAILING_NOTE_RE = re.compile(
    r"(?:\s+[-–—:,]\s*|\s+)(?:" + _NOTE_WORDS + r")\b(?:\s+(?:until|till|to|since|for|"
    r"in|on|at))?(?:\s+[\w/.\-]*\d[\w/.\-]*(?:\s+(?:yrs?|years?|months?))?)?\s*$",
    re.IGNORECASE)
_DATE_TAIL_RE = re.compile(r"\s+[-–—:,]?\s*(?:19|20)\d\d\s*$")
_DAYS_RE = re.compile(r"\b(\d+|one|two|three|four|five)[\s-]*days?\b", re.IGNORECASE)

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


def strip_notes(text: str) -> str | None:
    """``text`` without validity notes; None when a note says it is not held."""
    if _NOT_HELD_RE.search(text):
        return None
    previous = None
    while previous != text:
        previous = text
        text = _PAREN_NOTE_RE.sub(" ", text).strip()
        text = _TRAILING_NOTE_RE.sub("", text).strip()
        text = _DATE_TAIL_RE.sub("", text).strip()
        text = re.sub(r"\s*[-–—:,]\s*$", "", text).strip()
    return text


@dataclass(frozen=True)
class _Signature:
    marks: frozenset[str]  # classes, levels, numbers: must be equal
    words: str  # sorted content words
    document: frozenset[str]  # document words ("card", "licence")
    days: str  # course length ("1" for "1 day first aid"), "" when not given


@lru_cache(maxsize=10_000)
def _noise_word(tok: str) -> str | None:
    if tok in _NOISE:
        return tok
    if len(tok) >= _NOISE_TYPO_MIN - 2 and tok.isalpha():
        # tok is singular already: "clsas" arrives as "clsa", so try it with its "s" back
        typed = (tok, tok + "s") if len(tok) >= _NOISE_TYPO_MIN - 1 else (tok + "s",)
        for word in sorted(_NOISE):
            if len(word) >= _NOISE_TYPO_MIN and word[0] == tok[0] and any(
                    OSA.distance(t, word, score_cutoff=1) <= 1
                    for t in typed if t == tok or word.endswith("s")):
                return word
    return None


@lru_cache(maxsize=50_000)
def _signature(text: str) -> _Signature | None:
    cleaned = strip_notes(text)
    if cleaned is None:
        return None
    days = ""
    found = _DAYS_RE.search(cleaned)
    if found:
        days = _NUMBER_WORDS.get(found.group(1).lower(), found.group(1))
        cleaned = cleaned[: found.start()] + " " + cleaned[found.end():]
    raw = list(tokens(cleaned, drop_stop_words=False))
    expanded: list[str] = []
    for typed in raw:
        tok = _NUMBER_WORDS.get(typed, typed)
        plus = _PLUS_E_RE.fullmatch(tok)
        if plus:
            tok = plus.group(1) + "e"
        prefixed = _PREFIXED_NUMBER_RE.fullmatch(tok)
        if prefixed:
            prefix = _LEVEL_PREFIXES.get(prefixed.group(1), prefixed.group(1))
            expanded.extend([prefix, prefixed.group(2)])
            continue
        if tok == "e" and expanded and expanded[-1] in {"b", "c", "c1", "d", "d1"}:
            expanded[-1] += "e"  # "Cat C + E" typed with spaces
            continue
        expanded.extend(_CERT_ABBREVIATIONS.get(tok, (tok,)))
    marks = frozenset(t for t in expanded if t in _CLASS_TOKENS or any(c.isdigit() for c in t))
    noise = {t: _noise_word(t) for t in expanded if t not in marks}
    words = [t for t in expanded if t not in marks and noise[t] is None]
    document = frozenset(n for n in noise.values() if n is not None and n in _DOCUMENT)
    if not words and not marks:
        words = [t for t in expanded if t not in marks]  # "full licence": keep what there is
        document = frozenset()
    return _Signature(marks, " ".join(sorted(words)), document, days)


def cert_signature(text: str) -> tuple[frozenset[str], str]:
    """(marks, sorted words) of a certification phrase."""
    sig = _signature(text)
    return (frozenset(), "") if sig is None else (sig.marks, sig.words)


def _text_key(text: str) -> str:
    marks, words = cert_signature(text)
    return "certtxt:" + " ".join(sorted([*marks, *words.split()]))


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
        for phrase, cid in named:
            sig = _signature(phrase)
            if sig is None:
                continue
            self._by_marks[sig.marks].append(_Alias(sig.words, cid, sig.document, sig.days))
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

    def _fits(self, sig: _Signature, alias: _Alias, marks: frozenset[str]) -> bool:
        """May ``alias`` name the phrase whose signature is ``sig`` (words already compared)?"""
        if sig.days and self._days.get(alias.category) and sig.days not in self._days[
                alias.category]:
            return False  # "1 day first aid at work": the 3-day course is not a 1-day one
        if sig.document == alias.document:
            return True
        if not sig.document and len(alias.words.split()) >= _MIN_WORDS_WITHOUT_DOCUMENT:
            return True  # "SIA PSS CCTV": several words name it without "licence"
        return (marks, alias.words, alias.category) in self._standalone

    @lru_cache(maxsize=50_000)  # noqa: B019 - one long-lived index per process; bounded.
    def _resolve(self, text: str) -> str | None:
        """A category id, ``family:<id>`` for a generic phrase, or None."""
        sig = _signature(text)
        if sig is None:
            return None
        aliases = self._by_marks.get(sig.marks, [])
        same = [a for a in aliases if a.words == sig.words]
        if same:
            # Every category these words may name: one is the answer; several are ambiguous
            # unless exactly one was typed with this very document word.
            fitting = {a.category for a in same if self._fits(sig, a, sig.marks)}
            if len(fitting) > 1 and sig.days:
                fitting = {c for c in fitting if sig.days in self._days.get(c, ())} or fitting
            if len(fitting) > 1:
                fitting = {a.category for a in same
                           if a.document == sig.document and self._fits(sig, a, sig.marks)}
            return fitting.pop() if len(fitting) == 1 else None
        if len(sig.words) < _MIN_FUZZY_LEN:
            return None  # too short to forgive typos
        best: dict[str, float] = {}
        for alias in aliases:
            if len(alias.words) < _MIN_FUZZY_LEN or not self._fits(sig, alias, sig.marks):
                continue
            score = fuzz.ratio(sig.words, alias.words, score_cutoff=_CUTOFF)
            if score and score > best.get(alias.category, 0.0):
                best[alias.category] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
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
