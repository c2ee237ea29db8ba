"""Hostile inputs shared by the abuse tests: hand-written cases every path must survive."""

from __future__ import annotations

import json

from services.ingest.synthetic import client_record

__all__ = ["BIG_INT", "DEEP_ARRAY", "hostile_client_bodies"]

DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
# Python refuses to parse integers of more than 4,300 digits with a ValueError that is not a
# JSONDecodeError (CVE-2020-10735 mitigation).
BIG_INT = "9" * 5000


def _with(rec: dict[str, object], field: str, raw_json: str) -> str:
    """``rec`` as JSON with ``field`` set to the raw JSON text ``raw_json``."""
    text = json.dumps({**rec, field: "@@"})
    return text.replace('"@@"', raw_json)


def hostile_client_bodies(cid: str) -> dict[str, bytes]:
    """name -> request body / file line. Every one must get a verdict, never a crash."""
    rec = client_record(cid)
    return {
        "huge_string": json.dumps({**rec, "programme": "x" * 1_000_000}).encode(),
        "deep_json_in_field": _with(rec, "programme", "[" * 100_000 + "]" * 100_000).encode(),
        "invalid_utf8": b'{"client_id": "' + cid.encode() + b'\xff\xfe", "x": 1}',
        "sql_and_html": json.dumps({**rec, "skills": ["'; DROP TABLE clients; --"],
                                    "programme": "<script>alert(1)</script>"}).encode(),
        "path_like_id": json.dumps({**rec, "client_id": "../../etc/passwd"}).encode(),
        "nul_byte_id": json.dumps({**rec, "client_id": cid + "\u0000"}).encode(),
        "lone_surrogate": _with(rec, "programme", '"\\ud800"').encode(),
        "number_1e400": _with(rec, "max_travel_km", "1e400").encode(),
        "nan": _with(rec, "max_travel_km", "NaN").encode(),
        "duplicate_keys": (json.dumps(rec)[:-1] + ', "status": "paused"}').encode(),
        "not_an_object": b"12",
        "empty": b"",
        "unknown_field_dob": json.dumps({**rec, "date_of_birth": "1990-01-31"}).encode(),
    }
