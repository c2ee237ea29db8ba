"""The incremental matcher: state in, events out, no I/O.

The batch command and the streaming worker both feed records through one ``Matcher`` and emit
what it returns, so both make the same referrals from the same records in the same order.

Rules (CONTRACT.md):
- for one id, the latest ``updated_at`` wins; an older or equal record changes nothing;
- an open vacancy is referred the best eligible clients above the bar, up to its
  ``max_referrals`` active at once; a client holds at most ``max_referrals_per_client``;
- a referral that stops holding (vacancy closed, filled, past its closing date or erased;
  client no longer job-ready, without consent, erased, or failing a hard rule after an
  update) is withdrawn under the same ``referral_id``, and the freed slots are offered again;
- a referral that still holds after an update stays as it is: no new event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from schemas import ClientProfile, Referral, Vacancy, referral_id_for
from services.matcher.engine._matcher_state import MatcherState
from services.matcher.engine.certifications import CertificationIndex
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.eligibility import (
    distance_km,
    ineligibility_reason,
    london_today,
    pair_reason,
)
from services.matcher.engine.features import ClientFeatures, FeaturesCache, VacancyFeatures
from services.matcher.engine.ranking import Scored, best_first, good_enough
from services.matcher.engine.scoring import (
    Bound,
    PairScore,
    TextContext,
    score_bound,
    score_bounded,
    score_pair,
    score_pair_from_client,
)
from services.matcher.engine.taxonomy import Taxonomy

__all__ = ["Matcher"]


class Matcher(MatcherState):
    # ---- state --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Plain JSON-ready state: enough for ``restore`` to rebuild everything else."""
        return {
            "clients": [p.model_dump(mode="json") for p in self.clients.values()],
            "vacancies": [v.model_dump(mode="json") for v in self.vacancies.values()],
            "referrals": [r.model_dump(mode="json") for r in self.active.values()],
        }

    @classmethod
    def restore(
        cls,
        clients: Iterable[ClientProfile | Mapping[str, Any]],
        vacancies: Iterable[Vacancy | Mapping[str, Any]],
        active_referrals: Iterable[Referral | Mapping[str, Any]],
        config: MatchConfig | None = None,
        *,
        taxonomy: Taxonomy | None = None,
        certifications: CertificationIndex | None = None,
        features: FeaturesCache | None = None,
    ) -> Matcher:
        """Rebuild a matcher from stored state (e.g. Faust tables) without emitting events."""
        matcher = cls(config, taxonomy, certifications, features=features)
        for c in clients:
            matcher._store_client(c if isinstance(c, ClientProfile) else
                                  ClientProfile.model_validate(c))
        for v in vacancies:
            matcher._store_vacancy(v if isinstance(v, Vacancy) else Vacancy.model_validate(v))
        for r in active_referrals:
            ref = r if isinstance(r, Referral) else Referral.model_validate(r)
            # A referral whose vacancy or client is not stored was made by a batch whose
            # writes a crash cut short (records are written last: regional.write_order); the
            # batch's replay makes it again, so it is left for the replay to make.
            if (ref.kind == "referral" and ref.vacancy_id in matcher._vf
                    and ref.client_id in matcher._cf):
                matcher._activate(ref)
        return matcher

    # ---- filling slots ------------------------------------------------------------------

    def _fill_vacancy(self, vacancy_id: str, now: datetime) -> list[Referral]:
        vf = self._vf.get(vacancy_id)
        if vf is None or not vf.is_open_on(london_today(now)):
            return []
        if self._vacancy_room(vacancy_id) <= 0:
            return []
        taken = self._by_vacancy.get(vacancy_id, set())
        ready = (None if self._features is None
                 else self._features.scored(vf, self.client_version))
        if ready is not None:
            scored = [(cid, r) for cid, r in ready
                      if cid not in taken and self._client_room(cid) > 0]
        else:
            scored = self._fill_candidates(vf, taken)
        chosen = best_first(scored)[: self._vacancy_room(vacancy_id)]
        return [self._refer(self._cf[cid], vf, result, now) for cid, result in chosen]

    def score_candidates(self, vf: VacancyFeatures,
                         skip: Callable[[str], bool] | None = None) -> list[Scored]:
        """The clients good enough for ``vf`` (referable, no hard rule broken, covering and
        over the bar), scored, before slots are counted; ``skip`` passes over some unscored.
        Reads the state and changes none, so it may run ahead of time (batch_features)."""
        text = TextContext(vf.vector)
        scored: list[Scored] = []
        for cid in self._client_index.candidates(vf):
            if skip is not None and skip(cid):
                continue
            result = self._evaluate(self._cf[cid], vf, text)
            if result is not None:
                scored.append((cid, result))
        return scored

    def _evaluate(self, cf: ClientFeatures, vf: VacancyFeatures,
                  text: TextContext) -> PairScore | None:
        """The pair's score when it may be referred (eligible, good enough), else None."""
        bound = self._prospect(cf, vf, text)
        return None if bound is None else self._complete(cf, vf, bound)

    def _prospect(self, cf: ClientFeatures, vf: VacancyFeatures,
                  text: TextContext) -> Bound | None:
        """An upper bound of the pair's score, or None when it may not be referred (a hard
        rule broken, or even the bound under the bar)."""
        if not cf.referable:
            return None
        d_km = distance_km(cf, vf)
        if pair_reason(cf, vf, d_km) is not None:
            return None
        bound = score_bound(cf, vf, self.config, text, d_km)
        return None if bound.score < self.config.threshold else bound

    def _complete(self, cf: ClientFeatures, vf: VacancyFeatures,
                  bound: Bound) -> PairScore | None:
        """The score of a prospected pair when it may be referred, else None."""
        result = score_bounded(cf, vf, self.config, bound)
        return result if good_enough(result, self.config) else None

    def _fill_candidates(self, vf: VacancyFeatures, taken: set[str]) -> list[Scored]:
        """The best of ``score_candidates`` skipping the clients taken or without room, as
        many as ``vf`` has room for; unchanged clients' scores come from the memo, and
        clients whose bound cannot make the cut are not scored (``ScoreMemo.best``)."""
        return self._memo.best(
            vf, self._client_index.candidates(vf), self._cf,
            skip=lambda cid: cid in taken or self._client_room(cid) <= 0,
            prospect=self._prospect, complete=self._complete,
            rescore=lambda cf, text: score_pair(cf, vf, self.config, text),
            room=self._vacancy_room(vf.vacancy_id))

    def _fill_client(self, client_id: str, now: datetime) -> list[Referral]:
        cf = self._cf.get(client_id)
        if cf is None or not cf.referable or self._client_room(client_id) <= 0:
            return []
        today = london_today(now)
        taken = self._by_client.get(client_id, set())
        text = TextContext(cf.vector)
        scored: list[Scored] = []
        for vid in self._vacancy_index.candidates(cf):
            if vid in taken or self._vacancy_room(vid) <= 0:
                continue
            vf = self._vf[vid]
            if ineligibility_reason(cf, vf, today) is not None:
                continue
            result = score_pair_from_client(cf, vf, self.config, text)
            if good_enough(result, self.config):
                scored.append((vid, result))
        chosen = best_first(scored)[: self._client_room(client_id)]
        return [self._refer(cf, self._vf[vid], result, now) for vid, result in chosen]

    def _refill(self, now: datetime, vacancies: Iterable[str] = (),
                clients: Iterable[str] = ()) -> list[Referral]:
        events: list[Referral] = []
        for vid in sorted(set(vacancies)):
            events += self._fill_vacancy(vid, now)
        for cid in sorted(set(clients)):
            events += self._fill_client(cid, now)
        return events

    # ---- events in ----------------------------------------------------------------------

    def upsert_client(self, profile: ClientProfile, now: datetime) -> list[Referral]:
        old = self.clients.get(profile.client_id)
        if old is not None and profile.updated_at <= old.updated_at:
            return []
        cf = self._store_client(profile)
        today = london_today(now)
        events: list[Referral] = []
        freed: list[str] = []
        for vid in sorted(self._by_client.get(cf.client_id, ())):
            reason = ineligibility_reason(cf, self._vf[vid], today)
            if reason is not None:
                events.append(self._withdraw(vid, cf.client_id, reason, now))
                freed.append(vid)
        events += self._fill_client(cf.client_id, now)
        return events + self._refill(now, vacancies=freed)

    def upsert_vacancy(self, vacancy: Vacancy, now: datetime) -> list[Referral]:
        old = self.vacancies.get(vacancy.vacancy_id)
        if old is not None and vacancy.updated_at <= old.updated_at:
            return []
        vf = self._store_vacancy(vacancy)
        today = london_today(now)
        events: list[Referral] = []
        freed: list[str] = []
        for cid in sorted(self._by_vacancy.get(vf.vacancy_id, ())):
            reason = ineligibility_reason(self._cf[cid], vf, today)
            if reason is not None:
                events.append(self._withdraw(vf.vacancy_id, cid, reason, now))
                freed.append(cid)
        # max_referrals lowered below the active count: the weakest referrals give way.
        active = [self.active[referral_id_for(vf.vacancy_id, cid)]
                  for cid in self._by_vacancy.get(vf.vacancy_id, ())]
        excess = len(active) - vf.max_referrals
        for ref in sorted(active, key=lambda r: (r.score, r.client_id))[: max(0, excess)]:
            events.append(self._withdraw(vf.vacancy_id, ref.client_id,
                                         "vacancy max_referrals reduced", now))
            freed.append(ref.client_id)
        events += self._fill_vacancy(vf.vacancy_id, now)
        return events + self._refill(now, clients=freed)

    def erase_client(self, client_id: str, now: datetime) -> list[Referral]:
        """The client's data is erased (tombstone): withdraw, forget, offer the slots again."""
        events = [self._withdraw(vid, client_id, "client erased", now)
                  for vid in sorted(self._by_client.get(client_id, ()))]
        self._client_index.remove(client_id)
        self.client_version += 1
        self.clients.pop(client_id, None)
        self._cf.pop(client_id, None)
        self._by_client.pop(client_id, None)
        return events + self._refill(now, vacancies=[e.vacancy_id for e in events])

    def erase_vacancy(self, vacancy_id: str, now: datetime) -> list[Referral]:
        events = [self._withdraw(vacancy_id, cid, "vacancy erased", now)
                  for cid in sorted(self._by_vacancy.get(vacancy_id, ()))]
        self._vacancy_index.remove(vacancy_id)
        self._memo.drop(vacancy_id)
        self.vacancies.pop(vacancy_id, None)
        self._vf.pop(vacancy_id, None)
        self._by_vacancy.pop(vacancy_id, None)
        return events + self._refill(now, clients=[e.client_id for e in events])

    def expire(self, now: datetime) -> list[Referral]:
        """Withdraw referrals to vacancies whose closing date passed without an update; the
        streaming worker calls this on a timer (e.g. just after midnight, London time)."""
        today = london_today(now)
        events: list[Referral] = []
        freed: list[str] = []
        for vid in sorted(v for v, cs in self._by_vacancy.items() if cs):
            if not self._vf[vid].is_open_on(today):
                for cid in sorted(self._by_vacancy[vid]):
                    events.append(self._withdraw(vid, cid, "vacancy closing date passed", now))
                    freed.append(cid)
        return events + self._refill(now, clients=freed)
