"""Keyed hashes that stand in for a client_id, so the store never holds one.

``client_ref`` is employer-scoped: two employers who receive the same client get unrelated
pseudonyms and cannot join their data. ``client_key`` is the store's own handle, used only to
find a client's rows when an erasure tombstone arrives.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["client_key", "client_ref"]


def client_ref(key: bytes, employer_id: str, client_id: str) -> str:
    # A newline cannot occur in an id, so "a\nbc" and "ab\nc" never collide.
    mac = hmac.new(key, f"client_ref\n{employer_id}\n{client_id}".encode(), hashlib.sha256)
    return "cr_" + mac.hexdigest()[:32]


def client_key(key: bytes, client_id: str) -> str:
    return hmac.new(key, f"client_key\n{client_id}".encode(), hashlib.sha256).hexdigest()
