"""The cover rule names a certification typed in a new wording, only on clear evidence."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from services.matcher.engine.certifications import CertificationIndex, default_certifications
from services.matcher.engine.taxonomy import load_uk_data

ROOT = Path(__file__).resolve().parents[3]

CATEGORIES: list[dict[str, Any]] = [
    {"id": "ipaf_1b", "family": "ipaf", "aliases": ["IPAF static boom", "IPAF 1b"]},
    {"id": "ipaf_3b", "family": "ipaf", "aliases": ["IPAF mobile boom", "IPAF 3b", "boom lift"]},
    {"id": "door", "family": "sia", "aliases": ["SIA door supervisor licence"]},
    {"id": "hgv_c", "family": "dvla", "aliases": ["HGV class 2", "Cat C"]},
    {"id": "cpc", "aliases": ["HGV CPC", "driver qualification card"]},
    {"id": "hsc_2", "family": "hsc", "aliases": ["level 2 diploma in health and social care"]},
    {"id": "hsc_3", "family": "hsc", "aliases": ["level 3 diploma in health and social care"]},
    {"id": "plant_360", "family": "plant", "aliases": ["CPCS 360 excavator"]},
    {"id": "plant_dumper", "family": "plant", "aliases": ["CPCS dumper"]},
]
FAMILIES = {"dvla": {"generic_aliases": ["HGV driver"]}, "hsc": {"generic_aliases": []}}


@pytest.fixture(scope="module")
def index() -> CertificationIndex:
    return CertificationIndex(CATEGORIES, FAMILIES)


@pytest.mark.parametrize(
    ("phrase", "category"),
    [
        ("door supervisor badge", "door"),  # every word is the door licence's, another document
        ("mobile boom", "ipaf_3b"),
        ("IPAF mobile boom lift", "ipaf_3b"),  # words of two of its names at once
        ("NPORS 360", None),  # NPORS is no word of any name here
        ("CPCS 360", "plant_360"),  # "360" belongs to that category alone
        ("level 2 health and social care", "hsc_2"),  # the level chooses within the family
        ("social care level 3", "hsc_3"),
    ],
)
def test_names_a_category_its_words_cover(index: CertificationIndex, phrase: str,
                                          category: str | None) -> None:
    assert index.resolve(phrase) == category


@pytest.mark.parametrize(
    "phrase",
    [
        "IPAF boom",  # 1b and 3b both cover it: ambiguous
        "boom",
        "HGV driver card",  # its words also fit the generic HGV family
        "level 3 diploma",  # one family word: any level 3 diploma, not only care
        "health and social care",  # no level given: never choose one
        "level 4 diploma in health and social care",  # no such level in the family
        "CPCS",  # several plant categories
        "door supervisor manager",  # a word no name has
    ],
)
def test_names_nothing_without_clear_evidence(index: CertificationIndex, phrase: str) -> None:
    assert index.resolve(phrase) is None


@pytest.mark.parametrize("phrase", ["level 2", "Level 2 certificate", "lvl 1", "level 2 award"])
def test_a_bare_level_is_never_a_licence_class(phrase: str) -> None:
    # "level 2" says how high, not in what: it once read as "class 2", the HGV licence.
    assert default_certifications().resolve(phrase) is None


def test_class_numbers_still_name_licences() -> None:
    index = default_certifications()
    assert index.resolve("Class 2") == index.resolve("HGV class 2") is not None


def test_evidence_words_are_documents_but_not_typo_targets() -> None:
    index = default_certifications()
    assert index.resolve("COSHH training") == index.resolve("COSHH") is not None
    # "trainee" is a word of its own (a trainee card), never a misspelt "trained"
    assert index.resolve("CSCS trainee") == "cscs_red_trainee"


def _leave_out() -> Any:
    path = ROOT / "scripts" / "calibrate_certifications.py"
    spec = importlib.util.spec_from_file_location("calibrate_certifications", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.leave_out


def test_leave_out_of_the_shipped_aliases_names_none_wrongly() -> None:
    right, wrong, unnamed, wrongs = _leave_out()(5)
    assert wrong == 0, wrongs
    # Measured 983 of 1,106 with the cover rule (789 without it): a floor, not the figure.
    assert right >= 950, (right, unnamed)


def test_an_example_in_a_name_is_no_class_mark() -> None:
    # The labels give examples: "e.g." once read as "e" and "g", and "g" is a DVLA class
    # (road rollers), so the label carried a mark no wording of the category gives, and a
    # category known only by its label was never named.
    categories = [
        {"id": "ipaf_1b", "family": "ipaf", "aliases": [],
         "label": "IPAF category 1b (static boom, e.g. trailer-mounted)"},
        {"id": "ipaf_3b", "family": "ipaf", "aliases": [],
         "label": "IPAF category 3b (mobile boom, i.e. self-propelled)"},
    ]
    index = CertificationIndex(categories, {"ipaf": {"generic_aliases": ["IPAF"]}})
    assert index.resolve("IPAF 1b") == "ipaf_1b"
    assert index.resolve("IPAF 3b") == "ipaf_3b"
    assert index.resolve("IPAF boom") is None  # both booms: still ambiguous


@pytest.mark.parametrize(
    ("phrase", "same_as"),
    [
        ("completed care certificate", "Care Certificate"),
        ("achieved level 2 food hygiene", "level 2 food hygiene"),
        ("awarded SIA door supervisor licence", "SIA door supervisor licence"),
    ],
)
def test_words_saying_it_was_earned_are_noise(phrase: str, same_as: str) -> None:
    index = default_certifications()
    assert index.resolve(phrase) == index.resolve(same_as) is not None


def test_an_earned_level_alone_still_names_nothing() -> None:
    assert default_certifications().resolve("passed level 2") is None


def test_keep_one_hides_four_fifths_and_looks_each_up() -> None:
    aliases = sum(len(c.get("aliases", [])) for c in load_uk_data()["certifications"])
    right, wrong, unnamed, wrongs = _leave_out()(5, keep_one=True)
    assert right + wrong + unnamed == 4 * aliases  # every alias is hidden in four folds
    assert right >= 3100, (right, unnamed)  # measured 3,216: a floor, not the figure
    # The only wrong readings are the known hazard of reduced data (BENCHMARKS.md).
    assert {alias.lower() for alias, _, _ in wrongs} <= {"full manual licence",
                                                         "full manual license"}
