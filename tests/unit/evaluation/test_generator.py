"""The generator: deterministic, contract-valid, and labels that agree with the truth."""

from __future__ import annotations

import json

import pytest

from schemas import Valid, validate
from services.evaluation.dataset import build, load, write
from services.evaluation.generator import generate
from services.evaluation.render import HELD_OUT, SEEN


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    gen = generate(600, 60, seed=11)
    return gen, build(gen)


def test_same_seed_same_bytes() -> None:
    a, b = generate(300, 30, seed=5), generate(300, 30, seed=5)
    assert json.dumps(a.clients) == json.dumps(b.clients)
    assert json.dumps(a.vacancies) == json.dumps(b.vacancies)
    assert a.truth == b.truth
    assert json.dumps(generate(300, 30, seed=6).clients) != json.dumps(a.clients)


def test_every_record_is_a_valid_contract_record(small) -> None:  # type: ignore[no-untyped-def]
    gen, _ = small
    for row in gen.clients:
        assert isinstance(validate("client", json.dumps(row)), Valid), row
    for row in gen.vacancies:
        assert isinstance(validate("vacancy", json.dumps(row)), Valid), row


def test_pool_tags_stay_out_of_the_records(small) -> None:  # type: ignore[no-untyped-def]
    gen, data = small
    assert not any("pool" in row for row in gen.clients + gen.vacancies)
    pools = {t["pool"] for t in data.labels["truth"]["clients"].values()}
    assert pools == {SEEN, HELD_OUT}


def test_no_forbidden_or_ambiguous_pair_is_relevant(small) -> None:  # type: ignore[no-untyped-def]
    _, data = small
    for lab in data.labels["vacancies"].values():
        relevant = set(lab["relevant"])
        assert not relevant & set(lab["forbidden"])
        assert not relevant & set(lab["ambiguous"])


def test_relevant_clients_truly_hold_every_must_have(small) -> None:  # type: ignore[no-untyped-def]
    _, data = small
    truth = data.labels["truth"]
    for vid, lab in data.labels["vacancies"].items():
        vt = truth["vacancies"][vid]
        for cid in lab["relevant"]:
            ct = truth["clients"][cid]
            assert set(vt["required_skills"]) <= set(ct["skills"])
            assert set(vt["required_certs"]) <= set(ct["certs"])


def test_set_has_the_cases_it_promises(small) -> None:  # type: ignore[no-untyped-def]
    _, data = small
    labels = data.labels["vacancies"].values()
    reasons = {r for lab in labels for rs in lab["forbidden"].values() for r in rs}
    assert {"too_far", "missing_certification", "client_not_job_ready", "no_consent"} <= reasons
    # Some vacancies have more relevant clients than room, so capping matters.
    assert any(len(lab["relevant"]) > lab["max_referrals"] for lab in labels)
    assert sum(len(lab["relevant"]) for lab in labels) > 0
    # Older versions of some records are present: latest-wins is exercised.
    assert len(data.clients) > len(data.current_clients())


def test_round_trip_through_files(tmp_path, small) -> None:  # type: ignore[no-untyped-def]
    gen, data = small
    write(tmp_path, gen, data)
    again = load(tmp_path)
    assert again.labels == json.loads(json.dumps(data.labels))
    assert [c.client_id for c in again.clients] == [c.client_id for c in data.clients]
