"""Bad input on the employer API: cursors, page sizes, referral ids, webhook URLs. Every answer
is a 4xx with a reason (or a plain 404), never a 500, and never echoes personal data."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest

from services.feed.config import FeedConfig
from services.feed.store import Store
from tests.integration.feed import allowlist
from tests.integration.feed.conftest import Send, Server, consume, make_referral

pytestmark = [pytest.mark.integration, pytest.mark.reliability]


def _b64(raw: bytes) -> str:
    return "c1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = [
    "garbage", "c1.", "c1.!!!!", "c1." + "A" * 3000, _b64(b"not json"), _b64(b"{}"),
    _b64(b"[[1]]"), _b64(b'[["a","b"]]'), _b64(b"[[-1,5]]"), _b64(b"[[0,-7]]"),
    _b64(b"[" * 5000 + b"]" * 5000), "c1.\u00e9\u00e9", "-1", "%00",
]
# Well-formed cursors with numbers out of any column's range: they answered 500 (SQL overflow,
# OverflowError from int(1e400)) before decode() checked Kafka's upper bounds (finding 3).
CRASHING_CURSORS = [_b64(json.dumps([[0, 10**30]]).encode()),
                    _b64(json.dumps([[2**63, 1]]).encode()), _b64(b"[[0,1e400]]")]
LIMITS = ["0", "-1", "101", "1000000", "99999999999999999999999", "abc", "1.5", "", "NaN"]
REFERRAL_IDS = ["..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "%00", "\u00e9\u4e2d\U0001f600",
                "x" * 10_000, "' OR 1=1 --", "<script>"]
URLS = [
    "file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://example.com/", "javascript:alert(1)",
    "http://example.com/hook", "https://user:pw@93.184.215.14/", "https://[::1]/h",
    "https://[fe80::1%25eth0]/h", "https://2130706433/", "https://0x7f.1/", "https://0177.0.0.1/",
    "https://127.1/", "https://0/", "https://93.184.215.14/" + "a" * 3000, "https://", "not a url",
    "https://93.184.215.14:99999/", "https://93.184.215.14/#frag",
]


def _ok(r: object) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])  # type: ignore[attr-defined]
    if r.content:  # type: ignore[attr-defined]
        allowlist.check(r.json())  # type: ignore[attr-defined]


def test_hostile_cursors_and_limits(server: Server, send: Send, store: Store,
                                    config: FeedConfig, employer_keys: dict[str, str]) -> None:
    send(make_referral("v-1", "c-1", "emp-a"))
    consume(store, config)
    a = server.client(employer_keys["emp-a"])
    for cursor in CURSORS:
        r = a.get("/v1/referrals", params={"after": cursor})
        _ok(r)
        assert r.status_code == 400 and r.json()["detail"], (cursor[:40], r.text[:200])
    for limit in LIMITS:
        r = a.get("/v1/referrals", params={"limit": limit})
        _ok(r)
        if limit in {"101", "1000000", "99999999999999999999999"}:
            assert r.status_code == 200 and len(r.json()["items"]) == 1  # capped, not refused
        else:
            assert r.status_code == 422 and r.json()["detail"], (limit, r.text[:200])
    for rid in REFERRAL_IDS:
        for r in (a.get(f"/v1/referrals/{rid}"),
                  a.post(f"/v1/referrals/{rid}/outcome", json={"outcome": "hired"})):
            _ok(r)
            assert r.status_code in {404, 422}, (rid[:40], r.status_code)


def test_hostile_webhook_urls(server: Server, config: FeedConfig,
                              employer_keys: dict[str, str]) -> None:
    ctx = server.app.state.feed
    # The production setting: no private addresses, https only.
    server.app.state.feed = dataclasses.replace(
        ctx, config=dataclasses.replace(config, allow_private_webhooks=False))
    a = server.client(employer_keys["emp-a"])
    for url in URLS:
        r = a.post("/v1/webhooks", json={"url": url})
        _ok(r)
        assert r.status_code == 422 and r.json()["detail"], (url[:60], r.status_code, r.text)
    for body in ({"url": 5}, {"url": None}, {}, {"url": "https://93.184.215.14/", "x": 1}, []):
        r = a.post("/v1/webhooks", json=body)
        _ok(r)
        assert r.status_code == 422
    r = a.post("/v1/webhooks", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    _ok(r)
    assert r.status_code in {400, 422}
    # Positive control: a public https address is accepted.
    ok = a.post("/v1/webhooks", json={"url": "https://93.184.215.14/hook"})
    assert ok.status_code == 201, ok.text
    assert a.get("/v1/webhooks").json()["items"][0]["url"] == "https://93.184.215.14/hook"


def test_out_of_range_cursors_are_400(server: Server, employer_keys: dict[str, str]) -> None:
    a = server.client(employer_keys["emp-a"])
    answers = [a.get("/v1/referrals", params={"after": c}) for c in CRASHING_CURSORS]
    assert [r.status_code for r in answers] == [400, 400, 400], [r.text for r in answers]
    assert all(r.json()["detail"].startswith("malformed cursor") for r in answers)
