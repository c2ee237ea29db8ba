"""Run the engine over an evaluation set and score what it referred."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tqdm import tqdm  # type: ignore[import-untyped]  # tqdm ships no type information

from schemas import Referral
from services.evaluation.analysis import analyse
from services.evaluation.dataset import Dataset
from services.evaluation.diagnose import diagnose_misses
from services.evaluation.metrics import VacancyLabels, pool_recall, score
from services.evaluation.oracle import judge
from services.evaluation.provenance import Provenance
from services.evaluation.render import HELD_OUT, SEEN

__all__ = ["evaluate", "run_engine", "violation_checker"]


def run_engine(data: Dataset, progress: bool) -> tuple[list[Referral], float, int]:
    """Feed the records, in file order, to ``match_batch``; (referrals, seconds, client cap)."""
    from services.matcher.batch import match_batch
    from services.matcher.engine import MatchConfig

    config = MatchConfig()
    clients = tqdm(data.clients, desc="clients", unit="rec", disable=not progress)
    vacancies = tqdm(data.vacancies, desc="vacancies", unit="rec", disable=not progress)
    began = time.perf_counter()
    referrals = match_batch(clients, vacancies, config, now=data.now)
    return referrals, time.perf_counter() - began, config.max_referrals_per_client


def violation_checker(data: Dataset) -> Callable[[str, str], tuple[str, ...]]:
    clients, vacancies = data.current_clients(), data.current_vacancies()
    truth, today = data.labels["truth"], data.now.date()

    def violation_of(vid: str, cid: str) -> tuple[str, ...]:
        if cid not in clients or vid not in vacancies:
            return ("unknown_record",)
        return judge(clients[cid], vacancies[vid], truth["clients"][cid]["certs"],
                     truth["vacancies"][vid]["required_certs"], today).violations

    return violation_of


def evaluate(data: Dataset, referrals: list[Referral], client_cap: int) -> dict[str, Any]:
    truth = data.labels["truth"]
    raw = data.labels["vacancies"]
    labels = {vid: VacancyLabels(frozenset(x["relevant"]), x["max_referrals"],
                                 frozenset(x["ambiguous"])) for vid, x in raw.items()}
    violation_of = violation_checker(data)
    pairs = [(r.vacancy_id, r.client_id) for r in referrals if r.kind == "referral"]
    v_pool = {vid: t["pool"] for vid, t in truth["vacancies"].items()}
    c_pool = {cid: t["pool"] for cid, t in truth["clients"].items()}

    def clients_of(pool: str) -> dict[str, Any]:
        s = score([p for p in pairs if c_pool.get(p[1]) == pool], labels, violation_of)
        return {"precision": s.precision, "violations": s.violations, "referrals": s.referrals}

    by_client_pool = pool_recall(pairs, labels, c_pool)
    report: dict[str, Any] = {
        "overall": score(pairs, labels, violation_of).as_dict(),
        "held_out_vacancies": score(pairs, labels, violation_of,
                                    {v for v, p in v_pool.items() if p == HELD_OUT}).as_dict(),
        "seen_vacancies": score(pairs, labels, violation_of,
                                {v for v, p in v_pool.items() if p == SEEN}).as_dict(),
        "held_out_clients": {**clients_of(HELD_OUT),
                             "recall_uncapped": by_client_pool.get(HELD_OUT)},
        "seen_clients": {**clients_of(SEEN), "recall_uncapped": by_client_pool.get(SEEN)},
        "dataset": {"clients": len(truth["clients"]), "vacancies": len(truth["vacancies"]),
                    "client_records": len(data.clients),
                    "vacancy_records": len(data.vacancies), "seed": data.labels["seed"],
                    "now": data.labels["now"]},
    }
    report["failures"] = analyse(referrals, truth, raw, violation_of, client_cap)
    report["failures"]["engine_diagnosis"] = diagnose_misses(
        data.current_clients(), data.current_vacancies(), raw, referrals, client_cap,
        hidden=Provenance(truth).held_out_ids)
    return report
