"""Candidate retrieval: matching one record touches only the records it could be referred to.

Both directions use a geographic grid (``geo.CELL_DEGREES`` cells) and an inverted index of
skill terms (taxonomy ids and normalised tokens). Retrieval never loses a pair the matcher
could refer:

- a vacancy listing required skills can only be referred clients covering enough of them
  (``MatchConfig.min_required_coverage``, all by default), and any non-zero skill similarity
  needs a shared id or stem (``_skill_similarity.phrase_similarity``): those postings are
  exact. The exception is a skill no route of the taxonomy names, which may also match by
  meaning (``_skill_similarity._by_meaning``): its clients are also those holding a phrase at
  least ``MEANING_MIN`` near it by LSA, or ``WORDS_PAIR_MIN`` by word vectors (one matrix
  product per space over the distinct phrases held). Looked up from a client, such a skill
  counts as possibly covered;
- a vacancy with no required skills falls back to geography alone (every client in reach);
- a remote vacancy ignores distance.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from services.matcher.engine._meaning_index import Meanings
from services.matcher.engine._skill_similarity import MEANING_MIN, WORDS_PAIR_MIN
from services.matcher.engine.features import (
    ClientFeatures,
    SkillFeature,
    VacancyFeatures,
)
from services.matcher.engine.geo import Cell, cell_of, cells_within

__all__ = ["ClientIndex", "VacancyIndex", "skill_terms"]


def skill_terms(skills: Iterable[SkillFeature]) -> set[str]:
    terms: set[str] = set()
    for skill in skills:
        terms.update(tid for tid, _ in skill.ids)
        terms.update(f"tok:{t}" for t in skill.tokens)
    return terms


class _Postings:
    """term -> ids, and each id's terms and cell so it can be removed again."""

    def __init__(self) -> None:
        self.terms: defaultdict[str, set[str]] = defaultdict(set)
        self.cells: defaultdict[Cell, set[str]] = defaultdict(set)
        self.entries: dict[str, tuple[frozenset[str], Cell | None]] = {}

    def add(self, key: str, terms: Iterable[str], cell: Cell | None) -> None:
        self.remove(key)
        frozen = frozenset(terms)
        for term in frozen:
            self.terms[term].add(key)
        if cell is not None:
            self.cells[cell].add(key)
        self.entries[key] = (frozen, cell)

    def remove(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        if entry is None:
            return
        terms, cell = entry
        for term in terms:
            bucket = self.terms[term]
            bucket.discard(key)
            if not bucket:
                del self.terms[term]
        if cell is not None:
            self.cells[cell].discard(key)
            if not self.cells[cell]:
                del self.cells[cell]

    def postings_size(self, terms: Iterable[str]) -> int:
        return sum(len(self.terms.get(t, ())) for t in terms)

    def cells_size(self, cells: Iterable[Cell]) -> int:
        return sum(len(self.cells.get(c, ())) for c in cells)

    def near_with_terms(self, cells: list[Cell], terms: set[str]) -> set[str]:
        """Ids in ``cells`` sharing a term, walking whichever side is smaller."""
        if self.cells_size(cells) < self.postings_size(terms):
            return {k for k in self.in_cells(cells) if not terms.isdisjoint(self.entries[k][0])}
        reach = set(cells)
        return {k for k in self.with_terms(terms) if self.entries[k][1] in reach}

    def with_terms(self, terms: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for term in terms:
            found |= self.terms.get(term, set())
        return found

    def in_cells(self, cells: Iterable[Cell]) -> set[str]:
        found: set[str] = set()
        for cell in cells:
            found |= self.cells.get(cell, set())
        return found


def _needed(n_required: int, share: float) -> int:
    """How many of ``n_required`` skills a referable client must share terms with."""
    return max(1, math.ceil(n_required * share - 1e-9))


class ClientIndex:
    """Referable clients, looked up by a vacancy.

    A vacancy listing required skills looks up, per skill, the clients sharing a term with it,
    and keeps those sharing terms with enough of its skills (all of them by default: the
    intersection, walked from the rarest skill), then the grid cells within reach.
    """

    def __init__(self, min_required_coverage: float = 1.0) -> None:
        self._postings = _Postings()
        self._share = min_required_coverage
        # The widest travel radius indexed: a vacancy searches that far, then each client's own
        # radius is checked. Never shrinks (a wider search is still correct).
        self._max_radius_km = 0.0
        self._meanings = (Meanings(lambda s: s.meaning, MEANING_MIN),
                          Meanings(lambda s: s.word_meaning, WORDS_PAIR_MIN))

    def __len__(self) -> int:
        return len(self._postings.entries)

    def add(self, client: ClientFeatures) -> None:
        terms = skill_terms(client.skills)
        self._postings.add(client.client_id, terms, cell_of(client.lat, client.lon))
        for meanings in self._meanings:
            meanings.add(client.client_id, client.skills)
        self._max_radius_km = max(self._max_radius_km, client.max_travel_km)

    def remove(self, client_id: str) -> None:
        self._postings.remove(client_id)
        for meanings in self._meanings:
            meanings.remove(client_id)

    def _with_skill(self, skill: SkillFeature) -> set[str]:
        found = self._postings.with_terms(skill_terms([skill]))
        if not skill.named:
            for meanings in self._meanings:
                found |= meanings.near(skill)
        return found

    def _with_skills(self, vacancy: VacancyFeatures) -> set[str]:
        per_skill = sorted((self._with_skill(s) for s in vacancy.required), key=len)
        need = _needed(len(per_skill), self._share)
        if need == len(per_skill):
            found = set(per_skill[0])
            for other in per_skill[1:]:
                found &= other
                if not found:
                    break
            return found
        counts: Counter[str] = Counter()
        for ids in per_skill:
            counts.update(ids)
        return {k for k, n in counts.items() if n >= need}

    def candidates(self, vacancy: VacancyFeatures) -> set[str]:
        postings = self._postings
        if vacancy.required:
            found = self._with_skills(vacancy)
            if vacancy.remote or not found:
                return found
            cells = cells_within(vacancy.lat, vacancy.lon, self._max_radius_km)
            if postings.cells_size(cells) < len(found):
                return found & postings.in_cells(cells)  # set intersection runs in C
            reach = set(cells)
            return {k for k in found if postings.entries[k][1] in reach}
        if vacancy.remote:
            return set(postings.entries)
        return postings.in_cells(cells_within(vacancy.lat, vacancy.lon, self._max_radius_km))


class VacancyIndex:
    """Open vacancies, looked up by a client: those within reach (or remote) whose required
    skills the client shares terms with (enough of them), and those listing none."""

    def __init__(self, min_required_coverage: float = 1.0) -> None:
        self._share = min_required_coverage
        self._cells: defaultdict[Cell, set[str]] = defaultdict(set)
        self._skill_terms: defaultdict[str, set[tuple[str, int]]] = defaultdict(set)
        # vacancy -> (terms of each named required skill, cell, how many must be shared)
        self._entries: dict[str, tuple[list[set[str]], Cell | None, int]] = {}
        self._remote: set[str] = set()
        self._no_required: set[str] = set()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, vacancy: VacancyFeatures) -> None:
        key = vacancy.vacancy_id
        self.remove(key)
        cell = None if vacancy.remote else cell_of(vacancy.lat, vacancy.lon)
        # Skills no dictionary names may be matched by meaning, without a shared term: they
        # are not looked up, and count as possibly covered.
        per_skill = [skill_terms([s]) for s in vacancy.required if s.named]
        need = _needed(len(vacancy.required), self._share) - (
            len(vacancy.required) - len(per_skill))
        for i, terms in enumerate(per_skill):
            for term in terms:
                self._skill_terms[term].add((key, i))
        if cell is not None:
            self._cells[cell].add(key)
        self._entries[key] = (per_skill, cell, need)
        if vacancy.remote:
            self._remote.add(key)
        if not vacancy.required or need <= 0:
            self._no_required.add(key)

    def remove(self, vacancy_id: str) -> None:
        entry = self._entries.pop(vacancy_id, None)
        self._remote.discard(vacancy_id)
        self._no_required.discard(vacancy_id)
        if entry is None:
            return
        per_skill, cell, _ = entry
        for i, terms in enumerate(per_skill):
            for term in terms:
                bucket = self._skill_terms[term]
                bucket.discard((vacancy_id, i))
                if not bucket:
                    del self._skill_terms[term]
        if cell is not None:
            self._cells[cell].discard(vacancy_id)
            if not self._cells[cell]:
                del self._cells[cell]

    def candidates(self, client: ClientFeatures) -> set[str]:
        hits: defaultdict[str, set[int]] = defaultdict(set)
        for term in skill_terms(client.skills):
            for vid, i in self._skill_terms.get(term, ()):
                hits[vid].add(i)
        fitting = {vid for vid, skills in hits.items() if len(skills) >= self._entries[vid][2]}
        fitting |= self._no_required
        near: set[str] = set(self._remote)
        for cell in cells_within(client.lat, client.lon, client.max_travel_km):
            near |= self._cells.get(cell, set())
        return near & fitting
