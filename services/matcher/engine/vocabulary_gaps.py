"""Skill phrases the taxonomy cannot name: what to review and add to ``data/uk_skills.json``.

A phrase no route of the taxonomy names (exactly, by stems, as a typo or by meaning) can
still match a client phrase that shares its words or is near it in meaning, but a vacancy
that *requires* it refers few clients or none. Publishers' wordings change; the answer that
lasts is a reviewed alias, so operators need the list of such phrases, most blocking first.

Phrases are split as matching splits them (``skill_phrases.split_skill``: a vacancy's
combined item where every part is known, a client's at every joint), so "unknown here" means
unknown to the matcher. Pure: records in, counts out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schemas import ClientProfile, Vacancy
from services.matcher.engine.skill_phrases import split_skill
from services.matcher.engine.taxonomy import Taxonomy

__all__ = ["Gap", "named", "unknown_skills"]


@dataclass(slots=True)
class Gap:
    """One unnamed phrase (normalised, typos corrected) and where it was typed."""

    phrase: str
    example: str  # as first typed
    required: int = 0  # vacancies that require it
    desired: int = 0  # vacancies that list it as desired
    clients: int = 0  # clients that list it

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        return (-self.required, -self.desired, -self.clients, self.phrase)


def named(phrase: str, taxonomy: Taxonomy) -> bool:
    """The taxonomy names the phrase by some route (an id other than its own text)."""
    return taxonomy.lookup(phrase).named


def unknown_skills(clients: Iterable[ClientProfile], vacancies: Iterable[Vacancy],
                   taxonomy: Taxonomy) -> list[Gap]:
    """Unnamed skill phrases, most blocking first: by vacancies requiring them, then
    desiring them, then clients listing them. Each record counts a phrase once."""
    gaps: dict[str, Gap] = {}

    def count(items: Iterable[str], side: str, every_part_known: bool) -> None:
        seen: set[str] = set()
        for item in items:
            for part in split_skill(item, taxonomy, every_part_known=every_part_known):
                if named(part, taxonomy):
                    continue
                norm = taxonomy.lookup(part).text
                if not norm or norm in seen:
                    continue
                seen.add(norm)
                gap = gaps.setdefault(norm, Gap(norm, part))
                setattr(gap, side, getattr(gap, side) + 1)

    for vacancy in vacancies:
        count(vacancy.required_skills, "required", every_part_known=True)
        count(vacancy.desired_skills, "desired", every_part_known=True)
    for client in clients:
        count(client.skills, "clients", every_part_known=False)
    return sorted(gaps.values(), key=lambda g: g.sort_key)
