"""The national county map: us-atlas TopoJSON decoded in Python, rendered as SVG.

``data/us-atlas/counties-albers-10m.json.gz`` is already projected (Albers USA,
975x610) and quantized: each arc is a list of integer deltas that the
``transform`` turns into screen coordinates. We decode every arc once per
process, then write each county as one ``<path>`` on a half-pixel grid with
relative commands (``l`` with small integers), dropping points that round onto
the previous one. That keeps the SVG for 3,142 counties around 1 MB raw and
well under 600 KB gzip, with no visible loss at page size.

The geometry is static, so the per-county path strings are computed once per
process; only colours, links and titles change with the data and are cached
(see ``firstline.policies.scorecard.map_svg``).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.conf import settings

ATLAS_PATH = Path(settings.DATA_DIR) / "us-atlas" / "counties-albers-10m.json.gz"
# Built from ATLAS_PATH by ``manage.py build_map_geometry``; committed, read at run time.
SIMPLIFIED_PATH = Path(settings.DATA_DIR) / "us-atlas" / "counties-simplified.json"
# The page stylesheet, embedded in the standalone SVG so it renders on its own.
STANDALONE_CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "policies.css"
WIDTH, HEIGHT = 975, 610

Point = tuple[int, int]


@dataclass(frozen=True)
class Shape:
    fips: str
    name: str
    path: str  # SVG path data on the GRID


@dataclass(frozen=True)
class Atlas:
    counties: dict[str, Shape]  # by 5-digit FIPS
    state_names: dict[str, str]  # 2-digit FIPS -> name
    state_borders: str  # path data: every state arc once (a "mesh")
    nation_outline: str
    stamp: str = ""  # changes when the geometry file is rebuilt; part of the cache key


def decode_arcs(topology: Mapping) -> list[list[tuple[float, float]]]:
    """Absolute screen coordinates of every arc (TopoJSON delta-encoded, quantized)."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        if transform:
            (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for qx, qy in arc:
                x += qx
                y += qy
                points.append((x * kx + dx, y * ky + dy))
        else:
            points = [(float(px), float(py)) for px, py, *_ in arc]
        arcs.append(points)
    return arcs


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Stitch a ring from arc indexes; ``~i`` (negative) means arc i reversed."""
    out: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point: keep it once.
        out.extend(arc[1:] if out else arc)
    return out


def _numbers(values: list[int]) -> str:
    # A minus sign separates numbers by itself; only non-negative ones need a space.
    out: list[str] = []
    for i, value in enumerate(values):
        if i and value >= 0:
            out.append(" ")
        out.append(str(value))
    return "".join(out)


def path_data(rings: Iterable[list[Point]], *, close: bool = True) -> str:
    """SVG path data: absolute move, then relative integer lines; repeated points dropped."""
    parts: list[str] = []
    for points in rings:
        if len(points) < 2:
            continue
        px, py = points[0]
        deltas: list[int] = []
        for x, y in points[1:]:
            if x == px and y == py:
                continue
            deltas += (x - px, y - py)
            px, py = x, y
        if len(deltas) < (4 if close else 2):
            continue
        parts.append(f"M{points[0][0]} {points[0][1]}l{_numbers(deltas)}{'z' if close else ''}")
    return "".join(parts)


def geometry_rings(geometry: Mapping) -> list[list[int]]:
    if geometry["type"] == "Polygon":
        return list(geometry["arcs"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    return []


@functools.cache
def atlas() -> Atlas:
    """The simplified geometry built once by ``manage.py build_map_geometry`` (see map_geometry)."""
    raw = SIMPLIFIED_PATH.read_bytes()
    doc = json.loads(raw)
    counties = {
        fips: Shape(fips=fips, name=name, path=path)
        for fips, (name, path) in doc["counties"].items()
    }
    return Atlas(
        counties=counties,
        state_names=doc["states"],
        state_borders=doc["state_borders"],
        nation_outline=doc["nation"],
        stamp=hashlib.sha256(raw).hexdigest()[:12],
    )


def read_topology() -> dict:
    with gzip.open(ATLAS_PATH, "rt", encoding="utf-8") as fh:
        return dict(json.load(fh))


@dataclass(frozen=True)
class CountyStyle:
    """How one county is drawn: a CSS class, an optional link and an accessible title."""

    css_class: str
    href: str = ""
    title: str = ""


def render_svg(
    *,
    styles: Mapping[str, CountyStyle],
    title: str,
    missing_title: str = "",
    css_prefix: str = "",
    county_url: str = "",
    labels_url: str = "",
) -> str:
    """The whole map as an inline SVG string, counties grouped by CSS class.

    One ``<g class>`` per grade or status carries the fill, so a county is only
    ``<path id="c<FIPS>" d>``: no per-path attributes, titles or links. The map
    is a picture (``role="img"``); the keyboard and screen-reader path is the
    grade table beside it. ``county_url`` (with ``FIPS`` in it) lets
    ``static/js/map.js`` open a county's page on click.
    """
    shapes = atlas()
    groups: dict[str, list[str]] = {}
    for fips, shape in shapes.counties.items():
        if not shape.path:
            continue  # Lexington city, VA: smaller than a pixel; it is in the table.
        style = styles.get(fips)
        css_class = style.css_class if style is not None else "nodata"
        groups.setdefault(css_class, []).append(f'<path id="c{fips}" d="{shape.path}"/>')
    data = f' data-county-url="{escape(county_url)}"' if county_url else ""
    data += f' data-labels-url="{escape(labels_url)}"' if labels_url else ""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="national-map" role="img" aria-label="{escape(title)}"{data}>',
        f"<title>{escape(title)}</title>",
        PATTERNS,
    ]
    for css_class in sorted(groups):
        classes = " ".join(css_prefix + c for c in css_class.split())
        out.append(f'<g class="{classes}">{"".join(groups[css_class])}</g>')
    out.append(f'<path class="state-borders" d="{shapes.state_borders}"/>')
    out.append("</svg>")
    return "".join(out)


# Grades differ by texture as well as colour (WCAG 1.4.1): B dots, C and D hatches, F a
# cross-hatch; A and "no data" stay plain. policies.css fills each grade with its pattern.
_PATTERN = (
    '<pattern id="p{grade}" width="{w}" height="{w}" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate({angle})"><rect width="{w}" height="{w}" fill="{bg}"/>{marks}</pattern>'
)
# grade, tile size, rotation, background (the grade's colour), marks drawn over it
_PATTERN_SPECS = (
    ("B", 4, 0, "#6aa84f", '<circle cx="2" cy="2" r=".7" fill="#fff8"/>'),
    ("C", 4, 45, "#e0b400", '<path d="M0 0v4" stroke="#fff9" stroke-width=".8"/>'),
    ("D", 3, -45, "#e08a3c", '<path d="M0 0v3" stroke="#0005" stroke-width=".8"/>'),
    ("F", 3, 45, "#b3261e", '<path d="M0 0v3M0 0h3" stroke="#fff6" stroke-width=".7"/>'),
)
PATTERNS = (
    "<defs>"
    + "".join(
        _PATTERN.format(grade=grade, w=w, angle=angle, bg=bg, marks=marks)
        for grade, w, angle, bg, marks in _PATTERN_SPECS
    )
    + "</defs>"
)


# --- The national map with data: layers, colours, links, cache ---------------------------

OVERALL = "overall"
# Effective status -> CSS class suffix on a policy layer. Harms in force are "bad" whatever
# their wording, so a reader sees at a glance where a harmful policy reaches.
STATUS_CLASSES = {
    "in_force": "in",
    "partial": "pa",
    "proposed": "pr",
    "enjoined": "en",
    "preempted": "pe",
    "negated": "pe",
    "struck_down": "en",
    "absent": "none",
    "ended": "none",
    "pending": "pr",
}
_memo: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class LegendItem:
    css_class: str
    label: str


def layer_status_class(*, status: str | None, harmful: bool) -> str:
    """``None`` means no research at all ("not researched"), never "not in force"."""
    if not status:
        return "s-nr"
    if harmful and status == "held_above":
        return "s-harm-st"
    if status not in STATUS_CLASSES:
        return "s-none"
    if harmful:
        return {"in_force": "s-harm", "partial": "s-harm-pa"}.get(
            status, "s-" + STATUS_CLASSES[status]
        )
    return "s-" + STATUS_CLASSES[status]


def legend(*, layer: str, harmful: bool = False) -> list[LegendItem]:
    from django.utils.translation import gettext as _

    from firstline.policies.scorecard import GRADE_BANDS

    if layer == OVERALL:
        items = []
        upper = 100
        for floor, grade in GRADE_BANDS:
            items.append(
                LegendItem(
                    f"g{grade}",
                    _("%(grade)s (%(low)s-%(high)s)")
                    % {"grade": grade, "low": floor, "high": upper},
                )
            )
            upper = floor - 1
        return [
            *items,
            LegendItem("incomplete", _("Paler: grade rests on incomplete research")),
            LegendItem("nodata", _("No current county")),
        ]
    if harmful:
        return [
            LegendItem("s-harm", _("Harmful policy in force")),
            LegendItem("s-harm-pa", _("Partly in force")),
            LegendItem("s-harm-st", _("A state agency's, not the county's")),
            LegendItem("s-pr", _("Proposed")),
            LegendItem("s-en", _("Blocked by a court")),
            LegendItem("s-none", _("Researched: not in force")),
            LegendItem("s-nr", _("Not researched")),
        ]
    return [
        LegendItem("s-in", _("In force")),
        LegendItem("s-pa", _("Partly in force")),
        LegendItem("s-pr", _("Proposed")),
        LegendItem("s-pe", _("Preempted or cancelled")),
        LegendItem("s-none", _("Researched: not in force")),
        LegendItem("s-nr", _("Not researched")),
    ]


def national_map_svg(*, layer: str = OVERALL) -> str:
    """The national county map for a layer in the active language, cached until scores change."""
    return _layer_cached(layer=layer)["svg"]


def national_map_labels(*, layer: str = OVERALL) -> str:
    """JSON: county FIPS -> its hover label ("Harris County, TX: grade F, ..."), for map.js.

    Kept out of the page (3,000 titles were 140 KB of it); fetched on the first hover.
    """
    return _layer_cached(layer=layer)["labels"]


def _layer_cached(*, layer: str) -> dict[str, str]:
    from django.core.cache import cache
    from django.utils.translation import get_language

    from firstline.policies import scorecard

    key = f"policies:map:v4:{atlas().stamp}:{scorecard.map_stamp()}:{layer}:{get_language()}"
    rendered = _memo.get(key)
    if rendered is None:
        rendered = cache.get(key)
        if rendered is None:
            rendered = _render_layer(layer=layer)
            cache.set(key, rendered, scorecard.CACHE_TIMEOUT)
        if len(_memo) > 80:  # 35 layers x 2 languages, plus a stale stamp or two
            _memo.clear()
        _memo[key] = rendered
    return rendered


def _render_layer(*, layer: str) -> dict[str, str]:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from firstline.geo.models import Jurisdiction, JurisdictionKind
    from firstline.policies import scorecard
    from firstline.policies.models import Policy, PolicyKind

    policy = None if layer == OVERALL else Policy.objects.filter(slug=layer).first()
    rows = list(
        Jurisdiction.objects.filter(
            kind__in=[JurisdictionKind.COUNTY, JurisdictionKind.STATE]
        ).values_list("id", "ocd_id", "kind", "state_id", "county_id", "name", "usps", "geoid")
    )
    units = [scorecard.Unit(*row[:7]) for row in rows]
    summaries = scorecard.scorecard_summaries(jurisdictions=units)
    # One reverse(), then string substitution: 3,000 reverse() calls would dominate the render.
    marker = "ocd-division/MARKER"
    base = reverse("jurisdiction", kwargs={"ocd_id": marker})
    by_fips = {
        row[7]: unit
        for row, unit in zip(rows, units, strict=True)
        if row[2] == JurisdictionKind.COUNTY
    }
    states = {
        row[7]: unit
        for row, unit in zip(rows, units, strict=True)
        if row[2] == JurisdictionKind.STATE
    }
    harmful = policy is not None and policy.kind == PolicyKind.HARMFUL
    status_labels = dict(scorecard.EffectiveStatus.choices)

    def style(unit: scorecard.Unit, name: str, note: str = "") -> CountyStyle:
        summary = summaries.get(unit.id)
        href = base.replace(marker, unit.ocd_id)
        if summary is None:
            return CountyStyle("nodata", href, name)
        if policy is None:
            label = _("%(name)s: grade %(grade)s, score %(score)s of 100") % {
                "name": name,
                "grade": summary.grade,
                "score": summary.score,
            }
            if summary.incomplete:
                label += " · " + _(
                    "incomplete: grade based on %(n)s of %(m)s core policies researched"
                ) % {"n": summary.core_researched, "m": summary.core_total}
                return CountyStyle(f"g{summary.grade} incomplete", href, f"{label}{note}")
            return CountyStyle(f"g{summary.grade}", href, f"{label}{note}")
        status = summary.statuses.get(policy.slug)
        label = str(status_labels.get(status or "none", ""))
        return CountyStyle(
            layer_status_class(status=status, harmful=harmful), href, f"{name}: {label}{note}"
        )

    styles: dict[str, CountyStyle] = {}
    for fips, shape in atlas().counties.items():
        unit = by_fips.get(fips)
        if unit is not None:
            styles[fips] = style(unit, f"{unit.name}, {unit.usps}")
            continue
        state = states.get(fips[:2])
        if state is not None:
            # 2017 shapes that are no longer counties (Connecticut's old counties, Valdez-Cordova):
            # drawn with, and linked to, their state.
            note = " " + _("(former county %(name)s; shown with the state)") % {"name": shape.name}
            styles[fips] = style(state, state.name, note)
    title = (
        _("Map of US counties by grade")
        if policy is None
        else _("Map of US counties: %(policy)s") % {"policy": policy_name(policy)}
    )
    county_url = reverse("policies:county", kwargs={"fips": "00000"}).replace("00000", "FIPS")
    labels_url = reverse("policies:map_labels") + f"?layer={layer}"
    return {
        "svg": render_svg(styles=styles, title=title, county_url=county_url, labels_url=labels_url),
        "labels": json.dumps(
            {fips: style.title for fips, style in styles.items()}, ensure_ascii=False
        ),
    }


def policy_name(policy: object) -> str:
    from django.utils.translation import get_language

    name_es = getattr(policy, "name_es", "")
    if (get_language() or "en").startswith("es") and name_es:
        return str(policy.name_es)  # type: ignore[attr-defined]
    return str(policy.name_en)  # type: ignore[attr-defined]
