"""Employers' API keys: ``jmk_<key_id>_<secret>``, stored as SHA-256 of the secret, revocable.

The secret is 32 random bytes, so a fast hash is enough (no password stretching needed); the
key_id half finds the row without scanning, and the comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from services.feed.store import Store
from services.feed.tables import api_keys

__all__ = ["ApiKey", "authenticate", "create_key", "list_keys", "revoke_key"]


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    employer_id: str
    created_at: float
    revoked_at: float | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(store: Store, employer_id: str) -> tuple[str, str]:
    """Make a key; returns ``(key_id, full_key)``. The full key is shown once, never stored."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with store.write() as conn:
        conn.execute(insert(api_keys).values(
            key_id=key_id, employer_id=employer_id, secret_hash=_hash(secret),
            created_at=time.time(), revoked_at=None))
    return key_id, f"jmk_{key_id}_{secret}"


def revoke_key(store: Store, employer_id: str, key_id: str) -> bool:
    with store.write() as conn:
        changed = conn.execute(update(api_keys).where(
            api_keys.c.key_id == key_id, api_keys.c.employer_id == employer_id,
            api_keys.c.revoked_at.is_(None)).values(revoked_at=time.time())).rowcount
    return bool(changed)


def list_keys(store: Store, employer_id: str) -> list[ApiKey]:
    with store.read() as conn:
        rows = conn.execute(select(api_keys).where(api_keys.c.employer_id == employer_id)
                            .order_by(api_keys.c.created_at)).mappings().all()
    return [ApiKey(r["key_id"], r["employer_id"], r["created_at"], r["revoked_at"])
            for r in rows]


def authenticate(store: Store, presented: str) -> ApiKey | None:
    """The key behind a presented credential, or None (unknown, malformed or revoked)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "jmk" or not parts[1] or not parts[2]:
        return None
    with store.read() as conn:
        row = conn.execute(select(api_keys).where(
            api_keys.c.key_id == parts[1])).mappings().first()
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["secret_hash"], _hash(parts[2])):
        return None
    return ApiKey(row["key_id"], row["employer_id"], row["created_at"], row["revoked_at"])
