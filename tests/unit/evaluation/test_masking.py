"""No text derived from a held-out phrasing reaches the evaluation report, perturbed or not.

The generator perturbs phrasings (typos, case, suffixes, run-ons), so masking by comparing the
printed text with the pool misses most of them; the report masks by each record's pool.
Assertions here compare plain counts computed beforehand: pytest prints the operands of a
failing assert, and a failure message must not print held-out text either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from schemas import Explanation, MatchedSkill, Referral, referral_id_for
from services.evaluation.analysis import analyse
from services.evaluation.cli import evaluate as evaluate_cli
from services.evaluation.dataset import Dataset, build
from services.evaluation.diagnose import diagnose_misses
from services.evaluation.generator import Generated, generate
from services.evaluation.held_out import held_out_phrasings, normalise
from services.evaluation.render import HELD_OUT
from services.evaluation.vocabulary import SOFT_SKILLS

_ITEM_FIELDS = {"clients": ("client_id", ("skills", "certifications")),
                "vacancies": ("vacancy_id", ("required_skills", "desired_skills",
                                             "required_certifications"))}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def _held_out_texts(gen: Generated) -> set[str]:
    return _texts_of({"clients": gen.clients, "vacancies": gen.vacancies}, gen.truth)


def _texts_of(records: dict[str, list[dict[str, Any]]], all_truth: dict[str, Any]) -> set[str]:
    """Every pool phrasing, and every item of every held-out record as written (any version)."""
    soft = {normalise(s) for s in SOFT_SKILLS}  # not drawn from a pool: seen records use them too
    texts = set(held_out_phrasings())
    for kind, (key, fields) in _ITEM_FIELDS.items():
        truth = all_truth[kind]
        for row in records[kind]:
            if truth[row[key]]["pool"] == HELD_OUT:
                texts |= {normalise(x) for f in fields for x in row[f]} - soft
        for t in truth.values():
            if t["pool"] == HELD_OUT:
                texts |= {normalise(x) for x in t["rendered"].values()}
    return texts


def _perturbed(texts: set[str]) -> set[str]:
    return texts - set(held_out_phrasings())


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _leaked(output: str, texts: set[str]) -> int:
    flat = _flat(output)
    return sum(1 for t in texts if t in flat)


def _report_text(report: Any) -> str:
    return "\n".join(_strings(report))


class _Set:
    """A generated set. Its repr hides the records: pytest prints a failing test's arguments."""

    def __init__(self, gen: Generated) -> None:
        self.gen, self.data = gen, build(gen)

    def __repr__(self) -> str:
        return "<evaluation set: records not shown>"


@pytest.fixture(scope="module")
def ev() -> _Set:
    return _Set(generate(400, 40, seed=5, held_out_rate=0.5))


def _perturbed_held_out_pairs(data: Dataset) -> list[tuple[str, str]]:
    """Relevant pairs where the client is held-out and wrote a needed item perturbed."""
    truth, exact = data.labels["truth"], set(held_out_phrasings())
    out = []
    for vid, lab in data.labels["vacancies"].items():
        vt = truth["vacancies"][vid]
        for cid in lab["relevant"]:
            ct = truth["clients"][cid]
            needed = (*vt["required_skills"], *vt["required_certs"])
            if ct["pool"] == HELD_OUT and any(normalise(ct["rendered"][c]) not in exact
                                              for c in needed):
                out.append((vid, cid))
    return out


def _only(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Labels in which just ``pairs`` are relevant, every vacancy with room for them all."""
    labels: dict[str, Any] = {}
    for vid, cid in pairs:
        lab = labels.setdefault(vid, {"relevant": [], "ambiguous": [], "forbidden": {},
                                      "max_referrals": 1000})
        lab["relevant"].append(cid)
    return labels


def test_missed_pairs_and_suspect_phrasings_mask_perturbed_held_out_items(
        ev: _Set) -> None:
    gen, data = ev.gen, ev.data
    pairs = _perturbed_held_out_pairs(data)
    texts = _held_out_texts(gen)
    n_pairs, n_perturbed = len(pairs), len(_perturbed(texts))
    assert n_pairs > 0  # the case under test exists
    assert n_perturbed > 0
    report = analyse([], data.labels["truth"], _only(pairs), lambda v, c: (), 3)
    n_missed = sum(item["count"] for item in report["missed"])
    assert n_missed == n_pairs
    leaked_count = _leaked(_report_text(report), texts)
    assert leaked_count == 0


def test_recall_by_wording_counts_perturbed_held_out_items_as_held_out(ev: _Set) -> None:
    data = ev.data
    pairs = _perturbed_held_out_pairs(data)
    report = analyse([], data.labels["truth"], _only(pairs), lambda v, c: (), 3)
    kinds = report["recall_by_wording"]
    assert all("held-out" in k for k in kinds), sorted(kinds)
    assert any(k.endswith("held-out typo") for k in kinds), sorted(kinds)


def _referral(data: Dataset, vid: str, cid: str, matched: list[MatchedSkill]) -> Referral:
    return Referral(
        referral_id=referral_id_for(vid, cid), kind="referral", vacancy_id=vid,
        employer_id=data.current_vacancies()[vid].employer_id, client_id=cid, score=0.5,
        explanation=Explanation(matched_skills=matched, missing_required_skills=[],
                                distance_km=1.0, components={}),
        created_at="2026-11-20T09:00:00Z", matcher_version="test")


@pytest.mark.parametrize("violations", [(), ("missing_certification",)])
def test_wrong_referral_examples_never_quote_a_held_out_record(
        ev: _Set, violations: tuple[str, ...]) -> None:
    """Wrong referrals whose explanation quotes the records' own (perturbed) text."""
    gen, data = ev.gen, ev.data
    truth = data.labels["truth"]
    vids = sorted(truth["vacancies"])
    cids = sorted({cid for _, cid in _perturbed_held_out_pairs(data)})
    refs = []
    for i, cid in enumerate(cids):
        vid = vids[i % len(vids)]
        vtexts = list(truth["vacancies"][vid]["rendered"].values())
        matched = [MatchedSkill(vacancy_skill=vtexts[j % len(vtexts)], client_skill=text,
                                similarity=0.9)
                   for j, text in enumerate(truth["clients"][cid]["rendered"].values())]
        refs.append(_referral(data, vid, cid, matched))
    n_refs = len(refs)
    assert n_refs > 0
    # Nobody is relevant anywhere, so every referral above is a wrong one.
    labels = {vid: {"relevant": [], "ambiguous": [], "forbidden": {}, "max_referrals": 1000}
              for vid in vids}
    report = analyse(refs, truth, labels, lambda v, c: violations, 3)
    n_examples = sum(len(item["examples"]) for item in report["wrong"])
    assert n_examples > 0
    leaked_count = _leaked(_report_text(report), _held_out_texts(gen))
    assert leaked_count == 0


def test_diagnosis_cause_never_quotes_a_held_out_record(
        ev: _Set, monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine reason that quotes record text without a ':' must not become a category."""
    gen, data = ev.gen, ev.data
    from services.matcher.engine import eligibility

    clients = data.current_clients()
    truth = data.labels["truth"]
    hidden = {rid for kind in ("clients", "vacancies")
              for rid, t in truth[kind].items() if t["pool"] == HELD_OUT}

    def reworded(cf: Any, vf: Any, d_km: float | None = None) -> str | None:
        items = [*clients[cf.client_id].certifications, *clients[cf.client_id].skills]
        return f"lacks the wording {items[0]}" if cf.client_id in hidden and items else None

    monkeypatch.setattr(eligibility, "pair_reason", reworded)
    pairs = _perturbed_held_out_pairs(data)
    report = diagnose_misses(clients, data.current_vacancies(), _only(pairs), [], 3,
                             hidden=hidden)
    unavailable = "unavailable" in report
    assert not unavailable
    n_pairs = len(pairs)
    n_counted = sum(c["count"] for c in report["causes"])
    n_withheld = sum(c["held_out_not_shown"] for c in report["causes"])
    assert n_counted == n_pairs
    assert n_withheld == n_pairs
    leaked_count = _leaked(_report_text(report), _held_out_texts(gen))
    assert leaked_count == 0


def test_evaluate_run_prints_no_held_out_text(tmp_path: Any) -> None:
    """End to end, as the engine owner runs it: text and JSON reports."""
    out = tmp_path / "set"
    runner = CliRunner()
    made = runner.invoke(evaluate_cli, ["generate", "--out", str(out), "--clients", "300",
                                        "--vacancies", "30", "--seed", "7",
                                        "--held-out-rate", "0.5"])
    assert made.exit_code == 0
    rows = {kind: [json.loads(line) for line in (out / f"{kind}.jsonl").read_text().splitlines()]
            for kind in ("clients", "vacancies")}
    labels = json.loads((out / "labels.json").read_text())
    texts = _texts_of(rows, labels["truth"])
    n_perturbed = len(_perturbed(texts))
    assert n_perturbed > 0
    for extra in ([], ["--json"]):
        result = runner.invoke(evaluate_cli, ["run", "--data", str(out), *extra])
        code = result.exit_code
        assert code in (0, 1)  # 1: the engine broke a hard rule; still reported
        reported = "failures" in result.output or "phrasings missed" in result.output
        assert reported
        leaked_count = _leaked(result.output, texts)
        assert leaked_count == 0
