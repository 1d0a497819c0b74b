"""The figures of the book: every chart drawn offline, the two-way links between the
chapters and the data, the PDF free of widget text, and what a rebuild does again (only
the notebooks that read a changed file run again). A corrected row reaching the HTML and
the PDF is tested with its publication (test_publish.py), on the same rebuild."""

from __future__ import annotations

import csv
import html
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from conftest import ROOT, copy_repo, in_step, load_tool

from rtes_edition import charts, output, provenance, sections
from rtes_edition.data import count_once, load_package

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def tables():
    return load_package(ROOT / "data" / "datapackage.json")


def _pdftotext(pdf) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


# ---------------------------------------------------------------------------- browser

@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_chart_draws_offline_without_error(visit, html_dir, notebook):
    page = html_dir / "notebooks" / f"{notebook}.html"
    expected = page.read_text(encoding="utf-8").count('class="rtes-chart"')
    assert expected > 0, f"{notebook}: no chart on the page"
    v = visit(f"notebooks/{notebook}.html")
    v.page.wait_for_function(
        f"document.querySelectorAll('.rtes-chart .plotly-graph-div .main-svg').length > 0"
        f" && document.querySelectorAll('.rtes-chart .js-plotly-plot').length === {expected}",
        timeout=15_000)
    assert v.foreign_requests == [], v.foreign_requests
    assert v.console_errors == [], v.console_errors


def test_explorer_lists_every_figure_and_shows_the_linked_row(visit, tables):
    figures = tables["figures"]
    target = figures["id"].iloc[len(figures) // 2]
    v = visit(f"notebooks/explorateur.html#{provenance.row_anchor(target)}")
    v.page.wait_for_selector("tr.rtes-target", timeout=30_000)
    anchors = v.page.eval_on_selector_all("[id^='donnee-']", "els => els.map(e => e.id)")
    assert sorted(anchors) == sorted(provenance.row_anchor(i) for i in figures["id"])
    # the row's last column is its identifier
    assert v.page.locator("tr.rtes-target td").last.inner_text() == target
    # the table's own search box filters the rows
    v.page.fill(".dt-search input", target)
    v.page.wait_for_function("document.querySelectorAll('table.dataTable tbody tr').length === 1")
    assert v.foreign_requests == [], v.foreign_requests
    assert v.console_errors == [], v.console_errors


def test_explorer_table_is_set_up_after_the_page_has_loaded(browser, site_url, tables):
    """DataTables sets the table up after the load event (not while the page is parsed,
    where it held back the chart), then every row is there, and a header sorts the rows
    from the keyboard."""
    # wide enough for the identifier column (folded into the rows' details below 1400 px)
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.add_init_script("""
            window.rtesSeen = {};
            document.addEventListener('DOMContentLoaded', () =>
                window.rtesSeen.parsed = !!document.querySelector('#explorateur-chiffres.dataTable'));
            window.addEventListener('load', () =>
                window.rtesSeen.loaded = !!document.querySelector('#explorateur-chiffres.dataTable'));
        """)
        page.goto(f"{site_url}/notebooks/explorateur.html")
        page.wait_for_selector("#explorateur-chiffres.dataTable tbody tr [id^='donnee-']",
                               timeout=30_000)
        assert page.evaluate("window.rtesSeen") == {"parsed": False, "loaded": False}
        assert page.locator("#graphique-explorateur .main-svg").count() > 0
        ids = "[...document.querySelectorAll('#explorateur-chiffres tbody [id^=\"donnee-\"]')].map(e => e.id.slice(7))"
        assert sorted(page.evaluate(ids)) == sorted(tables["figures"]["id"])
        header = page.locator("#explorateur-chiffres thead th", has_text="identifiant")
        button = header.locator(".dt-column-order[role=button]")  # DataTables' sort button
        assert button.get_attribute("aria-label") == "identifiant : activer pour trier"
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#explorateur-chiffres thead th[aria-sort]")
        assert header.get_attribute("aria-sort") == "ascending"
        shown = page.evaluate(ids)
        assert shown == sorted(shown) and shown != list(tables["figures"]["id"])
    finally:
        context.close()
    assert errors == []


# the explorer's chart, as drawn: its traces, and each list's values of the points whose
# x is not null (the points a filter leaves)
EXPLORER_TRACES = "document.getElementById('graphique-explorateur').data.length"
EXPLORER_SHOWN = ("JSON.stringify(document.getElementById('graphique-explorateur').data"
                  ".flatMap(t => t.x.flatMap((x, p) => x === null ? [] : [t.customdata[p]])))")
EXPLORER_DRAWN = "document.querySelectorAll('#graphique-explorateur .scatterlayer .trace .point').length"


# whether a click at the middle of a list's choice reaches it (not clipped by the list's
# scroll box, not out of the window): asked at once, instead of a click that waits to time out
CHOICE_REACHABLE = """e => { const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return hit !== null && e.contains(hit); }"""


def _explorer_choose(v, menu: int, label: str) -> None:
    """Open a list and click one of its choices, as a reader does: a long list (the
    territories) is cut at the chart's height, its lower choices reached with the wheel."""
    header = v.page.locator("#graphique-explorateur .updatemenu-header-group").nth(menu)
    header.click()
    # the choice's button (its box and text), which the reader clicks
    item = v.page.locator("#graphique-explorateur .updatemenu-dropdown-button",
                          has=v.page.locator(".updatemenu-item-text", has_text=label))
    item.wait_for(state="attached")
    for _ in range(30):
        if item.evaluate(CHOICE_REACHABLE):
            item.click()
            return
        # the choice is hidden above (the list opens where the current choice is) or
        # below: the list at the top of the window, the wheel over it
        header.evaluate("e => e.scrollIntoView({block: 'start'})")
        box = header.bounding_box()
        up = item.bounding_box()["y"] < box["y"] + box["height"]
        v.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 3)
        v.page.mouse.wheel(0, -60 if up else 60)
        v.page.wait_for_timeout(50)  # the wheel's scroll is drawn in the next frame
    # where the list opened, the wheel sometimes does not reach the choice (CI saw it once
    # for « toutes »): the same click event, sent to the choice, which the list handles
    item.dispatch_event("click")


def _explorer_wait_for(v, rows: pd.DataFrame) -> None:
    """Wait until the chart shows exactly ``rows``, in gd.data and on screen."""
    def key(point):
        return [str(c) for c in point]

    expected = [[None if pd.isna(r[c]) else str(r[c]) for c in EXPLORER_MENUS.values()]
                for _, r in rows.iterrows()]
    try:
        v.page.wait_for_function(f"{EXPLORER_DRAWN} === {len(rows)}", timeout=5_000)
    finally:
        shown = json.loads(v.page.evaluate(EXPLORER_SHOWN))
        assert sorted(shown, key=key) == sorted(expected, key=key)


def test_explorer_menus_filter_the_chart(visit, tables):
    """The page's own drop-down lists (no kernel) hide the points of other categories;
    the chart draws one trace per category, not one per point."""
    rows = _explorer_rows(tables)
    v = visit("notebooks/explorateur.html")
    v.page.wait_for_selector("#graphique-explorateur .main-svg")
    assert v.page.evaluate(EXPLORER_TRACES) == rows["category"].nunique()
    _explorer_wait_for(v, rows)
    legend = v.page.locator("#graphique-explorateur .legend .traces").all_text_contents()
    assert sorted(legend) == sorted(rows["category"].unique())
    category = rows["category"].value_counts().index[-1]
    _explorer_choose(v, 0, f"Catégorie : {category}")
    _explorer_wait_for(v, rows[rows["category"] == category])
    _explorer_choose(v, 0, "Catégorie : toutes")
    _explorer_wait_for(v, rows)
    assert v.console_errors == [], v.console_errors


def test_explorer_menus_combine(visit, tables):
    """A territory (or a meeting) chosen after a category shows the figures of that
    category there, not all the figures of the territory; « toutes » gives back the
    other list's choice, then every point."""
    rows = _explorer_rows(tables)

    def pair(column):
        # a pair whose combination differs from each list on its own
        both = rows.groupby(["category", column]).size()
        return next(p for p, n in both.sort_values(ascending=False).items()
                    if n < (rows["category"] == p[0]).sum() and n < (rows[column] == p[1]).sum())

    category, territory = pair("territory")
    v = visit("notebooks/explorateur.html")
    v.page.wait_for_selector("#graphique-explorateur .main-svg")
    menus = v.page.locator("#graphique-explorateur .updatemenu-header-group")
    boxes = [menus.nth(i).bounding_box() for i in range(menus.count())]
    overlapping = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                   if boxes[i]["x"] < boxes[j]["x"] + boxes[j]["width"]
                   and boxes[j]["x"] < boxes[i]["x"] + boxes[i]["width"]
                   and boxes[i]["y"] < boxes[j]["y"] + boxes[j]["height"]
                   and boxes[j]["y"] < boxes[i]["y"] + boxes[i]["height"]]
    assert overlapping == [], f"lists drawn over each other: {overlapping} {boxes}"
    of_category = rows[rows["category"] == category]
    _explorer_choose(v, 0, f"Catégorie : {category}")
    _explorer_wait_for(v, of_category)
    _explorer_choose(v, 1, f"Territoire : {territory}")
    _explorer_wait_for(v, of_category[of_category["territory"] == territory])
    # back to « toutes » for the territory: the category's choice still holds
    _explorer_choose(v, 1, "Territoire : tous")
    _explorer_wait_for(v, of_category)
    # the three lists at once
    _, meeting = pair("rencontre")
    category = rows.loc[rows["rencontre"] == meeting, "category"].value_counts().index[0]
    _explorer_choose(v, 0, f"Catégorie : {category}")
    _explorer_choose(v, 2, f"Rencontre : {meeting}")
    territory = rows.loc[(rows["rencontre"] == meeting) & (rows["category"] == category),
                         "territory"].dropna().iloc[0]
    _explorer_choose(v, 1, f"Territoire : {territory}")
    _explorer_wait_for(v, rows[(rows["category"] == category) & (rows["rencontre"] == meeting)
                               & (rows["territory"] == territory)])
    for menu, title in enumerate(EXPLORER_MENUS):
        _explorer_choose(v, menu, f"{title} : {charts.ALL_WORDS.get(title, 'toutes')}")
    _explorer_wait_for(v, rows)
    assert v.console_errors == [], v.console_errors


def test_explorer_lists_filter_with_plotly_alone(browser, html_dir, tables, tmp_path):
    """Outside the book (Jupyter, a saved HTML page) there is no rtes-explorer.js: each
    list still filters on its own, and « toutes » gives back every point."""
    import plotly.io as pio

    rows = _explorer_rows(tables)
    page = tmp_path / "seul.html"
    page.write_text(pio.to_html(_explorer_figure(rows), div_id="graphique-explorateur",
                                include_plotlyjs=(html_dir / "_static" / "vendor" /
                                                  "plotly-basic.min.js").as_uri()),
                    encoding="utf-8")
    context = browser.new_context()
    try:
        v = type("Visit", (), {"page": context.new_page()})()
        v.page.goto(page.as_uri())
        v.page.wait_for_selector("#graphique-explorateur .main-svg")
        _explorer_wait_for(v, rows)
        territory = rows["territory"].value_counts().index[0]
        _explorer_choose(v, 1, f"Territoire : {territory}")
        _explorer_wait_for(v, rows[rows["territory"] == territory])
        # without the script, the last list chosen decides alone
        category = rows["category"].value_counts().index[0]
        _explorer_choose(v, 0, f"Catégorie : {category}")
        _explorer_wait_for(v, rows[rows["category"] == category])
        _explorer_choose(v, 0, "Catégorie : toutes")
        _explorer_wait_for(v, rows)
    finally:
        context.close()


# ---------------------------------------------------------------------------- links

def test_chapters_link_each_figure_to_its_row(html_dir, tables):
    missing = []
    for figure_id, chapter in zip(tables["figures"]["id"], tables["figures"]["chapter"]):
        page = (html_dir / "book" / f"{chapter}.html").read_text(encoding="utf-8")
        link = f'href="../notebooks/explorateur.html#{provenance.row_anchor(figure_id)}"'
        if link not in page:
            missing.append(f"{chapter}: {figure_id}")
    assert missing == []
    intro = (html_dir / "book" / "introduction.html").read_text(encoding="utf-8")
    assert re.search(r'class="rtes-data-link[^"]*"[^>]*aria-label="\[données\] : voir la donnée fig-', intro)


def test_chart_tables_link_to_the_passage(html_dir, tables):
    """Each row of a chart's folded table links to its section of the chapter."""
    page = (html_dir / "notebooks" / "participation.html").read_text(encoding="utf-8")
    row = tables["figures"][tables["figures"]["measure"] == "participants"].iloc[0]
    assert f'href="{provenance.passage_url(row["chapter"], row["section"])}"' in page


def test_data_is_text_never_html():
    row = pd.Series({"id": "fig-x", "value": 3.0, "unit": "personnes", "qualifier": "exact",
                     "low": None, "high": None, "sentence": "Un <script>alert(1)</script> & co."})
    hover = charts.hover_text(row, "<b>x</b>")
    assert "<script>" not in hover and "&lt;script&gt;" in hover and "&lt;b&gt;x" in hover
    table = output.data_table_html(pd.DataFrame({"phrase": [row["sentence"]]}), "légende",
                                   [("<i>", "../book/x.html#y")])
    assert "<script>" not in table and "&lt;i&gt;" in table


# ---------------------------------------------------------------------------- map

REGIONS_2013 = {
    "11": "Île-de-France", "21": "Champagne-Ardenne", "22": "Picardie", "23": "Haute-Normandie",
    "24": "Centre", "25": "Basse-Normandie", "26": "Bourgogne", "31": "Nord-Pas-de-Calais",
    "41": "Lorraine", "42": "Alsace", "43": "Franche-Comté", "52": "Pays de la Loire",
    "53": "Bretagne", "54": "Poitou-Charentes", "72": "Aquitaine", "73": "Midi-Pyrénées",
    "74": "Limousin", "82": "Rhône-Alpes", "83": "Auvergne", "91": "Languedoc-Roussillon",
    "93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}
OVERSEAS_2013 = {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"}
NOT_A_REGION = {"France", ""}  # national level; several regions (data/README.md)


def _regions() -> dict:
    return json.loads((ROOT / charts.REGIONS_2013).read_text(encoding="utf-8"))


def _polygons(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _signed_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def _inside(point, ring) -> bool:
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            crossings += 1
    return crossings % 2 == 1


def _region_at(regions: dict, point) -> str | None:
    for feature in regions["features"]:
        for outer, *holes in _polygons(feature["geometry"]):
            if _inside(point, outer) and not any(_inside(point, h) for h in holes):
                return feature["properties"]["nom"]
    return None


def test_regions_file_has_the_22_metropolitan_regions_of_2013():
    regions = _regions()
    assert regions["type"] == "FeatureCollection"
    found = {f["properties"]["code"]: f["properties"]["nom"] for f in regions["features"]}
    assert len(regions["features"]) == 22 and found == REGIONS_2013
    assert all(set(f["properties"]) == {"code", "nom"} for f in regions["features"])


def test_regions_rings_are_closed_and_wound_as_plotly_wants():
    """plotly.js (d3-geo) fills the outside of a counter-clockwise outer ring: the whole
    globe but France. Holes (enclaves, the étang de Berre) go the other way."""
    wrong = []
    for feature in _regions()["features"]:
        name = feature["properties"]["nom"]
        for polygon in _polygons(feature["geometry"]):
            for index, ring in enumerate(polygon):
                if len(ring) < 4 or ring[0] != ring[-1]:
                    wrong.append(f"{name}: ring {index} open or degenerate")
                elif any(a == b for a, b in zip(ring, ring[1:])):
                    wrong.append(f"{name}: ring {index} repeats a point")
                elif (_signed_area(ring) < 0) != (index == 0):
                    wrong.append(f"{name}: ring {index} wound the wrong way")
    assert wrong == []


def test_regions_share_their_borders_exactly():
    """Simplified region by region, two neighbours would leave slivers between them: each
    border segment must belong to at most two rings, and a vertex joins at most three
    borders (where three regions, or two and the sea, meet)."""
    neighbours, uses = {}, {}
    for feature in _regions()["features"]:
        for polygon in _polygons(feature["geometry"]):
            for ring in polygon:
                ring = [tuple(p) for p in ring]
                for a, b in zip(ring, ring[1:]):
                    neighbours.setdefault(a, set()).add(b)
                    neighbours.setdefault(b, set()).add(a)
                    uses[frozenset((a, b))] = uses.get(frozenset((a, b)), 0) + 1
    assert max(uses.values()) == 2
    assert {len(n) for n in neighbours.values()} == {2, 3}
    shared = sum(1 for n in uses.values() if n == 2)
    assert shared > len(uses) / 3, "the regions hardly touch: borders not shared?"


def test_every_region_of_the_tables_is_on_the_map(tables):
    """Each metropolitan ``region_2013`` of the tables names a region of the map, and each
    placed organisation or meeting lies inside the region its row names."""
    regions = _regions()
    names = {f["properties"]["nom"] for f in regions["features"]}
    misplaced = []
    for table in ("organisations", "meetings"):
        rows = tables[table]
        values = set(rows["region_2013"].fillna(""))
        assert values - NOT_A_REGION - OVERSEAS_2013 <= names, (table, values - names)
        placed = rows.dropna(subset=["latitude"])
        assert not set(placed["region_2013"].fillna("")) & OVERSEAS_2013, \
            "an overseas point: outside the map's frame, and the page says there is none"
        for _, row in placed.iterrows():
            assert charts.FRANCE_LON[0] < row["longitude"] < charts.FRANCE_LON[1], row["name"]
            assert charts.FRANCE_LAT[0] < row["latitude"] < charts.FRANCE_LAT[1], row["name"]
            region = row["region_2013"] if isinstance(row["region_2013"], str) else ""
            if region in names:
                at = _region_at(regions, (row["longitude"], row["latitude"]))
                if at != region:
                    misplaced.append(f"{table}/{row['id']}: {region} but drawn in {at}")
    assert misplaced == []


def test_map_figure_has_the_regions_layer_under_the_points(tables):
    meetings = tables["meetings"].dropna(subset=["latitude"])
    points = pd.DataFrame({"latitude": [48.1], "longitude": [-1.7], "group": ["Région"],
                           "hover": ["x"]})
    fig = charts.point_map(points, "Carte", {"Région": "#000"}, {"Région": 10}, meetings,
                           regions=_regions())
    layer = fig.data[0]  # first trace: drawn under the others
    assert layer.type == "choropleth" and layer.name == charts.REGIONS_NAME
    assert layer.featureidkey == "properties.code" and sorted(layer.locations) == sorted(REGIONS_2013)
    assert layer.showlegend is True and layer.showscale is False
    # the group's points, then the meeting cities' stars
    assert [t.type for t in fig.data[1:]] == ["scattergeo"] * 2
    assert isinstance(layer.geojson, dict) and len(layer.geojson["features"]) == 22
    web = charts.served_base_layer(fig, charts.REGIONS_2013_URL)
    assert web.data[0].geojson == charts.REGIONS_2013_URL
    assert isinstance(fig.data[0].geojson, dict), "the printed figure must keep its inline copy"
    # without regions: the map of the previous edition, no layer
    assert [t.type for t in charts.point_map(points, "Carte", {"Région": "#000"},
                                             {"Région": 10}, meetings).data] == ["scattergeo"] * 2


def test_map_page_names_the_served_geojson_and_the_site_serves_it(html_dir):
    """The page carries the GeoJSON's URL, not the GeoJSON; the URL resolves to the
    committed file in the built site."""
    page = html_dir / "notebooks" / "carte.html"
    text = page.read_text(encoding="utf-8")
    urls = [json.loads(u) for u in re.findall(r'"geojson":("[^"]*")', text)]  # plotly writes / as \u002f
    assert urls == [charts.REGIONS_2013_URL]
    assert '"featureidkey":"properties.code"' in text
    assert '"coordinates"' not in text, "the regions' GeoJSON is inlined in the page"
    served = (page.parent / charts.REGIONS_2013_URL).resolve()
    assert served.read_bytes() == (ROOT / charts.REGIONS_2013).read_bytes()


def test_map_notebook_declares_the_regions_as_input():
    meta = nbformat.read(ROOT / "notebooks" / "carte.ipynb", as_version=4).metadata
    assert charts.REGIONS_2013 in meta["rtes"]["inputs"]


def test_a_missing_regions_file_fails_the_build(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import offline_assets
    from sphinx.errors import ExtensionError

    app = SimpleNamespace(srcdir=str(ROOT))  # what the extension reads of Sphinx's app
    offline_assets._check_sources(app)  # the committed file is there
    monkeypatch.setitem(offline_assets.BASE_LAYERS, "regions-2013.geojson",
                        tmp_path / "absent.geojson")
    with pytest.raises(ExtensionError, match="make_regions_2013"):
        offline_assets._check_sources(app)


def test_derivation_keeps_shared_borders_and_winds_rings_clockwise():
    """tools/make_regions_2013.py on two squares that share a wiggly border (given
    counter-clockwise, as RFC 7946 has them), one with a duplicate point, plus an island."""
    make = load_tool("make_regions_2013")
    # the border x = 1, going north, wiggling by 150 m (below the 0.5 km tolerance)
    wiggle = [(1.0 + (0.002 if y % 2 else 0.0), y / 10) for y in range(0, 11)]
    west = [(0.0, 0.0)] + wiggle[:5] + [wiggle[5], wiggle[5]] + wiggle[6:] + [(0.0, 1.0), (0.0, 0.0)]
    east = [(1.0, 0.0), (2.0, 0.0), (2.0, 1.0)] + wiggle[::-1]
    island = [(3.0, 0.0), (3.001, 0.0), (3.0, 0.001), (3.0, 0.0)]
    upstream = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "2", "nom": "Est", "extra": 1},
         "geometry": {"type": "MultiPolygon", "coordinates": [[east], [island]]}},
        {"type": "Feature", "properties": {"code": "1", "nom": "Ouest"},
         "geometry": {"type": "Polygon", "coordinates": [west]}},
    ]}
    derived = make.derive(upstream, decimals=3, tolerance=0.5)
    west_out, east_out = derived["features"]
    assert [f["properties"] for f in derived["features"]] == [
        {"code": "1", "nom": "Ouest"}, {"code": "2", "nom": "Est"}]
    west_ring = west_out["geometry"]["coordinates"][0]
    east_ring, island_ring = (p[0] for p in east_out["geometry"]["coordinates"])
    for ring in (west_ring, east_ring, island_ring):
        assert ring[0] == ring[-1] and _signed_area(ring) < 0  # clockwise
        assert all(a != b for a, b in zip(ring, ring[1:]))
    # the wiggles go, on both sides alike: one straight border
    def border(ring):
        return {tuple(p) for p in ring if 0.5 < p[0] < 1.5}

    assert border(west_ring) == border(east_ring) == {(1.0, 0.0), (1.0, 1.0)}
    assert len(island_ring) == 4  # a small island keeps its triangle


# ---------------------------------------------------------------------------- explorer

# as notebooks/explorateur.ipynb draws them (rtes_edition.sections.explorer_chart)
EXPLORER_COLOURS = sections.CATEGORY_COLOURS
EXPLORER_MENUS = sections.EXPLORER_MENUS


def _explorer_rows(tables) -> pd.DataFrame:
    # each fact once, by the meeting where it was said
    return count_once(sections.stated_figures(tables))


def _explorer_figure(rows: pd.DataFrame, menus=EXPLORER_MENUS):
    return charts.filter_menus(rows, charts.unique_labels(rows), EXPLORER_COLOURS, "category",
                               menus, "Tous les chiffres des actes")


def _shown(fig, x_per_trace) -> list[str]:
    """The hover texts of the points a list of per-trace x arrays leaves drawn."""
    return [hover for trace, xs in zip(fig.data, x_per_trace)
            for hover, x in zip(trace.hovertext, xs) if x is not None]


def test_explorer_draws_one_trace_per_category(tables):
    """One scatter trace per colour (the legend's entries), not one per point: each row
    once, at its exact value, with its own hover text and its values for each list."""
    rows = _explorer_rows(tables)
    labels = charts.unique_labels(rows)
    fig = _explorer_figure(rows)
    present = [c for c in EXPLORER_COLOURS if (rows["category"] == c).any()]
    assert [t.name for t in fig.data] == present
    assert {t.type for t in fig.data} == {"scatter"}
    assert all(t.showlegend is not False for t in fig.data)
    for trace in fig.data:
        assert trace.marker.color == EXPLORER_COLOURS[trace.name]
        assert len(trace.x) == len(trace.y) == len(trace.hovertext) == len(trace.customdata)
        assert {point[0] for point in trace.customdata} == {trace.name}
    expected = {hover: (row["value"], [None if pd.isna(row[c]) else str(row[c])
                                       for c in EXPLORER_MENUS.values()])
                for (_, row), hover in zip(rows.iterrows(),
                                           (charts.hover_text(r, l) for (_, r), l
                                            in zip(rows.iterrows(), labels)))}
    drawn = {hover: (x, list(point)) for t in fig.data
             for x, hover, point in zip(t.x, t.hovertext, t.customdata)}
    assert sum(len(t.x) for t in fig.data) == len(rows) == len(drawn)
    assert drawn == expected
    assert fig.layout.meta["rtes_menus"][0] == [None] + sorted(present)
    # every row of the chart is named by its unit, « autres » for figures with none
    assert all(y.strip() for trace in fig.data for y in trace.y)
    assert (rows["unit"] == "autre").any() and charts.OTHER_UNITS in {y for t in fig.data for y in t.y}


def test_explorer_buttons_null_exactly_the_rows_they_hide(tables):
    """Each button gives every trace its x with None for the rows of other values (those
    points are neither drawn nor hoverable), the others keeping their exact value;
    « toutes » gives back every point."""
    rows = _explorer_rows(tables)
    labels = charts.unique_labels(rows)
    fig = _explorer_figure(rows)
    hover_of = [charts.hover_text(r, l) for (_, r), l in zip(rows.iterrows(), labels)]
    every = sorted(hover_of)
    original = [list(t.x) for t in fig.data]
    menus = fig.layout.updatemenus
    assert [m.buttons[0].label for m in menus] == ["Catégorie : toutes", "Territoire : tous",
                                                    "Rencontre : toutes"]
    for menu, column, values in zip(menus, EXPLORER_MENUS.values(), fig.layout.meta["rtes_menus"]):
        assert len(menu.buttons) == len(values)
        for button, value in zip(menu.buttons, values):
            assert button.method == "restyle" and list(button.args[0]) == ["x"]
            xs = button.args[0]["x"]
            assert [len(x) for x in xs] == [len(x) for x in original]
            # kept points keep their exact value
            assert all(x is None or x == o for x_, o_ in zip(xs, original) for x, o in zip(x_, o_))
            if value is None:
                assert xs == original
                continue
            wanted = sorted(h for h, v in zip(hover_of, rows[column]) if v == value)
            assert 0 < len(wanted) < len(rows)
            assert sorted(_shown(fig, xs)) == wanted, (column, value)
    assert sorted(_shown(fig, original)) == every


def test_explorer_without_lists_for_jupyter(tables):
    """The notebook's widgets redraw the chart from the chosen rows, without lists."""
    rows = _explorer_rows(tables)
    some = rows[rows["category"] == "emploi"]
    fig = _explorer_figure(some, {})
    assert [t.name for t in fig.data] == ["emploi"]
    assert len(fig.data[0].x) == len(some)
    assert not fig.layout.updatemenus
    assert _explorer_figure(rows.iloc[:0], {}).data == ()


def test_explorer_shows_data_as_text(tables):
    hostile = "<img src=x onerror=alert(1)>"
    rows = _explorer_rows(tables).copy()
    rows.loc[rows.index[0], ["territory", "rencontre", "sentence"]] = hostile
    rows.loc[rows.index[1], "category"] = hostile
    fig = _explorer_figure(rows)
    texts = ([t.name for t in fig.data] + [h for t in fig.data for h in t.hovertext]
             + [b.label for m in fig.layout.updatemenus for b in m.buttons])
    assert [t for t in texts if "<img" in t] == []
    escaped = html.escape(hostile)
    assert escaped in [t.name for t in fig.data]
    # a territory's choice names its 2013 region after it (charts.menu_choices)
    assert any(t.startswith(f"Territoire : {escaped}") for t in texts)
    assert f"Rencontre : {escaped}" in texts
    assert any(escaped in h for t in fig.data for h in t.hovertext)
    # the combining script compares the raw values: the lists' values and the points' agree
    assert hostile in fig.layout.meta["rtes_menus"][1]
    assert [hostile, hostile] in [list(p[1:]) for t in fig.data for p in t.customdata]


def test_explorer_table_markup_for_datatables(tables):
    """The site's table as written (rtes_edition/explorer.py): every row once with its
    anchor, the values' numbers to sort by, a filter per column, DataTables' options in
    French, its scripts from the site."""
    from bs4 import BeautifulSoup

    from rtes_edition import explorer

    figures = tables["figures"].copy()
    hostile = "<img src=x onerror=alert(1)>"
    figures.loc[figures.index[0], "sentence"] = hostile
    soup = BeautifulSoup(explorer.table_html(figures, tables["meetings"]), "html.parser")
    table = soup.select_one("table#explorateur-chiffres")
    assert soup.select("img") == [] and hostile in table.get_text()
    anchors = [a["id"] for a in table.select("tbody [id^='donnee-']")]
    assert anchors == [provenance.row_anchor(i) for i in figures["id"]]
    values = [float(td["data-order"]) for td in table.select("tbody td[data-order]")]
    assert values == [float(v) for v in figures["value"]]
    heads = [th.get_text() for th in table.select("thead th")]
    assert heads == explorer.WEB_COLUMNS
    assert [i["placeholder"] for i in table.select("tfoot input")] == heads
    assert table.select("tbody td.rtes-fold-narrow") and table.select("tbody td.rtes-fold-phone")
    options = json.loads(table["data-rtes-datatable"])
    assert options["language"]["search"] == "Rechercher :" and options["paging"] is False
    assert {"targets": heads.index("valeur citée"), "type": "num"} in options["columnDefs"]
    scripts = [link["href"] for link in soup.select("link[data-rtes-datatable-script]")]
    assert scripts == ["../_static/vendor/jquery.min.js", "../_static/vendor/dataTables.min.js"]


# ---------------------------------------------------------------------------- PDF

def test_pdf_has_no_widget_or_object_text(pdf_path):
    text = _pdftotext(pdf_path)
    for leak in ["IntSlider(", "Dropdown(", "HBox(", "interactive(", "<IPython.core",
                 "IPython.core.display", "object at 0x", "FigureWidget", "Loading ITables"]:
        assert leak not in text, f"« {leak} » printed in the PDF"


def test_pdf_has_the_data_tables(pdf_path, tables):
    text = re.sub(r"\s+", " ", _pdftotext(pdf_path))
    # narrow PDF columns wrap the header: « passage / actes » with « des » on another line
    headers = re.findall(r"passage\s+(?:des\s+)?actes", text)
    assert len(headers) >= len(NOTEBOOKS) - 1
    assert "Continued on next page" not in text
    # the explorer's print table: every figure has a row, labelled for the chapters' links
    # (identifiers are not printed: they mean nothing on paper)
    tex = (pdf_path.parents[1] / "latex" / "actes-territoires-ess-2013.tex").read_text(encoding="utf-8")
    labels = set(re.findall(r"\\label\{\\detokenize\{notebooks/explorateur:donnee-([^}]+)\}\}", tex))
    assert [i for i in tables["figures"]["id"] if i not in labels] == []
    assert "fig-intro-001" not in text


# ---------------------------------------------------------------------------- rerun

def _copy_repo(tmp_path) -> Path:
    return copy_repo(tmp_path / "repo", keep_build=True)


def _stale(copy: Path) -> list[str]:
    out = subprocess.run([sys.executable, "tools/stale_notebooks.py"], cwd=copy, check=True,
                         capture_output=True, text=True).stdout
    return sorted(re.findall(r"notebooks/(\S+)\.ipynb", out))


def test_only_the_notebooks_reading_a_changed_file_run_again(tmp_path):
    copy = _copy_repo(tmp_path)
    shutil.rmtree(copy / "_build", ignore_errors=True)
    assert _stale(copy) == NOTEBOOKS  # first build: everything
    assert _stale(copy) == []  # nothing changed
    readers = sorted(p.stem for p in (copy / "notebooks").glob("*.ipynb")
                     if "data/cooperations.csv" in nbformat.read(p, as_version=4).metadata["rtes"]["inputs"])
    assert 0 < len(readers) < len(NOTEBOOKS)
    path = copy / "data" / "cooperations.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _stale(copy) == readers


def test_chapter_wording_reruns_no_notebook_but_a_renamed_section_does(tmp_path):
    """The notebooks read only the section labels and titles of the chapters (their
    provenance links): a corrected word must not re-execute them, a new title must."""
    copy = _copy_repo(tmp_path)
    shutil.rmtree(copy / "_build", ignore_errors=True)
    _stale(copy)
    readers = sorted(p.stem for p in (copy / "notebooks").glob("*.ipynb")
                     if "book/*.md#headings" in nbformat.read(p, as_version=4).metadata["rtes"]["inputs"])
    assert readers
    chapter = copy / "book" / "introduction.md"
    text = chapter.read_text(encoding="utf-8")
    body_line = next(l for l in text.splitlines() if len(l) > 60 and l[0].isalpha())
    chapter.write_text(text.replace(body_line, body_line + " (corrigé)", 1), encoding="utf-8")
    assert _stale(copy) == []
    heading = re.search(r"^\(intro[^)]*\)=\s*\n#+\s+(.+)$", text, re.M).group(1)
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(heading, heading + " bis", 1),
                       encoding="utf-8")
    assert _stale(copy) == readers


def test_notebooks_without_a_cache_record_are_executed_before_sphinx_reads_them(tmp_path):
    """tools/execute_notebooks.py runs exactly the notebooks the cache lacks and records
    them where myst-nb looks, so that Sphinx uses them instead of executing again."""
    from jupyter_cache import get_cache

    copy = _copy_repo(tmp_path)
    cache = get_cache(copy / "_build" / ".jupyter_cache")
    notebook = copy / "notebooks" / "carte.ipynb"
    cache.remove_cache(cache.match_cache_file(notebook).pk)
    out = subprocess.run([sys.executable, "tools/execute_notebooks.py"], cwd=copy, check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(copy)}).stdout
    assert re.findall(r"notebooks/(\S+)\.ipynb : exécuté", out) == ["carte"]
    record = cache.match_cache_notebook(nbformat.read(notebook, as_version=4))
    assert record.data["execution_seconds"] > 0
    executed = cache.get_cache_bundle(record.pk).nb
    assert any(o.get("data", {}).get(output.PRINT_PNG) for c in executed.cells for o in c.get("outputs", []))


def _sources_read(copy: Path) -> set[str]:
    """The documents Sphinx read again in the last HTML build of ``copy``."""
    log = (copy / "_build" / "logs" / "html.log").read_text(encoding="utf-8")
    return set(re.findall(r"reading sources\.\.\. \S*\[[ \d]+%\]\S* (?:\x1b\[\d+m)?([\w/-]+)", log))


def test_chapters_are_read_again_only_when_their_data_links_change(rebuilt_copy):
    """A corrected note changes no « [données] » link: no chapter is read again (the
    colophon lists the data files, so it is); a removed row drops its link from its chapter."""
    copy = in_step(rebuilt_copy)
    tables = load_package(copy / "data" / "datapackage.json")
    figures = tables["figures"]
    referenced = set(figures["related_figure_id"].dropna()) | set(
        tables["meetings"]["participants_figure_id"].dropna())
    row = figures[~figures["id"].isin(referenced)].iloc[-1]
    path = copy / "data" / "figures.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    index = next(i for i, r in enumerate(rows) if r["id"] == row["id"])

    def rebuild_with(rows):
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        result = subprocess.run([sys.executable, "tools/build_book.py"], cwd=copy, capture_output=True,
                                text=True, env={**os.environ, "PYTHONPATH": str(copy)})
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return _sources_read(copy)

    rows[index]["note"] = (rows[index]["note"] + " (note corrigée)").strip()
    read = rebuild_with(rows)
    assert read and {d for d in read if d.startswith("book/")} <= {"book/colophon"}, read

    del rows[index]
    assert f"book/{row['chapter']}" in rebuild_with(rows)
    page = (copy / "_build" / "html" / "book" / f"{row['chapter']}.html").read_text(encoding="utf-8")
    assert provenance.row_anchor(row["id"]) not in page
    other = figures[(figures["chapter"] == row["chapter"]) & (figures["id"] != row["id"])]
    assert all(provenance.row_anchor(i) in page for i in other["id"])


def test_print_images_are_made_once_per_figure(tmp_path, monkeypatch):
    """kaleido draws a figure it has not drawn before; the same figure again (a notebook
    re-executed for a row that does not concern it) comes from _build/.png-cache."""
    import plotly.graph_objects as go

    monkeypatch.setattr(output, "PNG_CACHE", tmp_path / "png-cache")
    drawn = []

    def fake_render(fig, **kwargs):
        drawn.append(fig.to_json())
        return f"PNG{len(drawn)}".encode()

    monkeypatch.setattr(output, "_start_kaleido", lambda: None)
    monkeypatch.setattr(output.pio, "to_image", fake_render)
    first = go.Figure(go.Bar(x=[1, 2], y=["a", "b"]))
    assert output.to_png(first) == b"PNG1"
    assert output.to_png(go.Figure(go.Bar(x=[1, 2], y=["a", "b"]))) == b"PNG1"
    assert len(drawn) == 1
    assert output.to_png(go.Figure(go.Bar(x=[1, 3], y=["a", "b"]))) == b"PNG2"
    assert output.to_png(first.update_layout(height=300)) == b"PNG3"  # another size
    assert len(list((tmp_path / "png-cache").glob("*.png"))) == 3
    assert not list((tmp_path / "png-cache").glob("*.tmp"))
    # another renderer (here an upgraded plotly) draws the same figure anew: an image
    # made by the old one is never reused
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "99.0" if name == "plotly" else real(name))
    output._renderer_versions.cache_clear()
    try:
        assert output.to_png(first) == b"PNG4"
    finally:
        output._renderer_versions.cache_clear()
