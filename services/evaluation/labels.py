"""Labels: for each vacancy, who should be referred, who must never be, and who is ambiguous.

Relevant = eligible under every hard rule (the oracle) AND holding every must-have skill in
truth. Forbidden lists the tempting pairs only (skills fit, a hard rule fails, within 100 km or
remote); the evaluation still judges every referral with the oracle, listed or not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from schemas import ClientProfile, Vacancy
from services.evaluation.oracle import judge

__all__ = ["FORBIDDEN_RADIUS_KM", "compute_labels", "latest"]

FORBIDDEN_RADIUS_KM = 100.0
R = TypeVar("R", ClientProfile, Vacancy)


def latest(records: list[R], key: str) -> dict[str, R]:
    """Latest updated_at wins; an older or equal one is ignored (the contract's rule)."""
    out: dict[str, R] = {}
    for record in records:
        rid = getattr(record, key)
        held = out.get(rid)
        if held is None or record.updated_at > held.updated_at:
            out[rid] = record
    return out


def compute_labels(clients: Mapping[str, ClientProfile], vacancies: Mapping[str, Vacancy],
                   truth: Mapping[str, Any], today: date) -> dict[str, dict[str, Any]]:
    """Per vacancy id: ``relevant`` (ids), ``forbidden`` (id -> reasons), ``ambiguous``."""
    c_truth, v_truth = truth["clients"], truth["vacancies"]
    by_skill: dict[str, set[str]] = defaultdict(set)
    for cid in clients:
        for skill in c_truth[cid]["skills"]:
            by_skill[skill].add(cid)
    out: dict[str, dict[str, Any]] = {}
    for vid, vacancy in vacancies.items():
        vt = v_truth[vid]
        required = vt["required_skills"]
        candidates = set.intersection(*(by_skill[s] for s in required)) if required else set()
        relevant, forbidden, ambiguous = [], {}, {}
        for cid in sorted(candidates):
            verdict = judge(clients[cid], vacancy, c_truth[cid]["certs"], vt["required_certs"],
                            today)
            if verdict.violations:
                if vacancy.remote or verdict.distance_km <= FORBIDDEN_RADIUS_KM:
                    forbidden[cid] = list(verdict.violations)
            elif verdict.ambiguous:
                ambiguous[cid] = verdict.ambiguous
            else:
                relevant.append(cid)
        out[vid] = {"relevant": relevant, "forbidden": forbidden, "ambiguous": ambiguous,
                    "max_referrals": vacancy.max_referrals}
    return out
