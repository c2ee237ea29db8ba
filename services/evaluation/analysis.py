"""Why the engine missed or wrongly made referrals: failure categories with examples.

Engine-agnostic: it reads only the referrals, the labels and the truth (concept -> the text
that was rendered for it), so it can say "clients who wrote X for cash handling were missed".
Text from a held-out record is never quoted, perturbed or not (see ``provenance``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from schemas import Referral
from services.evaluation.certifications import CERTS
from services.evaluation.held_out import held_out_phrasings, normalise
from services.evaluation.provenance import Provenance
from services.evaluation.vocabulary import SKILLS

__all__ = ["analyse"]

_EXAMPLES = 3


def _top(counter: Counter[str], examples: Mapping[str, list[str]], n: int) -> list[dict[str, Any]]:
    return [{"category": key, "count": count, "examples": examples.get(key, [])[:_EXAMPLES]}
            for key, count in counter.most_common(n)]


# Held-out text is never printed: a report that shows it would let whoever tunes the matcher
# read it, and the held-out score would stop meaning "text it has not seen". Masking goes by
# the record's pool (``Provenance``), not by the text, which the generator may have perturbed.


def _kind(text: str, held_out: bool, exact: Collection[str]) -> str:
    """How the item was written. ``held_out`` comes from provenance; ``exact`` holds the
    normalised phrasings of that pool, so an item matching none of them was perturbed."""
    typo = normalise(text) not in exact
    if held_out:
        return "held-out typo" if typo else "held-out"
    return "typo" if typo else "seen"


def _seen_phrasings() -> set[str]:
    return {normalise(t) for table in (SKILLS, CERTS) for p in table.values() for t in p.seen}


def _misses(refs: Mapping[tuple[str, str], Referral], truth: Mapping[str, Any],
            labels: Mapping[str, Any], client_cap: int) -> dict[str, Any]:
    """Relevant pairs not referred, where the vacancy had room for every relevant client."""
    per_client = Counter(cid for _, cid in refs)
    c_truth, v_truth = truth["clients"], truth["vacancies"]
    prov, held, seen = Provenance(truth), held_out_phrasings(), _seen_phrasings()
    by_kind: defaultdict[str, Counter[str]] = defaultdict(Counter)
    miss: Counter[str] = Counter()
    miss_ex: defaultdict[str, list[str]] = defaultdict(list)
    phrase_hits: Counter[str] = Counter()
    phrase_miss: Counter[str] = Counter()
    for vid, lab in labels.items():
        if len(lab["relevant"]) > lab["max_referrals"]:
            continue
        vt = v_truth[vid]
        needed = (*vt["required_skills"], *vt["required_certs"])
        for cid in lab["relevant"]:
            ct = c_truth[cid]
            hit = (vid, cid) in refs
            c_held = prov.held_out(cid)
            for concept in needed:
                kind = "skill" if concept in SKILLS else "cert"
                text = ct["rendered"][concept]
                (phrase_hits if hit else phrase_miss)[
                    f"{kind} {concept}: client wrote {prov.show(text, cid)}"] += 1
                written = _kind(text, c_held, held if c_held else seen)
                by_kind[f"{kind} written {written}"]["hit" if hit else "missed"] += 1
            if hit:
                continue
            cause = ("client already holds the per-client referral limit"
                     if per_client[cid] >= client_cap else f"missed ({vt['occupation']})")
            miss[cause] += 1
            pairs = [f"{prov.show(vt['rendered'].get(s, s), vid)}~"
                     f"{prov.show(ct['rendered'][s], cid)}" for s in needed]
            miss_ex[cause].append(f"{vid}/{cid}: " + ", ".join(pairs))
    # A phrasing is suspect when pairs using it were missed more often than hit.
    suspect = Counter({k: n for k, n in phrase_miss.items() if n > phrase_hits[k]})
    return {"missed": _top(miss, miss_ex, 10),
            "recall_by_wording": {
                k: {"hit": c["hit"], "missed": c["missed"],
                    "recall": round(c["hit"] / (c["hit"] + c["missed"]), 4)}
                for k, c in sorted(by_kind.items())},
            "suspect_phrasings": [{"phrasing": k, "missed": n, "hit": phrase_hits[k]}
                                  for k, n in suspect.most_common(20)]}


def _wrong(refs: Mapping[tuple[str, str], Referral], truth: Mapping[str, Any],
           labels: Mapping[str, Any],
           violation_of: Callable[[str, str], tuple[str, ...]]) -> list[dict[str, Any]]:
    """Referrals that were not relevant: hard-rule violations first, then poor fits."""
    c_truth, v_truth = truth["clients"], truth["vacancies"]
    prov = Provenance(truth)
    wrong: Counter[str] = Counter()
    wrong_ex: defaultdict[str, list[str]] = defaultdict(list)
    for (vid, cid), ref in refs.items():
        lab = labels.get(vid)
        if lab is None or cid in lab["relevant"] or cid in lab["ambiguous"]:
            continue
        reasons = violation_of(vid, cid)
        vt, ct = v_truth[vid], c_truth[cid]
        if reasons:
            key = "VIOLATION " + "+".join(reasons)
            if "missing_certification" in reasons:
                lacking = sorted(set(vt["required_certs"]) - set(ct["certs"]))
                key += f" (needs {', '.join(lacking)}; holds {', '.join(ct['certs']) or '-'})"
            certs = prov.show_all((vt["rendered"][c] for c in vt["required_certs"]), vid)
            held_text = prov.show_all((ct["rendered"][c] for c in ct["certs"]), cid)
            example = f"{vid}/{cid}: requires {certs}, client lists {held_text}"
        else:
            lacking = [s for s in vt["required_skills"] if s not in ct["skills"]]
            key = (f"not relevant: lacks {', '.join(lacking)} "
                   f"({ct['occupation']} -> {vt['occupation']})")
            # The engine's own wording of the items (split, cleaned): still the record's text.
            matched = [f"{prov.show(m.vacancy_skill, vid)}<-{prov.show(m.client_skill, cid)} "
                       f"{m.similarity:.2f}" for m in ref.explanation.matched_skills]
            example = f"{vid}/{cid} score {ref.score:.2f}: {'; '.join(matched)}"
        wrong[key] += 1
        wrong_ex[key].append(example)
    return _top(wrong, wrong_ex, 10)


def analyse(referrals: Iterable[Referral], truth: Mapping[str, Any],
            labels: Mapping[str, Any], violation_of: Callable[[str, str], tuple[str, ...]],
            client_cap: int) -> dict[str, Any]:
    refs = {(r.vacancy_id, r.client_id): r for r in referrals if r.kind == "referral"}
    return {**_misses(refs, truth, labels, client_cap),
            "wrong": _wrong(refs, truth, labels, violation_of)}
