"""The matcher on unseen wordings, measured on seen data only: an end-to-end leave-out.

    jobmatch evaluate generate --out /tmp/ev7s --seed 7 --held-out-rate 0
    python scripts/leave_out_eval.py --data /tmp/ev7s [--folds 5]

Each fold hides a fifth of the UK skill aliases and of the certification aliases from every
dictionary and from the LSA fit, then runs the batch matcher on the evaluation set and scores
it. The set's phrasings that were those aliases are then wordings the matcher has never seen,
like the evaluation's held-out phrasings, but they are seen data, so engine work may be
tuned on this figure. (The held-out slice of `jobmatch evaluate run` is for measuring, once,
after a decision.) A set with held-out records is refused: it would mix the two.

With ``--keep-one`` each fold instead keeps only its own share and hides the rest (four fifths
at 5 folds). A held-out record is written wholly in unseen wordings, so a fifth hidden flatters
the matcher (0.90 recall against 0.32-0.37 on the held-out slice, sixth session); with four
fifths hidden the figure falls near the held-out one, and the misses look like its misses.

Prints precision, capped recall and hard-rule violations per fold and their mean, after the
same figures with every alias in place.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibrate_certifications as certification_folds
from build_semantic_index import _folds, _hide  # the skill folds, as --calibrate deals them

from services.evaluation import dataset
from services.evaluation.metrics import VacancyLabels, score
from services.evaluation.render import HELD_OUT
from services.evaluation.runner import violation_checker
from services.matcher.batch import match_batch
from services.matcher.engine import MatchConfig, semantic
from services.matcher.engine.certifications import CertificationIndex
from services.matcher.engine.matcher import Matcher
from services.matcher.engine.taxonomy import (
    Taxonomy,
    _data_paths,
    _load_esco,
    load_uk_data,
    shipped_word_vectors,
)

T = TypeVar("T")


def _score(data: dataset.Dataset, matcher: Matcher) -> dict[str, Any]:
    raw = data.labels["vacancies"]
    labels = {vid: VacancyLabels(frozenset(x["relevant"]), x["max_referrals"],
                                 frozenset(x["ambiguous"])) for vid, x in raw.items()}
    referrals = match_batch(data.clients, data.vacancies, matcher.config, now=data.now,
                            matcher=matcher)
    pairs = [(r.vacancy_id, r.client_id) for r in referrals if r.kind == "referral"]
    return score(pairs, labels, violation_checker(data)).as_dict()


def hidden_share(folds: list[list[T]], n: int, keep_one: bool) -> list[T]:
    """What fold ``n`` hides: its own share, or with ``keep_one`` every other share."""
    if not keep_one:
        return list(folds[n])
    return [item for m, fold in enumerate(folds) if m != n for item in fold]


def _line(name: str, s: dict[str, Any]) -> str:
    return (f"{name}: precision {s['precision']:.4f} recall {s['recall']:.4f} "
            f"violations {s['violations']} referrals {s['referrals']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="a set written by `jobmatch evaluate generate --held-out-rate 0`")
    parser.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    parser.add_argument("--keep-one", action="store_true",
                        help="each fold keeps only its own share of the aliases and hides the "
                             "rest, as a held-out record hides all its wordings")
    args = parser.parse_args()
    data = dataset.load(args.data)
    pools = {t["pool"] for t in [*data.labels["truth"]["vacancies"].values(),
                                 *data.labels["truth"]["clients"].values()]}
    if HELD_OUT in pools:
        parser.error("the set has held-out records; generate it with --held-out-rate 0")
    config = MatchConfig()
    print(_line("every alias", _score(data, Matcher(config))), flush=True)
    esco_path, uk_path = _data_paths()
    esco, uk = _load_esco(esco_path), load_uk_data(uk_path)
    table = shipped_word_vectors()
    results = []
    cert_folds = certification_folds.folds(uk, args.folds)
    skill_folds = _folds(uk, args.folds)
    for n in range(args.folds):
        certs_hidden = hidden_share(cert_folds, n, args.keep_one)
        reduced, _ = _hide(certification_folds.hide(uk, certs_hidden),
                           hidden_share(skill_folds, n, args.keep_one))
        tax = Taxonomy.from_data(esco, reduced, semantic=semantic.fit_space(esco, reduced),
                                 word_space=table)
        certs = CertificationIndex(reduced["certifications"], reduced.get("families", {}))
        results.append(_score(data, Matcher(config, taxonomy=tax, certifications=certs)))
        print(_line(f"fold {n + 1}/{args.folds}", results[-1]), flush=True)
    mean = {k: statistics.mean(r[k] for r in results) for k in ("precision", "recall")}
    name = "keep-one mean" if args.keep_one else "leave-out mean"
    print(_line(name, {**mean, "violations": sum(r["violations"] for r in results),
                       "referrals": sum(r["referrals"] for r in results)}))


if __name__ == "__main__":
    main()
