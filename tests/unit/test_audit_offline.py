"""The offline dependency audit (scripts/audit_offline.py) against a synthetic advisory
database: OSV range semantics, and the exit code on the installed environment."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_offline.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_offline", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _advisory(name: str, events: list[dict[str, str]], versions: list[str] | None = None,
              ident: str = "PYSEC-0000-1") -> dict[str, object]:
    return {"id": ident, "aliases": ["CVE-0000-1"],
            "affected": [{"package": {"name": name, "ecosystem": "PyPI"},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}],
                          "versions": versions or []}]}


@pytest.mark.parametrize(("events", "version", "expected"), [
    ([{"introduced": "0"}, {"fixed": "2.0"}], "1.9.9", True),
    ([{"introduced": "0"}, {"fixed": "2.0"}], "2.0", False),
    ([{"introduced": "1.5"}, {"fixed": "2.0"}], "1.4", False),
    ([{"introduced": "0"}, {"last_affected": "2.0"}], "2.0", True),
    ([{"introduced": "0"}, {"last_affected": "2.0"}], "2.0.1", False),
    # Two intervals: affected again from 3.0 until 3.2.
    ([{"introduced": "0"}, {"fixed": "2.0"}, {"introduced": "3.0"}, {"fixed": "3.2"}],
     "3.1", True),
    ([{"introduced": "0"}, {"fixed": "2.0"}, {"introduced": "3.0"}, {"fixed": "3.2"}],
     "2.5", False),
])
def test_osv_ranges(audit: ModuleType, events: list[dict[str, str]], version: str,
                    expected: bool) -> None:
    assert audit.is_affected(_advisory("Some_Pkg", events), "some-pkg", version) is expected


def test_an_explicit_version_list_counts_and_other_packages_do_not(audit: ModuleType) -> None:
    adv = _advisory("other", [], versions=["1.0"])
    assert audit.is_affected(adv, "other", "1.0")
    assert not audit.is_affected(adv, "mine", "1.0")


def test_the_script_flags_an_installed_version_and_passes_a_fixed_one(tmp_path: Path) -> None:
    have = metadata.version("click")
    vulns = tmp_path / "vulns" / "click"
    vulns.mkdir(parents=True)
    bad = _advisory("click", [{"introduced": "0"}, {"fixed": "999"}], ident="PYSEC-TEST-1")
    (vulns / "PYSEC-TEST-1.yaml").write_text(yaml.safe_dump(bad))
    run = subprocess.run([sys.executable, str(SCRIPT), "--db", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr
    assert f"VULNERABLE click {have}: PYSEC-TEST-1" in run.stdout

    fixed = _advisory("click", [{"introduced": "0"}, {"fixed": "0.1"}], ident="PYSEC-TEST-1")
    (vulns / "PYSEC-TEST-1.yaml").write_text(yaml.safe_dump(fixed))
    run = subprocess.run([sys.executable, str(SCRIPT), "--db", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no known vulnerabilities" in run.stdout
