"""Webhook receivers that misbehave in ways the feed suite does not cover
(tests/integration/feed/test_webhooks.py has: 500 x3 then 2xx, 410, Retry-After, one timeout):

- a receiver that hangs past the timeout for a while, then recovers;
- a receiver flapping 500/200 from one request to the next;
- a receiver that takes some and then answers 410 Gone.

Accounting: every referral ends in exactly one succeeded delivery per healthy endpoint, or in a
disabled endpoint; the receiver sees each webhook-id succeed, re-deliveries being only those
whose 2xx the sender never got (it timed out), which receivers drop by webhook-id.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from services.feed.config import FeedConfig
from services.feed.store import Store
from services.feed.tables import deliveries, webhook_endpoints
from services.feed.webhooks_store import add_endpoint
from tests.integration.feed.conftest import Send, consume, make_referral
from tests.integration.feed.receiver import Behaviour, Receiver
from tests.integration.feed.test_webhooks import dispatch_until
from tests.reliability.accounting import Ledger

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

N = 40


def _register(store: Store, config: FeedConfig, receiver: Receiver) -> str:
    endpoint, secret = add_endpoint(store, "emp-a", receiver.url, config)
    receiver.secret = secret
    return endpoint.endpoint_id


def _statuses(store: Store) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with store.read() as conn:
        for ep, status in conn.execute(select(deliveries.c.endpoint_id, deliveries.c.status)):
            out.setdefault(ep, {}).setdefault(status, 0)
            out[ep][status] += 1
    return out


def test_hanging_flapping_and_gone_receivers(store: Store, config: FeedConfig, send: Send,
                                             run_id: str,
                                             make_receiver: Callable[[Behaviour], Receiver]
                                             ) -> None:
    # Enough retries that flapping cannot exhaust them by bad luck (0.5^20).
    config = dataclasses.replace(config, retry_schedule_s=(0.05,) * 20, webhook_timeout_s=0.5)
    started = time.monotonic()
    hang_until = started + 2.5
    flap = itertools.count()
    lock = threading.Lock()

    def hanging(_attempt: int) -> tuple[int, dict[str, str], float]:
        # Takes the request (answers 200) but too late for the sender while it "hangs".
        return (200, {}, 1.0) if time.monotonic() < hang_until else (200, {}, 0)

    def flapping(_attempt: int) -> tuple[int, dict[str, str], float]:
        with lock:
            n = next(flap)
        return (500, {}, 0) if n % 2 == 0 else (200, {}, 0)

    gone_after = itertools.count()

    def gone(_attempt: int) -> tuple[int, dict[str, str], float]:
        with lock:
            n = next(gone_after)
        return (200, {}, 0) if n < 5 else (410, {}, 0)

    receivers = {name: make_receiver(b) for name, b in
                 (("hang", hanging), ("flap", flapping), ("gone", gone))}
    ids = {name: _register(store, config, r) for name, r in receivers.items()}
    ledger = Ledger(run_id)
    sent: list[str] = []
    for i in range(N):
        referral = make_referral(f"v-{i}", ledger.new_id("c"), "emp-a")
        send(referral)
        sent.append(referral["referral_id"])
    consume(store, config)

    def settled() -> bool:
        st = _statuses(store)
        return all(set(st.get(ids[n], {})) == {"succeeded"} and st[ids[n]]["succeeded"] == N
                   for n in ("hang", "flap")) and "pending" not in st.get(ids["gone"], {})

    dispatch_until(store, config, settled, timeout_s=45)
    time.sleep(0.3)
    st = _statuses(store)
    with store.read() as conn:
        enabled = dict(conn.execute(select(webhook_endpoints.c.endpoint_id,
                                           webhook_endpoints.c.enabled)).all())
    assert enabled[ids["gone"]] is False or enabled[ids["gone"]] == 0
    assert sum(st[ids["gone"]].values()) == N
    assert set(st[ids["gone"]]) <= {"succeeded", "disabled"}
    for name in ("hang", "flap"):
        r = receivers[name]
        assert all(h.valid for h in r.hits), f"{name}: a bad signature"
        got = Ledger(run_id)  # this receiver's view of the same inputs
        for rid in sent:
            got.ack("referral", rid)
        for hit in r.succeeded():
            got.observe("referral", json.loads(hit.body)["data"]["referral_id"])
        report = got.report()
        rep = report.outcomes["referral"]
        distinct = len({h.webhook_id for h in r.succeeded()})
        print(f"\n{name}: {len(r.hits)} requests, {len(r.succeeded())} 2xx, "
              f"{distinct} distinct webhook-ids, {rep.duplicate} re-deliveries\n"
              f"{report.table()}")
        assert rep.lost == 0 and distinct == N
        if name == "flap":
            assert rep.duplicate == 0  # a 500 is never a success, so no re-delivery
    assert len(receivers["gone"].succeeded()) <= 5
