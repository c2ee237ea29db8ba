"""Word meaning learned from the taxonomy itself, to resolve skill phrases nothing else can.

ESCO groups ~95,000 labels into 13,412 skills (each a set of synonyms) under a hierarchy of
skill groups, and the UK groups add the phrasings people type here. Words that name the same
skill, or sibling skills, are related: "post" and "mail", "drops" and "deliveries". That is
latent semantic analysis (LSA): a TF-IDF matrix of documents x terms, one document per ESCO
skill (all its labels), per UK group (its label, aliases and linked ESCO labels) and per ESCO
skill group (its members' preferred labels), with terms the light stems of words and adjacent
stem pairs; ``TruncatedSVD`` of that matrix gives every stem a dense vector.

A phrase's vector is the IDF-weighted sum of its stems' vectors (a stem never seen takes the
vector of the known stem closest in spelling, when close enough). A phrase the taxonomy cannot
otherwise name resolves to the UK group with the most similar phrase (cosine) only when it is
both close enough (``SEMANTIC_MIN``) and clearly closer than any other group
(``SEMANTIC_MARGIN``): an ambiguous phrase stays unresolved (``phrase_resolver.py`` does the
resolving, for this space and the word vectors alike). Certifications never go through here;
they stay strict categories (``certifications.py``).

Fitting takes a few seconds, so ``scripts/build_semantic_index.py`` fits once and ships the
stem vectors (``data/semantic_index.npz``) with a hash of the data they came from; the shipped
taxonomy loads them lazily, on the first phrase that needs them, and only when the hash
matches the data files.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from services.matcher.engine.normalise import as_list, stem, tokens

__all__ = [
    "ARTEFACT_NAME",
    "SEMANTIC_CONF",
    "SEMANTIC_MARGIN",
    "SEMANTIC_MIN",
    "SemanticSpace",
    "data_hash",
    "fit_space",
    "load_space",
    "phrase_terms",
    "save_space",
]

ARTEFACT_NAME = "semantic_index.npz"
# Fit settings (changing any means rebuilding the artefact).
N_COMPONENTS = 160
RANDOM_STATE = 0
_UK_REPEAT = 3  # a UK group's document counts as this many ESCO skills' worth of evidence
_PARENT_WEIGHT = 0.5  # skill-group documents: siblings are related, less than synonyms
_SIGMA_POWER = 0.5  # stem vectors = V * sigma**p: p<1 keeps minor dimensions audible
# Resolution: cosine to the nearest UK phrase at least SEMANTIC_MIN, and the nearest other
# group at least SEMANTIC_MARGIN behind. Calibrated by k-fold leave-out of the UK aliases
# (scripts/build_semantic_index.py --calibrate), never on evaluation phrasings.
SEMANTIC_MIN = 0.80
SEMANTIC_MARGIN = 0.12
# The confidence a semantic resolution carries: above the default skill-similarity bar
# (0.75) so it counts as cover, below every dictionary route (>= 0.9).
SEMANTIC_CONF = 0.8
# An unknown stem borrows the vector of the known stem nearest in spelling at this ratio.
_OOV_MIN_RATIO = 85.0
_MIN_OOV_LEN = 5

FloatArray = npt.NDArray[np.float32]


def phrase_terms(words: Sequence[str]) -> list[str]:
    """The stems of normalised words (in order, repeats dropped)."""
    return list(dict.fromkeys(stem(w) for w in words))


def _doc_terms(phrase: str) -> list[str]:
    stems = [stem(w) for w in tokens(phrase)]
    return stems + [f"{a}_{b}" for a, b in pairwise(stems)]


def data_hash(*paths: Path) -> str:
    """sha256 over the bytes of the data files a space is fitted from."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class SemanticSpace:
    """Unit-length stem vectors and stem IDFs."""

    terms: tuple[str, ...]
    vectors: FloatArray  # (len(terms), dims), rows l2-normalised
    idf: FloatArray  # (len(terms),)
    source_hash: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})
        object.__setattr__(self, "_by_first", _by_first_letter(self.terms))

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def term_index(self, term: str) -> int | None:
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        found = index.get(term)
        if found is not None or len(term) < _MIN_OOV_LEN or not term.isalpha():
            return found
        return self._nearest_spelling(term)

    @lru_cache(maxsize=50_000)  # noqa: B019 - few long-lived instances; bounded.
    def _nearest_spelling(self, term: str) -> int | None:
        by_first: dict[str, list[str]] = self._by_first  # type: ignore[attr-defined]
        hit = process.extractOne(term, by_first.get(term[0], []), scorer=fuzz.ratio,
                                 score_cutoff=_OOV_MIN_RATIO)
        return None if hit is None else int(self._index[hit[0]])  # type: ignore[attr-defined]

    def phrase_vector(self, words: Sequence[str]) -> FloatArray | None:
        """IDF-weighted sum of the phrase's stem vectors, unit length (None: no known stem)."""
        rows: list[int] = []
        for term in phrase_terms(words):
            i = self.term_index(term)
            if i is not None:
                rows.append(i)
        if not rows:
            return None
        idx = np.array(rows, dtype=np.int64)
        vec = (self.idf[idx, None] * self.vectors[idx]).sum(axis=0)
        norm = float(np.linalg.norm(vec))
        return None if norm == 0.0 else (vec / norm).astype(np.float32)


def _by_first_letter(terms: Iterable[str]) -> dict[str, list[str]]:
    out: defaultdict[str, list[str]] = defaultdict(list)
    for t in terms:
        if t.isalpha() and len(t) >= _MIN_OOV_LEN - 1:
            out[t[0]].append(t)
    return dict(out)


def _documents(esco: Mapping[str, Any], uk: Mapping[str, Any]) -> list[tuple[Counter[str], float]]:
    """(term counts, weight) per document: ESCO skills, UK groups, ESCO skill groups."""
    skills: Mapping[str, Any] = esco.get("skills", {})
    docs: list[tuple[Counter[str], float]] = []
    labels_of: dict[str, list[str]] = {}
    members: defaultdict[str, list[str]] = defaultdict(list)
    for sid in sorted(skills):
        skill = skills[sid]
        labels = [str(skill.get("label", "")), *as_list(skill.get("alt"))]
        labels_of[sid] = labels
        docs.append((Counter(t for p in labels for t in _doc_terms(p)), 1.0))
        for parent in as_list(skill.get("parents")):
            members[parent].append(str(skill.get("label", "")))
    for group in uk.get("skills", []):
        phrases = [str(group.get("label", "")), *as_list(group.get("aliases"))]
        for eid in as_list(group.get("esco")):
            phrases += labels_of.get(eid, [])
        counts = Counter(t for p in phrases for t in _doc_terms(p))
        docs += [(counts, 1.0)] * _UK_REPEAT
    for parent in sorted(members):
        if len(members[parent]) > 1:
            docs.append((Counter(t for p in members[parent] for t in _doc_terms(p)),
                         _PARENT_WEIGHT))
    return docs


def fit_space(esco: Mapping[str, Any], uk: Mapping[str, Any], *,
              n_components: int = N_COMPONENTS, source_hash: str = "") -> SemanticSpace:
    """Fit stem vectors by TF-IDF + TruncatedSVD (deterministic: fixed solver and seed)."""
    from scipy.sparse import csr_matrix
    from sklearn.decomposition import TruncatedSVD

    docs = _documents(esco, uk)
    df: Counter[str] = Counter()
    for counts, _ in docs:
        df.update(counts.keys())
    # Adjacent stem pairs seen once say nothing about other documents.
    vocab = sorted(t for t, n in df.items() if "_" not in t or n >= 2)
    col = {t: i for i, t in enumerate(vocab)}
    n_docs = len(docs)
    idf = np.array([math.log((n_docs + 1) / (df[t] + 1)) + 1.0 for t in vocab])
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for counts, weight in docs:
        row = sorted((col[t], (1.0 + math.log(n)) * idf[col[t]])
                     for t, n in counts.items() if t in col)
        norm = math.sqrt(sum(v * v for _, v in row)) or 1.0
        indices += [i for i, _ in row]
        data += [weight * v / norm for _, v in row]
        indptr.append(len(indices))
    matrix = csr_matrix((np.array(data), np.array(indices), np.array(indptr)),
                        shape=(n_docs, len(vocab)))
    k = max(1, min(n_components, min(matrix.shape) - 1))
    svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=7,
                       random_state=RANDOM_STATE)
    svd.fit(matrix)
    term_vectors = svd.components_.T * (svd.singular_values_ ** _SIGMA_POWER)
    # Keep single stems only: phrases are composed from them.
    keep = [i for i, t in enumerate(vocab) if "_" not in t]
    vectors = term_vectors[keep]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    # Signs of SVD components are fixed by scikit-learn (svd_flip), so vectors are
    # reproducible for the same data and seed.
    return SemanticSpace(tuple(vocab[i] for i in keep), (vectors / norms).astype(np.float32),
                         idf[keep].astype(np.float32), source_hash)


def save_space(space: SemanticSpace, path: Path) -> None:
    with path.open("wb") as fh:
        np.savez_compressed(fh, terms=np.array(space.terms), vectors=space.vectors.astype(
            np.float16), idf=space.idf.astype(np.float16), source_hash=np.array(space.source_hash))


def load_space(path: Path) -> SemanticSpace | None:
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as npz:
        vectors = npz["vectors"].astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return SemanticSpace(tuple(str(t) for t in npz["terms"]), vectors / norms,
                             npz["idf"].astype(np.float32), str(npz["source_hash"]))
