"""The notebooks read as the chapters they are: French prose, then a short call per chart
section (rtes_edition/sections.py), no code copied from one notebook to another."""

from __future__ import annotations

import ast
from collections import Counter

import nbformat
import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LONGEST_CELL = 8  # lines: a call with its question and description


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_no_code_cell_is_in_two_notebooks():
    seen = Counter(cell.source.strip() for path in NOTEBOOKS for cell in code_cells(path))
    assert [source for source, count in seen.items() if count > 1] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_short(path):
    long = [c.source for c in code_cells(path) if len(c.source.splitlines()) > LONGEST_CELL]
    assert long == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_chart_section_is_one_call_then_its_print_table(path):
    """A captioned chart cell is one call of rtes_edition.sections; when it keeps the
    section, the next code cell prints that section's table, and nothing else."""
    cells = code_cells(path)
    charts = [i for i, c in enumerate(cells) if "figure" in c.metadata.get("mystnb", {})]
    assert charts, path.stem
    for index in charts:
        body = ast.parse(cells[index].source).body
        assert len(body) == 1, cells[index].source
        call = body[0].value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        assert isinstance(call.func.value, ast.Name) and call.func.value.id == "sections", cells[index].source
        if isinstance(body[0], ast.Assign):
            name = body[0].targets[0].id
            following = ast.unparse(ast.parse(cells[index + 1].source))  # comments left out
            assert following == f"{name}.print_table()", cells[index + 1].source


def test_the_book_keeps_the_cells_tags():
    """Every code cell stays out of the book's pages as code (its output only), the
    explorer's widgets out of the book entirely."""
    for path in NOTEBOOKS:
        for cell in code_cells(path):
            tags = cell.metadata.get("tags", [])
            assert "remove-input" in tags or "remove-cell" in tags, (path.stem, cell.source)
