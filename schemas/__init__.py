"""jobmatch's event contract v1 (``../shared/CONTRACT.md``), as pydantic models.

Publishers and employers build on these names; a change to a published field is a new
version, never an edit. Where the contract is silent, ``DECISIONS.md`` records our choice.
"""

from schemas._types import Hours, Location
from schemas.client import ClientProfile, ClientStatus, Monitoring
from schemas.deadletter import PAYLOAD_CAP_BYTES, DeadLetter, DeadLetterSource
from schemas.errors import ContractError, JobmatchError
from schemas.outcome import OutcomeKind, ReferralOutcome
from schemas.referral import Explanation, MatchedSkill, Referral, ReferralKind, referral_id_for
from schemas.topics import (
    CLIENTS,
    DEADLETTERS,
    OUTCOMES,
    RAW_CLIENTS,
    RAW_VACANCIES,
    REFERRALS,
    TOPICS,
    VACANCIES,
    TopicSpec,
)
from schemas.vacancy import Vacancy, VacancyStatus
from schemas.validation import MAX_RECORD_BYTES, Rejected, Valid, parse_json_object, validate

__all__ = [
    "CLIENTS",
    "DEADLETTERS",
    "MAX_RECORD_BYTES",
    "OUTCOMES",
    "PAYLOAD_CAP_BYTES",
    "RAW_CLIENTS",
    "RAW_VACANCIES",
    "REFERRALS",
    "TOPICS",
    "VACANCIES",
    "ClientProfile",
    "ClientStatus",
    "ContractError",
    "DeadLetter",
    "DeadLetterSource",
    "Explanation",
    "Hours",
    "JobmatchError",
    "Location",
    "MatchedSkill",
    "Monitoring",
    "OutcomeKind",
    "Referral",
    "ReferralKind",
    "ReferralOutcome",
    "Rejected",
    "TopicSpec",
    "Vacancy",
    "VacancyStatus",
    "Valid",
    "parse_json_object",
    "referral_id_for",
    "validate",
]
