"""Word vectors distilled from a sentence encoder: pieces, fallbacks, quantisation, the
shipped table, and their place in the taxonomy's lookup order (before the LSA space)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.matcher.engine import semantic, word_vectors
from services.matcher.engine.normalise import tokens
from services.matcher.engine.taxonomy import (
    Taxonomy,
    default_taxonomy,
    shipped_word_vectors,
)
from services.matcher.engine.word_vectors import WordVectors, word_pieces


def _table(rows: dict[str, list[float]], tmp_path: Path) -> WordVectors:
    vectors = np.array(list(rows.values()), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    word_vectors.save_word_vectors(list(rows), vectors, tmp_path / "w.npz", model="toy")
    loaded = word_vectors.load_word_vectors(tmp_path / "w.npz")
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def shipped() -> WordVectors:
    found = shipped_word_vectors()
    assert found is not None, "run scripts/build_word_vectors.py"
    return found


def _cos(table: WordVectors, a: str, b: str) -> float:
    va, vb = table.phrase_vector(tokens(a)), table.phrase_vector(tokens(b))
    assert va is not None and vb is not None
    return float(va @ vb)


def test_pieces_are_the_longest_known_from_the_left() -> None:
    known = {"fork", "forklift", "##lift", "##ing", "##s"}.__contains__
    assert word_pieces("forklifting", known) == ["forklift", "##ing"]
    assert word_pieces("forks", known) == ["fork", "##s"]
    assert word_pieces("forkz", known) is None  # "z" matches nothing
    assert word_pieces("fork" * 30, known) is None  # longer than any word


def test_round_trip_keeps_cosines(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(50, 16)).astype(np.float32)
    raw /= np.linalg.norm(raw, axis=1, keepdims=True)
    word_vectors.save_word_vectors([f"w{i}" for i in range(50)], raw, tmp_path / "w.npz",
                                   model="toy")
    table = word_vectors.load_word_vectors(tmp_path / "w.npz")
    assert table is not None and table.model == "toy" and table.dims == 16
    got = np.array([table.word_vector(f"w{i}") for i in range(50)])
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(got @ got.T, raw @ raw.T, atol=0.02)
    assert word_vectors.load_word_vectors(tmp_path / "absent.npz") is None


def test_a_missing_word_falls_back_to_its_stem_then_its_pieces(tmp_path: Path) -> None:
    table = _table({"stack": [1, 0, 0], "shelf": [0, 1, 0], "fork": [0, 0, 1],
                    "##lift": [1, 0, 1], "f": [0, 1, 1], "##o": [1, 1, 1]}, tmp_path)
    stack = table.word_vector("stack")
    assert stack is not None
    np.testing.assert_allclose(table.word_vector("stacking"), stack)  # type: ignore[arg-type]
    pieces = table.word_vector("forklift")
    assert pieces is not None and pieces[2] > pieces[0] > 0  # fork + ##lift
    assert table.word_vector("qqq") is None
    assert table.word_vector("forkliftlift") is None  # three pieces, none half the word
    assert table.word_vector("foo") is None  # letter scraps: f + ##o + ##o
    assert table.word_vector("fo") is None  # f + ##o: no piece of 3 letters
    assert table.phrase_vector(["qqq"]) is None
    both = table.phrase_vector(["stack", "shelf"])
    assert both is not None
    np.testing.assert_allclose(both, np.array([1, 1, 0]) / np.sqrt(2), atol=0.01)


def test_shipped_table_holds_every_taxonomy_word(shipped: WordVectors) -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[3] / "scripts" / "build_word_vectors.py"
    spec = importlib.util.spec_from_file_location("build_word_vectors", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = set(module.taxonomy_words()) - set(shipped.words)
    assert not missing, f"rebuild with scripts/build_word_vectors.py: {sorted(missing)[:10]}"
    assert shipped.dims == module.DIMS and "all-MiniLM-L6-v2" in shipped.model


def test_word_vectors_resolve_before_the_lsa_space(tmp_path: Path) -> None:
    esco = {"skills": {}}
    uk = {"skills": [{"id": "shelves", "label": "shelf filling", "aliases": []},
                     {"id": "weld", "label": "arc welding", "aliases": []}],
          "certifications": []}
    table = _table({"shelf": [1, 0, 0], "fill": [1, 0.1, 0], "stack": [0.95, 0.05, 0],
                    "arc": [0, 1, 0], "weld": [0, 0.9, 0.1]}, tmp_path)
    plain = Taxonomy.from_data(esco, uk)
    assert not plain.lookup("stack").named
    with_words = Taxonomy.from_data(esco, uk, word_space=table)
    found = with_words.lookup("stack")
    assert ("uk:shelves", semantic.SEMANTIC_CONF) in found.ids
    assert not with_words.lookup("quokka").named  # no vector: stays unresolved


def test_shipped_taxonomy_resolves_an_everyday_wording() -> None:
    # In no dictionary, and the LSA space alone leaves it unresolved (too far from every UK
    # phrase); the word vectors place it, clearly ahead of the next group.
    tax = default_taxonomy()
    phrase = "serving customers at the checkout"
    found = tax.lookup(phrase)
    assert not found.known
    assert ("uk:customer_service", semantic.SEMANTIC_CONF) in found.ids
    lsa = tax.semantic_resolver()
    assert lsa is not None and lsa.resolve(tokens(phrase)) is None
    # "fixing cars": the LSA space's nearest group is unrelated; the word vectors' is not.
    words = tax.word_resolver()
    assert words is not None and words.ranked(tokens("fixing cars"))[0][0] == "uk:vehicle_checks"
