"""The end-to-end accounting helper's own logic (no Kafka): each Jepsen anomaly is found, and
a clean run reports none."""

from __future__ import annotations

import pytest

from tests.reliability.accounting import Ledger, payload_hash


def _ledger() -> Ledger:
    return Ledger("run1")


def test_clean_run_has_no_anomalies() -> None:
    ledger = _ledger()
    ids = [ledger.new_id("c") for _ in range(3)]
    for i in ids:
        ledger.ack("state", i, f"{i}-v1")
    for n, i in enumerate(ids):
        ledger.observe("state", i, f"{i}-v1", partition=0, offset=n)
    report = ledger.report()
    assert report.clean() == []
    assert report.outcomes["state"].acknowledged == 3
    assert report.outcomes["state"].read == 3
    assert len(set(ids)) == 3 and all(i.startswith("run1-c") for i in ids)


def test_lost_write_versus_unseen() -> None:
    ledger = _ledger()
    for i in range(4):
        ledger.ack("state", f"k{i}", b"x")
    # k1 missing while k2 (acknowledged later) was read: lost. k3 after the last read: unseen.
    ledger.observe("state", "k0", b"x")
    ledger.observe("state", "k2", b"x")
    rep = ledger.report().outcomes["state"]
    assert rep.lost_write == ("k1",)
    assert rep.unseen == ("k3",)
    assert rep.lost == 2
    assert any("lost_write" in p for p in ledger.report().clean())


def test_record_duplicates_are_by_key_and_payload() -> None:
    ledger = _ledger()
    ledger.ack("state", "k", b"v1")
    ledger.ack("state", "k", b"v2")
    for value in (b"v1", b"v1", b"v2"):  # a re-send of v1, then the update v2
        ledger.observe("state", "k", value)
    report = ledger.report()
    rep = report.outcomes["state"]
    assert rep.duplicate == 1
    assert rep.duplicated_ids == (f"k#{payload_hash(b'v1')}",)
    assert rep.stale_final == ()
    assert report.clean(allow_duplicates={"state"}) == []
    assert any("duplicate" in p for p in report.clean())


def test_referral_duplicates_are_by_referral_id_alone() -> None:
    ledger = _ledger()
    ledger.ack("referral", "ref-1", b'{"created_at":"a"}')
    ledger.observe("referral", "ref-1", b'{"created_at":"a"}')
    ledger.observe("referral", "ref-1", b'{"created_at":"b"}')  # same referral, new time
    ledger.observe("withdrawal", "ref-1", b"w")  # a different outcome: not a duplicate
    ledger.ack("withdrawal", "ref-1", b"w")
    report = ledger.report()
    assert report.outcomes["referral"].duplicate == 1
    assert report.outcomes["withdrawal"].duplicate == 0
    assert report.total("duplicate") == 1


def test_stale_final_when_an_old_version_lands_last() -> None:
    ledger = _ledger()
    ledger.ack("state", "k", b"v1")
    ledger.ack("state", "k", b"v2")
    ledger.observe("state", "k", b"v2")
    ledger.observe("state", "k", b"v1")
    assert ledger.report().outcomes["state"].stale_final == ("k",)


def test_nonmonotonic_poll_within_a_partition() -> None:
    ledger = _ledger()
    for key, part, off in [("a", 0, 5), ("b", 1, 1), ("c", 0, 4), ("d", 0, 6)]:
        ledger.ack("state", key)
        ledger.observe("state", key, partition=part, offset=off)
    assert ledger.report().outcomes["state"].nonmonotonic_poll == 1


def test_wrong_outcome_and_unacknowledged() -> None:
    ledger = _ledger()
    ledger.ack("state", "good")
    ledger.ack("state", "bad")
    ledger.observe("state", "good")
    ledger.observe("dead_letter", "bad", b"reason")
    ledger.observe("state", "phantom")
    report = ledger.report()
    assert report.outcomes["state"].wrong_outcome == ("bad",)
    assert report.outcomes["state"].lost_write == ()
    assert report.outcomes["state"].unacknowledged == ("phantom",)
    # A wrongly routed record is read elsewhere, so it is not also unacknowledged there.
    assert report.outcomes["dead_letter"].unacknowledged == ()
    assert report.clean(allow_unacknowledged=True) == ["state: wrong_outcome 1 e.g. ['bad']"]
    assert len(report.clean(allow_unacknowledged=False)) == 2


def test_tombstones_have_their_own_identity() -> None:
    assert payload_hash(None) == "tombstone"
    assert payload_hash("é") == payload_hash("é".encode())
    ledger = _ledger()
    ledger.ack("state", "k", b"v")
    ledger.ack("state", "k", None)
    ledger.observe("state", "k", b"v")
    assert ledger.report().outcomes["state"].unseen == ("k",)


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        _ledger().ack("referal", "x")


def test_table_lists_only_outcomes_with_traffic() -> None:
    ledger = _ledger()
    ledger.ack("referral", "r")
    ledger.observe("referral", "r")
    table = ledger.report().table()
    assert "| referral | 1 | 1 | 0 | 0 | 0 |" in table
    assert "dead_letter" not in table
