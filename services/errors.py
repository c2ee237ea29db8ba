"""The services' branch of jobmatch's exceptions (the root is in ``schemas/errors.py``)::

    JobmatchError                  schemas.errors
    ├── ContractError          schemas.errors: a record breaks CONTRACT.md
    └── ServiceError               something a service could not do
        ├── BrokerUnavailable      Kafka cannot be reached, or did not acknowledge in time
        ├── DeliveryFailed         some records were not acknowledged; ``failed`` names which
        └── ConfigurationError     bad settings or command-line input

Messages never carry a record's personal fields: positions and ids only.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas.errors import JobmatchError

__all__ = ["BrokerUnavailable", "ConfigurationError", "DeliveryFailed", "ServiceError"]


class ServiceError(JobmatchError):
    """Base of the errors the services raise on purpose."""


class BrokerUnavailable(ServiceError):
    """Kafka cannot be reached (at start-up), or stopped answering."""


class DeliveryFailed(ServiceError):
    """Some records were not acknowledged by the broker.

    ``failed`` holds one ``(position, record_id)`` pair per record not published, so that an
    operator (or a rerun) can send exactly those again.
    """

    def __init__(self, failed: Sequence[tuple[str, str]], cause: str = "") -> None:
        self.failed: tuple[tuple[str, str], ...] = tuple(failed)
        self.cause = cause
        shown = ", ".join(f"{pos} ({rid})" for pos, rid in self.failed[:5])
        more = f" and {len(self.failed) - 5} more" if len(self.failed) > 5 else ""
        why = f": {cause}" if cause else ""
        super().__init__(f"{len(self.failed)} record(s) not published{why}: {shown}{more}")


class ConfigurationError(ServiceError):
    """Bad settings or command-line input."""
