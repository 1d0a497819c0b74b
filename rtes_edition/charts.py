"""Chart builders: data frames from ``rtes_edition.data`` in, Plotly figures out.

Every text drawn from the data is escaped before it reaches a hover label or a caption:
the data are shown as text, never interpreted as HTML.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from babel.numbers import format_decimal

from rtes_edition.text import fold

FONT = "DejaVu Sans, Arial, sans-serif"

# Colours that stay apart when printed in grey: hues of Okabe & Ito's colour-blind-safe
# palette, each at its own lightness (CIE L* 0, 24, 36, 48, 60, 74, 84: at least 12 apart).
# tests/test_charts.py checks the lightness of every palette of the book.
GREY_SAFE = ["#000000", "#003d5e", "#8b3565", "#00825f", "#ed6900", "#f2a800", "#d2d2d2"]
QUALIFIER_WORDS = {
    "exact": "",
    "environ": "environ ",
    "au moins": "au moins ",
    "au plus": "au plus ",
    "fourchette": "",
}
UNIT_WORDS = {
    "EUR": "€", "pourcent": "%", "m2": "m²", "personnes": "personnes", "autre": "",
}
# The explorer's row for the figures that count something with no unit of their own
# (unit « autre », data/README.md): named, not left blank beside the other rows' units.
OTHER_UNITS = "autres"

# French numbers in every chart, set once: decimal comma and a narrow no-break space
# between thousands (plotly's ``separators``), never an SI suffix on a tick (« 5k », « 2M »:
# ``exponentformat``), thousands separated from 1 000 on. Every chart starts from this
# template (:func:`base_layout`); kaleido's print images get it inside the figure.
FRENCH_SEPARATORS = ",\u202f"
_AXIS = {"exponentformat": "none", "separatethousands": True, "automargin": True,
         # horizontal, else upright: a slanted label's box overlaps its neighbours'
         "autotickangles": [0, 90], "gridcolor": "#ddd", "zerolinecolor": "#bbb"}
pio.templates["rtes"] = go.layout.Template(layout={
    "separators": FRENCH_SEPARATORS, "font": {"family": FONT, "size": 14},
    "xaxis": _AXIS, "yaxis": _AXIS, "plot_bgcolor": "white", "paper_bgcolor": "white",
})


def format_number(value: float, decimals: int | None = 2) -> str:
    """A number as French is printed (CLDR's rules for fr_FR, through babel): a narrow
    no-break space between thousands, a comma for decimals, and for a negative number the
    minus sign (−) of French typography rather than CLDR's hyphen; at most ``decimals``
    decimals, or all of them as stored (``None``: a data table)."""
    if decimals is None:
        text = format_decimal(value, locale="fr_FR", decimal_quantization=False)
    else:
        text = format_decimal(value, format="#,##0." + "#" * decimals, locale="fr_FR")
    return text.replace("-", "\u2212")


def qualified_value(row: pd.Series) -> str:
    """« au moins 250 personnes », « 25 à 30 acteurs »: the figure as the text states it."""
    unit = UNIT_WORDS.get(row["unit"], row["unit"])
    if row["qualifier"] == "fourchette" and pd.notna(row.get("low")) and pd.notna(row.get("high")):
        return f"{format_number(row['low'])} à {format_number(row['high'])} {unit}"
    return f"{QUALIFIER_WORDS.get(row['qualifier'], '')}{format_number(row['value'])} {unit}".strip()


def hover_text(row: pd.Series, label: str) -> str:
    """Exact value, qualifier, unit and the verbatim sentence, escaped."""
    sentence = html.escape(str(row["sentence"]))
    # wrap the sentence every ~80 characters so that the hover box stays readable
    words, lines, line = sentence.split(), [], ""
    for word in words:
        if len(line) + len(word) > 80:
            lines.append(line)
            line = ""
        line += word + " "
    lines.append(line)
    return (f"<b>{html.escape(label)}</b><br>{html.escape(qualified_value(row))}"
            f"<br><i>« {'<br>'.join(l.strip() for l in lines)} »</i>")


def french_tick(value: float) -> str:
    """A power of ten as a French reader writes it: « 1 000 », « 1 million »,
    « 10 millions », « 1 milliard », « 0,1 »."""
    for scale, one, many in ((1e9, "milliard", "milliards"), (1e6, "million", "millions")):
        if value >= scale:
            count = value / scale
            return f"{format_number(count)} {one if count < 2 else many}"
    return format_number(value)


def log_ticks(values, unit: str = "") -> dict:
    """Axis settings for a logarithmic axis over ``values``: one tick per power of ten,
    written in full French words (:func:`french_tick`), ``unit`` after each."""
    values = [float(v) for v in values if pd.notna(v) and float(v) > 0]
    low = math.floor(math.log10(min(values))) if values else 0
    high = math.ceil(math.log10(max(values))) if values else 1
    ticks = [10.0 ** e for e in range(low, max(high, low + 1) + 1)]
    suffix = f"\u00a0{unit}" if unit else ""
    return {"type": "log", "tickvals": ticks, "ticktext": [french_tick(t) + suffix for t in ticks],
            # from one power of ten to another: the same scale on every page of a chart
            "range": [math.log10(ticks[0]), math.log10(ticks[-1])]}


def base_layout(fig: go.Figure, title: str, height: int = 450) -> go.Figure:
    """The book's chart style (the French template above), ``title`` escaped, left-aligned."""
    fig.update_layout(
        template="rtes",
        title={"text": html.escape(title), "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def wrap(text: str, width: int) -> str:
    """Escape ``text`` and break it into lines of about ``width`` characters for an axis."""
    words, lines, line = html.escape(text).split(), [], ""
    for word in words:
        if line and len(line) + len(word) > width:
            lines.append(line.strip())
            line = ""
        line += word + " "
    lines.append(line.strip())
    return "<br>".join(lines)


def short_label(row: pd.Series, width: int = 80) -> str:
    """What a figure counts, in a few words: the editor's note up to its first « ; » when
    short enough, else the measure; prefixed by the territory."""
    note = row.get("note")
    what = str(note).split(";")[0].strip() if isinstance(note, str) else ""
    if not what or len(what) > width:
        what = str(row["measure"])
    territory = row.get("territory")
    return f"{territory} — {what}" if isinstance(territory, str) and territory else what


def unique_labels(rows: pd.DataFrame) -> list[str]:
    """:func:`short_label` of each row, with the figure id added where two rows would
    otherwise share a bar."""
    labels = [short_label(r) for _, r in rows.iterrows()]
    counts = pd.Series(labels).value_counts()
    return [f"{l} ({i})" if counts[l] > 1 else l for l, i in zip(labels, rows["id"])]


# Labelled bars: each figure on its own row, its label written above its bar across the
# whole plot (never beside it: long labels took half a phone's width and ran into each
# other), the value as the text states it at the end of the label. Sizes in px.
LABEL_FONT = 14
LABEL_CHARS = 38  # characters per label line: fits a 390 px phone's plot at 14 px
LINE_PX = 19  # one label line
BAR_PX = 14
ROW_GAP_PX = 12
HEADER_PX = 30  # a group's name
PANEL_GAP_PX = 96  # between two panels: the upper one's ticks and axis title
BAR_COLOUR = GREY_SAFE[1]


def _row_label(label: str, row: pd.Series) -> str:
    """« label : <b>au moins 250 personnes</b> », escaped, in lines of about
    :data:`LABEL_CHARS` characters; the value is never broken across two lines."""
    value = qualified_value(row) if pd.notna(row.get("value")) else "non indiqué"
    # French spaces inside « » and before « : » never break a line
    glued = f"{label} :".replace("« ", "«\xa0").replace(" »", "\xa0»").replace(" :", "\xa0:")
    tokens = [(w, html.escape(w)) for w in glued.split(" ") if w]
    tokens.append((value, f"<b>{html.escape(value).replace(' ', chr(0xA0))}</b>"))
    lines, line, length = [], [], 0
    for plain, shown in tokens:
        if line and length + 1 + len(plain) > LABEL_CHARS:
            lines.append(" ".join(line))
            line, length = [], -1
        line.append(shown)
        length += 1 + len(plain)
    lines.append(" ".join(line))
    return "<br>".join(lines)


def labelled_bars(rows: pd.DataFrame, labels: list[str], title: str, *, groups: list | None = None,
                  group_order: list[str] | None = None, log: bool = False,
                  axis_title: str | None = None, value_range: list[float] | None = None,
                  keep_order: bool = False, axis_values: dict | None = None,
                  print_pages: bool = True) -> go.Figure:
    """One horizontal bar per row of ``rows`` (figure rows: value, qualifier, low, high,
    unit, sentence), in one panel per unit (an axis never mixes two units), grouped by
    ``groups`` (one name per row, shown in ``group_order``) and, within a group, from the
    largest value down. A row without a value is written « non indiqué », without a bar.
    A « fourchette » gets an error bar up to its upper bound, an « au moins » an arrow
    head at the bar's end. ``log``: a logarithmic axis (said in its title); ``keep_order``:
    the rows in their own order rather than from the largest.

    A chart taller than a printed page (``rtes_edition.output.PNG_MAX_HEIGHT``) also gets
    its print form as several pages, each a figure of consecutive rows on the same axes
    (``fig._rtes_print_pages``, which ``output.show`` prints one after the other): drawn
    shorter, its labels would cover one another; scaled down, they would print too small.
    ``axis_values`` (unit -> values) and ``print_pages`` serve that split."""
    from plotly.subplots import make_subplots

    rows = rows.reset_index(drop=True).copy()
    rows["_label"] = list(labels)
    rows["_group"] = list(groups) if groups is not None else [""] * len(rows)
    order = group_order or list(dict.fromkeys(rows["_group"]))
    rows["_rank"] = [order.index(g) for g in rows["_group"]]
    rows["_unit"] = [UNIT_WORDS.get(u, u) if isinstance(u, str) else "" for u in rows["unit"]]
    # the unit of most rows first
    units = list(rows["_unit"].value_counts(sort=True).index) if len(rows) else []
    units.sort(key=lambda u: (-(rows["_unit"] == u).sum(), list(rows["_unit"]).index(u)))
    panels = []  # (unit, items, height in px); items: (kind, y, payload)
    for unit in units:
        part = rows[rows["_unit"] == unit]
        if not keep_order:
            part = part.sort_values(["_rank", "value"], ascending=[True, False], na_position="last",
                                    kind="stable")
        y, items, current = 0, [], None
        for _, row in part.iterrows():
            if groups is not None and row["_group"] != current:
                current = row["_group"]
                items.append(("header", y, current))
                y += HEADER_PX
            text = _row_label(row["_label"], row)
            y += LINE_PX * (text.count("<br>") + 1)
            items.append(("row", y + BAR_PX / 2, (row, text)))
            y += BAR_PX + ROW_GAP_PX
        panels.append((unit, items, y))
    plot_px = sum(h for _, _, h in panels) + PANEL_GAP_PX * (len(panels) - 1)
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=False, vertical_spacing=0,
                        row_heights=[h for _, _, h in panels] or [1])
    top = 1.0
    for index, (unit, items, height) in enumerate(panels, start=1):
        # each panel's exact place, in px of the plot area
        domain = [max(0.0, top - height / plot_px), top]
        top = domain[0] - PANEL_GAP_PX / plot_px
        xname, yname = ("x", "y") if index == 1 else (f"x{index}", f"y{index}")
        bars = [payload for kind, _, payload in items if kind == "row"]
        ys = [y for kind, y, _ in items if kind == "row"]
        shown = [(r, t, y) for (r, t), y in zip(bars, ys) if pd.notna(r["value"])]
        fig.add_trace(go.Bar(
            orientation="h", x=[r["value"] for r, _, _ in shown], y=[y for _, _, y in shown],
            width=BAR_PX, marker_color=BAR_COLOUR, showlegend=False,
            error_x={"type": "data", "symmetric": False, "color": "#000", "thickness": 2, "width": 5,
                     "array": [(r["high"] - r["value"]) if r["qualifier"] == "fourchette"
                               and pd.notna(r.get("high")) else 0 for r, _, _ in shown],
                     "arrayminus": [0] * len(shown)},
            hovertext=[hover_text(r, r["_label"]) for r, _, _ in shown], hoverinfo="text",
        ), row=index, col=1)
        at_least = [(r, y) for r, _, y in shown if r["qualifier"] == "au moins"]
        if at_least:
            fig.add_trace(go.Scatter(
                x=[r["value"] for r, _ in at_least], y=[y for _, y in at_least], mode="markers",
                marker={"symbol": "triangle-right", "size": 13, "color": "#000"}, showlegend=False,
                hoverinfo="skip"), row=index, col=1)
        for kind, y, payload in items:
            if kind == "header":
                fig.add_annotation(text=f"<b>{wrap(str(payload), LABEL_CHARS)}</b>", x=0,
                                   xref=f"{xname} domain", y=y + HEADER_PX - 6, yref=yname,
                                   xanchor="left", yanchor="bottom", showarrow=False, align="left",
                                   font={"size": LABEL_FONT + 1})
            else:
                row, text = payload
                fig.add_annotation(text=text, x=0, xref=f"{xname} domain", y=y - BAR_PX / 2 - 2,
                                   yref=yname, xanchor="left", yanchor="bottom", showarrow=False,
                                   align="left", font={"size": LABEL_FONT,
                                                       "color": "#000" if pd.notna(row["value"]) else "#555"})
        fig.update_yaxes(visible=False, range=[height, 0], domain=domain, fixedrange=True,
                         row=index, col=1)
        values = (pd.Series(axis_values[unit]) if axis_values and unit in axis_values
                  else rows.loc[rows["_unit"] == unit, ["value", "high"]].stack())
        words = axis_title or (unit or "nombre")
        if log:
            fig.update_xaxes(**log_ticks(values), title_text=f"{words} (échelle logarithmique)",
                             row=index, col=1)
        else:
            fig.update_xaxes(range=value_range or [0, float(values.max()) * 1.08 if len(values) else 1],
                             title_text=words, row=index, col=1)
    fig = base_layout(fig, title, height=int(plot_px) + 70 + 90)
    fig.update_xaxes(showline=True, linecolor="#888", ticks="outside", tickfont={"size": 13})
    fig.update_layout(margin={"l": 10, "r": 24, "t": 70, "b": 90}, showlegend=False,
                      bargap=0)
    from rtes_edition.output import PNG_MAX_HEIGHT

    if print_pages and fig.layout.height > PNG_MAX_HEIGHT:
        # consecutive rows as displayed, cut where a page is full (the title may take two lines)
        room = PNG_MAX_HEIGHT - 70 - 90 - 30
        header = HEADER_PX if groups is not None else 0
        pages, used, unit, group = [[]], 0, None, None
        for unit_name, items, _ in panels:
            for kind, _, payload in items:
                if kind != "row":
                    continue
                row, text = payload
                bar = LINE_PX * (text.count("<br>") + 1) + BAR_PX + ROW_GAP_PX
                need = bar + (header if row["_group"] != group or unit_name != unit else 0) \
                    + (PANEL_GAP_PX if unit is not None and unit_name != unit else 0)
                if pages[-1] and used + need > room:
                    pages.append([])  # a new figure: its first row under its group's name
                    need = bar + header
                used = used + need if pages[-1] else need
                pages[-1].append(row.name)
                unit, group = unit_name, row["_group"]
        shared = {u: list(rows.loc[rows["_unit"] == u, ["value", "high"]].stack()) for u in units}
        fig._rtes_print_pages = [
            labelled_bars(rows.loc[page], list(rows.loc[page, "_label"]),
                          f"{title} ({number}/{len(pages)})",
                          groups=list(rows.loc[page, "_group"]) if groups is not None else None,
                          group_order=order, log=log, axis_title=axis_title,
                          value_range=value_range, keep_order=True, axis_values=shared,
                          print_pages=False)
            for number, page in enumerate(pages, start=1)]
    return fig


def horizontal_bars(rows: pd.DataFrame, label_column: str, title: str, axis_title: str | None = None,
                    value_range: list[float] | None = None, keep_order: bool = False) -> go.Figure:
    """:func:`labelled_bars` of ``rows``, labelled by ``label_column``."""
    return labelled_bars(rows, [str(v) for v in rows[label_column]], title, axis_title=axis_title,
                         value_range=value_range, keep_order=keep_order)


def grouped_log_bars(rows: pd.DataFrame, group_column: str, groups: list[str], title: str,
                     unit_title: str | None = None) -> go.Figure:
    """:func:`labelled_bars` on a logarithmic axis, one block of bars per group (in
    ``groups`` order), one panel per unit."""
    names = [str(g) for g in rows[group_column]]
    # the group's name heads its block: not repeated in each label
    labels = [label[len(g) + 3:] if label.startswith(f"{g} — ") else label
              for label, g in zip(unique_labels(rows), names)]
    return labelled_bars(rows, labels, title, groups=names, group_order=groups, log=True,
                         axis_title=unit_title)


def print_form(fig: go.Figure, width: int) -> go.Figure:
    """``fig`` as the print image shows it, ``width`` px wide: the title broken into lines
    that fit (on the site, book/assets/plotly-setup.js does it at the chart's width)."""
    fig = go.Figure(fig)
    title = fig.layout.title.text or ""
    size = (fig.layout.title.font.size or (fig.layout.font.size or 14) * 1.2)
    chars = int((width - 40) / (0.62 * size))
    if title and "<br>" not in title and len(title) > chars:
        lines = wrap(html.unescape(title), chars).count("<br>")
        fig.update_layout(title_text=wrap(html.unescape(title), chars),
                          margin_t=(fig.layout.margin.t or 60) + int(lines * 1.3 * size),
                          height=(fig.layout.height or 450) + int(lines * 1.3 * size))
        # plotly.js hangs a title of several lines about one line above its anchor
        fig.update_layout(title={"yref": "container", "y": 1 - (10 + 1.3 * size) / fig.layout.height,
                                 "yanchor": "top"})
    return fig


# Metropolitan France and Corsica, with a margin: the view of the map.
FRANCE_LON = [-5.5, 10.0]
FRANCE_LAT = [41.2, 51.3]
# The 22 metropolitan regions of 2013 (data/geo/README.md), drawn under the points.
REGIONS_2013 = "data/geo/regions-2013.geojson"
# where the site serves it (book/_ext/offline_assets.py), from a page of notebooks/
REGIONS_2013_URL = "../_static/vendor/regions-2013.geojson"
REGIONS_NAME = "Régions de 2013"
REGIONS_FILL = "#f3ecd6"
REGIONS_LINE = "#7a7a7a"


def region_layer(regions: dict) -> go.Choropleth:
    """The regions of ``regions`` (a GeoJSON FeatureCollection whose features have the
    properties ``code`` and ``nom``) as one flat, lightly filled layer: no colour scale,
    the name of the region on hover, one legend entry."""
    codes = [f["properties"]["code"] for f in regions["features"]]
    names = [html.escape(f["properties"]["nom"]) for f in regions["features"]]
    return go.Choropleth(
        geojson=regions, featureidkey="properties.code", locations=codes, z=[0] * len(codes),
        colorscale=[[0, REGIONS_FILL], [1, REGIONS_FILL]], zmin=0, zmax=1, showscale=False,
        marker={"line": {"color": REGIONS_LINE, "width": 0.8}},
        name=REGIONS_NAME, showlegend=True,
        text=names, hovertemplate="<b>%{text}</b><br>région de 2013<extra></extra>",
    )


def served_base_layer(fig: go.Figure, url: str) -> go.Figure:
    """A copy of ``fig`` whose region layer names the GeoJSON by ``url`` (the browser
    fetches it from the site, once, cached) instead of carrying it inline."""
    web = go.Figure(fig)
    web.update_traces(geojson=url, selector={"type": "choropleth"})
    return web


def point_map(points: pd.DataFrame, title: str, colours: dict[str, str], sizes: dict[str, int],
              meetings: pd.DataFrame, regions: dict | None = None) -> go.Figure:
    """Map of France: one marker per place and group (``points``: latitude, longitude,
    group, hover), the wider groups drawn larger so that a région and a commune at the same
    place both show; the meeting cities as stars with their names; under them, when
    ``regions`` is given, the boundaries of those regions (see :func:`region_layer`)."""
    fig = go.Figure()
    if regions is not None:
        fig.add_trace(region_layer(regions))
    for group in colours:
        part = points[points["group"] == group]
        if part.empty:
            continue
        fig.add_trace(go.Scattergeo(
            lat=part["latitude"], lon=part["longitude"], mode="markers", name=html.escape(group),
            marker={"size": sizes[group], "color": colours[group], "opacity": 0.85,
                    "line": {"width": 1, "color": "white"}},
            hovertext=part["hover"], hoverinfo="text",
        ))
    # the meeting cities last, as open stars: on top, so that a city's own markers (its
    # région, its commune) never hide them, and hollow, so that they hide none of those;
    # wider than the widest disc, so that their points show around the black national one
    fig.add_trace(go.Scattergeo(
        lat=meetings["latitude"], lon=meetings["longitude"], mode="markers+text",
        name="Lieu d'une rencontre", legendrank=1,
        text=[html.escape(c) for c in meetings["city"]], textposition="top right",
        textfont={"size": 13, "color": "#000000"},
        marker={"symbol": "star-open", "size": max(sizes.values(), default=0) + 12,
                "color": "#000000", "line": {"width": 2.5}},
        hovertext=[f"<b>{html.escape(n)}</b><br>{html.escape(c)}, {d:%d/%m/%Y}"
                   for n, c, d in zip(meetings["name"], meetings["city"], meetings["date"])],
        hoverinfo="text",
    ))
    fig.update_geos(
        scope="europe", resolution=50, projection_type="mercator", fitbounds=False,
        lonaxis_range=FRANCE_LON, lataxis_range=FRANCE_LAT,
        showcountries=True, countrycolor="#888", showcoastlines=True, coastlinecolor="#888",
        showland=True, landcolor="#f4f4f4", showocean=True, oceancolor="#e8f1f8",
        showlakes=False,
    )
    fig = base_layout(fig, title, height=650)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 60, "b": 0},
                      # below the map: over it, the legend hid eastern France (Grenoble)
                      # and, on a phone, most of the country
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.01,
                              "yanchor": "top"})
    return fig


NETWORK_FONT = 13
NETWORK_HEIGHT = 640
# the narrowest plot the network is drawn in (a 390 px phone): labels chosen to fit there
# fit anywhere wider, since a wider plot only moves the nodes apart
NETWORK_MIN_PX = (330, NETWORK_HEIGHT - 310)
EGO_MIN_PARTNERS = 2  # organisations the list offers: the others show in their partner's view
EGO_LABEL_CHARS = 38


def _text_px(text: str, size: int = NETWORK_FONT) -> float:
    """A generous estimate of the width of ``text`` in DejaVu Sans at ``size`` px."""
    return len(text) * 0.62 * size + 6


def network_layout(nodes: pd.DataFrame, edges: pd.DataFrame, groups: list[str]) -> dict[str, tuple]:
    """Position of each node in [0, 1]²: one cluster per group (``groups`` order, on a
    grid of three columns, each cell as wide as its cluster needs), each laid out by
    networkx's force-directed layout with a fixed seed, so that the picture is the same at
    every build."""
    import networkx as nx

    columns = 3
    rows_count = max(1, math.ceil(len(groups) / columns))
    cell_h = 1 / rows_count
    size = {g: int((nodes["group"] == g).sum()) for g in groups}
    position = {}
    for index, group in enumerate(groups):
        members = sorted(nodes.loc[nodes["group"] == group, "id"])
        if not members:
            continue
        # a row's cells as wide as their clusters need (a side grows as the square root)
        row = index // columns
        in_row = groups[row * columns:(row + 1) * columns]
        weights = [size[g] ** 0.5 + 1 for g in in_row]
        left = sum(weights[:in_row.index(group)]) / sum(weights)
        cell_w = weights[in_row.index(group)] / sum(weights)
        sub = nx.Graph()
        sub.add_nodes_from(members)
        sub.add_edges_from((s, t) for s, t in zip(edges["source_id"], edges["target_id"])
                           if s in sub and t in sub)
        local = nx.spring_layout(sub, seed=2013, k=1.5 / max(1, len(members)) ** 0.5)
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
        for node, (x, y) in local.items():
            # a margin inside each cell keeps the clusters apart
            fx = (x - min(xs)) / span_x if len(members) > 1 else 0.5
            fy = (y - min(ys)) / span_y if len(members) > 1 else 0.5
            position[node] = (left + (0.1 + 0.8 * fx) * cell_w,
                              1 - (row + 0.18 + 0.7 * (1 - fy)) * cell_h)
    return position


def hub_labels(nodes: pd.DataFrame, degree: dict[str, int], position: dict[str, tuple],
               size: tuple[int, int] = NETWORK_MIN_PX) -> set[str]:
    """The nodes whose label is drawn: the most connected first, each when its label (above
    its marker) fits inside the plot of ``size`` px without covering a label already kept."""
    width, height = size
    kept, boxes = set(), []
    for node, label in sorted(zip(nodes["id"], nodes["label"]), key=lambda n: (-degree[n[0]], n[1])):
        if degree[node] < 3:
            break
        x, y = position[node][0] * width, (1 - position[node][1]) * height
        w, h = _text_px(label), NETWORK_FONT * 1.3
        box = (x - w / 2, y - 12 - h, x + w / 2, y - 12)
        inside = box[0] >= 0 and box[2] <= width and box[1] >= 0
        clear = all(box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in boxes)
        if inside and clear:
            kept.add(node)
            boxes.append(box)
    return kept


def node_label(name: str) -> str:
    """The acronym in brackets when the name has one (« … (ARF) »), else the name."""
    return name[name.rfind("(") + 1:-1] if name.endswith(")") and "(" in name else name


def _short(text: str, limit: int = EGO_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def network(nodes: pd.DataFrame, edges: pd.DataFrame, title: str, groups: list[str],
            group_colours: dict[str, str], label_px: tuple[int, int] = NETWORK_MIN_PX,
            menus: bool = True) -> go.Figure:
    """Cooperation network. ``nodes``: id, label, name, group (one of ``groups``), hover;
    ``edges``: source_id, target_id, kind, hover.

    The whole network first, clustered by group (:func:`network_layout`), a node's size
    growing with its number of partners, the labels of the hubs where they fit
    (:func:`hub_labels`; every name on hover). A list above the chart picks an organisation
    with at least :data:`EGO_MIN_PARTNERS` partners: the chart then shows it alone on the
    left, linked to each of its partners listed on the right, each named.

    ``label_px``: the smallest plot the labels must fit (the print image's is wider than
    a phone's); ``menus``: False for print (no list, nothing but the whole network)."""
    degree = {n: 0 for n in nodes["id"]}
    for s, t in zip(edges["source_id"], edges["target_id"]):
        degree[s] += 1
        degree[t] += 1
    position = network_layout(nodes, edges, groups)
    labelled = hub_labels(nodes, degree, position, label_px)
    info = nodes.set_index("id")
    fig = go.Figure()
    xs, ys, mx, my = [], [], [], []
    for s, t in zip(edges["source_id"], edges["target_id"]):
        (x0, y0), (x1, y1) = position[s], position[t]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
        mx.append((x0 + x1) / 2)
        my.append((y0 + y1) / 2)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#9a9a9a", "width": 1.2},
                             hoverinfo="skip", showlegend=False))
    # lines take no hover: an invisible marker at the middle of each link carries it
    fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", marker={"size": 10, "opacity": 0},
                             hovertext=list(edges["hover"]), hoverinfo="text", showlegend=False))
    for group in groups:
        part = nodes[nodes["group"] == group]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[position[i][0] for i in part["id"]], y=[position[i][1] for i in part["id"]],
            mode="markers+text", name=html.escape(group),
            marker={"size": [8 + 3 * degree[i] ** 0.5 for i in part["id"]],
                    "color": group_colours[group], "line": {"width": 1, "color": "white"}},
            text=[html.escape(l) if i in labelled else "" for i, l in zip(part["id"], part["label"])],
            textposition="top center", textfont={"size": NETWORK_FONT},
            hovertext=list(part["hover"]), hoverinfo="text",
        ))
    overview = len(fig.data)
    # one trace per organisation offered in the list: itself, its partners, the links
    partner_count = {}
    partners_of = {n: set() for n in nodes["id"]}
    for s, t in zip(edges["source_id"], edges["target_id"]):
        partners_of[s].add(t)
        partners_of[t].add(s)
    chosen = sorted((i for i in nodes["id"] if len(partners_of[i]) >= EGO_MIN_PARTNERS),
                    key=lambda i: info.at[i, "name"].lower()) if menus else []
    for node in chosen:
        links = edges[(edges["source_id"] == node) | (edges["target_id"] == node)]
        partners = {}
        for s, t, kind in zip(links["source_id"], links["target_id"], links["kind"]):
            other = t if s == node else s
            partners.setdefault(other, [])
            if kind not in partners[other]:
                partners[other].append(kind)
        others = sorted(partners, key=lambda i: info.at[i, "name"].lower())
        partner_count[node] = len(others)
        step = 0.94 / max(1, len(others) - 1) if len(others) > 1 else 0
        places = [(0.12, 0.97 - k * step if len(others) > 1 else 0.5) for k in range(len(others))]
        x, y, text, hover, colours = [0.02], [0.5], [""], [info.at[node, "hover"]], \
            [group_colours[info.at[node, "group"]]]
        for other, (px, py) in zip(others, places):
            x += [px, 0.02]
            y += [py, 0.5]
            text += [html.escape(_short(info.at[other, "label"])), ""]
            # the sentences are on the whole network's links and in the table (page weight)
            hover += [f"<b>{html.escape(info.at[other, 'name'])}</b><br>"
                      f"{html.escape(', '.join(partners[other]))}", info.at[node, "hover"]]
            colours += [group_colours[info.at[other, "group"]], group_colours[info.at[node, "group"]]]
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines+markers+text", visible=False, showlegend=False,
            line={"color": "#9a9a9a", "width": 1.2},
            marker={"size": 12, "color": colours, "line": {"width": 1, "color": "white"}},
            text=text, textposition="middle right", textfont={"size": NETWORK_FONT},
            hovertext=hover, hoverinfo="text", name=html.escape(info.at[node, "name"]),
        ))
    total = len(fig.data)
    buttons = [{"label": "Organisation : toutes", "method": "restyle",
                "args": [{"visible": [True] * overview + [False] * (total - overview)}]}]
    for k, node in enumerate(chosen):
        visible = [False] * total
        visible[overview + k] = True
        name = html.escape(_short(info.at[node, "name"], 60))
        buttons.append({"label": f"Organisation : {name} ({partner_count[node]})",
                        "method": "restyle", "args": [{"visible": visible}]})
    fig = base_layout(fig, title, height=NETWORK_HEIGHT)
    fig.update_xaxes(visible=False, range=[-0.01, 1.01], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-0.02, 1.04], fixedrange=True)
    if menus:
        fig.update_layout(updatemenus=[{"buttons": buttons, "direction": "down", "showactive": True,
                                        "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom",
                                        "pad": {"r": 8}}])
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 110 if menus else 60, "b": 10},
        title={"y": 0.99, "yanchor": "top"},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.02, "yanchor": "top",
                "title": {"text": "rencontre où le lien est cité :", "side": "top"}},
    )
    return fig


ALL_WORDS = {"Territoire": "tous"}
"""The choice that filters nothing, agreeing with its list's title (« toutes » otherwise)."""


def menu_choices(rows: pd.DataFrame, column: str) -> list[tuple[str, str]]:
    """(value, label) of a list's choices. Territories are grouped: first those beyond a
    single 2013 region (the country, the inter-regional meetings, abroad), then region by
    region, the region itself before the places inside it, each named with its region."""
    values = rows[column].dropna().drop_duplicates().sort_values()
    if column != "territory" or "region_2013" not in rows:
        return [(v, str(v)) for v in values]
    regions = (rows.dropna(subset=[column, "region_2013"])
               .groupby(column)["region_2013"].first())
    def key(value):  # alphabetical order, « Île-de-France » among the I
        region = regions.get(value)
        if region is None or region == "France":
            return (0, "", 0 if value == "France" else 1, fold(str(value)))
        return (1, fold(str(region)), 0 if value == region else 1, fold(str(value)))
    choices = []
    for value in sorted(values, key=key):
        region = regions.get(value)
        wide = region is None or region == "France"
        label = (str(value) if wide else f"{value} (région)" if value == region
                 else f"{value} ({region})")
        choices.append((value, label))
    return choices


EXPLORER_HEIGHT = 620  # px, the explorer's height with up to nine units
EXPLORER_PLOT = 237  # px, its plot area's height then (as drawn at 1280 px)
EXPLORER_TOP = 180  # px above the plot: the title and the drop-down lists


def filter_menus(rows: pd.DataFrame, labels: list[str], colours: dict[str, str], colour_column: str,
                 menus: dict[str, str], title: str) -> go.Figure:
    """Every row as one point (value on a logarithmic axis, one line per unit), with a
    drop-down list per entry of ``menus`` (list title -> column) that shows only the rows
    with the chosen value: the filters work in the page itself, without a kernel.

    One scatter trace per value of ``colour_column`` (its legend entry): drawing one trace
    per point made the chart too slow to draw. A button filters by giving every trace a
    new ``x`` where the rows it hides are None (not drawn, not hoverable; ``y`` and the
    hover texts keep their places); « toutes » gives back every value.

    Plotly's buttons each filter on their own; in the book, book/assets/rtes-explorer.js
    combines the lists (a point is shown when it matches every list's choice). For that,
    each point carries its values in ``customdata`` (menu order, None when missing) and the
    layout the values of each list's buttons (``meta.rtes_menus``, None for « toutes »)."""
    rows = rows.reset_index(drop=True)
    category = rows[colour_column]
    # the colours' order first, then any value without a colour of its own, then none
    order = [value for value in colours if (category == value).any()]
    order += [value for value in category.dropna().unique() if value not in colours]
    if category.isna().any():
        order.append(None)
    groups = [(value, list(rows.index[category.isna() if value is None else category == value]))
              for value in order]

    def exact(value):
        # 250 rather than 250.0 in the page: same number, fewer bytes (×40 buttons)
        value = float(value)
        return int(value) if value.is_integer() else value

    x = [exact(v) for v in rows["value"]]
    fig = go.Figure()
    for value, positions in groups:
        name = "non précisé" if value is None else html.escape(str(value))
        trace = go.Scatter(
            x=[x[p] for p in positions],
            y=[html.escape(UNIT_WORDS.get(rows.at[p, "unit"], rows.at[p, "unit"]) or OTHER_UNITS)
               for p in positions],
            mode="markers", name=name,
            marker={"size": 11, "color": colours.get(value, "#555"), "opacity": 0.8,
                    "line": {"width": 1, "color": "white"}},
            hovertext=[hover_text(rows.loc[p], labels[p]) for p in positions], hoverinfo="text",
        )
        if menus:
            trace.customdata = [[None if pd.isna(rows.at[p, c]) else str(rows.at[p, c])
                                 for c in menus.values()] for p in positions]
        fig.add_trace(trace)

    def restyle(shown):
        """The button's arguments: each trace's x, None where ``shown`` is False."""
        return [{"x": [[x[p] if shown[p] else None for p in positions]
                       for _, positions in groups]}]

    # a row of 24 px per unit, every row named (dtick, below): plotly.js would otherwise
    # name one row in two where they are close, and a reader could not tell which unit a
    # point counts
    units = len({y for trace in fig.data for y in trace.y})
    with_lists = max(EXPLORER_HEIGHT, 400 + 24 * units)
    # a list's place is a fraction of the plot's height (plotly.js has no px for it): the
    # same px above the plot whatever its height (EXPLORER_PLOT px high at EXPLORER_HEIGHT)
    above = EXPLORER_PLOT / (EXPLORER_PLOT + with_lists - EXPLORER_HEIGHT)
    # without lists (in JupyterLab, widgets above the chart filter it) no room is kept for
    # them: no blank band under the title
    top = EXPLORER_TOP if menus else 60
    height = with_lists - (EXPLORER_TOP - top)
    buttons_menus, menu_values = [], []
    for position, (menu_title, column) in enumerate(menus.items()):
        buttons = [{"label": f"{menu_title} : {ALL_WORDS.get(menu_title, 'toutes')}",
                    "method": "restyle", "args": restyle([True] * len(rows))}]
        choices = menu_choices(rows, column)
        menu_values.append([None] + [str(v) for v, _ in choices])
        for value, label in choices:
            buttons.append({"label": f"{menu_title} : {html.escape(label)}",
                            "method": "restyle", "args": restyle(list(rows[column] == value))})
        # two lists per row: a list is as wide as its longest choice, and three side by
        # side overlap (the first list could no longer be clicked)
        row, column_index = divmod(position, 2)
        buttons_menus.append({"buttons": buttons, "direction": "down", "showactive": True,
                              "x": 0.5 * column_index, "xanchor": "left",
                              "y": 1 + (0.27 - 0.13 * row) * above, "yanchor": "bottom",
                              "pad": {"r": 8}})
    fig.update_layout(updatemenus=buttons_menus, meta={"rtes_menus": menu_values})
    fig.update_xaxes(**log_ticks(rows["value"]), title_text="valeur citée<br>(échelle logarithmique)")  # fits a phone
    fig.update_yaxes(tickmode="linear", tick0=0, dtick=1)
    fig = base_layout(fig, title, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": top, "b": 20},
                      # above the lists, a line below the top: plotly.js hangs a title broken
                      # into lines (on a phone) about one line above its anchor
                      title={"yref": "container", "y": 1 - 30 / height, "yanchor": "top"},
                      # at the foot of the chart, under the axis title: plotly makes room
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "yref": "container",
                              "y": 0, "yanchor": "bottom"})
    return fig
