"""``jobmatch match``: batch matching of files, by the streaming matcher's own code."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import click

from schemas import ClientProfile, Referral, Vacancy

__all__ = ["match"]

# Below this many records a progress bar is noise.
_PROGRESS_MIN_BYTES = 1_000_000
_CSV_COLUMNS = ["referral_id", "kind", "vacancy_id", "employer_id", "client_id", "score",
                "created_at", "matcher_version", "explanation"]


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        now = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("use an ISO 8601 time, e.g. 2026-11-20T09:30:00Z") from None
    if now.tzinfo is None:
        raise click.BadParameter("the time needs an offset, e.g. 2026-11-20T09:30:00Z")
    return now


def _write(referrals: list[Referral], out: IO[str], as_csv: bool) -> None:
    if as_csv:
        writer = csv.DictWriter(out, fieldnames=_CSV_COLUMNS)
        writer.writeheader()
        for r in referrals:
            row: dict[str, Any] = r.model_dump(mode="json")
            row["explanation"] = json.dumps(row["explanation"], sort_keys=True)
            writer.writerow(row)
    else:
        for r in referrals:
            out.write(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n")


@click.command()
@click.option("--clients", "clients_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="ClientProfile records: JSON Lines, or CSV (.csv).")
@click.option("--vacancies", "vacancies_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Vacancy records: JSON Lines, or CSV (.csv).")
@click.option("--output", "output_path", required=True,
              type=click.Path(dir_okay=False, writable=True, allow_dash=True, path_type=Path),
              help="Referrals: JSON Lines, or CSV when the name ends in .csv; '-' for stdout.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Lowest score referred (default: the engine's).")
@click.option("--max-per-client", type=click.IntRange(min=1), default=None,
              help="Most active referrals one client holds at once (default 3).")
@click.option("--now", "now_text", default=None,
              help="The time the run is made at (ISO 8601 with offset), for reproducible runs.")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Processes that compute record features (default: one per core); the "
                   "referrals are the same whatever the number.")
@click.option("--quiet", is_flag=True, help="Only report bad records and errors.")
def match(*, clients_path: Path, vacancies_path: Path, output_path: Path, threshold: float | None,
          max_per_client: int | None, now_text: str | None, processes: int | None,
          quiet: bool) -> None:
    """Match clients to vacancies from files and write the referrals.

    Invalid records are reported on stderr as FILE:LINE: reason and skipped; the others are
    still matched (exit status 0). An unreadable file exits with status 1.
    """
    import gc
    from dataclasses import replace

    # tqdm ships no type information (types-tqdm is not a project dependency).
    from tqdm import tqdm  # type: ignore[import-untyped]

    from services.matcher.batch import BadRecord, match_batch, read_valid
    from services.matcher.engine import MatchConfig, Matcher
    from services.matcher.engine.batch_features import default_processes, prepare_features
    from services.matcher.engine.certifications import default_certifications
    from services.matcher.engine.taxonomy import default_taxonomy

    now = _parse_now(now_text)
    config = MatchConfig()
    if threshold is not None:
        config = replace(config, threshold=threshold)
    if max_per_client is not None:
        config = replace(config, max_referrals_per_client=max_per_client)
    bad: list[BadRecord] = []

    def report(record: BadRecord) -> None:
        bad.append(record)
        click.echo(str(record), err=True)

    show = not quiet and sys.stderr.isatty()
    try:
        large = show and (clients_path.stat().st_size + vacancies_path.stat().st_size
                          > _PROGRESS_MIN_BYTES)
        clients = [r for r in tqdm(read_valid(clients_path, "client", report),
                                   desc="clients", unit=" rec", disable=not large)
                   if isinstance(r, ClientProfile)]
        vacancies = [r for r in read_valid(vacancies_path, "vacancy", report)
                     if isinstance(r, Vacancy)]
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"jobmatch match: cannot read input: {exc}", err=True)
        sys.exit(1)
    # Features of every record first, on every core; then one sequential matching pass over
    # them, as the streaming matcher would make it.
    taxonomy, certifications = default_taxonomy(), default_certifications()
    # The taxonomy and the records live until the process ends: frozen, the cyclic garbage
    # collector stops walking their millions of objects on every full collection, and forked
    # feature workers do not copy their pages by touching GC headers.
    gc.freeze()
    features = prepare_features(clients, vacancies, taxonomy, certifications,
                                processes=processes or default_processes())
    matcher = Matcher(config, taxonomy, certifications, features=features)
    # Clients first, then vacancies, as match_batch does in one call; in between, worker
    # processes start scoring the vacancies' candidates from the last vacancy back.
    before = match_batch(clients, [], config=config, now=now, matcher=matcher)
    features.score_ahead(matcher, processes or default_processes())
    referrals = [r for r in before if r.referral_id in matcher.active] + match_batch(
        [], tqdm(vacancies, desc="vacancies", unit=" vac", disable=not large),
        config=config, now=now, matcher=matcher)
    try:
        if str(output_path) == "-":
            _write(referrals, sys.stdout, as_csv=False)
        else:
            with output_path.open("w", encoding="utf-8", newline="") as out:
                _write(referrals, out, as_csv=output_path.suffix.lower() == ".csv")
    except OSError as exc:
        click.echo(f"jobmatch match: cannot write {output_path}: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(
            f"matched {len(clients)} clients x {len(vacancies)} vacancies: "
            f"{len(referrals)} referrals, {len(bad)} invalid records skipped",
            err=True,
        )
