"""Precomputed, simplified county geometry for the national map (issue 17 item 6).

us-atlas ships about 38,000 points; at 975x610 pixels most of them are closer
together than a pixel. ``build_simplified`` runs Visvalingam-Whyatt on each
*arc* of the topology (not on each county ring), keeping every arc's two
endpoints, so neighbouring counties still share exactly the same border and no
gaps or slivers open between them. The result is quantized to a whole-pixel
grid and written once, by ``manage.py build_map_geometry``, to
``data/us-atlas/counties-simplified.json``; ``firstline.policies.map`` reads
that file and never simplifies per request.

Why hand-written: the algorithm is twenty lines, runs once at build time, and a
library (``simplification``, ``visvalingamwyatt``) would add a locked runtime
dependency for a file we commit (docs/map.md).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

Coord = tuple[float, float]
# Triangles smaller than this (in square pixels of the 975x610 map) are dropped.
DEFAULT_MIN_AREA = 3.0
# Output grid: 1 = whole pixels. The path data uses small relative integers.
DEFAULT_GRID = 1
FORMAT_VERSION = 1


def _area(a: Coord, b: Coord, c: Coord) -> float:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2


def simplify_arc(points: Sequence[Coord], *, min_area: float) -> list[Coord]:
    """Visvalingam-Whyatt: repeatedly drop the interior point whose triangle is smallest.

    The endpoints always stay (they are where arcs meet). A point's effective
    area never falls below the one just removed, so removal order is monotone.
    """
    n = len(points)
    if n <= 2:
        return list(points)
    prev = list(range(-1, n - 1))
    nxt = list(range(1, n + 1))
    areas = [float("inf")] * n
    heap: list[tuple[float, int]] = []
    for i in range(1, n - 1):
        areas[i] = _area(points[i - 1], points[i], points[i + 1])
        heap.append((areas[i], i))
    heapq.heapify(heap)
    removed = [False] * n
    # A closed arc (an island county) keeps a triangle, or its ring would vanish.
    keep = 4 if points[0] == points[-1] else 2
    remaining = n
    floor = 0.0
    while heap and remaining > keep:
        area, i = heapq.heappop(heap)
        if removed[i] or area != areas[i]:
            continue  # a stale entry: the point's area was recomputed
        if area >= min_area:
            break
        floor = max(floor, area)
        removed[i] = True
        remaining -= 1
        p, q = prev[i], nxt[i]
        nxt[p], prev[q] = q, p
        for j in (p, q):
            if 0 < j < n - 1:
                areas[j] = max(floor, _area(points[prev[j]], points[j], points[nxt[j]]))
                heapq.heappush(heap, (areas[j], j))
    return [pt for pt, gone in zip(points, removed, strict=True) if not gone]


def build_simplified(
    topology: Mapping[str, Any],
    *,
    min_area: float = DEFAULT_MIN_AREA,
    grid: int = DEFAULT_GRID,
) -> dict[str, Any]:
    """The JSON document ``firstline.policies.map`` draws from: path data per county and state."""
    from firstline.policies.map import decode_arcs, geometry_rings, path_data, ring_points

    arcs = [
        [(round(x * grid), round(y * grid)) for x, y in simplify_arc(arc, min_area=min_area)]
        for arc in decode_arcs(topology)
    ]
    counties = {}
    for geometry in topology["objects"]["counties"]["geometries"]:
        rings = [ring_points(ring, arcs) for ring in geometry_rings(geometry)]
        name = geometry.get("properties", {}).get("name", "")
        counties[str(geometry["id"])] = [name, path_data(rings)]
    states = {}
    used: set[int] = set()
    for geometry in topology["objects"]["states"]["geometries"]:
        states[str(geometry["id"])] = geometry.get("properties", {}).get("name", "")
        for ring in geometry_rings(geometry):
            used.update(i if i >= 0 else ~i for i in ring)
    nation = [
        ring_points(ring, arcs)
        for geometry in topology["objects"]["nation"]["geometries"]
        for ring in geometry_rings(geometry)
    ]
    return {
        "version": FORMAT_VERSION,
        "grid": grid,
        "min_area": min_area,
        "counties": counties,
        "states": states,
        # A mesh: each state arc drawn once, so shared borders are not stroked twice.
        "state_borders": path_data((arcs[i] for i in sorted(used)), close=False),
        "nation": path_data(nation),
    }
