"""Regional matching: the same code for the streaming agents and the batch command.

Pure (no Faust, no Kafka). Two halves, which the streaming matcher runs in two agents and the
batch command runs back to back in one process:

- ``Router`` decides which regions a record goes to (``routing.Grid``) and remembers, per
  client and vacancy, the regions it went to last, so that a move or an erasure also reaches
  the regions the record leaves. It emits ``RegionOp`` messages.
- ``RegionalMatcher`` holds one engine ``Matcher`` per region and applies ``RegionOp``s to it.
  It returns the referrals and withdrawals to send, and the state changes (``Change``) to
  mirror into durable storage; ``restore`` rebuilds the engines from that storage.

Per-client caps are therefore per region (a client near a region border may be referred in
each region it reaches); the batch command applies the same routing so batch == streaming.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from schemas import ClientProfile, Referral, Vacancy, validate
from schemas.validation import Valid
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.features import FeaturesCache
from services.matcher.engine.matcher import Matcher
from services.matcher.routing import Grid

__all__ = [
    "Change",
    "EngineFactory",
    "EngineLike",
    "EngineRestorer",
    "OpKind",
    "RecordCache",
    "RegionOp",
    "RegionalMatcher",
    "Router",
    "Step",
    "engine_factory",
    "engine_restorer",
    "match_batch_regional",
    "pack_ops",
    "unpack_ops",
]

OpKind = Literal["client", "vacancy", "erase", "leave_client", "leave_vacancy", "tick"]
_SEP = "|"  # region and id characters never include it


@dataclass(frozen=True)
class RegionOp:
    """One message on the regional topic: what to do to one region's state."""

    op: OpKind
    region: str
    entity_id: str = ""
    raw: str = ""  # the record's JSON as published, for client and vacancy ops
    position: str = ""  # where the source record was read (topic/partition/offset)

    def to_dict(self) -> dict[str, str]:
        return {"op": self.op, "region": self.region, "id": self.entity_id, "raw": self.raw,
                "pos": self.position}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> RegionOp:
        return cls(op=obj["op"], region=obj["region"], entity_id=obj.get("id", ""),
                   raw=obj.get("raw", ""), position=obj.get("pos", ""))

    @classmethod
    def from_bytes(cls, data: bytes | str) -> RegionOp:
        return cls.from_dict(json.loads(data))


def pack_ops(ops: list[RegionOp], max_bytes: int = 256 * 1024, max_ops: int = 256
             ) -> list[bytes]:
    """Ops bound for one regional partition as few messages as possible: JSON arrays of ops,
    in order, each at most about ``max_bytes`` and ``max_ops`` (an op larger than that
    travels alone)."""
    messages: list[bytes] = []
    parts: list[bytes] = []
    size = 0
    for op in ops:
        item = op.to_bytes()
        if parts and (size + len(item) + 1 > max_bytes or len(parts) >= max_ops):
            messages.append(b"[" + b",".join(parts) + b"]")
            parts, size = [], 0
        parts.append(item)
        size += len(item) + 1
    if parts:
        messages.append(b"[" + b",".join(parts) + b"]")
    return messages


def unpack_ops(data: bytes | str) -> list[RegionOp]:
    """The ops of one regional message: an array of ops, or a single op (ticks)."""
    obj = json.loads(data)
    if isinstance(obj, list):
        return [RegionOp.from_dict(item) for item in obj]
    return [RegionOp.from_dict(obj)]


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


# --------------------------------------------------------------------------- routing


def _route_value(updated_at: str, regions: list[str], left: list[str]) -> bytes:
    return json.dumps({"u": updated_at, "r": regions, "left": left},
                      separators=(",", ":")).encode()


def _as_text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Router:
    """Routes canonical records to regions; ``routes`` persists where each record went.

    ``routes`` is any mutable mapping ``str -> bytes``: a dict for the batch command, a Faust
    table (through an adapter) in the worker. Keys: ``c|<client_id>``, ``v|<vacancy_id>``.

    Latest updated_at wins here too: an older record is dropped. A record with the *same*
    updated_at is forwarded again to the regions recorded for it (never re-routed by its
    content): that is a replay after a crash, and forwarding it again is harmless (the
    engines ignore it) while dropping it could lose a forward that never reached the broker.
    """

    def __init__(self, grid: Grid, routes: MutableMapping[str, bytes]) -> None:
        self.grid = grid
        self.routes = routes

    def _previous(self, key: str) -> dict[str, Any] | None:
        stored = self.routes.get(key)
        return None if stored is None else dict(json.loads(stored))

    def _route(self, key: str, kind: Literal["client", "vacancy"], *, entity_id: str,
               updated_at: datetime, regions: list[str], raw: str, position: str
               ) -> list[RegionOp]:
        prev = self._previous(key)
        stamp = updated_at.isoformat()
        if prev is not None:
            prev_at = datetime.fromisoformat(prev["u"])
            if updated_at < prev_at:
                return []
            if updated_at == prev_at:  # a replay: same regions, same leaves as the first time
                regions, left = list(prev["r"]), list(prev.get("left", []))
            else:
                left = sorted(set(prev["r"]) - set(regions))
        else:
            left = []
        self.routes[key] = _route_value(stamp, regions, left)
        leave: OpKind = "leave_client" if kind == "client" else "leave_vacancy"
        return [RegionOp(leave, r, entity_id, position=position) for r in left] + [
            RegionOp(kind, r, entity_id, raw, position) for r in regions]

    def route_client(self, profile: ClientProfile, raw: str, position: str = ""
                     ) -> list[RegionOp]:
        loc = profile.location
        regions = self.grid.client_regions(loc.lat, loc.lon, profile.max_travel_km)
        return self._route(f"c{_SEP}{profile.client_id}", "client",
                           entity_id=profile.client_id, updated_at=profile.updated_at,
                           regions=regions, raw=raw, position=position)

    def route_vacancy(self, vacancy: Vacancy, raw: str, position: str = "") -> list[RegionOp]:
        loc = vacancy.location
        regions = [self.grid.vacancy_region(loc.lat, loc.lon, vacancy.remote)]
        return self._route(f"v{_SEP}{vacancy.vacancy_id}", "vacancy",
                           entity_id=vacancy.vacancy_id, updated_at=vacancy.updated_at,
                           regions=regions, raw=raw, position=position)

    def route_erasure(self, client_id: str, position: str = "") -> list[RegionOp]:
        """A tombstone: erase the client from every region it was sent to. The caller calls
        ``forget`` once the erase ops are delivered (a replay must still find the regions)."""
        prev = self._previous(f"c{_SEP}{client_id}")
        if prev is None:
            return []
        return [RegionOp("erase", r, client_id, position=position)
                for r in sorted(set(prev["r"]) | set(prev.get("left", [])))]

    def route_vacancy_deletion(self, vacancy_id: str, position: str = "") -> list[RegionOp]:
        prev = self._previous(f"v{_SEP}{vacancy_id}")
        if prev is None:
            return []
        return [RegionOp("leave_vacancy", r, vacancy_id, position=position)
                for r in sorted(set(prev["r"]) | set(prev.get("left", [])))]

    def forget(self, key: str) -> None:
        """Drop a route (``c|<client_id>`` or ``v|<vacancy_id>``) after its erasure."""
        if key in self.routes:
            del self.routes[key]


# --------------------------------------------------------------------------- matching


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
        return step

    def expire(self, now: datetime, keep: Callable[[str], bool] = lambda _r: True) -> Step:
        """Re-check closing dates (they pass without an event) in the regions ``keep`` takes."""
        step = Step()
        for name in sorted(self.regions):
            if keep(name):
                part = Step(outputs=self.regions[name].expire(now))
                self._track(name, part)
                step.outputs.extend(part.outputs)
                step.changes.extend(part.changes)
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


# --------------------------------------------------------------------------- batch


def match_batch_regional(clients: Iterable[ClientProfile], vacancies: Iterable[Vacancy],
                         engine_factory: EngineFactory, now: datetime,
                         grid: Grid | None = None) -> list[Referral]:
    """The batch path of the streaming scheme: every client (in order), then every vacancy,
    through the same ``Router`` and ``RegionalMatcher`` the worker runs. Returns the referrals
    still active at the end, in the order they were made (like ``batch.match_batch``)."""
    router = Router(grid or Grid(), {})
    matcher = RegionalMatcher(engine_factory, _no_restore)
    made: dict[str, Referral] = {}

    def run(ops: list[RegionOp]) -> None:
        for op in ops:
            for ref in matcher.apply(op, now).outputs:
                made.pop(ref.referral_id, None)
                if ref.kind == "referral":
                    made[ref.referral_id] = ref

    for client in clients:
        run(router.route_client(client, client.model_dump_json()))
    for vacancy in vacancies:
        run(router.route_vacancy(vacancy, vacancy.model_dump_json()))
    active = {rid for engine in matcher.regions.values() for rid in engine.active}
    return [ref for rid, ref in made.items() if rid in active]


def engine_factory(config: MatchConfig, features: FeaturesCache | None = None
                   ) -> EngineFactory:
    """Makes one engine ``Matcher`` per region, all sharing the process's taxonomy and one
    client-features cache (a client in k regions has its features computed and held once)."""
    shared = features if features is not None else FeaturesCache()
    return lambda: Matcher(config, features=shared)


def engine_restorer(config: MatchConfig, features: FeaturesCache | None = None
                    ) -> EngineRestorer:
    shared = features if features is not None else FeaturesCache()
    return lambda c, v, r: Matcher.restore(c, v, r, config, features=shared)


def _no_restore(clients: list[ClientProfile], vacancies: list[Vacancy],
                referrals: list[Referral]) -> EngineLike:
    raise RuntimeError("the batch path never restores")
