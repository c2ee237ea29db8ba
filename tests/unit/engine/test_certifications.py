"""Certifications are categories: forgiving about spelling, never across category or level."""

from __future__ import annotations

import pytest

from services.matcher.engine.certifications import CertificationIndex, default_certifications


def holds(client_certs: list[str], required: str) -> bool:
    index = default_certifications()
    return index.required_key(required) in index.held_keys(client_certs)


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("SIA DS licence", "SIA door supervisor licence"),
        ("C+E", "HGV Class 1"),
        ("Cat C + E", "HGV class one"),
        ("LGV 1", "HGV Class 1"),
        ("FLT counterbalance", "Counterbalance forklift licence"),
        ("Food Hygiene Level 2", "level 2 food hygiene certificate"),
        ("food hygene level 2", "Level 2 Food Safety"),  # typo
        ("enhanced dbs", "Enhanced DBS check"),
        ("HGV Class 1", "Cat C"),  # C+E legally includes C
        ("HGV Class 1", "C1"),  # ... and C1
        ("class 2 lorry licence", "HGV Class 2"),  # lorry, LGV and HGV are the same vehicles
        ("class one lorry licence", "Cat C+E"),
        ("Underwater basket weaving diploma", "underwater basket-weaving diploma"),  # unknown
    ],
)
def test_forgiven(held: str, required: str) -> None:
    assert holds([held], required)


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("HGV Class 2", "HGV Class 1"),
        ("class 2 lorry licence", "HGV Class 1"),
        ("lorry licence", "HGV Class 2"),  # generic: which category is not said
        ("Cat C", "C+E"),
        ("C1", "Cat C"),
        ("reach truck licence", "counterbalance forklift licence"),
        ("FLT counterbalance", "reach truck"),
        ("D1", "D1 reach truck"),  # the minibus category is not RTITB D1
        ("food hygiene level 2", "food hygiene level 3"),
        ("food hygiene level 3", "food hygiene level 2"),  # no level implication encoded
        ("basic DBS", "enhanced DBS"),
        ("enhanced DBS", "basic DBS"),
        ("enhanced DBS", "enhanced DBS with barred list"),
        ("first aid at work", "emergency first aid at work"),
        ("full UK driving licence", "HGV licence"),  # Cat B is not "some lorry category"
        ("HGV Class 1", "HGV licence"),  # generic: only the same generic evidence counts
        ("ADR packages", "ADR tanks"),
        ("Underwater basket weaving diploma", "Underwater basket weaving certificate level 2"),
        ("Underwater basket weavng diploma", "Underwater basket weaving diploma"),  # unknown: exact
        ("CSCS red card", "CPCS red card"),
        # A real scheme's name is never a typo of another's: CPCS (plant) is not CSCS.
        ("CPCS labourer", "CSCS labourer card"),
        ("CPCS supervisor card", "CSCS supervisor card"),
    ],
)
def test_never_across_category_level_or_class(held: str, required: str) -> None:
    assert not holds([held], required)


def test_generic_requirement_met_by_same_generic_evidence() -> None:
    assert holds(["LGV licence holder"], "HGV licence")


def test_every_required_certification_must_be_held() -> None:
    assert holds(["C+E", "enhanced DBS"], "enhanced DBS")
    assert not holds(["C+E"], "enhanced DBS")


def test_every_alias_resolves_to_its_own_category() -> None:
    # Two categories may share content words only when their document words tell them apart
    # ("drivers licence" vs "driver qualification card"); every alias must still resolve.
    from services.matcher.engine.taxonomy import load_uk_data

    index = default_certifications()
    for cat in load_uk_data()["certifications"]:
        for alias in [cat["label"], *cat["aliases"]]:
            assert index.resolve(alias) == cat["id"], (alias, cat["id"])


def test_a_word_naming_another_category_is_not_a_typo() -> None:
    index = CertificationIndex([
        {"id": "smsts", "label": "SMSTS passport", "aliases": ["SMSTS"]},
        {"id": "sssts", "label": "SSSTS passport", "aliases": ["SSSTS"]},
    ])
    assert index.resolve("SMSTS pasport") == "smsts"  # a typo of "passport" is forgiven
    # Without its own "SMSTS passport" the phrase would be ratio 93 from "SSSTS passport".
    alone = CertificationIndex([
        {"id": "smsts", "label": "SMSTS", "aliases": []},
        {"id": "sssts", "label": "SSSTS passport", "aliases": []},
    ])
    assert alone.resolve("SMSTS passport") is None
    assert alone.resolve("SSSTS pasport") == "sssts"
    # A refresher course is evidence of the same certificate, not a word that names one.
    assert alone.resolve("SMSTS refresher") == "smsts"


def test_ambiguous_fuzzy_phrase_resolves_to_nothing() -> None:
    index = CertificationIndex([
        {"id": "x", "label": "widget operator alpha", "aliases": []},
        {"id": "y", "label": "widget operator alphb", "aliases": []},
    ])
    assert index.resolve("widget operator alpha") == "x"
    assert index.resolve("widget operator alphc") is None


def test_a_licence_class_alone_names_its_category_with_or_without_a_document_word() -> None:
    # Each category known by one wording only: "Cat C" is typed without the "licence" its
    # alias has, "C1 licence" with one its alias lacks.
    index = CertificationIndex([
        {"id": "hgv_c", "label": "Category C licence", "aliases": [], "family": "dvla",
         "class": "C"},
        {"id": "hgv_c1", "label": "Cat C1", "aliases": [], "family": "dvla", "class": "C1"},
        {"id": "x3b", "label": "3b card", "aliases": []},
    ])
    assert index.resolve("Cat C") == "hgv_c"
    assert index.resolve("C") == "hgv_c"
    assert index.resolve("C1 licence") == "hgv_c1"
    assert index.resolve("Cat C1") == "hgv_c1"
    assert index.resolve("Cat CE") is None  # another class is never this one
    # only licence classes: a bare number or code still needs the document its name has
    assert index.resolve("3b") is None
    assert index.resolve("3b card") == "x3b"


# Each category known by one wording only: the phrases below name them in other words the
# data's aliases use alike.
_ONE_WORDING = CertificationIndex([
    {"id": "moto", "label": "motorcycle licence", "aliases": []},
    {"id": "fsm2", "label": "functional skills maths level 2", "aliases": []},
    {"id": "fse1", "label": "functional skills English level 1", "aliases": []},
    {"id": "hgv2", "label": "HGV class 2 licence", "aliases": []},
    {"id": "pcv_d", "label": "PCV driving licence", "aliases": []},
    {"id": "hsc3", "label": "level 3 diploma in health and social care", "aliases": []},
    {"id": "keys", "label": "SIA key holding licence", "aliases": []},
    {"id": "c1", "label": "7.5 tonne licence", "aliases": []},
    {"id": "c", "label": "18 tonne licence", "aliases": []},
])


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("motorbike licence", "moto"),
        ("bike licence", "moto"),
        ("functional skills numeracy level 2", "fsm2"),
        ("functional skills mathematics level 2", "fsm2"),
        ("FS maths level 2", "fsm2"),
        ("functional skills literacy level 1", "fse1"),
        ("class 2 lorry licence", "hgv2"),
        ("LGV class 2 licence", "hgv2"),
        ("bus driving licence", "pcv_d"),
        ("coach driving licence", "pcv_d"),
        ("level 3 diploma in HSC", "hsc3"),
        ("SIA keyholder licence", "keys"),
        ("keyholding licence", "keys"),
        ("7.5t licence", "c1"),
        ("7.5 ton licence", "c1"),
        ("18t licence", "c"),
    ],
)
def test_one_word_for_what_is_named_several_ways(typed: str, category: str) -> None:
    assert _ONE_WORDING.resolve(typed) == category


@pytest.mark.parametrize(
    "typed",
    ["functional skills numeracy level 1", "class 1 lorry licence", "3.5t licence"],
)
def test_the_words_are_the_same_but_levels_classes_and_weights_are_not(typed: str) -> None:
    assert _ONE_WORDING.resolve(typed) is None
