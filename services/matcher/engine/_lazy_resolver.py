"""A resolver by meaning that loads its vector space on first need, once.

Most phrases resolve by a dictionary route and never need a vector space, and loading one
takes a moment (a few MB from disk), so the taxonomy holds each space as a loader until a
phrase needs it. The space is loaded once, also when it turns out to be absent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from services.matcher.engine.phrase_resolver import PhraseVectors, SemanticResolver
from services.matcher.engine.semantic import SEMANTIC_MARGIN, SEMANTIC_MIN

__all__ = ["LazyResolver"]

Targets = Sequence[tuple[Sequence[str], str]]


class LazyResolver:
    """A ``SemanticResolver`` built on first ``get``, from a space or a loader of one."""

    def __init__(self, source: PhraseVectors | Callable[[], PhraseVectors | None] | None, *,
                 min_similarity: float = SEMANTIC_MIN, margin: float = SEMANTIC_MARGIN
                 ) -> None:
        self._source = source
        self._thresholds = (min_similarity, margin)
        self._resolver: SemanticResolver | None = None

    def get(self, targets: Targets) -> SemanticResolver | None:
        """The resolver over ``targets`` (phrase words, group id), or None without a space."""
        if self._resolver is None and self._source is not None:
            source, self._source = self._source, None
            space = source if isinstance(source, PhraseVectors) else source()
            if space is not None:
                low, margin = self._thresholds
                self._resolver = SemanticResolver(space, targets, min_similarity=low,
                                                  margin=margin)
        return self._resolver
