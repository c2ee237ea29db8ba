"""Bearer tokens for the publishers of the HTTP ingest API, stored hashed.

One token per publisher (a Jobcentre system), with scopes ``clients``, ``vacancies``,
``erase``. A token is ``jm_<id>_<secret>``: the id names it in listings and revocations, the
secret has 256 bits of entropy. Only the SHA-256 of the whole token is stored (a slow
password hash buys nothing for a random 256-bit secret), and it is compared in constant time.
The store is a small JSON file (mode 0600) under ``settings.home``; it is re-read when it
changes, so ``jobmatch ingest tokens revoke`` takes effect on a running server at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from services.errors import ConfigurationError

__all__ = ["SCOPES", "Scope", "TokenInfo", "TokenStore", "default_token_path"]

Scope = Literal["clients", "vacancies", "erase"]
SCOPES: tuple[Scope, ...] = ("clients", "vacancies", "erase")
_FILE_NAME = "ingest_tokens.json"


def default_token_path(home: Path) -> Path:
    return home / _FILE_NAME


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    token_id: str
    publisher: str
    scopes: tuple[str, ...]
    sha256: str
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TokenStore:
    """The token file. Safe to share between a server's threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cache: tuple[float, int, list[TokenInfo]] | None = None

    # --- reading -------------------------------------------------------------------------------

    def all(self) -> list[TokenInfo]:
        with self._lock:
            return list(self._load())

    def authenticate(self, token: str) -> TokenInfo | None:
        """The active token matching ``token``, or None (unknown or revoked)."""
        digest = _hash(token)
        found: TokenInfo | None = None
        with self._lock:
            tokens = self._load()
        # Compare against every entry, so timing does not tell how far a guess got.
        for info in tokens:
            if hmac.compare_digest(info.sha256, digest) and info.active:
                found = info
        return found

    # --- writing -------------------------------------------------------------------------------

    def create(self, publisher: str, scopes: list[str]) -> tuple[str, TokenInfo]:
        """Make a token; returns the token itself (shown once, never stored) and its record."""
        if not publisher or len(publisher) > 100:
            raise ConfigurationError("publisher must be 1-100 characters")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown or not scopes:
            raise ConfigurationError(f"scopes must be among {', '.join(SCOPES)}; got {scopes}")
        token_id = secrets.token_hex(4)
        token = f"jm_{token_id}_{secrets.token_urlsafe(32)}"
        info = TokenInfo(
            token_id=token_id, publisher=publisher,
            scopes=tuple(s for s in SCOPES if s in scopes), sha256=_hash(token),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._lock:
            self._save([*self._load(), info])
        return token, info

    def revoke(self, id_or_publisher: str) -> list[TokenInfo]:
        """Revoke the token with this id, or every active token of this publisher."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        revoked: list[TokenInfo] = []
        with self._lock:
            tokens = []
            for info in self._load():
                if info.active and id_or_publisher in (info.token_id, info.publisher):
                    info = TokenInfo(**{**asdict(info), "revoked_at": now})  # noqa: PLW2901
                    revoked.append(info)
                tokens.append(info)
            if revoked:
                self._save(tokens)
        return revoked

    # --- file ----------------------------------------------------------------------------------

    def _load(self) -> list[TokenInfo]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        if self._cache and self._cache[:2] == (stat.st_mtime, stat.st_size):
            return self._cache[2]
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            tokens = [TokenInfo(**{**t, "scopes": tuple(t["scopes"])}) for t in data["tokens"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"token file {self.path} is unreadable: {exc}") from exc
        self._cache = (stat.st_mtime, stat.st_size, tokens)
        return tokens

    def _save(self, tokens: list[TokenInfo]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        body = json.dumps({"tokens": [asdict(t) for t in tokens]}, indent=2) + "\n"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, self.path)
        self._cache = None
