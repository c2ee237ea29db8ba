"""A phrase nothing names keeps the UK group nearest in meaning as a weak reading
(``SkillFeature.near``): it names nothing, never sets the phrase apart from another group, and
only meets that group where the other side of a pair names it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from services.matcher.engine import MatchConfig, score_pair
from services.matcher.engine._skill_similarity import phrase_similarity
from services.matcher.engine.features import SkillFeature
from services.matcher.engine.phrase_resolver import SemanticResolver
from services.matcher.engine.scoring import skill_similarity
from services.matcher.engine.semantic import FloatArray
from services.matcher.engine.skill_phrases import NEAR_CONF, phrase_skills
from services.matcher.engine.taxonomy import default_taxonomy
from services.matcher.engine.word_vectors import NEAR_MIN, NEAR_TOP, NEAR_Z
from tests.unit.engine.conftest import cf, vf

GROUPS = 20


class _Axes:
    """A toy space: word "gN" is the N-th axis, and a phrase is the mean of its words."""

    dims = GROUPS

    def phrase_vector(self, words: Sequence[str]) -> FloatArray | None:
        v = np.zeros(GROUPS, dtype=np.float32)
        for w in words:
            v[int(w[1:])] += 1.0
        return v / np.linalg.norm(v)


def _resolver() -> SemanticResolver:
    return SemanticResolver(_Axes(), [((f"g{i}",), f"uk:{i}") for i in range(GROUPS)])


def test_nearest_ignores_the_runner_up_but_needs_to_stand_out() -> None:
    resolver = _resolver()
    tie = ("g1", "g2")  # as near to 1 as to 2: resolve() refuses it, nearest() takes the first
    assert resolver.resolve(tie) is None
    assert resolver.nearest(tie, min_similarity=0.6, min_z=2.5) == "uk:1"
    assert resolver.nearest(tie, min_similarity=0.8, min_z=2.5) is None  # not near enough
    # the tie stands 3.0 deviations out: a phrase near several groups at once says less
    assert resolver.nearest(tie, min_similarity=0.6, min_z=3.5) is None
    assert resolver.nearest(("g1",), min_similarity=0.6, min_z=3.5) == "uk:1"  # 4.4 out
    everything = tuple(f"g{i}" for i in range(GROUPS))
    assert resolver.nearest(everything, min_similarity=0.0, min_z=0.0) is None  # no spread


def test_among_nearest_counts_as_ranked_orders() -> None:
    resolver = _resolver()
    tie = ("g1", "g2", "g1")  # 1 first, then 2; every other group level, in id order
    assert resolver.among_nearest(tie, "uk:1", 1)
    assert not resolver.among_nearest(tie, "uk:2", 1)
    assert resolver.among_nearest(tie, "uk:2", 2)
    third = next(iter(g for g, _ in resolver.ranked(tie)[2:3]))
    assert resolver.among_nearest(tie, third, 3)
    assert not resolver.among_nearest(tie, third, 2)
    assert not resolver.among_nearest(tie, "uk:none", 20)


def _phrase(text: str) -> SkillFeature:
    (feature,) = phrase_skills([text], default_taxonomy())
    return feature


def test_a_phrase_nothing_names_keeps_its_nearest_group_weakly() -> None:
    pouring = _phrase("pouring drinks behind a bar")
    assert pouring.near == "uk:bar_work"
    assert ("uk:bar_work", NEAR_CONF) in pouring.ids
    assert not pouring.uk and not pouring.named


def test_both_spaces_must_agree() -> None:
    # Nearest filing by the word vectors alone; the LSA space does not put filing in its
    # three nearest, so filing is not read. (The LSA space's nearest, delivery driving, is
    # second by the word vectors, so the spaces agree on that the other way round.)
    assert _phrase("scanning parcels").near == "uk:delivery_driving"
    # A named phrase never gets one.
    assert _phrase("bar work").near == ""


def test_the_weak_reading_meets_only_the_group_the_vacancy_names() -> None:
    client = cf(skills=["pouring drinks behind a bar", "teamwork"])
    bar = vf(required_skills=["bar work"]).required[0]
    assert skill_similarity(bar, client) == (NEAR_CONF, 0)
    cleaning = vf(required_skills=["cleaning"]).required[0]
    assert skill_similarity(cleaning, client)[1] != 0
    scored = score_pair(client, vf(required_skills=["bar work"]), MatchConfig())
    assert scored.required == ((NEAR_CONF, 0),)
    assert MatchConfig().min_skill_similarity <= NEAR_CONF  # it covers the requirement


def test_a_weak_reading_never_sets_phrases_apart() -> None:
    named = SkillFeature("stock checks", (("txt:check stock", 1.0), ("uk:stock_control", 1.0)),
                         frozenset({"stock", "check"}), (("check", 1.0), ("stock", 3.0)),
                         "stock checks", frozenset({"uk:stock_control"}))
    weak = SkillFeature("stock counting", (("txt:count stock", 1.0), ("uk:numeracy", NEAR_CONF)),
                        frozenset({"stock", "count"}), (("count", 1.0), ("stock", 3.0)),
                        "stock counting", frozenset(), near="uk:numeracy")
    assert phrase_similarity(named, weak) > 0.5  # their shared word still counts
    read = SkillFeature(weak.text, weak.ids, weak.tokens, weak.weights, weak.norm,
                        frozenset({"uk:numeracy"}))
    assert phrase_similarity(named, read) == 0.0  # a reading that names would set them apart


def test_generic_qualities_name_their_own_groups() -> None:
    for text, group in (("hard working", "uk:work_ethic"),
                        ("can work on own initiative", "uk:working_independently"),
                        ("willing to learn", "uk:willingness_to_learn"),
                        ("flexible", "uk:adaptability"), ("friendly", "uk:friendly_manner")):
        feature = _phrase(text)
        assert group in feature.uk, text
        assert feature.near == ""
    complaints = vf(required_skills=["complaint handling"]).required[0]
    assert skill_similarity(complaints, cf(skills=["hard working"]))[0] == 0.0


def test_the_lsa_nearest_serves_when_the_word_vectors_place_nothing() -> None:
    # The word vectors' nearest does not stand out for this phrase; the LSA space's nearest
    # does, and the word vectors put it among their three nearest: the spaces agree the other
    # way round.
    tax = default_taxonomy()
    words = tax.lookup("pallet wrapping").text.split()
    by_words, lsa = tax.word_resolver(), tax.semantic_resolver()
    assert by_words is not None and lsa is not None
    assert by_words.nearest(words, min_similarity=NEAR_MIN, min_z=NEAR_Z) is None
    assert lsa.nearest(words, min_similarity=NEAR_MIN, min_z=NEAR_Z) == "uk:loading_unloading"
    assert by_words.among_nearest(words, "uk:loading_unloading", NEAR_TOP)
    assert _phrase("pallet wrapping").near == "uk:loading_unloading"
