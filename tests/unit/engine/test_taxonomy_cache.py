"""The built taxonomy is cached on disk; a cached one answers exactly as a fresh build does."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.matcher.engine import taxonomy as taxonomy_module

PHRASES = ["till operation", "O365 admin", "forklift driving", "cust servise", "pot washing",
           "picking and packing", "walkaround checks"]


def test_cache_round_trip_gives_the_same_answers(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBMATCH_CACHE_DIR", str(tmp_path))
    build = taxonomy_module.default_taxonomy.__wrapped__
    fresh = build()
    files = list(tmp_path.glob("taxonomy-*.pickle"))
    assert len(files) == 1, "the first build writes the cache"
    cached = build()
    assert cached is not fresh
    assert len(cached) == len(fresh)
    for phrase in PHRASES:
        assert cached.lookup(phrase) == fresh.lookup(phrase)


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBMATCH_CACHE_DIR", str(tmp_path))
    path = taxonomy_module._cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    rebuilt = taxonomy_module.default_taxonomy.__wrapped__()
    assert rebuilt.lookup("till operation").known
    assert path.read_bytes() != b"not a pickle"


@pytest.mark.parametrize("module", ["word_vectors.py", "semantic.py", "phrase_resolver.py"])
def test_a_change_to_a_resolvers_thresholds_builds_again(
        module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The built resolvers keep WORDS_MIN, SEMANTIC_MIN and the like: a cache named without
    # their modules once answered with the old thresholds after they were changed.
    monkeypatch.setenv("JOBMATCH_CACHE_DIR", str(tmp_path))
    before = taxonomy_module._cache_path()
    real = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = real(path)
        return data + b"\n# edited" if path.name == module else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert taxonomy_module._cache_path() != before


def test_the_cached_taxonomy_keeps_the_current_thresholds() -> None:
    from services.matcher.engine.word_vectors import WORDS_MARGIN, WORDS_MIN

    resolver = taxonomy_module.default_taxonomy().word_resolver()
    assert resolver is not None
    assert (resolver.min_similarity, resolver.margin) == (WORDS_MIN, WORDS_MARGIN)
