"""The pull API against a real uvicorn server, real store and real Kafka."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer

from services.feed.config import FeedConfig
from services.feed.keys import create_key, revoke_key
from services.feed.store import Store
from tests.integration.feed import allowlist
from tests.integration.feed.conftest import Send, Server, Topics, consume, make_referral

pytestmark = pytest.mark.integration


def _get(client: httpx.Client, url: str, **kw: Any) -> httpx.Response:
    r = client.get(url, **kw)
    if r.content:
        allowlist.check(r.json())
    return r


def _seed(send: Send, store: Store, config: FeedConfig) -> None:
    for i in range(5):
        send(make_referral(f"va-{i}", f"client-{i}", "emp-a"))
    for i in range(3):
        send(make_referral(f"vb-{i}", f"client-{i}", "emp-b"))
    send(make_referral("va-0", "client-0", "emp-a", kind="withdrawal",
                       created_at="2026-11-21T10:00:00Z"))
    consume(store, config)


def _all(client: httpx.Client, limit: int = 2) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["after"] = cursor
        page = _get(client, "/v1/referrals", params=params).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items


def test_employers_never_see_each_others_data(server: Server, send: Send, store: Store,
                                              config: FeedConfig,
                                              employer_keys: dict[str, str]) -> None:
    _seed(send, store, config)
    a, b = server.client(employer_keys["emp-a"]), server.client(employer_keys["emp-b"])
    a_items, b_items = _all(a), _all(b)
    assert len(a_items) == 6 and len(b_items) == 3
    assert {i["vacancy_id"][:2] for i in a_items} == {"va"}
    assert {i["vacancy_id"][:2] for i in b_items} == {"vb"}
    # The same client has unrelated pseudonyms at two employers, and never their client_id.
    ref_a = {i["client_ref"] for i in a_items if i["vacancy_id"] == "va-1"}
    ref_b = {i["client_ref"] for i in b_items if i["vacancy_id"] == "vb-1"}
    assert ref_a and ref_b and ref_a.isdisjoint(ref_b)
    assert "client-1" not in json.dumps(a_items)

    b_id = b_items[0]["referral_id"]
    assert _get(a, f"/v1/referrals/{b_id}").status_code == 404
    r = a.post(f"/v1/referrals/{b_id}/outcome", json={"outcome": "hired"})
    assert r.status_code == 404
    allowlist.check(r.json())
    hook = b.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
    assert hook.status_code == 201
    allowlist.check(hook.json())
    ep = hook.json()["endpoint_id"]
    assert _get(a, "/v1/webhooks").json()["items"] == []
    assert _get(a, f"/v1/webhooks/{ep}/deliveries").status_code == 404
    assert a.delete(f"/v1/webhooks/{ep}").status_code == 404
    assert len(_get(b, "/v1/webhooks").json()["items"]) == 1
    # A tenant id in the query or body is ignored: identity is the key alone.
    assert len(_get(a, "/v1/referrals", params={"employer_id": "emp-b"}).json()["items"]) == 6
    va0 = next(i["referral_id"] for i in a_items if i["vacancy_id"] == "va-0")
    own = _get(a, f"/v1/referrals/{va0}")
    assert own.status_code == 200 and own.json()["kind"] == "withdrawal"  # latest state


def test_outcome_is_published_for_own_referral(server: Server, send: Send, store: Store,  # noqa: PLR0917 - pytest passes fixtures by name
                                               config: FeedConfig, topics: Topics,
                                               kafka_bootstrap: str,
                                               employer_keys: dict[str, str]) -> None:
    _seed(send, store, config)
    a = server.client(employer_keys["emp-a"])
    rid = _all(a)[1]["referral_id"]
    bad = a.post(f"/v1/referrals/{rid}/outcome", json={"outcome": "rejected"})
    assert bad.status_code == 422
    allowlist.check(bad.json())
    assert a.post(f"/v1/referrals/{rid}/outcome",
                  json={"outcome": "hired", "employer_id": "emp-b"}).status_code == 422
    ok = a.post(f"/v1/referrals/{rid}/outcome",
                json={"outcome": "rejected", "reason": "role filled internally"})
    assert ok.status_code == 202, ok.text
    allowlist.check(ok.json())
    consumer = KafkaConsumer(topics.outcomes, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=1500)
    records = [json.loads(m.value) for m in consumer]  # stops 1.5 s after the last record
    consumer.close()
    assert len(records) == 1
    assert records[0]["referral_id"] == rid and records[0]["employer_id"] == "emp-a"
    assert records[0]["outcome"] == "rejected"


def test_auth_page_cap_and_cursor_stability(server: Server, send: Send, store: Store,
                                            config: FeedConfig,
                                            employer_keys: dict[str, str]) -> None:
    for i in range(130):
        send(make_referral(f"v-{i}", f"c-{i}", "emp-a"))
    consume(store, config)
    assert _get(server.client(None), "/v1/referrals").status_code == 401
    assert _get(server.client("jmk_nope_nope"), "/v1/referrals").status_code == 401
    key_id, key = create_key(store, "emp-a")
    a = server.client(key)
    first = _get(a, "/v1/referrals", params={"limit": 1000}).json()
    assert len(first["items"]) == 100 and first["has_more"]  # capped at page_max
    assert _get(a, "/v1/referrals", params={"limit": 0}).status_code == 422
    assert _get(a, "/v1/referrals", params={"after": "garbage"}).status_code == 400

    page = _get(a, "/v1/referrals", params={"limit": 40}).json()
    again = _get(a, "/v1/referrals", params={"limit": 40}).json()
    assert page == again
    nxt = _get(a, "/v1/referrals", params={"after": page["next_cursor"], "limit": 200}).json()
    assert len(nxt["items"]) == 90 and not nxt["has_more"]
    seen = [i["event_id"] for i in page["items"] + nxt["items"]]
    assert len(set(seen)) == 130
    # At the end the cursor stays put, and new events appear after it, exactly once.
    tail = _get(a, "/v1/referrals", params={"after": nxt["next_cursor"]}).json()
    assert tail["items"] == [] and tail["next_cursor"] == nxt["next_cursor"]
    send(make_referral("v-new", "c-new", "emp-a"))
    consume(store, config)
    tail = _get(a, "/v1/referrals", params={"after": nxt["next_cursor"]}).json()
    assert [i["vacancy_id"] for i in tail["items"]] == ["v-new"]

    assert revoke_key(store, "emp-a", key_id)
    assert _get(a, "/v1/referrals").status_code == 401
    assert _get(server.client(employer_keys["emp-a"]), "/v1/referrals").status_code == 200


def test_rate_limit_answers_429_with_retry_after(server: Server, store: Store,
                                                 employer_keys: dict[str, str]) -> None:
    # The fixture's buckets are generous; tighten this server's.
    a = server.client(employer_keys["emp-a"])
    ctx = server.app.state.feed
    ctx.buckets.rate, ctx.buckets.burst = 0.5, 3.0
    codes = [_get(a, "/v1/referrals").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    r = _get(a, "/v1/referrals")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # Another key is not throttled by this one.
    assert _get(server.client(employer_keys["emp-b"]), "/v1/referrals").status_code == 200
    time.sleep(2.1)
    assert _get(a, "/v1/referrals").status_code == 200


def test_openapi_docs_are_served(server: Server) -> None:
    with server.client(None) as c:
        spec = c.get("/openapi.json").json()
        assert "/v1/referrals" in spec["paths"] and "/v1/webhooks" in spec["paths"]
        assert c.get("/docs").status_code == 200
