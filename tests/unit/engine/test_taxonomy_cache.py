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
