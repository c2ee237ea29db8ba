"""``jobmatch taxonomy``: how the matcher reads skill phrases, and which ones it cannot.

``lookup`` answers "why did these two not match?" for one phrase at a time (``certification``
the same for certifications); ``unknown`` lists
the phrases of a set of records that no route of the taxonomy names, so that they can be
reviewed and added as aliases to ``services/matcher/engine/data/uk_skills.json``
(``engine/vocabulary_gaps.py``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

__all__ = ["taxonomy"]


@click.group()
def taxonomy() -> None:
    """How the matcher reads skill and certification phrases, and which it cannot name."""


@taxonomy.command()
@click.argument("phrases", nargs=-1, required=True)
def lookup(phrases: tuple[str, ...]) -> None:
    """Show how each PHRASE resolves: normalised text, the skills it names and how sure
    (1.00 exactly, 0.97 by stems, 0.92 through a typo, 0.80 by meaning, with the space that
    placed it; 0.76 for the skill an unnamed phrase is only nearest to).

    A phrase that names nothing can still match a phrase sharing its words, or one near it in
    meaning, but a vacancy requiring it refers few clients.
    """
    from services.matcher.engine.semantic import SEMANTIC_CONF
    from services.matcher.engine.skill_phrases import NEAR_CONF, phrase_skills, split_skill
    from services.matcher.engine.taxonomy import default_taxonomy
    from services.matcher.engine.vocabulary_gaps import named

    tax = default_taxonomy()
    for phrase in phrases:
        parts = split_skill(phrase, tax)
        click.echo(f"{phrase!r}" + (f" -> parts {parts!r}" if len(parts) > 1 else ""))
        for part in parts:
            found = tax.lookup(part)
            click.echo(f"  {part!r} reads as {found.text!r}")
            if not named(part, tax):
                click.echo("    names no skill (matches only by shared words or meaning)")
            by_meaning = None if found.known else tax.meaning(tuple(found.text.split()))
            for tid, conf in found.ids:
                if not tid.startswith("txt:"):
                    how = (f"  (by meaning: {by_meaning[1]})" if by_meaning is not None
                           and by_meaning[0] == tid and conf == SEMANTIC_CONF else "")
                    click.echo(f"    {conf:.2f}  {tid}  {tax.labels.get(tid, '')}{how}")
            # The weak reading as matching holds it: the feature decides when a phrase gets one.
            near = next((f.near for f in phrase_skills([part], tax) if f.near), "")
            if near:
                click.echo(f"    {NEAR_CONF:.2f}  {near}  {tax.labels.get(near, '')}  (nearest "
                           "in meaning: meets only this skill named across a pair)")


@taxonomy.command()
@click.argument("phrases", nargs=-1, required=True)
def certification(phrases: tuple[str, ...]) -> None:
    """Show which certification category each PHRASE names, and by which route.

    Certifications are categories, never fuzzy text: a phrase names one by its words, through
    a typo, or by its names' words (every word and level of the phrase belongs to one
    category's names); otherwise it names none, and a vacancy requiring it is met only by a
    client certification of the same wording.
    """
    from services.matcher.engine.certifications import default_certifications
    from services.matcher.engine.taxonomy import load_uk_data

    index = default_certifications()
    families = load_uk_data().get("families", {})
    for phrase in phrases:
        click.echo(repr(phrase))
        found, route = index.reading(phrase)
        if found is None:
            click.echo({
                "not held": "    says it is not held (expired, pending, ...): satisfies nothing",
                "ambiguous": "    fits several categories equally: names none",
            }.get(route, "    names no category: met only by a certification of the same "
                         "wording"))
        elif found.startswith("family:"):
            family = found.removeprefix("family:")
            label = families.get(family, {}).get("label", family)
            click.echo(f"    generic: {family}  {label}  (by {route}); met only by an "
                       "equally generic wording of the same family")
        else:
            click.echo(f"    {found}  {index.labels.get(found, '')}  (by {route})")
            implied = index.implied(found)
            if implied:
                click.echo(f"    a holder also holds: {', '.join(implied)}")


@taxonomy.command()
@click.option("--clients", "clients_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Client profiles (JSON Lines or CSV).")
@click.option("--vacancies", "vacancies_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Vacancies (JSON Lines or CSV).")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True,
              help="Show at most this many phrases.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per phrase.")
def unknown(clients_path: Path | None, vacancies_path: Path | None, top: int,
            as_json: bool) -> None:
    """Skill phrases no route of the taxonomy names, most blocking first.

    Ordered by the vacancies that require the phrase, then those that desire it, then the
    clients that list it. Review them and add the right ones as aliases of a UK skill group
    (services/matcher/engine/data/uk_skills.json). Invalid records are skipped and counted.
    """
    from schemas import ClientProfile, Vacancy
    from services.matcher.batch import BadRecord, read_valid
    from services.matcher.engine.taxonomy import default_taxonomy
    from services.matcher.engine.vocabulary_gaps import unknown_skills

    if clients_path is None and vacancies_path is None:
        raise click.UsageError("give --clients, --vacancies or both")
    bad: list[BadRecord] = []
    try:
        clients = [r for r in read_valid(clients_path, "client", bad.append)
                   if isinstance(r, ClientProfile)] if clients_path else []
        vacancies = [r for r in read_valid(vacancies_path, "vacancy", bad.append)
                     if isinstance(r, Vacancy)] if vacancies_path else []
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"jobmatch taxonomy unknown: cannot read input: {exc}", err=True)
        sys.exit(1)
    gaps = unknown_skills(clients, vacancies, default_taxonomy())
    for gap in gaps[:top]:
        if as_json:
            click.echo(json.dumps({"phrase": gap.phrase, "example": gap.example,
                                   "required_by": gap.required, "desired_by": gap.desired,
                                   "clients": gap.clients}))
        else:
            click.echo(f"{gap.required:>6} {gap.desired:>6} {gap.clients:>7}  {gap.example}")
    if not as_json:
        click.echo(f"(columns: vacancies requiring, desiring, clients listing; "
                   f"{min(top, len(gaps))} of {len(gaps)} unnamed phrases in "
                   f"{len(vacancies)} vacancies and {len(clients)} clients"
                   + (f"; {len(bad)} invalid records skipped" if bad else "") + ")", err=True)
