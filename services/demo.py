"""``jobmatch demo``: the whole pipeline on local defaults, end to end, in one command.

Kafka (started if it is not up) -> a streaming matcher worker -> ingest of the sample clients,
then the sample vacancies -> the referrals, printed as they arrive. Everything the demo starts
it stops again, and it removes its matcher's internal topics and state, so it can run again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from schemas import CLIENTS, REFERRALS, VACANCIES
from services.settings import Settings

__all__ = ["demo"]

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
JOBMATCH = str(Path(sys.executable).parent / "jobmatch")


def _step(text: str) -> None:
    click.secho(f"==> {text}", fg="cyan", bold=True)


def _wait(what: str, done: Callable[[], bool], timeout: float, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise click.ClickException(f"the matcher worker exited while waiting for {what}")
        if done():
            return
        time.sleep(0.5)
    raise click.ClickException(f"timed out after {timeout:.0f} s waiting for {what}")


def _ingest(kind: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([JOBMATCH, "ingest", kind, str(path), "--json"], env=env,
                          capture_output=True, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise click.ClickException(f"ingest {kind} failed:\n{proc.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(lines[-1])
    click.echo(f"    {path.name}: read {summary['read']}, published {summary['published']}, "
               f"rejected {summary['rejected']}")
    return summary


def _titles(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            v = json.loads(line)
            out[v["vacancy_id"]] = f"{v['title']} ({v['employer_name']})"
    return out


def _show(ref: dict[str, Any], titles: dict[str, str]) -> None:
    exp = ref["explanation"]
    pairs = ", ".join(
        m["vacancy_skill"] if m["vacancy_skill"] == m["client_skill"]
        else f"{m['vacancy_skill']} ~ {m['client_skill']}" for m in exp["matched_skills"][:4])
    mark = click.style("refer   ", fg="green") if ref["kind"] == "referral" else \
        click.style("withdraw", fg="yellow")
    click.echo(f"  {mark} {ref['client_id']:<11} -> {titles.get(ref['vacancy_id'], '?')}"
               f"  score {ref['score']:.2f}, {exp['distance_km']:.1f} km"
               + (f"\n             matched: {pairs}" if pairs else ""))


class _Worker:
    """A ``jobmatch matcher`` subprocess with its own consumer group, state and log."""

    def __init__(self, bootstrap: str, app_id: str, work: Path, env: dict[str, str]) -> None:
        self.bootstrap, self.app_id, self.work = bootstrap, app_id, work
        self.status_file = work / "status.json"
        self.log_path = work / "matcher.log"
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [JOBMATCH, "matcher", "--app-id", app_id, "--worker-id", "demo",
                 "--data-dir", str(work / "state"), "--status-file", str(self.status_file),
                 "--commit-interval", "0.5"], env=env, stdout=log, stderr=log)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ready(self) -> bool:
        try:
            return bool(json.loads(self.status_file.read_text()).get("assigned"))
        except (OSError, ValueError):
            return False

    def caught_up(self) -> bool:
        from services.offsets import group_lag

        topics = [CLIENTS.name, VACANCIES.name, f"{self.app_id}-regional"]
        return group_lag(self.bootstrap, self.app_id, topics) == 0

    def stop(self) -> None:
        from services.offsets import delete_topics_with_prefix

        _step("stopping the matcher and removing its topics")
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        delete_topics_with_prefix(self.bootstrap, f"{self.app_id}-")
        shutil.rmtree(self.work / "state", ignore_errors=True)  # the log stays, for reading


class _Referrals:
    """Reads the referral topic from where it ended when the demo began."""

    def __init__(self, bootstrap: str) -> None:
        from kafka import KafkaConsumer, TopicPartition

        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                       enable_auto_commit=False)
        tps = [TopicPartition(REFERRALS.name, p)
               for p in sorted(self._consumer.partitions_for_topic(REFERRALS.name) or ())]
        self._consumer.assign(tps)
        for tp, offset in self._consumer.end_offsets(tps).items():
            self._consumer.seek(tp, offset)

    def poll(self) -> list[dict[str, Any]]:
        batches = self._consumer.poll(timeout_ms=500).values()
        return [json.loads(r.value) for batch in batches for r in batch if r.value is not None]

    def close(self) -> None:
        self._consumer.close()


def _stop_kafka(settings: Settings) -> None:
    from services.kafka_local import broker

    _step("stopping Kafka")
    broker.stop(settings)


@click.command()
@click.option("--clients", "clients_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=SAMPLES / "clients.jsonl", show_default=True)
@click.option("--vacancies", "vacancies_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), default=SAMPLES / "vacancies.jsonl", show_default=True)
@click.option("--quiet-seconds", type=click.FloatRange(min=1), default=3.0, show_default=True,
              help="Finish once the matcher caught up and no referral came for this long.")
@click.option("--keep-kafka", is_flag=True, help="Leave the broker running afterwards.")
@click.pass_obj
def demo(settings: Settings, clients_path: Path, vacancies_path: Path, quiet_seconds: float,
         keep_kafka: bool) -> None:
    """Run the whole pipeline once on the sample data and show the referrals.

    Starts Kafka if it is not up (and stops it again unless --keep-kafka), starts a matcher
    worker with a fresh consumer group, ingests the clients and then the vacancies, prints each
    referral with its reasons as it arrives, then stops and cleans up what it started.
    """
    from services.kafka_local import broker
    from services.offsets import commit_at_end

    bootstrap, managed = broker.bootstrap_for(settings)
    app_id = f"jobmatch-demo-{uuid.uuid4().hex[:8]}"
    work = settings.home / "demo" / app_id
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    with ExitStack() as cleanup:
        _step(f"Kafka at {bootstrap}")
        was_up = broker.is_up(bootstrap)
        if not was_up:
            click.echo("    starting the local broker (the first start fetches its jars)...")
        broker.start(settings, log=lambda m: click.echo(f"    {m}"))
        if managed and not was_up and not keep_kafka:
            cleanup.callback(_stop_kafka, settings)

        _step(f"starting a matcher worker ({app_id})")
        # A fresh group that starts at the ends of the input topics sees only this run's records.
        commit_at_end(bootstrap, app_id, [CLIENTS.name, VACANCIES.name])
        worker = _Worker(bootstrap, app_id, work, env)
        cleanup.callback(worker.stop)
        _wait("the worker to join its group", worker.ready, 120, worker.alive)
        referrals = _Referrals(bootstrap)
        cleanup.callback(referrals.close)

        _step("ingesting clients")
        _ingest("clients", clients_path, env)
        _wait("the matcher to take in the clients", worker.caught_up, 120, worker.alive)
        _step("ingesting vacancies")
        _ingest("vacancies", vacancies_path, env)
        _step("referrals (client -> vacancy, score, distance, matched skills)")
        titles = _titles(vacancies_path)
        seen: list[dict[str, Any]] = []
        last = began = time.monotonic()
        # Done when the worker has caught up and nothing new came for a while; bounded anyway.
        while time.monotonic() - began < 180:
            for ref in referrals.poll():
                if ref["vacancy_id"] in titles:
                    seen.append(ref)
                    _show(ref, titles)
                    last = time.monotonic()
            if time.monotonic() - last >= quiet_seconds and worker.caught_up():
                break
        made = sum(1 for r in seen if r["kind"] == "referral")
        click.echo(f"\n    {made} referrals to {len({r['vacancy_id'] for r in seen})} "
                   f"vacancies; the matcher's log is {worker.log_path}")
        if made == 0:
            raise click.ClickException("no referrals arrived: see the matcher's log")
