"""What a ``Matcher`` holds and the bookkeeping that keeps it consistent.

The records and their features, the candidate indexes, the active referrals (by id, by
vacancy and by client) and the score memo; storing a record, making and withdrawing a
referral, and counting the slots each side has left. When to refer and when to withdraw is
the ``Matcher``'s to decide (matcher.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from schemas import ClientProfile, Referral, Vacancy, referral_id_for
from services.matcher.engine.certifications import CertificationIndex, default_certifications
from services.matcher.engine.config import MatchConfig
from services.matcher.engine.features import ClientFeatures, FeaturesCache, VacancyFeatures
from services.matcher.engine.index import ClientIndex, VacancyIndex
from services.matcher.engine.score_memo import DEFAULT_MEMO_ENTRIES, ScoreMemo
from services.matcher.engine.scoring import PairScore, explain
from services.matcher.engine.taxonomy import Taxonomy, default_taxonomy

__all__ = ["MatcherState"]


class MatcherState:
    def __init__(
        self,
        config: MatchConfig | None = None,
        taxonomy: Taxonomy | None = None,
        certifications: CertificationIndex | None = None,
        *,
        features: FeaturesCache | None = None,
        memo_entries: int = DEFAULT_MEMO_ENTRIES,
    ) -> None:
        self.config = config or MatchConfig()
        self._features = features  # client features shared with other Matchers (optional)
        self._taxonomy = taxonomy or default_taxonomy()
        self._certs = certifications or default_certifications()
        self.clients: dict[str, ClientProfile] = {}
        self.vacancies: dict[str, Vacancy] = {}
        self.active: dict[str, Referral] = {}  # by referral_id
        self._cf: dict[str, ClientFeatures] = {}
        self._vf: dict[str, VacancyFeatures] = {}
        self._by_vacancy: defaultdict[str, set[str]] = defaultdict(set)  # vacancy -> clients
        self._by_client: defaultdict[str, set[str]] = defaultdict(set)  # client -> vacancies
        self._client_index = ClientIndex(self.config.min_required_coverage)
        self._vacancy_index = VacancyIndex(self.config.min_required_coverage)
        # Counts changes to the clients: candidates scored in advance (batch_features) are
        # used only while it is unchanged.
        self.client_version = 0
        self._memo = ScoreMemo(memo_entries)  # scores kept between fills of a vacancy

    # ---- state --------------------------------------------------------------------------

    def _store_client(self, profile: ClientProfile) -> ClientFeatures:
        cf = (ClientFeatures.from_profile(profile, self._taxonomy, self._certs)
              if self._features is None
              else self._features.client(profile, self._taxonomy, self._certs))
        self.clients[profile.client_id], self._cf[profile.client_id] = profile, cf
        self.client_version += 1
        if cf.referable:
            self._client_index.add(cf)
        else:
            self._client_index.remove(cf.client_id)
        return cf

    def _store_vacancy(self, vacancy: Vacancy) -> VacancyFeatures:
        vf = (VacancyFeatures.from_vacancy(vacancy, self._taxonomy, self._certs)
              if self._features is None
              else self._features.vacancy(vacancy, self._taxonomy, self._certs))
        self.vacancies[vacancy.vacancy_id], self._vf[vacancy.vacancy_id] = vacancy, vf
        self._memo.drop(vf.vacancy_id)
        if vf.status == "open":
            self._vacancy_index.add(vf)
        else:
            self._vacancy_index.remove(vf.vacancy_id)
        return vf

    def _activate(self, referral: Referral) -> None:
        self.active[referral.referral_id] = referral
        self._by_vacancy[referral.vacancy_id].add(referral.client_id)
        self._by_client[referral.client_id].add(referral.vacancy_id)

    def _withdraw(self, vacancy_id: str, client_id: str, reason: str, now: datetime) -> Referral:
        referral = self.active.pop(referral_id_for(vacancy_id, client_id))
        self._by_vacancy[vacancy_id].discard(client_id)
        self._by_client[client_id].discard(vacancy_id)
        explanation = referral.explanation.model_copy(update={"withdrawal_reason": reason})
        return referral.model_copy(update={
            "kind": "withdrawal", "explanation": explanation, "created_at": now,
            "matcher_version": self.config.matcher_version,
        })

    def _refer(
        self, cf: ClientFeatures, vf: VacancyFeatures, scored: PairScore, now: datetime
    ) -> Referral:
        referral = Referral(
            referral_id=referral_id_for(vf.vacancy_id, cf.client_id),
            kind="referral",
            vacancy_id=vf.vacancy_id,
            employer_id=vf.employer_id,
            client_id=cf.client_id,
            score=scored.score,
            explanation=explain(cf, vf, scored),
            created_at=now,
            matcher_version=self.config.matcher_version,
        )
        self._activate(referral)
        return referral

    def _client_room(self, client_id: str) -> int:
        return self.config.max_referrals_per_client - len(self._by_client.get(client_id, ()))

    def _vacancy_room(self, vacancy_id: str) -> int:
        return self._vf[vacancy_id].max_referrals - len(self._by_vacancy.get(vacancy_id, ()))
