"""Scores of a vacancy's candidates, kept between fills of that vacancy.

In the streaming worker many fills of a vacancy are refills: a referred client moved away or
was erased, and the freed slot is offered again. Without a memo every refill scores all the
vacancy's candidates again, although almost none of them changed (in the mixed stream of
bench/bench_engine_stream.py, a third of the fills and about a quarter of the engine's time;
the memo cuts that part to about a third).

An entry is a client's features *object* and what the matcher made of the pair: its score if
eligible and good enough, else ``NOT_REFERABLE``. Both are pure functions of the client's and
the vacancy's features (and the config, fixed per ``Matcher``), so an entry is reused only
while the matcher still holds that very ``ClientFeatures`` object (``is``) for the client,
and the whole table only while it holds that very ``VacancyFeatures``: any update of either
makes new objects, so nothing stale is ever used. The entry holds the object, so its id
cannot be reused while it is held.

Only the score is kept, in two plain dicts per vacancy (no object per entry): the matcher
ranks by it and scores again the few pairs it refers, for their explanation. Keeping every
``PairScore`` (with its dicts and tuples) made the cyclic garbage collector's full passes
slower than the scoring it saved.

Memory is bounded: a fill keeps only the entries of the vacancy's current candidates, and the
tables of the least recently filled vacancies are dropped beyond ``max_entries`` entries in
all (per ``Matcher``; at 20,000 clients the streaming benchmark's ~1,100 vacancies held
~155,000 entries over 17 regions, ~25 MB).
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from services.matcher.engine.features import ClientFeatures, VacancyFeatures
from services.matcher.engine.ranking import Scored
from services.matcher.engine.scoring import Bound, PairScore, TextContext

__all__ = ["DEFAULT_MEMO_ENTRIES", "NOT_REFERABLE", "ScoreMemo", "Table"]

# Per Matcher (one per region in the worker): an entry is two dict slots, ~150 bytes.
DEFAULT_MEMO_ENTRIES = 50_000
NOT_REFERABLE = -1.0  # below any score: ineligible, or not good enough

# (client id -> the ClientFeatures scored, client id -> score or NOT_REFERABLE)
Table = tuple[dict[str, ClientFeatures], dict[str, float]]


class ScoreMemo:
    def __init__(self, max_entries: int = DEFAULT_MEMO_ENTRIES) -> None:
        self._max = max_entries
        self._tables: OrderedDict[str, tuple[VacancyFeatures, Table]] = OrderedDict()
        self._entries = 0
        self.hits = 0
        self.misses = 0
        self.pruned = 0  # pairs passed over on their bound

    def __len__(self) -> int:
        return len(self._tables)

    @property
    def entries(self) -> int:
        return self._entries

    def table(self, vf: VacancyFeatures) -> Table:
        """The entries kept for ``vf`` (empty when it is new or changed since)."""
        held = self._tables.get(vf.vacancy_id)
        if held is None or held[0] is not vf:
            return {}, {}
        self._tables.move_to_end(vf.vacancy_id)
        return held[1]

    def keep(self, vf: VacancyFeatures, table: Table) -> None:
        """Replace ``vf``'s entries with ``table`` (what its last fill knew)."""
        self.drop(vf.vacancy_id)
        self._tables[vf.vacancy_id] = (vf, table)
        self._entries += len(table[0])
        while self._entries > self._max:
            self.drop(next(iter(self._tables)))  # the least recently filled

    def drop(self, vacancy_id: str) -> None:
        held = self._tables.pop(vacancy_id, None)
        if held is not None:
            self._entries -= len(held[1][0])

    def best(
        self,
        vf: VacancyFeatures,
        candidates: Iterable[str],
        features: Mapping[str, ClientFeatures],
        *,
        skip: Callable[[str], bool],
        prospect: Callable[[ClientFeatures, VacancyFeatures, TextContext], Bound | None],
        complete: Callable[[ClientFeatures, VacancyFeatures, Bound], PairScore | None],
        rescore: Callable[[ClientFeatures, TextContext], PairScore],
        room: int,
    ) -> list[Scored]:
        """The ``room`` best referable ``candidates`` not skipped, best first (score
        descending, then id: ``ranking.best_first``), as ``Matcher.score_candidates`` would
        rank them.

        A pair not in the memo is first ``prospect``ed: None when it is not referable (a hard
        rule, or a bound under the bar), else an upper bound of its score (``scoring.Bound``).
        Pairs are then ``complete``d (scored; None: not referable) best bound first, only
        while a bound could still reach the ``room`` best scores found: the rest cannot be
        referred now and are left out of the memo. ``rescore`` scores again a pair referred
        from the memo, for its explanation."""
        known_cf, known_score = self.table(vf)
        cfs: dict[str, ClientFeatures] = {}
        scores: dict[str, float] = {}
        fresh: dict[str, PairScore] = {}
        ranked: list[tuple[str, float]] = []
        bounded: list[tuple[float, str, Bound]] = []
        text = TextContext(vf.vector)
        for cid in candidates:
            cf = features[cid]
            skipped = skip(cid)
            if known_cf.get(cid) is cf:
                score = known_score[cid]
                self.hits += 1
            elif skipped:
                continue  # left unscored, as score_candidates does
            else:
                found = prospect(cf, vf, text)
                if found is not None:
                    bounded.append((found.score, cid, found))
                    continue
                score = NOT_REFERABLE
            cfs[cid], scores[cid] = cf, score  # only current candidates: the rest is let go
            if not skipped and score != NOT_REFERABLE:
                ranked.append((cid, score))
        room = max(0, room)
        # The room best scores so far, smallest first: a bound under the smallest cannot
        # enter the top (an equal one can, on the id), nor can any bound after it.
        top = heapq.nlargest(room, (score for _, score in ranked))
        heapq.heapify(top)
        bounded.sort(key=lambda item: (-item[0], item[1]))
        for bound, cid, found in bounded:
            if room == 0 or (len(top) == room and bound < top[0]):
                self.pruned += 1
                continue
            cf = features[cid]
            result = complete(cf, vf, found)
            self.misses += 1
            cfs[cid] = cf
            if result is None:
                scores[cid] = NOT_REFERABLE
                continue
            scores[cid] = result.score
            fresh[cid] = result
            ranked.append((cid, result.score))
            if len(top) < room:
                heapq.heappush(top, result.score)
            elif result.score > top[0]:
                heapq.heapreplace(top, result.score)
        self.keep(vf, (cfs, scores))
        ranked.sort(key=lambda item: (-item[1], item[0]))
        chosen = [cid for cid, _ in ranked[:room]]
        return [(cid, fresh[cid] if cid in fresh else rescore(features[cid], text))
                for cid in chosen]
