"""The single validation path: errors are data, never exceptions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import MAX_RECORD_BYTES, Rejected, Valid, validate
from schemas.validation import _validate_slow
from tests.fixtures import make_client, make_vacancy


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "invalid JSON"),
    (b"[]", "expected a JSON object"),
    (b"\"a string\"", "expected a JSON object"),
    (b"\xff\xfe", "not valid UTF-8"),
    (b'{"lat": NaN}', "NaN"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
    (b"", "invalid JSON"),
    # Over Python's 4,300-digit int conversion limit: a plain ValueError from json.loads.
    (b'{"max_travel_km": ' + b"9" * 5000 + b"}", "invalid JSON: number too long"),
    (b'{"max_travel_km": -' + b"9" * 5000 + b"}", "invalid JSON: number too long"),
])
def test_malformed_input_is_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    result = validate("client", raw)
    assert isinstance(result, Rejected) and reason in result.reason


def test_oversized_record_is_rejected_before_parsing() -> None:
    raw = json.dumps(make_vacancy(description="x" * MAX_RECORD_BYTES)).encode()
    result = validate("vacancy", raw)
    assert isinstance(result, Rejected) and "too large" in result.reason


def test_largest_valid_vacancy_fits_the_size_cap() -> None:
    big = make_vacancy(description="é" * 20_000, required_skills=["s" * 200] * 50,
                       desired_skills=["d" * 200] * 50, required_certifications=["c" * 200] * 50)
    assert isinstance(validate("vacancy", json.dumps(big, ensure_ascii=False)), Valid)


def test_reason_never_contains_the_value() -> None:
    secret = "Lives at 12 Acacia Avenue"
    result = validate("client", json.dumps(make_client(skills=[secret * 20])))
    assert isinstance(result, Rejected)
    assert "Acacia" not in result.reason


def test_unknown_field_is_named_first() -> None:
    record = make_client()
    record["clientid"] = record.pop("client_id")
    result = validate("client", json.dumps(record))
    assert isinstance(result, Rejected)
    assert result.reason.startswith("clientid: unknown field")


def test_parsed_mappings_are_accepted_too() -> None:
    assert isinstance(validate("vacancy", make_vacancy()), Valid)


_MUTATIONS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
    st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2026-11-20T09:30:00Z", "2026-11-20", "2026-12-31", "job_ready", "open",
                     "AB123456C", "B1 1AA", "", "x" * 201]),
)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(["client", "vacancy"]), data=st.data())
def test_fast_and_slow_paths_agree_on_mutated_records(kind: str, data: st.DataObject) -> None:
    record = make_client() if kind == "client" else make_vacancy()
    field = data.draw(st.sampled_from([*record, "unknown_field"]))
    if data.draw(st.booleans()) and field in record:
        del record[field]
    else:
        record[field] = data.draw(_MUTATIONS)
    raw = json.dumps(record).encode()
    fast = validate(kind, raw)  # type: ignore[arg-type]
    slow = _validate_slow(kind, raw)  # type: ignore[arg-type]
    assert type(fast) is type(slow), (fast, slow)
    if isinstance(fast, Valid) and isinstance(slow, Valid):
        assert fast.record == slow.record


def test_a_5000_digit_number_in_a_valid_record_is_rejected_on_both_paths() -> None:
    raw = json.dumps(make_client(max_travel_km=1)).replace(
        '"max_travel_km": 1', '"max_travel_km": ' + "9" * 5000)
    for result in (validate("client", raw), _validate_slow("client", raw)):
        assert isinstance(result, Rejected) and result.reason == "invalid JSON: number too long"


# Arbitrary input of either type, plus text that looks like JSON (so the parsers get past the
# first byte): never an exception, always a verdict.
_JSONISH = st.recursive(
    st.sampled_from(["0", "-1", "1e400", "9" * 4301, "NaN", "true", "null", '"x"', '"\\ud800"',
                     "1.5", "[]", "{}"]),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.lists(st.tuples(st.text(max_size=8), inner), max_size=4).map(
            lambda kv: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in kv) + "}")),
    max_leaves=12)


@settings(max_examples=500, deadline=None)
@given(kind=st.sampled_from(["client", "vacancy"]),
       raw=st.binary(max_size=400) | st.text(max_size=400) | _JSONISH
       | _JSONISH.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_validate_never_raises_for_any_input(kind: str, raw: bytes | str) -> None:
    for result in (validate(kind, raw), _validate_slow(kind, raw)):  # type: ignore[arg-type]
        assert isinstance(result, Valid | Rejected)
        if isinstance(result, Rejected):
            assert result.reason
