"""Unnamed skill phrases (``vocabulary_gaps``): counted per record and side, most blocking
first, and never a phrase the taxonomy names."""

from __future__ import annotations

from services.matcher.engine.taxonomy import default_taxonomy
from services.matcher.engine.vocabulary_gaps import named, unknown_skills
from tests.unit.engine.conftest import client, vacancy

# Letters no typo of an English word: the taxonomy cannot name them by any route.
ODD, ODDER = "xqzt vrkp", "zzqj wkxv"


def test_named_tells_a_known_phrase_from_an_unknown_one() -> None:
    tax = default_taxonomy()
    assert named("cash handling", tax)
    assert named("till operation", tax)  # a UK alias
    assert not named(ODD, tax)


def test_unknown_phrases_are_counted_per_record_and_side_most_blocking_first() -> None:
    vacancies = [
        vacancy(vacancy_id="v1", required_skills=["cash handling", ODD],
                desired_skills=[ODDER]),
        vacancy(vacancy_id="v2", required_skills=["Xqzt  Vrkp!"]),  # the same, normalised
    ]
    clients = [
        client(client_id="c1", skills=["customer service", ODDER, ODD]),
        client(client_id="c2", skills=[ODD, ODD.upper()]),  # once per record
    ]
    gaps = unknown_skills(clients, vacancies, default_taxonomy())
    assert [(g.phrase, g.required, g.desired, g.clients) for g in gaps] == [
        (ODD, 2, 0, 2),
        (ODDER, 0, 1, 1),
    ]
    assert gaps[0].example == ODD


def test_known_records_have_no_gaps() -> None:
    gaps = unknown_skills([client(skills=["customer service", "stock replenishment"])],
                          [vacancy(required_skills=["cash handling"], desired_skills=[])],
                          default_taxonomy())
    assert gaps == []
