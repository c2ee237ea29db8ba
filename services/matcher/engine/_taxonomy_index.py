"""The ``Taxonomy`` index: phrase -> ids with a confidence, in the lookup order the
``taxonomy`` module describes (exact, stems, typo correction, meaning).

Import it from ``taxonomy``, which loads the shipped data and caches the built index on disk
under a hash that covers this file (``taxonomy._cache_path``): a change here rebuilds it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from services.matcher.engine._lazy_resolver import LazyResolver
from services.matcher.engine._taxonomy_builder import (
    _MIN_TYPO_LEN,
    _TWO_EDITS_LEN,
    _Builder,
    _stem_key,
    _typo_targets,
)
from services.matcher.engine.normalise import (
    COMPOUND_PARTS,
    STOP_WORDS,
    finish,
    raw_words,
    singular,
    stem,
)
from services.matcher.engine.phrase_resolver import SemanticResolver
from services.matcher.engine.semantic import SEMANTIC_CONF, SemanticSpace
from services.matcher.engine.word_vectors import (
    NEAR_MIN,
    NEAR_TOP,
    NEAR_Z,
    WORDS_MARGIN,
    WORDS_MIN,
    WordVectors,
)

__all__ = ["CONF_EXACT", "CONF_STEM", "CONF_TYPO", "Resolved", "Taxonomy", "names_a_skill"]

# A correction is taken only when its word is this much more common than the next candidate
# at the same distance (a nearer candidate always wins).
_TYPO_DOMINANCE = 3.0
# Confidence of each way a phrase can meet a taxonomy entry.
CONF_EXACT = 1.0
CONF_STEM = 0.97
CONF_TYPO = 0.92
_UNKNOWN_IDF = 2.0
_MAX_CONTEXT_CANDIDATES = 8


def names_a_skill(ids: Iterable[tuple[str, float]]) -> bool:
    """Some route of the taxonomy names a skill (an id other than the phrase's own ``txt:``)."""
    return any(not tid.startswith("txt:") for tid, _ in ids)


@dataclass(frozen=True, slots=True)
class Resolved:
    """What the taxonomy knows of one phrase."""

    ids: tuple[tuple[str, float], ...]  # sorted (id, confidence); always a txt: id of its own
    stems: tuple[tuple[str, float], ...]  # sorted (stem, IDF weight) of its (corrected) words
    text: str  # normalised, typos corrected

    @property
    def known(self) -> bool:
        """Named by the taxonomy outright (exact, stems or a typo), not only by meaning."""
        return any(conf >= CONF_TYPO and not tid.startswith("txt:") for tid, conf in self.ids)

    @property
    def named(self) -> bool:
        """Named by some route, meaning included."""
        return names_a_skill(self.ids)


class Taxonomy:
    """An immutable phrase -> ids index. Build with ``from_data``; share one per process."""

    def __init__(self) -> None:
        self._exact: dict[str, tuple[str, ...]] = {}
        self._stemmed: dict[str, tuple[str, ...]] = {}
        self._freq: dict[str, int] = {}
        # typo targets: (first letter, length) -> surface forms; surface form -> what it reads
        # as (a token, or an abbreviation's expansion); how common each of those is
        self._by_length: dict[tuple[str, int], list[str]] = {}
        self._surface: dict[str, str] = {}
        self._target_freq: dict[str, int] = {}
        self._idf: dict[str, float] = {}
        self._default_idf = 1.0
        self._uk_phrases: list[tuple[tuple[str, ...], str]] = []
        self._lsa = LazyResolver(None)
        self._by_words = LazyResolver(None)
        self.labels: dict[str, str] = {}

    @classmethod
    def from_data(cls, esco: Mapping[str, Any], uk: Mapping[str, Any], *,
                  semantic: SemanticSpace | Callable[[], SemanticSpace | None] | None = None,
                  word_space: WordVectors | Callable[[], WordVectors | None] | None = None,
                  ) -> Taxonomy:
        """``semantic``: LSA stem vectors, and ``word_space``: word vectors from a sentence
        encoder (each, or a loader called on first need), for resolving phrases by meaning;
        without them only the dictionary routes resolve."""
        tax = cls()
        tax._lsa = LazyResolver(semantic)
        tax._by_words = LazyResolver(word_space, min_similarity=WORDS_MIN, margin=WORDS_MARGIN)
        built = _Builder()
        built.add_uk(uk, tax.labels)
        built.add_esco(esco, tax.labels)
        tax._exact = {k: tuple(sorted(v)) for k, v in built.exact.items()}
        tax._stemmed = {k: tuple(sorted(v)) for k, v in built.stemmed.items()}
        tax._freq = dict(built.freq)
        tax._surface, tax._target_freq = _typo_targets(built.freq)
        by_length: defaultdict[tuple[str, int], list[str]] = defaultdict(list)
        for form in sorted(tax._surface):
            by_length[(form[0], len(form))].append(form)
        tax._by_length = dict(by_length)
        n = built.n_phrases
        tax._idf = {w: math.log((n + 1) / (df + 1)) + 1.0 for w, df in built.df.items()}
        # A word the taxonomy never saw is mostly a typo or a name: weigh it as a common word,
        # or one slip would outweigh the words that say what the skill is.
        tax._default_idf = _UNKNOWN_IDF
        tax._uk_phrases = built.uk_phrases
        return tax

    # ---- words ----------------------------------------------------------------------------

    def idf(self, stem_: str) -> float:
        return self._idf.get(stem_, self._default_idf)

    def _weights(self, words: Iterable[str]) -> dict[str, float]:
        return {s: self.idf(s) for s in sorted({stem(w) for w in words})}

    def _known(self, word: str) -> bool:
        """A word the vocabulary holds (as typed or made singular), a stop word, a part of a
        compound the vocabulary holds joined ("fork" of "fork lift"), or not a word at all:
        never corrected."""
        if (len(word) < _MIN_TYPO_LEN or not word.isalpha() or word in self._freq
                or word in COMPOUND_PARTS):
            return True
        one = singular(word)
        return one in self._freq or word in STOP_WORDS or one in STOP_WORDS

    @lru_cache(maxsize=100_000)  # noqa: B019 - one long-lived instance per process; bounded.
    def _candidates(self, word: str) -> tuple[tuple[str, int], ...]:
        """The known words (tokens) nearest an unknown typed ``word``, within its edit limit,
        most common first."""
        if self._known(word):
            return ()
        limit = 2 if len(word) >= _TWO_EDITS_LEN else 1
        nearest: dict[str, int] = {}
        for n in range(len(word) - limit, len(word) + limit + 1):
            # people rarely miss the first letter
            choices = self._by_length.get((word[0], n))
            if not choices:
                continue
            for hit, distance, _ in process.extract(word, choices, scorer=OSA.distance,
                                                    score_cutoff=limit, limit=None):
                target = self._surface[str(hit)]
                nearest[target] = min(int(distance), nearest.get(target, limit))
        if not nearest:
            return ()
        closest = min(nearest.values())
        ranked = [(t, self._target_freq[t]) for t, d in nearest.items() if d == closest]
        return tuple(sorted(ranked, key=lambda kv: (-kv[1], kv[0])))

    def correct(self, word: str) -> str:
        """``word``, or the known word it is a typo of (a token, or an abbreviation's
        expansion: "adimn" -> "administration"), when clearly the one meant: the most common
        candidate, by ``_TYPO_DOMINANCE`` over any other that would not read the same
        (candidates sharing a stem, "operation"/"operating", are not rivals)."""
        ranked = self._candidates(word)
        if not ranked:
            return word
        best, count = ranked[0]
        rivals = [n for t, n in ranked[1:] if stem(t) != stem(best)]
        if rivals and count < _TYPO_DOMINANCE * rivals[0]:
            return word  # two plausible words: do not guess
        return best

    def _named(self, words: tuple[str, ...]) -> tuple[str, ...] | None:
        """The ids a phrase's words name exactly or by their stems (word order ignored)."""
        return self._exact.get(" ".join(sorted(words))) or self._stemmed.get(_stem_key(words))

    def _in_context(self, raw: tuple[str, ...],
                    ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """(ids, corrected words) of the one phrase a single-word correction makes known
        ("tabe service": "table", not the commoner "take"), or None when none or several do.

        Each typed word's candidates are weighed, also those of a word ``correct`` changed
        to a commoner one ("tpping trailers": "tipping", though "typing" is commoner); the
        other words read as ``correct`` reads them."""
        found: dict[tuple[str, ...], tuple[str, ...]] = {}
        read = [self.correct(w).split() for w in raw]
        for i, word in enumerate(raw):
            before = [w for part in read[:i] for w in part]
            after = [w for part in read[i + 1:] for w in part]
            for candidate, _ in self._candidates(word)[:_MAX_CONTEXT_CANDIDATES]:
                fixed = finish((*before, *candidate.split(), *after))
                ids = self._named(fixed)
                if ids:
                    found.setdefault(ids, fixed)
        return found.popitem() if len(found) == 1 else None

    def _joined(self, raw: tuple[str, ...],
                ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """(ids, words) of the phrase when two typed words are one word of the vocabulary
        written apart ("house keeping", "time keeping", "tele sales") and the phrase with it
        joined is known; the first such pair, left to right."""
        for i in range(len(raw) - 1):
            one = raw[i] + raw[i + 1]
            if not one.isalpha() or (one not in self._freq and singular(one) not in self._freq):
                continue
            words = finish(tuple(part for w in (*raw[:i], one, *raw[i + 2:])
                                 for part in self.correct(w).split()))
            ids = self._named(words)
            if ids:
                return ids, words
        return None

    # ---- phrases --------------------------------------------------------------------------

    def resolve(self, phrase: str) -> dict[str, float]:
        """Ids a phrase names, with a confidence in 0..1 for each."""
        return dict(self.lookup(phrase).ids)

    def lookup(self, phrase: str) -> Resolved:
        return self._lookup(raw_words(phrase))

    @lru_cache(maxsize=200_000)  # noqa: B019 - one long-lived instance per process; bounded.
    def _lookup(self, raw: tuple[str, ...]) -> Resolved:
        typed = finish(raw)
        if not typed:
            return Resolved((), (), "")
        key = " ".join(sorted(typed))
        found: dict[str, float] = {f"txt:{key}": 1.0}
        fixed = tuple(part for w in raw for part in self.correct(w).split())
        words = finish(fixed) if fixed != raw else typed
        corrected = words != typed
        ids = self._exact.get(" ".join(sorted(words)))
        confidence = CONF_TYPO if corrected else CONF_EXACT
        if ids is None:
            ids = self._stemmed.get(_stem_key(words))
            confidence = CONF_TYPO if corrected else CONF_STEM
        if ids is None and corrected:  # an unknown word whose stem is known after all
            ids, confidence = self._stemmed.get(_stem_key(typed)), CONF_STEM
        if ids is None and len(raw) > 1:
            joined = self._joined(raw)
            if joined is not None:
                (ids, words), confidence = joined, CONF_STEM
        if ids is None and len(typed) > 1:
            in_context = self._in_context(raw)
            if in_context is not None:
                (ids, words), confidence = in_context, CONF_TYPO
        if ids is None:
            ids, confidence = self._by_meaning(words)
        for tid in ids or ():
            found[tid] = max(found.get(tid, 0.0), confidence)
        weights = self._weights(words)
        return Resolved(tuple(sorted(found.items())), tuple(weights.items()), " ".join(words))

    def semantic_resolver(self) -> SemanticResolver | None:
        """The resolver by LSA stem vectors, or None without them."""
        return self._lsa.get(self._uk_phrases)

    def word_resolver(self) -> SemanticResolver | None:
        """The resolver by word vectors, or None without them."""
        return self._by_words.get(self._uk_phrases)

    def near_group(self, text: str) -> str | None:
        """The UK group nearest a normalised phrase in meaning, for a weak reading that names
        nothing (``skill_phrases``), when both spaces agree: the nearest by word vectors
        (standing out, NEAR_MIN / NEAR_Z) that the LSA space puts among its NEAR_TOP
        nearest, else the nearest by LSA that the word vectors put among theirs. The two
        spaces learnt from different text, so they seldom share a mistake; each alone misses
        readings the other holds clearly ("hoist operation": 0.93 by LSA to moving and
        handling people, second by word vectors, behind machine operation)."""
        words, lsa = text.split(), self.semantic_resolver()
        by_words = self.word_resolver()
        if by_words is None or lsa is None:
            return None
        for first, second in ((by_words, lsa), (lsa, by_words)):
            group = first.nearest(words, min_similarity=NEAR_MIN, min_z=NEAR_Z)
            if group is not None and second.among_nearest(words, group, NEAR_TOP):
                return group
        return None

    def meaning(self, words: tuple[str, ...]) -> tuple[str, str] | None:
        """(UK group, which space) a phrase's words mean: by word vectors first (the broader
        knowledge of English), then by the taxonomy's own LSA space; calibrated in that
        order. None when neither places it clearly."""
        for route, resolver in (("word vectors", self.word_resolver()),
                                ("LSA", self.semantic_resolver())):
            found = None if resolver is None else resolver.resolve(words)
            if found is not None:
                return found, route
        return None

    def _by_meaning(self, words: tuple[str, ...]) -> tuple[tuple[str, ...] | None, float]:
        found = self.meaning(words)
        return (None, 0.0) if found is None else ((found[0],), SEMANTIC_CONF)

    def __len__(self) -> int:
        return len(self._exact)
