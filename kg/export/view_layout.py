"""Where an HTML view puts its nodes: a deterministic 2-D layout, computed once in Python.

Each connected component is laid out with igraph's Fruchterman-Reingold
(with a grid above 500 nodes), seeded so that the same graph always gets the
same positions; components are then scaled and packed in rows, largest
first, and isolated nodes go on rings around them (no row of orphan dots).
The page draws these positions as they are (physics, where it is on, starts
from them).

:func:`layout_groups` lays out groups of nodes (communities) that way one by
one, then places the groups apart: their centres come from a weighted layout
of the graph of groups (groups with many links between them sit close), then
overlapping groups are pushed apart, in a box about as wide as a screen.

>>> layout(["a", "b", "c"], [(0, 1)])
[(0.0, 0.0), (127.3, 0.0), (217.3, 0.0)]
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import Any

__all__ = ["layout", "layout_groups"]

Point = tuple[float, float]


def layout(nodes: list[Any], edges: Iterable[tuple[int, int]], *, scale: float = 90.0,
           seed: int = 7, effort: int | None = None) -> list[Point]:
    """Deterministic 2-D positions for nodes ``0..len(nodes)-1``.

    Each connected component is laid out on its own (igraph's
    Fruchterman-Reingold, with a grid above 500 nodes), scaled so that nodes
    sit about *scale* apart, and the components are packed in rows, largest
    first; isolated nodes go on rings around them. Coordinates are rounded to 0.1.
    *effort* (default: the number of nodes) is the size of the whole view
    this layout is part of: the larger, the fewer iterations each component gets.

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
    effort = n if effort is None else effort
    comps = sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0]))
    for comp in comps:
        if len(comp) == 1:
            singles.append(comp[0])
        else:
            pos = _layout_component(igraph, g.induced_subgraph(comp) if len(comps) > 1 else g, seed, effort)
            placed.append((comp, _normalise(pos, scale)))
    out: list[Point] = [(0.0, 0.0)] * n
    _pack(placed, singles, scale, out)
    return [(round(x, 1), round(y, 1)) for x, y in out]


def _layout_component(igraph: Any, g: Any, seed: int, effort: int) -> list[Point]:
    """Fruchterman-Reingold (with a grid above 500 nodes) on one connected igraph graph, with fewer
    iterations when the whole view (*effort* nodes) is large."""
    k = g.vcount()
    if k == 2:
        return [(0.0, 0.0), (1.0, 0.0)]
    # igraph draws its random start from this generator: seeded, so the layout is reproducible
    igraph.set_random_number_generator(random.Random(seed))
    try:
        size = max(k, effort)
        lay = g.layout_fruchterman_reingold(niter=500 if size <= 500 else 200 if size <= 5000 else 80, grid=k > 500)
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
        if not placed:
            cols = math.ceil(math.sqrt(len(singles)))
            for i, u in enumerate(singles):
                out[u] = ((i % cols) * scale, (i // cols) * scale)
            return
        # rings around the packed components, the first just outside them
        x1 = max(out[u][0] for comp, _ in placed for u in comp)
        y1 = max(out[u][1] for comp, _ in placed for u in comp)
        cx, cy = x1 / 2, y1 / 2
        radius = math.hypot(x1, y1) / 2 + scale
        i = 0
        while i < len(singles):
            on_ring = max(1, int(2 * math.pi * radius // scale))
            ring = singles[i:i + on_ring]
            for j, u in enumerate(ring):
                a = 2 * math.pi * j / len(ring)
                out[u] = (cx + radius * math.cos(a), cy + radius * math.sin(a))
            i += on_ring
            radius += scale


def layout_groups(nodes: list[Any], edges: list[tuple[int, int]], groups: list[int], *, scale: float = 90.0,
                  seed: int = 7, aspect: float = 1.6) -> list[Point]:
    """Positions for nodes ``0..len(nodes)-1`` in *groups* (one group number per node), each
    group laid out on its own by :func:`layout` and the groups placed apart.

    Group centres come from igraph's Fruchterman-Reingold on the graph of
    groups (weighted by the edges between them), stretched to *aspect*
    (width / height); then overlapping groups are pushed apart. Deterministic.

    >>> pos = layout_groups(list("abcd"), [(0, 1), (2, 3)], [0, 0, 1, 1])
    >>> abs(pos[0][0] - pos[2][0]) + abs(pos[0][1] - pos[2][1]) > 127
    True
    """
    import igraph

    n = len(nodes)
    if n == 0:
        return []
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    order = sorted(members, key=lambda g: (-len(members[g]), g))
    if len(order) == 1:
        return layout(nodes, edges, scale=scale, seed=seed)
    gi = {g: k for k, g in enumerate(order)}
    local: dict[int, int] = {}
    for g in order:
        for j, i in enumerate(members[g]):
            local[i] = j
    inner: dict[int, list[tuple[int, int]]] = {g: [] for g in order}
    between: dict[tuple[int, int], int] = {}
    for u, v in edges:
        a, b = groups[u], groups[v]
        if a == b:
            inner[a].append((local[u], local[v]))
        else:
            key = (min(gi[a], gi[b]), max(gi[a], gi[b]))
            between[key] = between.get(key, 0) + 1
    boxes: list[tuple[list[Point], float]] = []
    for g in order:
        pos = layout(members[g], inner[g], scale=scale, seed=seed, effort=n)
        xs, ys = [p[0] for p in pos], [p[1] for p in pos]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        centred = [(x - cx, y - cy) for x, y in pos]
        boxes.append((centred, max(math.hypot(x, y) for x, y in centred) + scale / 2))
    k = len(order)
    pairs = sorted(between)
    meta = igraph.Graph(n=k, edges=pairs)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        start = [[math.cos(2.4 * i) * math.sqrt(i + 1), math.sin(2.4 * i) * math.sqrt(i + 1)] for i in range(k)]
        coords = meta.layout_fruchterman_reingold(weights=[float(between[p]) for p in pairs] or None,
                                                  niter=500, seed=start).coords if pairs else start
    finally:
        igraph.set_random_number_generator(random)
    radii = [r for _, r in boxes]
    centres = _spread(coords, radii, aspect, gap=scale)
    out: list[Point] = [(0.0, 0.0)] * n
    for g, (pos, _), (cx, cy) in zip(order, boxes, centres):
        for i, (x, y) in zip(members[g], pos):
            out[i] = (round(cx + x, 1), round(cy + y, 1))
    return out


def _spread(coords: list[list[float]], radii: list[float], aspect: float, *, gap: float,
            rounds: int = 300) -> list[Point]:
    """Scale centres to a box of about the groups' total area at *aspect*, then push overlapping
    circles (radius + gap/2) apart, largest fixed most; returns the centres."""
    k = len(coords)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    w, h = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    area = sum(math.pi * (r + gap / 2) ** 2 for r in radii) * 1.3
    height = math.sqrt(area / aspect)
    width = height * aspect
    pts = [[(x - min(xs)) / w * width, (y - min(ys)) / h * height] for x, y in zip(xs, ys)]
    mass = [r * r for r in radii]
    for _ in range(rounds):
        moved = False
        for i in range(k):
            for j in range(i + 1, k):
                dx, dy = pts[j][0] - pts[i][0], pts[j][1] - pts[i][1]
                d = math.hypot(dx, dy)
                need = radii[i] + radii[j] + gap
                if d >= need:
                    continue
                if d < 1e-6:
                    dx, dy, d = math.cos(i + j), math.sin(i + j), 1.0
                push = need - d
                fi, fj = mass[j] / (mass[i] + mass[j]), mass[i] / (mass[i] + mass[j])
                pts[i][0] -= dx / d * push * fi
                pts[i][1] -= dy / d * push * fi
                pts[j][0] += dx / d * push * fj
                pts[j][1] += dy / d * push * fj
                moved = True
        if not moved:
            break
        # pull gently toward the middle so the groups fill the box instead of drifting apart
        mx = sum(p[0] for p in pts) / k
        my = sum(p[1] for p in pts) / k
        for p in pts:
            p[0] += (width / 2 - mx) * 0.05 + (width / 2 - p[0]) * 0.01
            p[1] += (height / 2 - my) * 0.05 + (height / 2 - p[1]) * 0.01
    # stretch the centres (never closer) so that the groups' bounding box has the wanted aspect
    x0 = min(p[0] - r for p, r in zip(pts, radii))
    x1 = max(p[0] + r for p, r in zip(pts, radii))
    y0 = min(p[1] - r for p, r in zip(pts, radii))
    y1 = max(p[1] + r for p, r in zip(pts, radii))
    ratio = (x1 - x0) / max(y1 - y0, 1e-9)
    fx, fy = (aspect / ratio, 1.0) if ratio < aspect else (1.0, ratio / aspect)
    return [(p[0] * fx, p[1] * fy) for p in pts]
