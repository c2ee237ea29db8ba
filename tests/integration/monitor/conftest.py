"""Fixtures for the monitor's browser test: a real `jobmatch monitor serve`, a real Chromium."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemas.topics import CANONICAL
from services.kafka_local.topics_admin import ensure_topics

JOBMATCH = str(Path(sys.executable).with_name("jobmatch"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def monitor_url(kafka_bootstrap: str, tmp_path: Path) -> Iterator[str]:
    ensure_topics(kafka_bootstrap, CANONICAL)
    port = _free_port()
    log = (tmp_path / "monitor.log").open("w")
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    proc = subprocess.Popen(
        [JOBMATCH, "monitor", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--poll-interval", "1", "--health-url", f"monitor=http://127.0.0.1:{port}/healthz"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"monitor exited with {proc.returncode}: "
                            f"{(tmp_path / 'monitor.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("monitor not ready within 60 s: "
                            f"{(tmp_path / 'monitor.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        # Fail, never skip: a skipped browser test is a green CI run that checked nothing.
        pytest.fail(f"{', '.join(missing)} not found: install Debian's packages with "
                    "`apt-get install -y chromium chromium-driver`", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="jobmatch-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                     "--window-size=1280,3200"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()
