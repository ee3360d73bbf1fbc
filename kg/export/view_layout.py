"""Where an HTML view puts its nodes: a deterministic 2-D layout, computed once in Python.

Each connected component is laid out with igraph's Fruchterman-Reingold
(with a grid above 500 nodes), seeded so that the same graph always gets the
same positions; components are then scaled and packed in rows, largest
first, and isolated nodes go in a grid below. The page draws these positions
as they are (physics, where it is on, starts from them).

>>> layout(["a", "b", "c"], [(0, 1)])
[(0.0, 0.0), (127.3, 0.0), (0.0, 90.0)]
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import Any

__all__ = ["layout"]

Point = tuple[float, float]


def layout(nodes: list[Any], edges: Iterable[tuple[int, int]], *, scale: float = 90.0,
           seed: int = 7) -> list[Point]:
    """Deterministic 2-D positions for nodes ``0..len(nodes)-1``.

    Each connected component is laid out on its own (igraph's
    Fruchterman-Reingold, with a grid above 500 nodes), scaled so that nodes
    sit about *scale* apart, and the components are packed in rows, largest
    first; isolated nodes go in a grid below. Coordinates are rounded to 0.1.

    >>> layout(["a", "b", "c"], [(0, 1)])[2] != layout(["a", "b", "c"], [(0, 1)])[0]
    True
    """
    import igraph

    n = len(nodes)
    if n == 0:
        return []
    pairs = sorted({(u, v) if u < v else (v, u) for u, v in edges if u != v})
    placed: list[tuple[list[int], list[Point]]] = []
    singles: list[int] = []
    g = igraph.Graph(n=n, edges=pairs)
    comps = sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0]))
    for comp in comps:
        if len(comp) == 1:
            singles.append(comp[0])
        else:
            pos = _layout_component(igraph, g.induced_subgraph(comp) if len(comps) > 1 else g, seed)
            placed.append((comp, _normalise(pos, scale)))
    out: list[Point] = [(0.0, 0.0)] * n
    _pack(placed, singles, scale, out)
    return [(round(x, 1), round(y, 1)) for x, y in out]


def _layout_component(igraph: Any, g: Any, seed: int) -> list[Point]:
    """Fruchterman-Reingold (with a grid above 500 nodes) on one connected igraph graph."""
    k = g.vcount()
    if k == 2:
        return [(0.0, 0.0), (1.0, 0.0)]
    # igraph draws its random start from this generator: seeded, so the layout is reproducible
    igraph.set_random_number_generator(random.Random(seed))
    try:
        lay = g.layout_fruchterman_reingold(niter=500 if k <= 500 else 200 if k <= 5000 else 80, grid=k > 500)
    finally:
        igraph.set_random_number_generator(random)
    return [(float(x), float(y)) for x, y in lay.coords]


def _normalise(pos: list[Point], scale: float) -> list[Point]:
    """Scale a component so that each node has about ``scale**2`` of area, and move it to the origin."""
    xs = [p[0] for p in pos]
    ys = [p[1] for p in pos]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    area = max(w, 1e-9) * max(h, 1e-9) if w > 1e-9 and h > 1e-9 else max(w, h, 1e-9) ** 2
    f = scale * math.sqrt(len(pos) / area)
    mx, my = min(xs), min(ys)
    return [((x - mx) * f, (y - my) * f) for x, y in zip(xs, ys)]


def _pack(placed: list[tuple[list[int], list[Point]]], singles: list[int], scale: float,
          out: list[Point]) -> None:
    """Shelf-pack components (largest first) into rows about as wide as the largest is tall."""
    gap = scale
    boxes = [(max(p[0] for p in pos), max(p[1] for p in pos)) for _, pos in placed]
    area = sum((w + gap) * (h + gap) for w, h in boxes) + len(singles) * scale * scale
    width = max([math.sqrt(area) * 1.2] + [w for w, _ in boxes])
    x = y = row_h = 0.0
    for (comp, pos), (w, h) in zip(placed, boxes):
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        for u, (px, py) in zip(comp, pos):
            out[u] = (x + px, y + py)
        x += w + gap
        row_h = max(row_h, h)
    if singles:
        y0 = y + row_h + gap if placed else 0.0
        cols = max(1, int(width // scale) if placed else math.ceil(math.sqrt(len(singles))))
        for i, u in enumerate(singles):
            out[u] = ((i % cols) * scale, y0 + (i // cols) * scale)
