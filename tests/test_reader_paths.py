"""The three ways readers use the book, with the real clients: the notebooks rerun in the
project's JupyterLab (Run All Cells, in Chromium), every page of the site opened from disk
(``file://``), and the offline copy unzipped and opened from disk."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, JupyterLab
from playwright.sync_api import TimeoutError as PlaywrightTimeout

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIGURE_ROWS = sum(1 for _ in csv.DictReader(open(ROOT / "data" / "figures.csv", encoding="utf-8")))
MEETINGS = list(csv.DictReader(open(ROOT / "data" / "meetings.csv", encoding="utf-8")))
OFFLINE = "actes-territoires-ess-2013-hors-ligne.zip"
# plotly.js's French strings (plotly.js-locales), as the toolbar shows them
FRENCH_TOOLBAR = "Télécharger le graphique en fichier PNG"

DRAWN = "els => els.filter(e => e.querySelector('svg.main-svg')).length"


def site_charts(page: Path) -> int:
    """Charts of a site page, as written in its HTML."""
    return len(BeautifulSoup(page.read_text("utf-8"), "html.parser").select(".rtes-chart .plotly-graph-div"))


class Watched:
    """A Chromium page with its console errors and its requests to other hosts."""

    def __init__(self, context, local: tuple[str, ...]):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith(local + ("data:", "blob:"))
                     else self.foreign.append(r.url))


# --- JupyterLab -------------------------------------------------------------------------

@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def lab_runs(jupyterlab, browser, html_dir, tmp_path_factory):
    """Every notebook opened in JupyterLab and run with Run › Run All Cells, once."""
    shots = tmp_path_factory.mktemp("lab-shots")
    before = {n: n.read_bytes() for n in NOTEBOOKS}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    runs = {}
    try:
        for notebook in NOTEBOOKS:
            watched = Watched(context, (jupyterlab.url,))
            page = watched.page
            # ?reset: only this notebook (JupyterLab would reopen the previous one)
            page.goto(f"{jupyterlab.url}/lab/tree/{notebook.name}?reset&token={JupyterLab.TOKEN}")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
            # the kernel started and idle (status bar: « Python 3 (ipykernel) | Idle »)
            page.wait_for_function("() => /\\| Idle/.test(document.querySelector('#jp-main-statusbar')"
                                   "?.textContent || '')", timeout=90_000)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
            # every code cell numbered, none running ([*])
            page.wait_for_function(
                """() => {
                    const prompts = [...document.querySelectorAll(
                        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
                        .map(p => p.textContent.trim());
                    return prompts.length && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
                }""", timeout=240_000)
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            expected = site_charts(html_dir / "notebooks" / f"{notebook.stem}.html")
            try:  # the last charts are drawn after the last cell ran, later on a slow machine
                page.wait_for_function(
                    "n => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot')]"
                    ".filter(e => e.querySelector('svg.main-svg')).length >= n", arg=expected, timeout=30_000)
            except PlaywrightTimeout:
                pass  # the test says how many were drawn
            assert panel.count() == 1
            runs[notebook.stem] = {
                "drawn": panel.locator(".js-plotly-plot").evaluate_all(DRAWN),
                "empty": panel.locator(".jp-OutputArea-output").evaluate_all(
                    "els => els.filter(e => e.querySelector('.plotly-graph-div')"
                    " && !e.querySelector('svg.main-svg')).length"),
                "toolbar": panel.locator(".modebar-btn").evaluate_all(
                    "els => els.map(e => e.getAttribute('data-title'))"),
                "geo_paths": panel.locator(".geo .choroplethlocation").count(),
                "land": panel.locator(".geo .layer.land path, .geo path.land").count(),
                "options": panel.locator(".widget-dropdown select").evaluate_all(
                    "els => els.map(s => [...s.options].map(o => o.textContent))"),
                "tables": panel.locator(".jp-RenderedHTMLCommon table").count(),
                "toasts": page.locator(".Toastify__toast").all_text_contents(),
                "errors": watched.errors, "foreign": watched.foreign,
                "expected": expected,
            }
            if runs[notebook.stem]["options"]:
                # a choice in the widgets' first list redraws the chart below them
                panel.locator(".widget-dropdown select").first.select_option(index=1)
                page.wait_for_function(
                    "drawn => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot')]"
                    ".filter(e => e.querySelector('svg.main-svg')).length > drawn",
                    arg=runs[notebook.stem]["drawn"], timeout=60_000)
                runs[notebook.stem]["after_choice"] = panel.locator(".js-plotly-plot").evaluate_all(DRAWN)
                panel.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"{notebook.stem}.png"))
            # leave the kernel: one at a time on a small machine
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Kernel$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Shut Down Kernel$")).click()
            page.wait_for_timeout(500)
            page.close()
    finally:
        context.close()
    print(f"JupyterLab screenshots: {shots}")
    assert {n: n.read_bytes() for n in NOTEBOOKS} == before, "JupyterLab saved a notebook of the repository"
    return runs


@pytest.mark.parametrize("notebook", [n.stem for n in NOTEBOOKS])
def test_jupyterlab_run_all_draws_every_chart_of_the_page(lab_runs, notebook):
    run = lab_runs[notebook]
    assert run["expected"] > 0
    assert run["drawn"] == run["expected"], run
    assert run["empty"] == 0, "a chart's box stayed empty"
    assert run["errors"] == [], run["errors"]
    assert run["foreign"] == [], "JupyterLab asked another host: " + ", ".join(run["foreign"])
    assert run["toasts"] == [], f"a pop-up: {run['toasts']}"


def test_jupyterlab_charts_are_in_french(lab_runs):
    for notebook, run in lab_runs.items():
        assert FRENCH_TOOLBAR in run["toolbar"], (notebook, run["toolbar"][:6])
        assert "Download plot as a PNG" not in run["toolbar"], notebook


def test_jupyterlab_map_has_its_regions_and_base_map(lab_runs):
    run = lab_runs["carte"]
    assert run["geo_paths"] >= 22, run  # the 22 regions of 2013
    assert run["land"] >= 1, run  # the base map (europe_50m), read from the output itself


def test_jupyterlab_explorer_table_and_widget_lists(lab_runs):
    run = lab_runs["explorateur"]
    assert run["tables"] >= 1, "the explorer's table is missing in JupyterLab"
    assert len(run["options"]) == 3, run["options"]
    meetings = [o.replace("\xa0", " ") for o in run["options"][0]]  # ipywidgets' spaces
    # « toutes », then meetings by their names, never their ids
    assert meetings[0] == "toutes" and len(meetings) > 2, meetings
    assert set(meetings[1:]) <= {m["name"] for m in MEETINGS}, f"not a meeting's name: {meetings}"
    assert run["after_choice"] == run["drawn"] + 1, "no chart drawn for the chosen meeting"


def test_jupyterlab_settings_ask_no_news(jupyterlab):
    # the project's overrides become the defaults of the settings' schema
    settings = jupyterlab.get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    defaults = {k: v.get("default") for k, v in settings["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False, defaults
    assert jupyterlab.get("/lab/api/news") == {"news": []}


# --- From disk --------------------------------------------------------------------------

def open_from_disk(browser, page_path: Path, query: str = "") -> dict:
    """``page_path`` opened by its file:// address, as by a double-click."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        watched = Watched(context, ("file://",))
        page = watched.page
        page.goto(page_path.as_uri() + query, wait_until="load")
        expected = page.locator(".rtes-chart .plotly-graph-div").count()
        if expected:
            page.wait_for_function(f"() => document.querySelectorAll('.rtes-chart svg.main-svg').length >= {expected}",
                                   timeout=30_000)
        if page.locator("#explorateur-chiffres").count():
            page.wait_for_function(f"() => document.querySelectorAll('#explorateur-chiffres tbody tr')"
                                   f".length >= {FIGURE_ROWS}", timeout=30_000)
        if query.startswith("?q="):
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0",
                                   timeout=30_000)
        page.wait_for_timeout(300)
        return {
            "expected": expected,
            "drawn": page.locator(".rtes-chart .js-plotly-plot").evaluate_all(DRAWN),
            "geo_paths": page.locator(".geo .choroplethlocation").count(),
            "land": page.locator(".geo .layer.land path, .geo path.land").count(),
            "rows": page.locator("#explorateur-chiffres tbody tr").count(),
            "sorted": _sorts(page) if page.locator("#explorateur-chiffres").count() else None,
            "results": page.locator("#search-results li").count(),
            "errors": watched.errors, "foreign": watched.foreign,
        }
    finally:
        context.close()


def _sorts(page) -> bool:
    """The explorer's table sorts (a click on a column's header) and filters (its search)."""
    first = page.locator("#explorateur-chiffres tbody tr").first.text_content()
    # the visible header (DataTables draws a copy of it when the table scrolls)
    header = page.locator("#explorateur-chiffres_wrapper thead th:visible", has_text="valeur citée").first
    header.locator(".dt-column-order").click()  # DataTables' sort button in the header
    try:  # redrawn at once, or a little later on a slow machine: wait for it, not a set time
        page.wait_for_function("first => document.querySelector('#explorateur-chiffres tbody tr')"
                               "?.textContent !== first", arg=first, timeout=10_000)
    except PlaywrightTimeout:
        pass  # not sorted: said below
    sorted_first = page.locator("#explorateur-chiffres tbody tr").first.text_content()
    page.locator("#explorateur-chiffres_wrapper input.dt-input").first.fill("Grenoble")
    try:
        page.wait_for_function(f"() => document.querySelectorAll('#explorateur-chiffres tbody tr').length"
                               f" < {FIGURE_ROWS}", timeout=10_000)
    except PlaywrightTimeout:
        pass  # not filtered: said below
    filtered = page.locator("#explorateur-chiffres tbody tr").count()
    return (header.get_attribute("aria-sort") in {"ascending", "descending"} and sorted_first != first
            and 0 < filtered < FIGURE_ROWS)


@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def from_disk(browser, html_dir, html_pages) -> dict[str, dict]:
    """Every page of the site opened once from disk (what the tests below read of it)."""
    return {path.relative_to(html_dir).as_posix(): open_from_disk(browser, path) for path in html_pages}


def test_every_page_works_from_disk(from_disk):
    broken = [f"{path}: {seen}" for path, seen in from_disk.items()
              if seen["drawn"] != seen["expected"] or seen["errors"] or seen["foreign"]]
    assert broken == []


def test_map_and_explorer_from_disk(from_disk):
    seen = from_disk["notebooks/carte.html"]
    assert seen["geo_paths"] >= 22 and seen["land"] >= 1, seen
    seen = from_disk["notebooks/explorateur.html"]
    assert seen["rows"] == FIGURE_ROWS and seen["sorted"], seen
    assert seen["errors"] == [], seen


def test_search_lists_results_from_disk(browser, html_dir):
    # From disk, the results are listed by their titles only: the extracts under them
    # would need a request per page, which the browser refuses (book/assets/rtes-search-from-disk.js).
    seen = open_from_disk(browser, html_dir / "search.html", "?q=economie")
    assert seen["results"] > 0 and seen["errors"] == [], seen


# --- The offline copy -------------------------------------------------------------------

@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def unzipped(html_dir, tmp_path_factory) -> Path:
    archive = html_dir / OFFLINE
    assert archive.is_file(), f"no offline copy at the site's root: {archive}"
    target = tmp_path_factory.mktemp("hors-ligne")
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)
    return target / "actes-territoires-ess-2013"


def test_offline_copy_has_every_page_and_what_they_need(html_dir, unzipped):
    site = {p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*") if p.is_file()}
    copy = {p.relative_to(unzipped).as_posix() for p in unzipped.rglob("*") if p.is_file()}
    left_out = site - copy
    # only what the site offers to download on its own: the PDF, the EPUB, the data zip
    assert left_out == {"actes-territoires-ess-2013.pdf", "actes-territoires-ess-2013.epub",
                        OFFLINE, ".buildinfo"} | {
        name for name in site if re.fullmatch(r"donnees/[^/]+\.zip", name)}, sorted(left_out)
    assert copy <= site


def test_offline_copy_opens_with_a_double_click(browser, unzipped):
    seen = open_from_disk(browser, unzipped / "index.html")
    assert seen["errors"] == [] and seen["foreign"] == [], seen
    seen = open_from_disk(browser, unzipped / "notebooks" / "carte.html")
    assert seen["drawn"] == seen["expected"] == 1 and seen["geo_paths"] >= 22 and seen["land"] >= 1, seen
    assert seen["errors"] == [] and seen["foreign"] == [], seen
    seen = open_from_disk(browser, unzipped / "notebooks" / "explorateur.html")
    assert seen["drawn"] == seen["expected"] and seen["rows"] == FIGURE_ROWS and seen["sorted"], seen
    assert seen["errors"] == [] and seen["foreign"] == [], seen


def test_offline_copy_is_offered_in_the_download_menu_and_the_colophon(html_dir):
    for page in (html_dir / "book" / "colophon.html", html_dir / "notebooks" / "carte.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        links = [a for a in soup.select("a[href]") if a["href"].endswith(OFFLINE)]
        assert links, f"{page}: no link to {OFFLINE}"
        for link in links:
            assert (page.parent / link["href"]).resolve() == (html_dir / OFFLINE).resolve()
    menu = BeautifulSoup((html_dir / "book" / "colophon.html").read_text("utf-8"), "html.parser")
    assert "Lire hors ligne" in menu.select_one(".dropdown-download-buttons").get_text()
