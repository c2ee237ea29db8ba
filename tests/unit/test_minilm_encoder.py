"""The NumPy MiniLM encoder that builds the shipped word vectors gives sentence-transformers'
own token ids and vectors (reference computed with sentence-transformers 6.2 and torch 2.15).

Needs the model (90 MB, not in the repository): ``scripts/test.sh`` fetches it with
``scripts/build_word_vectors.py --fetch`` and sets ``JOBMATCH_REQUIRE_MODEL=1``, so in CI a
missing model fails the test; elsewhere it is skipped with the command to fetch it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(f"scripts.{name}", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def encoder() -> object:
    folder = _script("build_word_vectors").model_dir()
    if not (folder / "model.safetensors").exists():
        if os.environ.get("JOBMATCH_REQUIRE_MODEL") == "1":
            pytest.fail(f"model missing at {folder}: scripts/build_word_vectors.py --fetch")
        pytest.skip("model not fetched: python scripts/build_word_vectors.py --fetch")
    return _script("minilm_encoder").PhraseEncoder.from_dir(folder)


def test_token_ids_match_the_reference_tokenizer(encoder: object) -> None:
    ref = json.loads(REFERENCE.read_text())
    for phrase, ids in zip(ref["phrases"], ref["token_ids"], strict=True):
        assert encoder.tokenizer.encode(phrase) == ids, phrase  # type: ignore[attr-defined]


def test_vectors_match_sentence_transformers(encoder: object) -> None:
    ref = json.loads(REFERENCE.read_text())
    got = encoder.encode(ref["phrases"])  # type: ignore[attr-defined]
    np.testing.assert_allclose(got, np.array(ref["vectors"]), atol=1e-5)
    # One at a time (no padding) gives the same vectors as a padded batch.
    alone = np.vstack([encoder.encode([p]) for p in ref["phrases"]])  # type: ignore[attr-defined]
    np.testing.assert_allclose(alone, got, atol=1e-5)
