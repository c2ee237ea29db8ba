"""Hashed character n-gram vectors of a record's text, for the title fit (scoring.py).

The vectors scikit-learn's ``HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4))``
makes, l2-normalised; no fitting is needed, so a record's vector never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

__all__ = ["N_TEXT_FEATURES", "FloatArray", "IntArray", "TextVector", "text_vector"]

N_TEXT_FEATURES = 2**18

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TextVector:
    """An l2-normalised sparse vector: sorted hashed feature indices and their weights."""

    indices: IntArray
    values: FloatArray

    @property
    def nbytes(self) -> int:
        return int(self.indices.nbytes + self.values.nbytes)


# scikit-learn is imported on first use, not with this module: importing it (and SciPy) takes
# about a second, and a batch run can leave text vectors to a worker process (batch_features)
# so that its main process never pays for it.
@cache
def _analyser() -> Callable[[str], list[str]]:
    # The n-grams of scikit-learn's HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4)),
    # hashed below exactly as it does. Calling its transform() per record costs ~1 ms of
    # parameter validation; hashing here costs a tenth of that and gives the same vector
    # (tests/unit/engine/test_features.py checks).
    from sklearn.feature_extraction.text import HashingVectorizer

    analyse: Callable[[str], list[str]] = HashingVectorizer(
        analyzer="char_wb", ngram_range=(3, 4), lowercase=True
    ).build_analyzer()
    return analyse


@cache
def _hasher() -> Callable[[str], int]:
    from sklearn.utils import murmurhash3_32

    def murmur(gram: str) -> int:
        return int(murmurhash3_32(gram, seed=0))

    return murmur


@lru_cache(maxsize=1 << 20)  # n-grams recur across records; ~100 MB at the very most
def _gram_index(gram: str) -> int:
    return abs(_hasher()(gram)) % N_TEXT_FEATURES


@lru_cache(maxsize=1 << 18)
def _word_indices(word: str) -> IntArray:
    return np.array([_gram_index(g) for g in _analyser()(word)], dtype=np.int32)


def text_vector(text: str) -> TextVector:
    """l2-normalised counts of hashed character 3- and 4-grams (no fitting needed)."""
    # char_wb n-grams never cross a space, so a text's counts are the sum of its words'.
    # Counting by np.unique over the words' cached arrays is ~3x faster than a dict loop,
    # and gives the same sorted indices and the same counts.
    parts = [_word_indices(word) for word in text.lower().split()]
    grams = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    if grams.size == 0:
        return TextVector(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))
    indices, counts = np.unique(grams, return_counts=True)
    values = counts.astype(np.float64)
    values /= float(np.sqrt(np.dot(values, values)))
    return TextVector(indices.astype(np.int32, copy=False), values)
