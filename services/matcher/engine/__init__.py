"""The matching engine: pure Python, no Kafka. The batch command and the streaming worker
both drive a ``Matcher`` and emit the events it returns."""

from services.matcher.engine.config import DEFAULT_THRESHOLD, MatchConfig
from services.matcher.engine.eligibility import ineligibility_reason, is_eligible, london_today
from services.matcher.engine.features import ClientFeatures, VacancyFeatures
from services.matcher.engine.matcher import Matcher
from services.matcher.engine.scoring import PairScore, explain, score_pair

__all__ = [
    "DEFAULT_THRESHOLD",
    "ClientFeatures",
    "MatchConfig",
    "Matcher",
    "PairScore",
    "VacancyFeatures",
    "explain",
    "ineligibility_reason",
    "is_eligible",
    "london_today",
    "match_batch",
    "score_pair",
]


def __getattr__(name: str) -> object:
    # batch lives beside the engine (it reads files); imported lazily to keep the engine's
    # import graph free of I/O modules.
    if name == "match_batch":
        from services.matcher.batch import match_batch

        return match_batch
    raise AttributeError(name)
