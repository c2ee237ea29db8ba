"""Which record text derives from held-out phrasings, decided by the generator's ground truth.

The generator draws every skill and certification of a record from ONE pool (the ``pool`` of
the record in ``labels.json`` truth; see ``render.phrase``) and only then perturbs it: typos,
case, suffixes such as "(in date)", run-ons. So the record's pool is the provenance of each of
its items whatever the perturbation, and masking by it cannot be fooled the way comparing the
printed text with the pool phrasings was: a perturbed held-out item never equals its phrasing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.evaluation.held_out import held_out_phrasings, normalise
from services.evaluation.render import HELD_OUT

__all__ = ["MASK", "Provenance"]

MASK = "[held-out phrasing]"


class Provenance:
    """Held-out record ids from the truth, and how to show one record's text safely."""

    def __init__(self, truth: Mapping[str, Any]) -> None:
        # Client and vacancy ids never collide ("cl-" / "vac-"), so one set serves both.
        self.held_out_ids = frozenset(
            rid for kind in ("clients", "vacancies")
            for rid, t in truth[kind].items() if t["pool"] == HELD_OUT)
        # Belt and braces: an exact pool phrasing is masked even in a seen record, in case a
        # future generator change ever mixes pools within a record.
        self._phrasings = held_out_phrasings()

    def held_out(self, record_id: str) -> bool:
        return record_id in self.held_out_ids

    def show(self, text: str, record_id: str) -> str:
        """``text`` quoted, or the mask when it comes from a held-out record."""
        if self.held_out(record_id) or normalise(text) in self._phrasings:
            return MASK
        return repr(text)

    def show_all(self, texts: Iterable[str], record_id: str) -> list[str]:
        return [self.show(t, record_id) for t in texts]
