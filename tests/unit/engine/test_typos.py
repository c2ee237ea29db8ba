"""Typo correction: each unknown typed word is corrected to the taxonomy's vocabulary before
exact and stem lookups; real words (however rare) are never changed; certifications stay
strict categories."""

from __future__ import annotations

import pytest

from services.matcher.engine.certifications import default_certifications
from services.matcher.engine.features import SkillFeature
from services.matcher.engine.normalise import finish, raw_words, tokens
from services.matcher.engine.scoring import phrase_similarity
from services.matcher.engine.taxonomy import (
    CONF_TYPO,
    Taxonomy,
    build_taxonomy,
    default_taxonomy,
)


def _feature(phrase: str, tax: Taxonomy) -> SkillFeature:
    found = tax.lookup(phrase)
    return SkillFeature(
        phrase, found.ids, frozenset(t for t, _ in found.stems), found.stems, found.text,
        frozenset(tid for tid, _ in found.ids if tid.startswith("uk:")),
    )


def _uk(phrase: str) -> set[str]:
    return {tid for tid, _ in default_taxonomy().lookup(phrase).ids if tid.startswith("uk:")}


def test_tokens_are_raw_words_finished() -> None:
    for text in ("Moving heavy BOXES all day", "fork-lift trucks & H&S", "KP duties",
                 "basic", "inspecting goods for defects"):
        assert tokens(text) == finish(raw_words(text))
        assert tokens(text, drop_stop_words=False) == finish(raw_words(text),
                                                             drop_stop_words=False)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("espresso mahine", "espresso machine"),  # a missing letter
        ("tabe service", "table service"),  # 4 letters; "take" is commoner, the phrase decides
        ("tpping trailers", "tipping trailers"),  # "typing" is commoner; the phrase decides
        ("moving heavy boxse all day", "moving heavy boxes all day"),  # typo of a plural
        ("inspecting goos for defects", "inspecting goods for defects"),  # "goos" is not "goo"
        ("mooving heavy boxes all day", "moving heavy boxes all day"),
        ("de-escalaion", "de-escalation"),
        ("cold caalling", "cold calling"),
        ("carrying heay loads", "carrying heavy loads"),
        ("vehicle chcks", "vehicle checks"),
    ],
)
def test_typed_phrase_reads_as_the_phrase_meant(typed: str, meant: str) -> None:
    tax = default_taxonomy()
    assert tax.lookup(typed).text == tax.lookup(meant).text
    assert _uk(typed) == _uk(meant)


@pytest.mark.parametrize(
    ("vacancy", "client", "group"),
    [
        ("espresso machine", "espresso mahine", "uk:barista"),
        ("waiting tables", "tabe service", "uk:table_service"),
        ("de-escalation", "de-escalaion", "uk:conflict_management"),
        ("cold calling", "cold caalling", None),
        ("heavy lifting", "carrying heay loads", "uk:manual_handling"),
    ],
)
def test_typo_of_a_synonym_covers_the_vacancy_skill(vacancy: str, client: str,
                                                     group: str | None) -> None:
    tax = default_taxonomy()
    if group is not None:
        assert group in _uk(client)
    sim = phrase_similarity(_feature(vacancy, tax), _feature(client, tax))
    assert CONF_TYPO <= sim < 1.0  # a corrected typo is sure, not certain


def test_typo_correction_is_a_typo_confidence_not_exact() -> None:
    found = dict(default_taxonomy().lookup("espresso mahine").ids)
    assert found["uk:barista"] == CONF_TYPO
    assert found["txt:espresso mahine"] == 1.0  # its own text id stays as typed


@pytest.mark.parametrize("word", ["wedding", "welding", "fling", "machine", "goods", "moving"])
def test_a_word_the_vocabulary_holds_is_never_corrected(word: str) -> None:
    assert default_taxonomy().correct(word) == word


def test_rare_real_word_is_kept_even_beside_a_common_neighbour() -> None:
    # "tiling" is rare here and one edit from the far commoner "filling"... and from "tilling"
    tax = build_taxonomy([("a", ["tiling"]), *[(f"b{i}", [f"tilling {i}x"]) for i in range(50)]])
    assert tax.correct("tiling") == "tiling"
    assert tax.correct("tilng") == "tiling"  # one edit from tiling, two from tilling


def test_edit_limits_by_length() -> None:
    tax = build_taxonomy([("a", ["navigation"]), ("b", ["packing"]), ("c", ["till"])])
    assert tax.correct("naviagtoin") == "navigation"  # 10 letters: two edits allowed
    assert tax.correct("pakcign") == "pakcign"  # 7 letters: one edit only
    assert tax.correct("pakcing") == "packing"  # a swapped pair is one edit
    assert tax.correct("tll") == "tll"  # under 4 letters: never guessed
    assert tax.correct("tilk") == "till"


def test_ambiguous_word_is_not_guessed() -> None:
    tax = build_taxonomy([("a", ["taping"]), ("b", ["taking"])])
    assert tax.correct("tacing") == "tacing"  # one edit from both, neither dominant
    assert tax.lookup("tacing").ids == (("txt:tacing", 1.0),)


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("counterbalance forklift licnce", "forklift_counterbalance"),
        ("CSCS labbourer card", "cscs_green_labourer"),
    ],
)
def test_certification_typos_resolve(typed: str, category: str) -> None:
    assert default_certifications().resolve(typed) == category


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("counterbalance forklift licnce", "reach forklift licence"),
        ("CSCS labbourer card", "CSCS blue card"),
        ("food hygiene level 2", "food hygiene level 3"),
        ("class 2 lgv", "class 1 lgv"),
        ("cat c1 licence", "cat c licence"),
    ],
)
def test_certification_typos_never_cross_categories(a: str, b: str) -> None:
    certs = default_certifications()
    assert certs.resolve(a) != certs.resolve(b) or certs.resolve(a) is None


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("KP dtuies", "KP duties"),  # a stop word's typo is dropped like the stop word
        ("cashier dutis", "cashier duties"),
        ("telephone skilsl", "telephone skills"),
        ("O365 adimn", "O365 admin"),  # an abbreviation's typo reads as its expansion
        ("conflict resolution & cctv operatin", "conflict resolution & cctv operation"),
    ],
)
def test_typos_of_stop_words_abbreviations_and_same_stem_words(typed: str, meant: str) -> None:
    tax = default_taxonomy()
    assert tax.lookup(typed).text == tax.lookup(meant).text


def test_candidates_sharing_a_stem_are_not_rivals() -> None:
    tax = build_taxonomy([("a", ["operation"]), ("b", ["operating"])])
    assert tax.correct("operatin") in {"operation", "operating"}
    tax = build_taxonomy([("a", ["filing"]), ("b", ["filling"])])
    assert tax.correct("fiiling") == "fiiling"  # filing or filling: not guessed


def test_a_compound_typed_apart_is_not_corrected_word_by_word() -> None:
    # "fork" is no taxonomy word ("forklift" is), but it is a part of a compound the
    # normaliser joins: correcting it first gave "form lift driving"
    assert default_taxonomy().lookup("fork lift driving").text == "forklift driving"
    assert "uk:forklift_operation" in _uk("fork lift driving")


def test_one_word_written_apart_is_joined_when_that_names_a_skill() -> None:
    tax = build_taxonomy([("hk", ["housekeeping"]), ("bar", ["bartender"]),
                          ("nav", ["sat nav"]), ("satnav", ["satnav"])])
    assert "uk:hk" in dict(tax.lookup("house keeping").ids)
    assert "uk:bar" in dict(tax.lookup("bar tenders").ids)
    # a phrase known as typed is read as typed, never joined
    assert "uk:nav" in dict(tax.lookup("sat nav").ids)
    assert "uk:satnav" not in dict(tax.lookup("sat nav").ids)
    # joined only into a known word, and only where the whole phrase is then known
    assert [t for t, _ in tax.lookup("house party").ids if not t.startswith("txt:")] == []
    assert [t for t, _ in tax.lookup("house keeping rota").ids
            if not t.startswith("txt:")] == []
