from __future__ import annotations

import pytest

from services.matcher.engine.normalise import normalise, tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Cust Service", "customer service"),
        ("customer services", "Customer Service"),
        ("Organized", "organised"),
        ("colour matching", "Color matching"),
        ("Fork-lift", "forklift"),
        ("H&S", "health and safety"),
        ("F & B service", "food and beverage service"),
        ("KP", "kitchen porter"),
        ("stock mgmt", "stock management"),
        ("O365 admin", "Microsoft 365 administration"),
        ("Labor", "labour"),
    ],
)
def test_same_meaning_same_normal_form(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("size", "sise"), ("cleaning", "clearing"), ("c++", "c"), ("level 2", "level 3")],
)
def test_different_words_stay_different(a: str, b: str) -> None:
    assert normalise(a) != normalise(b)


def test_stop_words_dropped_unless_nothing_else_is_left() -> None:
    assert tokens("experience of the till") == ("till",)
    assert tokens("basic") == ("basic",)
    assert tokens("a b", drop_stop_words=False) == ("a", "b")
