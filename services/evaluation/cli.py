"""``jobmatch evaluate``: generate a labelled set and score the matcher against it.

    jobmatch evaluate generate --out DIR --clients 2000 --vacancies 200 --seed 7
    jobmatch evaluate run --data DIR [--json]
    jobmatch evaluate run --clients 2000 --vacancies 200 --seed 7   # into a temp dir

Exit status 1 when any referral breaks a hard rule (or a vacancy gets more than its
max_referrals): that is the worst error a matcher can make.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

__all__ = ["evaluate"]

EXIT_VIOLATIONS = 1


def _generate(out: Path, clients: int, vacancies: int, seed: int, held_out: float) -> None:
    from services.evaluation import dataset
    from services.evaluation.generator import generate

    gen = generate(clients, vacancies, seed, held_out_rate=held_out)
    dataset.write(out, gen, dataset.build(gen))


@click.group(invoke_without_command=True)
@click.pass_context
def evaluate(ctx: click.Context) -> None:
    """Measure matching quality on a synthetic, labelled set of UK clients and vacancies."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(run)


@evaluate.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--clients", "n_clients", type=click.IntRange(1), default=2000, show_default=True)
@click.option("--vacancies", "n_vacancies", type=click.IntRange(1), default=200,
              show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--held-out-rate", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Share of records written only with held-out phrasings.")
def generate(out: Path, n_clients: int, n_vacancies: int, seed: int,
             held_out_rate: float) -> None:
    """Write clients.jsonl, vacancies.jsonl and labels.json into OUT."""
    _generate(out, n_clients, n_vacancies, seed, held_out_rate)
    click.echo(f"wrote {out}/clients.jsonl, vacancies.jsonl, labels.json")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print(report: dict[str, Any], seconds: float) -> None:
    click.echo(f"dataset: {report['dataset']}")
    click.echo(f"match_batch: {seconds:.2f} s\n")
    click.echo("| slice | precision | recall (capped) | violations | referrals |")
    click.echo("|---|---|---|---|---|")
    for name in ("overall", "seen_vacancies", "held_out_vacancies"):
        s = report[name]
        click.echo(f"| {name} | {_fmt(s['precision'])} | {_fmt(s['recall'])} | "
                   f"{s['violations']} | {s['referrals']} |")
    for name in ("seen_clients", "held_out_clients"):
        s = report[name]
        click.echo(f"| {name} | {_fmt(s['precision'])} | {_fmt(s['recall_uncapped'])} "
                   f"(uncapped vacancies) | {s['violations']} | {s['referrals']} |")
    o = report["overall"]
    click.echo(f"\nover max_referrals: {o['over_cap']} vacancies; duplicate referrals: "
               f"{o['duplicates']}; violation reasons: {o['violation_reasons'] or '-'}")
    f = report["failures"]
    click.echo("\nrecall by how the client wrote a required item:")
    for k, c in f["recall_by_wording"].items():
        click.echo(f"  {k}: {c['recall']:.3f} ({c['hit']} hit, {c['missed']} missed)")
    for title, key in (("missed relevant clients", "missed"), ("wrong referrals", "wrong")):
        click.echo(f"\ntop {title}:")
        for item in f[key]:
            click.echo(f"  {item['count']:5d}  {item['category']}")
            for example in item["examples"]:
                click.echo(f"         e.g. {example}")
    diag = f["engine_diagnosis"]
    click.echo("\nwhy the engine dropped relevant pairs (its own stages):")
    if "unavailable" in diag:
        click.echo(f"  unavailable: {diag['unavailable']}")
    for item in diag.get("causes", []):
        withheld = item.get("held_out_not_shown", 0)
        note = f" ({withheld} with a held-out record: not shown)" if withheld else ""
        click.echo(f"  {item['count']:5d}  {item['cause']}{note}")
        for example in item["examples"]:
            click.echo(f"         e.g. {example}")
    click.echo("\nphrasings missed more often than hit:")
    for item in f["suspect_phrasings"]:
        click.echo(f"  {item['missed']} missed / {item['hit']} hit  {item['phrasing']}")


@evaluate.command()
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A directory written by `evaluate generate`; without it one is generated.")
@click.option("--clients", "n_clients", type=click.IntRange(1), default=2000, show_default=True)
@click.option("--vacancies", "n_vacancies", type=click.IntRange(1), default=200,
              show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def run(data: Path | None, n_clients: int, n_vacancies: int, seed: int, as_json: bool) -> None:
    """Run match_batch on the set and print precision, capped recall and violations."""
    from services.evaluation import dataset
    from services.evaluation.runner import evaluate as score_run
    from services.evaluation.runner import run_engine

    with tempfile.TemporaryDirectory(prefix="jobmatch-eval-") as tmp:
        if data is None:
            data = Path(tmp)
            _generate(data, n_clients, n_vacancies, seed, 0.3)
        loaded = dataset.load(data)
    referrals, seconds, cap = run_engine(loaded, progress=sys.stderr.isatty() and not as_json)
    report = score_run(loaded, referrals, cap)
    report["seconds"] = seconds
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print(report, seconds)
    o = report["overall"]
    if o["violations"] or o["over_cap"]:
        sys.exit(EXIT_VIOLATIONS)
