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

from collections.abc import Iterable
from datetime import datetime

from schemas import ClientProfile, Referral, Vacancy
from services.matcher._region_engines import (
    Change,
    EngineFactory,
    EngineLike,
    EngineRestorer,
    RecordCache,
    RegionalMatcher,
    Step,
    write_order,
)
from services.matcher._region_ops import OpKind, RegionOp, pack_ops, unpack_ops
from services.matcher._region_router import Router
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
    "write_order",
]


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
