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


def test_render_groups_counties_by_class_with_no_per_path_attributes() -> None:
    styles = {"17031": national_map.CountyStyle("gB incomplete", "/en/j/x/", "Cook: grade B")}
    svg = national_map.render_svg(
        styles=styles, title="Map & grades", county_url="/en/policies/county/FIPS/"
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<g class="gB incomplete"><path id="c17031" d="M' in svg
    # Counties without a style share one "nodata" group; Lexington, VA is below a pixel.
    nodata = svg[svg.index('<g class="nodata">') :]
    assert nodata[: nodata.index("</g>")].count("<path") == 3140
    assert "<title>Map &amp; grades</title>" in svg and 'role="img"' in svg
    assert 'data-county-url="/en/policies/county/FIPS/"' in svg
    assert "<a " not in svg and "Cook: grade B" not in svg  # labels are fetched, not inlined
    size = len(gzip.compress(svg.encode()))
    assert size < 70_000


def test_simplify_arc_keeps_endpoints_and_drops_small_triangles() -> None:
    from firstline.policies.map_geometry import simplify_arc

    line = [(0.0, 0.0), (1.0, 0.1), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    assert simplify_arc(line, min_area=1.0) == [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    assert simplify_arc(line, min_area=100.0) == [(0.0, 0.0), (4.0, 0.0)]
    # A closed arc (an island) keeps a triangle however small.
    ring = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    assert len(simplify_arc(ring, min_area=100.0)) == 4


def test_the_committed_geometry_is_what_the_command_builds() -> None:
    import json

    from firstline.policies.map_geometry import build_simplified

    built = build_simplified(national_map.read_topology())
    committed = json.loads(national_map.SIMPLIFIED_PATH.read_text(encoding="utf-8"))
    assert built == committed
    assert len(built["counties"]) == 3142
