"""The root of jobmatch's exceptions, and the one the contract raises.

The full tree (the services add their branches in ``services/errors.py``)::

    JobmatchError
    ├── ContractError          a record breaks CONTRACT.md (bad JSON, unknown field, range, ...)
    └── ServiceError           (services/errors.py)
        ├── BrokerUnavailable  Kafka cannot be reached or did not acknowledge
        ├── DeliveryFailed     some records were not acknowledged; names which
        └── ConfigurationError bad settings or command-line input
"""

from __future__ import annotations

__all__ = ["ContractError", "JobmatchError"]


class JobmatchError(Exception):
    """Base of every error jobmatch raises on purpose."""


class ContractError(JobmatchError, ValueError):
    """A record does not satisfy the event contract. ``reason`` is safe to log and to publish:
    it names fields and rules, never the values of personal fields."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
