"""``jobmatch tail TOPIC``: print a topic's records as JSON Lines, then exit when it goes quiet.

Output: one line per record. A value that is a JSON object is printed as-is (re-serialised
compactly, so each record is one line). A tombstone (null value) is printed as
``{"_tombstone": true, "key": "<key>"}``. A value that is not JSON is printed as
``{"_invalid": true, "key": ..., "value": "<text, invalid UTF-8 replaced>"}`` so the output
stays JSON Lines. Partitions and offsets are not printed (pipe into ``jq`` as records).

It reads every partition without a consumer group (nothing is committed), from the end unless
--from-beginning, and exits after --idle-timeout seconds without a new record or after --max
records.
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

import click

from services.settings import Settings, load_settings

__all__ = ["format_record", "tail"]


def format_record(key: bytes | None, value: bytes | None) -> str:
    """One JSON line for one record (see the module docstring)."""
    key_text = key.decode("utf-8", "replace") if key is not None else None
    if value is None:
        return json.dumps({"_tombstone": True, "key": key_text}, ensure_ascii=False)
    try:
        parsed = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        return json.dumps({"_invalid": True, "key": key_text,
                           "value": value.decode("utf-8", "replace")}, ensure_ascii=False)
    return json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))


def _consume(bootstrap: list[str], topic: str, *, from_beginning: bool, idle_timeout: float,
             limit: int | None, out: IO[str]) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer: Any = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                  enable_auto_commit=False, client_id="jobmatch-tail")
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            raise click.ClickException(f"topic {topic} does not exist on {','.join(bootstrap)}")
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        if from_beginning:
            consumer.seek_to_beginning(*tps)
        else:
            consumer.seek_to_end(*tps)
            for tp in tps:
                consumer.position(tp)  # resolve now, so records sent from here on are seen
        printed = 0
        last = time.monotonic()
        while limit is None or printed < limit:
            remaining = idle_timeout - (time.monotonic() - last)
            if remaining <= 0:
                break
            batch = consumer.poll(timeout_ms=int(min(remaining, 0.5) * 1000) + 1)
            for records in batch.values():
                for rec in records:
                    out.write(format_record(rec.key, rec.value) + "\n")
                    printed += 1
                    if limit is not None and printed >= limit:
                        break
                if limit is not None and printed >= limit:
                    break
            if batch:
                out.flush()
                last = time.monotonic()
        return printed
    finally:
        consumer.close()


@click.command()
@click.argument("topic")
@click.option("--from-beginning", is_flag=True, help="Start at the oldest retained record.")
@click.option("--idle-timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Exit after this many seconds without a new record.")
@click.option("--max", "limit", type=click.IntRange(min=1), default=None,
              help="Exit after printing this many records.")
@click.pass_context
def tail(ctx: click.Context, topic: str, from_beginning: bool, idle_timeout: float,
         limit: int | None) -> None:
    """Print TOPIC's records as JSON Lines (TOPIC: clients, vacancies, referrals, deadletters,
    outcomes, or a full topic name). Tombstones print as {"_tombstone": true, "key": ...}."""
    from schemas.topics import by_short_name

    try:
        spec = by_short_name(topic)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="TOPIC") from None
    obj = ctx.find_root().obj
    settings = obj if isinstance(obj, Settings) else load_settings()
    _consume(settings.bootstrap_list, spec.name, from_beginning=from_beginning,
             idle_timeout=idle_timeout, limit=limit, out=sys.stdout)
