"""A hand-written fake :class:`~services.ingest.publisher.Publisher` for tests (no Kafka)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.ingest.publisher import DeliveryCallback

__all__ = ["FakePublisher", "Sent"]


@dataclass(frozen=True)
class Sent:
    topic: str
    key: bytes | None
    value: bytes | None


@dataclass
class FakePublisher:
    """Records what was sent. ``fail_when(sent)`` True makes that record's delivery fail,
    as a broker that never acknowledged it would. Callbacks run at ``flush``, as a real
    producer's run later, on another thread."""

    fail_when: Callable[[Sent], bool] = lambda _sent: False
    sent: list[Sent] = field(default_factory=list)
    failed: list[Sent] = field(default_factory=list)
    _pending: list[tuple[Sent, DeliveryCallback]] = field(default_factory=list)
    closed: bool = False

    def send(self, topic: str, key: bytes | None, value: bytes | None,
             on_done: DeliveryCallback) -> None:
        self._pending.append((Sent(topic, key, value), on_done))

    def flush(self, timeout_s: float | None = None) -> None:
        pending, self._pending = self._pending, []
        for item, on_done in pending:
            if self.fail_when(item):
                self.failed.append(item)
                on_done(TimeoutError("fake broker did not acknowledge"))
            else:
                self.sent.append(item)
                on_done(None)

    def close(self) -> None:
        self.flush()
        self.closed = True

    def on(self, topic: str) -> list[Sent]:
        """What was acknowledged on ``topic``."""
        return [s for s in self.sent if s.topic == topic]
