"""`jobmatch status`: the key figures on a terminal, read from Kafka directly (no server needed).

It reads the topics from the beginning (as the monitor does at start), samples end offsets
twice ``--window`` seconds apart for throughput, then prints and exits.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click

from services.settings import Settings

__all__ = ["render_text", "status"]


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:g}{unit}"


def render_text(summary: dict[str, Any], equality: dict[str, Any]) -> str:
    """The status report as plain lines: stable, greppable, no colour."""
    out = []
    coll = summary["collector"]
    if coll["offsets_error"]:
        out.append(f"WARNING offsets: {coll['offsets_error']}")
    if not coll["caught_up"]:
        out.append("WARNING: topics not read to the end within the timeout; figures partial")
    out.append("Throughput (records/s)")
    for topic, rate in summary["throughput"]["rates"].items():
        end = summary["throughput"]["end_offsets"].get(topic, 0)
        out.append(f"  {topic:<32} {_fmt(rate):>10}   ({end} records)")
    out.append("Consumer lag")
    if not summary["lag"]["groups"]:
        out.append("  (no consumer groups)")
    for g in summary["lag"]["groups"]:
        out.append(f"  {g['group_id']:<32} lag {g['total_lag']:>8}   {g['state']}, "
                   f"{len(g['members'])} member(s)")
    dl = summary["dead_letters"]
    out.append(f"Dead letters: {dl['total']}")
    for reason, count in dl["top_reasons"][:5]:
        out.append(f"  {count:>6}  {reason}")
    refs = summary["referrals"]
    out.append(
        f"Referrals: {refs['referrals_total']} made, {refs['withdrawals_total']} withdrawn, "
        f"{refs['active']} active; {_fmt(refs['referrals_per_min'])}/min over "
        f"{refs['window_s']} s")
    lat = summary["latency"]
    out.append(f"Matching latency: p50 {_fmt(lat['p50_s'], ' s')}, p99 {_fmt(lat['p99_s'], ' s')}"
               f" ({lat['samples']} samples)")
    for svc in summary["services"]:
        out.append(f"Service {svc['name']}: {'up' if svc['ok'] else 'DOWN'} ({svc['detail']})")
    flagged = [(d["dimension"], g) for d in equality["dimensions"] for g in d["groups"]
               if g["flagged"]]
    out.append(f"Equality flags (impact ratio < {equality['threshold']:g}; a screening signal, "
               f"not a legal test): {len(flagged)}")
    for dim, g in flagged:
        out.append(f"  {dim}={g['group']}: ratio {g['impact_ratio']}, "
                   f"{g['selected']}/{g['eligible']} referred")
    return "\n".join(out)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead.")
@click.option("--window", default=2.0, show_default=True, type=click.FloatRange(0.5, 60),
              help="Seconds between the two offset samples that give throughput.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(1),
              help="Most seconds to spend reading the topics.")
@click.option("--group", "groups", multiple=True, help="Consumer group (repeatable); default all.")
@click.pass_obj
def status(settings: Settings, as_json: bool, window: float, timeout: float,
           groups: tuple[str, ...]) -> None:
    """Key figures: throughput, lag, dead letters, referrals, equality flags."""
    from kafka.admin import KafkaAdminClient

    from services.monitor.collector import new_consumer, read_to_end
    from services.monitor.config import MonitorConfig
    from services.monitor.probes import offsets_sample
    from services.monitor.state import MonitorState
    from services.monitor.views import equality_json, summary_json

    config = MonitorConfig(bootstrap_servers=settings.bootstrap_servers, groups=groups)
    state = MonitorState(config)
    try:
        admin = KafkaAdminClient(bootstrap_servers=config.bootstrap_list,
                                 client_id="jobmatch-status", bootstrap_timeout_ms=10_000)
    except Exception as exc:
        raise click.ClickException(
            f"Kafka is not reachable at {settings.bootstrap_servers} ({type(exc).__name__})"
        ) from None
    consumer = new_consumer(config, "jobmatch-status-offsets")
    try:
        started = time.monotonic()
        state.record_offsets(offsets_sample(admin, consumer, config))
        read_to_end(config, state, timeout)
        time.sleep(max(0.0, window - (time.monotonic() - started)))
        state.record_offsets(offsets_sample(admin, consumer, config))
    finally:
        consumer.close()
        admin.close()
    summary, equality = summary_json(state), equality_json(state)
    if as_json:
        click.echo(json.dumps({"summary": summary, "equality": equality}, indent=2))
    else:
        click.echo(render_text(summary, equality))
