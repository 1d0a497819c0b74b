"""Accessibility (RGAA 4 / WCAG 2.1 AA): axe-core on every page, charts described for
screen readers, and the book driven from the keyboard alone.

axe-core is injected from node_modules (pinned in package.json), never from a CDN.
Violations are fixed in the book's own templates and CSS, not by turning rules off here.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from bs4 import BeautifulSoup
from conftest import AXE, SEARCH_DONE, run_axe
from test_figures import EXPLORER_DRAWN, EXPLORER_SHOWN

from rtes_edition import output


def _rel(page, html_dir):
    return page.relative_to(html_dir).as_posix()


def test_axe_finds_no_serious_violation_on_any_page(site_pass):
    """Every page as drawn, its charts' folded data tables open (``site_pass``)."""
    assert AXE.exists(), f"{AXE} missing: run `npm ci`"
    found = {page: seen["axe"] for page, seen in site_pass.items() if seen["axe"]}
    assert found == {}


@pytest.mark.parametrize("state", ["search results", "search dialog open", "explorer list open"])
def test_axe_finds_no_serious_violation_in_interactive_states(visit, state):
    if state == "search results":
        v = visit("search.html?q=coopération")
        v.page.wait_for_function(SEARCH_DONE, timeout=10_000)
        assert v.page.locator("#search-results ul.search li").count() > 0
    elif state == "explorer list open":
        # the listbox and options that rtes-explorer.js gives an open drop-down list
        v = visit("notebooks/explorateur.html")
        v.page.locator("#graphique-explorateur .updatemenu-header-group[role=button]").first.focus()
        v.page.keyboard.press("Enter")
        v.page.wait_for_selector("#graphique-explorateur [role=listbox] [role=option]", timeout=5_000)
    else:
        v = visit("book/index.html")
        v.page.keyboard.press("Control+k")
        v.page.wait_for_selector("#pst-search-dialog[open]", timeout=5_000)
    assert run_axe(v.page) == []


# --- charts for screen readers -----------------------------------------------------

def test_every_chart_has_a_description_and_a_data_table(html_dir, html_pages):
    charts = 0
    problems = []
    for path in html_pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for chart in soup.select(".rtes-chart"):
            charts += 1
            where = f"{_rel(path, html_dir)}#{chart.get('id')}"
            group = chart.select_one("[aria-describedby]")
            plot = chart.select_one(".plotly-graph-div")
            desc = soup.find(id=group["aria-describedby"]) if group else None
            if plot is None or group is None or plot not in group.descendants:
                problems.append(f"{where}: the plot is not inside a described group")
            if desc is None or len(desc.get_text(strip=True)) < 20:
                problems.append(f"{where}: no description for screen readers")
            table = chart.select_one("details table")
            if table is None or chart.select_one("details > summary") is None:
                problems.append(f"{where}: no folded data table")
                continue
            headers = table.select("thead th")
            if not headers or any(th.get("scope") != "col" for th in headers):
                problems.append(f"{where}: data table without column headers")
            if not table.caption or not table.caption.get_text(strip=True):
                problems.append(f"{where}: data table without caption")
            rows = table.select("tbody tr")
            if not rows or any(len(r.find_all("td")) != len(headers) for r in rows):
                problems.append(f"{where}: data table empty or ragged")
    assert charts > 0, "no chart in the site"
    assert problems == []


def test_output_show_bundle_describes_the_chart():
    """The HTML that output.show() puts in the page: description, described plot, data."""
    table = pd.DataFrame({"rencontre": ["Rennes", "Nancy"], "participants": [50, 120]})
    fig = go.Figure(go.Bar(x=table["participants"], y=table["rencontre"], orientation="h"))
    html = output.chart_html(fig, "essai", "Participants par rencontre <b>", table)
    soup = BeautifulSoup(html, "html.parser")
    desc = soup.select_one("#essai-description")
    assert desc.get_text() == "Participants par rencontre <b>"  # text, not markup
    assert soup.select_one(".rtes-chart-plot")["aria-describedby"] == "essai-description"
    assert soup.select_one("#essai.plotly-graph-div") is not None
    cells = [[td.get_text() for td in tr.find_all("td")] for tr in soup.select("tbody tr")]
    assert cells == [["Rennes", "50"], ["Nancy", "120"]]
    assert [th.get_text() for th in soup.select("thead th")] == ["rencontre", "participants"]


# --- keyboard ---------------------------------------------------------------------

def _tab_until(page, selector: str, limit: int = 400, key: str = "Tab") -> str:
    """Press Tab until the focused element matches ``selector``; its outerHTML."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return page.evaluate("document.activeElement.outerHTML")
    raise AssertionError(f"{selector} never received the focus after {limit} × {key}")


def _chapter_with_sections(html_pages, html_dir):
    for path in html_pages:
        text = path.read_text(encoding="utf-8")
        if path.parent != html_dir and 'id="pst-page-toc-nav"' in text and "toc-h2" in text:
            return _rel(path, html_dir)
    raise AssertionError("no page has an in-page table of contents")


def test_skip_link_is_first_and_jumps_to_the_content(visit):
    v = visit("book/index.html")
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.getAttribute('href')") == "#main-content"
    v.page.keyboard.press("Enter")
    # a fragment navigation may land a task after the key event: wait for it, not a set time
    v.page.wait_for_function("location.hash === '#main-content'", timeout=5_000)
    assert v.page.url.endswith("#main-content")


def test_table_of_contents_works_from_the_keyboard(visit):
    v = visit("book/index.html")
    start = v.page.url
    _tab_until(v.page, ".bd-sidenav a.reference.internal")
    href = v.page.evaluate("document.activeElement.href")
    v.page.keyboard.press("Enter")
    v.page.wait_for_url(href, timeout=5_000)
    assert v.page.url != start and v.page.url == href


def test_page_toc_works_from_the_keyboard(visit, html_pages, html_dir):
    v = visit(_chapter_with_sections(html_pages, html_dir))
    _tab_until(v.page, "#pst-page-toc-nav a.nav-link")
    target = v.page.evaluate("document.activeElement.getAttribute('href')")
    assert target.startswith("#")
    v.page.keyboard.press("Enter")
    v.page.wait_for_function("(h) => location.hash === h", arg=target, timeout=5_000)


def test_search_works_from_the_keyboard(visit):
    v = visit("book/index.html")
    dialog = v.page.locator("#pst-search-dialog")
    # the search button, reached with Tab and pressed with Enter, opens the search box
    _tab_until(v.page, "button.search-button__button")
    v.page.keyboard.press("Enter")
    v.page.wait_for_selector("#pst-search-dialog[open]", timeout=5_000)
    assert v.page.evaluate("document.activeElement.matches('#pst-search-dialog input')")
    # Escape closes it
    v.page.keyboard.press("Escape")
    v.page.wait_for_function("!document.querySelector('#pst-search-dialog').open", timeout=5_000)
    assert not dialog.is_visible()
    # Ctrl+K opens it again; typing a word and Enter lists the pages
    v.page.keyboard.press("Control+k")
    v.page.wait_for_selector("#pst-search-dialog[open]", timeout=5_000)
    v.page.keyboard.type("economie")
    v.page.keyboard.press("Enter")
    v.page.wait_for_url("**/search.html?q=economie*", timeout=5_000)
    v.page.wait_for_selector("#search-results ul.search li a", timeout=10_000)
    assert v.page.locator("#search-results ul.search li a").count() > 0


ZOOM_RESET = ".js-plotly-plot:has(.cartesianlayer .subplot.xy) .modebar-btn[data-attr='zoom'][data-val='reset']"


def _cartesian_chart_page(visit, html_pages, html_dir):
    """The first page with an x/y chart that has its toolbar (maps have other buttons)."""
    for path in html_pages:
        if "plotly-graph-div" not in path.read_text(encoding="utf-8"):
            continue
        v = visit(_rel(path, html_dir))
        v.page.wait_for_function("[...document.querySelectorAll('.plotly-graph-div')]"
                                 ".every(d => d.querySelector('.main-svg'))", timeout=10_000)
        if v.page.locator(ZOOM_RESET).count():
            return v
    raise AssertionError("no page has an x/y chart with its toolbar")


def test_chart_controls_work_from_the_keyboard(visit, html_pages, html_dir):
    v = _cartesian_chart_page(visit, html_pages, html_dir)
    page = v.page
    xrange = ("() => JSON.stringify(document.activeElement.closest('.plotly-graph-div')"
              "._fullLayout.xaxis.range)")
    # the toolbar (download as PNG, reset: rtes_edition/output.py toolbar) is always shown;
    # a reader who zoomed with the mouse or a finger gets the first view back from the keyboard
    _tab_until(page, ZOOM_RESET)
    page.wait_for_function("getComputedStyle(document.activeElement"
                           ".closest('.modebar-group')).opacity === '1'", timeout=3_000)
    before = page.evaluate(xrange)
    page.evaluate("""() => { const gd = document.activeElement.closest('.plotly-graph-div');
        const [a, b] = gd._fullLayout.xaxis.range;
        return window.Plotly.relayout(gd, {'xaxis.range': [a, a + (b - a) / 2]}); }""")
    page.wait_for_function(f"({xrange})() !== {before!r}", timeout=3_000)
    page.keyboard.press("Enter")
    page.wait_for_function(f"({xrange})() === {before!r}", timeout=3_000)
    # the folded data table opens and closes with Enter
    _tab_until(page, ".rtes-chart-details > summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open")
    assert page.locator(".rtes-chart-details table").first.is_visible()
    page.keyboard.press("Enter")
    assert not page.evaluate("document.activeElement.parentElement.open")


def test_explorer_lists_work_from_the_keyboard(visit):
    """The explorer's drop-down lists, drawn by plotly.js in SVG, made operable and named
    by book/assets/rtes-explorer.js: Tab reaches a list, Enter opens it, the arrows move
    among its choices, Enter chooses one (the chart follows), Escape closes it unchanged."""
    v = visit("notebooks/explorateur.html")
    page = v.page
    page.wait_for_selector("#graphique-explorateur .main-svg")
    header = "#graphique-explorateur .updatemenu-header-group"
    focused = "(name) => document.activeElement.getAttribute(name)"
    everything = json.loads(page.evaluate(EXPLORER_SHOWN))
    _tab_until(page, f"{header}[aria-label^='Catégorie']")
    assert page.evaluate(focused, "role") == "button"
    assert page.evaluate(focused, "aria-haspopup") == "listbox"
    assert page.evaluate(focused, "aria-expanded") == "false"
    assert page.evaluate(focused, "aria-label") == "Catégorie\u00a0: toutes — ouvrir la liste"
    outline = "getComputedStyle(document.activeElement).outlineStyle"
    assert page.evaluate(outline) != "none", "no visible focus on the list"
    category = page.locator(header).first
    # Enter opens the list, the focus on its current choice
    page.keyboard.press("Enter")
    assert category.get_attribute("aria-expanded") == "true"
    assert page.evaluate(focused, "role") == "option"
    assert page.evaluate(focused, "aria-selected") == "true"
    assert page.evaluate("document.activeElement.closest('[role=listbox]') !== null")
    for _ in range(20):
        if page.evaluate(focused, "aria-label") == "Catégorie\u00a0: emploi":
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError("ArrowDown never reached « Catégorie : emploi »")
    assert page.evaluate(outline) != "none", "no visible focus on the choice"
    # Enter chooses it: only the emploi points, the list closed, the focus back on it
    page.keyboard.press("Enter")
    page.wait_for_function(f"JSON.parse({EXPLORER_SHOWN}).every(p => p[0] === 'emploi')", timeout=5_000)
    emploi = json.loads(page.evaluate(EXPLORER_SHOWN))
    assert 0 < len(emploi) < len(everything)
    page.wait_for_function(f"{EXPLORER_DRAWN} === {len(emploi)}", timeout=5_000)
    assert page.evaluate(f"document.activeElement.matches('{header}')")
    assert page.evaluate(focused, "aria-expanded") == "false"
    assert page.evaluate(focused, "aria-label") == "Catégorie\u00a0: emploi — ouvrir la liste"
    # Escape closes an open list without changing the choice
    page.keyboard.press("Enter")
    assert category.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.evaluate(f"document.activeElement.matches('{header}')")
    assert page.evaluate(focused, "aria-expanded") == "false"
    assert page.evaluate(focused, "aria-label") == "Catégorie\u00a0: emploi — ouvrir la liste"
    assert page.locator("#graphique-explorateur .updatemenu-dropdown-button").count() == 0
    page.wait_for_timeout(300)
    assert json.loads(page.evaluate(EXPLORER_SHOWN)) == emploi
    assert v.console_errors == [], v.console_errors
    assert v.foreign_requests == [], v.foreign_requests
