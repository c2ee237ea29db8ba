"""The monitor's state, fed literal records as the collector would."""

from __future__ import annotations

import json
from typing import Any

from schemas.topics import CLIENTS, DEADLETTERS, REFERRALS, VACANCIES
from services.monitor.config import MonitorConfig
from services.monitor.state import GroupSample, MonitorState, OffsetSample
from services.monitor.views import equality_json, summary_json

NOW = 1_800_000_000.0


def _state() -> MonitorState:
    return MonitorState(MonitorConfig(bootstrap_servers="unused:9092"))


def _client(cid: str, *, status: str = "job_ready", consent: bool = True,
            updated: str = "2026-11-20T09:00:00Z", **monitoring: Any) -> bytes:
    record: dict[str, Any] = {
        "client_id": cid, "updated_at": updated, "status": status, "consent_to_share": consent,
        "right_to_work": True, "location": {"lat": 52.48, "lon": -1.89}, "skills": ["forklift"],
    }
    if monitoring:
        record["monitoring"] = monitoring
    return json.dumps(record).encode()


def _referral(cid: str, vid: str, *, kind: str = "referral", score: float = 0.7,
              created: str = "2026-11-20T09:00:05Z") -> bytes:
    return json.dumps({
        "referral_id": f"ref-{vid}-{cid}", "kind": kind, "vacancy_id": vid, "employer_id": "e",
        "client_id": cid, "score": score, "created_at": created, "matcher_version": "t",
        "explanation": {"matched_skills": [], "missing_required_skills": [], "distance_km": 1.0,
                        "components": {}},
    }).encode()


def _feed(state: MonitorState, topic: str, key: str, value: bytes | None, ts_s: float) -> None:
    state.apply(topic, key.encode(), value, int(ts_s * 1000), now_s=NOW)


def test_latest_profile_wins_and_tombstones_erase() -> None:
    s = _state()
    _feed(s, CLIENTS.name, "c1", _client("c1", updated="2026-11-20T10:00:00Z", sex="f"), NOW)
    _feed(s, CLIENTS.name, "c1", _client("c1", status="paused", updated="2026-11-20T09:00:00Z"),
          NOW)
    assert s.clients["c1"].eligible  # the older update was ignored
    _feed(s, CLIENTS.name, "c1", _client("c1", consent=False, updated="2026-11-20T11:00:00Z"),
          NOW)
    assert not s.clients["c1"].eligible
    _feed(s, CLIENTS.name, "c1", None, NOW)
    assert "c1" not in s.clients


def test_only_status_consent_and_groups_are_kept() -> None:
    s = _state()
    _feed(s, CLIENTS.name, "c1", _client("c1", ethnic_group="Asian", disability=True), NOW)
    kept = repr(s.clients["c1"])
    assert "forklift" not in kept and "52.48" not in kept
    assert "Asian" in kept


def test_referrals_withdrawals_scores_and_latency() -> None:
    s = _state()
    created = "2026-11-20T09:00:05Z"
    input_s = 1_795_165_200.0  # 2026-11-20T09:00:00Z
    _feed(s, CLIENTS.name, "c1", _client("c1"), input_s - 60)
    _feed(s, VACANCIES.name, "v1", b"{}", input_s)
    _feed(s, REFERRALS.name, "v1", _referral("c1", "v1", score=0.95, created=created), NOW - 5)
    _feed(s, REFERRALS.name, "v2", _referral("c1", "v2", score=0.55), NOW - 5)  # v2 unseen
    _feed(s, REFERRALS.name, "v1", _referral("c1", "v1", score=0.95), NOW - 4)  # repeat
    _feed(s, REFERRALS.name, "v2", _referral("c1", "v2", kind="withdrawal"), NOW - 3)
    summary = summary_json(s, now_s=NOW)
    refs = summary["referrals"]
    assert (refs["referrals_total"], refs["withdrawals_total"]) == (3, 1)
    assert (refs["active"], refs["clients_with_active"]) == (1, 1)
    assert refs["referrals_per_min"] == round(3 / 300 * 60, 3)
    assert summary["scores"]["counts"][19] == 2 and summary["scores"]["counts"][11] == 1
    assert summary["latency"]["samples"] == 2
    assert summary["latency"]["p50_s"] == 5.0


def test_dead_letters_are_counted_and_redacted() -> None:
    s = _state()
    for i in range(60):
        dead = {"source": "http", "position": f"req-{i}:0", "record_type": "client",
                "reason": "client_id: looks like a National Insurance number",
                "payload": '{"client_id": "QQ123456C"}', "payload_bytes": 27,
                "truncated": False, "rejected_at": "2026-11-20T09:30:00Z"}
        _feed(s, DEADLETTERS.name, f"req-{i}:0", json.dumps(dead).encode(), NOW)
    _feed(s, DEADLETTERS.name, "x", b"not json", NOW)
    dl = summary_json(s, now_s=NOW)["dead_letters"]
    assert dl["total"] == 60
    assert dl["by_source"] == {"http": 60}
    assert dl["top_reasons"] == [("client_id", 60)]
    assert len(dl["latest"]) == 50 and dl["latest"][0]["position"] == "req-59:0"
    assert "QQ123456C" not in json.dumps(dl)
    assert summary_json(s, now_s=NOW)["collector"]["unreadable"] == {DEADLETTERS.name: 1}


def test_offsets_give_throughput_and_lag() -> None:
    s = _state()
    tp = (REFERRALS.name, 0)
    group = GroupSample("jobmatch-matcher", "Stable", ({"client_id": "w1"},), {tp: 40})
    s.record_offsets(OffsetSample(NOW, {tp: 100}, {tp: 0}, (group,)))
    s.record_offsets(OffsetSample(NOW + 2, {tp: 160}, {tp: 0}, (group,)))
    summary = summary_json(s, now_s=NOW + 2)
    assert summary["throughput"]["rates"] == {REFERRALS.name: 30.0}
    assert len(summary["throughput"]["series"]) == 1
    assert summary["lag"]["groups"][0]["total_lag"] == 120
    assert summary["lag"]["series"][-1]["lags"] == {"jobmatch-matcher": 120}


def test_equality_from_the_stream_hides_small_groups() -> None:
    s = _state()
    for i in range(12):
        _feed(s, CLIENTS.name, f"a{i}", _client(f"a{i}", sex="female"), NOW)
        _feed(s, CLIENTS.name, f"b{i}", _client(f"b{i}", sex="male"), NOW)
    for i in range(5):  # groups of 5 and 6: never shown (11 together, so nothing else hidden)
        _feed(s, CLIENTS.name, f"x{i}", _client(f"x{i}", sex="other"), NOW)
    for i in range(6):
        _feed(s, CLIENTS.name, f"y{i}", _client(f"y{i}", sex="prefer not to say"), NOW)
    _feed(s, CLIENTS.name, "p", _client("p", status="paused", sex="female"), NOW)
    for i in range(6):
        _feed(s, REFERRALS.name, "v", _referral(f"a{i}", "v"), NOW)
    for i in range(2):
        _feed(s, REFERRALS.name, "v", _referral(f"b{i}", "v"), NOW)
    _feed(s, REFERRALS.name, "v", _referral("x0", "v"), NOW)
    eq = equality_json(s)
    text = json.dumps(eq)
    assert "other" not in text and "prefer" not in text
    sex = next(d for d in eq["dimensions"] if d["dimension"] == "sex")
    assert sex["flagged"] == ["male"]
    assert sex["reference_group"] == "female"
    male = next(g for g in sex["groups"] if g["group"] == "male")
    assert (male["eligible"], male["selected"], male["impact_ratio"]) == (12, 2, 0.3333)
    assert summary_json(s, now_s=NOW)["equality_flags"] >= 1
    # A withdrawal takes the client out of the selected count.
    _feed(s, REFERRALS.name, "v", _referral("b0", "v", kind="withdrawal"), NOW)
    sex = next(d for d in equality_json(s)["dimensions"] if d["dimension"] == "sex")
    assert next(g for g in sex["groups"] if g["group"] == "male")["selected"] == 1
