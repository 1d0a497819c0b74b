"""The few places where the book reaches into other libraries' internals (issue 16), one
adapter per library, each checked here against the installed version: a test fails,
naming the library and its version, when what the adapter relies on has changed.

- Sphinx: book/_ext/adapters/sphinx.py (the EPUB builder's methods, the order of its
  configuration checks, its LaTeX headings and table columns);
- myst-nb: book/_ext/adapters/myst_nb.py (the execution table's node and data, the
  output bundles before one MIME type is chosen);
- plotly.js: book/assets/plotly-internals.js (what plotly.js computed for a chart).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))


def _connected_priority(source: str, handler: str) -> int:
    """The priority with which ``source`` (a setup function) connects ``handler``."""
    found = re.search(rf"app\.connect\(\s*'[\w-]+',\s*{handler}(?:,\s*priority=(\d+))?\)", source)
    assert found, f"{handler} is no longer connected as before"
    return int(found.group(1) or 500)


# --- Sphinx -------------------------------------------------------------------------------

SPHINX = f"Sphinx {version('Sphinx')}"


def test_sphinx_epub_builder_methods_the_adapter_overrides():
    from adapters import sphinx as adapter
    from sphinx.builders.epub3 import Epub3Builder

    for name, params in (("get_toc", ["self"]), ("toc_add_files", ["self", "refnodes"]),
                         ("toc_metadata", ["self", "level", "navpoints"]), ("build_content", ["self"])):
        method = getattr(Epub3Builder, name, None)
        assert callable(method), f"{SPHINX}: Epub3Builder.{name} is gone (adapters/sphinx.py)"
        assert list(inspect.signature(method).parameters) == params, \
            f"{SPHINX}: Epub3Builder.{name} takes other arguments (adapters/sphinx.py)"
    # get_toc makes the navigation that the rest of the builder reads
    assert "self.refnodes" in inspect.getsource(Epub3Builder.get_toc), \
        f"{SPHINX}: Epub3Builder.get_toc no longer sets refnodes (adapters/sphinx.py)"
    # build_content writes content.opf and the cover page, which after_package completes
    content = inspect.getsource(Epub3Builder.build_content)
    assert "content.opf" in content and "coverpage_name" in content, \
        f"{SPHINX}: Epub3Builder.build_content no longer writes content.opf and the cover page"
    assert isinstance(Epub3Builder.coverpage_name, str), f"{SPHINX}: no coverpage_name"
    assert set(Epub3Builder.guide_titles) == {"toc", "cover"}, f"{SPHINX}: guide_titles changed"
    assert issubclass(adapter.EpubBuilder, Epub3Builder)


def test_sphinx_checks_the_configuration_after_the_books_handlers():
    import sphinx.builders.epub3
    import sphinx.config
    from adapters import sphinx as adapter

    checks = _connected_priority(inspect.getsource(sphinx.config.setup), "check_confval_types")
    assert adapter.BEFORE_CONFIG_CHECK < checks, \
        f"{SPHINX} checks the configuration's types at priority {checks} (adapters/sphinx.py)"
    epub = _connected_priority(inspect.getsource(sphinx.builders.epub3.setup), "validate_config_values")
    assert adapter.BEFORE_EPUB_CHECK < epub, \
        f"{SPHINX} checks the EPUB's settings at priority {epub} (adapters/sphinx.py)"


def test_sphinx_latex_definitions_the_adapter_restates():
    import sphinx
    from adapters import sphinx as adapter

    texinputs = Path(sphinx.__file__).parent / "texinputs"
    sphinx_own = ((texinputs / "sphinxlatexstyleheadings.sty").read_text(encoding="utf-8")
                  + (texinputs / "sphinxlatextables.sty").read_text(encoding="utf-8"))
    restated = [line for line in adapter.RAGGED_LATEX.splitlines() if not line.startswith("%")]
    assert len(restated) == 10
    for line in restated:
        theirs = line.replace("\\RaggedRight", "").replace(">{\\arraybackslash}", "")
        assert theirs in sphinx_own, f"{SPHINX} no longer defines « {theirs.strip()} » (adapters/sphinx.py)"


def test_sphinx_page_assets_the_adapter_reads():
    from adapters import sphinx as adapter
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    script = _JavaScript("vendor/thebe.js", type="module", body="var a;")
    assert adapter.asset_file(script) == "vendor/thebe.js", f"{SPHINX}: a script's file"
    assert adapter.asset_attributes(script) == {"type": "module", "body": "var a;"}, SPHINX
    assert adapter.asset_file(_JavaScript("", body="var a;")) == ""
    assert adapter.asset_file(_CascadingStyleSheet("thebe.css")) == "thebe.css", SPHINX


# --- myst-nb ------------------------------------------------------------------------------

MYST_NB = f"myst-nb {version('myst-nb')}"

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "titre", "metadata": {}, "source": "# Carnet"},
        {"cell_type": "code", "id": "sortie", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "from IPython.display import display\n"
                   "display({'text/plain': 'texte' + '-brut', 'text/html': '<b>page</b>'}, raw=True)"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def myst_nb_site(tmp_path_factory):
    """A two-page site (a notebook, executed, and a page with myst-nb's execution table)
    built by Sphinx with myst-nb and the book's publication extension."""
    from sphinx.application import Sphinx

    src = tmp_path_factory.mktemp("mystnb")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        # no sphinx-sitemap: built in this process, it would fork a multiprocessing Manager
        # (its page queue) that outlives the tests and holds Playwright's pipes open, so
        # that pytest never exits
        "extensions = ['myst_nb', 'sphinxext.opengraph', 'publication']\n"
        "nb_execution_mode = 'force'\nlanguage = 'fr'\nsite_url = './'\n", encoding="utf-8")
    (src / "index.md").write_text("# Exécution\n\n```{nb-exec-table}\n```\n\n"
                                  "```{toctree}\ncarnet\n```\n", encoding="utf-8")
    (src / "carnet.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    (src / "data").symlink_to(ROOT / "data")  # the data package the extension publishes
    app = Sphinx(str(src), str(src), str(src / "_build" / "html"), str(src / "_build" / "doctrees"),
                 "html", status=None, warning=None, freshenv=True)
    app.build()
    return app


def test_myst_nb_exec_table_node_and_data(myst_nb_site):
    from adapters import myst_nb as adapter
    from myst_nb.ext.execution_tables import ExecutionStatsPostTransform

    assert adapter.BEFORE_EXEC_TABLE < ExecutionStatsPostTransform.default_priority
    executed = adapter.executed_notebooks(myst_nb_site.env)
    assert set(executed) == {"carnet"}, f"{MYST_NB}: no execution data for the notebook ({executed})"
    data = executed["carnet"]
    assert {"mtime", "method", "runtime", "succeeded", "error"} <= set(data), \
        f"{MYST_NB}: the execution data changed: {sorted(data)} (adapters/myst_nb.py)"
    assert data["succeeded"] is True and data["method"] == "force"
    # publication.FrenchExecTable replaced the placeholder before myst-nb's own table
    page = (Path(myst_nb_site.outdir) / "index.html").read_text(encoding="utf-8")
    assert "Exécuté le" in page and "réussie" in page, \
        f"{MYST_NB}: its execution table is no longer replaced by the French one (adapters/myst_nb.py)"
    assert "Run Time" not in page


def test_myst_nb_keeps_every_mime_type_of_an_output_until_it_chooses(myst_nb_site):
    from adapters import myst_nb as adapter
    from myst_nb.sphinx_ import SelectMimeType

    assert adapter.BEFORE_MIME_SELECTION < SelectMimeType.default_priority
    doctree = myst_nb_site.env.get_doctree("carnet")
    bundles = list(adapter.mime_bundles(doctree))
    assert len(bundles) == 1, f"{MYST_NB}: an output's MIME types are no longer kept together"
    outputs = adapter.bundle_outputs(bundles[0])
    assert set(outputs) == {"text/plain", "text/html"}, f"{MYST_NB}: {sorted(outputs)}"
    # and the HTML builder chose one of them
    page = (Path(myst_nb_site.outdir) / "carnet.html").read_text(encoding="utf-8")
    assert "<b>page</b>" in page and "texte-brut" not in page


# --- plotly.js -----------------------------------------------------------------------------

FIGURE = {
    "data": [{"type": "bar", "x": [3, 5], "y": ["a", "b"], "orientation": "h"}],
    "layout": {"title": {"text": "Un titre"}, "width": 500, "height": 400,
               "updatemenus": [{"type": "dropdown", "x": 0, "y": 1.1, "yanchor": "bottom",
                                "buttons": [{"label": "tous", "method": "skip"},
                                            {"label": "un", "method": "skip"}]},
                               {"type": "dropdown", "x": 0.5, "y": 1.1, "yanchor": "bottom",
                                "buttons": [{"label": "toutes", "method": "skip"},
                                            {"label": "une", "method": "skip"}]}]},
}


def test_plotly_js_internals_the_adapter_reads(browser):
    import plotly

    page = browser.new_page()
    try:
        page.set_content("<html><body><div id='gd'></div></body></html>")
        page.add_script_tag(path=str(Path(plotly.__file__).parent / "package_data" / "plotly.min.js"))
        page.add_script_tag(path=str(ROOT / "book" / "assets" / "plotly-internals.js"))
        page.evaluate("(f) => Plotly.newPlot('gd', f.data, f.layout)", FIGURE)
        plotly_js = f"plotly.js {page.evaluate('Plotly.version')}"
        got = page.evaluate("""() => {
            const gd = document.getElementById('gd'), i = window.rtesPlotlyInternals;
            const full = i.fullLayout(gd);
            return {area: i.plotArea(gd), menus: [i.menuHeight(gd, 0), i.menuHeight(gd, 1)],
                    font: full && full.title.font, title: full && [full.title.x, full.title.xref, full.title.pad.l],
                    width: full && full.width, margin: full && [full.margin.r, full.margin.t],
                    menuFont: full && full.updatemenus[0].font, pad: full && full.updatemenus[0].pad};
        }""")
        area = got["area"] or {}
        assert all(isinstance(area.get(k), (int, float)) and area[k] >= 0 for k in "ltwh") \
            and area["w"] > 0 and area["h"] > 0, f"{plotly_js}: no plot area in _fullLayout._size ({area})"
        assert all(h > 0 for h in got["menus"]), f"{plotly_js}: no list heights in _dims ({got['menus']})"
        assert got["font"] and got["font"]["size"] > 0 and got["font"]["family"], \
            f"{plotly_js}: no title font in _fullLayout ({got['font']})"
        assert got["title"][1] in ("paper", "container") and got["width"] == 500, plotly_js
        assert all(isinstance(v, (int, float)) for v in got["margin"] + got["title"][:1] + got["title"][2:])
        assert got["menuFont"]["size"] > 0 and set(got["pad"]) >= {"t", "b", "l", "r"}, plotly_js
        # what plotly-setup.js and rtes-explorer.js read of the drawn chart: its title, one
        # header per list in their order, the open list's choices in order and its index,
        # and (public) the choice kept in the layout
        drawn = page.evaluate("""() => { const gd = document.getElementById('gd'), i = window.rtesPlotlyInternals;
            return [i.isDrawn(gd), i.titleElement(gd) && i.titleElement(gd).textContent,
                    i.listHeaders(gd).length, i.openListIndex(gd)]; }""")
        assert drawn == [True, "Un titre", 2, -1], f"{plotly_js}: the chart is drawn otherwise ({drawn})"
        page.evaluate("""() => { const gd = document.getElementById('gd'), i = window.rtesPlotlyInternals;
            i.headerButton(i.listHeaders(gd)[1]).dispatchEvent(new MouseEvent('click', {bubbles: true})); }""")
        opened = page.evaluate("""() => { const gd = document.getElementById('gd'), i = window.rtesPlotlyInternals;
            const choices = i.choices(gd);
            return [i.openListIndex(gd), choices.map(c => c.textContent), !!i.choicesGroup(gd),
                    i.choiceAround(choices[1].firstChild) === choices[1],
                    i.headerAround(i.headerButton(i.listHeaders(gd)[0])) === i.listHeaders(gd)[0]]; }""")
        assert opened == [1, ["toutes", "une"], True, True, True], f"{plotly_js}: the open list ({opened})"
        page.evaluate("""() => window.rtesPlotlyInternals.choices(document.getElementById('gd'))[1]
            .dispatchEvent(new MouseEvent('click', {bubbles: true}))""")
        assert page.evaluate("document.getElementById('gd').layout.updatemenus.map(m => m.active || 0)") \
            == [0, 1], f"{plotly_js}: a list's choice is no longer kept in gd.layout"
    finally:
        page.close()
