"""Every page of the built site, as a reader's browser sees it.

Written over whatever pages the build produced, so that a new chapter or notebook is
checked without touching this file. The pages are opened once for the session
(``site_pass`` in conftest.py), for these tests, axe-core's and the sub-path's.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup
from conftest import PDF, SEARCH_DONE, PageVisit


def rel(page: Path, html_dir: Path) -> str:
    return page.relative_to(html_dir).as_posix()


def test_every_page_loads_without_console_error(site_pass):
    errors = {p: r["console"] for p, r in site_pass.items() if r["console"]}
    assert errors == {}


def test_no_page_requests_another_host(site_pass):
    foreign = {p: r["foreign"] for p, r in site_pass.items() if r["foreign"]}
    assert foreign == {}


def test_every_chart_is_drawn(site_pass):
    assert sum(r["charts"] for r in site_pass.values()) > 0, "no chart in the whole site"
    undrawn = [p for p, r in site_pass.items() if r["charts"] and not r["drawn"]]
    assert undrawn == [], f"charts not drawn within 20 s on {undrawn}"


def test_every_image_has_a_text_alternative(site_pass):
    missing = {p: r["unlabelled"] for p, r in site_pass.items() if r["unlabelled"]}
    assert missing == {}


# --- links and anchors, read from the HTML files -----------------------------------

def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _ids(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        soup = _soup(path)
        cache[path] = {t["id"] for t in soup.find_all(id=True)} | {
            t["name"] for t in soup.find_all("a", attrs={"name": True})}
    return cache[path]


def _internal_targets(page: Path):
    soup = _soup(page)
    for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                      ("source", "src"), ("area", "href")):
        for el in soup.find_all(tag, attrs={attr: True}):
            url = el[attr].strip()
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                continue  # absolute URL: a link out, not a request (checked in Chromium)
            yield url, parts


def test_every_internal_link_and_anchor_resolves(html_dir, html_pages, browser, site_url):
    broken, ids, checked = [], {}, 0
    drawn_later: dict[Path, dict[str, list[str]]] = {}  # target -> fragment -> linking pages
    for page in html_pages:
        for url, parts in _internal_targets(page):
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.exists() or html_dir.resolve() not in [target, *target.parents]:
                broken.append(f"{rel(page, html_dir)}: {url} (no file)")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _ids(target, ids):
                drawn_later.setdefault(target, {}).setdefault(fragment, []).append(
                    rel(page, html_dir))
    # ids that a script of the target page creates (a table drawn in the browser): look
    # for them in the page as the reader's browser has it
    for target, fragments in drawn_later.items():
        v = PageVisit(browser, f"{site_url}/{rel(target, html_dir)}", site_url)
        try:
            v.page.wait_for_function("(ids) => ids.every(id => document.getElementById(id))",
                                     arg=list(fragments), timeout=30_000)
        except Exception:
            pass
        present = v.page.evaluate("(ids) => ids.filter(id => document.getElementById(id))",
                                  list(fragments))
        v.close()
        broken += [f"{', '.join(sorted(set(pages))[:3])}: {rel(target, html_dir)}#{f} (no id)"
                   for f, pages in fragments.items() if f not in present]
    assert checked > 100, f"only {checked} internal links found"
    assert broken == []


# --- search -----------------------------------------------------------------------

def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe")


def _chapter_words(html_dir: Path, html_pages: list[Path]) -> dict[str, str]:
    """For each chapter, its most distinctive accented word (in as few pages as possible),
    taken from the prose that Sphinx indexes (not code, chart output or navigation)."""
    words_of = {}
    for page in html_pages:
        article = _soup(page).find("article")
        if article is None or page.name in ("search.html", "genindex.html"):
            continue
        for skip in article.select("pre, script, style, .cell_output, .rtes-chart, "
                                   ".headerlink, .toctree-wrapper"):
            skip.decompose()
        words = re.findall(r"\w{7,}", article.get_text(" "))
        words_of[rel(page, html_dir)] = {w.lower() for w in words}
    spread = Counter(w for ws in words_of.values() for w in ws)
    chosen = {}
    for page, words in words_of.items():
        accented = sorted((w for w in words if fold(w) != w and not w.isdigit()),
                          key=lambda w: (spread[w], -len(w), w))
        if accented:
            chosen[page] = accented[0]
    return chosen


def _search(page, site_url: str, query: str) -> list[str]:
    page.goto(f"{site_url}/search.html?q={query}", wait_until="load")
    page.wait_for_function(SEARCH_DONE, timeout=10_000)
    return page.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href').split('#')[0].split('?')[0])")


def test_search_finds_each_chapter_with_and_without_accents(browser, site_url, html_dir,
                                                            html_pages):
    words = _chapter_words(html_dir, html_pages)
    chapters = [rel(p, html_dir) for p in html_pages
                if p.parent != html_dir and (p.name != "index.html")]
    missing_word = [c for c in chapters if c not in words]
    assert missing_word == [], f"no accented word found in {missing_word}"
    context = browser.new_context()
    page = context.new_page()
    misses = []
    try:
        for chapter, word in words.items():
            for query in (word, fold(word)):
                found = _search(page, site_url, query)
                if chapter not in found:
                    misses.append(f"« {query} » does not find {chapter} (found {found[:5]})")
    finally:
        context.close()
    assert misses == []


def test_search_folds_accents_both_ways(browser, site_url):
    """« coopération » and « cooperation », « économie » and « economie » find the same
    pages: the accent-folding search of book/_ext/french_search.py."""
    context = browser.new_context()
    page = context.new_page()
    try:
        for accented, bare in (("coopération", "cooperation"), ("économie", "economie")):
            with_accents = _search(page, site_url, accented)
            assert with_accents, f"« {accented} » finds nothing"
            assert sorted(_search(page, site_url, bare)) == sorted(with_accents)
    finally:
        context.close()


# --- the PDF ----------------------------------------------------------------------

def test_pdf_linked_from_the_book_opens(visit, site_url, html_dir):
    v = visit("book/index.html")
    link = v.page.locator("article a[href$='.pdf']").first
    href = link.get_attribute("href")
    assert href, "the index page has no link to the PDF"
    response = v.context.request.get(urljoin(v.page.url, href))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert href.endswith(PDF.name) and len(body) == PDF.stat().st_size
