"""The JSON documents the dashboard, `/api/*` and `jobmatch status --json` show. Pure.

Only aggregates leave here: no client ids, no profiles, no dead-letter payloads, and no
equality group smaller than the configured minimum.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from services.monitor.aggregates import percentile
from services.monitor.state import MonitorState

__all__ = ["LATENCY_MEANS", "UK_NOTE", "equality_json", "summary_json"]

LATENCY_MEANS = (
    "Referral created_at minus the Kafka timestamp of the later of the pair's latest client "
    "and vacancy records: from an input arriving to the matcher deciding. An upper bound when "
    "a referral was made later for another reason (a slot freed up); publishing time excluded."
)
UK_NOTE = (
    "The four-fifths rule (impact ratio below 0.8) is a screening signal that asks a person to "
    "look, not a legal test in the UK. Groups of fewer than {min} people are hidden. Monitoring "
    "data is only aggregated here and never goes back into matching."
)


def _iso(epoch_s: float | None) -> str | None:
    return None if epoch_s is None else datetime.fromtimestamp(epoch_s, UTC).isoformat()


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _groups(state: MonitorState) -> list[dict[str, Any]]:
    return [
        {
            "group_id": g.sample.group_id,
            "state": g.sample.state,
            "total_lag": g.total_lag,
            "members": list(g.sample.members),
            "partitions": [
                {"topic": p.topic, "partition": p.partition, "end": p.end,
                 "committed": p.committed, "lag": p.lag}
                for p in g.lags
            ],
        }
        for g in state.groups
    ]


def summary_json(state: MonitorState, now_s: float | None = None) -> dict[str, Any]:
    now = time.time() if now_s is None else now_s
    window = state.config.rate_window_s
    with state.lock:
        lat = list(state.latencies)
        referrals, withdrawals = state.totals["referrals"], state.totals["withdrawals"]
        flags = sum(len(d.flagged) for d in state.equality())
        return {
            "generated_at": _iso(now),
            "collector": {
                "caught_up": state.caught_up,
                "last_offsets_at": _iso(state.last_offsets_at),
                "offsets_error": state.offsets_error,
                "consumed": dict(state.consumed),
                "unreadable": dict(state.unreadable),
            },
            "throughput": {
                "rates": {t: _round(r) for t, r in sorted(state.rates.items())},
                "end_offsets": dict(sorted(state.end_by_topic.items())),
                "series": [{"t": t, "rates": {k: _round(v) for k, v in r.items()}}
                           for t, r in state.throughput_series],
            },
            "lag": {
                "groups": _groups(state),
                "series": [{"t": t, "lags": lags} for t, lags in state.lag_series],
            },
            "dead_letters": {
                "total": state.totals["dead_letters"],
                "by_source": dict(state.dead_by_source.most_common()),
                "by_record_type": dict(state.dead_by_type.most_common()),
                "top_reasons": state.dead_by_reason.most_common(10),
                "latest": list(state.dead_latest),
            },
            "referrals": {
                "referrals_total": referrals,
                "withdrawals_total": withdrawals,
                "active": len(state.active),
                "clients_with_active": len(state.active_per_client),
                "withdrawal_share": _round(withdrawals / referrals) if referrals else None,
                "window_s": window,
                "referrals_per_min": _round(state.referral_rate.rate(now, window) * 60),
                "withdrawals_per_min": _round(state.withdrawal_rate.rate(now, window) * 60),
            },
            "scores": {"edges": state.scores.edges(), "counts": list(state.scores.counts),
                       "total": state.scores.total},
            "latency": {
                "samples": len(lat),
                "p50_s": _round(percentile(lat, 50)),
                "p99_s": _round(percentile(lat, 99)),
                "measures": LATENCY_MEANS,
            },
            "services": [
                {"name": s.name, "url": s.url, "ok": s.ok, "detail": s.detail,
                 "latency_ms": _round(s.latency_ms, 1), "checked_at": _iso(s.checked_at)}
                for s in state.services
            ],
            "clients_known": len(state.clients),
            "equality_flags": flags,
        }


def equality_json(state: MonitorState) -> dict[str, Any]:
    cfg = state.config
    with state.lock:
        reports = state.equality()
        eligible = sum(1 for v in state.clients.values() if v.eligible)
    return {
        "eligible_clients": eligible,
        "min_group_size": cfg.min_group_size,
        "threshold": float(cfg.impact_threshold),
        "note": UK_NOTE.format(min=cfg.min_group_size),
        "dimensions": [
            {
                "dimension": r.dimension,
                "reference_group": r.reference_group,
                "suppressed_groups": r.suppressed_groups,
                "flagged": [g.group for g in r.flagged],
                "groups": [
                    {"group": g.group, "eligible": g.eligible, "selected": g.selected,
                     "selection_rate": _round(g.selection_rate, 4),
                     "share_of_eligible": _round(g.share_of_eligible, 4),
                     "share_of_selected": _round(g.share_of_selected, 4),
                     "impact_ratio": g.impact_ratio, "flagged": g.flagged}
                    for g in r.groups
                ],
            }
            for r in reports
        ],
    }
