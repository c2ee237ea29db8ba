"""The dashboard in a real browser: records produced to the real topics show up, live.

The broker and its canonical topics are shared with other tests, so every id and every
monitoring group label is unique to this run, and figures are checked as changes from what the
page showed before, never as absolute values.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.structs import OffsetAndMetadata
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from schemas import (
    CLIENTS,
    DEADLETTERS,
    REFERRALS,
    VACANCIES,
    ClientProfile,
    DeadLetter,
    Referral,
    Vacancy,
    referral_id_for,
)
from tests.integration.monitor.conftest import ARTIFACTS

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).isoformat()
SECRET_EMAIL = "jo.bloggs@example.org"


def _client(cid: str, group: str) -> bytes:
    return ClientProfile.model_validate({
        "client_id": cid, "updated_at": NOW, "status": "job_ready", "consent_to_share": True,
        "right_to_work": True, "location": {"lat": 52.48, "lon": -1.89},
        "monitoring": {"ethnic_group": group, "age_band": "25-34"},
    }).model_dump_json().encode()


def _referral(vid: str, cid: str, kind: str = "referral", score: float = 0.8) -> bytes:
    return Referral.model_validate({
        "referral_id": referral_id_for(vid, cid), "kind": kind, "vacancy_id": vid,
        "employer_id": "emp-it", "client_id": cid, "score": score, "created_at":
        datetime.now(UTC).isoformat(), "matcher_version": "it",
        "explanation": {"matched_skills": [], "missing_required_skills": [], "distance_km": 1.0,
                        "components": {}},
    }).model_dump_json().encode()


def _number(driver: Any, element_id: str) -> int:
    text = driver.find_element(By.ID, element_id).text
    return int(text) if text.isdigit() else 0


def _wait_text(driver: Any, element_id: str, expected: str, timeout: float = 30) -> None:
    WebDriverWait(driver, timeout).until(
        lambda d: d.find_element(By.ID, element_id).text == expected,
        message=f"#{element_id} never showed {expected!r}")


def _row(driver: Any, dimension: str, group: str) -> Any:
    found = driver.find_elements(
        By.CSS_SELECTOR, f'table[data-dimension="{dimension}"] tr[data-group="{group}"]')
    return found[0] if found else None


def test_dashboard_shows_live_figures(monitor_url: str, browser: Any, kafka_bootstrap: str) -> None:
    # Eight digits: an id with letters could look like a postcode and be masked, by design.
    run = f"{uuid.uuid4().int % 10**8:08d}"
    browser.get(monitor_url)
    _wait_text(browser, "collector-status", "live")
    dead_before = _number(browser, "dl-total")
    refs_before = _number(browser, "ref-total")
    withdrawn_before = _number(browser, "wd-total")

    groups = {f"it-{run}-a": 12, f"it-{run}-b": 12, f"it-{run}-c": 5, f"it-{run}-d": 6}
    referred = {f"it-{run}-a": 8, f"it-{run}-b": 2, f"it-{run}-c": 5, f"it-{run}-d": 0}
    vid = f"vac-{run}"
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    client_ids = []
    try:
        producer.send(VACANCIES.name, key=vid.encode(), value=Vacancy.model_validate({
            "vacancy_id": vid, "employer_id": "emp-it", "employer_name": "IT Ltd",
            "updated_at": NOW, "status": "open", "title": "Warehouse operative",
            "location": {"lat": 52.48, "lon": -1.89}, "max_referrals": 50,
        }).model_dump_json().encode())
        for group, size in groups.items():
            for i in range(size):
                cid = f"{group}-{i}"
                client_ids.append(cid)
                producer.send(CLIENTS.name, key=cid.encode(), value=_client(cid, group))
        producer.flush()
        for group, count in referred.items():
            for i in range(count):
                producer.send(REFERRALS.name, key=vid.encode(),
                              value=_referral(vid, f"{group}-{i}", score=0.5 + i / 40))
        producer.send(REFERRALS.name, key=vid.encode(),
                      value=_referral(vid, f"it-{run}-a-0", kind="withdrawal"))
        for i in range(3):
            dead = DeadLetter.build(source="http", position=f"it-{run}:{i}", record_type="client",
                                    reason=f"client_id: bad value from {SECRET_EMAIL}",
                                    raw=f'{{"client_id": "{SECRET_EMAIL}"}}')
            producer.send(DEADLETTERS.name, key=dead.position.encode(),
                          value=dead.model_dump_json().encode())
        producer.flush()

        # A consumer group that has read nothing of the referrals: the lag table must show it.
        group_id = f"it-monitor-{run}"
        lagging = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group_id,
                                enable_auto_commit=False)
        tp = TopicPartition(REFERRALS.name, 0)
        lagging.assign([tp])
        lagging.commit({tp: OffsetAndMetadata(0, "", -1)})
        lagging.close()

        _wait_text(browser, "dl-total", str(dead_before + 3))
        _wait_text(browser, "ref-total", str(refs_before + 15))
        _wait_text(browser, "wd-total", str(withdrawn_before + 1))
        WebDriverWait(browser, 30).until(
            lambda d: _row(d, "ethnic_group", f"it-{run}-b") is not None,
            message="equality row for group b never appeared")
        row_a = _row(browser, "ethnic_group", f"it-{run}-a")
        row_b = _row(browser, "ethnic_group", f"it-{run}-b")
        # a: 7 of 12 still referred (one withdrawn); b: 2 of 12, ratio 2/7 = 0.2857, flagged.
        # c and d (5 and 6 people) are hidden, so c's 100% cannot be the reference.
        assert row_a.find_element(By.CSS_SELECTOR, "td.selected").text == "7"
        assert row_b.find_element(By.CSS_SELECTOR, "td.ratio").text == "0.2857"
        assert row_b.find_element(By.CSS_SELECTOR, "td[data-flag]").get_attribute(
            "data-flag") == "yes"
        assert _row(browser, "ethnic_group", f"it-{run}-c") is None
        assert _row(browser, "ethnic_group", f"it-{run}-d") is None
        assert "not a legal test in the UK" in browser.find_element(By.ID, "eq-note").text
        WebDriverWait(browser, 30).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, f'summary[data-group="{group_id}"]'),
            message="the lagging consumer group never appeared")
        page = browser.page_source
        assert SECRET_EMAIL not in page and f"it-{run}-c" not in page
        assert f"it-{run}:2" in page  # the dead letter's position is shown
        ARTIFACTS.mkdir(exist_ok=True)
        height = browser.execute_script("return document.body.scrollHeight")
        browser.set_window_size(1280, min(int(height) + 40, 8000))
        browser.save_screenshot(str(ARTIFACTS / "monitor-dashboard.png"))

        # Erasure: tombstones remove the clients, and with them their groups.
        for cid in client_ids:
            producer.send(CLIENTS.name, key=cid.encode(), value=None)
        producer.flush()
        WebDriverWait(browser, 30).until(
            lambda d: _row(d, "ethnic_group", f"it-{run}-b") is None,
            message="tombstoned clients still shown")
        api = json.loads(browser.execute_script(
            "return fetch('/api/equality').then(r => r.text())"))
        assert f"it-{run}" not in json.dumps(api)
    finally:
        producer.close()
        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        try:
            admin.delete_groups([f"it-monitor-{run}"])
        finally:
            admin.close()
