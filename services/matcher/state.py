"""The Faust side of the matcher's state: table adapters and the in-memory engines' lifecycle.

Faust tables hold the durable state (RocksDB or memory store, with changelog topics); the
engines' in-memory indexes are rebuilt from them lazily, on the first regional event after a
partition assignment. Faust resumes a partition's stream only once its tables are recovered,
so by then the tables are complete (this sidesteps racing the recovery signals, #596).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from services.heap import collector_paused
from services.matcher.regional import RegionalMatcher
from services.matcher.routing import partition_for_region

__all__ = ["EngineState", "TableMapping"]

log = logging.getLogger(__name__)


class TableMapping(MutableMapping[str, bytes]):
    """A Faust table with raw serialisers, seen as ``str -> bytes``.

    Keys go in as bytes so that the memory and RocksDB stores (and a store recovered from a
    changelog) all hold the same key type; values come back as bytes.
    """

    def __init__(self, table: Any) -> None:
        self.table = table

    def __getitem__(self, key: str) -> bytes:
        value = self.table[key.encode()]
        if value is None:
            raise KeyError(key)
        return value if isinstance(value, bytes) else str(value).encode()

    def get(self, key: str, default: Any = None) -> Any:
        value = self.table.get(key.encode())
        return default if value is None else value

    def __setitem__(self, key: str, value: bytes) -> None:
        self.table[key.encode()] = value

    def __delitem__(self, key: str) -> None:
        del self.table[key.encode()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.encode() in self.table

    def __iter__(self) -> Iterator[str]:
        for key in self.table:
            yield key.decode() if isinstance(key, bytes) else str(key)

    def __len__(self) -> int:
        return len(self.table)

    def raw_items(self) -> Iterator[tuple[str, bytes]]:
        for key, value in self.table.items():
            if value is None:
                continue
            text_key = key.decode() if isinstance(key, bytes) else str(key)
            yield text_key, value if isinstance(value, bytes) else str(value).encode()


class EngineState:
    """The worker's ``RegionalMatcher`` and when it must be rebuilt from the state table."""

    def __init__(self, make_matcher: Callable[[], RegionalMatcher], table: TableMapping,
                 partitions: int) -> None:
        self._make = make_matcher
        self.table = table
        self.partitions = partitions
        self.matcher = make_matcher()
        self.assigned: frozenset[int] = frozenset()
        self._stale = True
        self.restored_items = 0
        self.last_restore_s = 0.0

    def on_assigned(self, partitions: frozenset[int]) -> None:
        """A rebalance happened: rebuild before the next event is applied."""
        self.assigned = partitions
        self._stale = True

    def mine(self, region: str) -> bool:
        return partition_for_region(region, self.partitions) in self.assigned

    def ensure_loaded(self) -> None:
        if not self._stale:
            return
        began = time.monotonic()
        matcher = self._make()
        with collector_paused():
            self.restored_items = matcher.restore(self.table.raw_items(), keep=self.mine)
        self.matcher = matcher
        self._stale = False
        self.last_restore_s = time.monotonic() - began
        log.info("matcher state rebuilt: partitions=%s items=%d %s in %.2fs",
                 sorted(self.assigned), self.restored_items, matcher.stats(),
                 self.last_restore_s)

    def invalidate(self) -> None:
        """After an error mid-event the engines may be ahead of the table: rebuild."""
        self._stale = True
