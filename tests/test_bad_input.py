"""Bad input stops the build with a message naming the culprit, and leaves the site that
was built before untouched; text from the data is shown as text, never run.

Each case breaks one file of a private copy of the repository that was built once for the
session (``built_copy`` in conftest.py), builds again, checks, and puts the file back.
The data cases stop at the validation step, before Sphinx runs; the notebook and
cross-reference cases need Sphinx and take longer.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import _QuietHandler, build_copy, build_html, copy_repo, load_tool, small_copy

HOSTILE = "<img src=x onerror=alert(1)>"


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def first_notebook(repo: Path) -> Path:
    notebooks = sorted((repo / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebook in notebooks/"
    return notebooks[0]


def first_chapter(repo: Path) -> Path:
    toc = (repo / "_toc.yml").read_text(encoding="utf-8")
    for line in toc.splitlines():
        line = line.strip()
        if line.startswith("- file: book/"):
            return repo / (line.split(":", 1)[1].strip() + ".md")
    raise AssertionError("no chapter under book/ in _toc.yml")


# --- each breaker changes one file and returns what the message must name ----------

def malformed_row(repo: Path) -> list[str]:
    path = repo / "data" / "figures.csv"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1  # the appended row's line in the file
    path.write_text(text + "fig-ligne-tronquee,12,personnes\n", encoding="utf-8")
    return ["data/figures.csv", f"ligne {line}"]


def wrong_type(repo: Path) -> list[str]:
    path = repo / "data" / "figures.csv"
    columns, rows = read_csv(path)
    rows[0]["value"] = "douze"
    write_csv(path, columns, rows)
    return ["data/figures.csv", "ligne 2", "colonne value", "douze"]


def dangling_reference(repo: Path) -> list[str]:
    path = repo / "data" / "figures.csv"
    columns, rows = read_csv(path)
    rows[2]["meeting_id"] = "rencontre-fantome"
    write_csv(path, columns, rows)
    return ["data/figures.csv", "ligne 4", "meeting_id", "rencontre-fantome"]


def raising_cell(repo: Path) -> list[str]:
    path = first_notebook(repo)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'raise ValueError("cellule volontairement cassée")'))
    nbformat.write(nb, path)
    return [path.stem, "ValueError", "cellule volontairement cassée"]


def broken_cross_reference(repo: Path) -> list[str]:
    path = first_chapter(repo)
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    path.write_text(text + "\nVoir {ref}`section-qui-n-existe-pas`.\n", encoding="utf-8")
    return [f"{path.relative_to(repo).with_suffix('').as_posix()}.md:{line}",
            "section-qui-n-existe-pas"]


BREAKERS = [malformed_row, wrong_type, dangling_reference, raising_cell, broken_cross_reference]


@pytest.mark.parametrize("breaker", BREAKERS, ids=[b.__name__ for b in BREAKERS])
def test_bad_input_fails_the_build_and_keeps_the_site(built_copy, breaker):
    site = built_copy / "_build" / "html"
    before = snapshot(site)
    originals = {p: p.read_bytes() for p in [*(built_copy / "data").glob("*.csv"),
                                            first_notebook(built_copy),
                                            first_chapter(built_copy)]}
    try:
        must_name = breaker(built_copy)
        result = build_copy(built_copy)
    finally:
        for path, content in originals.items():
            path.write_bytes(content)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{breaker.__name__}: the build succeeded"
    missing = [m for m in must_name if m not in output]
    assert missing == [], f"the message does not name {missing}:\n{output[-4000:]}"
    assert "ÉCHEC" in output
    assert snapshot(site) == before, "the published site changed after a failed build"
    # and `make publish` refuses to put that older site online
    publish = load_tool("publish")
    with pytest.raises(publish.Refusal, match="la dernière construction"):
        publish.check_site(built_copy)


# --- tables saved by a spreadsheet program: stop at validation, no full build --------

@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def previous_site(tmp_path_factory) -> Path:
    """A copy of the repository with a stand-in for the site built before: the build must
    stop at its first step (validation) and leave every byte of it as it was."""
    repo = copy_repo(tmp_path_factory.mktemp("spreadsheet") / "repo")
    site = repo / "_build" / "html"
    (site / "donnees").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>site précédent</title>", encoding="utf-8")
    (site / "donnees" / "figures.csv").write_bytes((repo / "data" / "figures.csv").read_bytes())
    return repo


def excel_utf8(path: Path) -> None:
    """Excel's « CSV UTF-8 »: byte order mark, CRLF line ends."""
    path.write_bytes(b"\xef\xbb\xbf" + path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))


def semicolons(path: Path) -> None:
    """A French Excel's « CSV (séparateur : point-virgule) »."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def windows_1252(path: Path) -> None:
    """Excel's plain « CSV » on Windows: Windows-1252 bytes."""
    path.write_bytes(path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp1252"))


def run_build(repo: Path):
    return subprocess.run([sys.executable, "tools/build_book.py"], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(repo)}, timeout=600)


@pytest.mark.parametrize("damage,sentence", [
    (semicolons, "data/figures.csv : séparateur point-virgule « ; » détecté : enregistrer avec des virgules"),
    (windows_1252, "data/figures.csv : enregistré en Windows-1252 ou Latin-1 et non en UTF-8"),
], ids=["point-virgule", "windows-1252"])
def test_spreadsheet_file_gets_one_sentence_and_keeps_the_site(previous_site, damage, sentence):
    path = previous_site / "data" / "figures.csv"
    site = previous_site / "_build" / "html"
    before, original = snapshot(site), path.read_bytes()
    try:
        damage(path)
        result = run_build(previous_site)
    finally:
        path.write_bytes(original)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("data/")]
    assert len(errors) == 1 and errors[0].startswith(sentence), output[-3000:]
    assert "ÉCHEC (validation des données)" in output
    assert "carnets à ré-exécuter" not in output  # stopped at its first step
    assert snapshot(site) == before


def test_excel_utf8_file_passes_the_build_validation(previous_site):
    """The build's first step (the same command as tools/build_book.py runs) accepts it."""
    path = previous_site / "data" / "figures.csv"
    original = path.read_bytes()
    try:
        excel_utf8(path)
        result = subprocess.run([sys.executable, "-m", "rtes_edition.data", "data/datapackage.json"],
                                cwd=previous_site, capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(previous_site)})
    finally:
        path.write_bytes(original)
    assert result.returncode == 0, result.stderr
    assert "valide" in result.stdout


# --- hostile text in the data ------------------------------------------------------

# The pages that show the names of organisations and meetings from the data (in their
# charts, hover labels and tables); the chapters' names are their own text.
HOSTILE_PAGES = ["notebooks/participation", "notebooks/carte", "notebooks/cooperations",
                 "notebooks/explorateur"]


@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def hostile_site(tmp_path_factory) -> Path:
    """A copy whose data name an organisation and a meeting with an HTML payload, its
    HTML built with only the pages that show those names (a whole build takes minutes)."""
    repo = small_copy(tmp_path_factory.mktemp("hostile") / "repo", HOSTILE_PAGES)
    for table, key in (("organisations.csv", "name"), ("meetings.csv", "name")):
        path = repo / "data" / table
        columns, rows = read_csv(path)
        rows[0][key] = HOSTILE
        write_csv(path, columns, rows)
    result = build_html(repo)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    site = repo / "_build" / "html"
    shown = [page for page in HOSTILE_PAGES if "onerror" in (site / f"{page}.html").read_text(encoding="utf-8")]
    assert shown == HOSTILE_PAGES, "a page of HOSTILE_PAGES no longer shows the names"
    return site


def test_hostile_text_is_never_markup_in_the_html(hostile_site):
    injected = []
    for page in sorted(hostile_site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        injected += [f"{page.name}: {el}" for el in soup.find_all(attrs={"onerror": True})]
        injected += [f"{page.name}: {el}" for el in soup.find_all("img", src="x")]
    assert injected == []


# Hovers each drawn point of a chart in turn, as the mouse does (the event goes to the
# element under the point, which hands it to plotly), and reads the label plotly draws; all
# inside the page, since one round trip per point from the test took minutes.
HOVER_EVERY_POINT = """async (gd) => {
  const layer = gd.querySelector('.hoverlayer');
  const labels = [];
  for (const point of gd.querySelectorAll('g.point, path.point')) {
    point.scrollIntoView({block: 'center', inline: 'center'});
    const box = point.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    let text = '';
    for (const dx of [0.5, 0.25, 0.75]) {
      window.Plotly.Fx.unhover(gd);  // no label left from the point before
      const x = box.left + box.width * dx, y = box.top + box.height / 2;
      const target = document.elementFromPoint(x, y);
      if (!target) continue;
      target.dispatchEvent(new MouseEvent('mousemove', {bubbles: true, cancelable: true,
                                                        view: window, clientX: x, clientY: y}));
      // plotly draws the label after its hover delay, on an animation frame: wait for it
      const deadline = performance.now() + 1500;
      while (!(text = layer.textContent.trim()) && performance.now() < deadline) {
        await new Promise(resolve => requestAnimationFrame(resolve));
      }
      if (text) break;
    }
    labels.push(layer.textContent || '');
  }
  return labels;
}"""


def hover_labels(page) -> list[str]:
    """The hover label of every drawn point of every chart whose data hold the name."""
    labels = []
    for chart in page.locator(".plotly-graph-div").all():
        if chart.evaluate("gd => JSON.stringify(gd.data).includes('onerror')"):
            labels += chart.evaluate(HOVER_EVERY_POINT)
    return labels


def test_hostile_text_shows_literally_and_runs_nothing(hostile_site, browser):
    handler = functools.partial(_QuietHandler, directory=str(hostile_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    dialogs, seen = [], {"table": 0, "hover": 0, "chart": 0}
    wrong = []
    pages = sorted(p for p in hostile_site.rglob("*.html")
                   if HOSTILE.replace("<", "&lt;").replace(">", "&gt;") in
                   p.read_text(encoding="utf-8") or "onerror" in p.read_text(encoding="utf-8"))
    assert pages, "the hostile name appears on no page"
    try:
        for path in pages:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{url}/{path.relative_to(hostile_site).as_posix()}",
                      wait_until="networkidle")
            page.wait_for_function("[...document.querySelectorAll('.plotly-graph-div')]"
                                   ".every(d => d.querySelector('.main-svg'))",
                                   timeout=20_000)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            cells = page.locator("td, th, caption").evaluate_all(
                "els => els.map(e => e.textContent).filter(t => t.includes('onerror'))")
            svg = page.locator(".plotly-graph-div svg text").evaluate_all(
                "els => els.map(e => e.textContent).filter(t => t.includes('onerror'))")
            hovers = [h for h in hover_labels(page) if "onerror" in h]
            for kind, texts in (("table", cells), ("chart", svg), ("hover", hovers)):
                seen[kind] += len(texts)
                wrong += [f"{path.name} {kind}: {t!r}" for t in texts if HOSTILE not in t]
            assert page.locator("img[src='x']").count() == 0
            if cells:
                # a narrow screen's table hides a column and shows it folded under the row:
                # the name must be readable in one of its places, whichever comes first
                shown = [el.is_visible() for el in page.get_by_text(HOSTILE).all()]
                assert any(shown), f"{path.name}: the name is in the page but shown nowhere"
            page.close()
    finally:
        server.shutdown()
    assert dialogs == [], f"script ran: {dialogs}"
    assert wrong == [], "hostile text altered instead of shown literally"
    assert seen["table"] > 0 and seen["hover"] > 0, seen
