"""Webhook deliveries to a real receiver: signatures, retries, 410, Retry-After, timeouts,
and the SSRF guard."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable

import pytest

from services.feed.config import FeedConfig
from services.feed.ssrf import UnsafeUrl
from services.feed.store import Store
from services.feed.webhooks_dispatch import Dispatcher
from services.feed.webhooks_store import add_endpoint, delivery_log, list_endpoints
from tests.integration.feed import allowlist
from tests.integration.feed.conftest import Send, Server, consume, make_referral
from tests.integration.feed.receiver import Behaviour, Receiver

pytestmark = pytest.mark.integration


def dispatch_until(store: Store, config: FeedConfig, done: Callable[[], bool],
                   timeout_s: float = 20.0) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=Dispatcher(store, config).run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    try:
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert done(), "condition not reached before the timeout"


def _register(store: Store, config: FeedConfig, receiver: Receiver, employer: str = "emp-a"
              ) -> str:
    endpoint, secret = add_endpoint(store, employer, receiver.url, config)
    receiver.secret = secret
    return endpoint.endpoint_id


def test_three_failures_then_success_delivers_each_referral_once(  # noqa: PLR0917 - pytest passes fixtures by name
        store: Store, config: FeedConfig, send: Send, server: Server,
        employer_keys: dict[str, str],
        make_receiver: Callable[[Behaviour], Receiver]) -> None:
    receiver = make_receiver(lambda n: (500, {}, 0) if n <= 3 else (204, {}, 0))
    endpoint_id = _register(store, config, receiver)
    other = make_receiver(lambda n: (200, {}, 0))
    _register(store, config, other, "emp-b")
    for i in range(3):
        send(make_referral(f"v-{i}", f"c-{i}", "emp-a"))
    consume(store, config)
    dispatch_until(store, config, lambda: len(receiver.succeeded()) == 3)
    time.sleep(0.3)  # nothing more may arrive
    assert len(receiver.hits) == 12
    assert all(h.valid for h in receiver.hits), "every attempt carries a valid signature"
    ids = {h.webhook_id for h in receiver.succeeded()}
    assert len(ids) == 3
    for wid in ids:
        attempts = [h for h in receiver.hits if h.webhook_id == wid]
        assert [h.status for h in attempts] == [500, 500, 500, 204]
        assert len({h.body for h in attempts}) == 1  # same body, fresh timestamps
    for hit in receiver.hits:
        envelope = json.loads(hit.body)
        allowlist.check(envelope)
        assert envelope["type"] == "referral.created"
    assert other.hits == []  # emp-b's endpoint gets none of emp-a's referrals
    log = server.client(employer_keys["emp-a"]).get(f"/v1/webhooks/{endpoint_id}/deliveries")
    allowlist.check(log.json())
    assert len(log.json()["items"]) == 12


def test_gone_disables_the_endpoint(store: Store, config: FeedConfig, send: Send,
                                    make_receiver: Callable[[Behaviour], Receiver]) -> None:
    receiver = make_receiver(lambda n: (410, {}, 0))
    endpoint_id = _register(store, config, receiver)
    for i in range(3):
        send(make_referral(f"v-{i}", f"c-{i}", "emp-a"))
    consume(store, config)

    def disabled() -> bool:
        return not list_endpoints(store, "emp-a")[0].enabled

    dispatch_until(store, config, disabled)
    endpoint = list_endpoints(store, "emp-a")[0]
    assert "410" in (endpoint.disabled_reason or "")
    hits = len(receiver.hits)
    send(make_referral("v-later", "c-later", "emp-a"))
    consume(store, config)
    Dispatcher(store, config).run(idle_timeout_s=0.3)
    assert len(receiver.hits) == hits  # nothing is sent to a disabled endpoint
    assert len(receiver.hits) >= 1
    assert {r["status"] for r in delivery_log(store, "emp-a", endpoint_id)} == {"disabled"}


def test_retry_after_is_honoured(store: Store, config: FeedConfig, send: Send,
                                 make_receiver: Callable[[Behaviour], Receiver]) -> None:
    receiver = make_receiver(
        lambda n: (503, {"Retry-After": "1"}, 0) if n == 1 else (200, {}, 0))
    _register(store, config, receiver)
    send(make_referral("v-1", "c-1", "emp-a"))
    consume(store, config)
    dispatch_until(store, config, lambda: len(receiver.succeeded()) == 1)
    first, second = receiver.hits
    assert first.webhook_id == second.webhook_id
    assert second.at - first.at >= 0.95  # the schedule alone would wait 0.05 s


def test_timeouts_are_retried(store: Store, config: FeedConfig, send: Send,
                              make_receiver: Callable[[Behaviour], Receiver]) -> None:
    receiver = make_receiver(lambda n: (200, {}, 2.0) if n == 1 else (200, {}, 0))
    endpoint_id = _register(store, config, receiver)
    send(make_referral("v-1", "c-1", "emp-a"))
    consume(store, config)
    dispatch_until(store, config, lambda: len(receiver.hits) == 2
                   and delivery_log(store, "emp-a", endpoint_id)[0]["status"] == "succeeded")
    assert receiver.hits[0].webhook_id == receiver.hits[1].webhook_id
    errors = [r["error"] for r in delivery_log(store, "emp-a", endpoint_id)]
    assert errors == [None, "timeout"]  # newest first


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://localhost/hook", "https://10.1.2.3/hook",
    "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]/hook",
    "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://224.0.0.1/hook",
    "https://0.0.0.0/hook", "http://example.com/hook", "https://user:pw@example.com/",
])
def test_private_and_metadata_urls_are_refused_at_registration(
        store: Store, config: FeedConfig, url: str) -> None:
    strict = dataclasses.replace(config, allow_private_webhooks=False)
    with pytest.raises(UnsafeUrl):
        add_endpoint(store, "emp-a", url, strict)


def test_api_refuses_private_urls_and_send_time_check_catches_rebinding(  # noqa: PLR0917 - pytest passes fixtures by name
        store: Store, config: FeedConfig, send: Send, server: Server,
        employer_keys: dict[str, str],
        make_receiver: Callable[[Behaviour], Receiver]) -> None:
    ctx = server.app.state.feed
    server.app.state.feed = dataclasses.replace(
        ctx, config=dataclasses.replace(config, allow_private_webhooks=False))
    r = server.client(employer_keys["emp-a"]).post(
        "/v1/webhooks", json={"url": "https://169.254.169.254/hook"})
    assert r.status_code == 422
    allowlist.check(r.json())
    # Registered while private addresses were allowed; the send-time check still refuses.
    receiver = make_receiver(lambda n: (200, {}, 0))
    endpoint_id = _register(store, config, receiver)
    send(make_referral("v-1", "c-1", "emp-a"))
    consume(store, config)
    strict = dataclasses.replace(config, allow_private_webhooks=False)
    dispatch_until(store, strict, lambda: len(delivery_log(store, "emp-a", endpoint_id)) >= 2)
    assert receiver.hits == []
    assert all((row["error"] or "").startswith("refused") for row in
               delivery_log(store, "emp-a", endpoint_id))
