"""Map a skill phrase to taxonomy ids: UK synonym groups and ESCO v1.1.1 skills.

Two phrases that share an id name the same skill even when no string metric could see it
("till operation" and "cash handling"). Lookup order: exact (normalised, word order ignored)
label/alias; the same on light stems ("operating tills" = "till operation"), both after
word-level typo correction against the taxonomy's vocabulary (cached per word, never a scan of
every label; a word the vocabulary holds is never corrected); then the one phrase a single
still-ambiguous word's correction makes known ("tabe service": "table", not "take"); then
the nearest UK phrase by IDF-weighted word overlap, when clearly nearest; then, for the
shipped taxonomy, the nearest UK group by meaning (``semantic.py``: stem vectors learned from
ESCO's synonym sets and hierarchy), when close and clearly nearest.
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
from services.matcher.engine.normalise import (
    ABBREVIATIONS,
    STOP_WORDS,
    finish,
    raw_words,
    singular,
    stem,
    tokens,
)
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
# Typos are corrected word by word, as typed (before plurals are made singular: "boxse" is a
# typo of "boxes", not of "box"), against the taxonomy's own vocabulary and the plurals of its
# words: one edit (optimal string alignment: a swapped pair of letters is one edit) in a word
# of 4+ letters, up to two in a word of 8+. Shorter words are too close to other real words
# to guess. A word the vocabulary holds is never corrected, however rare.
_MIN_TYPO_LEN = 4
_TWO_EDITS_LEN = 8
# A correction is taken only when its word is this much more common than the next candidate
# at the same distance (a nearer candidate always wins).
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
        # typo targets: (first letter, length) -> surface forms; surface form -> what it reads
        # as (a token, or an abbreviation's expansion); how common each of those is
        self._by_length: dict[tuple[str, int], list[str]] = {}
        self._surface: dict[str, str] = {}
        self._target_freq: dict[str, int] = {}
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

    def _known(self, word: str) -> bool:
        """A word the vocabulary holds (as typed or made singular), a stop word, or not a
        word at all: never corrected."""
        if len(word) < _MIN_TYPO_LEN or not word.isalpha() or word in self._freq:
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

    def _in_context(self, raw: tuple[str, ...],
                    ) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """(ids, corrected words) of the one phrase a single-word correction makes known
        ("tabe service": "table", not the commoner "take"), or None when none or several do."""
        found: dict[tuple[str, ...], tuple[str, ...]] = {}
        for i, word in enumerate(raw):
            for candidate, _ in self._candidates(word)[:_MAX_CONTEXT_CANDIDATES]:
                fixed = finish((*raw[:i], *candidate.split(), *raw[i + 1:]))
                ids = self._exact.get(" ".join(sorted(fixed))) or self._stemmed.get(
                    _stem_key(fixed))
                if ids:
                    found.setdefault(ids, fixed)
        return found.popitem() if len(found) == 1 else None

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
        if ids is None and len(typed) > 1:
            in_context = self._in_context(fixed)
            if in_context is not None:
                (ids, words), confidence = in_context, CONF_TYPO
        if ids is None:
            ids, confidence = self._nearest(words)
        if ids is None:
            ids, confidence = self._by_meaning(words)
        for tid in ids or ():
            found[tid] = max(found.get(tid, 0.0), confidence)
        weights = self._weights(words)
        return Resolved(tuple(sorted(found.items())), tuple(weights.items()), " ".join(words))

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
