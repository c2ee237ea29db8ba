"""Turn true concepts into the noisy text people type: pool choice, typos, case, run-ons.

Typos touch only alphabetic words of five letters or more, so a typo never changes a class,
level or number ("HGV 2" stays class 2): the label must stay true after the noise.
"""

from __future__ import annotations

import random
import re

from services.evaluation.vocabulary import Phrasings

__all__ = ["HELD_OUT", "SEEN", "Noise", "phrase", "typo"]

SEEN = "seen"
HELD_OUT = "held_out"
_WORD = re.compile(r"[A-Za-z]{5,}")


class Noise:
    """How messy one kind of record is. Clients type more carelessly than employers."""

    def __init__(self, typo_rate: float, lower_rate: float, upper_rate: float) -> None:
        self.typo_rate = typo_rate
        self.lower_rate = lower_rate
        self.upper_rate = upper_rate

    def apply(self, rng: random.Random, text: str) -> str:
        if rng.random() < self.typo_rate:
            text = typo(rng, text)
        roll = rng.random()
        if roll < self.lower_rate:
            return text.lower()
        if roll < self.lower_rate + self.upper_rate:
            return text.upper()
        return text


def phrase(rng: random.Random, options: Phrasings, pool: str, canonical_rate: float = 0.0) -> str:
    """One phrasing from ``pool``; with ``canonical_rate`` the first seen one (an employer's
    standard wording). Held-out records only ever use held-out phrasings."""
    if pool == HELD_OUT:
        return rng.choice(options.held_out)
    if rng.random() < canonical_rate:
        return options.seen[0]
    return rng.choice(options.seen)


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip in one long word: swapped, dropped or doubled letter."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    m = rng.choice(words)
    w = m.group()
    i = rng.randrange(1, len(w) - 1)  # first letter kept: people rarely miss it
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif kind == 1:
        w = w[:i] + w[i + 1:]
    else:
        w = w[:i] + w[i] + w[i:]
    return text[: m.start()] + w + text[m.end():]
