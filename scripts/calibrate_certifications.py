"""Leave-out calibration of the certification resolver, on the UK data file only.

    python scripts/calibrate_certifications.py            # 5 folds
    python scripts/calibrate_certifications.py --show-wrong
    python scripts/calibrate_certifications.py --keep-one --show-wrong

Each fold of the certification aliases is hidden from the index; every hidden alias is then
looked up. It should name its own category or nothing: a wrong category would be a referral
that breaks a hard rule (the worst error). A hidden alias that another, identical alias
still names is counted like any other. Evaluation phrasings are never used.

With ``--keep-one`` each fold keeps only its own share and hides the rest (four fifths at 5
folds), as ``leave_out_eval.py --keep-one`` does: far harsher than any real wording gap. It
finds 2 wrong ("full manual licence" read as the manual handling certificate once the car
licence's "manual" aliases are hidden; with the shipped data "manual" is in both categories'
names), so it exits 1; see BENCHMARKS.md, "Eighth session".
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.matcher.engine.certifications import CertificationIndex
from services.matcher.engine.taxonomy import load_uk_data


def folds(data: dict[str, Any], k: int) -> list[list[tuple[int, str]]]:
    """Every certification alias as (category index, alias), dealt round-robin into k folds."""
    items = [(ci, str(a)) for ci, c in enumerate(data["certifications"])
             for a in c.get("aliases", [])]
    return [items[i::k] for i in range(k)]


def hide(data: dict[str, Any], fold: list[tuple[int, str]]) -> dict[str, Any]:
    """A copy of ``data`` without the fold's certification aliases."""
    reduced = copy.deepcopy(data)
    hidden = set(fold)
    for ci, cat in enumerate(reduced["certifications"]):
        cat["aliases"] = [a for a in cat.get("aliases", []) if (ci, str(a)) not in hidden]
    return reduced


def leave_out(k: int, keep_one: bool = False) -> tuple[int, int, int, list[tuple[str, str, str]]]:
    """(right, wrong, unnamed, [(alias, truth, found)] of the wrong ones); with ``keep_one``
    each fold hides every other fold's aliases instead of its own."""
    data = load_uk_data()
    right = wrong = unnamed = 0
    wrongs: list[tuple[str, str, str]] = []
    dealt = folds(data, k)
    for n, own in enumerate(dealt):
        fold = [a for m, other in enumerate(dealt) if m != n for a in other] if keep_one else own
        reduced = hide(data, fold)
        index = CertificationIndex(reduced["certifications"], reduced.get("families", {}))
        for ci, alias in fold:
            truth = str(data["certifications"][ci]["id"])
            found = index.resolve(alias)
            if found is None:
                unnamed += 1
            elif found == truth:
                right += 1
            else:
                wrong += 1
                wrongs.append((alias, truth, found))
    return right, wrong, unnamed, wrongs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    parser.add_argument("--show-wrong", action="store_true",
                        help="print each wrongly named alias (UK data only, never evaluation)")
    parser.add_argument("--keep-one", action="store_true",
                        help="each fold keeps only its own share and hides the rest")
    args = parser.parse_args()
    right, wrong, unnamed, wrongs = leave_out(args.folds, args.keep_one)
    print(f"{args.folds} folds, {right + wrong + unnamed} aliases: "
          f"{right} right, {wrong} wrong, {unnamed} unnamed")
    if args.show_wrong:
        for alias, truth, found in wrongs:
            print(f"  {alias!r}: {truth} read as {found}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
