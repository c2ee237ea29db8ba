"""Features computed up front on several processes are the features a Matcher computes itself,
and matching on them makes the same referrals."""

from __future__ import annotations

import json
import os
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from services.cli import main
from services.evaluation.dataset import Dataset, build
from services.evaluation.generator import generate
from services.matcher.batch import match_batch
from services.matcher.engine import ClientFeatures, Matcher, VacancyFeatures
from services.matcher.engine import batch_features as bf
from services.matcher.engine.batch_features import PreparedFeatures, prepare_features
from services.matcher.engine.certifications import default_certifications
from services.matcher.engine.taxonomy import default_taxonomy
from tests.unit.engine.conftest import client


@cache
def _data() -> Dataset:
    return build(generate(600, 120, 3), with_labels=False)


def _same_client(a: ClientFeatures, b: ClientFeatures) -> None:
    for name in ClientFeatures.__dataclass_fields__:
        if name != "vector":
            assert getattr(a, name) == getattr(b, name), name
    assert np.array_equal(a.vector.indices, b.vector.indices)
    assert np.array_equal(a.vector.values, b.vector.values)


def _same_vacancy(a: VacancyFeatures, b: VacancyFeatures) -> None:
    for name in VacancyFeatures.__dataclass_fields__:
        if name != "vector":
            assert getattr(a, name) == getattr(b, name), name
    assert np.array_equal(a.vector.indices, b.vector.indices)
    assert np.array_equal(a.vector.values, b.vector.values)


def _check_against_serial(prepared: PreparedFeatures) -> None:
    data, tax, certs = _data(), default_taxonomy(), default_certifications()
    for profile in data.clients:
        _same_client(prepared.client(profile, tax, certs),
                     ClientFeatures.from_profile(profile, tax, certs))
    for vacancy in data.vacancies:
        _same_vacancy(prepared.vacancy(vacancy, tax, certs),
                      VacancyFeatures.from_vacancy(vacancy, tax, certs))


def test_features_from_two_processes_equal_those_computed_one_by_one() -> None:
    data, tax, certs = _data(), default_taxonomy(), default_certifications()
    prepared = prepare_features(data.clients, data.vacancies, tax, certs, processes=2)
    _check_against_serial(prepared)
    assert prepared.hits == len(data.clients)  # every client was prepared, none recomputed
    assert prepared.misses == 0


def test_a_child_that_dies_loses_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    def dies(*_: object) -> None:
        os._exit(3)

    monkeypatch.setattr(bf, "_child", dies)
    data, tax, certs = _data(), default_taxonomy(), default_certifications()
    _check_against_serial(prepare_features(data.clients, data.vacancies, tax, certs,
                                           processes=2))


def test_same_referrals_with_prepared_features() -> None:
    data, tax, certs = _data(), default_taxonomy(), default_certifications()
    plain = match_batch(data.clients, data.vacancies, now=data.now)
    prepared = prepare_features(data.clients, data.vacancies, tax, certs, processes=2)
    matched = match_batch(data.clients, data.vacancies, now=data.now,
                          matcher=Matcher(None, tax, certs, features=prepared))
    assert len(plain) > 10
    assert [r.model_dump() for r in matched] == [r.model_dump() for r in plain]


def _child_started(prepared: PreparedFeatures) -> None:
    """Wait until the child took its first vacancies (so the test does not race it)."""
    ahead = prepared._ahead
    assert ahead is not None
    deadline = time.monotonic() + 30
    while ahead.cursors[1] == len(ahead.position) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_same_referrals_when_children_score_vacancies_ahead() -> None:
    data, tax, certs = _data(), default_taxonomy(), default_certifications()
    plain = match_batch(data.clients, data.vacancies, now=data.now)
    prepared = prepare_features(data.clients, data.vacancies, tax, certs, processes=2)
    matcher = Matcher(None, tax, certs, features=prepared)
    assert match_batch(data.clients, [], now=data.now, matcher=matcher) == []
    prepared.score_ahead(matcher, 2)
    _child_started(prepared)
    matched = match_batch([], data.vacancies, now=data.now, matcher=matcher)
    assert [r.model_dump() for r in matched] == [r.model_dump() for r in plain]
    ahead = prepared._ahead
    assert ahead is not None and ahead.results  # the child did score some of them


def test_scores_made_ahead_are_not_used_once_a_client_changes() -> None:
    data, tax, certs = _data(), default_taxonomy(), default_certifications()
    prepared = prepare_features(data.clients, data.vacancies, tax, certs, processes=2)
    matcher = Matcher(None, tax, certs, features=prepared)
    match_batch(data.clients, [], now=data.now, matcher=matcher)
    prepared.score_ahead(matcher, 2)
    _child_started(prepared)
    match_batch([], data.vacancies, now=data.now, matcher=matcher)
    ahead = prepared._ahead
    assert ahead is not None and ahead.results
    index = next(iter(ahead.results))
    scored_ahead = next(prepared.vacancy(v, tax, certs) for v in data.vacancies
                        if ahead.position.get(id(prepared.vacancy(v, tax, certs))) == index)
    assert prepared.scored(scored_ahead, matcher.client_version) is not None
    matcher.erase_client(data.clients[0].client_id, data.now)
    assert prepared.scored(scored_ahead, matcher.client_version) is None


def test_prepared_features_answer_only_for_the_very_record() -> None:
    tax, certs = default_taxonomy(), default_certifications()
    first = client(client_id="same", skills=["forklift driving"])
    # Same id and updated_at, different text: a file may hold both; the Matcher keeps the
    # first it is given, and must see that record's own features.
    second = client(client_id="same", skills=["cash handling"])
    prepared = PreparedFeatures(tax, certs, clients=[
        (first, ClientFeatures.from_profile(first, tax, certs))])
    assert prepared.client(second, tax, certs).skills[0].text == "cash handling"
    assert prepared.client(first, tax, certs).skills[0].text == "forklift driving"


def _cli(tmp_path: Path, processes: int) -> str:
    data = generate(600, 120, 3)
    clients, vacancies = tmp_path / "c.jsonl", tmp_path / "v.jsonl"
    clients.write_text("".join(json.dumps(r) + "\n" for r in data.clients))
    vacancies.write_text("".join(json.dumps(r) + "\n" for r in data.vacancies))
    out = tmp_path / f"out-{processes}.jsonl"
    result = CliRunner().invoke(main, [
        "match", "--clients", str(clients), "--vacancies", str(vacancies), "--output", str(out),
        "--now", "2026-11-20T09:00:00Z", "--processes", str(processes), "--quiet"])
    assert result.exit_code == 0, result.output
    return out.read_text()


def test_match_command_writes_the_same_bytes_on_one_or_two_processes(tmp_path: Path) -> None:
    one, two = _cli(tmp_path, 1), _cli(tmp_path, 2)
    assert one.count("\n") > 10
    assert one == two
