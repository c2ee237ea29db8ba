"""Audit the installed Python distributions against a local copy of the PyPA advisory database.

``pip-audit`` needs PyPI's JSON API or api.osv.dev; where neither is reachable (this project's
build machine), this script does the same check offline against a checkout of
https://github.com/pypa/advisory-database (OSV YAML files under ``vulns/<package>/``). The
result is only as fresh as that copy: the script prints the copy's date so nobody mistakes an
old snapshot for a current audit.

    .venv/bin/python scripts/audit_offline.py --db PATH [--json]

PATH is a directory holding ``vulns/``, or a git repository (bare or not) of the database, whose
``HEAD`` is read. Exit code 0: no known vulnerability; 1: some found; 2: bad arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, str]:
    """canonical name -> version of every distribution in this interpreter's environment."""
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()
            if d.metadata["Name"]}


def is_affected(advisory: dict[str, Any], package: str, version: str) -> bool:
    """OSV semantics for the PyPI ecosystem: an explicit version list, or ECOSYSTEM ranges of
    introduced / fixed / last_affected events."""
    try:
        have = Version(version)
    except InvalidVersion:
        return False
    for affected in advisory.get("affected", []):
        if canonical(affected.get("package", {}).get("name", "")) != package:
            continue
        if version in {str(v) for v in affected.get("versions", [])}:
            return True
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and _in_range(rng.get("events", []), have):
                return True
    return False


def _in_range(events: list[dict[str, Any]], have: Version) -> bool:
    # Events are ordered; each "introduced" opens an interval that the next "fixed" or
    # "last_affected" closes.
    inside = False
    for event in events:
        for kind, raw in event.items():
            at = Version("0") if str(raw) == "0" else _version(str(raw))
            if at is None:
                continue
            if kind == "introduced" and have >= at:
                inside = True
            elif (kind == "fixed" and have >= at) or (kind == "last_affected" and have > at):
                inside = False
    return inside


def _version(raw: str) -> Version | None:
    try:
        return Version(raw)
    except InvalidVersion:
        return None


def fixed_versions(advisory: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(e["fixed"]) for a in advisory.get("affected", [])
                 for r in a.get("ranges", []) if r.get("type") == "ECOSYSTEM"
                 for e in r.get("events", []) if "fixed" in e)


def advisories(vulns: Path, package: str) -> Iterator[dict[str, Any]]:
    folder = vulns / package
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and not data.get("withdrawn"):
            yield data


def audit(vulns: Path, packages: dict[str, str]) -> list[Finding]:
    found = []
    for package, version in sorted(packages.items()):
        for adv in advisories(vulns, package):
            if is_affected(adv, package, version):
                found.append(Finding(package, version, str(adv.get("id")),
                                     tuple(adv.get("aliases") or ()), fixed_versions(adv)))
    return found


def _open_db(db: Path, scratch: Path) -> tuple[Path, str]:
    """The ``vulns`` folder to read, and a description of the copy's age."""
    if (db / "vulns").is_dir():
        return db / "vulns", f"directory {db}"
    try:
        head = subprocess.run(["git", "-C", str(db), "log", "-1", "--format=%H %cI"],
                              check=True, capture_output=True, text=True).stdout.strip()
        archive = subprocess.run(["git", "-C", str(db), "archive", "HEAD", "vulns"],
                                 check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"error: {db} is neither a folder with vulns/ nor a git copy of the "
                         f"advisory database ({exc})") from None
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(scratch, filter="data")
    commit, date = head.split()
    return scratch / "vulns", f"git commit {commit[:12]} of {date}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True,
                        help="a checkout (or git copy) of github.com/pypa/advisory-database")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    args = parser.parse_args(argv)
    packages = installed()
    with tempfile.TemporaryDirectory() as scratch:
        vulns, copy = _open_db(args.db, Path(scratch))
        known = sum(1 for p in packages if (vulns / p).is_dir())
        findings = audit(vulns, packages)
    if args.json:
        print(json.dumps({"database": copy, "distributions": len(packages),
                          "with_advisories": known,
                          "findings": [f.__dict__ for f in findings]}, indent=2))
    else:
        print(f"advisory database: {copy}")
        print(f"{len(packages)} distributions audited, {known} have advisories on record")
        for f in findings:
            print(f"VULNERABLE {f.package} {f.version}: {f.advisory} "
                  f"({', '.join(f.aliases)}) fixed in {', '.join(f.fixed_in) or '?'}")
        if not findings:
            print("no known vulnerabilities in this copy of the database")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
