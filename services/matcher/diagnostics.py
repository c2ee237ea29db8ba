"""What a matcher worker reports about itself: stage timings, batch traces, its status file.

Kept out of the agents so that they stay thin; nothing here changes what the worker does.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["TRACE", "StageTimer", "offsets", "rss_kb", "write_status"]

# JOBMATCH_MATCHER_TRACE=1 logs the offsets of every batch and every assignment: enough to
# check afterwards that no input offset was skipped (how the rebalance loss was found).
TRACE = bool(os.environ.get("JOBMATCH_MATCHER_TRACE"))


class StageTimer:
    """Seconds spent per agent stage (engine, state writes, waits), summed over the run.

    The agents share one event loop, so stages of different agents may overlap in time; a
    stage's total says where that agent's time went, not the worker's CPU."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - began)

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in sorted(self.seconds.items())}


def offsets(events: Iterable[Any]) -> str:
    """``topic/partition:first-last`` per partition of a batch of Faust events."""
    spans: dict[str, list[int]] = {}
    for event in events:
        msg = event.message
        spans.setdefault(f"{msg.topic[-9:]}/{msg.partition}", []).append(msg.offset)
    return " ".join(f"{k}:{min(v)}-{max(v)}" for k, v in sorted(spans.items()))


def rss_kb() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def write_status(path: Path, status: dict[str, Any]) -> None:
    """Replace the status file atomically (tests and the benchmark poll it)."""
    full = {**status, "pid": os.getpid(), "time": time.time(),
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rss_kb": rss_kb()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(full))
    tmp.replace(path)
