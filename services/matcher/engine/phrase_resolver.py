"""The nearest UK skill group to a phrase in a vector space: the LSA space (``semantic.py``)
or the word vectors (``word_vectors.py``), whichever a resolver is built on.

A resolver holds one unit vector per UK phrase, its rows sorted by group. It ranks the groups
by their best cosine to a phrase (``ranked``) and resolves a phrase only when one group is
near enough and clearly nearer than any other (``resolve``); the weak reading of a phrase
nothing names asks instead for the nearest group however near the runner-up, when it stands
out from the phrase's cosines to all groups (``nearest``), and whether another space agrees
(``among_nearest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from services.matcher.engine.semantic import (
    SEMANTIC_MARGIN,
    SEMANTIC_MIN,
    FloatArray,
    phrase_terms,
)

__all__ = ["PhraseVectors", "SemanticResolver"]


@runtime_checkable
class PhraseVectors(Protocol):
    """What a resolver needs of a vector space: unit phrase vectors of a fixed width."""

    @property
    def dims(self) -> int: ...

    def phrase_vector(self, words: Sequence[str]) -> FloatArray | None: ...


class SemanticResolver:
    """Nearest UK group to a phrase, by cosine of phrase vectors, when clearly nearest."""

    def __init__(self, space: PhraseVectors, targets: Iterable[tuple[Sequence[str], str]], *,
                 min_similarity: float = SEMANTIC_MIN, margin: float = SEMANTIC_MARGIN) -> None:
        self.space = space
        self.min_similarity = min_similarity
        self.margin = margin
        vectors: list[FloatArray] = []
        groups: list[str] = []
        seen: set[tuple[tuple[str, ...], str]] = set()
        for words, gid in targets:
            key = (tuple(sorted(phrase_terms(words))), gid)
            if key in seen:
                continue
            seen.add(key)
            vec = space.phrase_vector(words)
            if vec is not None:
                vectors.append(vec)
                groups.append(gid)
        self._names = sorted(set(groups))
        self._index = {g: i for i, g in enumerate(self._names)}
        group_of = np.array([self._index[g] for g in groups], dtype=np.int64)
        # Rows sorted by group, so a group's best cosine is one reduceat over its run of rows
        # (with np.maximum.at over unsorted rows, ranking a phrase took twice as long).
        order = np.argsort(group_of, kind="stable")
        self._starts = np.flatnonzero(np.diff(group_of[order], prepend=-1))
        dims = space.dims
        self._matrix = (np.vstack(vectors)[order] if vectors
                        else np.zeros((0, dims), np.float32))

    def _best(self, words: Sequence[str]) -> npt.NDArray[np.float64] | None:
        """Per group (in ``_names`` order), the best cosine of the phrase to its phrases
        (read-only: shared by the calls that ask of the same phrase)."""
        return self._best_of(tuple(words))

    # A weak reading asks each space of one phrase up to twice (its nearest, and whether the
    # other's nearest is among its own), so the answers are kept for the phrases lately asked.
    @lru_cache(maxsize=4096)  # noqa: B019 - one long-lived instance per taxonomy; bounded.
    def _best_of(self, words: tuple[str, ...]) -> npt.NDArray[np.float64] | None:
        vec = self.space.phrase_vector(words)
        if vec is None or not len(self._names):
            return None
        best = np.maximum.reduceat(self._matrix @ vec, self._starts).astype(np.float64)
        best.flags.writeable = False
        return best

    def ranked(self, words: Sequence[str]) -> list[tuple[str, float]]:
        """(group, best cosine to any of its phrases), best first."""
        best = self._best(words)
        if best is None:
            return []
        order = np.lexsort((np.arange(len(best)), -best))
        return [(self._names[i], float(best[i])) for i in order]

    def nearest(self, words: Sequence[str], *, min_similarity: float,
                min_z: float) -> str | None:
        """The nearest group, however near the runner-up, when at least ``min_similarity``
        near and standing out from the phrase's cosines to every group by ``min_z`` standard
        deviations: generic words ("hard working", "initiative") are about as near to every
        group, so their nearest says nothing."""
        best = self._best(words)
        if best is None or len(best) < 2:
            return None
        top = int(np.argmax(best))  # the first of equals, as ``ranked`` orders them
        spread = float(best.std())
        if best[top] < min_similarity or spread <= 0.0:
            return None
        if (best[top] - float(best.mean())) / spread < min_z:
            return None
        return self._names[top]

    def among_nearest(self, words: Sequence[str], group: str, k: int) -> bool:
        """Is ``group`` among the phrase's ``k`` nearest groups (in ``ranked`` order)?"""
        best, i = self._best(words), self._index.get(group)
        if best is None or i is None:
            return False
        ahead = np.count_nonzero(best > best[i]) + np.count_nonzero(best[:i] == best[i])
        return int(ahead) < k

    def resolve(self, words: Sequence[str]) -> str | None:
        ranked = self.ranked(words)
        if not ranked or ranked[0][1] < self.min_similarity:
            return None
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < self.margin:
            return None
        return ranked[0][0]
