"""End-to-end accounting: tag every input, compare what the system acknowledged with what a
consumer actually read, per outcome, and name the anomalies as Jepsen does.

Used by the fault tests here and, later, by the matcher's fault tests (SIGKILL, lost local
state, rescaling): they only need to call :meth:`Ledger.ack` for what the system said it took
and :meth:`Ledger.observe` for what came out, then :meth:`Ledger.report`.

Outcomes: ``state`` (a record on a canonical topic, or a tombstone), ``referral``,
``withdrawal``, ``dead_letter``. Identity of one delivery, for duplicate detection:
- referrals and withdrawals: the ``referral_id`` alone (the contract makes it deterministic,
  so a second copy with a new ``created_at`` is still the same referral);
- everything else: key + SHA-256 of the payload (a re-send of the same record is a duplicate;
  a new version of the same key is not).

Anomalies (names after jepsen-io/redpanda):
- ``lost_write``: acknowledged, never read, although something acknowledged *after* it (same
  outcome) was read, so the reader had gone past it.
- ``unseen``: acknowledged, never read, and nothing later was read either (may still be in
  flight; at the end of a drained test it is loss all the same).
- ``duplicate``: one identity read more than once (extra copies counted).
- ``nonmonotonic_poll``: within one partition, a reader saw an offset not above the previous.
- ``stale_final``: for a key, the last payload read is not the last one acknowledged
  (latest-wins topics: a re-send of an older version landed after the newer one).
- ``unacknowledged``: read but never acknowledged (a crash between write and ack: allowed,
  reported, as Jepsen's "info" operations).
- ``wrong_outcome``: acknowledged under one outcome, read under another only.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["OUTCOMES", "Ledger", "OutcomeReport", "Report", "payload_hash"]

OUTCOMES = ("state", "referral", "withdrawal", "dead_letter")
# Outcomes whose identity is the id alone (the referral_id); the rest are key + payload hash.
_BY_ID = frozenset({"referral", "withdrawal"})


def payload_hash(payload: bytes | str | None) -> str:
    """SHA-256 of a payload; a tombstone (None) has its own fixed identity."""
    if payload is None:
        return "tombstone"
    data = payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else payload
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class _Ack:
    seq: int  # global order of acknowledgement
    key: str
    digest: str


@dataclass(frozen=True)
class _Seen:
    key: str
    digest: str
    partition: int | None
    offset: int | None


@dataclass(frozen=True)
class OutcomeReport:
    outcome: str
    acknowledged: int
    read: int
    lost_write: tuple[str, ...]
    unseen: tuple[str, ...]
    duplicate: int  # extra copies read
    duplicated_ids: tuple[str, ...]
    nonmonotonic_poll: int
    stale_final: tuple[str, ...]
    unacknowledged: tuple[str, ...]
    wrong_outcome: tuple[str, ...]

    @property
    def lost(self) -> int:
        return len(self.lost_write) + len(self.unseen)


@dataclass(frozen=True)
class Report:
    outcomes: dict[str, OutcomeReport]

    def total(self, name: str) -> int:
        """Sum of one anomaly over outcomes (a count, or the length of the id list)."""
        out = 0
        for rep in self.outcomes.values():
            value = getattr(rep, name)
            out += value if isinstance(value, int) else len(value)
        return out

    def clean(self, *, allow_duplicates: Iterable[str] = (),
              allow_unacknowledged: bool = True) -> list[str]:
        """Problems, as sentences; empty when the run is clean. ``allow_duplicates`` names the
        outcomes where re-sends are allowed (at-least-once paths)."""
        allowed = set(allow_duplicates)
        problems = []
        for name, rep in self.outcomes.items():
            for anomaly in ("lost_write", "unseen", "stale_final", "wrong_outcome"):
                ids = getattr(rep, anomaly)
                if ids:
                    problems.append(f"{name}: {anomaly} {len(ids)} e.g. {list(ids[:5])}")
            if rep.nonmonotonic_poll:
                problems.append(f"{name}: nonmonotonic_poll {rep.nonmonotonic_poll}")
            if rep.duplicate and name not in allowed:
                problems.append(f"{name}: duplicate {rep.duplicate} e.g. "
                                f"{list(rep.duplicated_ids[:5])}")
            if rep.unacknowledged and not allow_unacknowledged:
                problems.append(f"{name}: unacknowledged {len(rep.unacknowledged)}")
        return problems

    def table(self) -> str:
        """A markdown table, one row per outcome that had any traffic."""
        head = ("| outcome | acknowledged | read | lost-write | unseen | duplicate "
                "| nonmonotonic-poll | stale-final | unacknowledged | wrong-outcome |\n"
                "|---|---|---|---|---|---|---|---|---|---|")
        rows = [head]
        for r in self.outcomes.values():
            if r.acknowledged or r.read:
                rows.append(
                    f"| {r.outcome} | {r.acknowledged} | {r.read} | {len(r.lost_write)} "
                    f"| {len(r.unseen)} | {r.duplicate} | {r.nonmonotonic_poll} "
                    f"| {len(r.stale_final)} | {len(r.unacknowledged)} "
                    f"| {len(r.wrong_outcome)} |")
        return "\n".join(rows)


@dataclass
class Ledger:
    """What went in (acknowledged) and what came out (read), per outcome. Not thread-safe on
    purpose: call ``ack`` from producer callbacks through a queue or a lock of your own."""

    run_id: str
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _acks: dict[str, list[_Ack]] = field(default_factory=lambda: defaultdict(list))
    _seen: dict[str, list[_Seen]] = field(default_factory=lambda: defaultdict(list))

    def new_id(self, prefix: str = "i") -> str:
        """A unique input id: ``<run_id>-<prefix><n>`` (valid as a client_id/vacancy_id)."""
        return f"{self.run_id}-{prefix}{next(self._ids)}"

    def ack(self, outcome: str, key: str, payload: bytes | str | None = None) -> None:
        """The system acknowledged this input, expected to come out as ``outcome``."""
        self._check(outcome)
        self._acks[outcome].append(_Ack(next(self._seq), key, payload_hash(payload)))

    def observe(self, outcome: str, key: str, payload: bytes | str | None = None, *,
                partition: int | None = None, offset: int | None = None) -> None:
        """A reader saw this, in this order (one reader's sequence; see nonmonotonic_poll)."""
        self._check(outcome)
        self._seen[outcome].append(_Seen(key, payload_hash(payload), partition, offset))

    def report(self) -> Report:
        acked_keys = {o: {a.key for a in self._acks[o]} for o in OUTCOMES}
        seen_keys = {o: {s.key for s in self._seen[o]} for o in OUTCOMES}
        return Report({o: self._outcome(o, acked_keys, seen_keys) for o in OUTCOMES})

    # --- internals ---------------------------------------------------------------------------

    @staticmethod
    def _check(outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")

    def _identity(self, outcome: str, key: str, digest: str) -> str:
        return key if outcome in _BY_ID else f"{key}#{digest}"

    def _outcome(self, outcome: str, acked_keys: dict[str, set[str]],
                 seen_keys: dict[str, set[str]]) -> OutcomeReport:
        acks, seen = self._acks[outcome], self._seen[outcome]
        seen_ids = {self._identity(outcome, s.key, s.digest) for s in seen}
        missing = [a for a in acks if self._identity(outcome, a.key, a.digest) not in seen_ids]
        # The latest acknowledgement that was read: anything missing before it is a lost write.
        read_seqs = [a.seq for a in acks if self._identity(outcome, a.key, a.digest) in seen_ids]
        horizon = max(read_seqs, default=-1)
        lost = tuple(sorted({a.key for a in missing if a.seq < horizon}))
        unseen = tuple(sorted({a.key for a in missing if a.seq > horizon} - set(lost)))
        copies = Counter(self._identity(outcome, s.key, s.digest) for s in seen)
        dup_ids = tuple(sorted(i for i, n in copies.items() if n > 1))
        duplicate = sum(n - 1 for n in copies.values() if n > 1)
        last_offset: dict[int, int] = {}
        nonmonotonic = 0
        for s in seen:
            if s.partition is None or s.offset is None:
                continue
            if s.partition in last_offset and s.offset <= last_offset[s.partition]:
                nonmonotonic += 1
            last_offset[s.partition] = s.offset
        stale: tuple[str, ...] = ()
        if outcome not in _BY_ID:
            last_acked = {a.key: a.digest for a in sorted(acks, key=lambda a: a.seq)}
            last_read = {s.key: s.digest for s in seen}
            stale = tuple(sorted(k for k, d in last_read.items()
                                 if k in last_acked and last_acked[k] != d))
        other_seen = set().union(*(seen_keys[o] for o in OUTCOMES if o != outcome))
        wrong = tuple(sorted({a.key for a in missing} & (other_seen - seen_keys[outcome])))
        acked_any = set().union(*acked_keys.values())
        unacked = tuple(sorted({s.key for s in seen} - acked_keys[outcome] - acked_any))
        return OutcomeReport(
            outcome=outcome, acknowledged=len(acks), read=len(seen),
            lost_write=tuple(k for k in lost if k not in wrong),
            unseen=tuple(k for k in unseen if k not in wrong),
            duplicate=duplicate, duplicated_ids=dup_ids, nonmonotonic_poll=nonmonotonic,
            stale_final=stale, unacknowledged=unacked, wrong_outcome=wrong)
