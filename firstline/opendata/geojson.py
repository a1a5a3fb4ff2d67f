"""The vendored us-atlas county shapes as GeoJSON (WGS 84 longitude/latitude).

``counties-albers-10m.json`` is pre-projected with d3's
``geoAlbersUsa().scale(1300).translate([487.5, 305])`` (its README), which
suits an SVG but not GeoJSON (RFC 7946 wants longitude and latitude). So the
screen coordinates are taken back through the inverse of that composite
projection: three conic equal-area projections (lower 48, Alaska scaled to
0.35, Hawaii), picked by the same screen boxes d3's ``invert`` uses. The
inverse is exact; what precision is lost was lost to the atlas's quantization
(a fraction of a screen pixel, about 1-3 km), so coordinates are written with
4 decimals (about 11 m), which is more than the source carries.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from firstline.policies import map as national_map

ATLAS_SCALE = 1300.0
ATLAS_TRANSLATE = (487.5, 305.0)
DECIMALS = 4


@dataclass(frozen=True)
class ConicEqualArea:
    """d3.geoConicEqualArea with rotate([-lambda0, 0]), center, parallels, scale, translate."""

    rotate: float  # degrees added to longitude before projecting (d3's rotate([r, 0]))
    center: tuple[float, float]
    parallels: tuple[float, float]
    scale: float
    translate: tuple[float, float]

    @functools.cached_property
    def _constants(self) -> tuple[float, float, float, float, float]:
        sy0 = math.sin(math.radians(self.parallels[0]))
        n = (sy0 + math.sin(math.radians(self.parallels[1]))) / 2
        c = 1 + sy0 * (2 * n - sy0)
        r0 = math.sqrt(c) / n
        # d3 centres the projection on the raw (unrotated) projection of ``center``.
        cx, cy = self._raw(math.radians(self.center[0]), math.radians(self.center[1]), n, c, r0)
        return n, c, r0, cx, cy

    @staticmethod
    def _raw(lam: float, phi: float, n: float, c: float, r0: float) -> tuple[float, float]:
        r = math.sqrt(c - 2 * n * math.sin(phi)) / n
        return r * math.sin(lam * n), r0 - r * math.cos(lam * n)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        n, c, r0, cx, cy = self._constants
        lam = math.radians(lon + self.rotate)
        lam = (lam + math.pi) % (2 * math.pi) - math.pi
        x, y = self._raw(lam, math.radians(lat), n, c, r0)
        return self.translate[0] + self.scale * (x - cx), self.translate[1] - self.scale * (y - cy)

    def invert(self, sx: float, sy: float) -> tuple[float, float]:
        n, c, r0, cx, cy = self._constants
        x = (sx - self.translate[0]) / self.scale + cx
        y = -(sy - self.translate[1]) / self.scale + cy
        r0y = r0 - y
        lam = math.atan2(x, abs(r0y)) * math.copysign(1, r0y)
        if r0y * n < 0:
            lam -= math.pi * math.copysign(1, x) * math.copysign(1, r0y)
        phi = math.asin(max(-1.0, min(1.0, (c - (x * x + r0y * r0y) * n * n) / (2 * n))))
        lon = math.degrees(lam / n) - self.rotate
        return (lon + 180) % 360 - 180, math.degrees(phi)


def _albers_usa(k: float, tx: float, ty: float) -> dict[str, ConicEqualArea]:
    return {
        "lower48": ConicEqualArea(96, (-0.6, 38.7), (29.5, 45.5), k, (tx, ty)),
        "alaska": ConicEqualArea(
            154, (-2, 58.5), (55, 65), k * 0.35, (tx - 0.307 * k, ty + 0.201 * k)
        ),
        "hawaii": ConicEqualArea(157, (-3, 19.9), (8, 18), k, (tx - 0.205 * k, ty + 0.212 * k)),
    }


PROJECTIONS = _albers_usa(ATLAS_SCALE, *ATLAS_TRANSLATE)


def albers_usa_invert(sx: float, sy: float) -> tuple[float, float]:
    """Longitude and latitude of an atlas screen point (d3's geoAlbersUsa.invert)."""
    x = (sx - ATLAS_TRANSLATE[0]) / ATLAS_SCALE
    y = (sy - ATLAS_TRANSLATE[1]) / ATLAS_SCALE
    if 0.120 <= y < 0.234 and -0.425 <= x < -0.214:
        part = "alaska"
    elif 0.166 <= y < 0.234 and -0.214 <= x < -0.115:
        part = "hawaii"
    else:
        part = "lower48"
    return PROJECTIONS[part].invert(sx, sy)


@dataclass(frozen=True)
class CountyShape:
    fips: str
    name: str
    geometry: dict[str, object]  # a GeoJSON Polygon or MultiPolygon in longitude/latitude


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    points: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        for x, y in arc:
            point = [round(x, DECIMALS), round(y, DECIMALS)]
            if not points or point != points[-1]:  # arcs share their ends; rounding joins more
                points.append(point)
    return points


def _geometry(geometry: Mapping, arcs: list[list[tuple[float, float]]]) -> dict[str, object] | None:
    """A Polygon or MultiPolygon without the rings quantization collapsed.

    RFC 7946 wants four positions per ring; a few slivers (tiny islands) come
    out of the atlas as three, and are dropped with their holes.
    """
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    polygons = []
    for part in parts:
        rings = [_ring(r, arcs) for r in part]
        if len(rings[0]) >= 4:
            polygons.append([r for r in rings if len(r) >= 4])
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def county_shapes() -> Iterator[CountyShape]:
    """Every atlas county, one at a time, with its geometry in longitude/latitude.

    The arcs (shared borders) are inverted once, about 2 MB; each county's
    geometry is built only when it is reached, so a writer holds one at a time.
    """
    with gzip.open(national_map.ATLAS_PATH, "rt", encoding="utf-8") as fh:
        topology = json.load(fh)
    arcs = [[albers_usa_invert(x, y) for x, y in arc] for arc in national_map.decode_arcs(topology)]
    for geometry in topology["objects"]["counties"]["geometries"]:
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        shape = _geometry(geometry, arcs)
        if shape is not None:
            yield CountyShape(
                fips=str(geometry["id"]),
                name=geometry.get("properties", {}).get("name", ""),
                geometry=shape,
            )
