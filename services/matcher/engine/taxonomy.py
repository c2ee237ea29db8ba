"""Map a skill phrase to taxonomy ids: UK synonym groups and ESCO v1.1.1 skills.

Two phrases that share an id name the same skill even when no string metric could see it
("till operation" and "cash handling"). Lookup order: exact (normalised, word order ignored)
label/alias; the same on light stems ("operating tills" = "till operation"), both after
word-level typo correction against the taxonomy's vocabulary (cached per word, never a scan of
every label; a word the vocabulary holds, or a part of a compound the normaliser joins, is
never corrected); then the phrase with two typed words joined that are one vocabulary word
written apart ("house keeping", "bar tender"); then the one phrase a single
still-ambiguous word's correction makes known ("tabe service": "table", not "take"); then,
for the shipped taxonomy, the nearest UK group by meaning, when close and clearly nearest: first by
word vectors distilled from a sentence encoder (``word_vectors.py``: everyday English), then
by stem vectors learned from ESCO's synonym sets and hierarchy (``semantic.py``).
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
import os
import pickle
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from services.matcher.engine import (
    _lazy_resolver,
    _taxonomy_builder,
    _taxonomy_index,
    phrase_resolver,
    semantic,
    word_vectors,
)
from services.matcher.engine import normalise as normalise_module
from services.matcher.engine._taxonomy_index import (
    CONF_EXACT,
    CONF_STEM,
    CONF_TYPO,
    Resolved,
    Taxonomy,
    names_a_skill,
)
from services.matcher.engine.normalise import tokens
from services.matcher.engine.semantic import ARTEFACT_NAME, SemanticSpace, data_hash, load_space
from services.matcher.engine.word_vectors import ARTEFACT_NAME as WORDS_ARTEFACT
from services.matcher.engine.word_vectors import WordVectors, load_word_vectors

__all__ = [
    "CONF_EXACT",
    "CONF_STEM",
    "CONF_TYPO",
    "DATA_DIR",
    "Resolved",
    "Taxonomy",
    "build_taxonomy",
    "default_taxonomy",
    "load_uk_data",
    "names_a_skill",
    "phrase_key",
    "shipped_space",
    "shipped_word_vectors",
]

DATA_DIR = Path(__file__).parent / "data"


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


def shipped_word_vectors() -> WordVectors | None:
    """The shipped word vectors (``word_vectors.py``). Unlike the LSA space they are not fitted
    to the data: a word added since they were built only falls back to its stem or pieces
    (``scripts/build_word_vectors.py --check`` lists such words)."""
    return load_word_vectors(DATA_DIR / WORDS_ARTEFACT)


def _cache_path() -> Path:
    """Where the built taxonomy is kept between runs, named for everything it is built from:
    the data files and the code that builds it, so a change to either builds it again. That
    includes the modules whose thresholds the built resolvers keep (``WORDS_MIN``,
    ``SEMANTIC_MIN``...): a cached taxonomy must not answer with the old ones."""
    digest = hashlib.sha256()
    code = (_taxonomy_index, _taxonomy_builder, _lazy_resolver, normalise_module, semantic,
            phrase_resolver, word_vectors)
    for path in (*_data_paths(), Path(__file__), *(Path(m.__file__ or "") for m in code)):
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
                                  semantic=shipped_space,
                                  word_space=shipped_word_vectors)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(taxonomy, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return taxonomy
