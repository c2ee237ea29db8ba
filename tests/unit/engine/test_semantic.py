"""The semantic layer: stem vectors learned from ESCO, resolution by meaning with a margin."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from services.matcher.engine import semantic
from services.matcher.engine.certifications import default_certifications
from services.matcher.engine.normalise import tokens
from services.matcher.engine.phrase_resolver import SemanticResolver
from services.matcher.engine.taxonomy import (
    DATA_DIR,
    Taxonomy,
    _data_paths,
    build_taxonomy,
    default_taxonomy,
    shipped_space,
)
from tests.unit.engine.conftest import cf, vf

# A toy ESCO: two synonym sets sharing a hierarchy group, and an unrelated one.
_ESCO = {"skills": {
    "a": {"label": "sort mail", "alt": ["sort post", "process mail", "sort letters"],
          "parents": ["S1"]},
    "b": {"label": "deliver mail", "alt": ["deliver post", "deliver parcels"],
          "parents": ["S1"]},
    "c": {"label": "weld metal", "alt": ["arc welding", "metal welding"], "parents": ["S2"]},
    "d": {"label": "operate welding equipment", "alt": ["use welding torch"],
          "parents": ["S2"]},
}}
_UK = {"skills": [{"id": "mail", "label": "mail sorting", "aliases": ["sorting post"],
                   "esco": "a"},
                  {"id": "welding", "label": "welding", "aliases": ["mig welding"],
                   "esco": "c"}],
       "certifications": []}


def _words(text: str) -> tuple[str, ...]:
    return tokens(text)


@pytest.fixture(scope="module")
def space() -> semantic.SemanticSpace:
    found = shipped_space()
    assert found is not None, "run scripts/build_semantic_index.py"
    return found


def _cos(space: semantic.SemanticSpace, a: str, b: str) -> float:
    va, vb = space.phrase_vector(_words(a)), space.phrase_vector(_words(b))
    assert va is not None and vb is not None
    return float(va @ vb)


def test_fitting_is_deterministic() -> None:
    one = semantic.fit_space(_ESCO, _UK, n_components=3)
    two = semantic.fit_space(_ESCO, _UK, n_components=3)
    assert one.terms == two.terms
    np.testing.assert_array_equal(one.vectors, two.vectors)
    np.testing.assert_array_equal(one.idf, two.idf)


def test_artefact_matches_the_data_it_was_built_from() -> None:
    loaded = semantic.load_space(DATA_DIR / semantic.ARTEFACT_NAME)
    assert loaded is not None
    assert loaded.source_hash == semantic.data_hash(*_data_paths())
    assert loaded.vectors.shape == (len(loaded.terms), semantic.N_COMPONENTS)
    np.testing.assert_allclose(np.linalg.norm(loaded.vectors, axis=1), 1.0, atol=1e-3)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    fitted = semantic.fit_space(_ESCO, _UK, n_components=3, source_hash="abc")
    semantic.save_space(fitted, tmp_path / "s.npz")
    loaded = semantic.load_space(tmp_path / "s.npz")
    assert loaded is not None and loaded.terms == fitted.terms and loaded.source_hash == "abc"
    np.testing.assert_allclose(loaded.vectors, fitted.vectors, atol=2e-3)


def test_stale_artefact_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.matcher.engine import taxonomy

    for path in _data_paths():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / semantic.ARTEFACT_NAME).write_bytes(
        (DATA_DIR / semantic.ARTEFACT_NAME).read_bytes())
    monkeypatch.setattr(taxonomy, "DATA_DIR", tmp_path)
    assert taxonomy.shipped_space() is not None
    with (tmp_path / "uk_skills.json").open("a") as fh:
        fh.write("\n")  # the data changed since the vectors were fitted
    assert taxonomy.shipped_space() is None


def test_synonyms_from_esco_are_close(space: semantic.SemanticSpace) -> None:
    # Labels ESCO files under one skill, in different words.
    assert _cos(space, "till", "cash") > 0.6
    assert _cos(space, "stacking shelves", "replenishment") > 0.6


def test_unrelated_phrases_are_far(space: semantic.SemanticSpace) -> None:
    assert _cos(space, "forklift", "welding") < 0.3
    assert _cos(space, "till", "welding") < 0.3


def test_unknown_word_borrows_the_nearest_spelling(space: semantic.SemanticSpace) -> None:
    assert space.term_index("replenishmnt") == space.term_index("replenish")


def test_unresolved_phrase_resolves_by_meaning() -> None:
    tax = default_taxonomy()
    found = tax.lookup("answering the telephone")
    assert not found.known
    assert ("uk:telephone_skills", semantic.SEMANTIC_CONF) in found.ids


def test_unrelated_phrase_stays_unresolved() -> None:
    ids = default_taxonomy().resolve("python programming")
    assert not [t for t in ids if t.startswith(("uk:", "esco:"))]


def test_ambiguous_phrase_stays_unresolved(space: semantic.SemanticSpace) -> None:
    # Two groups equally near: no margin, no answer.
    resolver = SemanticResolver(space, [(_words("cash handling"), "uk:a"),
                                                 (_words("handling cash"), "uk:b")])
    assert resolver.ranked(_words("cash handling"))[0][1] > 0.99
    assert resolver.resolve(_words("cash handling")) is None
    alone = SemanticResolver(space, [(_words("cash handling"), "uk:a")])
    assert alone.resolve(_words("cash handling")) == "uk:a"


def test_semantic_resolution_scores_below_dictionary_routes() -> None:
    assert 0.75 <= semantic.SEMANTIC_CONF < 0.9


def test_toy_taxonomy_resolves_only_with_a_space() -> None:
    words = "post sorting letters mail"
    plain = Taxonomy.from_data(_ESCO, _UK)
    assert plain.semantic_resolver() is None
    fitted = semantic.fit_space(_ESCO, _UK, n_components=3)
    with_space = Taxonomy.from_data(_ESCO, _UK, semantic=fitted)
    assert with_space.semantic_resolver() is not None
    ranked = with_space.semantic_resolver().ranked(_words(words))  # type: ignore[union-attr]
    assert ranked[0][0] == "uk:mail"
    assert build_taxonomy([("g", ["x"])]).semantic_resolver() is None


def test_certifications_never_use_semantics() -> None:
    for module in ("certifications.py", "_cert_signature.py"):
        source = (Path(semantic.__file__).parent / module).read_text()
        imported = {n.module for n in ast.walk(ast.parse(source))
                    if isinstance(n, ast.ImportFrom)}
        assert "services.matcher.engine.semantic" not in imported, module
        assert "services.matcher.engine.word_vectors" not in imported, module
    certs = default_certifications()
    # A skill-like phrase gains no certification, however near in meaning.
    assert all(k.startswith("certtxt:") for k in certs.held_keys(["answering the telephone"]))
    client = cf(skills=["answering the telephone"], certifications=[])
    vacancy = vf(required_skills=["telephone skills"],
                 required_certifications=["enhanced DBS"])
    assert vacancy.required_certs and vacancy.required_certs[0][1] not in client.cert_keys


def test_a_space_is_loaded_on_first_need_and_once() -> None:
    from services.matcher.engine._lazy_resolver import LazyResolver

    calls: list[int] = []

    def absent() -> None:
        calls.append(1)

    lazy = LazyResolver(absent)
    assert calls == []  # nothing loaded until a phrase needs it
    assert lazy.get([]) is None and lazy.get([]) is None
    assert calls == [1]  # an absent space is not looked for again
    fitted = semantic.fit_space(_ESCO, _UK, n_components=3)
    given = LazyResolver(fitted)
    resolver = given.get([(_words("mail sorting"), "uk:mail")])
    assert resolver is not None and given.get([]) is resolver
