"""Time in the graph: the year of each paper, entities' first and last years, and what is trending.

A paper's year comes from its ``date`` (JSONL/CSV ``date`` or ``year``,
BibTeX ``year``): the first four-digit year in it. A date without a year
(the daily-papers dumps carry "Mar 12") gives none: kg never invents one,
so a graph without years simply has no time attributes and no trends.

:func:`assign_years` writes, on every entity with dated papers,
``first_year``, ``last_year`` and ``years`` (``{"2021": 3, ...}``, papers
per year). :func:`trending` ranks entities by the growth of their share of
papers: their share of the papers since a year minus their share before it.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for p, year in [("P-1", "2019"), ("P-2", "2020"), ("P-3", "2023-05-01"), ("P-4", "Mar 12")]:
...     G.add_node(p, kind="paper", date=year)
>>> G.add_node("method-a", kind="entity", type="method", label="A", papers=3)
>>> for p in ["P-1", "P-3", "P-4"]:
...     _ = G.add_edge(p, "method-a", key="mention")
>>> assign_years(G); G.nodes["method-a"]["years"]
{'2019': 1, '2023': 1}
>>> [(t.label, t.growth) for t in trending(G, since=2021)]
[('A', 0.5)]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from .errors import ArgumentError
from .graph import MENTION, PAPER

__all__ = ["Trend", "assign_years", "entity_years", "paper_year", "paper_years", "papers_per_year", "trending",
           "year_of"]

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|2100)(?!\d)")


def year_of(date: Any) -> int | None:
    """The first four-digit year (1800-2100) in *date*, or None ("Mar 12" has none).

    >>> year_of("2021-03-04"), year_of("Mar 12"), year_of(None)
    (2021, None, None)
    """
    if not isinstance(date, str):
        return int(date) if isinstance(date, int) and 1800 <= date <= 2100 else None
    m = _YEAR.search(date)
    return int(m.group(1)) if m else None


def paper_year(G: nx.MultiDiGraph, paper: str) -> int | None:
    """The year of one paper of *G*, from its ``date``."""
    return year_of(G.nodes[paper].get("date"))


def paper_years(G: nx.MultiDiGraph) -> dict[str, int]:
    """Paper id -> year, for the papers of *G* whose date has one."""
    out = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") == PAPER:
            y = year_of(d.get("date"))
            if y is not None:
                out[n] = y
    return out


def entity_years(G: nx.MultiDiGraph, years: dict[str, int] | None = None) -> dict[str, Counter[int]]:
    """Entity id -> papers per year (dated papers only); entities without dated papers are left out."""
    years = paper_years(G) if years is None else years
    out: dict[str, Counter[int]] = {}
    for p, y in years.items():
        for e, keys in G._succ[p].items():
            if MENTION in keys:
                out.setdefault(e, Counter())[y] += 1
    return out


def assign_years(G: nx.MultiDiGraph) -> None:
    """Write ``first_year``, ``last_year`` and ``years`` on each entity with dated papers (see above)."""
    for e, counts in entity_years(G).items():
        data = G.nodes[e]
        data["first_year"] = min(counts)
        data["last_year"] = max(counts)
        data["years"] = {str(y): counts[y] for y in sorted(counts)}


@dataclass(frozen=True)
class Trend:
    """An entity's growth: its share of the papers since ``since`` minus its share before."""

    id: str
    label: str
    type: str | None
    growth: float
    recent: int              # its papers since `since`
    earlier: int             # its papers before
    first_year: int
    last_year: int
    years: dict[int, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def trending(G: nx.MultiDiGraph, *, since: int | None = None, top: int = 10,
             min_papers: int = 2) -> list[Trend]:
    """The *top* entities whose share of papers grew the most from before *since* to since.

    Parameters
    ----------
    since : int, optional
        The first year of the recent period (default: two years before the
        latest paper's, so the last three years).
    top : int
        How many to return.
    min_papers : int
        Only entities in at least this many dated papers.

    Returns
    -------
    list of Trend
        Largest growth first (ties: more recent papers, then label). Empty
        when no paper has a year, or none falls on one side of *since*.

    Raises :class:`~kg.errors.ArgumentError` for a *since* that is not a year or
    a *top*/*min_papers* below 1.
    """
    for name, value in (("top", top), ("min_papers", min_papers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ArgumentError(f"{name} must be a whole number of 1 or more, got {value!r}")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
        raise ArgumentError(f"since must be a year (an int), got {since!r}")
    years = paper_years(G)
    if not years:
        return []
    if since is None:
        since = max(years.values()) - 2
    n_recent = sum(1 for y in years.values() if y >= since)
    n_earlier = len(years) - n_recent
    if not n_recent:
        return []
    out = []
    for e, counts in entity_years(G, years).items():
        total = sum(counts.values())
        if total < min_papers:
            continue
        recent = sum(c for y, c in counts.items() if y >= since)
        earlier = total - recent
        growth = recent / n_recent - (earlier / n_earlier if n_earlier else 0.0)
        data = G.nodes[e]
        out.append(Trend(id=e, label=str(data.get("label") or e), type=data.get("type"), growth=round(growth, 4),
                         recent=recent, earlier=earlier, first_year=min(counts), last_year=max(counts),
                         years={y: counts[y] for y in sorted(counts)}))
    out.sort(key=lambda t: (-t.growth, -t.recent, t.label.casefold(), t.id))
    return out[:top]


def papers_per_year(G: nx.MultiDiGraph) -> dict[int, int]:
    """Year -> number of papers, in year order."""
    counts = Counter(paper_years(G).values())
    return {y: counts[y] for y in sorted(counts)}
