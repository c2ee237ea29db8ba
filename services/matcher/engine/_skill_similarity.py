"""How surely a vacancy's skill phrase names the same skill as a client's: the skill
components of a pair's score (scoring.py).

A shared taxonomy id scores its confidence (1.0 exact, 0.97 stems, 0.92 a corrected typo,
0.8 by meaning, 0.76 when one side is only a phrase nothing names whose nearest group in
meaning is the other's: ``SkillFeature.near``); otherwise 0.9 x IDF-weighted word overlap or
character similarity, never between two different UK skill groups. A vacancy skill no route
of the taxonomy names at all may still match the one client phrase clearly nearest in meaning
(``_by_meaning``: LSA cosine, else word vectors' cosine), at 0.8.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz

from services.matcher.engine.features import ClientFeatures, Meaning, SkillFeature

__all__ = ["MEANING_MIN", "WORDS_PAIR_MIN", "phrase_similarity", "skill_similarity"]

_TOKEN_WEIGHT = 0.9
_MIN_RATIO = 88.0
# A vacancy phrase no route of the taxonomy names may match a client phrase by meaning (LSA
# cosine): when at least MEANING_MIN near, and _MEANING_MARGIN nearer than the client's next
# phrase. Chosen by `scripts/build_semantic_index.py --calibrate-pairs` (UK aliases hidden
# from dictionary and fit, held against the phrases of the groups nearest in meaning): the
# most precise row that still finds some (0.84 there, against hard look-alikes only; finds a
# sixth). It then scores _MEANING_WEIGHT: above the skill bar (0.75), below any dictionary
# route, like a semantic resolution (semantic.SEMANTIC_CONF).
MEANING_MIN = 0.75
_MEANING_MARGIN = 0.15
_MEANING_WEIGHT = 0.8
# The same comparison by word vectors (SkillFeature.word_meaning), when the LSA space finds
# no clear match. Chosen on seen data with four fifths of the aliases hidden
# (scripts/leave_out_eval.py --keep-one): at 0.75 precision held while recall rose 1.5
# points; at 0.70 it fell 0.4 points. The margin matters little from 0.02 to 0.05.
WORDS_PAIR_MIN = 0.75
_WORDS_PAIR_MARGIN = 0.05


def _overlap(a: SkillFeature, b: SkillFeature) -> float:
    """IDF-weighted word overlap of two phrases: the mean of containment (of the smaller in
    the larger: "filing" in "paper filing") and Dice. 0 when no stem is shared."""
    other = dict(b.weights)
    common = sum(w for t, w in a.weights if t in other)
    if not common:
        return 0.0
    ta, tb = a.total, b.total
    return 0.5 * (common / min(ta, tb) + 2 * common / (ta + tb))


def phrase_similarity(a: SkillFeature, b: SkillFeature) -> float:
    """How surely two skill phrases name the same skill, in 0..1.

    A shared taxonomy id scores its confidence. Otherwise, unless both name different UK
    skill groups (then they are different skills, however many words they share), words:
    IDF-weighted overlap of stems, or character similarity of the whole phrase ("rote
    planning" / "route planning"), scaled by ``_TOKEN_WEIGHT``. Any non-zero similarity needs
    a shared id or stem: the candidate index relies on it.
    """
    best = 0.0
    other = dict(b.ids)
    for tid, conf in a.ids:
        hit = other.get(tid)
        if hit is not None:
            best = max(best, min(conf, hit))
    if best >= _TOKEN_WEIGHT or a.tokens.isdisjoint(b.tokens):
        return best
    if a.uk and b.uk and a.uk.isdisjoint(b.uk):
        return best
    words = _overlap(a, b)
    ratio = fuzz.ratio(a.norm, b.norm, score_cutoff=_MIN_RATIO) / 100.0
    return max(best, _TOKEN_WEIGHT * max(words, ratio))


def skill_similarity(skill: SkillFeature, client: ClientFeatures) -> tuple[float, int]:
    """Best similarity of one vacancy skill to any client skill, and which client skill."""
    best, which = 0.0, -1
    for tid, conf in skill.ids:
        hit = client.skill_ids.get(tid)
        if hit is not None:
            sim = min(conf, hit[1])
            if sim > best:
                best, which = sim, hit[0]
    if best < _TOKEN_WEIGHT and not skill.tokens.isdisjoint(client.skill_tokens):
        for i, other in enumerate(client.skills):
            if skill.tokens.isdisjoint(other.tokens):
                continue
            sim = phrase_similarity(skill, other)
            if sim > best:
                best, which = sim, i
    if best < _MEANING_WEIGHT and not skill.named:
        found = _by_meaning(skill, client)
        if found[0] > best:
            best, which = found
    return best, which


def _nearest(vector: Meaning | None, others: list[Meaning | None], low: float,
             margin: float) -> int:
    """Index of the one vector in ``others`` clearly nearest ``vector`` (at least ``low``
    near, ``margin`` nearer than the next), else -1."""
    if vector is None:
        return -1
    sims = sorted(((float(np.dot(vector, other)), i) for i, other in enumerate(others)
                   if other is not None), reverse=True)
    if not sims or sims[0][0] < low:
        return -1
    if len(sims) > 1 and sims[0][0] - sims[1][0] < margin:
        return -1
    return sims[0][1]


def _by_meaning(skill: SkillFeature, client: ClientFeatures) -> tuple[float, int]:
    """A phrase no dictionary names, against the client's phrases by the cosine of their LSA
    vectors, else of their word vectors: the one client phrase clearly nearest, when near
    enough."""
    which = _nearest(skill.meaning, [o.meaning for o in client.skills], MEANING_MIN,
                     _MEANING_MARGIN)
    if which < 0:
        which = _nearest(skill.word_meaning, [o.word_meaning for o in client.skills],
                         WORDS_PAIR_MIN, _WORDS_PAIR_MARGIN)
    return (_MEANING_WEIGHT, which) if which >= 0 else (0.0, -1)
