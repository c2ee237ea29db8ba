"""Client phrases by a vector of their meaning, for the candidate index (``index.py``).

A vacancy skill no dictionary names may match a client phrase by meaning alone, with no
shared term (``_skill_similarity._by_meaning``), so the inverted index cannot find those
clients; this table can: one row per distinct normalised client phrase, one matrix product
per vacancy phrase asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from services.matcher.engine.features import Meaning, SkillFeature

__all__ = ["Meanings"]


class Meanings:
    """Distinct client phrases by one of their vectors (``SkillFeature.meaning`` or
    ``word_meaning``, each a function of the normalised text), with the clients holding each."""

    def __init__(self, vector: Callable[[SkillFeature], Meaning | None], low: float) -> None:
        self._vector = vector
        self._low = low
        self._holders: dict[str, tuple[Meaning, set[str]]] = {}  # norm -> (vector, clients)
        self._of_client: dict[str, tuple[str, ...]] = {}
        self._matrix: tuple[list[set[str]], npt.NDArray[np.float32]] | None = None
        # a vacancy phrase's vector -> its answer, until the next change: vacancies repeat
        # their phrases, and a batch adds every client before the first vacancy.
        self._answers: dict[bytes, set[str]] = {}

    def add(self, client_id: str, skills: Iterable[SkillFeature]) -> None:
        self.remove(client_id)
        self._answers.clear()
        norms: list[str] = []
        for skill in skills:
            vector = self._vector(skill)
            if vector is None:
                continue
            held = self._holders.get(skill.norm)
            if held is None:
                self._holders[skill.norm] = (vector, {client_id})
                self._matrix = None  # a new row
            else:
                held[1].add(client_id)
            norms.append(skill.norm)
        self._of_client[client_id] = tuple(norms)

    def remove(self, client_id: str) -> None:
        if client_id in self._of_client:
            self._answers.clear()
        for norm in self._of_client.pop(client_id, ()):
            self._holders[norm][1].discard(client_id)  # the row stays: cheaper than a rebuild

    def near(self, skill: SkillFeature) -> set[str]:
        """Clients holding a phrase at least the space's minimum near ``skill`` (a superset:
        a hair below, as a matrix product may round differently from one dot product)."""
        vector = self._vector(skill)
        if vector is None:
            return set()
        key = vector.tobytes()
        known = self._answers.get(key)
        if known is None:
            known = self._answers[key] = self._near(vector)
        return known

    def _near(self, meaning: Meaning) -> set[str]:
        if self._matrix is None:
            rows = list(self._holders.values())
            dims = meaning.shape[0]
            matrix = (np.vstack([v for v, _ in rows]) if rows
                      else np.zeros((0, dims), dtype=np.float32))
            self._matrix = [c for _, c in rows], matrix
        holders, matrix = self._matrix
        found: set[str] = set()
        for i in np.flatnonzero(matrix @ meaning >= self._low - 1e-4).tolist():
            found |= holders[i]
        return found
