"""`jobmatch tail` prints one JSON line per record; tombstones and non-JSON stay JSON Lines."""

from __future__ import annotations

import json

from click.testing import CliRunner

from services.tail import format_record, tail


def test_a_json_value_is_printed_as_is_on_one_line() -> None:
    line = format_record(b"v-1", b'{\n  "vacancy_id": "v-1", "score": 0.5\n}')
    assert "\n" not in line
    assert json.loads(line) == {"vacancy_id": "v-1", "score": 0.5}


def test_a_tombstone_names_its_key() -> None:
    assert json.loads(format_record(b"c-1", None)) == {"_tombstone": True, "key": "c-1"}


def test_a_value_that_is_not_a_json_object_is_wrapped() -> None:
    out = json.loads(format_record(None, b"\xffnot json"))
    assert out["_invalid"] is True and out["key"] is None and "not json" in out["value"]


def test_unknown_topic_is_refused_with_the_known_names() -> None:
    result = CliRunner().invoke(tail, ["nope"])
    assert result.exit_code == 2
    assert "referrals" in result.output
