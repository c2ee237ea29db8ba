"""Record readers: JSON Lines and CSV files -> ``(line_number, raw)``, one per record.

``raw`` is what ``schemas.validate`` takes, or an :class:`Unreadable` when the reader itself
could not make a record of the line (invalid UTF-8 in CSV, a line over the size cap, a CSV row
with too many cells). Pass every ``raw`` to :func:`check` (or ``schemas.validate`` after
ruling out ``Unreadable``): a reader never raises for bad data and never stops early, so one
bad line costs one dead letter, not the file.

- JSON Lines: one JSON object per line; UTF-8, an optional BOM, LF or CRLF; blank lines are
  skipped (and not counted as records). ``raw`` is the line's bytes without the line ending.
- CSV: a header row, then one record per row; the columns are documented in
  ``docs/csv-format.md``. ``raw`` is a dict built from the row. The line number is the row's
  first physical line (a quoted cell may span lines).

The batch command (``jobmatch match``) reads its files with these same readers.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from schemas import MAX_RECORD_BYTES, Rejected, Valid, validate
from schemas.validation import RecordKind

__all__ = [
    "RawRecord",
    "Unreadable",
    "check",
    "csv_row_to_record",
    "detect_format",
    "read_csv",
    "read_jsonl",
    "read_records",
]

_BOM = b"\xef\xbb\xbf"
_READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class Unreadable:
    """A line the reader could not turn into a record: ``reason`` is safe to log."""

    reason: str
    raw: bytes


RawRecord = bytes | dict[str, Any] | Unreadable


def check(kind: RecordKind, raw: RawRecord) -> Valid | Rejected:
    """The verdict on one raw record: ``schemas.validate``, with reader failures as rejections."""
    if isinstance(raw, Unreadable):
        return Rejected(raw.reason)
    return validate(kind, raw)


# --- JSON Lines ------------------------------------------------------------------------------


def _lines(fh: IO[bytes], cap: int) -> Iterator[tuple[int, bytes, int]]:
    """Physical lines as ``(number, head, full_length)``; ``head`` holds at most ``cap + 1``
    bytes, so a multi-gigabyte line never sits in memory."""
    number = 0
    while True:
        line = fh.readline(cap + 2)
        if not line:
            return
        number += 1
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM):]
        length = len(line)
        if not line.endswith(b"\n"):
            # Longer than the cap (or the last line without a newline): drain the rest.
            while True:
                more = fh.readline(_READ_CHUNK)
                if not more:
                    break
                length += len(more)
                if more.endswith(b"\n"):
                    break
        yield number, line, length


def _strip_eol(line: bytes) -> bytes:
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line


def read_jsonl(source: Path | IO[bytes]) -> Iterator[tuple[int, RawRecord]]:
    """Yield ``(line_number, raw_bytes)`` for each non-blank line of a JSON Lines file."""
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from read_jsonl(fh)
        return
    for number, head, length in _lines(source, MAX_RECORD_BYTES):
        line = _strip_eol(head)
        if not line.strip():
            continue
        eol = length - len(line) if length == len(head) else 0
        if length - eol > MAX_RECORD_BYTES:
            reason = f"record too large: {length - eol} bytes > {MAX_RECORD_BYTES}"
            yield number, Unreadable(reason, line)
            continue
        yield number, line


# --- CSV -------------------------------------------------------------------------------------

_LIST_FIELDS = frozenset({
    "skills", "certifications", "desired_roles", "languages",
    "required_skills", "desired_skills", "required_certifications",
})
_FLOAT_FIELDS = frozenset({"max_travel_km"})
_INT_FIELDS = frozenset({"positions", "max_referrals"})
_BOOL_FIELDS = frozenset({"right_to_work", "consent_to_share", "remote", "requires_right_to_work"})
# CSV column -> (nested object, field, type)
_NESTED: dict[str, tuple[str, str, str]] = {
    "lat": ("location", "lat", "float"),
    "lon": ("location", "lon", "float"),
    "postcode": ("location", "postcode", "str"),
    "hours_min": ("hours_per_week", "min", "float"),
    "hours_max": ("hours_per_week", "max", "float"),
    "monitoring_ethnic_group": ("monitoring", "ethnic_group", "str"),
    "monitoring_disability": ("monitoring", "disability", "bool"),
    "monitoring_age_band": ("monitoring", "age_band", "str"),
    "monitoring_sex": ("monitoring", "sex", "str"),
}
_INT_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _number(text: str, kind: str) -> Any:
    """Parse a number cell; text that is not a number stays text, so the validator rejects it
    with the field's name (we never guess)."""
    s = text.strip()
    if kind == "int":
        return int(s) if _INT_RE.fullmatch(s) else text
    if _FLOAT_RE.fullmatch(s):
        value = float(s)
        return value if math.isfinite(value) else text
    return text


def _bool(text: str) -> Any:
    s = text.strip().lower()
    return {"true": True, "false": False}.get(s, text)


def _convert(kind: str, text: str) -> Any:
    if kind in {"float", "int"}:
        return _number(text, kind)
    if kind == "bool":
        return _bool(text)
    return text


def csv_row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row (header -> cell) as a contract-shaped dict. An empty cell is absent."""
    record: dict[str, Any] = {}
    for column, cell in row.items():
        if cell == "":
            continue
        if column in _NESTED:
            parent, name, kind = _NESTED[column]
            record.setdefault(parent, {})[name] = _convert(kind, cell)
        elif column in _LIST_FIELDS:
            record[column] = [item.strip() for item in cell.split(";") if item.strip()]
        elif column in _FLOAT_FIELDS:
            record[column] = _number(cell, "float")
        elif column in _INT_FIELDS:
            record[column] = _number(cell, "int")
        elif column in _BOOL_FIELDS:
            record[column] = _bool(cell)
        else:
            # Other columns (ids, times, enums, text, unknown ones) go as text: an unknown
            # column is rejected by the contract, by name.
            record[column] = cell
    return record


def _physical_rows(fh: IO[bytes]) -> Iterator[tuple[int, bytes, int]]:
    """Logical CSV rows as ``(first_line, bytes, length)``: lines are joined while a quoted
    cell is open, up to the size cap."""
    start, size = 0, 0
    parts: list[bytes] = []
    for number, head, length in _lines(fh, MAX_RECORD_BYTES):
        if not parts:
            start = number
        parts.append(head)
        size += length
        # Quotes are ASCII, so counting them in bytes is exact even with invalid UTF-8.
        if length == len(head) and size <= MAX_RECORD_BYTES and b"".join(parts).count(b'"') % 2:
            continue
        yield start, b"".join(parts), size
        start, size, parts = 0, 0, []
    if parts:
        yield start, b"".join(parts), size


def read_csv(source: Path | IO[bytes]) -> Iterator[tuple[int, RawRecord]]:  # noqa: PLR0912
    """Yield ``(line_number, record_dict)`` for each data row of a CSV file with a header.

    Rows are decoded one at a time, so invalid UTF-8 spoils one record, not the file.
    Blank lines are skipped.
    """
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from read_csv(fh)
        return
    header: list[str] | None = None
    for start, data, length in _physical_rows(source):
        raw = _strip_eol(data)
        if not raw.strip():
            continue
        if length > len(data) or len(raw) > MAX_RECORD_BYTES:
            if header is not None:
                yield start, Unreadable(f"record too large: {length} bytes > {MAX_RECORD_BYTES}",
                                        raw)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if header is not None:
                yield start, Unreadable(f"not valid UTF-8 at byte {exc.start}", raw)
            continue
        if raw.count(b'"') % 2:
            if header is not None:
                yield start, Unreadable("CSV row ends inside a quoted cell", raw)
            continue
        try:
            cells = next(csv.reader([text.replace("\r\n", "\n")]), [])
        except csv.Error as exc:
            if header is not None:
                yield start, Unreadable(f"CSV row cannot be parsed: {exc}", raw)
            continue
        if header is None:
            header = [h.strip() for h in cells]
            continue
        if len(cells) > len(header):
            yield start, Unreadable(
                f"CSV row has {len(cells)} cells but the header has {len(header)}", raw)
            continue
        yield start, csv_row_to_record(dict(zip(header, cells, strict=False)))


# --- dispatch ------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """``csv`` for ``*.csv``, else ``jsonl`` (``.jsonl``, ``.ndjson``, ``.json``)."""
    return "csv" if path.suffix.lower() == ".csv" else "jsonl"


def read_records(path: Path) -> Iterator[tuple[int, RawRecord]]:
    """Read a JSON Lines or CSV file, chosen by its suffix."""
    return read_csv(path) if detect_format(path) == "csv" else read_jsonl(path)
