"""``RegionalMatcher``: one engine per region, the ``RegionOp``s applied to it, and the state
changes (``Change``) to mirror into durable storage so the engines can be restored
(see ``regional``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from schemas import ClientProfile, Referral, Vacancy, validate
from schemas.validation import Valid
from services.matcher._region_ops import _SEP, RegionOp

__all__ = [
    "Change",
    "EngineFactory",
    "EngineLike",
    "EngineRestorer",
    "RecordCache",
    "RegionalMatcher",
    "Step",
    "write_order",
]

# A state change to mirror into storage: (key, value) to put, or (key, None) to delete.
Change = tuple[str, bytes | None]


class EngineLike(Protocol):
    """What the regional layer needs from ``services.matcher.engine.Matcher``."""

    clients: dict[str, ClientProfile]
    vacancies: dict[str, Vacancy]
    active: dict[str, Referral]

    def upsert_client(self, profile: ClientProfile, now: datetime) -> list[Referral]: ...
    def upsert_vacancy(self, vacancy: Vacancy, now: datetime) -> list[Referral]: ...
    def erase_client(self, client_id: str, now: datetime) -> list[Referral]: ...
    def erase_vacancy(self, vacancy_id: str, now: datetime) -> list[Referral]: ...
    def expire(self, now: datetime) -> list[Referral]: ...


EngineFactory = Callable[[], EngineLike]
EngineRestorer = Callable[[list[ClientProfile], list[Vacancy], list[Referral]], EngineLike]


def _as_text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RecordCache:
    """Parsed records by (kind, JSON text), bounded, least recently used out first.

    A client record reaches several regions as the same canonical JSON; parsing it once per
    process (and handing the router's parsed record to the matching side when both run in
    one worker) also makes every region hold the same ``ClientProfile`` object.
    """

    def __init__(self, max_entries: int = 5_000) -> None:
        self._max = max_entries
        self._items: OrderedDict[tuple[str, str], ClientProfile | Vacancy] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def put(self, kind: str, raw: str, record: ClientProfile | Vacancy) -> None:
        self._items[(kind, raw)] = record
        self._items.move_to_end((kind, raw))
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def get(self, kind: str, raw: str) -> ClientProfile | Vacancy | str:
        """The record, or the reason it is invalid (never cached)."""
        record = self._items.get((kind, raw))
        if record is not None:
            self.hits += 1
            self._items.move_to_end((kind, raw))
            return record
        self.misses += 1
        verdict = validate("client" if kind == "client" else "vacancy", raw)
        if not isinstance(verdict, Valid):
            return verdict.reason
        self.put(kind, raw, verdict.record)
        return verdict.record


@dataclass
class Step:
    """The result of applying one op: what to send, then what to store."""

    outputs: list[Referral] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rejected: str | None = None  # a reason when the op's record failed validation


def _key(region: str, kind: str, entity_id: str) -> str:
    return f"{region}{_SEP}{kind}{_SEP}{entity_id}"


def write_order(changes: Iterable[Change]) -> list[Change]:
    """One op's changes in the order they are stored: referrals made, then referrals
    withdrawn, then the client or vacancy record.

    A crash can stop the writes anywhere; the ops not committed are then replayed on what was
    written. With the record last, an op whose record was written wrote everything (the
    replay skips it as already seen), and an op cut short is replayed on a state holding at
    most some of its referral changes -- the ones it makes again (made first: if a withdrawal
    was written, so was every referral the op made in its place). The replay then takes the
    same decisions, and every referral sent before the crash holds again or is withdrawn
    again (``tests/unit/test_crash_replay.py``). With the record first, the replay skipped a
    cut-short op, its unwritten referrals were forgotten, and their clients could be referred
    again elsewhere while the first referral still held."""
    made: list[Change] = []
    withdrawn: list[Change] = []
    records: list[Change] = []
    for key, value in changes:
        group = (records if _kind_of(key) != "r" else
                 made if value is not None else withdrawn)
        group.append((key, value))
    return [*made, *withdrawn, *records]


def _kind_of(key: str) -> str:
    return key.split(_SEP, 2)[1]


def _with_reason(ref: Referral, reason: str) -> Referral:
    if ref.kind != "withdrawal":
        return ref
    return ref.model_copy(update={"explanation": ref.explanation.model_copy(
        update={"withdrawal_reason": reason})})


class RegionalMatcher:
    """One engine per region; applies ``RegionOp``s and reports state changes.

    Storage keys (``Change``): ``<region>|c|<client_id>`` -> the client's JSON as published,
    ``<region>|v|<vacancy_id>`` -> the vacancy's JSON, ``<region>|r|<referral_id>`` -> an active
    referral's JSON. ``restore`` takes those items back.
    """

    def __init__(self, engine_factory: EngineFactory, restore_engine: EngineRestorer,
                 records: RecordCache | None = None) -> None:
        self._factory = engine_factory
        self._restore_engine = restore_engine
        self.records = records if records is not None else RecordCache()
        self.regions: dict[str, EngineLike] = {}

    # ------------------------------------------------------------------ state
    def _region(self, name: str) -> EngineLike:
        engine = self.regions.get(name)
        if engine is None:
            engine = self.regions[name] = self._factory()
        return engine

    def stats(self) -> dict[str, int]:
        engines = self.regions.values()
        return {
            "regions": len(self.regions),
            "clients": sum(len(e.clients) for e in engines),
            "vacancies": sum(len(e.vacancies) for e in engines),
            "active_referrals": sum(len(e.active) for e in engines),
        }

    def restore(self, items: Iterable[tuple[str, bytes | str]],
                keep: Callable[[str], bool] = lambda _r: True) -> int:
        """Rebuild the engines of the regions ``keep`` accepts from stored items."""
        grouped: dict[str, tuple[list[ClientProfile], list[Vacancy], list[Referral]]] = {}
        # One parse per distinct record: a client's copies in several regions are the same
        # JSON, and then the same object in every engine (whose features are shared too).
        parsed: dict[bytes | str, ClientProfile | Vacancy | None] = {}
        count = 0
        for key, value in items:
            region, kind, _entity_id = key.split(_SEP, 2)
            if not keep(region):
                continue
            clients, vacancies, referrals = grouped.setdefault(region, ([], [], []))
            if kind == "r":
                referrals.append(Referral.model_validate_json(value))
            else:
                record = parsed.get(value)
                if record is None and value not in parsed:
                    verdict = validate("client" if kind == "c" else "vacancy", _as_text(value))
                    record = parsed[value] = getattr(verdict, "record", None)
                if isinstance(record, ClientProfile):
                    clients.append(record)
                elif isinstance(record, Vacancy):
                    vacancies.append(record)
            count += 1
        parsed.clear()
        for name, (clients, vacancies, referrals) in grouped.items():
            self.regions[name] = self._restore_engine(clients, vacancies, referrals)
        return count

    # ------------------------------------------------------------------ ops
    def apply(self, op: RegionOp, now: datetime) -> Step:
        """Apply one op to its region. Replays are harmless: the engine ignores an older or
        equal record, and erasing what is gone changes nothing."""
        if op.op == "tick":
            return self.expire(now, lambda r: r == op.region or not op.region)
        engine = self._region(op.region)
        step = Step()
        if op.op in ("client", "vacancy"):
            record = self.records.get(op.op, op.raw)
            if isinstance(record, str):
                return Step(rejected=record)
            if isinstance(record, ClientProfile):
                prev_at = getattr(engine.clients.get(record.client_id), "updated_at", None)
                step.outputs = engine.upsert_client(record, now)
                if prev_at is None or record.updated_at > prev_at:
                    step.changes.append((_key(op.region, "c", record.client_id), op.raw.encode()))
            elif isinstance(record, Vacancy):
                prev_at = getattr(engine.vacancies.get(record.vacancy_id), "updated_at", None)
                step.outputs = engine.upsert_vacancy(record, now)
                if prev_at is None or record.updated_at > prev_at:
                    step.changes.append((_key(op.region, "v", record.vacancy_id),
                                         op.raw.encode()))
        elif op.op in ("erase", "leave_client"):
            known = op.entity_id in engine.clients
            step.outputs = engine.erase_client(op.entity_id, now)
            if op.op == "leave_client":
                step.outputs = [_with_reason(r, "client moved out of reach") for r in step.outputs]
            if known:
                step.changes.append((_key(op.region, "c", op.entity_id), None))
        elif op.op == "leave_vacancy":
            known = op.entity_id in engine.vacancies
            step.outputs = [_with_reason(r, "vacancy moved or deleted")
                            for r in engine.erase_vacancy(op.entity_id, now)]
            if known:
                step.changes.append((_key(op.region, "v", op.entity_id), None))
        self._track(op.region, step)
        step.changes = write_order(step.changes)
        return step

    def expire(self, now: datetime, keep: Callable[[str], bool] = lambda _r: True) -> Step:
        """Re-check closing dates (they pass without an event) in the regions ``keep`` takes."""
        step = Step()
        for name in sorted(self.regions):
            if keep(name):
                part = Step(outputs=self.regions[name].expire(now))
                self._track(name, part)
                step.outputs.extend(part.outputs)
                step.changes.extend(write_order(part.changes))
        return step

    def drop_empty(self) -> None:
        """Forget regions with nothing in them (after erasures and moves)."""
        for name in [n for n, e in self.regions.items() if not e.clients and not e.vacancies]:
            del self.regions[name]

    @staticmethod
    def _track(region: str, step: Step) -> None:
        """The outputs change the active-referral set: record that as state changes."""
        for ref in step.outputs:
            key = _key(region, "r", ref.referral_id)
            step.changes.append(
                (key, ref.model_dump_json().encode() if ref.kind == "referral" else None))
