"""The build itself: strict, French, complete, in HTML and in PDF."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import LOGS, build_copy, in_step


@pytest.mark.parametrize("log", ["html", "pdf"])
def test_build_has_no_warning(log):
    text = (LOGS / f"{log}.log").read_text(encoding="utf-8")
    warnings = [l for l in text.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL):", l)]
    assert "build succeeded" in text, f"the {log} build did not succeed"
    assert warnings == [], "\n".join(warnings)


def test_every_page_is_french(html_pages):
    not_french = [str(p) for p in html_pages
                  if '<html lang="fr"' not in p.read_text(encoding="utf-8")[:2000]]
    assert not_french == []


def test_introduction_is_there_with_its_text(html_dir):
    page = (html_dir / "book" / "introduction.html").read_text(encoding="utf-8")
    assert "Pourquoi ces journées" in page
    assert "année charnière" in page  # « 2013 est pour le RTES […] une année charnière »
    assert "Coopérer pour changer d" in page


def _pdftotext(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_pdf_is_a4(pdf_path):
    info = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True,
                          text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size, info
    width, height = map(float, size.groups())
    assert (round(width), round(height)) == (595, 842), f"not A4: {width} x {height} pt"


def test_pdf_is_french_and_has_the_chapters(pdf_path):
    text = _pdftotext(pdf_path)
    assert "Table des matières" in text
    assert "chapitre" in text.lower()  # the chapter openings print it in capitals
    assert "Chapter" not in text and "Contents" not in text
    for title in ["Introduction", "Rencontre du Grand Ouest", "Rencontre du Sud-Ouest",
                  "La visio-conférence", "Rencontre du Grand Est", "Rencontre du Sud-Est",
                  "Remerciements", "Participation aux rencontres"]:
        assert title in text, f"chapter « {title} » missing from the PDF"


def test_pdf_has_one_image_per_chart(html_pages, pdf_path):
    charts = sum(p.read_text(encoding="utf-8").count('class="rtes-chart"') for p in html_pages)
    assert charts > 0, "no chart in the site"
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path)], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    images = [l for l in listing if l.split()[2] == "image"]
    # a chart taller than a page prints as several images (rtes_edition.charts.labelled_bars)
    from rtes_edition import output

    ids = {i for p in html_pages for i in re.findall(r'class="rtes-chart" id="([\w-]+)-wrapper"',
                                                     p.read_text(encoding="utf-8"))}
    pages = [f for f in output.PRINT_FIGURES.glob(f"*{output.PRINT_PAGE_SUFFIX}*.json")
             if f.stem.split(output.PRINT_PAGE_SUFFIX)[0] in ids]
    assert len(images) == charts + len(pages), (
        f"{len(images)} images in the PDF for {charts} charts and {len(pages)} more print pages")
    # print resolution: each chart image is at least 2000 px wide
    widths = [int(l.split()[3]) for l in images]
    assert min(widths) >= 2000, widths


def test_the_book_environment_has_no_jupyter_server():
    """JupyterLab has its own environment (requirements/lab.txt): in the book's, nothing
    brings jupyter_server, nor the rfc3987-syntax parser its jsonschema extras pull in, which
    every build process would pay ~2 s to import (python-jsonschema/jsonschema#1428)."""
    code = ("import importlib.util as u, nbformat, frictionless, sys; "
            "print(u.find_spec('jupyter_server'), u.find_spec('rfc3987_syntax'), "
            "'rfc3987_syntax' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["None", "None", "False"]


def test_an_edited_script_or_stylesheet_reaches_the_site(rebuilt_copy):
    """No document changed, yet book/assets/ did: the site gets the new file and every page
    links it with its new checksum (book/_ext/offline_assets.py), else readers keep the old;
    when nothing changed at all, no page is written again."""
    copy = in_step(rebuilt_copy)
    assert build_copy(copy).returncode == 0  # nothing changed: no page is written again
    assert "no targets are out of date" in (copy / "_build" / "logs" / "html.log").read_text(encoding="utf-8")
    css = copy / "book" / "assets" / "rtes-figures.css"
    page = copy / "_build" / "html" / "book" / "introduction.html"
    stamp = re.compile(r"rtes-figures\.css\?v=(\w+)")
    before = stamp.search(page.read_text(encoding="utf-8")).group(1)
    css.write_text(css.read_text(encoding="utf-8") + "\n/* corrigé */\n", encoding="utf-8")
    result = build_copy(copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    served = copy / "_build" / "html" / "_static" / "rtes-figures.css"
    assert served.read_text(encoding="utf-8") == css.read_text(encoding="utf-8")
    assert stamp.search(page.read_text(encoding="utf-8")).group(1) != before
