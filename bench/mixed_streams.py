"""The mixed streams of client and vacancy updates that bench_matcher.py times.

Two shapes, both built from the loaded population so that every update changes a record the
worker holds:

- ``moves``: 80% client updates that redraw the whole profile (a new city, new skills, a new
  radius), 20% new vacancies. Every client update leaves its regions and joins others: the
  worst case for the regional scheme (about 3.6 regional operations and a refill of every
  vacancy the client leaves).
- ``updates``: what a jobcentre's day looks like more often. Clients keep their place: 25% of
  events pause or resume a client (a pause withdraws its referrals and refills the vacancies it
  held), 20% edit a client's skills, 10% are new clients, 5% move a client to another city;
  20% are new vacancies and 20% update a vacancy (half close it, withdrawing its referrals and
  refilling its clients; half change its skills or positions).

The events are deterministic for a given seed. ``updated_at`` grows with the event's position
so that the latest-wins rule accepts every one.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tests.integration.matcher.data import SKILLS, clients, vacancies

__all__ = ["MIXES", "Event", "mixed_stream"]

MIXES = ("moves", "updates")

Event = tuple[str, str, dict[str, Any]]  # ("client" | "vacancy", key, record)


def _stamp(record: dict[str, Any], base: datetime, i: int) -> dict[str, Any]:
    record["updated_at"] = (base + timedelta(seconds=i)).isoformat()
    return record


def mixed_stream(mix: str, prefix: str, n: int, *, loaded: Sequence[dict[str, Any]],
                 open_vacancies: Sequence[dict[str, Any]], base: datetime,
                 seed: int = 33) -> list[Event]:
    """``n`` events of shape ``mix``; ``loaded`` are the clients the worker holds and
    ``open_vacancies`` the vacancies already sent, both as sent; ``base`` is later than every
    ``updated_at`` sent so far."""
    if mix == "moves":
        return _moves(prefix, n, loaded, base, seed)
    if mix == "updates":
        return _updates(prefix, n, loaded=loaded, open_vacancies=open_vacancies, base=base,
                        seed=seed)
    raise ValueError(f"unknown mix {mix!r}; one of {', '.join(MIXES)}")


def _moves(prefix: str, n: int, loaded: Sequence[dict[str, Any]], base: datetime,
           seed: int) -> list[Event]:
    n_v = n // 5
    redrawn = clients(prefix, n - n_v, seed=seed)  # same ids as the loaded clients
    new_v = vacancies(prefix + "mix", n_v, seed=seed + 1)
    events: list[Event] = []
    for i, c in enumerate(redrawn):
        events.append(("client", c["client_id"], c))
        if i % 4 == 0 and i // 4 < n_v:
            v = new_v[i // 4]
            events.append(("vacancy", v["vacancy_id"], v))
    return [(kind, key, _stamp(rec, base, i)) for i, (kind, key, rec) in enumerate(events)]


def _updates(prefix: str, n: int, *, loaded: Sequence[dict[str, Any]],
             open_vacancies: Sequence[dict[str, Any]], base: datetime,
             seed: int) -> list[Event]:
    rng = random.Random(seed)
    current = {c["client_id"]: c for c in loaded}
    ids = sorted(current)
    new_clients = iter(clients(prefix + "new", n, seed=seed + 2))
    new_vacancies = iter(vacancies(prefix + "upd", n, seed=seed + 3))
    movers = iter(clients(prefix + "mv", n, seed=seed + 4))
    open_v = {v["vacancy_id"]: v for v in open_vacancies}
    events: list[Event] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.60:
            cid = rng.choice(ids)
            c = copy.deepcopy(current[cid])
            if roll < 0.25:  # pause or resume
                c["status"] = "paused" if c["status"] == "job_ready" else "job_ready"
            elif roll < 0.45:  # edit skills
                skills = [s for s in c["skills"] if rng.random() < 0.7]
                skills.append(rng.choice(SKILLS))
                c["skills"] = sorted(set(skills))
            elif roll < 0.50:  # move to another city
                moved = next(movers)
                c["location"], c["max_travel_km"] = moved["location"], moved["max_travel_km"]
            else:  # a new client
                c = next(new_clients)
                ids.append(c["client_id"])
            current[c["client_id"]] = _stamp(c, base, i)
            events.append(("client", c["client_id"], c))
        elif roll < 0.80 or not open_v:  # a new vacancy
            v = _stamp(next(new_vacancies), base, i)
            open_v[v["vacancy_id"]] = v
            events.append(("vacancy", v["vacancy_id"], v))
        else:  # update an open vacancy
            vid = rng.choice(sorted(open_v))
            v = copy.deepcopy(open_v[vid])
            if roll < 0.90:
                v["status"] = rng.choice(["closed", "filled"])
                del open_v[vid]
            else:
                v["required_skills"] = rng.sample(SKILLS, 2)
                v["positions"] = rng.randint(1, 3)
                open_v[vid] = v
            events.append(("vacancy", vid, _stamp(v, base, i)))
    return events
