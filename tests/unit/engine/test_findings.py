"""Regression tests for the evaluation engineer's findings (must-have skills, certification
wording, skill synonyms and splitting, determinism)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.matcher.engine import MatchConfig, Matcher, score_pair
from services.matcher.engine.certifications import default_certifications, strip_notes
from services.matcher.engine.features import split_skill
from services.matcher.engine.ranking import coverage, good_enough
from services.matcher.engine.scoring import phrase_similarity
from services.matcher.engine.taxonomy import default_taxonomy
from tests.unit.engine.conftest import NOW, cf, client, vacancy, vf

ROOT = Path(__file__).resolve().parents[3]


def holds(client_certs: list[str], required: str) -> bool:
    index = default_certifications()
    return index.required_key(required) in index.held_keys(client_certs)


# ---- 1. every required skill is a must-have -------------------------------------------------


def test_client_missing_one_required_skill_is_never_referred() -> None:
    v = vf(required_skills=["forklift driving", "stock control", "goods in"])
    partial = cf(skills=["forklift driving", "stock control"])
    full = cf(skills=["forklift driving", "stock control", "goods in"])
    config = MatchConfig()
    assert coverage(score_pair(partial, v, config)) == pytest.approx(2 / 3)
    assert not good_enough(score_pair(partial, v, config), config)
    assert coverage(score_pair(full, v, config)) == 1.0
    assert good_enough(score_pair(full, v, config), config)


def test_candidate_index_only_returns_clients_covering_every_required_skill() -> None:
    m = Matcher()
    m.upsert_client(client(client_id="c-all", skills=["cash handling", "customer service"]), NOW)
    m.upsert_client(client(client_id="c-half", skills=["cash handling"]), NOW)
    events = m.upsert_vacancy(vacancy(required_skills=["till operation", "customer care"],
                                      desired_skills=[]), NOW)
    assert [e.client_id for e in events] == ["c-all"]


def test_weak_skill_match_is_listed_missing_not_matched() -> None:
    v = vf(required_skills=["outbound calls"], desired_skills=[])
    scored = score_pair(cf(skills=["inbound calls"]), v, MatchConfig())
    assert scored.required == ((0.0, -1),)


# ---- 2. noise words never collapse a certification into another -----------------------------


@pytest.mark.parametrize("phrase", ["driver qualification card", "DQC card", "Driver CPC"])
def test_driver_qualification_card_is_driver_cpc(phrase: str) -> None:
    assert default_certifications().resolve(phrase) == "driver_cpc"
    assert not holds(["full UK driving licence"], phrase)


@pytest.mark.parametrize("phrase", ["driver card", "driver", "card", "qualification"])
def test_bare_or_ambiguous_qualifiers_resolve_to_nothing(phrase: str) -> None:
    assert default_certifications().resolve(phrase) is None


# ---- 3. common certification wordings and trailing notes -----------------------------------


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("eDBS", "enhanced DBS"),
        ("EDBS (in date)", "enhanced DBS certificate"),
        ("IPAF licence", "IPAF"),
        ("IPAF card", "IPAF"),
        ("IPAF PAL card", "IPAF"),
        ("DBS basic disclosure", "basic DBS check"),
        ("1 day emergency first aid", "EFAW"),
        ("full UK driving licence (in date)", "Cat B licence"),
        ("Cat B licence (valid until 2027)", "full UK driving licence"),
        ("HGV 2 - current", "HGV Class 2"),
        ("FAW - held 3 yrs", "first aid at work"),
        ("level 2 food safety (valid until 2027)", "food hygiene level 2"),
        ("HSC LEEVL 3 (in date)", "NVQ level 3 health and social care"),  # typo in "level"
        ("hgv clsas 2", "HGV Class 2"),  # typo in "class"
        ("SIA PSS CCTV", "SIA CCTV licence"),
        ("L3 food hygiene", "food hygiene level 3"),
    ],
)
def test_common_wordings_resolve(held: str, required: str) -> None:
    assert holds([held], required)


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("Cat B licence (valid until 2027)", "HGV Class 2"),  # the year is no class
        ("1 day first aid", "first aid at work"),  # a 1-day course is not the 3-day one
        ("1 day first aid at work", "first aid at work"),  # contradictory: nothing
        ("eDBS", "basic DBS"),
        ("L2 food hygiene", "food hygiene level 3"),
        ("CSCS green card (expired)", "CSCS green card"),
        ("working towards level 2 food hygiene", "food hygiene level 2"),
    ],
)
def test_notes_never_cross_category_level_or_class(held: str, required: str) -> None:
    assert not holds([held], required)


def test_strip_notes_keeps_meaningful_brackets() -> None:
    assert strip_notes("CSCS card (green)") == "CSCS card (green)"
    assert strip_notes("forklift licence (counterbalance)") == "forklift licence (counterbalance)"
    assert strip_notes("Cat B licence (valid until 2027)") == "Cat B licence"
    assert strip_notes("IPAF card expires 06/2027") == "IPAF card"
    assert strip_notes("CSCS (expired)") is None


# ---- 4. skill synonyms, containment, typos and two skills in one box ------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("walkaround checks", "vehicle checks"),
        ("defect reporting", "daily vehicle checks"),
        ("navigation", "route planning"),
        ("ratchet straps", "load securing"),
        ("hand and power tools", "power tools"),
        ("groundworks labouring", "general labouring"),
        ("commis chef skills", "food preparation"),
        ("quality control", "quality checks"),
        ("paper filing", "filing"),
        ("operating tills", "till operation"),  # stems
        ("customer seervice", "customer care"),  # a typo, corrected word by word
        ("KP duties", "kitchen porter"),  # filler word
    ],
)
def test_same_skill(a: str, b: str) -> None:
    tax = default_taxonomy()
    fa = cf(skills=[a]).skills[0]
    fb = vf(required_skills=[b]).required[0]
    assert phrase_similarity(fb, fa) >= MatchConfig().min_skill_similarity, (
        tax.lookup(a), tax.lookup(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("deep cleaning", "office cleaning"),
        ("outbound calls", "inbound calls"),
        ("stock control", "stock replenishment"),
        ("quality checks", "vehicle checks"),
        ("hod carrying", "general labouring"),
        ("machine operation", "production line"),
        ("customer database", "customer service"),
        ("de-escalation", "complaint handling"),
    ],
)
def test_different_skills(a: str, b: str) -> None:
    fa = cf(skills=[a]).skills[0]
    fb = vf(required_skills=[b]).required[0]
    assert phrase_similarity(fb, fa) < MatchConfig().min_skill_similarity


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("MS Office, inbound calls", ["MS Office", "inbound calls"]),
        ("goods inward, pick and pack", ["goods inward", "pick and pack"]),
        ("carrying heavy loads & prepping food", ["carrying heavy loads", "prepping food"]),
        ("loading/unloading", ["loading/unloading"]),  # one skill
        ("hand and power tools", ["hand and power tools"]),
        ("Word and Excel", ["Word and Excel"]),
        # Skills with "and" inside them: the longest known spans, left to right.
        ("moving & handling & MAR charts", ["moving & handling", "MAR charts"]),
        ("writing care plans & washing and dressing",
         ["writing care plans", "washing and dressing"]),
        ("cleaning and cooking and driving", ["cleaning and cooking and driving"]),  # unknown
    ],
)
def test_two_skills_in_one_box_are_split(typed: str, parts: list[str]) -> None:
    assert split_skill(typed, default_taxonomy()) == parts


def test_client_item_is_split_at_every_joint_even_when_no_part_is_known() -> None:
    """A vacancy's parts become requirements, so its item splits only into known skills; a
    client's keeps its whole and adds its parts, so it splits whatever they are."""
    tax = default_taxonomy()
    typed = "cleaning and cooking and driving"
    assert split_skill(typed, tax) == [typed]
    assert split_skill(typed, tax, every_part_known=False) == ["cleaning", "cooking", "driving"]


def test_client_parts_named_only_by_meaning_each_meet_a_requirement() -> None:
    # Neither part is a dictionary phrase; each is read by meaning alone. Typed together they
    # read as neither, so before clients' items were split at every joint, no bar was met.
    client = cf(skills=["stacking shelves at night and serving pints"])
    for required in ("bar work", "shelf stacking"):
        scored = score_pair(client, vf(required_skills=[required], desired_skills=[]),
                            MatchConfig())
        assert coverage(scored) == 1.0, required


def test_split_client_item_covers_both_required_skills() -> None:
    v = vf(required_skills=["Microsoft Office", "telephone skills"], desired_skills=[])
    scored = score_pair(cf(skills=["MS Office, inbound calls"]), v, MatchConfig())
    assert coverage(scored) == 1.0


# ---- 5. determinism across PYTHONHASHSEED -----------------------------------------------------


def _run_batch(tmp: Path, hash_seed: str, clients: Path, vacancies: Path) -> str:
    out = tmp / f"out-{hash_seed}.jsonl"
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-c", "from services.cli import main; main()", "match",
         "--clients", str(clients),
         "--vacancies", str(vacancies), "--output", str(out), "--now",
         "2026-11-20T09:00:00Z", "--quiet"],
        check=True, cwd=ROOT, env=env, timeout=300,
    )
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_batch_output_is_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    from services.evaluation.generator import generate

    gen = generate(600, 60, seed=5)
    clients, vacancies = tmp_path / "c.jsonl", tmp_path / "v.jsonl"
    clients.write_text("".join(json.dumps(r) + "\n" for r in gen.clients), encoding="utf-8")
    vacancies.write_text("".join(json.dumps(r) + "\n" for r in gen.vacancies), encoding="utf-8")
    first = _run_batch(tmp_path, "1", clients, vacancies)
    second = _run_batch(tmp_path, "2024", clients, vacancies)
    assert first.count("\n") > 10
    assert first == second
