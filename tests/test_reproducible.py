"""Two builds of the same sources give the same site, apart from the build date.

The first build is the book the tests read (``make book``, in _build/: from scratch on a
fresh clone, as on CI, or a rebuild over the previous build, as on a maintainer's machine,
which must give the same site); the second is the session's ``built_copy``, a copy built
from scratch. Only known timestamps are normalised: the build date, and on the execution report
(« État de l'exécution ») the time each notebook ran and how long it took, which that
page exists to record. Any other difference is reported with its file and the first
differing line, so that its cause can be found and fixed.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import PDF

from rtes_edition.build import OFFLINE_COPY

# The build date, as the theme and Sphinx print it (html_last_updated_fmt: %d/%m/%Y).
TIMESTAMPS = [
    (re.compile(r'(<meta name="docbuild:last-update" content=")\d{2}/\d{2}/\d{4}"'), r'\1DATE"'),
    (re.compile(r"(Mis à jour le\s+)\d{2}/\d{2}/\d{4}"), r"\1DATE"),
]
# Files copied into the site only once the pages are written (myst-nb's stylesheet,
# sphinx-doc/sphinx#1379; the scripts of _static/vendor/, book/_ext/offline_assets.py):
# Sphinx stamps a link with the file's checksum (``?v=``) only when the file is already
# there, so a build from scratch links them without it and a rebuild with it. The files
# themselves are compared byte for byte.
LATE_FILE_STAMP = (re.compile(r'((?:mystnb\.[0-9a-f]{64}\.css|_static/vendor/[^"?]+))\?v=[0-9a-f]+"'),
                   r'\1"')
# The execution report's "when" and "how long" cells (book/_ext/publication.py).
EXEC_REPORT = "book/execution.html"
RUN_CELLS = [
    (re.compile(r"<td><p>\d{2}/\d{2}/\d{4} \d{2} h \d{2}</p></td>"), "<td><p>WHEN</p></td>"),
    (re.compile(r"<td><p>\d+,\d</p></td>"), "<td><p>SECONDS</p></td>"),
]
# The same row in the PDF text: date, method, seconds (column widths follow the digits).
RUN_LINE = re.compile(r"\d{2}/\d{2}/\d{4} \d{2} h \d{2}\s+(\S+)\s+\d+,\d\s+")
TEXT_SUFFIXES = {".html", ".js", ".css", ".json", ".ipynb", ".md", ".txt", ".svg", ".inv"}


def _search_index_without(text: str, docname: str) -> str:
    """The search index with the execution report's words taken out (its run times are
    words too); every other page's entries must still be identical."""
    start, end = text.index("(") + 1, text.rindex(")")
    index = json.loads(text[start:end])
    doc = index["docnames"].index(docname)
    for key in ("terms", "titleterms"):
        for term, docs in list(index[key].items()):
            kept = [d for d in (docs if isinstance(docs, list) else [docs]) if d != doc]
            if kept:
                index[key][term] = kept
            else:
                del index[key][term]
    return json.dumps(index, sort_keys=True, ensure_ascii=False, indent=0)


def normalise(path: Path, root: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix not in TEXT_SUFFIXES or path.suffix == ".inv":
        return data
    text = data.decode("utf-8")
    for pattern, replacement in (*TIMESTAMPS, LATE_FILE_STAMP):
        text = pattern.sub(replacement, text)
    if path.name == "searchindex.js":
        text = _search_index_without(text, EXEC_REPORT.removesuffix(".html"))
    if path.as_posix().endswith(EXEC_REPORT):
        for pattern, replacement in RUN_CELLS:
            text = pattern.sub(replacement, text)
    # a build that wrote its own location into the site would differ between copies
    return text.replace(str(root), "<REPO>").encode("utf-8")


def site_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def second_build(html_dir, built_copy) -> Path:
    """The repository whose _build/ the tests read, to compare with ``built_copy``."""
    return html_dir.parents[1]


def _first_difference(a: bytes, b: bytes) -> str:
    try:
        left, right = a.decode().splitlines(), b.decode().splitlines()
    except UnicodeDecodeError:
        return f"binary, {len(a)} vs {len(b)} bytes"
    diff = [l for l in difflib.unified_diff(left, right, lineterm="", n=0)
            if l[:1] in "+-" and l[:3] not in ("+++", "---")]
    return " / ".join(l[:200] for l in diff[:4])


def test_two_builds_give_the_same_site(built_copy, second_build):
    a, b = built_copy / "_build" / "html", second_build / "_build" / "html"
    files_a, files_b = site_files(a), site_files(b)
    assert files_a == files_b, f"only in one build: {sorted(files_a ^ files_b)}"
    differences = []
    # the offline copy packs the pages compared here one by one (with their timestamps):
    # its list of files must match
    offline = [zipfile.ZipFile(site / OFFLINE_COPY).namelist() for site in (a, b)]
    assert offline[0] == offline[1]
    for name in sorted(files_a - {PDF.name, OFFLINE_COPY, EPUB_NAME}):
        left, right = normalise(a / name, built_copy), normalise(b / name, second_build)
        if left != right:
            differences.append(f"{name}: {_first_difference(left, right)}")
    assert differences == [], "\n".join(differences)


EPUB_NAME = "actes-territoires-ess-2013.epub"
# The EPUB's build time (content.opf); the zip entries' own times are not compared. (Its
# cover is the PDF's title page, which prints the edition's date, not the build's.)
EPUB_TIMES = [
    (re.compile(rb'(<meta property="dcterms:modified">)[^<]+'), rb"\1TIME"),
]


def _epub_members(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as archive:
        members = {}
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "content.opf":
                for pattern, replacement in EPUB_TIMES:
                    data = pattern.sub(replacement, data)
            if info.filename == EXEC_REPORT.replace(".html", ".xhtml"):  # its run times
                text = data.decode("utf-8")
                for pattern, replacement in RUN_CELLS:
                    text = pattern.sub(replacement, text)
                data = text.encode("utf-8")
            members[info.filename] = data
        return members


def test_two_builds_give_the_same_epub(built_copy, second_build):
    epubs = [c / "_build" / "html" / EPUB_NAME for c in (built_copy, second_build)]
    a, b = (_epub_members(e) for e in epubs)
    assert list(a) == list(b), "not the same files, or not in the same order"
    differences = [f"{name}: {_first_difference(a[name], b[name])}" for name in a
                   if a[name] != b[name]]
    assert differences == [], "\n".join(differences)


def _pdf_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return RUN_LINE.sub(r"WHEN \1 SECONDS ", text)


def test_two_builds_give_the_same_pdf_text(built_copy, second_build):
    pdfs = [c / "_build" / "html" / PDF.name for c in (built_copy, second_build)]
    texts = [_pdf_text(p) for p in pdfs]
    pages = [t.count("\f") for t in texts]
    assert pages[0] > 0 and pages[0] == pages[1]
    assert texts[0] == texts[1], _first_difference(*(t.encode() for t in texts))
