"""The publisher token store: hashed at rest, scoped, revocable."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from services.errors import ConfigurationError
from services.ingest.tokens import TokenStore


def test_create_stores_only_a_hash_and_authenticates(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    token, info = store.create("jc-north", ["vacancies", "clients"])
    text = (tmp_path / "tokens.json").read_text()
    assert token not in text
    # maxsplit: the urlsafe secret may itself contain "_" (a plain split made this flaky).
    secret = token.split("_", 2)[2]
    assert len(secret) >= 40 and secret not in text
    assert info.scopes == ("clients", "vacancies")
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600
    found = TokenStore(tmp_path / "tokens.json").authenticate(token)
    assert found is not None
    assert found.publisher == "jc-north"
    assert store.authenticate(token + "x") is None
    assert store.authenticate("") is None


def test_revoke_by_id_or_publisher_takes_effect_on_a_running_store(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    server_view = TokenStore(path)
    t1, i1 = TokenStore(path).create("jc-a", ["clients"])
    t2, _ = TokenStore(path).create("jc-b", ["clients"])
    t3, _ = TokenStore(path).create("jc-b", ["erase"])
    assert server_view.authenticate(t1) is not None
    assert [r.token_id for r in TokenStore(path).revoke(i1.token_id)] == [i1.token_id]
    assert server_view.authenticate(t1) is None
    assert len(TokenStore(path).revoke("jc-b")) == 2
    assert server_view.authenticate(t2) is None
    assert server_view.authenticate(t3) is None
    assert TokenStore(path).revoke("jc-b") == []
    assert all(not i.active for i in server_view.all())
    assert len(json.loads(path.read_text())["tokens"]) == 3


def test_bad_scopes_and_a_corrupt_file_are_configuration_errors(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    with pytest.raises(ConfigurationError):
        store.create("jc", ["admin"])
    with pytest.raises(ConfigurationError):
        store.create("jc", [])
    (tmp_path / "tokens.json").write_text("{not json")
    with pytest.raises(ConfigurationError):
        TokenStore(tmp_path / "tokens.json").authenticate("x")
