"""The site as its readers use it (issue 20): on a phone (390 × 844, touch), from the
keyboard, in dark mode; the download menu of every page; what holds the first paint back."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import AXE, ROOT

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
TABLE = "#explorateur-chiffres"
ROWS_READY = f"{TABLE}.dataTable tbody tr [id^='donnee-']"


def _rel(path: Path, html_dir: Path) -> str:
    return path.relative_to(html_dir).as_posix()


@pytest.fixture
def phone(browser, site_url):
    """A page opened on a phone; console errors collected."""
    contexts = []

    def _open(path: str, **options):
        context = browser.new_context(**{**PHONE, **options})
        contexts.append(context)
        page = context.new_page()
        page.rtes_errors = []
        page.on("pageerror", lambda e: page.rtes_errors.append(str(e)))
        page.on("console", lambda m: page.rtes_errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{site_url}/{path}", wait_until="load")
        return page

    yield _open
    for context in contexts:
        context.close()


# --- the phone menu ----------------------------------------------------------------

def test_every_page_has_one_button_per_sidebar(html_dir, html_pages):
    """The cause of the dead phone menu: the theme binds its handler to the first
    `.primary-toggle` of the page, which was a hidden duplicate in a top bar."""
    for path in html_pages:
        if path == html_dir / "index.html":
            continue  # the site root only redirects
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        assert len(soup.select(".primary-toggle")) == 1, _rel(path, html_dir)
        assert len(soup.select(".secondary-toggle")) <= 1, _rel(path, html_dir)


@pytest.mark.parametrize("how", ["touch", "keyboard"])
def test_phone_menu_opens_shows_the_chapters_and_closes(phone, how):
    page = phone("book/grand-ouest.html")
    toggle = page.locator(".primary-toggle")
    assert toggle.is_visible()
    if how == "touch":
        toggle.tap()
    else:
        toggle.focus()
        page.keyboard.press("Enter")
    dialog = page.locator("#pst-primary-sidebar-modal")
    page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=5_000)
    links = dialog.locator("nav.bd-docs-nav a")
    assert links.count() >= 20
    assert dialog.locator("nav.bd-docs-nav a", has_text="Rencontre du Sud-Est").is_visible()
    # the focus is in the panel, Escape closes it and gives the focus back to ☰
    assert page.evaluate("document.getElementById('pst-primary-sidebar-modal')"
                         ".contains(document.activeElement)")
    page.keyboard.press("Escape")
    page.wait_for_selector("#pst-primary-sidebar-modal:not([open])", state="attached", timeout=5_000)
    # the dialog's close event, which gives the focus back, comes in a task of its own
    page.wait_for_function("document.activeElement.classList.contains('primary-toggle')", timeout=5_000)
    # nothing left over the header's other buttons (the focused ☰'s tooltip was)
    page.locator(".rtes-downloads .dropdown-toggle").tap(timeout=5_000)
    page.wait_for_selector(".rtes-downloads .dropdown-menu.show", timeout=5_000)
    page.keyboard.press("Escape")
    toggle.focus()
    # a chapter chosen from the menu opens
    toggle.tap() if how == "touch" else page.keyboard.press("Enter")
    page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=5_000)
    dialog.locator("nav.bd-docs-nav a", has_text="Rencontre du Sud-Est").click()
    page.wait_for_url("**/book/sud-est.html")
    assert page.rtes_errors == []


def test_phone_page_contents_opens_and_closes(phone):
    page = phone("book/grand-ouest.html")
    toggle = page.locator(".secondary-toggle")
    toggle.tap()
    page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=5_000)
    assert page.locator("#pst-secondary-sidebar-modal a").count() > 3
    page.keyboard.press("Escape")
    page.wait_for_selector("#pst-secondary-sidebar-modal:not([open])", state="attached", timeout=5_000)


# --- no sideways scroll, tap targets, toolbar ------------------------------------------

def test_no_page_scrolls_sideways_on_a_phone(phone, site_url, html_dir, html_pages):
    wide = {}
    page = phone("book/index.html")  # then every page in turn, in the same phone
    for path in html_pages:
        if path == html_dir / "index.html":
            continue  # the site root only redirects
        page.goto(f"{site_url}/{_rel(path, html_dir)}", wait_until="load")
        if path.name == "explorateur.html":
            page.wait_for_selector(ROWS_READY, timeout=30_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[_rel(path, html_dir)] = width
        # a data table wider than the phone scrolls in its own box, not in one that holds
        # its chart too (a finger moving the table sideways would move the chart with it)
        page.evaluate("document.querySelectorAll('.rtes-chart-details').forEach(d => d.open = true)")
        moving = page.evaluate(CHART_SCROLLS_SIDEWAYS)
        if moving:
            wide[_rel(path, html_dir)] = moving
    assert wide == {}


CHART_SCROLLS_SIDEWAYS = """() => [...document.querySelectorAll('*')].filter(e =>
    e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
    && e.querySelector('.plotly-graph-div')).map(e => e.tagName + '.' + e.className)"""


def test_data_links_are_24_px_targets(phone):
    page = phone("book/grand-ouest.html")
    links = page.locator("a.rtes-data-link")
    assert links.count() > 0
    small = [box for box in (links.nth(i).bounding_box() for i in range(links.count()))
             if box["width"] < 24 or box["height"] < 24]
    assert small == []


def test_chart_toolbar_has_only_download_and_reset_in_french(phone):
    page = phone("notebooks/participation.html")
    page.wait_for_selector(".rtes-chart .modebar-btn", timeout=30_000)
    for chart in page.locator(".rtes-chart .js-plotly-plot").all():
        titles = [b.get_attribute("data-title") for b in chart.locator(".modebar-btn").all()]
        assert titles == ["Télécharger le graphique en fichier PNG", "Réinitialiser les axes"], titles
        # above the chart, not over its title
        bar, svg = chart.locator(".modebar").bounding_box(), chart.locator(".main-svg").first.bounding_box()
        assert bar["y"] + bar["height"] <= svg["y"] + 1


# --- the explorer's table ------------------------------------------------------------

def _values_in_order(page, figures: pd.DataFrame) -> list[float]:
    ids = page.evaluate(f"[...document.querySelectorAll('{TABLE} tbody [id^=\"donnee-\"]')]"
                        ".map(e => e.id.slice('donnee-'.length))")
    value = figures.set_index("id")["value"]
    return [float(value[i]) for i in ids]


def test_explorer_sorts_values_as_numbers_by_click_and_keyboard(phone):
    figures = pd.read_csv(ROOT / "data" / "figures.csv")
    page = phone("notebooks/explorateur.html")
    page.wait_for_selector(ROWS_READY, timeout=30_000)
    header = page.locator(f"{TABLE} thead th", has_text="valeur citée")
    # a tap on the title's words, not on the sort arrow
    title = header.locator(".dt-column-title")
    title.scroll_into_view_if_needed()
    box = title.bounding_box()
    page.touchscreen.tap(box["x"] + 4, box["y"] + box["height"] / 2)
    page.wait_for_function(f"document.querySelector('{TABLE} thead th[aria-sort]') !== null")
    assert header.get_attribute("aria-sort") == "ascending"
    values = _values_in_order(page, figures)
    assert values == sorted(values), "not sorted as numbers"
    # by text, « environ 400 » came before « environ 50 000 »: not so by number
    assert len(set(values)) > 10
    # from the keyboard: the next Enter reverses the order
    header.locator("[role=button]").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{TABLE} thead th[aria-sort=descending]') !== null")
    values = _values_in_order(page, figures)
    assert values == sorted(values, reverse=True)
    assert page.rtes_errors == []


def test_explorer_columns_reader_first_folded_on_a_phone(phone, browser, site_url):
    page = phone("notebooks/explorateur.html")
    page.wait_for_selector(ROWS_READY, timeout=30_000)
    heads = page.eval_on_selector_all(f"{TABLE} thead th", "ths => ths.map(t => t.textContent.trim())")
    assert heads[:2] == ["chiffre", "valeur citée"] and heads[-1] == "identifiant"
    visible = page.eval_on_selector_all(
        f"{TABLE} thead th", "ths => ths.filter(t => t.offsetParent !== null).map(t => t.textContent.trim())")
    assert "identifiant" not in visible and "chiffre" in visible and "valeur citée" in visible
    # the columns left fit the screen: none runs past it (where the article's box cuts it)
    right = page.eval_on_selector(TABLE, "t => t.getBoundingClientRect().right")
    assert right <= page.viewport_size["width"], f"the table ends at {right} px"
    # the folded columns are in the row's details
    row = page.locator(f"{TABLE} tbody tr").first
    details = row.locator("details.rtes-row-details")
    details.locator("summary").tap()
    assert details.locator(".rtes-folded dt", has_text="identifiant").is_visible()
    # compact rows: a long sentence is shortened until asked for
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        wide = context.new_page()
        wide.goto(f"{site_url}/notebooks/explorateur.html")
        wide.wait_for_selector(ROWS_READY, timeout=30_000)
        heights = wide.eval_on_selector_all(f"{TABLE} tbody tr", "rs => rs.map(r => r.getBoundingClientRect().height)")
        # at most about three lines (the rows were 90 to 190 px high)
        assert sorted(heights)[len(heights) // 2] <= 85, "rows too tall"
        long = wide.locator(f"{TABLE} details.rtes-sentence").first
        assert not long.locator(".rtes-sentence-text").is_visible()
        long.locator("summary").click()
        assert long.locator(".rtes-sentence-text").is_visible()
    finally:
        context.close()


# What plotly.js does when a reader picks a list's choice: the choice kept in the layout,
# then the event (the button's own restyle is redone by rtes-explorer.js)
CHOOSE = """([menu, active]) => {
    const gd = document.getElementById('graphique-explorateur');
    return Plotly.relayout(gd, {[`updatemenus[${menu}].active`]: active})
        .then(() => gd.emit('plotly_buttonclicked', {menu: gd.layout.updatemenus[menu], active: active}));
}"""


def test_explorer_says_when_the_lists_match_nothing(phone):
    page = phone("notebooks/explorateur.html")
    page.wait_for_selector("#graphique-explorateur .main-svg", timeout=30_000)
    message = page.locator(".rtes-empty-message")
    # a combination that matches no figure: what the page's lists do on a click
    page.wait_for_selector("#graphique-explorateur[data-rtes-lists=combined]", timeout=10_000)
    page.evaluate("""() => {
        const gd = document.getElementById('graphique-explorateur');
        const menus = gd.layout.meta.rtes_menus;
        const points = gd.data.flatMap(t => t.customdata);
        // a category and a territory never found together
        for (let c = 1; c < menus[0].length; c++) for (let t = 1; t < menus[1].length; t++) {
            if (!points.some(p => p[0] === menus[0][c] && p[1] === menus[1][t])) {
                window.rtesEmpty = [c, t]; return;
            }
        }
    }""")
    pair = page.evaluate("window.rtesEmpty")
    assert pair, "every category is found in every territory"
    for menu, active in enumerate(pair):
        page.evaluate(CHOOSE, [menu, active])
    page.wait_for_function("document.querySelector('.rtes-empty-message')?.textContent.length > 0",
                           timeout=5_000)
    assert message.get_attribute("role") == "status"
    assert "Aucun chiffre" in message.inner_text()
    # back to every territory: the message goes
    page.evaluate(CHOOSE, [1, 0])
    page.wait_for_function("document.querySelector('.rtes-empty-message').textContent === ''",
                           timeout=5_000)


# --- downloads ------------------------------------------------------------------------

def test_download_menu_of_every_page(html_dir, html_pages):
    pdf = (html_dir / "actes-territoires-ess-2013.pdf").resolve()
    for path in html_pages:
        if path == html_dir / "index.html":
            continue  # the site root only redirects
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        menu = soup.select_one(".rtes-downloads .dropdown-menu")
        assert menu is not None, _rel(path, html_dir)
        entries = {item.get_text(" ", strip=True): item for item in menu.select("a, button")}
        assert "Livre complet (PDF)" in entries and "Données (ZIP)" in entries
        assert "Imprimer cette page" in entries
        for name in ("Livre complet (PDF)", "Données (ZIP)"):
            target = (path.parent / entries[name]["href"]).resolve()
            assert target.is_file(), f"{_rel(path, html_dir)}: {name} -> {target}"
        assert (path.parent / entries["Livre complet (PDF)"]["href"]).resolve() == pdf
        notebook = path.parent.name == "notebooks"
        assert ("Ce carnet (.ipynb)" in entries) == notebook, _rel(path, html_dir)
        assert not [h for h in (a.get("href", "") for a in menu.select("a")) if h.endswith(".md")]
        assert not [t for t in entries if t.startswith(".")]  # no bare « .md », « .pdf »


# --- first paint ------------------------------------------------------------------------

def test_nothing_blocks_the_first_paint(html_dir, html_pages):
    """What held the text back on a slow connection (tools/benchmark.py times it): plotly.js
    and the search index loaded by every page before anything was drawn."""
    for path in html_pages:
        if path == html_dir / "index.html":
            continue
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        blocking = [s["src"] for s in soup.select("script[src]")
                    if not s.has_attr("defer") and not s.has_attr("async")
                    and s.get("type") != "module"
                    and re.search(r"plotly|searchindex|rtes-explorer", s["src"])]
        if path.name != "search.html":
            assert blocking == [], f"{_rel(path, html_dir)}: {blocking}"
            assert soup.select("script[src*=searchindex]") == [], _rel(path, html_dir)
        inline = [s for s in soup.find_all("script", src=False) if "Plotly.newPlot" in s.text]
        assert all(s.get("type") == "module" for s in inline), _rel(path, html_dir)


# --- dark mode ------------------------------------------------------------------------

CHART_BACKGROUNDS = """() => [...document.querySelectorAll('.rtes-chart .js-plotly-plot')]
    .map(gd => [gd._fullLayout.paper_bgcolor, gd._fullLayout.plot_bgcolor])"""


@pytest.mark.parametrize("path", ["notebooks/participation.html", "notebooks/carte.html",
                                  "notebooks/cooperations.html", "notebooks/explorateur.html"])
def test_charts_follow_dark_mode_with_enough_contrast(browser, site_url, path):
    context = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{path}", wait_until="load")
        page.wait_for_function("document.querySelectorAll('.rtes-chart .js-plotly-plot[data-rtes-theme=dark]').length"
                               " === document.querySelectorAll('.rtes-chart .js-plotly-plot').length"
                               " && document.querySelectorAll('.rtes-chart .js-plotly-plot').length > 0",
                               timeout=30_000)
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        for paper, plot in page.evaluate(CHART_BACKGROUNDS):
            for colour in (paper, plot or paper):  # a map has no plot area
                # dark: far from the page's text colour, close to its background
                assert page.evaluate("([c]) => window.rtesContrast(c, '#000000')", [colour]) < 2, colour
        # the map's regions darken with the land: its white labels and stars, on the
        # regions' light fill, were unreadable
        fills = page.evaluate("""() => [...document.querySelectorAll('.rtes-chart .js-plotly-plot')]
            .flatMap(gd => gd._fullData.filter(t => t.type === 'choropleth').map(t => t.colorscale[0][1]))""")
        assert bool(fills) == path.endswith("carte.html"), fills
        for fill in fills:
            assert page.evaluate("([c]) => window.rtesContrast(c, '#000000')", [fill]) < 2, fill
        # every trace colour stands out from the dark background (3:1, WCAG 1.4.11)
        low = page.evaluate("""() => [...document.querySelectorAll('.rtes-chart .js-plotly-plot')]
            .flatMap(gd => gd._fullData.filter(t => t.visible !== false && typeof t.marker?.color === 'string')
              .map(t => [t.name, t.marker.color,
                         window.rtesContrast(t.marker.color, gd._fullLayout.plot_bgcolor)]))
            .filter(([, , ratio]) => ratio < 3)""")
        assert low == []
        # colours told apart in the light theme stay apart in the dark one
        distinct = """() => [...document.querySelectorAll('.rtes-chart .js-plotly-plot')].map(gd => [
            new Set(gd._rtesColours.traces.map(t => t.marker).filter(c => c)).size,
            new Set(gd._fullData.map(t => t.marker?.color).filter(c => typeof c === 'string')).size])"""
        for light, dark in page.evaluate(distinct):
            assert dark >= light, (light, dark)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("""async () => (await axe.run(document,
            {runOnly: {type: 'rule', values: ['color-contrast']}})).violations
            .map(v => v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '))""")
        assert violations == []
    finally:
        context.close()


def test_theme_button_changes_the_colours_at_the_first_click(browser, site_url):
    context = browser.new_context(color_scheme="light")
    try:
        page = context.new_page()
        page.goto(f"{site_url}/book/introduction.html", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == "light"
        page.locator(".theme-switch-button").first.click()
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    finally:
        context.close()


# --- the name index -------------------------------------------------------------------

def test_name_index_names_the_chapters(html_dir):
    soup = BeautifulSoup((html_dir / "genindex.html").read_text("utf-8"), "html.parser")
    entries = soup.select("ul.rtes-genindex > li")
    assert len(entries) > 50
    texts = [li.get_text(" ", strip=True) for li in entries]
    assert not [t for t in texts if re.search(r"\[\d+\]", t)], "« [1] [2] » left"
    titles = {a.get_text(strip=True) for li in entries for a in li.select(".rtes-index-places > a")}
    assert {"Rencontre du Grand Ouest (Rennes)", "Remerciements"} <= titles, sorted(titles)[:20]
