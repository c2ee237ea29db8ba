"""Building a ``Taxonomy``: the phrases, ids and word statistics collected from the UK and
ESCO data (``_Builder``), and what a typed word may be a typo of (``_typo_targets``).

The built index is cached on disk under a hash that covers this file
(``taxonomy._cache_path``): a change here rebuilds it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from services.matcher.engine.normalise import (
    ABBREVIATIONS,
    STOP_WORDS,
    as_list,
    singular,
    stem,
    tokens,
)

# Typos are corrected word by word, as typed (before plurals are made singular: "boxse" is a
# typo of "boxes", not of "box"), against the taxonomy's own vocabulary and the plurals of its
# words: one edit (optimal string alignment: a swapped pair of letters is one edit) in a word
# of 4+ letters, up to two in a word of 8+. Shorter words are too close to other real words
# to guess. A word the vocabulary holds is never corrected, however rare.
_MIN_TYPO_LEN = 4
_TWO_EDITS_LEN = 8
# UK phrases count for more than ESCO's in the vocabulary: they are what people type here.
_UK_WEIGHT = 20
# ESCO labels start with a verb that typed skills usually leave out ("operate forklift").
_LEADING_VERBS = frozenset({"use", "operate", "perform", "apply", "carry", "undertake", "do"})


def _typo_targets(freq: Mapping[str, int]) -> tuple[dict[str, str], dict[str, int]]:
    """What a typed word may be a typo of: {surface form: what it reads as} and {what it
    reads as: how common}. The vocabulary's words and their plurals ("boxse" is a typo of
    "boxes"), stop words of 5+ letters ("skils", "dtuies": dropped once corrected, as common
    as the commonest word) and abbreviations of 4+ letters ("adimn": "administration")."""
    surface: dict[str, str] = {}
    counts = {w: n for w, n in freq.items() if w.isalpha() and len(w) >= _MIN_TYPO_LEN - 1}
    top = max(counts.values(), default=1)
    for word in sorted(counts):
        surface[word] = word
    for word in sorted(counts):
        for plural in (word + "s", word + "es", word[:-1] + "ies"):
            if plural not in surface and singular(plural) == word:
                surface[plural] = word
    for word in sorted(STOP_WORDS):  # "good" is left out: "goos" is "goods"
        one = singular(word)
        forms = [word] if len(word) > _MIN_TYPO_LEN else []
        forms += [p for p in (one + "s", one[:-1] + "ies") if singular(p) == one]
        for form in forms:
            if len(form) > _MIN_TYPO_LEN and form not in surface:
                surface[form] = one
                counts[one] = max(counts.get(one, 0), top)
    for short, expansion in sorted(ABBREVIATIONS.items()):
        words = expansion.split()
        if short.isalpha() and len(short) >= _MIN_TYPO_LEN and short not in surface:
            surface[short] = expansion
            counts[expansion] = max((freq.get(singular(w), 1) for w in words), default=1)
    return surface, counts


def _stem_key(words: Iterable[str]) -> str:
    return " ".join(sorted({stem(w) for w in words}))


class _Builder:
    """Collects phrases, ids and word statistics while a ``Taxonomy`` is built."""

    def __init__(self) -> None:
        self.exact: defaultdict[str, set[str]] = defaultdict(set)
        self.stemmed: defaultdict[str, set[str]] = defaultdict(set)
        self.freq: Counter[str] = Counter()
        self.df: Counter[str] = Counter()
        self.n_phrases = 0
        self.esco_to_uk: defaultdict[str, set[str]] = defaultdict(set)
        self.uk_phrases: list[tuple[tuple[str, ...], str]] = []

    def _phrase(self, words: tuple[str, ...], ids: Iterable[str], weight: int) -> None:
        ids = list(ids)
        self.exact[" ".join(sorted(words))].update(ids)
        self.stemmed[_stem_key(words)].update(ids)
        for w in words:
            self.freq[w] += weight
        self.n_phrases += 1
        self.df.update({stem(w) for w in words})

    def add_uk(self, uk: Mapping[str, Any], labels: dict[str, str]) -> None:
        cert_aliases = {str(c["id"]): [str(c.get("label", "")), *as_list(c.get("aliases"))]
                        for c in uk.get("certifications", [])}
        for group in uk.get("skills", []):
            gid = f"uk:{group['id']}"
            labels[gid] = str(group.get("label", group["id"]))
            linked = [f"esco:{e}" for e in as_list(group.get("esco"))]
            for e in linked:
                self.esco_to_uk[e].add(gid)
            phrases = [group.get("label", ""), *as_list(group.get("aliases"))]
            # Certifications that name the skill too ("COSHH" is a course and a skill).
            for cid in as_list(group.get("certifications")):
                phrases += cert_aliases.get(cid, [])
            for phrase in phrases:
                words = tokens(phrase)
                if words:
                    self._phrase(words, [gid, *linked], _UK_WEIGHT)
                    self.uk_phrases.append((words, gid))

    def add_esco(self, esco: Mapping[str, Any], labels: dict[str, str]) -> None:
        for sid, skill in esco.get("skills", {}).items():
            eid = f"esco:{sid}"
            labels[eid] = str(skill.get("label", sid))
            ids = sorted({eid, *self.esco_to_uk.get(eid, ())})
            for phrase in [skill.get("label", ""), *as_list(skill.get("alt"))]:
                words = tokens(phrase)
                if not words:
                    continue
                self._phrase(words, ids, 1)
                if len(words) > 1 and words[0] in _LEADING_VERBS:
                    self.exact[" ".join(sorted(words[1:]))].update(ids)
                    self.stemmed[_stem_key(words[1:])].update(ids)
