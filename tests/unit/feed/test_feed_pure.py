"""Pure parts of the feed: signing, SSRF rules, cursors, rate limits, transitions, retries,
privacy projection, pseudonyms, the outcome model."""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.outcome import ReferralOutcome
from schemas.referral import Referral, referral_id_for
from services.feed import cursor as cursors
from services.feed.config import FeedConfig
from services.feed.events import erasure_time, should_store
from services.feed.privacy import project
from services.feed.pseudonym import client_ref
from services.feed.ratelimit import TokenBuckets
from services.feed.ssrf import UnsafeUrl, is_forbidden, resolve_safe
from services.feed.webhooks_dispatch import next_step, parse_retry_after
from services.feed.webhooks_sign import new_secret, sign


def test_signature_matches_the_standard_webhooks_test_vector() -> None:
    assert sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, b'{"test": 2432232314}') == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_new_secrets_carry_at_least_24_random_bytes() -> None:
    import base64

    a, b = new_secret(), new_secret()
    assert a.startswith("whsec_") and a != b
    assert len(base64.b64decode(a[6:])) >= 24


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1",
                                "169.254.169.254", "fd00:ec2::254", "::1", "224.0.0.1",
                                "0.0.0.0", "100.64.0.1", "::ffff:10.0.0.1", "240.0.0.1"])
def test_forbidden_addresses(ip: str) -> None:
    assert is_forbidden(ipaddress.ip_address(ip))


def test_public_addresses_pass() -> None:
    assert not is_forbidden(ipaddress.ip_address("93.184.216.34"))
    assert not is_forbidden(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


def _resolver(*ips: str) -> Any:
    def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]
    return resolve


def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    with pytest.raises(UnsafeUrl):
        resolve_safe("https://hooks.example/x", False, _resolver("93.184.216.34", "10.0.0.7"))
    assert resolve_safe("https://hooks.example/x", False, _resolver("93.184.216.34"))
    with pytest.raises(UnsafeUrl):
        resolve_safe("http://hooks.example/x", False, _resolver("93.184.216.34"))


def test_cursor_round_trip_and_tampering() -> None:
    assert cursors.decode(cursors.encode({0: 5, 3: 9})) == {0: 5, 3: 9}
    assert cursors.decode(None) == {}
    for bad in ("x", "c1.!!!", "c1." + "e30", "c1.W1stMSwyXV0"):
        with pytest.raises(cursors.CursorError):
            cursors.decode(bad)
    assert cursors.advance({0: 5}, [(0, 7), (1, 2), (0, 6)]) == {0: 7, 1: 2}


def _raw_cursor(raw: bytes) -> str:
    return "c1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("raw", [
    json.dumps([[0, 10**30]]).encode(), json.dumps([[2**63, 1]]).encode(), b"[[0,1e400]]",
    json.dumps([[0, 2**63]]).encode(), json.dumps([[2**31, 0]]).encode(), b"[[0,-2]]",
    b"[[0,1.5]]", b"[[true,1]]", b'[["0",1]]', b"[[0,1,2]]", b"[0]", b"{}", b"[[0,NaN]]",
    b"[" * 1500 + b"]" * 1500,
])
def test_out_of_range_or_malformed_cursors_raise_cursor_error_only(raw: bytes) -> None:
    with pytest.raises(cursors.CursorError):
        cursors.decode(_raw_cursor(raw))


def test_cursor_bounds_are_kafkas() -> None:
    top = {2**31 - 1: 2**63 - 1, 0: -1}
    assert cursors.decode(cursors.encode(top)) == top


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300).map(_raw_cursor))
def test_any_cursor_decodes_or_raises_cursor_error(cursor: str) -> None:
    try:
        positions = cursors.decode(cursor)
    except cursors.CursorError:
        return
    assert all(0 <= p < 2**31 and -1 <= o < 2**63 for p, o in positions.items())


def test_token_bucket_throttles_and_refills() -> None:
    now = [0.0]
    buckets = TokenBuckets(2.0, 3, clock=lambda: now[0])
    assert [buckets.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k") == 1.0
    assert buckets.take("other") == 0.0
    now[0] += 0.5
    assert buckets.take("k") == 0.0


def test_state_transitions_are_idempotent() -> None:
    assert should_store(None, "referral") and should_store("withdrawn", "referral")
    assert not should_store("active", "referral")
    assert should_store("active", "withdrawal")
    assert not should_store(None, "withdrawal") and not should_store("withdrawn", "withdrawal")


def test_retry_schedule_410_and_retry_after() -> None:
    cfg = FeedConfig(database_url="sqlite://", retry_schedule_s=(5, 300), jitter_ratio=0.2)
    assert next_step(1, 200, None, cfg) == ("succeeded", 0.0)
    assert next_step(1, 410, None, cfg)[0] == "disabled"
    outcome, delay = next_step(1, 500, None, cfg, rng=lambda: 1.0)
    assert outcome == "retry" and delay == pytest.approx(6.0)
    assert next_step(2, None, None, cfg, rng=lambda: 0.0)[1] == pytest.approx(240.0)
    assert next_step(3, 500, None, cfg)[0] == "failed"
    assert next_step(1, 429, 120.0, cfg, rng=lambda: 0.5)[1] == 120.0
    assert next_step(1, 500, 120.0, cfg, rng=lambda: 0.5)[1] == 5.0  # only on 429/502/503/504
    assert parse_retry_after("7", 0) == 7.0
    assert parse_retry_after("soon", 0) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0


def test_projection_keeps_only_allow_listed_fields() -> None:
    referral = Referral.model_validate({
        "referral_id": referral_id_for("v", "c"), "kind": "referral", "vacancy_id": "v",
        "employer_id": "e", "client_id": "c", "score": 0.5,
        "explanation": {"matched_skills": [], "missing_required_skills": [],
                        "distance_km": 1.0, "components": {"skills": 0.5}},
        "created_at": "2026-11-20T10:00:00+00:00", "matcher_version": "1"})
    view = project(referral, event_id="msg_1", client_ref="cr_x")
    assert "client_id" not in view and "employer_id" not in view
    assert "matcher_version" not in view and view["created_at"] == "2026-11-20T10:00:00Z"


def test_client_ref_is_employer_scoped() -> None:
    key = b"k" * 32
    assert client_ref(key, "e1", "c") != client_ref(key, "e2", "c")
    assert client_ref(key, "e1", "c") == client_ref(key, "e1", "c")
    assert client_ref(key, "e1\nc", "") != client_ref(key, "e1", "\nc")


def test_outcome_model_rules() -> None:
    base = {"referral_id": referral_id_for("v", "c"), "employer_id": "e",
            "reported_at": "2026-11-20T10:00:00Z"}
    ReferralOutcome.model_validate({**base, "outcome": "hired"})
    with pytest.raises(ValidationError):
        ReferralOutcome.model_validate({**base, "outcome": "rejected"})
    with pytest.raises(ValidationError):
        ReferralOutcome.model_validate({**base, "outcome": "rejected", "reason": "x" * 501})
    with pytest.raises(ValidationError):
        ReferralOutcome.model_validate({**base, "outcome": "ghosted"})
    with pytest.raises(ValidationError):
        ReferralOutcome.model_validate({**base, "outcome": "hired", "extra": 1})


def test_erasure_time_is_the_tombstones_timestamp_capped_at_now() -> None:
    assert erasure_time(1_700_000_000_123, now=1_800_000_000.0) == 1_700_000_000.123
    assert erasure_time(1_900_000_000_000, now=1_800_000_000.0) == 1_800_000_000.0  # skewed
    assert erasure_time(-1, now=5.0) == 5.0  # no timestamp on the record
    assert erasure_time(None, now=5.0) == 5.0


def test_the_consumer_waits_out_a_broker_outage_while_finding_partitions(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by the broker-restart reliability test: a restart during start-up made
    # partitions_for_topic raise, and the feed consumer exited instead of waiting.
    from kafka.errors import KafkaConnectionError

    from services.feed import consumer as consumer_mod
    from services.feed.consumer import FeedConsumer

    monkeypatch.setattr(consumer_mod.time, "sleep", lambda _s: None)
    answers: list[Any] = [KafkaConnectionError("111 ECONNREFUSED")] * 3 + [{1, 0}]

    class Consumer:
        def partitions_for_topic(self, _topic: str) -> set[int]:
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer  # type: ignore[no-any-return]

    feed = FeedConsumer(store=None, config=FeedConfig(database_url="sqlite://"))  # type: ignore[arg-type]
    parts = feed._partitions(Consumer(), "t")
    assert [(tp.topic, tp.partition) for tp in parts] == [("t", 0), ("t", 1)]
    assert answers == []
