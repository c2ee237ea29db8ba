"""Skill phrases as matching reads them: split where a typed item holds several skills, and
each resolved once (taxonomy ids, weighted stems, meaning) into a shared ``SkillFeature``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from services.matcher.engine.taxonomy import Taxonomy, names_a_skill

__all__ = ["NEAR_CONF", "Meaning", "SkillFeature", "phrase_skills", "split_skill"]

Meaning = npt.NDArray[np.float32]

# A weak reading (SkillFeature.near) counts just over the default skill bar (0.75), so the
# pair it confirms is covered, and below a reading by meaning (0.8) and every dictionary route.
NEAR_CONF = 0.76


@dataclass(frozen=True, slots=True)
class SkillFeature:
    """One skill phrase as typed, its taxonomy ids (with confidence) and its weighted stems."""

    text: str
    ids: tuple[tuple[str, float], ...]
    tokens: frozenset[str]  # stems of its words (typos corrected)
    weights: tuple[tuple[str, float], ...] = ()  # (stem, IDF weight), sorted
    norm: str = ""  # normalised text, typos corrected
    uk: frozenset[str] = frozenset()  # UK skill groups it names
    # Unit LSA vector of its stems (semantic.py), None when no stem is known: what lets a
    # phrase no dictionary names be compared with what a client typed.
    meaning: Meaning | None = field(default=None, compare=False, repr=False)
    # Its unit vector in the word vectors' space (word_vectors.py), the second space the same
    # comparison may use: it knows everyday words ESCO's LSA space never relates.
    word_meaning: Meaning | None = field(default=None, compare=False, repr=False)
    # The UK group nearest in meaning of a phrase nothing names, held in ``ids`` at NEAR_CONF:
    # a weak reading that names nothing and never sets it apart from another group.
    near: str = ""
    # The taxonomy names it (exactly, by stems, a typo or meaning); derived from
    # ``ids`` once, as scoring asks for every pair.
    named: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "named",
                           names_a_skill(item for item in self.ids if item[0] != self.near))

    @property
    def total(self) -> float:
        return sum(w for _, w in self.weights)


# Two skills typed in one box: "MS Office, inbound calls", "carrying heavy loads & prepping
# food". Split only where every part is a skill the taxonomy knows, and never a phrase the
# taxonomy knows whole ("loading/unloading", "hand and power tools", "Word and Excel"); at
# "&"/"and" the parts are the longest known spans, as skills have "and" inside them too
# ("washing and dressing & care plans").
_SPLIT_STRONG = re.compile(r"\s*[,;/|]\s*|\s+-\s+")
_SPLIT_WEAK = re.compile(r"\s*&\s*|\s+\+\s+|\s+and\s+", re.IGNORECASE)
_SPLIT_WEAK_KEEP = re.compile(f"({_SPLIT_WEAK.pattern})", re.IGNORECASE)


def _feature(phrase: str, taxonomy: Taxonomy) -> SkillFeature | None:
    found = taxonomy.lookup(phrase)
    if not found.ids:  # a phrase of punctuation only names nothing
        return None
    words = found.text.split()
    lsa, by_words = taxonomy.semantic_resolver(), taxonomy.word_resolver()
    uk = frozenset(tid for tid, _ in found.ids if tid.startswith("uk:"))
    near = "" if uk else taxonomy.near_group(found.text) or ""
    ids = tuple(sorted((*found.ids, (near, NEAR_CONF)))) if near else found.ids
    return SkillFeature(
        phrase, ids, frozenset(t for t, _ in found.stems), found.stems, found.text, uk,
        None if lsa is None else lsa.space.phrase_vector(words),
        None if by_words is None else by_words.space.phrase_vector(words),
        near=near,
    )


def _known_spans(part: str, taxonomy: Taxonomy) -> list[str] | None:
    """``part`` cut at "&", "+" and "and" into the longest spans the taxonomy knows, left to
    right ("moving & handling & MAR charts": "moving & handling", "MAR charts"), or None
    when it is one known skill, has no such joint, or some span is unknown."""
    pieces = _SPLIT_WEAK_KEEP.split(part)  # words, joint, words, joint, ...
    words, joints = pieces[0::2], pieces[1::2]
    if len(words) < 2 or taxonomy.lookup(part).known:
        return None
    spans: list[str] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            text = "".join(w + j for w, j in zip(words[start:end - 1], joints[start:end - 1],
                                                strict=True)) + words[end - 1]
            if taxonomy.lookup(text.strip()).known:
                spans.append(text.strip())
                start = end
                break
        else:
            return None
    return spans


def split_skill(phrase: str, taxonomy: Taxonomy, *, every_part_known: bool = True) -> list[str]:
    """The skills one typed item holds: itself, or its parts.

    A vacancy's item (``every_part_known``) is split only when each part is a skill the
    taxonomy knows, as each part becomes a requirement. A client's item
    (``every_part_known=False``, its whole kept beside the parts by ``phrase_skills``) is
    split at every joint whatever its parts are, the known spans kept together: two skills
    typed together read as neither, while each alone may still be read by meaning ("gods in &
    order pikcing"). A part that reads wrongly only adds a skill the pair must then confirm."""
    if taxonomy.lookup(phrase).known or not (
            _SPLIT_STRONG.search(phrase) or _SPLIT_WEAK.search(phrase)):
        return [phrase]
    parts: list[str] = []
    for part in (p.strip() for p in _SPLIT_STRONG.split(phrase)):
        if not part:
            continue
        spans = _known_spans(part, taxonomy)
        if spans is None and not every_part_known:
            spans = [w for w in (x.strip() for x in _SPLIT_WEAK.split(part)) if w]
        parts += spans if spans is not None else [part]
    if len(parts) < 2 or (every_part_known and not all(taxonomy.lookup(p).known
                                                         for p in parts)):
        return [phrase]
    return parts


def phrase_skills(phrases: list[str], taxonomy: Taxonomy, *,
            keep_whole: bool = False) -> tuple[SkillFeature, ...]:
    """Features of typed skills. A client's combined item keeps its whole text beside its
    parts (more evidence of what they can do); a vacancy's becomes its parts (each is
    required)."""
    out: list[SkillFeature] = []
    for phrase in phrases:
        out += _phrase_features(phrase, taxonomy, keep_whole)
    return tuple(out)


# Thousands of clients type the same few thousand phrases. One SkillFeature per phrase, shared
# by every record that types it, costs one look-up, holds one copy in memory, and pickles once
# per message (batch_features sends clients' features between processes).
@lru_cache(maxsize=200_000)
def _phrase_features(phrase: str, taxonomy: Taxonomy,
                     keep_whole: bool) -> tuple[SkillFeature, ...]:
    parts = split_skill(phrase, taxonomy, every_part_known=not keep_whole)
    if keep_whole and len(parts) > 1:
        parts = [phrase, *parts]
    return tuple(f for f in (_feature(part, taxonomy) for part in parts) if f is not None)
