"""The EPUB 3 edition: valid for epubcheck, in French with the book's metadata and
accessibility metadata, every chapter, one described image per chart (the PDF's PNG), and
every link inside the book resolving."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import HTML, ROOT

EPUB = HTML / "actes-territoires-ess-2013.epub"
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="module")
def epub() -> zipfile.ZipFile:
    assert EPUB.is_file(), f"no EPUB in the site: {EPUB} (run `make book`)"
    with zipfile.ZipFile(EPUB) as archive:
        yield archive


@pytest.fixture(scope="module")
def package(epub):
    container = ET.fromstring(epub.read("META-INF/container.xml"))
    path = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
    return path, ET.fromstring(epub.read(path))


@pytest.fixture(scope="module")
def pages(epub) -> dict[str, ET.Element]:
    """Every XHTML document of the EPUB, parsed as XML (they must be well-formed)."""
    return {name: ET.fromstring(epub.read(name)) for name in epub.namelist()
            if name.endswith(".xhtml")}


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


# Debian's /usr/bin/epubcheck is the jar itself (it needs binfmt support to run)
EPUBCHECK = ["java", "-jar", "/usr/share/java/epubcheck.jar"]


@pytest.mark.book
def test_epubcheck_finds_no_error(tmp_path):
    out = tmp_path / "epubcheck.json"
    result = subprocess.run([*EPUBCHECK, "--json", str(out), str(EPUB)], capture_output=True,
                            text=True)
    report = json.loads(out.read_text(encoding="utf-8"))
    problems = [f"{m['severity']} {m['ID']}: {m['message']} "
                f"{[(loc['path'], loc['line']) for loc in m['locations']][:3]}"
                for m in report["messages"] if m["severity"] in ("FATAL", "ERROR")]
    assert problems == [], "\n".join(problems)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (report["checker"]["nFatal"], report["checker"]["nError"]) == (0, 0)
    assert report["publication"]["ePubVersion"].startswith("3")


@pytest.mark.book
def test_epub_is_french_with_the_books_metadata(package):
    _, opf = package
    meta = opf.find("opf:metadata", NS)

    def text(tag: str) -> list[str]:
        return [e.text for e in meta.findall(tag, NS)]

    assert text("dc:language") == ["fr"]
    assert text("dc:title") == ["Territoires & ESS — Coopérer pour changer d'échelle"]
    assert any("RTES" in c for c in text("dc:creator")) and text("dc:publisher") == ["RTES"]
    assert text("dc:identifier") == ["urn:uuid:f50c071c-0c9c-5b20-b44f-e64fde885919"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert text("dc:date") == [str(citation["date-released"])]  # the edition's, as the PDF
    assert "26 juin" in text("dc:description")[0] and "12 septembre" in text("dc:description")[0]
    rights = " ".join(text("dc:rights"))
    for licence in ("RTES", "Licence Ouverte", "MIT"):
        assert licence in rights, rights
    properties = {}
    for element in meta.findall("opf:meta", NS):
        if element.get("property"):
            properties.setdefault(element.get("property"), []).append(element.text)
    assert properties["dcterms:temporal"] == ["2013-06-26/2013-09-12"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", properties["dcterms:modified"][0])
    # EPUB Accessibility 1.1
    assert set(properties["schema:accessMode"]) == {"textual", "visual"}
    assert properties["schema:accessModeSufficient"] == ["textual"]
    assert {"alternativeText", "tableOfContents", "structuralNavigation"} <= set(
        properties["schema:accessibilityFeature"])
    assert properties["schema:accessibilityHazard"] == ["none"]
    assert "graphique" in properties["schema:accessibilitySummary"][0]


@pytest.mark.book
def test_epub_has_a_cover_and_a_navigation_document(epub, package, pages):
    path, opf = package
    items = opf.findall("opf:manifest/opf:item", NS)
    cover = [i for i in items if "cover-image" in (i.get("properties") or "")]
    assert len(cover) == 1 and cover[0].get("media-type") == "image/png"
    image = epub.read(posixpath.join(posixpath.dirname(path), cover[0].get("href")))
    assert image.startswith(b"\x89PNG") and len(image) > 10_000
    nav = [i for i in items if "nav" in (i.get("properties") or "").split()]
    assert len(nav) == 1
    nav_doc = pages[nav[0].get("href")]
    toc = nav_doc.find(".//x:nav[@epub:type='toc']", NS)
    linked = {a.get("href").split("#")[0] for a in toc.iter(f"{{{NS['x']}}}a")}
    for file in toc_files()[1:]:
        assert f"{file}.xhtml" in linked, file
    assert toc.find("x:ol/x:li/x:ol", NS) is not None, "the contents have no tree"


@pytest.mark.book
def test_every_chapter_is_in_the_reading_order(package, pages):
    _, opf = package
    ids = {i.get("id"): i.get("href") for i in opf.findall("opf:manifest/opf:item", NS)}
    spine = [ids[r.get("idref")] for r in opf.findall("opf:spine/opf:itemref", NS)]
    positions = []
    for file in toc_files():
        assert f"{file}.xhtml" in spine, file
        positions.append(spine.index(f"{file}.xhtml"))
        body = "".join(pages[f"{file}.xhtml"].find("x:body", NS).itertext())
        assert len(body.strip()) > 200, f"{file}: almost empty"
    assert positions == sorted(positions), "the chapters are not in the book's order"
    assert "genindex.xhtml" in spine


@pytest.mark.book
def test_every_chart_is_its_print_image_with_its_description(epub, pages):
    print_images = {hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in (ROOT / "_build" / "latex").glob("*.png")}
    charts = 0
    for page in sorted((HTML / "notebooks").glob("*.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        descriptions = [p.get_text() for p in soup.select("p.rtes-chart-description")]
        name = f"notebooks/{page.stem}.xhtml"
        images = [img for img in pages[name].iter(f"{{{NS['x']}}}img")
                  if "rtes-chart-image" in (img.get("class") or "")]
        assert [img.get("alt") for img in images] == descriptions, name
        for img in images:
            data = epub.read(posixpath.normpath(posixpath.join("notebooks", img.get("src"))))
            assert hashlib.sha256(data).hexdigest() in print_images, img.get("src")
        # each chart is followed by the table of its data
        tables = pages[name].findall(".//x:table[@class='rtes-chart-data']", NS)
        assert len(tables) == len(images), name
        charts += len(images)
    assert charts >= 10


def _ids(page: ET.Element) -> set[str]:
    return {e.get("id") for e in page.iter() if e.get("id")}


@pytest.mark.book
def test_every_link_inside_the_epub_resolves(epub, pages):
    names = set(epub.namelist())
    ids = {name: _ids(page) for name, page in pages.items()}
    broken, data_links = [], 0
    for name, page in pages.items():
        for element in page.iter():
            url = element.get("href") or element.get("src")
            if not url or element.tag.endswith("link") and element.get("rel") != "stylesheet":
                continue
            if urlparse(url).scheme or url.startswith("mailto:"):
                continue
            path, _, fragment = url.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(path))) \
                if path else name
            if target not in names:
                broken.append(f"{name}: {url} (no {target})")
            elif fragment and fragment not in ids.get(target, set()):
                broken.append(f"{name}: {url} (no #{fragment} in {target})")
            if "rtes-data-link" in (element.get("class") or ""):
                data_links += 1
                assert target == "notebooks/explorateur.xhtml" and fragment.startswith("donnee-")
    assert broken == [], "\n".join(broken[:30])
    assert data_links > 50  # the « [données] » links of the chapters


@pytest.mark.book
def test_epub_pages_have_no_script(pages):
    for name, page in pages.items():
        assert page.find(".//x:script", NS) is None, name


@pytest.mark.book
def test_explorer_table_has_every_figure(pages):
    import csv

    with open(ROOT / "data" / "figures.csv", encoding="utf-8", newline="") as handle:
        figure_ids = [row["id"] for row in csv.DictReader(handle)]
    explorer = pages["notebooks/explorateur.xhtml"]
    assert [i for i in figure_ids if f"donnee-{i}" not in _ids(explorer)] == []


def test_colophon_and_download_menu_offer_the_epub(html_dir, html_pages):
    colophon = (html_dir / "book" / "colophon.html").read_text(encoding="utf-8")
    assert 'href="../actes-territoires-ess-2013.epub"' in colophon
    for path in html_pages:
        menu = BeautifulSoup(path.read_text("utf-8"), "html.parser").select_one(
            ".rtes-downloads .dropdown-menu")
        if menu is None:
            continue  # the site root only redirects
        entry = [a for a in menu.select("a") if a.get_text(strip=True) == "Livre numérique (EPUB)"]
        assert len(entry) == 1, path
        assert (path.parent / entry[0]["href"]).resolve() == EPUB.resolve(), path


def test_sphinx_internals_the_epub_builder_relies_on():
    """book/_ext/epub.py rewrites content.opf after Sphinx 7.4.7's build_content wrote it."""
    import sphinx
    from sphinx.builders.epub3 import Epub3Builder

    assert sphinx.__version__ == "7.4.7"
    template = Path(sphinx.__file__).parent / "templates" / "epub3" / "content.opf.jinja"
    assert "  </metadata>" in template.read_text(encoding="utf-8")
    assert callable(Epub3Builder.build_content)
