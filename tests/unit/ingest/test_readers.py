"""The record readers: JSON Lines and CSV, with the awkward bytes real files contain."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas import MAX_RECORD_BYTES, Rejected, Valid
from services.ingest.readers import Unreadable, check, read_csv, read_jsonl
from services.ingest.synthetic import client_record


def jsonl(data: bytes) -> list[tuple[int, object]]:
    return list(read_jsonl(io.BytesIO(data)))


def csv_rows(data: bytes) -> list[tuple[int, object]]:
    return list(read_csv(io.BytesIO(data)))


def test_jsonl_lines_numbered_blank_lines_skipped_bom_and_crlf_stripped() -> None:
    data = b'\xef\xbb\xbf{"a": 1}\r\n\r\n   \n{"b": 2}\n{"c": 3}'
    assert jsonl(data) == [(1, b'{"a": 1}'), (4, b'{"b": 2}'), (5, b'{"c": 3}')]


def test_jsonl_invalid_utf8_spoils_one_line_only() -> None:
    rows = jsonl(b'{"a": "\xff"}\n{"b": 2}\n')
    assert rows[1] == (2, b'{"b": 2}')
    verdict = check("client", rows[0][1])  # type: ignore[arg-type]
    assert isinstance(verdict, Rejected)
    assert "UTF-8" in verdict.reason


def test_jsonl_oversized_line_is_unreadable_and_the_next_line_still_read() -> None:
    big = b'{"x": "' + b"y" * (MAX_RECORD_BYTES + 10) + b'"}'
    rows = jsonl(big + b"\n{}\n")
    assert rows[0][0] == 1
    assert isinstance(rows[0][1], Unreadable)
    assert rows[0][1].reason.startswith("record too large")
    assert len(rows[0][1].raw) <= MAX_RECORD_BYTES + 2
    assert rows[1] == (2, b"{}")


def test_jsonl_valid_client_line_validates() -> None:
    line = json.dumps(client_record("c-1")).encode()
    [(number, raw)] = jsonl(line + b"\n")
    assert number == 1
    assert isinstance(check("client", raw), Valid)  # type: ignore[arg-type]


HEADER = (b"client_id,updated_at,status,skills,lat,lon,postcode,hours_min,hours_max,"
          b"right_to_work,consent_to_share,max_travel_km,monitoring_disability,"
          b"monitoring_age_band\r\n")


def test_csv_row_becomes_a_contract_record() -> None:
    data = (b"\xef\xbb\xbf" + HEADER +
            b"c-1,2026-11-20T09:30:00Z,job_ready,forklift; first aid ;,52.5,-1.9,B1 1AA,"
            b"16,37.5,true,FALSE,20,false,25-34\r\n")
    [(line, record)] = csv_rows(data)
    assert line == 2
    assert record == {
        "client_id": "c-1", "updated_at": "2026-11-20T09:30:00Z", "status": "job_ready",
        "skills": ["forklift", "first aid"],
        "location": {"lat": 52.5, "lon": -1.9, "postcode": "B1 1AA"},
        "hours_per_week": {"min": 16.0, "max": 37.5},
        "right_to_work": True, "consent_to_share": False, "max_travel_km": 20.0,
        "monitoring": {"disability": False, "age_band": "25-34"},
    }
    assert isinstance(check("client", record), Valid)  # type: ignore[arg-type]


def test_csv_empty_cell_is_absent_and_default_applies() -> None:
    data = HEADER + b"c-1,2026-11-20T09:30:00Z,job_ready,,52.5,-1.9,,,,true,true,,,\n"
    [(_, record)] = csv_rows(data)
    verdict = check("client", record)  # type: ignore[arg-type]
    assert isinstance(verdict, Valid)
    assert verdict.record.max_travel_km == 15.0
    assert verdict.record.hours_per_week is None


def test_csv_text_in_a_number_column_is_rejected_by_field_name() -> None:
    data = HEADER + b"c-1,2026-11-20T09:30:00Z,job_ready,,north,-1.9,,,,true,true,,,\n"
    [(_, record)] = csv_rows(data)
    verdict = check("client", record)  # type: ignore[arg-type]
    assert isinstance(verdict, Rejected)
    assert "location.lat" in verdict.reason


def test_csv_blank_lines_quoted_newlines_bad_utf8_and_extra_cells() -> None:
    data = (b"client_id,programme\n\n"
            b'c-1,"two\nlines"\n'
            b"c-\xff2,x\n"
            b"c-3,a,b\n"
            b"c-4,ok\n")
    rows = csv_rows(data)
    assert [n for n, _ in rows] == [3, 5, 6, 7]
    assert rows[0][1] == {"client_id": "c-1", "programme": "two\nlines"}
    assert isinstance(rows[1][1], Unreadable)
    assert "UTF-8" in rows[1][1].reason
    assert isinstance(rows[2][1], Unreadable)
    assert "cells" in rows[2][1].reason
    assert rows[3][1] == {"client_id": "c-4", "programme": "ok"}


def test_csv_unknown_column_is_rejected_by_the_contract() -> None:
    [(_, record)] = csv_rows(b"client_id,skils\nc-1,x\n")
    verdict = check("client", record)  # type: ignore[arg-type]
    assert isinstance(verdict, Rejected)
    assert "skils: unknown field" in verdict.reason


def test_csv_vacancy_numbers_and_booleans() -> None:
    data = (b"vacancy_id,employer_id,employer_name,updated_at,status,title,lat,lon,positions,"
            b"remote,required_skills,closing_date\n"
            b"v-1,e-1,Acme,2026-11-20T09:30:00Z,open,Picker,52,-1,2,true,a;b,2026-12-31\n")
    [(_, record)] = csv_rows(data)
    verdict = check("vacancy", record)  # type: ignore[arg-type]
    assert isinstance(verdict, Valid), verdict
    assert verdict.record.max_referrals == 6


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_readers_never_crash_and_every_record_gets_a_verdict(data: bytes) -> None:
    for reader in (read_jsonl, read_csv):
        for line, raw in reader(io.BytesIO(data)):
            assert line >= 1
            verdict = check("client", raw)
            assert isinstance(verdict, Valid | Rejected)
            if isinstance(verdict, Rejected):
                assert verdict.reason
