"""Emit a Plotly figure so that each builder of the book gets the right form.

One display bundle per chart:
- ``text/html``: the live chart (plotly.js is *not* inlined: the site serves one shared,
  cached copy, see ``book/_ext/offline_assets.py``), a description for screen readers and
  the underlying data as a folded table;
- ``image/png``: a print-resolution image made by kaleido, which the PDF builder picks;
- ``text/plain``: the text alternative.
``_config.yml`` (``nb_mime_priority_overrides``) says which one each builder uses.
"""

from __future__ import annotations

import base64
import html
import warnings

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

PNG_WIDTH = 900  # CSS pixels; scale 3 gives ~2700 px, ~300 dpi across a 23 cm text block
PNG_SCALE = 3

_kaleido_started = False


def _start_kaleido() -> None:
    """One browser for all the exports of a kernel (each export would start its own)."""
    global _kaleido_started
    if not _kaleido_started:
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        _kaleido_started = True


def to_png(fig: go.Figure) -> bytes:
    _start_kaleido()
    height = fig.layout.height or 500
    with warnings.catch_warnings():
        # plotly passes browser options that the shared kaleido server already has.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return pio.to_image(fig, format="png", width=PNG_WIDTH, height=height,
                            scale=PNG_SCALE)


def data_table_html(table: pd.DataFrame, caption: str) -> str:
    """The chart's data as an accessible HTML table; every cell escaped as text."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return (
        f'<table class="rtes-chart-data"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _fmt(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if pd.isna(value):
        return ""
    return str(value)


def chart_html(fig: go.Figure, chart_id: str, description: str, table: pd.DataFrame) -> str:
    config = {"responsive": True, "displaylogo": False, "locale": "fr",
              "toImageButtonOptions": {"format": "png", "filename": chart_id, "scale": 2}}
    div = pio.to_html(fig, include_plotlyjs=False, include_mathjax=False, full_html=False,
                      div_id=chart_id, config=config)
    desc_id = f"{chart_id}-description"
    return (
        f'<div class="rtes-chart" id="{chart_id}-wrapper">'
        f'<p class="rtes-chart-description" id="{desc_id}">{html.escape(description)}</p>'
        f'<div class="rtes-chart-plot" role="group" aria-describedby="{desc_id}">{div}</div>'
        "<details class=\"rtes-chart-details\"><summary>Données du graphique</summary>"
        f"{data_table_html(table, description)}</details></div>"
    )


def show(fig: go.Figure, chart_id: str, description: str, table: pd.DataFrame) -> None:
    """Display ``fig`` for the book: live chart on the web, PNG in the PDF."""
    from IPython.display import display

    bundle = {
        "text/html": chart_html(fig, chart_id, description, table),
        "text/plain": description,
        "image/png": base64.b64encode(to_png(fig)).decode("ascii"),
    }
    display(bundle, raw=True)
