"""`jobmatch status --json` reads the real broker directly, with no monitor server running."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.integration.monitor.conftest import JOBMATCH

pytestmark = pytest.mark.integration


def test_status_json_reports_the_key_figures(kafka_bootstrap: str) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    done = subprocess.run([JOBMATCH, "status", "--json", "--window", "1"], env=env,
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    summary = report["summary"]
    assert summary["collector"]["caught_up"] is True
    assert "jobmatch.referrals.v1" in summary["throughput"]["rates"]
    assert {"groups", "series"} <= set(summary["lag"])
    assert {"total", "latest"} <= set(summary["dead_letters"])
    assert all("payload" not in d for d in summary["dead_letters"]["latest"])
    assert [d["dimension"] for d in report["equality"]["dimensions"]] == [
        "ethnic_group", "disability", "age_band", "sex"]
