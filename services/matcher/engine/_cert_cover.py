"""The cover rule: a certification phrase typed in a wording no alias has.

People reuse the words of a certification's names in new combinations: "door supervisor
badge" for the SIA door supervisor licence, "IPAF mobile boom" for 3b, "level 2 diploma in
health and social care". No alias has those exact words, yet every word belongs to the names
of one category. The rule names a category only when:

1. **Cover.** Every content word of the phrase occurs in that category's names, and the
   phrase's marks (levels, classes, codes) are exactly the marks of one of its names.
   Exactly one category may pass; two or more is ambiguous ("IPAF boom": 1b and 3b).
2. **Evidence.** The phrase says which category it is, not just which kind:
   - its words together occur in the names of this category alone, counting family names
     ("HGV driver card" also fits the generic HGV family: refused); or
   - one of its marks is a code that belongs to this category alone ("CPCS 360"). A level
     or class (one or two digits) is never such a code: "level 3 diploma" may be any; or
   - it gives marks, and its words occur only in this category's family ("functional maths
     level 2"), so the marks choose within the family. A phrase that gives no level
     ("food hygiene certificate") never chooses one.

Words are read strictly (no typo forgiveness here; the fuzzy route is separate) and document
words ("card", "ticket") are ignored, as in every certification route.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

__all__ = ["CoverIndex"]


class CoverIndex:
    """Which words and marks each category's names use; built once with the index."""

    def __init__(self, family_of: Mapping[str, str]) -> None:
        # category id -> family id ("" when it has none); a family is "family:<id>"
        self._family_of = dict(family_of)
        self._words: defaultdict[str, set[str]] = defaultdict(set)
        self._mark_sets: defaultdict[str, set[frozenset[str]]] = defaultdict(set)
        self._word_owners: defaultdict[str, set[str]] = defaultdict(set)
        self._mark_owners: defaultdict[str, set[str]] = defaultdict(set)

    def add(self, owner: str, marks: frozenset[str], words: Iterable[str]) -> None:
        """Record one name of ``owner`` (a category id, or ``family:<id>``)."""
        for word in words:
            self._word_owners[word].add(owner)
            if not owner.startswith("family:"):
                self._words[owner].add(word)
        if not owner.startswith("family:"):
            self._mark_sets[owner].add(marks)
            for mark in marks:
                self._mark_owners[mark].add(owner)

    def name(self, marks: frozenset[str], words: str) -> str | None:
        """The one category the phrase names by the cover rule, else None."""
        typed = set(words.split())
        if not typed:
            return None  # marks alone ("level 2", "360 ticket") are no evidence of a kind
        fitting = [c for c, names in self._words.items()
                   if typed <= names and marks in self._mark_sets[c]]
        if len(fitting) != 1:
            return None
        category = fitting[0]
        owners = set.intersection(*(self._word_owners[w] for w in typed))
        if owners == {category}:
            return category
        if any(_is_code(m) and self._mark_owners[m] == {category} for m in marks):
            return category
        family = self._family_of.get(category, "")
        in_family = family and all(
            o == f"family:{family}" or self._family_of.get(o) == family for o in owners)
        if marks and len(typed) > 1 and in_family:
            return category
        return None


def _is_code(mark: str) -> bool:
    """A scheme's code ("360", "a09", "3b") rather than a level or class number ("3")."""
    return len(mark) >= 3 or not mark.isdigit()
