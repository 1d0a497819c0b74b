"""The layout of the code: rtes_edition holds what the notebooks import, rtes_edition.build
what only the build uses; the package takes its paths from its callers and its chapters
from _toc.yml."""

from __future__ import annotations

import ast
import re

import nbformat
import pytest
from conftest import ROOT

from rtes_edition import toc

PACKAGE = ROOT / "rtes_edition"


def imported(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_notebook_code_never_imports_the_build():
    """Neither a notebook nor a module it can import reaches rtes_edition.build: a change of
    the build then re-executes no notebook (tools/stale_notebooks.py)."""
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert not [n for n in imported(cell.source) if n.startswith("rtes_edition.build")], path.stem
    for module in PACKAGE.glob("*.py"):
        assert not [n for n in imported(module.read_text("utf-8")) if n.startswith("rtes_edition.build")], module


def test_the_myst_nb_plugin_is_the_builds():
    entry = re.search(r'rtes_site_html = "([\w.]+):(\w+)"', (ROOT / "pyproject.toml").read_text("utf-8"))
    assert entry and entry.group(1).startswith("rtes_edition.build.")
    module = __import__(entry.group(1), fromlist=[entry.group(2)])
    assert callable(getattr(module, entry.group(2)).handle_mime)


# output.py still finds node_modules and _build from its own place (issue 16, the APIs work)
PLACED = {"output.py"}


def test_the_package_takes_no_path_from_its_own_place():
    for module in PACKAGE.rglob("*.py"):
        if module.name not in PLACED:
            assert "__file__" not in module.read_text("utf-8"), module


def test_chapters_come_from_the_table_of_contents():
    chapters = toc.chapters(ROOT)
    assert chapters[0] == "introduction" and chapters[-1] == "remerciements" and len(chapters) == 7
    assert all((ROOT / "book" / f"{c}.md").is_file() for c in chapters)
    assert [f"book/{c}" for c in chapters] == toc.files(ROOT, toc.PROCEEDINGS)
    notebooks = [f for f in toc.files(ROOT) if f.startswith("notebooks/")]
    assert sorted(notebooks) == sorted(f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_the_editions_folder_is_found_from_where_the_caller_runs(tmp_path):
    assert toc.find_root(ROOT / "notebooks") == ROOT
    assert toc.find_root(ROOT) == ROOT
    with pytest.raises(FileNotFoundError, match="_toc.yml introuvable"):
        toc.find_root(tmp_path)
    with pytest.raises(ValueError, match="aucune partie « Annexes »"):
        toc.files(ROOT, "Annexes")
