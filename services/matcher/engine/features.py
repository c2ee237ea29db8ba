"""Everything matching needs from a record, computed once when the record arrives.

Pair scoring then works on ids, sets and small arrays only: no text processing per pair.
Equality-monitoring data (``ClientProfile.monitoring``) is deliberately never copied here, so
no later step can use it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from schemas import ClientProfile, Hours, Vacancy
from services.matcher.engine.certifications import CertificationIndex, default_certifications
from services.matcher.engine.normalise import normalise
from services.matcher.engine.skill_phrases import (  # re-exported: the engine imports them here
    Meaning,
    SkillFeature,
    phrase_skills,
    split_skill,
)
from services.matcher.engine.taxonomy import Taxonomy, default_taxonomy
from services.matcher.engine.text_vectors import (  # re-exported: the engine's one home
    N_TEXT_FEATURES,
    FloatArray,
    IntArray,
    TextVector,
    text_vector,
)

if TYPE_CHECKING:  # scoring imports this module
    from services.matcher.engine.scoring import PairScore

__all__ = [
    "N_TEXT_FEATURES",
    "ClientFeatures",
    "FeaturesCache",
    "FloatArray",
    "IntArray",
    "Meaning",
    "SkillFeature",
    "TextVector",
    "VacancyFeatures",
    "client_text",
    "split_skill",
    "text_vector",
    "vacancy_text",
]

# The opening of a description carries the role; the rest is boilerplate about the employer
# and would multiply the memory of every vacancy held.
_DESCRIPTION_CHARS = 1000

def client_text(profile: ClientProfile) -> str:
    """The client's text the title fit compares: desired roles and skills."""
    return " ; ".join([*profile.desired_roles, *profile.skills])


def vacancy_text(vacancy: Vacancy) -> str:
    """The vacancy's text the title fit compares: title and the opening of the description."""
    return " ; ".join([vacancy.title, vacancy.description[:_DESCRIPTION_CHARS]])


def _hours(hours: Hours | None) -> tuple[float, float] | None:
    return None if hours is None else (float(hours.min), float(hours.max))


@dataclass(frozen=True, slots=True, weakref_slot=True)  # weakref: see FeaturesCache
class ClientFeatures:
    client_id: str
    updated_at: datetime
    referable: bool  # job_ready and consent_to_share
    status: str
    consent_to_share: bool
    right_to_work: bool
    lat: float
    lon: float
    max_travel_km: float
    hours: tuple[float, float] | None
    skills: tuple[SkillFeature, ...]
    # taxonomy id -> (index into skills, confidence), the most confident skill per id
    skill_ids: dict[str, tuple[int, float]]
    skill_tokens: frozenset[str]
    roles: tuple[str, ...]  # normalised desired roles
    role_tokens: frozenset[str]
    cert_keys: frozenset[str]
    vector: TextVector = field(repr=False)

    @classmethod
    def from_profile(
        cls,
        profile: ClientProfile,
        taxonomy: Taxonomy | None = None,
        certifications: CertificationIndex | None = None,
        *,
        vector: TextVector | None = None,
    ) -> ClientFeatures:
        """``vector``: ``text_vector(client_text(profile))`` when already computed."""
        taxonomy = taxonomy or default_taxonomy()
        certifications = certifications or default_certifications()
        skills = phrase_skills(profile.skills, taxonomy, keep_whole=True)
        skill_ids: dict[str, tuple[int, float]] = {}
        for i, skill in enumerate(skills):
            for tid, conf in skill.ids:
                if tid not in skill_ids or conf > skill_ids[tid][1]:
                    skill_ids[tid] = (i, conf)
        roles = tuple(r for r in (normalise(x) for x in profile.desired_roles) if r)
        return cls(
            client_id=profile.client_id,
            updated_at=profile.updated_at,
            referable=profile.status == "job_ready" and profile.consent_to_share,
            status=profile.status,
            consent_to_share=profile.consent_to_share,
            right_to_work=profile.right_to_work,
            lat=profile.location.lat,
            lon=profile.location.lon,
            max_travel_km=float(profile.max_travel_km),
            hours=_hours(profile.hours_per_week),
            skills=skills,
            skill_ids=skill_ids,
            skill_tokens=frozenset(t for s in skills for t in s.tokens),
            roles=roles,
            role_tokens=frozenset(t for r in roles for t in r.split()),
            cert_keys=certifications.held_keys(profile.certifications),
            vector=text_vector(client_text(profile)) if vector is None else vector,
        )


class FeaturesCache:
    """Client features shared by several ``Matcher``s of one process.

    The streaming worker holds one ``Matcher`` per region and a client is in several regions
    (its cells and ``national``): without sharing, each copy computes and holds its own
    features. Keyed by (client_id, updated_at) -- within one id, updated_at names one version
    (CONTRACT.md: an equal updated_at changes nothing) -- and by the taxonomy and certification
    index used. Held weakly: an entry lives as long as some ``Matcher`` holds it.
    """

    def __init__(self) -> None:
        self._clients: weakref.WeakValueDictionary[tuple[str, datetime, int, int],
                                                   ClientFeatures] = weakref.WeakValueDictionary()
        self.hits = 0
        self.misses = 0

    def client(self, profile: ClientProfile, taxonomy: Taxonomy,
               certifications: CertificationIndex) -> ClientFeatures:
        key = (profile.client_id, profile.updated_at, id(taxonomy), id(certifications))
        cf = self._clients.get(key)
        if cf is None:
            self.misses += 1
            cf = self._clients[key] = ClientFeatures.from_profile(profile, taxonomy,
                                                                  certifications)
        else:
            self.hits += 1
        return cf

    def scored(self, vacancy: VacancyFeatures,
               client_version: int) -> list[tuple[str, PairScore]] | None:
        """Candidates of ``vacancy`` scored in advance against the clients as they were at
        ``client_version`` (``Matcher.score_candidates``), or None: score them now."""
        return None

    def vacancy(self, vacancy: Vacancy, taxonomy: Taxonomy,
                certifications: CertificationIndex) -> VacancyFeatures:
        """A vacancy is held by one ``Matcher`` only (its region): nothing to share, so this
        computes; a batch's prepared features (``batch_features``) override it."""
        return VacancyFeatures.from_vacancy(vacancy, taxonomy, certifications)

    def __len__(self) -> int:
        return len(self._clients)


@dataclass(frozen=True, slots=True)
class VacancyFeatures:
    vacancy_id: str
    employer_id: str
    updated_at: datetime
    status: str
    closing_date: date | None
    requires_right_to_work: bool
    remote: bool
    lat: float
    lon: float
    hours: tuple[float, float] | None
    max_referrals: int
    required: tuple[SkillFeature, ...]
    desired: tuple[SkillFeature, ...]
    # (certification as typed, the key a client must hold)
    required_certs: tuple[tuple[str, str], ...]
    title: str  # normalised
    title_tokens: frozenset[str]
    vector: TextVector = field(repr=False)

    @classmethod
    def from_vacancy(
        cls,
        vacancy: Vacancy,
        taxonomy: Taxonomy | None = None,
        certifications: CertificationIndex | None = None,
        *,
        vector: TextVector | None = None,
    ) -> VacancyFeatures:
        """``vector``: ``text_vector(vacancy_text(vacancy))`` when already computed."""
        taxonomy = taxonomy or default_taxonomy()
        certifications = certifications or default_certifications()
        title = normalise(vacancy.title)
        return cls(
            vacancy_id=vacancy.vacancy_id,
            employer_id=vacancy.employer_id,
            updated_at=vacancy.updated_at,
            status=vacancy.status,
            closing_date=vacancy.closing_date,
            requires_right_to_work=vacancy.requires_right_to_work,
            remote=vacancy.remote,
            lat=vacancy.location.lat,
            lon=vacancy.location.lon,
            hours=_hours(vacancy.hours_per_week),
            max_referrals=vacancy.max_referrals,
            required=phrase_skills(vacancy.required_skills, taxonomy),
            desired=phrase_skills(vacancy.desired_skills, taxonomy),
            required_certs=tuple(
                (c, certifications.required_key(c)) for c in vacancy.required_certifications
            ),
            title=title,
            title_tokens=frozenset(title.split()),
            vector=text_vector(vacancy_text(vacancy)) if vector is None else vector,
        )

    def is_open_on(self, today: date) -> bool:
        return self.status == "open" and (self.closing_date is None or today <= self.closing_date)

