"""Turn free text as typed (skills, roles, certifications) into comparable tokens.

Both sides of every comparison go through the same functions, so a rule here never makes two
phrases differ: it can only make them equal. Pure functions, cached because the same phrases
("customer service") recur across thousands of records.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

__all__ = [
    "ABBREVIATIONS",
    "COMPOUND_PARTS",
    "STOP_WORDS",
    "as_list",
    "finish",
    "normalise",
    "raw_words",
    "singular",
    "stem",
    "tokens",
]

# Abbreviations written with "&": expanded before "&" becomes "and", or "H&S" would read
# as the two letters "h and s".
_AMPERSAND_ABBREVIATIONS = {
    "h&s": "health and safety",
    "f&b": "food and beverage",
    "a&e": "accident and emergency",
    "r&d": "research and development",
    "p&l": "profit and loss",
    "m&e": "mechanical and electrical",
}
_AMPERSAND_RE = re.compile(r"\b([a-z])\s*&\s*([a-z])\b")

# Whole-token abbreviations common in Jobcentre free text. Only unambiguous ones: "pt"
# (part time / physiotherapy) or "eng" (engineer / English) stay as typed.
_ABBREVIATIONS = {
    "mgmt": "management",
    "mgt": "management",
    "mngmt": "management",
    "mgr": "manager",
    "admin": "administration",
    "administrator": "administration",
    "cust": "customer",
    "svc": "service",
    "svcs": "service",
    "serv": "service",
    "asst": "assistant",
    "ops": "operations",
    "kp": "kitchen porter",
    "o365": "microsoft 365",
    "m365": "microsoft 365",
    "office365": "microsoft 365",
    "ms": "microsoft",
    "lgv": "hgv",  # LGV and HGV name the same DVLA categories (C1, C, C+E) in UK usage.
    "flt": "forklift truck",
    "comms": "communication",
    "exp": "experience",
    "maint": "maintenance",
    "elec": "electrical",
    "wh": "warehouse",
    "whse": "warehouse",
    "xl": "excel",
}
ABBREVIATIONS: Mapping[str, str] = MappingProxyType(_ABBREVIATIONS)

# American -> British spellings seen in CVs; the regular "-ize" family is handled by a rule.
_SPELLINGS = {
    "color": "colour",
    "colors": "colours",
    "license": "licence",
    "licensed": "licenced",
    "labor": "labour",
    "center": "centre",
    "catalog": "catalogue",
    "analyze": "analyse",
    "analyzing": "analysing",
    "favor": "favour",
    "behavior": "behaviour",
    "honor": "honour",
    "neighbor": "neighbour",
    "theater": "theatre",
    "meter": "metre",
    "defense": "defence",
    "aluminum": "aluminium",
    "jewelry": "jewellery",
    "tire": "tyre",
    "curb": "kerb",
    "fulfillment": "fulfilment",
    "enrollment": "enrolment",
    "traveling": "travelling",
    "modeling": "modelling",
    "labeling": "labelling",
    "cozy": "cosy",
    "forklifts": "forklift",
}
# Words where "ize" is not the American spelling of "ise".
_IZE_EXCEPTIONS = frozenset({"size", "sized", "sizes", "prize", "prized", "prizes", "seize",
                             "seized", "capsize", "maize", "downsize", "resize", "resized"})
_IZE_RE = re.compile(r"(.{3,})iz(e|ed|es|ing|ation|ations|er|ers)$")

# Compounds typed with a space or a hyphen: joined so "fork-lift" equals "forklift".
_COMPOUNDS = {
    ("fork", "lift"): "forklift",
    ("e", "mail"): "email",
    ("hand", "over"): "handover",
    ("check", "out"): "checkout",
    ("health", "care"): "healthcare",
    ("child", "care"): "childcare",
    ("book", "keeping"): "bookkeeping",
    ("warehouse", "man"): "warehouse",
}
# The words a compound is typed in: real words whose taxonomy form is the joined one ("fork"
# of "fork lift"), so the spelling corrector must not take them for typos ("fork" -> "form").
COMPOUND_PARTS = frozenset(word for pair in _COMPOUNDS for word in pair)

STOP_WORDS = frozenset({
    "a", "an", "and", "the", "of", "in", "on", "at", "to", "for", "with", "or", "by", "as",
    "skill", "skills", "experience", "experienced", "knowledge", "ability", "able", "good",
    "excellent", "strong", "basic", "proven", "working", "work",
    # Filler after a skill: "KP duties", "cashier duties", "reception tasks".
    "duty", "task", "responsibility",
})
# Words that look plural but are not ("bus" is singular; "analysis" is too).
_NOT_PLURAL_SUFFIXES = ("ss", "us", "is", "ous", "ics")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[+#]+[a-z0-9]*)*")


# Acronyms and words that end in "s" without being plurals: "CPCS" must not become "CPC"
# (a different card).
_NOT_PLURAL = frozenset({"cpcs", "cscs", "npors", "smsts", "sssts", "gps", "cms", "ems", "sos",
                         "gas", "bus", "lens", "news", "series", "species", "always", "nhs",
                         "dvsa", "hmrc", "dwp", "ppe", "pos", "epos", "iosh", "haccp",
                         "dbs", "edbs", "crbs", "goods", "adls", "sats", "mars"})


def singular(word: str) -> str:
    """A crude singular that only has to be consistent: it runs on both sides."""
    if len(word) <= 3 or word[-1] != "s" or word in _NOT_PLURAL or any(c.isdigit() for c in word):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith(_NOT_PLURAL_SUFFIXES):
        return word
    return word[:-1]


# Suffixes a light stemmer strips so "till operation", "operating a till" and "till operator"
# meet ("oper"), as do "packing"/"packer"/"packed". Longest first; the stem keeps >= 3 letters.
_SUFFIXES = ("ational", "ation", "ition", "ating", "ator", "ated", "ment", "ings", "ing", "ers",
             "ate", "ion", "er", "ed")
_UNDOUBLE = frozenset("bdgmnprt")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A crude, consistent stem of a normalised token (both sides go through it)."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and (
        word[-1] in _UNDOUBLE or (word[-1] == "l" and len(word) > 5)
    ):
        word = word[:-1]
    return word


def _spell(word: str) -> str:
    word = _SPELLINGS.get(word, word)
    if word not in _IZE_EXCEPTIONS:
        match = _IZE_RE.fullmatch(word)
        if match:
            return f"{match.group(1)}is{match.group(2)}"
    return word


def _join_compounds(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = (words[i], words[i + 1]) if i + 1 < len(words) else None
        if pair is not None and pair in _COMPOUNDS:
            out.append(_COMPOUNDS[pair])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def _expand_ampersand(match: re.Match[str]) -> str:
    key = f"{match.group(1)}&{match.group(2)}"
    return f" {_AMPERSAND_ABBREVIATIONS.get(key, match.group(1) + ' and ' + match.group(2))} "


@lru_cache(maxsize=200_000)
def raw_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as typed, before plurals, compounds and stop words: lower case,
    Unicode compatibility forms folded, "&" abbreviations expanded, other punctuation dropped
    (except ``+``/``#`` inside a token: "C++", "C+E", "C#"), British spelling, known
    abbreviations expanded. A spelling corrector works on these ("boxse" is a typo of
    "boxes", which only becomes "box" later); ``finish`` turns them into ``tokens``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _AMPERSAND_RE.sub(_expand_ampersand, text)
    text = text.replace("&", " and ")
    words: list[str] = []
    for raw in _TOKEN_RE.findall(text):
        expanded = _ABBREVIATIONS.get(raw, raw)
        words.extend(_spell(word) for word in expanded.split())
    return tuple(words)


@lru_cache(maxsize=200_000)
def finish(words: tuple[str, ...], *, drop_stop_words: bool = True) -> tuple[str, ...]:
    """``raw_words`` made into ``tokens``: plurals made singular, compounds joined and (with
    ``drop_stop_words``) stop words dropped."""
    out = _join_compounds([singular(w) for w in words])
    if drop_stop_words:
        kept = [w for w in out if w not in STOP_WORDS]
        # A phrase made only of stop words ("basic") keeps them rather than vanish.
        out = kept or out
    return tuple(out)


@lru_cache(maxsize=200_000)
def tokens(text: str, *, drop_stop_words: bool = True) -> tuple[str, ...]:
    """Normalised tokens of ``text``, in their original order: ``raw_words`` (case, Unicode,
    punctuation, "&", British spelling, abbreviations), then ``finish`` (plurals made
    singular, compounds joined, stop words dropped)."""
    return finish(raw_words(text), drop_stop_words=drop_stop_words)


@lru_cache(maxsize=200_000)
def normalise(text: str) -> str:
    """The normalised phrase: tokens joined by single spaces."""
    return " ".join(tokens(text))


def as_list(value: Any) -> list[str]:
    """A data file's field that may be absent, one string or a list, as a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]
