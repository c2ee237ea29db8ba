"""What a certification phrase says, read strictly: its *marks* (classes, levels, numbers),
its content words, its document words ("card", "licence") and any course length, with
validity notes ("in date until 2027") stripped first (``strip_notes``).

``certifications.CertificationIndex`` compares phrases by these signatures; the rules they
serve are in the ``certifications`` module docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from services.matcher.engine.normalise import tokens

__all__ = ["cert_signature", "strip_notes"]

# DVLA entitlements and other licence classes: single letters and letter+digit codes.
_CLASS_TOKENS = frozenset({
    "a", "a1", "a2", "am", "b", "be", "b1", "c", "c1", "ce", "c1e", "d", "d1", "de", "d1e",
    "f", "g", "h", "k", "l", "p", "q",
})
# Words that name the kind of document, not which one it is. They are interchangeable only
# where the rest of the phrase names a category by itself ("IPAF card" = "IPAF"); where it
# does not ("drivers licence" without "licence" is just "driver"), they must agree, so
# "driver qualification card" or "driver card" never collapses into a car licence.
_CARDS = frozenset({
    "licence", "licenced", "card", "certificate", "cert", "certification", "certified",
    "qualification", "qualified", "ticket", "badge", "award", "photocard", "disclosure",
})
# Evidence of a course rather than a card: "COSHH training" is the COSHH category.
_EVIDENCE = frozenset({"training", "trained", "course", "checked", "refresher"})
# Words that say nothing about which certification it is, nor what kind of document.
_SOFT = frozenset({
    "holder", "full", "uk", "valid", "current", "category", "cat", "class", "level", "truck",
    "operator", "and", "with", "of", "the", "in", "for", "to", "check", "+", "lvl", "held",
    # that it was earned: "completed care certificate", "passed CITB test"
    "completed", "achieved", "passed", "gained", "attained", "awarded",
    # awarding and accrediting bodies: they say who issued it, not which category it is
    "cieh", "rsph", "highfield", "qa", "ukata", "rqf", "qcf", "rtitb", "itssar", "aitt",
})
_DOCUMENT = _CARDS | _EVIDENCE
_NOISE = _DOCUMENT | _SOFT
# "trained" is left out: "trainee" is a word of its own, not a misspelt "trained".
_TYPO_TARGETS = tuple(sorted(_CARDS | _SOFT | {"training", "refresher"}))
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
    # the same vehicles (the data's own aliases use all three alike: "rigid lorry licence",
    # "LGV C+E", "HGV Class 2"), so "class 2 lorry licence" is HGV class 2
    "lorry": ("hgv",),
    "lgv": ("hgv",),
    # one word each for what the data's aliases name several ways
    "motorbike": ("motorcycle",),
    "bike": ("motorcycle",),
    "mathematics": ("maths",),
    "math": ("maths",),
    "numeracy": ("maths",),
    "literacy": ("english",),
    "bus": ("pcv",),  # "minibus" is a word of its own (D1)
    "coach": ("pcv",),
    # abbreviations the data's aliases spell out too ("HSC level 3", "FS maths L2")
    "hsc": ("health", "social", "care"),
    "fs": ("functional", "skills"),
    "keyholder": ("key", "holding"),
    "keyholding": ("key", "holding"),
    "ton": ("tonne",),
}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_PREFIXED_NUMBER_RE = re.compile(r"^(level|lvl|lv|l|class|hgv|lgv|nvq|cat|category)(\d+)$")
_LEVEL_PREFIXES = {"l": "level", "lv": "level", "lvl": "level"}
_PLUS_E_RE = re.compile(r"^([bcd]1?)\+e$")
_WEIGHT_RE = re.compile(r"^(\d+)t$")

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
# "e.g." and "i.e." in a name ("IPAF category 1b (static boom, e.g. trailer-mounted)") are
# not words of it, and their letters would read as DVLA classes ("g" is road rollers): the
# label would then carry a mark no phrase of the category gives.
_LATIN_RE = re.compile(r"\b(?:e\.\s?g|i\.\s?e)\.", re.IGNORECASE)


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
        for word in _TYPO_TARGETS:
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
    cleaned = _LATIN_RE.sub(" ", cleaned)
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
        weight = _WEIGHT_RE.fullmatch(tok)
        if weight:  # "7.5t" is "7.5 tonne"
            expanded.extend([weight.group(1), "tonne"])
            continue
        expanded.extend(_CERT_ABBREVIATIONS.get(tok, (tok,)))
    marks = frozenset(t for t in expanded if t in _CLASS_TOKENS or any(c.isdigit() for c in t))
    noise = {t: _noise_word(t) for t in expanded if t not in marks}
    words = [t for t in expanded if t not in marks and noise[t] is None]
    document = frozenset(n for n in noise.values() if n is not None and n in _DOCUMENT)
    if not words and not marks:
        words = [t for t in expanded if t not in marks]  # "full licence": keep what there is
        document = frozenset()
    elif not words and {"level", "lvl"} & set(expanded):
        # "level 2" alone says how high, not what in: it must never read as "class 2"
        words = ["level"]
    return _Signature(marks, " ".join(sorted(words)), document, days)


def cert_signature(text: str) -> tuple[frozenset[str], str]:
    """(marks, sorted words) of a certification phrase."""
    sig = _signature(text)
    return (frozenset(), "") if sig is None else (sig.marks, sig.words)


def _text_key(text: str) -> str:
    marks, words = cert_signature(text)
    return "certtxt:" + " ".join(sorted([*marks, *words.split()]))
