"""The figures of the book: every chart drawn offline, the two-way links between the
chapters and the data, the PDF free of widget text, and a corrected row reaching the
charts after a rebuild (only the notebooks that read the changed file run again)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT
from rtes_edition import charts, output, provenance
from rtes_edition.data import load_package

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
    v.page.wait_for_selector("tr.rtes-target", timeout=15_000)
    anchors = v.page.eval_on_selector_all("[id^='donnee-']", "els => els.map(e => e.id)")
    assert sorted(anchors) == sorted(provenance.row_anchor(i) for i in figures["id"])
    assert v.page.locator("tr.rtes-target").inner_text().startswith(target)
    # the table's own search box filters the rows
    v.page.fill(".dt-search input", target)
    v.page.wait_for_function("document.querySelectorAll('table.dataTable tbody tr').length === 1")
    assert v.foreign_requests == [], v.foreign_requests
    assert v.console_errors == [], v.console_errors


def test_explorer_menus_filter_the_chart(visit, tables):
    """The page's own drop-down lists (no kernel) hide the points of other categories."""
    figures = tables["figures"]
    v = visit("notebooks/explorateur.html")
    v.page.wait_for_selector("#graphique-explorateur .main-svg")
    count = "document.querySelectorAll('#graphique-explorateur .scatterlayer .trace .point').length"
    assert v.page.evaluate(count) == len(figures)
    category = figures["category"].value_counts().index[-1]
    menu = v.page.locator("#graphique-explorateur .updatemenu-header-group").nth(0)
    menu.click()
    v.page.locator("#graphique-explorateur .updatemenu-item-text",
                   has_text=f"Catégorie : {category}").click()
    v.page.wait_for_function(f"{count} === {int((figures['category'] == category).sum())}")
    assert v.console_errors == [], v.console_errors


def test_explorer_menus_combine(visit, tables):
    """A meeting chosen after a category shows the figures of that category at that
    meeting, not all the figures of the meeting."""
    figures, meetings = tables["figures"], tables["meetings"]
    names = figures["meeting_id"].map(meetings.set_index("id")["name"])
    both = figures.assign(rencontre=names).groupby(["category", "rencontre"]).size()
    # a pair whose combination differs from each list on its own
    (category, meeting), expected = next(
        (pair, n) for pair, n in both.sort_values().items()
        if n < (figures["category"] == pair[0]).sum() and n < (names == pair[1]).sum())
    v = visit("notebooks/explorateur.html")
    v.page.wait_for_selector("#graphique-explorateur .main-svg")
    count = "document.querySelectorAll('#graphique-explorateur .scatterlayer .trace .point').length"
    menus = v.page.locator("#graphique-explorateur .updatemenu-header-group")
    boxes = [menus.nth(i).bounding_box() for i in range(menus.count())]
    overlapping = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                   if boxes[i]["x"] < boxes[j]["x"] + boxes[j]["width"]
                   and boxes[j]["x"] < boxes[i]["x"] + boxes[i]["width"]
                   and boxes[i]["y"] < boxes[j]["y"] + boxes[j]["height"]
                   and boxes[j]["y"] < boxes[i]["y"] + boxes[i]["height"]]
    assert overlapping == [], f"lists drawn over each other: {overlapping} {boxes}"
    for position, label in [(0, f"Catégorie : {category}"), (2, f"Rencontre : {meeting}")]:
        menus.nth(position).click()
        v.page.locator("#graphique-explorateur .updatemenu-item-text", has_text=label).click()
    v.page.wait_for_function(f"{count} === {int(expected)}", timeout=5_000)
    # back to « toutes » for the meeting: the category's choice still holds
    menus.nth(2).click()
    v.page.locator("#graphique-explorateur .updatemenu-item-text",
                   has_text="Rencontre : toutes").click()
    v.page.wait_for_function(f"{count} === {int((figures['category'] == category).sum())}",
                             timeout=5_000)
    assert v.console_errors == [], v.console_errors


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
    # the explorer's table: every figure, by its identifier (pdftotext drops the hyphen
    # where LaTeX broke the line after one)
    flat = text.replace("-", "").replace(" ", "")
    assert [i for i in tables["figures"]["id"] if i.replace("-", "") not in flat] == []


# ---------------------------------------------------------------------------- rerun

def _copy_repo(tmp_path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", ".pytest_cache"))
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    return copy


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
    assert any(o.get("data", {}).get("image/png") for c in executed.cells for o in c.get("outputs", []))


def test_a_corrected_row_reaches_the_html_and_the_pdf(tmp_path, tables):
    """A reader corrects one value in data/figures.csv and rebuilds (the whole
    `tools/build_book.py`: HTML and PDF, from the previous build, as `make book` does)."""
    figures = tables["figures"]
    pinned = set(tables["meetings"]["participants_figure_id"].dropna())
    row = figures[~figures["id"].isin(pinned) & (figures["qualifier"] != "fourchette")].iloc[0]
    new_value = row["value"] + 7
    copy = _copy_repo(tmp_path)
    path = copy / "data" / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, l in enumerate(lines) if l.startswith(row["id"] + ","))
    cells = lines[index].split(",", 2)
    assert float(cells[1]) == row["value"]
    lines[index] = ",".join([cells[0], f"{new_value:g}", cells[2]])
    path.write_text("\n".join(lines), encoding="utf-8")

    result = subprocess.run([sys.executable, "tools/build_book.py"], cwd=copy, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(copy)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    updated = pd.Series({**row.to_dict(), "value": new_value})
    stated = charts.qualified_value(updated)
    html_page = (copy / "_build" / "html" / "notebooks" / "explorateur.html").read_text(encoding="utf-8")
    # the chart's data (plotly JSON) and its folded table carry the new value
    chart = html_page[html_page.index('id="graphique-explorateur"'):]
    assert json.dumps(float(new_value)) in chart or json.dumps(int(new_value)) in chart
    assert stated in html_page
    pdf = _pdftotext(copy / "_build" / "html" / "actes-territoires-ess-2013.pdf")
    assert re.sub(r"\s+", " ", stated) in re.sub(r"\s+", " ", pdf.replace("\u202f", " "))
