"""Dead letters are shown allow-listed and scrubbed, never with their payload."""

from __future__ import annotations

from services.monitor.redaction import REDACTED, dead_letter_view, reason_key, redact_text

PAYLOAD = '{"client_id": "c-1", "monitoring": {"ethnic_group": "Black"}, "postcode": "B1 1AA"}'


def test_view_keeps_only_allowed_fields_and_never_the_payload() -> None:
    view = dead_letter_view({
        "source": "file", "position": "clients.jsonl:12", "record_type": "client",
        "reason": "location.lat: Input should be less than or equal to 90",
        "payload": PAYLOAD, "payload_bytes": 87, "truncated": False,
        "rejected_at": "2026-11-20T09:30:00Z", "extra": "x",
    })
    assert view == {
        "source": "file", "position": "clients.jsonl:12", "record_type": "client",
        "reason": "location.lat: Input should be less than or equal to 90",
        "payload_bytes": 87, "rejected_at": "2026-11-20T09:30:00+00:00",
    }
    assert "Black" not in str(view)


def test_personal_data_in_reasons_is_masked() -> None:
    text = redact_text("bad: jo.bloggs@example.org QQ 12 34 56 C at B1 1AA born 2001-02-03 "
                       "tel 07700 900123 lat 52.4862")
    for leaked in ("jo.bloggs", "QQ 12", "B1 1AA", "2001-02-03", "07700", "52.4862"):
        assert leaked not in text
    assert text.startswith("bad: " + REDACTED)


def test_long_text_is_capped_and_odd_values_are_dropped() -> None:
    assert len(redact_text("x" * 1000)) == 300
    view = dead_letter_view({"reason": 5, "payload_bytes": True, "rejected_at": "yesterday"})
    assert view["reason"] == "" and view["payload_bytes"] is None and view["rejected_at"] == ""


def test_reason_key_is_the_first_failing_field() -> None:
    assert reason_key("location.lat: too big; status: bad") == "location.lat"
    assert reason_key("invalid JSON: Expecting value at column 1") == "invalid JSON"
    assert reason_key("") == "unknown"
