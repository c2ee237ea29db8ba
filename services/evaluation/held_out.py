"""Which held-out phrasings leaked into the engine's dictionaries or code.

A leaked phrasing no longer measures generalisation: it must move to the ``seen`` pool.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from services.evaluation.certifications import CERTS
from services.evaluation.vocabulary import SKILLS

__all__ = ["ENGINE_DIR", "held_out_phrasings", "leaks", "normalise"]

ENGINE_DIR = Path(__file__).resolve().parents[1] / "matcher" / "engine"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def held_out_phrasings() -> dict[str, str]:
    """normalised phrasing -> concept id."""
    out = {}
    for table in (SKILLS, CERTS):
        for concept, options in table.items():
            for text in options.held_out:
                out[normalise(text)] = concept
    return out


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def _py_strings(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def leaks(engine_dir: Path = ENGINE_DIR) -> dict[str, list[str]]:
    """held-out phrasing -> files where it appears verbatim as a whole string."""
    wanted = held_out_phrasings()
    found: dict[str, list[str]] = {}
    sources: list[tuple[Path, Iterator[str]]] = [
        (p, _json_strings(json.loads(p.read_text(encoding="utf-8"))))
        for p in sorted((engine_dir / "data").glob("*.json"))
    ]
    sources += [(p, _py_strings(p)) for p in sorted(engine_dir.glob("*.py"))]
    for path, strings in sources:
        for text in strings:
            key = normalise(text)
            if key in wanted:
                found.setdefault(key, []).append(path.name)
    return found
