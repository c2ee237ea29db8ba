"""The README's main command runs the whole pipeline: Kafka, matcher, ingest, referrals."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

JOBMATCH = str(Path(sys.executable).parent / "jobmatch")


def test_demo_shows_referrals_from_the_sample_data(kafka_bootstrap: str, tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent), "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "JOBMATCH_HOME": str(tmp_path)}
    proc = subprocess.run([JOBMATCH, "demo", "--keep-kafka"], env=env, capture_output=True,
                          text=True, timeout=400, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    made = re.search(r"(\d+) referrals to (\d+) vacancies", out)
    assert made is not None, out
    assert int(made.group(1)) >= 5
    # The look-alike licence: a Class 2 (C) holder is never referred to the Class 1 vacancy.
    assert not re.search(r"refer\s+bham-c009\s+-> HGV Class 1", out), out
    assert "stopping the matcher and removing its topics" in out
