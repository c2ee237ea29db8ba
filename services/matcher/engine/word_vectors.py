"""Word vectors distilled from a sentence encoder: what everyday words mean, for phrases the
taxonomy has never seen.

The LSA space (``semantic.py``) learns meaning from ESCO's own labels, so it only relates words
that ESCO relates. These vectors come from all-MiniLM-L6-v2 (sentence-transformers,
Apache-2.0), a small transformer trained on a billion sentence pairs of everyday English:
``scripts/build_word_vectors.py`` passes every word of the taxonomy and every word piece of the
model's vocabulary through it, alone, and keeps the 192 main directions of the results as
8-bit integers (``data/word_vectors.npz``). That is static distillation: a phrase's vector is the
mean of its words' vectors, which costs microseconds, where running the transformer on every
new phrase would cost milliseconds (the batch command's speed target could not afford it).

A word the table lacks takes the vector of a table word with the same light stem ("stacking"
-> "stack"), else the mean of its longest known pieces, as the model's own tokenizer would
split it ("forklifting" -> "forklift" + "##ing"), when they are few and one carries at least
half the word; a string of letter scraps ("xqzt") has no vector.

Calibrated like the LSA resolver, by leaving UK aliases out of the dictionary
(``scripts/build_semantic_index.py --calibrate``): it resolves more of them, and more
precisely; the taxonomy tries it before the LSA resolver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from services.matcher.engine.normalise import stem

__all__ = [
    "ARTEFACT_NAME",
    "NEAR_MIN",
    "NEAR_TOP",
    "NEAR_Z",
    "WORDS_MARGIN",
    "WORDS_MIN",
    "WordVectors",
    "load_word_vectors",
    "save_word_vectors",
    "word_pieces",
]

ARTEFACT_NAME = "word_vectors.npz"
# Resolution by these vectors: cosine to the nearest UK phrase at least WORDS_MIN, and the
# nearest other group at least WORDS_MARGIN behind. Chosen on seen data only: the matcher's
# recall with a fifth of the aliases hidden (scripts/leave_out_eval.py), within the margins
# whose added readings are still mostly right in the alias leave-out (below 0.06 they are
# wrong about half the time: "looking after elderly residents" would read as childcare). See
# BENCHMARKS.md, "Unseen wordings measured end to end".
WORDS_MIN = 0.70
WORDS_MARGIN = 0.06
# A weaker use of the same vectors (skill_phrases.NEAR_CONF): a phrase no route names keeps
# its nearest group when at least NEAR_MIN near and NEAR_Z standard deviations above its mean
# cosine to the groups, however near the runner-up. Alone that reading is right only about
# half the time, so it names nothing; it only lets the phrase meet the same group named on
# the other side of a pair, which the pair then confirms. Chosen on seen data with four
# fifths of the aliases hidden (scripts/leave_out_eval.py --keep-one); the z-score keeps
# generic phrases ("hard working") from meeting anything, and the other space must put the
# group among its NEAR_TOP nearest too ("scanning parcels" is nearest filing by these vectors
# alone). When these vectors' nearest fails, the LSA space's nearest may serve under the same
# three tests, with these vectors agreeing ("hoist operation"; Taxonomy.near_group). See
# BENCHMARKS.md, "A truer proxy" and "Eighth session".
NEAR_MIN = 0.60
NEAR_Z = 2.5
NEAR_TOP = 3
_MAX_WORD = 100  # BERT's limit: a longer "word" is not one
# A word read from its pieces needs few, and one of at least 3 letters that carries at least
# half of it ("forklift" + "##ing"); a typo or a name in scraps of letters means nothing.
_MAX_PIECES = 3

FloatArray = npt.NDArray[np.float32]


def word_pieces(word: str, known: Callable[[str], bool]) -> list[str] | None:
    """``word`` split greedily into the longest known pieces, left to right, a piece inside
    the word written "##piece" (BERT's WordPiece); None when some part matches nothing."""
    if len(word) > _MAX_WORD:
        return None
    out: list[str] = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if known(piece):
                break
            end -= 1
        else:
            return None
        out.append(piece)
        start = end
    return out


@dataclass(frozen=True, eq=False)
class WordVectors:
    """Words (and "##" pieces) with a quantised vector each; see the module docstring."""

    words: tuple[str, ...]
    codes: npt.NDArray[np.int8]  # (len(words), dims)
    scales: FloatArray  # (len(words),): code * scale is a unit vector
    model: str = ""  # what the vectors were distilled from (name and sha256)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})
        object.__setattr__(self, "_by_stem", None)

    @property
    def dims(self) -> int:
        return int(self.codes.shape[1])

    def _row(self, i: int) -> FloatArray:
        row: FloatArray = self.codes[i].astype(np.float32) * self.scales[i]
        return row

    def _stem_rows(self) -> dict[str, list[int]]:
        rows: dict[str, list[int]] | None = self._by_stem  # type: ignore[attr-defined]
        if rows is None:
            grouped: defaultdict[str, list[int]] = defaultdict(list)
            for i, w in enumerate(self.words):
                if not w.startswith("##"):
                    grouped[stem(w)].append(i)
            rows = dict(grouped)
            object.__setattr__(self, "_by_stem", rows)
        return rows

    # Phrases share their words: each word's vector is worked out once (the stem and piece
    # fallbacks average several rows). Callers never write to it.
    @lru_cache(maxsize=50_000)  # noqa: B019 - one long-lived table per process; bounded.
    def word_vector(self, word: str) -> FloatArray | None:
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        i = index.get(word)
        if i is not None:
            return self._row(i)
        same_stem = self._stem_rows().get(stem(word))
        if same_stem:
            return np.mean([self._row(j) for j in same_stem], axis=0)  # type: ignore[no-any-return]
        pieces = word_pieces(word, index.__contains__) if word.isalpha() else None
        longest = max((len(p.removeprefix("##")) for p in pieces or ()), default=0)
        if not pieces or len(pieces) > _MAX_PIECES or longest < max(3, len(word) / 2):
            return None  # noise: "xqzt" is x + ##q + ##z + ##t, which means nothing
        return np.mean([self._row(index[p]) for p in pieces], axis=0)  # type: ignore[no-any-return]

    def phrase_vector(self, words: Sequence[str]) -> FloatArray | None:
        """Mean of the words' vectors, unit length (None: no word has one)."""
        vec: FloatArray | None = None
        for w in words:
            v = self.word_vector(w)
            if v is not None:
                vec = v if vec is None else vec + v  # the sum: same direction as the mean
        if vec is None:
            return None
        norm = float(np.linalg.norm(vec))
        return None if norm == 0.0 else (vec / norm).astype(np.float32)


def save_word_vectors(words: Sequence[str], vectors: FloatArray, path: Path, *,
                      model: str) -> None:
    """Quantise unit rows to int8 (one scale per row) and write them compressed."""
    peak = np.abs(vectors).max(axis=1, keepdims=True)
    peak[peak == 0] = 1.0
    codes = np.round(vectors * (127.0 / peak)).astype(np.int8)
    norms = np.linalg.norm(codes.astype(np.float32), axis=1)
    norms[norms == 0] = 1.0
    with path.open("wb") as fh:
        np.savez_compressed(fh, words=np.array(words), codes=codes,
                            scales=(1.0 / norms).astype(np.float32), model=np.array(model))


def load_word_vectors(path: Path) -> WordVectors | None:
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as npz:
        return WordVectors(tuple(str(w) for w in npz["words"]), npz["codes"],
                           npz["scales"].astype(np.float32), str(npz["model"]))
