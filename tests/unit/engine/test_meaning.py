"""A vacancy skill no route of the taxonomy names may match a client phrase by meaning: only
the one clearly nearest, only when near enough, and the candidate index must not lose it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from services.matcher.engine import MatchConfig, score_pair
from services.matcher.engine.features import (
    ClientFeatures,
    Meaning,
    SkillFeature,
)
from services.matcher.engine.index import ClientIndex, VacancyIndex
from services.matcher.engine.scoring import skill_similarity
from tests.unit.engine.conftest import cf, vf

DIMS = 8


def _unit(*xs: float) -> Meaning:
    v = np.zeros(DIMS, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def _skill(text: str, meaning: Meaning | None, *, named: bool = False,
           words: Meaning | None = None) -> SkillFeature:
    ids = ((f"txt:{text}", 1.0),) + ((("uk:something", 1.0),) if named else ())
    # norm: the index keeps one row per distinct normalised text
    return SkillFeature(text, ids, frozenset({f"stem-{text}"}), norm=text, meaning=meaning,
                        word_meaning=words)


def _client(*skills: SkillFeature) -> ClientFeatures:
    return replace(cf(), skills=skills, skill_ids={}, skill_tokens=frozenset(
        t for s in skills for t in s.tokens))


def test_unnamed_skill_matches_the_clearly_nearest_client_phrase() -> None:
    wanted = _skill("wanted", _unit(1.0, 0.1))
    near, far = _skill("near", _unit(1.0, 0.2)), _skill("far", _unit(0.0, 1.0))
    sim, which = skill_similarity(wanted, _client(far, near))
    assert which == 1
    assert MatchConfig().min_skill_similarity <= sim < 0.9  # below every dictionary route


def test_unnamed_skill_matches_nothing_far_away() -> None:
    wanted = _skill("wanted", _unit(1.0, 0.0))
    assert skill_similarity(wanted, _client(_skill("other", _unit(1.0, 1.2)))) == (0.0, -1)


def test_two_near_client_phrases_are_ambiguous() -> None:
    wanted = _skill("wanted", _unit(1.0, 0.0))
    a, b = _skill("a", _unit(1.0, 0.1)), _skill("b", _unit(1.0, -0.1))
    assert skill_similarity(wanted, _client(a, b)) == (0.0, -1)


def test_a_named_skill_never_matches_by_meaning() -> None:
    wanted = _skill("wanted", _unit(1.0, 0.0), named=True)
    assert skill_similarity(wanted, _client(_skill("near", _unit(1.0, 0.05)))) == (0.0, -1)


def test_skill_features_carry_meaning_and_whether_named() -> None:
    features = cf(skills=["forklift driving", "zqxv wvbn"]).skills
    assert features[0].named and features[0].meaning is not None
    assert features[0].word_meaning is not None
    assert not features[1].named and features[1].meaning is None  # no stem it knows
    assert features[1].word_meaning is None  # letter scraps: no word vector either


def test_word_vectors_serve_when_the_lsa_space_finds_no_clear_match() -> None:
    # By LSA both client phrases are as near (ambiguous); by word vectors one is clearly
    # nearest, so the pair is covered by that one.
    lsa = _unit(1.0, 0.0)
    wanted = _skill("wanted", lsa, words=_unit(0.0, 0.0, 1.0, 0.1))
    a = _skill("a", _unit(1.0, 0.1), words=_unit(0.0, 0.0, 1.0, 0.2))
    b = _skill("b", _unit(1.0, -0.1), words=_unit(0.0, 0.0, 0.0, 1.0))
    assert skill_similarity(wanted, _client(a, b)) == (0.8, 0)
    # Without the word vectors (or with both phrases as near by them too) nothing matches.
    assert skill_similarity(replace(wanted, word_meaning=None), _client(a, b)) == (0.0, -1)
    twin = replace(b, word_meaning=a.word_meaning)
    assert skill_similarity(wanted, _client(a, twin)) == (0.0, -1)
    # A phrase without any LSA vector still matches by word vectors.
    assert skill_similarity(replace(wanted, meaning=None), _client(b, a)) == (0.8, 1)


def test_the_index_finds_clients_by_word_vectors_for_an_unnamed_skill() -> None:
    c1 = replace(cf(client_id="c1"), skills=(_skill("near", None, words=_unit(1.0, 0.1)),))
    c2 = replace(cf(client_id="c2"), skills=(_skill("far", None, words=_unit(0.0, 1.0)),))
    clients = ClientIndex()
    clients.add(c1)
    clients.add(c2)
    v = replace(vf(), required=(_skill("wanted", None, words=_unit(1.0, 0.0)),))
    assert clients.candidates(v) == {"c1"}


def test_the_index_finds_clients_by_meaning_for_an_unnamed_skill() -> None:
    forklift = cf(client_id="c1", skills=["forklift driving"])
    baker = cf(client_id="c2", skills=["baking"])
    clients = ClientIndex()
    clients.add(forklift)
    clients.add(baker)
    near = _skill("wanted", forklift.skills[0].meaning)
    v = replace(vf(), required=(near,))
    assert clients.candidates(v) == {"c1"}
    opposite = forklift.skills[0].meaning
    assert opposite is not None
    assert clients.candidates(replace(v, required=(_skill("x", -opposite),))) == set()
    clients.remove("c1")
    assert clients.candidates(v) == set()
    # Looked up from a client, the unnamed skill may be covered by anyone.
    vacancies = VacancyIndex()
    vacancies.add(v)
    assert vacancies.candidates(baker) == {v.vacancy_id}


def test_a_pair_scores_a_meaning_match_as_covered() -> None:
    c = cf(skills=["forklift driving"])
    # A vacancy asking, in words no route names, for what the client typed.
    wanted = _skill("wanted", c.skills[0].meaning)
    scored = score_pair(c, replace(vf(), required=(wanted,), desired=()), MatchConfig())
    assert scored.required == ((0.8, 0),)
    assert scored.components["required_skills"] == 0.8
