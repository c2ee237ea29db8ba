"""A whole batch's record features, computed up front on several processes.

``jobmatch match`` holds every record before it matches, so it can compute what a ``Matcher``
would compute record by record (``ClientFeatures``, ``VacancyFeatures``) in advance, on every
core, and hand the results to the ``Matcher`` (``PreparedFeatures``). Matching itself stays one
sequential pass -- its order decides which client takes a slot -- and a record's features do
not depend on which process computed them, so the referrals are the same as a one-process run.

The division of work (fork start method: children inherit the records and the loaded taxonomy,
so only results cross a pipe):

- the first child computes every text vector. It alone imports scikit-learn, which costs
  about a second, while the parent is already resolving skills; the parent never imports it;
- the parent takes chunks of clients from the front, the children from the back, through a
  pair of shared cursors, until they meet: the split follows how fast each core really is
  (the machine is shared), and a child that dies only leaves work the parent then does;
- every child sends all it made in one message at the end, so it never waits on a full pipe
  while the parent is still busy.

Then, once every client is in the ``Matcher`` (``PreparedFeatures.score_ahead``), children
score the candidates of the vacancies from the last one back while the ``Matcher`` fills
them from the first one on; each vacancy is scored by exactly one process, claimed through
the same kind of cursors, and the ``Matcher`` counts the slots itself, in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from schemas import ClientProfile, Vacancy
from services.matcher.engine.certifications import CertificationIndex
from services.matcher.engine.features import (
    ClientFeatures,
    FeaturesCache,
    TextVector,
    VacancyFeatures,
    client_text,
    text_vector,
    vacancy_text,
)
from services.matcher.engine.matcher import Matcher
from services.matcher.engine.scoring import PairScore
from services.matcher.engine.taxonomy import Taxonomy

__all__ = ["PreparedFeatures", "default_processes", "prepare_features"]

# Clients per chunk taken from the shared cursors: small enough for the two ends to meet
# within a few milliseconds of each other, large enough that taking one costs nothing.
_CHUNK = 200
# Vacancies per chunk a child scores ahead (scoring one takes about a millisecond).
_VACANCY_CHUNK = 16
# Below this many vacancies scoring ahead is not worth a fork.
_MIN_PARALLEL_VACANCIES = 100
# Below this many clients a second process is not worth a fork. (Above it, it never costs
# time: the child imports scikit-learn, which this process would otherwise have to.)
_MIN_PARALLEL = 200
# Stands in for a text vector until the first child's arrive.
_PENDING = TextVector(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))


class PreparedFeatures(FeaturesCache):
    """Features computed in advance for these very record objects; any other record (or
    taxonomy) is computed on demand, as ``FeaturesCache`` does."""

    def __init__(self, taxonomy: Taxonomy, certifications: CertificationIndex,
                 clients: Sequence[tuple[ClientProfile, ClientFeatures]] = (),
                 vacancies: Sequence[tuple[Vacancy, VacancyFeatures]] = ()) -> None:
        super().__init__()
        self._taxonomy, self._certs = taxonomy, certifications
        # Keyed by object identity, with the record held so its id cannot be reused: two
        # records may share (client_id, updated_at) in a file, and only the one the Matcher
        # is given may answer for it.
        self._by_client = {id(p): (p, cf) for p, cf in clients}
        self._by_vacancy = {id(v): (v, vf) for v, vf in vacancies}
        self._ahead: _ScoresAhead | None = None

    def _ours(self, taxonomy: Taxonomy, certifications: CertificationIndex) -> bool:
        return taxonomy is self._taxonomy and certifications is self._certs

    def client(self, profile: ClientProfile, taxonomy: Taxonomy,
               certifications: CertificationIndex) -> ClientFeatures:
        held = self._by_client.get(id(profile))
        if held is not None and held[0] is profile and self._ours(taxonomy, certifications):
            self.hits += 1
            return held[1]
        return super().client(profile, taxonomy, certifications)

    def vacancy(self, vacancy: Vacancy, taxonomy: Taxonomy,
                certifications: CertificationIndex) -> VacancyFeatures:
        held = self._by_vacancy.get(id(vacancy))
        if held is not None and held[0] is vacancy and self._ours(taxonomy, certifications):
            return held[1]
        return super().vacancy(vacancy, taxonomy, certifications)

    def score_ahead(self, matcher: Matcher, processes: int) -> None:
        """Let ``processes - 1`` children score the candidates of the vacancies, from the
        last one back, while ``matcher`` fills them from the first one on (``scored``).

        Call once every client is in ``matcher`` and before any vacancy: what a child
        scores is the pure ``Matcher.score_candidates``, against the clients as they are
        now; ``matcher`` uses it only while its clients stay so (``client_version``), and
        counts slots itself, in order, so the referrals are the same as without.
        """
        vfs = [vf for _, vf in self._by_vacancy.values()]
        if processes < 2 or len(vfs) < _MIN_PARALLEL_VACANCIES or not _can_fork():
            return
        ctx = multiprocessing.get_context("fork")
        cursors = ctx.Array("q", [0, len(vfs)])
        children = _start(ctx, processes - 1, _score_child, matcher, vfs, cursors)
        self._ahead = _ScoresAhead(matcher.client_version, {id(vf): i for i, vf in
                                                            enumerate(vfs)}, cursors, children)

    def scored(self, vacancy: VacancyFeatures,
               client_version: int) -> list[tuple[str, PairScore]] | None:
        ahead = self._ahead
        if ahead is None or client_version != ahead.version:
            return None
        i = ahead.position.get(id(vacancy))
        if i is None:
            return None
        if ahead.results is None:
            with ahead.cursors.get_lock():
                if int(ahead.cursors[0]) <= i < int(ahead.cursors[1]):
                    ahead.cursors[0] = i + 1  # this process scores it, and all before it
                    return None
            ahead.results = {}
            for made in _collect(ahead.children):
                ahead.results.update(made.get("scored", {}))
        return ahead.results.get(i)  # None: a child died before sending; scored here


@dataclass
class _ScoresAhead:
    version: int  # Matcher.client_version the children scored against
    position: dict[int, int]  # id(VacancyFeatures) -> index the cursors count in
    cursors: Any
    children: list[tuple[Any, Connection]]
    results: dict[int, list[tuple[str, PairScore]]] | None = None  # once collected


def _score_child(matcher: Matcher, vfs: Sequence[VacancyFeatures], cursors: Any,
                 conn: Connection) -> None:
    scored: dict[int, list[tuple[str, PairScore]]] = {}
    while (span := _take(cursors, front=False, chunk=_VACANCY_CHUNK)) is not None:
        for i in range(*span):
            if vfs[i].status == "open":  # the matcher never asks for the others
                scored[i] = matcher.score_candidates(vfs[i])
    conn.send({"scored": scored})
    conn.close()


def default_processes() -> int:
    """Every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Job:
    clients: Sequence[ClientProfile]
    vacancies: Sequence[Vacancy]
    taxonomy: Taxonomy
    certifications: CertificationIndex
    cursors: Any  # multiprocessing Array("q", [front, back]) with its lock


def _take(cursors: Any, *, front: bool, chunk: int = _CHUNK) -> tuple[int, int] | None:
    with cursors.get_lock():
        lo, hi = int(cursors[0]), int(cursors[1])
        if lo >= hi:
            return None
        if front:
            cursors[0] = end = min(hi, lo + chunk)
            return lo, end
        cursors[1] = start = max(lo, hi - chunk)
        return start, hi


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _start(ctx: Any, n: int, target: Callable[..., None],
           *args: Any) -> list[tuple[Any, Connection]]:
    """``n`` forked children running ``target(*args, conn)``, each with the receiving end
    of its pipe (``args`` are inherited through fork, never pickled)."""
    children: list[tuple[Any, Connection]] = []
    for _ in range(n):
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=target, args=(*args, send), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    return children


def _collect(children: list[tuple[Any, Connection]]) -> list[dict[str, Any]]:
    """Each child's one message ({} from a child that died before sending it)."""
    out: list[dict[str, Any]] = []
    for child, receive in children:
        try:
            out.append(receive.recv())
        except (EOFError, OSError):
            out.append({})
        receive.close()
        child.join()
    return out


_Packed = tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float64]]


def _pack(vectors: Sequence[TextVector]) -> _Packed:
    """Vectors as three flat arrays: pickling 10,000 small arrays costs ten times more."""
    if not vectors:
        return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float64)
    return (np.array([v.indices.size for v in vectors], dtype=np.int64),
            np.concatenate([v.indices for v in vectors]),
            np.concatenate([v.values for v in vectors]))


def _unpack(packed: _Packed) -> list[TextVector]:
    sizes, indices, values = packed
    ends = np.cumsum(sizes).tolist()
    starts = [0, *ends[:-1]]
    # Views into the two flat arrays: no copy.
    return [TextVector(indices[a:b], values[a:b]) for a, b in zip(starts, ends, strict=True)]


def _without_vector(job: _Job, profile: ClientProfile) -> ClientFeatures:
    return ClientFeatures.from_profile(profile, job.taxonomy, job.certifications,
                                       vector=_PENDING)


def _child(job: _Job, vectors: bool, conn: Connection) -> None:
    # Started by fork: ``job`` is this process's inherited copy, never pickled.
    made: dict[str, Any] = {"spans": []}
    if vectors:
        made["clients"] = _pack([text_vector(client_text(p)) for p in job.clients])
        made["vacancies"] = _pack([text_vector(vacancy_text(v)) for v in job.vacancies])
    while (span := _take(job.cursors, front=False)) is not None:
        start, end = span
        made["spans"].append((start, [_without_vector(job, p) for p in job.clients[start:end]]))
    conn.send(made)
    conn.close()


def prepare_features(clients: Sequence[ClientProfile], vacancies: Sequence[Vacancy],
                     taxonomy: Taxonomy, certifications: CertificationIndex, *,
                     processes: int = 1) -> PreparedFeatures:
    """Features of every record, computed on ``processes`` processes (this one included)."""
    if processes < 2 or len(clients) < _MIN_PARALLEL or not _can_fork():
        return PreparedFeatures(taxonomy, certifications)  # computed on demand, as before
    taxonomy.semantic_resolver()  # built once, before the fork, rather than in each process
    ctx = multiprocessing.get_context("fork")
    cursors = ctx.Array("q", [0, len(clients)])
    job = _Job(clients, vacancies, taxonomy, certifications, cursors)
    # The first child computes the text vectors as well.
    children = (_start(ctx, 1, _child, job, True)
                + _start(ctx, processes - 2, _child, job, False))
    partial: list[ClientFeatures | None] = [None] * len(clients)
    while (span := _take(cursors, front=True)) is not None:
        for i in range(*span):
            partial[i] = _without_vector(job, clients[i])
    client_vectors: list[TextVector] | None = None
    vacancy_vectors: list[TextVector] | None = None
    for made in _collect(children):  # a child that died sent {}: its share is done below
        if "clients" in made:
            client_vectors = _unpack(made["clients"])
            vacancy_vectors = _unpack(made["vacancies"])
        for start, features in made.get("spans", ()):
            partial[start:start + len(features)] = features
    if client_vectors is None:
        client_vectors = [text_vector(client_text(p)) for p in clients]
    if vacancy_vectors is None:
        vacancy_vectors = [text_vector(vacancy_text(v)) for v in vacancies]
    done = [
        replace(cf if cf is not None else _without_vector(job, p), vector=vector)
        for p, cf, vector in zip(clients, partial, client_vectors, strict=True)
    ]
    return PreparedFeatures(
        taxonomy, certifications,
        clients=list(zip(clients, done, strict=True)),
        vacancies=[(v, VacancyFeatures.from_vacancy(v, taxonomy, certifications, vector=vec))
                   for v, vec in zip(vacancies, vacancy_vectors, strict=True)],
    )
