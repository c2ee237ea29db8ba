from __future__ import annotations

import pytest

from services.matcher.engine.taxonomy import build_taxonomy, default_taxonomy


def _shares_id(a: str, b: str) -> bool:
    tax = default_taxonomy()
    ids_a = {k for k in tax.resolve(a) if not k.startswith("txt:")}
    return bool(ids_a & set(tax.resolve(b)))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("till operation", "cash handling"),
        ("O365 admin", "Microsoft 365 administration"),
        ("cust service", "customer care"),
        ("custmer service", "customer service"),  # typo
        ("forklfit", "forklift"),  # swapped letters
        ("operate forklift", "forklift"),
    ],
)
def test_synonyms_and_typos_share_a_taxonomy_id(a: str, b: str) -> None:
    assert _shares_id(a, b)


@pytest.mark.parametrize(("a", "b"), [("welding", "wedding"), ("cash handling", "cooking")])
def test_unrelated_phrases_share_no_id(a: str, b: str) -> None:
    assert not _shares_id(a, b)


def test_inline_taxonomy_for_small_fixtures() -> None:
    tax = build_taxonomy([("g1", ["till operation", "cash handling"])])
    assert "uk:g1" in tax.resolve("Cash Handling")
    assert "uk:g1" in tax.resolve("till operaton")  # one edit, 14 characters
    assert set(tax.resolve("gardening")) == {"txt:gardening"}
