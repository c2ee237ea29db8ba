"""Validate -> publish or dead-letter -> account, with a hand-written fake publisher."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import CLIENTS, DEADLETTERS, PAYLOAD_CAP_BYTES, ClientProfile, DeadLetter
from services.errors import DeliveryFailed, ServiceError
from services.ingest.files import ingest_files
from services.ingest.pipeline import Ingestor
from services.ingest.readers import read_jsonl
from services.ingest.synthetic import BAD_KINDS, bad_client_line, client_record
from services.ingest.testing import FakePublisher, Sent

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def write_jsonl(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "clients.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_records_are_keyed_by_id_and_re_serialised_with_defaults(tmp_path: Path) -> None:
    rec = client_record("c-1")
    del rec["max_travel_km"]
    fake = FakePublisher()
    accounting = ingest_files([write_jsonl(tmp_path, [json.dumps(rec)])], "client", fake)
    assert (accounting.read, accounting.published, accounting.rejected) == (1, 1, 0)
    [sent] = fake.on(CLIENTS.name)
    assert sent.key == b"c-1"
    assert sent.value is not None
    assert json.loads(sent.value)["max_travel_km"] == 15.0  # the default, made explicit
    assert ClientProfile.model_validate_json(sent.value).client_id == "c-1"


def test_each_bad_kind_becomes_a_dead_letter_with_position_and_reason(tmp_path: Path) -> None:
    lines = [json.dumps(client_record("ok-1"))]
    lines += [bad_client_line(kind, f"bad-{i}") for i, kind in enumerate(BAD_KINDS)]
    path = write_jsonl(tmp_path, lines)
    fake = FakePublisher()
    accounting = ingest_files([path], "client", fake)
    assert accounting.as_json() == {"read": 11, "published": 1, "rejected": 10}
    letters = [DeadLetter.model_validate_json(s.value or b"") for s in fake.on(DEADLETTERS.name)]
    for i, (letter, fragment) in enumerate(zip(letters, BAD_KINDS.values(), strict=True)):
        assert letter.position == f"{path}:{i + 2}"
        assert letter.source == "file"
        assert letter.record_type == "client"
        assert fragment in letter.reason
        assert len(letter.payload.encode()) <= PAYLOAD_CAP_BYTES + 3 * PAYLOAD_CAP_BYTES
    oversized = letters[list(BAD_KINDS).index("oversized")]
    assert oversized.truncated


def test_unacknowledged_records_are_named_and_accounting_reconciles(tmp_path: Path) -> None:
    lines = [json.dumps(client_record(f"c-{i}")) for i in range(10)]
    lines.append(bad_client_line("bad_enum", "x"))
    path = write_jsonl(tmp_path, lines)
    fake = FakePublisher(fail_when=lambda s: s.key in (b"c-3", b"c-7"))
    accounting = ingest_files([path], "client", fake)
    assert (accounting.read, accounting.published, accounting.rejected) == (11, 8, 1)
    assert [(f.position, f.record_id) for f in accounting.failures] == [
        (f"{path}:4", "c-3"), (f"{path}:8", "c-7")]
    assert accounting.read == accounting.published + accounting.rejected + accounting.failed
    summary = accounting.as_json()
    assert summary["failed"] == 2
    assert summary["not_published"] == [{"position": f"{path}:4", "id": "c-3"},
                                        {"position": f"{path}:8", "id": "c-7"}]


def test_a_failed_dead_letter_is_counted_as_failed_not_rejected(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [bad_client_line("bad_enum", "x")])
    fake = FakePublisher(fail_when=lambda s: s.topic == DEADLETTERS.name)
    accounting = ingest_files([path], "client", fake)
    assert (accounting.rejected, accounting.failed) == (0, 1)
    assert accounting.failures[0].record_id == "-"


def test_tombstone_has_no_value_and_logs_no_personal_data(caplog: Any) -> None:
    fake = FakePublisher()
    ingestor = Ingestor(fake, "client", "http")
    ingestor.submit_tombstone("req-1", "c-9")
    caplog.set_level("INFO")
    accounting = ingestor.finish()
    assert fake.sent == [Sent(CLIENTS.name, b"c-9", None)]
    assert accounting.published == 1


def test_rejections_are_logged_without_values(caplog: Any) -> None:
    caplog.set_level("DEBUG")
    rec = client_record("c-1")
    rec["skills"] = ["SECRET-SKILL-VALUE"] * 101
    rec["location"]["postcode"] = "NOT A POSTCODE ZZZ"
    ingestor = Ingestor(FakePublisher(), "client", "file")
    ingestor.submit("f:1", json.dumps(rec).encode())
    ingestor.finish()
    assert "skills" in caplog.text
    assert "SECRET-SKILL-VALUE" not in caplog.text
    assert "NOT A POSTCODE" not in caplog.text


def test_dead_letter_of_a_csv_dict_keeps_a_readable_payload() -> None:
    fake = FakePublisher()
    Ingestor(fake, "client", "file", now=NOW).submit("f.csv:2", {"client_id": "c-1"})
    fake.flush()
    letter = DeadLetter.model_validate_json(fake.on(DEADLETTERS.name)[0].value or b"")
    assert json.loads(letter.payload) == {"client_id": "c-1"}
    assert letter.rejected_at == NOW


def test_delivery_failed_names_positions_and_ids() -> None:
    exc = DeliveryFailed([("f:1", "c-1"), ("f:2", "c-2")], "broker away")
    assert isinstance(exc, ServiceError)
    assert exc.failed == (("f:1", "c-1"), ("f:2", "c-2"))
    assert "f:1 (c-1)" in str(exc)


# --- property-based: mutated records never crash the validator or the reader ---------------

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False),
    st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
_FIELDS = [*client_record("x").keys(), "location.lat", "location.postcode", "hours_per_week.min",
           "unknown", "monitoring"]


@st.composite
def mutated_client(draw: st.DrawFn) -> dict[str, Any]:
    rec = copy.deepcopy(client_record(draw(st.from_regex(r"[A-Za-z0-9._-]{1,10}", fullmatch=True))))
    for _ in range(draw(st.integers(0, 4))):
        field = draw(st.sampled_from(_FIELDS))
        parent, _, child = field.partition(".")
        target = rec.get(parent) if child else rec
        key = child or parent
        if not isinstance(target, dict):
            continue
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(_VALUES)
    return rec


@settings(max_examples=300, deadline=None)
@given(mutated_client(), st.integers(0, 40))
def test_mutated_records_are_accepted_or_rejected_with_a_reason(rec: dict[str, Any],
                                                                cut: int) -> None:
    line = json.dumps(rec)
    if cut:
        line = line[:-cut]  # also truncated JSON
    fake = FakePublisher()
    ingestor = Ingestor(fake, "client", "file")
    for number, raw in read_jsonl(io.BytesIO(line.encode() + b"\n")):
        verdict = ingestor.submit(f"f:{number}", raw)
        assert verdict.status in ("accepted", "rejected")
        if verdict.status == "rejected":
            assert verdict.reason
    accounting = ingestor.finish()
    assert accounting.read == accounting.published + accounting.rejected
    for sent in fake.on(CLIENTS.name):
        # What reaches the canonical topic validates again, identically.
        assert ClientProfile.model_validate_json(sent.value or b"").client_id == (
            sent.key or b"").decode()
