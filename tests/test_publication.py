"""The publication apparatus: French interface, downloads, citation, licences, metadata,
the colophon and the execution report, and no button to a service the book cannot reach."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, SEARCH_DONE, lab_command

VENV_BIN = Path(sys.executable).parent
# cffconvert has its own environment inside the book's (see tools/requirements-cffconvert.txt)
CFFCONVERT = Path(sys.prefix) / "cffconvert" / "bin" / "cffconvert"
SOURCE = ROOT / "data" / "source" / "actes-territoires-ess-2013.ocr.txt"
PACKAGE = ROOT / "data" / "datapackage.json"
# The public address the book was built for, if any (`make test` builds with the same
# environment; the publishing workflow sets it).
SITE_URL = os.environ.get("RTES_SITE_URL", "").strip()
SITE_URL = SITE_URL.rstrip("/") + "/" if SITE_URL else ""


def toc_notebooks() -> list[Path]:
    """The notebooks of the book, as _toc.yml lists them."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
    files = [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]

# Interface strings that Jupyter Book v1 and its themes leave in English, matched as whole
# words (case-sensitive: the proceedings are French, their few English names are proper
# nouns such as « Imagination for People », which none of these match).
ENGLISH_UI = [
    "Toggle", "primary sidebar", "secondary sidebar", "Copyright", "Show code", "Hide code",
    "code cell", "Search", "Contents", "Download", "Fullscreen", "Full screen", "Previous",
    "Next", "Launch", "Binder", "Colab", "JupyterHub", "Live Code", "Print to PDF",
    "Skip to main content", "Back to top", "Last updated", "Created using", "Built with",
    "Theme", "Light", "Dark", "System settings", "Edit this page", "Open an issue",
    "Source repository", "repository", "On this page", "Table of Contents",
    "Section Navigation", "Site navigation", "Click to show", "Click to hide",
    "Copy to clipboard", "Copied", "Announcement", "Version switcher", "Project name not set",
    "Hide Search Matches", "Search Results", "Searching", "Please activate JavaScript",
    "Download source file", "Download this page", "Modified", "Method", "Run Time", "Status",
    "Reset axes", "Autoscale", "Download plot", "Produced with Plotly",
]
# Whole attribute values that are English on their own.
ENGLISH_LABELS = {"Main", "By", "Page navigation", "Close", "Open"}
UI_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH_UI)) + r")(?![\w-])")
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-title", "data-tooltip",
              "data-bs-title")


def english_in(html_text: str) -> list[str]:
    """English interface strings in a page's visible text and its labelling attributes."""
    soup = BeautifulSoup(html_text, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    found = []
    for element in soup.find_all(True):
        for attribute in ATTRIBUTES:
            value = element.get(attribute)
            if isinstance(value, str) and value.strip():
                if value.strip() in ENGLISH_LABELS or UI_PATTERN.search(value):
                    found.append(f'{attribute}="{value.strip()}"')
    for text in soup.stripped_strings:
        if text in ENGLISH_LABELS or text.startswith("By ") or UI_PATTERN.search(text):
            found.append(text)
    return found


def test_the_english_detector_finds_what_the_theme_writes_by_default():
    page = ('<button title="Toggle primary sidebar"></button><nav aria-label="Main"></nav>'
            '<p>© Copyright 2013 RTES.</p><p class="author">By RTES</p>'
            '<input placeholder="Search this book..."><summary>Show code cell source</summary>'
            '<script>var x = "Search";</script><p>Imagination for People, Brest Creative</p>')
    assert english_in(page) == ['title="Toggle primary sidebar"', 'aria-label="Main"',
                                'placeholder="Search this book..."',
                                "© Copyright 2013 RTES.", "By RTES", "Show code cell source"]


def test_no_english_interface_string_in_any_page(html_pages):
    found = {str(p): english_in(p.read_text("utf-8")) for p in html_pages}
    assert {page: strings for page, strings in found.items() if strings} == {}


def test_no_english_interface_string_once_scripts_have_run(visit, html_dir):
    """What the scripts add (chart toolbars, tables, copy buttons, search results) is
    French too: every notebook page, the apparatus pages and a search, in Chromium."""
    paths = [p.relative_to(html_dir).as_posix()
             for p in sorted((html_dir / "notebooks").glob("*.html"))]
    paths += ["book/colophon.html", "book/execution.html", "search.html?q=RTES"]
    found = {}
    for path in paths:
        v = visit(path)
        if v.page.locator(".plotly-graph-div").count():
            v.page.wait_for_selector(".modebar-btn", state="attached", timeout=10_000)
        if path.startswith("search"):
            v.page.wait_for_function(SEARCH_DONE, timeout=10_000)  # the summary is text too
        strings = english_in(v.page.content())
        if strings:
            found[path] = strings
    assert found == {}


def test_apparatus_pages_make_no_request_elsewhere_and_no_error(visit):
    for path in ["book/colophon.html", "book/executer.html", "book/execution.html"]:
        v = visit(path)
        assert v.foreign_requests == [] and v.console_errors == [], path


def _pdftotext(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_pdf_has_no_english_interface_string_and_has_the_apparatus(pdf_path):
    text = _pdftotext(pdf_path)
    assert UI_PATTERN.findall(text) == []
    for title in ["À propos de cette édition", "Exécuter les carnets", "État de l’exécution",
                  "Licences", "Citer cette édition"]:
        assert title in text.replace("'", "’"), f"« {title} » missing from the PDF"


def test_pdf_metadata(pdf_path):
    info = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True,
                          text=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    assert fields["Title"] == "Territoires & ESS — Coopérer pour changer d’échelle"
    assert fields["Author"] == "RTES"
    assert "26 juin et 12 septembre 2013" in fields["Subject"]
    assert "économie sociale et solidaire" in fields["Keywords"]
    assert re.search(r"\d{4}", fields["CreationDate"]), fields
    title_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf_path), "-"],
                                check=True, capture_output=True, text=True).stdout
    title_page = re.sub(r"\s+", " ", title_page)  # where the lines break is layout
    assert "Actes de la journée nationale du 26 juin 2013" in title_page
    assert "rencontres territoriales du 12 septembre 2013" in title_page
    assert "Édition numérique" in title_page


# --- downloads ----------------------------------------------------------------------------

def _links(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    return [a["href"] for a in soup.select("article a[href]")]


def _target(page: Path, href: str) -> Path:
    return (page.parent / href.split("#")[0]).resolve()


def test_pdf_download_is_linked_and_is_a_pdf(html_dir, pdf_path):
    for page in [html_dir / "book" / "index.html", html_dir / "book" / "colophon.html"]:
        hrefs = [h for h in _links(page) if h.endswith(".pdf")]
        assert hrefs, f"no PDF link in {page}"
        for href in hrefs:
            assert _target(page, href) == pdf_path.resolve()
    assert pdf_path.read_bytes()[:5] == b"%PDF-"


def test_every_notebook_is_offered_as_ipynb(html_dir):
    notebooks = toc_notebooks()
    assert notebooks
    for source in notebooks:
        page = html_dir / source.relative_to(ROOT).with_suffix(".html")
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        hrefs = [a["href"] for a in soup.select(".dropdown-download-buttons a[href]")
                 if a["href"].endswith(".ipynb")]
        assert hrefs, f"no .ipynb download on {page}"
        served = _target(page, hrefs[0])
        notebook = nbformat.read(served, as_version=4)
        nbformat.validate(notebook)
        assert served.read_bytes() == source.read_bytes()


def test_data_downloads_are_listed_and_open(html_dir, tmp_path):
    page = html_dir / "book" / "colophon.html"
    hrefs = [h for h in _links(page) if "donnees/" in h]
    package = json.loads(PACKAGE.read_text("utf-8"))
    tables = [r["path"] for r in package["resources"]]
    names = {Path(h).name for h in hrefs}
    assert names == {f"{package['name']}.zip", "datapackage.json", *tables}
    for href in hrefs:
        assert _target(page, href).is_file(), href

    site = html_dir / "donnees"
    for table in tables:  # each table as published is the table of the repository
        assert (site / table).read_bytes() == (ROOT / "data" / table).read_bytes()
        rows = list(csv.reader(io.StringIO((site / table).read_text("utf-8"))))
        assert len(rows) > 1
    published = json.loads((site / "datapackage.json").read_text("utf-8"))
    assert [r["name"] for r in published["resources"]] == [r["name"] for r in
                                                          package["resources"]]

    with zipfile.ZipFile(site / f"{package['name']}.zip") as archive:
        assert archive.testzip() is None
        listed = set(archive.namelist())
        assert {"datapackage.json", "README.md", *tables} <= listed
        archive.extractall(tmp_path)
    from rtes_edition.data import load_package

    loaded = load_package(tmp_path / "datapackage.json")  # validates every table
    assert set(loaded) == {r["name"] for r in package["resources"]}


def test_each_chart_downloads_as_png_offline(visit, html_dir, tmp_path):
    """The camera button of each chart's toolbar saves a PNG, with no other host."""
    pages = [p for p in sorted((html_dir / "notebooks").glob("*.html"))
             if 'class="rtes-chart"' in p.read_text("utf-8")]
    assert pages, "no chart in the site"
    for page in pages:
        v = visit(page.relative_to(html_dir).as_posix())
        charts = v.page.locator(".rtes-chart .plotly-graph-div")
        v.page.wait_for_selector(".rtes-chart .plotly-graph-div .main-svg", timeout=10_000)
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            chart.hover()
            button = chart.locator('.modebar-btn[data-attr="format"], '
                                   '.modebar-btn[data-title*="PNG"]').first
            assert button.get_attribute("data-title") == \
                "Télécharger le graphique en fichier PNG"
            with v.page.expect_download(timeout=15_000) as download_info:
                button.click()
            download = download_info.value
            saved = tmp_path / f"{page.stem}-{index}.png"
            download.save_as(saved)
            assert download.suggested_filename.endswith(".png")
            assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert saved.stat().st_size > 10_000
        assert v.foreign_requests == [] and v.console_errors == [], page


# --- colophon, execution report -----------------------------------------------------------

def _article(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("article")


def test_colophon_states_only_what_the_source_says(html_dir):
    article = _article(html_dir / "book" / "colophon.html")
    section = article.find(id="colophon-publication").find_parent("section")
    text = section.get_text(" ", strip=True)
    for fact in ["26 juin 2013", "Assemblée nationale", "12 septembre 2013", "Rennes",
                 "Bordeaux", "Nancy", "Grenoble", "visio-conférence"]:
        assert fact in text
    # every number given about the original publication is in the OCR text
    source = SOURCE.read_text("utf-8")
    for number in set(re.findall(r"\d+", text)):
        assert re.search(rf"(?<!\d){number}(?!\d)", source), f"{number} is not in the source"
    hrefs = [a["href"] for a in article.select("a[href]")]
    assert any("note-edition.html" in h for h in hrefs)
    assert any("execution.html" in h for h in hrefs)
    assert any("executer.html" in h for h in hrefs)


def test_execution_report_lists_every_notebook_in_french(html_dir):
    article = _article(html_dir / "book" / "execution.html")
    tables = article.select("table")
    assert len(tables) == 2
    exec_table, versions = tables
    headers = [th.get_text(strip=True) for th in exec_table.select("thead th")]
    assert headers == ["Carnet", "Exécuté le", "Mode", "Durée (s)", "Résultat"]
    rows = exec_table.select("tbody tr")
    assert len(rows) == len(toc_notebooks())
    for row in rows:
        cells = [td.get_text(strip=True) for td in row.select("td")]
        assert row.select_one("a[href]") is not None
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d h \d\d", cells[1])
        assert cells[2] in {"cache", "exécution"}
        assert cells[4] == "réussie"

    listed = {tr.select("td")[0].get_text(strip=True): tr.select("td")[1].get_text(strip=True)
              for tr in versions.select("tbody tr")}
    for name in ["jupyter-book", "Sphinx", "myst-nb", "plotly", "pandas", "frictionless"]:
        assert listed[name] == metadata.version(name), name
    assert listed["Python"] == ".".join(map(str, sys.version_info[:3]))


# --- citation and licences ---------------------------------------------------------------

def test_citation_cff_is_valid(tmp_path):
    assert CFFCONVERT.exists(), f"{CFFCONVERT} is missing: run `make deps`"
    ok = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(ROOT / "CITATION.cff")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "CITATION.cff"  # the validator does reject a bad file
    broken.write_text((ROOT / "CITATION.cff").read_text("utf-8")
                      .replace("  - MIT\n", "  - not-a-licence\n"), encoding="utf-8")
    bad = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(broken)],
                         capture_output=True, text=True)
    assert bad.returncode != 0


def test_citation_agrees_with_the_repository(html_dir):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text("utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert cff["version"] == project["version"]
    assert set(cff["license"]) == {"MIT", "etalab-2.0"}
    assert "RTES" in cff["authors"][0]["name"]
    original = cff["references"][0]
    assert str(original["conference"]["date-start"]) == "2013-06-26"
    assert str(original["conference"]["date-end"]) == "2013-09-12"
    colophon = _article(html_dir / "book" / "colophon.html").get_text(" ", strip=True)
    assert f"version {cff['version']}" in colophon


def test_licences_are_stated():
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
    package = json.loads(PACKAGE.read_text("utf-8"))
    assert [lic["name"] for lic in package["licenses"]] == ["etalab-2.0"]
    colophon = (ROOT / "book" / "colophon.md").read_text("utf-8")
    for statement in ["reste celui du RTES", "Licence Ouverte", "licence MIT"]:
        assert statement in colophon


# --- metadata -----------------------------------------------------------------------------

def _is_redirect(page: Path) -> bool:
    return 'http-equiv="Refresh"' in page.read_text("utf-8")[:1000]


def test_every_page_has_a_french_description_and_opengraph_tags(html_pages):
    for page in html_pages:
        if _is_redirect(page):  # the site root only forwards to the book's first page
            continue
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        meta = {(m.get("property") or m.get("name")): m.get("content")
                for m in soup.find_all("meta")}
        for tag in ["og:title", "og:type", "og:site_name", "og:description", "description"]:
            assert meta.get(tag), f"{page}: no {tag}"
        assert meta["og:locale"] == "fr_FR", page
        assert re.search(r"\b(les?|la|des?|du|et|aux?)\b", meta["description"], re.I), \
            meta["description"]
        # with no public address given at build time: no relative og:url (the workflow
        # gives one: then it is absolute); never a canonical link
        if SITE_URL:
            assert meta["og:url"].startswith(SITE_URL), page
        else:
            assert "og:url" not in meta, page
        assert soup.find("link", rel="canonical") is None, page


def test_site_address_comes_from_the_environment(monkeypatch):
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import publication
    finally:
        sys.path.pop(0)
    from sphinx.errors import ConfigError

    class Config:
        site_url = "./"
        ogp_site_url = ""

    monkeypatch.setenv("RTES_SITE_URL", "https://exemple.org/actes")
    config = Config()
    publication._site_url(None, config)
    assert config.site_url == config.ogp_site_url == "https://exemple.org/actes/"
    monkeypatch.setenv("RTES_SITE_URL", "exemple.org")
    with pytest.raises(ConfigError):
        publication._site_url(None, Config())


def test_sitemap_lists_every_page_relative_to_the_site(html_dir, html_pages):
    tree = ET.parse(html_dir / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)]
    assert len(locs) == len(set(locs))
    prefix = SITE_URL or "./"  # absolute when the build was given the public address
    for loc in locs:
        assert loc.startswith(prefix), loc
        assert (html_dir / loc.removeprefix(prefix)).is_file(), loc
    content = {f"{prefix}{p.relative_to(html_dir).as_posix()}" for p in html_pages
               if not _is_redirect(p) and p.name not in {"genindex.html", "search.html"}}
    assert content <= set(locs)


# --- no dead buttons; running the notebooks ------------------------------------------------

def test_no_launch_button_to_an_unreachable_service(html_pages):
    for page in html_pages:
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for element in soup.find_all(True):
            marks = " ".join(element.get("class", [])) + " " + element.get("href", "") + \
                " " + element.get("src", "")
            assert not re.search(r"launch|binder|colab|jupyterhub|thebe", marks, re.I), \
                f"{page}: {element.name} {marks.strip()}"


def test_the_executer_page_command_opens_the_notebooks_in_jupyterlab(html_dir, jupyterlab):
    """The page's command is `make lab`, which the session's JupyterLab runs
    (conftest.JupyterLab), and it opens the book's notebooks."""
    page = _article(html_dir / "book" / "executer.html")
    commands = [pre.get_text().strip() for pre in page.select("pre")]
    assert "make lab" in commands
    command = lab_command()
    assert command[1:] == ["lab", "notebooks/"], command
    assert shutil.which(str(ROOT / command[0])), command[0]
    assert jupyterlab.command[:3] == command
    names = {item["name"] for item in jupyterlab.listing["content"]}
    assert {p.name for p in toc_notebooks()} <= names
    assert jupyterlab.get("/lab")  # the page itself
