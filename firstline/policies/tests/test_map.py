"""The TopoJSON decoder and the SVG map renderer."""

from __future__ import annotations

import gzip

from firstline.policies import map as national_map


def test_decode_arcs_applies_the_delta_and_transform() -> None:
    topology = {
        "transform": {"scale": [2, 3], "translate": [10, 20]},
        "arcs": [[[1, 1], [2, 0], [0, -1]]],
    }
    assert national_map.decode_arcs(topology) == [[(12, 23), (16, 23), (16, 20)]]


def test_rings_stitch_shared_points_and_reverse_negative_arcs() -> None:
    arcs = [[(0, 0), (10, 0)], [(10, 0), (10, 10), (0, 0)]]
    assert national_map.ring_points([0, 1], arcs) == [(0, 0), (10, 0), (10, 10), (0, 0)]
    assert national_map.ring_points([~1, ~0], arcs) == [(0, 0), (10, 10), (10, 0), (0, 0)]


def test_path_data_is_relative_and_drops_repeated_points() -> None:
    assert national_map.path_data([[(5, 5), (7, 5), (7, 5), (7, 2), (5, 5)]]) == "M5 5l2 0 0-3-2 3z"
    assert national_map.path_data([[(1, 1), (1, 1)]]) == ""


def test_atlas_has_every_county_and_a_state_mesh() -> None:
    atlas = national_map.atlas()
    assert len(atlas.counties) == 3142
    assert atlas.counties["17031"].name == "Cook"
    assert atlas.counties["17031"].path.startswith("M")
    assert len(atlas.state_names) == 51
    assert atlas.state_borders.count("M") > 100


def test_render_links_titles_and_missing_counties() -> None:
    styles = {"17031": national_map.CountyStyle("gB", "/en/j/x/", "Cook County, IL: grade B")}
    svg = national_map.render_svg(styles=styles, title="Map & grades", missing_title="No data:")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<a href="/en/j/x/"><title>Cook County, IL: grade B</title><path class="gB"' in svg
    assert svg.count('class="nodata"') == 3141
    assert "<title>Map &amp; grades</title>" in svg
    # Even with every county linked and titled, the map stays far below the page budget.
    full = {
        f: national_map.CountyStyle(
            "gA", f"/en/j/ocd-division/country:us/state:xx/county:{f}/", f"County {f}: grade A"
        )
        for f in national_map.atlas().counties
    }
    size = len(gzip.compress(national_map.render_svg(styles=full, title="t").encode()))
    assert size < 300_000
