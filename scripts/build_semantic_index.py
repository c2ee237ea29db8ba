"""Build (or calibrate) the semantic stem vectors shipped with the matcher.

    python scripts/build_semantic_index.py              # write engine/data/semantic_index.npz
    python scripts/build_semantic_index.py --check      # exit 1 if the artefact is stale
    python scripts/build_semantic_index.py --calibrate  # k-fold leave-out of the UK aliases
                                                        # (also rates the word vectors)
    python scripts/build_semantic_index.py --calibrate-pairs  # the same, phrase against phrase

Deterministic: the same data files give the same vectors (fixed SVD solver and seed), and the
artefact records a sha256 of the data it was fitted from; the engine ignores it when the data
has changed since.

Calibration never looks at evaluation phrasings. It hides each fold of the UK groups' aliases
from BOTH the dictionary and the fit, then looks every hidden alias up: those no dictionary
route names are what the semantic layer is for, and it should map them back to their group
(or leave them unresolved, never to another group). It prints the accuracy per threshold pair.

``--calibrate-pairs`` calibrates the matcher's other use of the vectors (scoring._by_meaning):
a vacancy phrase no route names, held against one client's phrases. For each hidden alias that
no route (dictionary or group resolver) names, it builds a hard client: one remaining phrase of
the alias's own group beside phrases of the groups nearest to it in meaning (the confusions a
client of the same trade would offer), and a client of those near groups only. A rule
(min cosine, margin over the client's next phrase) should pick the own-group phrase in the
first and nothing in the second.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.matcher.engine import semantic
from services.matcher.engine._skill_similarity import _MEANING_MARGIN as MEANING_MARGIN
from services.matcher.engine._skill_similarity import MEANING_MIN
from services.matcher.engine.normalise import tokens
from services.matcher.engine.phrase_resolver import PhraseVectors, SemanticResolver
from services.matcher.engine.taxonomy import (
    DATA_DIR,
    Taxonomy,
    _data_paths,
    _load_esco,
    load_uk_data,
    shipped_word_vectors,
)
from services.matcher.engine.word_vectors import WORDS_MARGIN, WORDS_MIN

ARTEFACT = DATA_DIR / semantic.ARTEFACT_NAME


def build() -> semantic.SemanticSpace:
    esco_path, uk_path = _data_paths()
    return semantic.fit_space(_load_esco(esco_path), load_uk_data(uk_path),
                              source_hash=semantic.data_hash(esco_path, uk_path))


def _folds(uk: dict[str, Any], k: int) -> list[list[tuple[int, str]]]:
    """Every alias as (group index, alias), dealt round-robin into k folds."""
    items = [(gi, str(a)) for gi, g in enumerate(uk["skills"]) for a in g.get("aliases", [])]
    return [items[i::k] for i in range(k)]


def calibrate(k: int) -> None:
    """Both resolvers by meaning, each alone (a table of thresholds), then as the taxonomy
    chains them at the shipped thresholds: word vectors first, then LSA."""
    esco_path, uk_path = _data_paths()
    esco, uk = _load_esco(esco_path), load_uk_data(uk_path)
    table = shipped_word_vectors()
    rows: list[tuple[str, str, list[tuple[str, float]]]] = []  # (truth, dictionary, ranked)
    word_rows: list[tuple[str, str, list[tuple[str, float]]]] = []
    chained = [0, 0]  # right, wrong
    for n, fold in enumerate(_folds(uk, k)):
        reduced, _ = _hide(uk, fold)
        space = semantic.fit_space(esco, reduced)
        tax = Taxonomy.from_data(esco, reduced)  # dictionary routes only
        resolver = SemanticResolver(space, tax._uk_phrases)
        by_words = None if table is None else SemanticResolver(
            table, tax._uk_phrases, min_similarity=WORDS_MIN, margin=WORDS_MARGIN)
        for gi, alias in fold:
            truth = f"uk:{uk['skills'][gi]['id']}"
            found = {t for t, _ in tax.lookup(alias).ids if t.startswith("uk:")}
            if truth in found:
                rows.append((truth, "right", []))
            elif found:
                rows.append((truth, "wrong", []))
            else:
                words = tuple(tax.correct(w) for w in tokens(alias))
                rows.append((truth, "none", resolver.ranked(words)[:2]))
                if by_words is not None:
                    word_rows.append((truth, "none", by_words.ranked(words)[:2]))
                picked = (by_words and by_words.resolve(words)) or resolver.resolve(words)
                if picked is not None:
                    chained[picked != truth] += 1
        print(f"fold {n + 1}/{k} done", file=sys.stderr)
    print("== LSA stem vectors (semantic.py)")
    _report(rows)
    if table is not None:
        print("== word vectors (word_vectors.py)")
        _report([r for r in rows if r[1] != "none"] + word_rows)
        print(f"== chained as shipped: word vectors ({WORDS_MIN}, {WORDS_MARGIN}), then LSA "
              f"({semantic.SEMANTIC_MIN}, {semantic.SEMANTIC_MARGIN}): {chained[0]} right, "
              f"{chained[1]} wrong")


_PairCase = tuple[float | None, list[float]]  # (cosine to own-group phrase, to near groups')


def _hide(uk: dict[str, Any], fold: list[tuple[int, str]]) -> tuple[dict[str, Any],
                                                                    dict[int, set[str]]]:
    reduced = copy.deepcopy(uk)
    hidden: dict[int, set[str]] = {}
    for gi, alias in fold:
        hidden.setdefault(gi, set()).add(alias)
    for gi, aliases in hidden.items():
        group = reduced["skills"][gi]
        group["aliases"] = [a for a in group["aliases"] if a not in aliases]
    return reduced, hidden


def _pair_cases(esco: dict[str, Any], uk: dict[str, Any], fold: list[tuple[int, str]],
                others: int) -> dict[str, list[_PairCase]]:
    """Per space ("lsa", and "words" when shipped), the same hard clients: the hidden
    alias's own group beside the groups nearest it by either space."""
    reduced, hidden = _hide(uk, fold)
    spaces: dict[str, PhraseVectors] = {"lsa": semantic.fit_space(esco, reduced)}
    table = shipped_word_vectors()
    if table is not None:
        spaces["words"] = table
    lsa = spaces["lsa"]
    assert isinstance(lsa, semantic.SemanticSpace)
    tax = Taxonomy.from_data(esco, reduced, semantic=lsa, word_space=table)  # as shipped
    resolvers = {name: SemanticResolver(space, tax._uk_phrases)
                 for name, space in spaces.items()}
    phrases_of = {f"uk:{g['id']}": [str(a) for a in [g.get("label", ""), *g.get("aliases", [])]
                                    if str(a)] for g in uk["skills"]}

    def vector(name: str, phrase: str) -> Any:
        return spaces[name].phrase_vector(tuple(tax.correct(w) for w in tokens(phrase)))

    cases: dict[str, list[_PairCase]] = {name: [] for name in spaces}
    cases["chain"] = []  # lsa's case, then words' (flattened pairs, in that order)
    for gi, alias in fold:
        truth = f"uk:{uk['skills'][gi]['id']}"
        words = tuple(tax.correct(w) for w in tokens(alias))
        found = tax.lookup(alias).ids
        # Only what no route names (dictionary, word vectors, LSA) reaches _by_meaning.
        if any(t.startswith("uk:") for t, _ in found):
            continue
        near: list[str] = []
        for resolver in resolvers.values():
            near += [g for g, _ in resolver.ranked(words) if g != truth and g not in near][
                :others]
        both: list[_PairCase] = []
        for name in spaces:
            hv = vector(name, alias)
            own = [v for v in (vector(name, p) for p in phrases_of[truth]
                               if p not in hidden[gi]) if v is not None]
            near_vs = [v for g in near for v in (vector(name, p)
                                                 for p in phrases_of.get(g, [])[:1])
                       if v is not None]
            case: _PairCase = (None, []) if hv is None else (
                max((float(hv @ v) for v in own), default=None), [float(hv @ v) for v in near_vs])
            both.append(case)
            if hv is not None:
                cases[name].append(case)
        if len(both) == 2:
            cases["chain"] += both
    return cases


def _picked(sims: list[float], lo: float, margin: float) -> bool:
    ranked = sorted(sims, reverse=True)
    return bool(ranked) and ranked[0] >= lo and (len(ranked) < 2 or
                                                 ranked[0] - ranked[1] >= margin)


def calibrate_pairs(k: int, others: int = 3) -> None:
    esco_path, uk_path = _data_paths()
    esco, uk = _load_esco(esco_path), load_uk_data(uk_path)
    cases: dict[str, list[_PairCase]] = {}
    for n, fold in enumerate(_folds(uk, k)):
        for name, hard in _pair_cases(esco, uk, fold, others).items():
            cases.setdefault(name, []).extend(hard)
        print(f"fold {n + 1}/{k} done", file=sys.stderr)
    chain = cases.pop("chain", [])
    for name, rows in cases.items():
        print(f"== {name}: {len(rows)} hidden aliases no route names")
        print("min    margin  own_found  own_wrong  prec   negatives_matched")
        for lo in (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
            for margin in (0.0, 0.05, 0.1, 0.15):
                found, wrong, neg = _rate(rows, lo, margin)
                prec = found / (found + wrong + neg) if found + wrong + neg else 1.0
                print(f"{lo:.2f}   {margin:.2f}    {found:5d}      {wrong:5d}    {prec:.3f}"
                      f"  {neg:5d}")
    if chain:
        print(f"== LSA at ({MEANING_MIN}, {MEANING_MARGIN}), then words: "
              f"{len(chain) // 2} aliases")
        lsa_cases = chain[0::2]
        by_lsa = _rate(lsa_cases, MEANING_MIN, MEANING_MARGIN)
        # The word vectors see only what LSA left unpicked.
        then = [w for c, w in zip(lsa_cases, chain[1::2], strict=True)
                if not _picked([*c[1], *([] if c[0] is None else [c[0]])],
                               MEANING_MIN, MEANING_MARGIN)]
        for lo, margin in ((0.8, 0.1), (0.85, 0.0), (0.85, 0.05), (0.85, 0.1), (0.9, 0.0)):
            total = [a + b for a, b in zip(by_lsa, _rate(then, lo, margin), strict=True)]
            print(f"words at ({lo}, {margin}): found {total[0]}, wrong {total[1]}, "
                  f"negatives {total[2]}")


def _rate(rows: list[_PairCase], lo: float, margin: float) -> tuple[int, int, int]:
    """(own phrase picked, another picked, a near-groups-only client matched)."""
    found = wrong = neg = 0
    for own, near in rows:
        sims = [*near, *([] if own is None else [own])]
        if _picked(sims, lo, margin):
            if own is not None and max(sims) == own:
                found += 1
            else:
                wrong += 1
        neg += _picked(near, lo, margin)
    return found, wrong, neg


def _report(rows: list[tuple[str, str, list[tuple[str, float]]]]) -> None:
    total = len(rows)
    right = sum(r[1] == "right" for r in rows)
    wrong = sum(r[1] == "wrong" for r in rows)
    unresolved = [r for r in rows if r[1] == "none"]
    print(f"{total} aliases hidden; dictionary routes: {right} right, {wrong} wrong, "
          f"{len(unresolved)} unresolved")
    print("min    margin  sem_right  sem_wrong  sem_prec  overall_right  overall_acc")
    for lo in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85):
        for margin in (0.0, 0.04, 0.08, 0.12, 0.16):
            good = bad = 0
            for truth, _, ranked in unresolved:
                if not ranked or ranked[0][1] < lo:
                    continue
                if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < margin:
                    continue
                if ranked[0][0] == truth:
                    good += 1
                else:
                    bad += 1
            prec = good / (good + bad) if good + bad else 1.0
            print(f"{lo:.2f}   {margin:.2f}    {good:5d}      {bad:5d}     {prec:.3f}"
                  f"     {right + good:5d}        {(right + good) / total:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the artefact is stale")
    parser.add_argument("--calibrate", action="store_true", help="k-fold alias leave-out")
    parser.add_argument("--calibrate-pairs", action="store_true",
                        help="k-fold alias leave-out, phrase against a client's phrases")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if args.calibrate_pairs:
        calibrate_pairs(args.folds)
        return 0
    if args.calibrate:
        calibrate(args.folds)
        return 0
    if args.check:
        space = semantic.load_space(ARTEFACT)
        fresh = space is not None and space.source_hash == semantic.data_hash(*_data_paths())
        print("up to date" if fresh else "stale or missing: rebuild")
        return 0 if fresh else 1
    space = build()
    semantic.save_space(space, ARTEFACT)
    print(f"wrote {ARTEFACT} ({ARTEFACT.stat().st_size:,} bytes, {len(space.terms)} stems, "
          f"{space.vectors.shape[1]} dims)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
