"""Map a skill phrase to taxonomy ids: UK synonym groups and ESCO v1.1.1 skills.

Two phrases that share an id name the same skill even when no string metric could see it
("till operation" and "cash handling"). Lookup order: exact (normalised, word order ignored)
label/alias; the same on light stems ("operating tills" = "till operation"); the same after
word-level typo correction against the taxonomy's vocabulary (cached per word, never a scan of
every label); then the nearest UK phrase by IDF-weighted word overlap, when clearly nearest;
then, for the shipped taxonomy, the nearest UK group by meaning (``semantic.py``: stem vectors
learned from ESCO's synonym sets and hierarchy), when close and clearly nearest.
Every phrase also gets a ``txt:`` id of its own normalised text, so identical phrases outside
the taxonomy still match, and carries its IDF-weighted stems for word-overlap similarity.

The ESCO file is ~1 MB gzipped and ~96,000 labels: it is read lazily, once per process
(``default_taxonomy``), never at import time. ESCO's skill groups ("parents") are not used:
sharing a broad group ("selling") said too little and widened every candidate list.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import math
import os
import pickle
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from services.matcher.engine import normalise as normalise_module
from services.matcher.engine.normalise import stem, tokens
from services.matcher.engine.semantic import (
    ARTEFACT_NAME,
    SEMANTIC_CONF,
    SemanticResolver,
    SemanticSpace,
    data_hash,
    load_space,
)

__all__ = [
    "DATA_DIR",
    "Resolved",
    "Taxonomy",
    "build_taxonomy",
    "default_taxonomy",
    "load_uk_data",
    "phrase_key",
    "shipped_space",
]

DATA_DIR = Path(__file__).parent / "data"
# Typos are corrected word by word against the taxonomy's own vocabulary: one edit (optimal
# string alignment: a swapped pair of letters is one edit) in a word of 5+ letters. Shorter
# words are too close to other real words ("tils"/"tiles"/"tips") to guess.
_MIN_TYPO_LEN = 5
# A correction is taken only when its word is this much more common than the next candidate.
_TYPO_DOMINANCE = 3.0
# UK phrases count for more than ESCO's in the vocabulary: they are what people type here.
_UK_WEIGHT = 20
# ESCO labels start with a verb that typed skills usually leave out ("operate forklift").
_LEADING_VERBS = frozenset({"use", "operate", "perform", "apply", "carry", "undertake", "do"})
# Confidence of each way a phrase can meet a taxonomy entry.
CONF_EXACT = 1.0
CONF_STEM = 0.97
CONF_TYPO = 0.92
# Nearest UK phrase by IDF-weighted word overlap: taken when at least this similar, and a
# different skill group is at least _NEAREST_MARGIN behind.
_NEAREST_MIN = 0.8
_NEAREST_MARGIN = 0.15
_NEAREST_CONF = 0.9
_UNKNOWN_IDF = 2.0
_MAX_CONTEXT_CANDIDATES = 8


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


def _stem_key(words: Iterable[str]) -> str:
    return " ".join(sorted({stem(w) for w in words}))


@dataclass(frozen=True, slots=True)
class Resolved:
    """What the taxonomy knows of one phrase."""

    ids: tuple[tuple[str, float], ...]  # sorted (id, confidence); always a txt: id of its own
    stems: tuple[tuple[str, float], ...]  # sorted (stem, IDF weight) of its (corrected) words
    text: str  # normalised, typos corrected

    @property
    def known(self) -> bool:
        """Named by the taxonomy outright (exact, stems or a typo), not only by nearness."""
        return any(conf >= CONF_TYPO and not tid.startswith("txt:") for tid, conf in self.ids)


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
        cert_aliases = {str(c["id"]): [str(c.get("label", "")), *_as_list(c.get("aliases"))]
                        for c in uk.get("certifications", [])}
        for group in uk.get("skills", []):
            gid = f"uk:{group['id']}"
            labels[gid] = str(group.get("label", group["id"]))
            linked = [f"esco:{e}" for e in _as_list(group.get("esco"))]
            for e in linked:
                self.esco_to_uk[e].add(gid)
            phrases = [group.get("label", ""), *_as_list(group.get("aliases"))]
            # Certifications that name the skill too ("COSHH" is a course and a skill).
            for cid in _as_list(group.get("certifications")):
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
            for phrase in [skill.get("label", ""), *_as_list(skill.get("alt"))]:
                words = tokens(phrase)
                if not words:
                    continue
                self._phrase(words, ids, 1)
                if len(words) > 1 and words[0] in _LEADING_VERBS:
                    self.exact[" ".join(sorted(words[1:]))].update(ids)
                    self.stemmed[_stem_key(words[1:])].update(ids)


class Taxonomy:
    """An immutable phrase -> ids index. Build with ``from_data``; share one per process."""

    def __init__(self) -> None:
        self._exact: dict[str, tuple[str, ...]] = {}
        self._stemmed: dict[str, tuple[str, ...]] = {}
        self._freq: dict[str, int] = {}
        self._by_length: dict[int, list[str]] = {}
        self._idf: dict[str, float] = {}
        self._default_idf = 1.0
        self._uk_aliases: list[tuple[dict[str, float], float, str]] = []
        self._uk_postings: dict[str, list[int]] = {}
        self._uk_phrases: list[tuple[tuple[str, ...], str]] = []
        self._space: Callable[[], SemanticSpace | None] | None = None
        self._resolver: SemanticResolver | None = None
        self.labels: dict[str, str] = {}

    @classmethod
    def from_data(cls, esco: Mapping[str, Any], uk: Mapping[str, Any], *,
                  semantic: SemanticSpace | Callable[[], SemanticSpace | None] | None = None,
                  ) -> Taxonomy:
        """``semantic``: stem vectors (or a loader called on first need) for resolving phrases
        by meaning; without it only the dictionary routes resolve."""
        tax = cls()
        if isinstance(semantic, SemanticSpace):
            space = semantic
            tax._space = lambda: space
        else:
            tax._space = semantic
        built = _Builder()
        built.add_uk(uk, tax.labels)
        built.add_esco(esco, tax.labels)
        tax._exact = {k: tuple(sorted(v)) for k, v in built.exact.items()}
        tax._stemmed = {k: tuple(sorted(v)) for k, v in built.stemmed.items()}
        tax._freq = dict(built.freq)
        by_length: defaultdict[int, list[str]] = defaultdict(list)
        for word in sorted(built.freq):
            if word.isalpha() and len(word) >= _MIN_TYPO_LEN - 1:
                by_length[len(word)].append(word)
        tax._by_length = dict(by_length)
        n = built.n_phrases
        tax._idf = {w: math.log((n + 1) / (df + 1)) + 1.0 for w, df in built.df.items()}
        # A word the taxonomy never saw is mostly a typo or a name: weigh it as a common word,
        # or one slip would outweigh the words that say what the skill is.
        tax._default_idf = _UNKNOWN_IDF
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for words, gid in built.uk_phrases:
            weights = tax._weights(words)
            for s in weights:
                postings[s].append(len(tax._uk_aliases))
            tax._uk_aliases.append((weights, sum(weights.values()), gid))
        tax._uk_postings = dict(postings)
        tax._uk_phrases = built.uk_phrases
        return tax

    # ---- words ----------------------------------------------------------------------------

    def idf(self, stem_: str) -> float:
        return self._idf.get(stem_, self._default_idf)

    def _weights(self, words: Iterable[str]) -> dict[str, float]:
        return {s: self.idf(s) for s in sorted({stem(w) for w in words})}

    @lru_cache(maxsize=100_000)  # noqa: B019 - one long-lived instance per process; bounded.
    def _candidates(self, word: str) -> tuple[tuple[str, int], ...]:
        """Known words one edit from an unknown ``word``, most common first."""
        if word in self._freq or len(word) < _MIN_TYPO_LEN or not word.isalpha():
            return ()
        counts: dict[str, int] = {}
        for n in (len(word) - 1, len(word), len(word) + 1):
            choices = self._by_length.get(n)
            if not choices:
                continue
            for hit, _, _ in process.extract(word, choices, scorer=OSA.distance,
                                             score_cutoff=1, limit=None):
                if hit[0] == word[0]:  # people rarely miss the first letter
                    counts[str(hit)] = self._freq[str(hit)]
        return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def correct(self, word: str) -> str:
        """``word``, or the known word it is a one-edit typo of (when clearly the one meant)."""
        ranked = self._candidates(word)
        if not ranked or (len(ranked) > 1 and ranked[0][1] < _TYPO_DOMINANCE * ranked[1][1]):
            return word  # unknown, or two plausible words: do not guess
        return ranked[0][0]

    def _in_context(self, words: tuple[str, ...]) -> tuple[str, ...] | None:
        """The ids of the one phrase a single-word correction makes known ("tpping trailers":
        "tipping", not the commoner "topping"), or None when none or several do."""
        found: set[tuple[str, ...]] = set()
        for i, word in enumerate(words):
            for candidate, _ in self._candidates(word)[:_MAX_CONTEXT_CANDIDATES]:
                fixed = (*words[:i], candidate, *words[i + 1:])
                ids = self._exact.get(" ".join(sorted(fixed))) or self._stemmed.get(
                    _stem_key(fixed))
                if ids:
                    found.add(ids)
        return found.pop() if len(found) == 1 else None

    # ---- phrases --------------------------------------------------------------------------

    def resolve(self, phrase: str) -> dict[str, float]:
        """Ids a phrase names, with a confidence in 0..1 for each."""
        return dict(self.lookup(phrase).ids)

    def lookup(self, phrase: str) -> Resolved:
        return self._lookup(tuple(tokens(phrase)))

    @lru_cache(maxsize=200_000)  # noqa: B019 - one long-lived instance per process; bounded.
    def _lookup(self, words: tuple[str, ...]) -> Resolved:
        if not words:
            return Resolved((), (), "")
        key = " ".join(sorted(words))
        found: dict[str, float] = {f"txt:{key}": 1.0}
        corrected = tuple(self.correct(w) for w in words)
        ids, confidence = self._exact.get(key), CONF_EXACT
        if ids is None:
            ids, confidence = self._stemmed.get(_stem_key(words)), CONF_STEM
        if ids is None and corrected != words:
            ids = (self._exact.get(" ".join(sorted(corrected)))
                   or self._stemmed.get(_stem_key(corrected)))
            confidence = CONF_TYPO
        if ids is None and len(words) > 1:
            ids, confidence = self._in_context(words), CONF_TYPO
        if ids is None:
            ids, confidence = self._nearest(corrected)
        if ids is None:
            ids, confidence = self._by_meaning(corrected)
        for tid in ids or ():
            found[tid] = max(found.get(tid, 0.0), confidence)
        weights = self._weights(corrected)
        return Resolved(tuple(sorted(found.items())), tuple(weights.items()),
                        " ".join(corrected))

    def _nearest(self, words: tuple[str, ...]) -> tuple[tuple[str, ...] | None, float]:
        """The UK group whose phrase is nearest by IDF-weighted Dice over stems, when it is
        near enough and clearly nearer than any other group."""
        weights = self._weights(words)
        total = sum(weights.values())
        best: dict[str, float] = {}
        seen: set[int] = set()
        for s in weights:
            for i in self._uk_postings.get(s, ()):
                if i in seen:
                    continue
                seen.add(i)
                alias, alias_total, gid = self._uk_aliases[i]
                common = sum(w for t, w in weights.items() if t in alias)
                dice = 2 * common / (total + alias_total)
                if dice > best.get(gid, 0.0):
                    best[gid] = dice
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked or ranked[0][1] < _NEAREST_MIN:
            return None, 0.0
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < _NEAREST_MARGIN:
            return None, 0.0
        return (ranked[0][0],), _NEAREST_CONF * ranked[0][1]

    def semantic_resolver(self) -> SemanticResolver | None:
        """The resolver by meaning (built on first need), or None without stem vectors."""
        if self._resolver is None and self._space is not None:
            space = self._space()
            self._space = None  # load (or fail to load) once
            if space is not None:
                self._resolver = SemanticResolver(space, self._uk_phrases)
        return self._resolver

    def _by_meaning(self, words: tuple[str, ...]) -> tuple[tuple[str, ...] | None, float]:
        resolver = self.semantic_resolver()
        found = None if resolver is None else resolver.resolve(words)
        return (None, 0.0) if found is None else ((found,), SEMANTIC_CONF)

    def __len__(self) -> int:
        return len(self._exact)


def build_taxonomy(phrases: Iterable[tuple[str, Iterable[str]]]) -> Taxonomy:
    """A small taxonomy from (id, phrases) pairs: handy for tests and tools."""
    groups = []
    for gid, group_phrases in phrases:
        listed = list(group_phrases)
        groups.append({"id": gid, "label": listed[0] if listed else gid, "aliases": listed})
    return Taxonomy.from_data({"skills": {}}, {"skills": groups})


def _data_paths() -> tuple[Path, Path]:
    return DATA_DIR / "esco_skills.json.gz", DATA_DIR / "uk_skills.json"


def shipped_space() -> SemanticSpace | None:
    """The shipped stem vectors, when built from the shipped data (same hash), else None:
    stale vectors would place phrases by words the data no longer has."""
    space = load_space(DATA_DIR / ARTEFACT_NAME)
    if space is None or space.source_hash != data_hash(*_data_paths()):
        return None
    return space


def _cache_path() -> Path:
    """Where the built taxonomy is kept between runs, named for everything it is built from:
    the data files and the code that builds it, so a change to either builds it again."""
    digest = hashlib.sha256()
    for path in (*_data_paths(), Path(__file__), Path(normalise_module.__file__ or "")):
        digest.update(path.read_bytes())
    root = Path(os.environ.get("JOBMATCH_CACHE_DIR", Path.home() / ".cache" / "jobmatch"))
    return root / f"taxonomy-{digest.hexdigest()[:20]}.pickle"


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded on first use and kept for the life of the process.

    Building it from the data takes about 3 s; the built index is cached on disk (our own
    file, written only by this function) and loads in well under a second.
    """
    path = _cache_path()
    try:
        with path.open("rb") as fh:
            cached = pickle.load(fh)  # noqa: S301 - our own cache file, keyed by content hash
        if isinstance(cached, Taxonomy):
            return cached
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    esco_path, uk_path = _data_paths()
    taxonomy = Taxonomy.from_data(_load_esco(esco_path), load_uk_data(uk_path),
                                  semantic=shipped_space)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(taxonomy, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return taxonomy
