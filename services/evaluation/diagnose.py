"""Ask the engine why it did not refer a relevant pair (for the engine owner's failure list).

Unlike the oracle, this deliberately calls the engine's own features, eligibility and scoring,
to say WHICH stage dropped the pair. It uses internal engine APIs, so it degrades to
"unavailable" rather than failing the evaluation when they change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from typing import Any

from schemas import ClientProfile, Referral, Vacancy
from services.evaluation.held_out import normalise

__all__ = ["diagnose_misses"]

_EXAMPLES = 4
_WITHHELD_RULE = "engine hard rule (its wording quotes a held-out record: not shown)"


def _items(record: ClientProfile | Vacancy) -> list[str]:
    if isinstance(record, ClientProfile):
        return [*record.skills, *record.certifications]
    return [*record.required_skills, *record.desired_skills, *record.required_certifications]


def _quotes(cause: str, records: list[ClientProfile | Vacancy]) -> bool:
    """Does ``cause`` quote any item of ``records``? Engine reasons interpolate record text
    ("missing required certification: <text>"); only the part before ':' becomes the cause,
    but a reworded reason without ':' would carry a held-out record's text into the counts."""
    said = normalise(cause)
    return any(normalise(item) in said for r in records for item in _items(r) if item.strip())


def diagnose_misses(clients: Mapping[str, ClientProfile], vacancies: Mapping[str, Vacancy],
                    labels: Mapping[str, Any], referrals: list[Referral], client_cap: int,
                    *, top: int = 8, hidden: Collection[str] = ()) -> dict[str, Any]:
    """Per cause, how many relevant pairs the engine dropped, with examples.

    ``hidden``: ids of records written in held-out phrasings. Their pairs are counted, but
    never given as examples: an example quotes both records' text, and held-out text must not
    reach whoever tunes the matcher (``analysis`` masks it the same way).
    """
    try:
        from services.matcher.engine import MatchConfig, score_pair
        from services.matcher.engine.certifications import default_certifications
        from services.matcher.engine.eligibility import pair_reason
        from services.matcher.engine.features import ClientFeatures, VacancyFeatures
        from services.matcher.engine.ranking import coverage, good_enough
        from services.matcher.engine.taxonomy import default_taxonomy
    except ImportError as exc:  # the engine moved on; the engine-agnostic analysis still holds
        return {"unavailable": str(exc)}
    config, tax, certs = MatchConfig(), default_taxonomy(), default_certifications()
    referred = {(r.vacancy_id, r.client_id) for r in referrals if r.kind == "referral"}
    per_client = Counter(cid for _, cid in referred)
    causes: Counter[str] = Counter()
    examples: defaultdict[str, list[str]] = defaultdict(list)
    withheld: Counter[str] = Counter()
    cf_cache: dict[str, Any] = {}
    for vid, lab in labels.items():
        if len(lab["relevant"]) > lab["max_referrals"]:
            continue
        vf = VacancyFeatures.from_vacancy(vacancies[vid], tax, certs)
        for cid in lab["relevant"]:
            if (vid, cid) in referred:
                continue
            if cid not in cf_cache:
                cf_cache[cid] = ClientFeatures.from_profile(clients[cid], tax, certs)
            cf = cf_cache[cid]
            reason = pair_reason(cf, vf)
            hidden_pair = vid in hidden or cid in hidden
            if reason is not None:
                cause = f"engine hard rule: {reason.split(':')[0]}"
                if hidden_pair and _quotes(cause, [clients[cid], vacancies[vid]]):
                    cause = _WITHHELD_RULE
                detail = f"{reason}; client certs {list(clients[cid].certifications)}"
            elif per_client[cid] >= client_cap:
                cause, detail = "client at per-client referral limit", ""
            else:
                scored = score_pair(cf, vf, config)
                covered = coverage(scored)
                low_cov = covered is not None and covered < config.min_required_coverage - 1e-9
                cause = ("required-skill coverage below minimum" if low_cov
                         else "score below threshold" if not good_enough(scored, config)
                         else "eligible and above threshold, not referred (index/ranking)")
                unmatched = [s.text for s, (_, which) in zip(vf.required, scored.required,
                                                              strict=True) if which < 0]
                detail = (f"score {scored.score:.2f} {dict(scored.components)}; vacancy skills "
                          f"unmatched {unmatched}; client skills {list(clients[cid].skills)}")
            causes[cause] += 1
            if hidden_pair:
                withheld[cause] += 1
            else:
                examples[cause].append(f"{vid}/{cid}: {detail}")
    return {"causes": [{"cause": c, "count": n, "examples": examples[c][:_EXAMPLES],
                        "held_out_not_shown": withheld[c]}
                       for c, n in causes.most_common(top)]}
