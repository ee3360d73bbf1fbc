"""kg: a knowledge graph of methods, datasets, tasks, metrics and concepts from paper abstracts.

The data flows ``read -> extract -> normalize -> graph -> export``; ``query``
sits on top.

>>> import kg
>>> sorted(kg.__all__)[:3]
['Entity', 'KGError', 'KnowledgeGraph']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import KGError
from .types import Entity, Mention, Paper

__version__ = "0.1.0"

__all__ = [
    "Entity",
    "KGError",
    "KnowledgeGraph",
    "Mention",
    "Paper",
    "__version__",
    "build",
    "extract_papers",
    "load",
    "read_papers",
]

# Heavy modules (spaCy, rdflib) load on first use, so `import kg` stays fast.
_LAZY = {
    "KnowledgeGraph": ("kg.query", "KnowledgeGraph"),
    "load": ("kg.query", "load"),
    "build": ("kg.builder", "build"),
    "read_papers": ("kg.read", "read_papers"),
    "extract_papers": ("kg.extract", "extract_papers"),
}

if TYPE_CHECKING:
    from .builder import build
    from .extract import extract_papers
    from .query import KnowledgeGraph, load
    from .read import read_papers


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
