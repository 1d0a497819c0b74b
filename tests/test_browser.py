"""The book as a reader's browser sees it: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT
from playwright.sync_api import TimeoutError as PlaywrightTimeout


def test_chart_page_draws_its_chart_offline(visit):
    v = visit("notebooks/participation.html")
    v.page.wait_for_selector(".rtes-chart .plotly-graph-div .main-svg", timeout=10_000)
    bars = v.page.locator(".rtes-chart .plotly-graph-div g.point").count()
    assert bars >= 3, f"only {bars} bars drawn"
    assert v.foreign_requests == [], v.foreign_requests
    assert v.console_errors == [], v.console_errors


def test_plotly_is_served_once_not_inlined(html_pages):
    for page in html_pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 1_000_000, f"{page} is {len(text)} bytes: plotly.js inlined?"
        if "plotly-graph-div" in text:
            served = re.findall(r'src="[^"]*_static/vendor/(plotly[\w.-]*\.min\.js)', text)
            assert len(served) == 1, (page, served)


def test_each_chart_page_gets_a_plotly_bundle_that_draws_its_traces(html_pages):
    """A partial bundle is much faster to parse, but a trace type it lacks would leave a
    blank chart: the served bundle must cover every trace of the page."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from offline_assets import PLOTLY_BUNDLES

    chosen = {}
    for page in html_pages:
        text = page.read_text(encoding="utf-8")
        if "plotly-graph-div" not in text:
            continue
        bundle = re.search(r'_static/vendor/(plotly[\w.-]*\.min\.js)', text).group(1)
        traces = {t for names in re.findall(r'data-rtes-traces="([a-z0-9 ]*)"', text)
                  for t in names.split()}
        drawn = PLOTLY_BUNDLES[bundle][1]
        assert drawn is None or traces <= drawn, (page.name, bundle, traces - drawn)
        chosen[page.name] = bundle
    assert chosen["participation.html"] == "plotly-basic.min.js", chosen
    assert chosen["carte.html"] == "plotly-geo.min.js", chosen


def test_a_chart_outside_the_partial_bundles_gets_the_full_plotly():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from offline_assets import plotly_bundle

    chart = '<div class="plotly-graph-div">'
    assert plotly_bundle(chart) == "plotly.min.js"  # traces not named
    assert plotly_bundle(f'<div data-rtes-traces="bar scattergeo">{chart}') == "plotly.min.js"
    assert plotly_bundle(f'<div data-rtes-traces="bar scatter">{chart}') == "plotly-basic.min.js"


def test_map_draws_the_22_regions_of_2013_from_the_site(visit):
    """The map page loads the regions' GeoJSON from the site as a classic script (so that
    it also works from disk; never from a CDN) and draws one path per region under the
    points."""
    from rtes_edition import charts

    v = visit("notebooks/carte.html")
    paths = "#graphique-carte .choroplethlayer path.choroplethlocation"
    v.page.wait_for_function(f"document.querySelectorAll('{paths}').length > 0", timeout=15_000)
    drawn = v.page.eval_on_selector_all(paths, "els => els.map(e => (e.getAttribute('d') || '').length)")
    assert len(drawn) == 22, f"{len(drawn)} regions drawn"
    assert min(drawn) > 20, "a region drawn as an empty path"
    # under the points: the choropleth layer comes before the scatter layer in the SVG
    assert v.page.evaluate("""() => {
        const geo = document.querySelector('#graphique-carte .geo');
        const layers = [...geo.querySelectorAll('.choroplethlayer, .scattergeolayer, .scatterlayer')];
        return layers.length >= 2 && layers[0].classList.contains('choroplethlayer');
    }""")
    fetched = v.page.evaluate(
        "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)")
    assert "/_static/vendor/regions-2013.geojson.js" in fetched, fetched
    assert charts.REGIONS_NAME in v.page.locator("#graphique-carte .legend").text_content()
    assert v.foreign_requests == [], v.foreign_requests
    assert v.console_errors == [], v.console_errors


CHART_PAGES = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))  # each draws charts


@pytest.mark.parametrize("width", [320, 390])
def test_chart_titles_fit_their_chart_on_a_phone(browser, site_url, width):
    """Reflow (WCAG 2.1 1.4.10): at a phone's width every chart title is drawn whole
    inside its chart (book/assets/plotly-setup.js breaks it into lines), above the plot."""
    pages = sorted(p.stem for p in (ROOT / "_build" / "html" / "notebooks").glob("*.html")
                   if "plotly-graph-div" in p.read_text(encoding="utf-8"))
    assert pages == CHART_PAGES, pages
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        for name in pages:
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(f"{site_url}/notebooks/{name}.html", wait_until="networkidle")
            page.wait_for_function("""() => [...document.querySelectorAll('.rtes-chart .plotly-graph-div')]
                .every(gd => gd.querySelector('.gtitle'))""", timeout=15_000)
            try:  # a title is fitted just after its chart is drawn: wait for it (at most 5 s)
                page.wait_for_function("""() => [...document.querySelectorAll('.rtes-chart .plotly-graph-div')]
                    .every(gd => gd.querySelector('.gtitle').getBoundingClientRect().right
                                 <= gd.getBoundingClientRect().right + 2)""", timeout=5_000)
            except PlaywrightTimeout:
                pass  # the assertions below say which title does not fit
            charts = page.evaluate("""() => [...document.querySelectorAll('.rtes-chart .plotly-graph-div')].map(gd => {
                const chart = gd.getBoundingClientRect();
                const title = gd.querySelector('.gtitle').getBoundingClientRect();
                const area = document.createElement('textarea');  // the title is HTML-escaped
                area.innerHTML = gd.layout.title.text.replace(/<br>/g, ' ');
                return {id: gd.id, chart: [chart.left, chart.top, chart.right, chart.bottom],
                        title: [title.left, title.top, title.right, title.bottom],
                        plotTop: chart.top + gd._fullLayout._size.t,
                        drawn: gd.querySelector('.gtitle').textContent, text: area.value};
            })""")
            assert charts, name
            for c in charts:
                (cl, ct, cr, cb), (tl, tt, tr, tb) = c["chart"], c["title"]
                slack = 2  # a glyph's side bearing
                assert cl - slack <= tl and tr <= cr + slack and ct - slack <= tt and tb <= cb + slack, (
                    f"{name} at {width} px: title of {c['id']} {c['title']} out of the chart {c['chart']}")
                # the lines of a title are tspans: its text has no space where it was broken
                assert c["drawn"].replace(" ", "") == c["text"].replace(" ", ""), (name, c)
                assert tb <= c["plotTop"] + slack, f"{name}: title of {c['id']} over the plot"
            assert errors == [], (name, errors)
            page.close()
    finally:
        context.close()


# the explorer's lists, its title and its plot area, in px of the page
EXPLORER_BOXES = """() => {
    const gd = document.getElementById('graphique-explorateur');
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const chart = gd.getBoundingClientRect(), size = gd._fullLayout._size;
    return {chart: box(gd), title: box(gd.querySelector('.gtitle')),
            plot: [chart.left + size.l, chart.top + size.t, chart.left + size.l + size.w,
                   chart.top + size.t + size.h],
            lists: [...gd.querySelectorAll('.updatemenu-header-group')].map(box)};
}"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [320, 390])
def test_explorer_lists_fit_their_chart_on_a_phone(browser, site_url, width):
    """Reflow (WCAG 2.1 1.4.10): on a phone the explorer's three drop-down lists are laid
    out one under the other (book/assets/plotly-setup.js), inside the chart, clear of each
    other, of the title and of the plot; a finger on a list still filters the chart."""
    context = browser.new_context(viewport={"width": width, "height": 800}, has_touch=True)
    try:
        page = context.new_page()
        errors, foreign = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(site_url)
                or r.url.startswith(("data:", "blob:")) else foreign.append(r.url))
        page.goto(f"{site_url}/notebooks/explorateur.html", wait_until="networkidle")
        page.wait_for_selector("#graphique-explorateur .updatemenu-header-group")
        fits = f"""() => {{ const b = ({EXPLORER_BOXES})();
            return b.lists.length === 3 && b.lists.every(l => l[2] <= b.chart[2] && l[3] <= b.plot[1]); }}"""
        try:  # the lists are laid out just after the chart is drawn: wait for it (at most 5 s)
            page.wait_for_function(fits, timeout=5_000)
        except PlaywrightTimeout:
            pass  # the assertions below say what does not fit
        page.wait_for_timeout(300)  # a relayout may still be under way: let it end
        boxes = page.evaluate(EXPLORER_BOXES)
        chart, title, plot, lists = boxes["chart"], boxes["title"], boxes["plot"], boxes["lists"]
        assert len(lists) == 3, boxes
        slack = 1  # a border drawn on the chart's edge
        for i, box in enumerate(lists):
            assert (chart[0] - slack <= box[0] and box[2] <= chart[2] + slack
                    and chart[1] - slack <= box[1] and box[3] <= chart[3] + slack), (
                f"list {i} {box} out of the chart {chart} at {width} px")
            assert not _overlap(box, title), f"list {i} {box} over the title {title}"
            assert box[3] <= plot[1] + slack, f"list {i} {box} over the plot {plot}"
            for j in range(i):
                assert not _overlap(box, lists[j]), f"list {i} {box} over list {j} {lists[j]}"
        # one under the other, in the lists' order
        assert lists[0][3] <= lists[1][1] and lists[1][3] <= lists[2][1], lists
        # a finger chooses « Catégorie : emploi »: only the jobs are left, on screen too
        shown = ("() => document.getElementById('graphique-explorateur').data.flatMap(t => "
                 "t.x.flatMap((x, p) => x === null ? [] : [t.customdata[p][0]]))")
        drawn = "document.querySelectorAll('#graphique-explorateur .scatterlayer .trace .point').length"
        everything = page.evaluate(shown)
        page.locator("#graphique-explorateur .updatemenu-header-group").first.tap()
        # the choice's button (its box and text): the middle of a label broken into two
        # lines is the box, between the lines
        page.locator("#graphique-explorateur .updatemenu-dropdown-button", has=page.locator(
            ".updatemenu-item-text", has_text=re.compile(r"^Catégorie\s*:\s*emploi$"))).tap()
        page.wait_for_function(f"({shown})().every(c => c === 'emploi') && "
                               f"{drawn} === ({shown})().length", timeout=5_000)
        jobs = page.evaluate(shown)
        assert jobs and len(jobs) == everything.count("emploi") < len(everything), jobs
        assert errors == [], errors
        assert foreign == [], foreign
    finally:
        context.close()
