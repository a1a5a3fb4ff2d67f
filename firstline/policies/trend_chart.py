"""The 287(g) trend chart: agreements in force over time by support model, as server-side SVG."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from django.utils.translation import gettext as _

from firstline.policies.models import SupportModel

Series = dict[str, list[tuple[dt.date, int]]]
COLORS = {
    SupportModel.JAIL_ENFORCEMENT: "#b3261e",
    SupportModel.TASK_FORCE: "#0b5cad",
    SupportModel.WARRANT_SERVICE: "#b58900",
    SupportModel.UNKNOWN: "#777",
    "total": "#1b1b1f",
}


def trend_series() -> tuple[Series, dt.date | None]:
    """Agreements in force per date by support model, from the policy-data ``trend_287g`` selector."""
    from firstline.policies import selectors

    data = selectors.trend_287g()
    return _normalize(data)


def _normalize(data: Any) -> tuple[Series, dt.date | None]:
    """Accept the selector's shape: ``{"by_model": {model: [(date, n), ...]}, "as_of": date}``
    or a plain ``{model: [(date, n), ...]}`` mapping, or rows of ``(date, model, n)``."""
    as_of = None
    if isinstance(data, Mapping) and "by_model" in data:
        as_of = data.get("as_of")
        data = data["by_model"]
    series: Series = {}
    if isinstance(data, Mapping):
        for model, points in data.items():
            series[str(model)] = sorted((_as_date(d), int(n)) for d, n in _pairs(points))
    else:
        for row in data or []:
            day, model, n = (
                (row["date"], row["support_model"], row["count"])
                if isinstance(row, Mapping)
                else row
            )
            series.setdefault(str(model), []).append((_as_date(day), int(n)))
        for points in series.values():
            points.sort()
    series = {m: pts for m, pts in series.items() if pts}
    if as_of is None and series:
        as_of = max(pts[-1][0] for pts in series.values())
    return series, _as_date(as_of) if as_of else None


def _pairs(points: Any) -> list[tuple[Any, Any]]:
    if isinstance(points, Mapping):
        return list(points.items())
    return [(p["date"], p["count"]) if isinstance(p, Mapping) else (p[0], p[1]) for p in points]


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def latest(series: Series) -> list[tuple[str, str, int]]:
    """(model, label, count at the last date) for the table under the chart."""
    labels = dict(SupportModel.choices)
    return [(m, str(labels.get(m, m)), pts[-1][1]) for m, pts in series.items() if pts]


def _value_at(points: Sequence[tuple[dt.date, int]], day: dt.date) -> int:
    value = 0
    for d, n in points:
        if d > day:
            break
        value = n
    return value


def render_chart(*, series: Series, width: int = 900, height: int = 380) -> str:
    """A step chart, one line per support model plus the total, with year ticks and a legend."""
    labels = dict(SupportModel.choices)
    if not series:
        return ""
    days = sorted({d for pts in series.values() for d, _n in pts})
    start, end = days[0], days[-1]
    if start == end:
        start = end - dt.timedelta(days=1)
    total = [(d, sum(_value_at(pts, d) for pts in series.values())) for d in days]
    all_series = {**series, "total": total}
    top = max(n for pts in all_series.values() for _d, n in pts) or 1
    step = _nice_step(top)
    top = ((top + step - 1) // step) * step
    left, right, upper, lower = 48, 20, 16, 64
    plot_w, plot_h = width - left - right, height - upper - lower

    def x(day: dt.date) -> float:
        return left + plot_w * (day - start).days / max(1, (end - start).days)

    def y(n: int) -> float:
        return upper + plot_h * (1 - n / top)

    title = _("287(g) agreements in force over time, by model")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="trend-chart" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for n in range(0, top + 1, step):
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(n):.1f}" y2="{y(n):.1f}"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y(n) + 4:.1f}" text-anchor="end">{n}</text>')
    for year in range(start.year + 1, end.year + 1):
        day = dt.date(year, 1, 1)
        if (end.year - start.year) > 12 and year % 2:
            continue
        out.append(
            f'<line class="axis" x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{upper + plot_h}" y2="{upper + plot_h + 5}"/>'
        )
        out.append(
            f'<text x="{x(day):.1f}" y="{upper + plot_h + 18}" text-anchor="middle">{year}</text>'
        )
    if end.year == start.year or len(days) < 60:
        for day in (start, end):
            out.append(
                f'<text x="{x(day):.1f}" y="{upper + plot_h + 32}" text-anchor="middle">{day.isoformat()}</text>'
            )
    out.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}"/>'
    )
    for model, pts in all_series.items():
        coords = []
        previous = 0
        for d in days:
            n = _value_at(pts, d)
            coords.append(f"{x(d):.1f},{y(previous):.1f} {x(d):.1f},{y(n):.1f}")
            previous = n
        coords.append(f"{x(end):.1f},{y(previous):.1f}")
        color = COLORS.get(model, "#555")
        dash = ' stroke-dasharray="5 3"' if model == "total" else ""
        label = _("All models") if model == "total" else str(labels.get(model, model))
        out.append(
            f'<polyline class="series" stroke="{color}"{dash} points="{" ".join(coords)}"><title>{escape(label)}</title></polyline>'
        )
    legend_y = height - 14
    cursor = left
    for model in all_series:
        label = _("All models") if model == "total" else str(labels.get(model, model))
        out.append(
            f'<rect x="{cursor}" y="{legend_y - 10}" width="14" height="4" fill="{COLORS.get(model, "#555")}"/>'
        )
        out.append(f'<text x="{cursor + 18}" y="{legend_y - 4}">{escape(label)}</text>')
        cursor += 28 + 7 * len(label)
    out.append("</svg>")
    return "".join(out)


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 8:
            return step
    return 2000
