"""Everything matching needs from a record, computed once when the record arrives.

Pair scoring then works on ids, sets and small arrays only: no text processing per pair.
Equality-monitoring data (``ClientProfile.monitoring``) is deliberately never copied here, so
no later step can use it.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from schemas import ClientProfile, Hours, Vacancy
from services.matcher.engine.certifications import CertificationIndex, default_certifications
from services.matcher.engine.normalise import normalise
from services.matcher.engine.taxonomy import Taxonomy, default_taxonomy

__all__ = [
    "N_TEXT_FEATURES",
    "ClientFeatures",
    "FeaturesCache",
    "SkillFeature",
    "TextVector",
    "VacancyFeatures",
    "split_skill",
    "text_vector",
]

N_TEXT_FEATURES = 2**18
# The opening of a description carries the role; the rest is boilerplate about the employer
# and would multiply the memory of every vacancy held.
_DESCRIPTION_CHARS = 1000

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TextVector:
    """An l2-normalised sparse vector: sorted hashed feature indices and their weights."""

    indices: IntArray
    values: FloatArray

    @property
    def nbytes(self) -> int:
        return int(self.indices.nbytes + self.values.nbytes)


@cache
def _analyser() -> Callable[[str], list[str]]:
    # The n-grams of scikit-learn's HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4)),
    # hashed below exactly as it does. Calling its transform() per record costs ~1 ms of
    # parameter validation; hashing here costs a tenth of that and gives the same vector
    # (tests/unit/engine/test_features.py checks).
    analyse: Callable[[str], list[str]] = HashingVectorizer(
        analyzer="char_wb", ngram_range=(3, 4), lowercase=True
    ).build_analyzer()
    return analyse


@lru_cache(maxsize=1 << 20)  # n-grams recur across records; ~100 MB at the very most
def _gram_index(gram: str) -> int:
    return abs(int(murmurhash3_32(gram, seed=0))) % N_TEXT_FEATURES


@lru_cache(maxsize=1 << 18)
def _word_indices(word: str) -> tuple[int, ...]:
    return tuple(_gram_index(g) for g in _analyser()(word))


def text_vector(text: str) -> TextVector:
    """l2-normalised counts of hashed character 3- and 4-grams (no fitting needed)."""
    counts: dict[int, float] = {}
    # char_wb n-grams never cross a space, so a text's counts are the sum of its words'.
    for word in text.lower().split():
        for index in _word_indices(word):
            counts[index] = counts.get(index, 0.0) + 1.0
    if not counts:
        return TextVector(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))
    indices = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
    values = np.array([counts[int(i)] for i in indices], dtype=np.float64)
    values /= float(np.sqrt(np.dot(values, values)))
    return TextVector(indices, values)


@dataclass(frozen=True, slots=True)
class SkillFeature:
    """One skill phrase as typed, its taxonomy ids (with confidence) and its weighted stems."""

    text: str
    ids: tuple[tuple[str, float], ...]
    tokens: frozenset[str]  # stems of its words (typos corrected)
    weights: tuple[tuple[str, float], ...] = ()  # (stem, IDF weight), sorted
    norm: str = ""  # normalised text, typos corrected
    uk: frozenset[str] = frozenset()  # UK skill groups it names

    @property
    def total(self) -> float:
        return sum(w for _, w in self.weights)


# Two skills typed in one box: "MS Office, inbound calls", "carrying heavy loads & prepping
# food". Split only where every part is a skill the taxonomy knows, and never a phrase the
# taxonomy knows whole ("loading/unloading", "hand and power tools", "Word and Excel").
_SPLIT_STRONG = re.compile(r"\s*[,;/|]\s*|\s+-\s+")
_SPLIT_WEAK = re.compile(r"\s*&\s*|\s+\+\s+|\s+and\s+", re.IGNORECASE)


def _feature(phrase: str, taxonomy: Taxonomy) -> SkillFeature | None:
    found = taxonomy.lookup(phrase)
    if not found.ids:  # a phrase of punctuation only names nothing
        return None
    return SkillFeature(
        phrase, found.ids, frozenset(t for t, _ in found.stems), found.stems, found.text,
        frozenset(tid for tid, _ in found.ids if tid.startswith("uk:")),
    )


def split_skill(phrase: str, taxonomy: Taxonomy, *, every_part_known: bool = True) -> list[str]:
    """The skills one typed item holds: itself, or its parts (when each is a known skill, or
    at least one is with ``every_part_known=False``)."""
    if taxonomy.lookup(phrase).known or not (
            _SPLIT_STRONG.search(phrase) or _SPLIT_WEAK.search(phrase)):
        return [phrase]
    parts: list[str] = []
    for part in (p.strip() for p in _SPLIT_STRONG.split(phrase)):
        if not part:
            continue
        weak = [p.strip() for p in _SPLIT_WEAK.split(part) if p.strip()]
        if len(weak) > 1 and not taxonomy.lookup(part).known and all(
                taxonomy.lookup(w).known for w in weak):
            parts += weak
        else:
            parts.append(part)
    known = [taxonomy.lookup(p).known for p in parts]
    if len(parts) < 2 or not (all(known) if every_part_known else any(known)):
        return [phrase]
    return parts


def _skills(phrases: list[str], taxonomy: Taxonomy, *,
            keep_whole: bool = False) -> tuple[SkillFeature, ...]:
    """Features of typed skills. A client's combined item keeps its whole text beside its
    parts (more evidence of what they can do); a vacancy's becomes its parts (each is
    required)."""
    out: list[SkillFeature] = []
    for phrase in phrases:
        parts = split_skill(phrase, taxonomy, every_part_known=not keep_whole)
        if keep_whole and len(parts) > 1:
            parts = [phrase, *parts]
        for part in parts:
            feature = _feature(part, taxonomy)
            if feature is not None:
                out.append(feature)
    return tuple(out)


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
    ) -> ClientFeatures:
        taxonomy = taxonomy or default_taxonomy()
        certifications = certifications or default_certifications()
        skills = _skills(profile.skills, taxonomy, keep_whole=True)
        skill_ids: dict[str, tuple[int, float]] = {}
        for i, skill in enumerate(skills):
            for tid, conf in skill.ids:
                if tid not in skill_ids or conf > skill_ids[tid][1]:
                    skill_ids[tid] = (i, conf)
        roles = tuple(r for r in (normalise(x) for x in profile.desired_roles) if r)
        text = " ; ".join([*profile.desired_roles, *profile.skills])
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
            vector=text_vector(text),
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
    ) -> VacancyFeatures:
        taxonomy = taxonomy or default_taxonomy()
        certifications = certifications or default_certifications()
        title = normalise(vacancy.title)
        text = " ; ".join([vacancy.title, vacancy.description[:_DESCRIPTION_CHARS]])
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
            required=_skills(vacancy.required_skills, taxonomy),
            desired=_skills(vacancy.desired_skills, taxonomy),
            required_certs=tuple(
                (c, certifications.required_key(c)) for c in vacancy.required_certifications
            ),
            title=title,
            title_tokens=frozenset(title.split()),
            vector=text_vector(text),
        )

    def is_open_on(self, today: date) -> bool:
        return self.status == "open" and (self.closing_date is None or today <= self.closing_date)

