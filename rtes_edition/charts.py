"""Chart builders: data frames from ``rtes_edition.data`` in, Plotly figures out.

Every text drawn from the data is escaped before it reaches a hover label or a caption:
the data are shown as text, never interpreted as HTML.
"""

from __future__ import annotations

import html
import unicodedata

import pandas as pd
import plotly.graph_objects as go

FONT = "DejaVu Sans, Arial, sans-serif"
# Colour-blind-safe palette (Okabe & Ito), one colour per qualifier.
QUALIFIER_COLOURS = {
    "exact": "#0072B2",
    "environ": "#E69F00",
    "au moins": "#009E73",
    "au plus": "#CC79A7",
    "fourchette": "#56B4E9",
}
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


def format_number(value: float) -> str:
    """French number format: narrow no-break space between thousands, comma for decimals."""
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", "\u202f")
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f").replace(".", ",")
    return text


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


def base_layout(fig: go.Figure, title: str, height: int = 450) -> go.Figure:
    fig.update_layout(
        template="none",  # the default template adds ~10 KB of JSON to every chart
        title={"text": html.escape(title), "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        plot_bgcolor="white",
        separators=", ",  # decimal comma, thin space for thousands (French)
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_xaxes(gridcolor="#ddd")
    # template "none" drops plotly's automargin: long tick labels would be cut off
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def horizontal_bars(rows: pd.DataFrame, label_column: str, title: str) -> go.Figure:
    """One bar per row, coloured by qualifier, value label as the text states it."""
    fig = go.Figure()
    for qualifier, group in rows.groupby("qualifier", sort=False):
        labels = [html.escape(str(v)) for v in group[label_column]]
        fig.add_trace(go.Bar(
            orientation="h",
            y=labels,
            x=group["value"],
            name=qualifier,
            marker_color=QUALIFIER_COLOURS.get(qualifier, "#555"),
            text=[html.escape(qualified_value(r)) for _, r in group.iterrows()],
            textposition="auto",
            hovertext=[hover_text(r, l) for (_, r), l in zip(group.iterrows(), group[label_column])],
            hoverinfo="text",
        ))
    fig.update_yaxes(autorange="reversed", categoryorder="array",
                     categoryarray=[html.escape(str(v)) for v in rows[label_column]])
    return base_layout(fig, title, height=120 + 45 * len(rows))


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


def short_label(row: pd.Series, width: int = 48) -> str:
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


def grouped_log_bars(rows: pd.DataFrame, group_column: str, groups: list[str], title: str,
                     unit_title: str) -> go.Figure:
    """Horizontal bars on a logarithmic axis, one block of bars per group (in ``groups``
    order), coloured by qualifier; the bar label gives the figure as the text states it."""
    rows = rows.copy()
    rows["_label"] = unique_labels(rows)
    rows["_group"] = pd.Categorical(rows[group_column].astype(str), categories=groups, ordered=True)
    rows = rows.sort_values(["_group", "value"], ascending=[True, False])
    # one trace in the data's order (a multi-category axis keeps trace order, not a
    # category array); legend-only traces explain the colours
    fig = go.Figure(go.Bar(
        orientation="h",
        y=[[wrap(str(g), 14) for g in rows["_group"]], [wrap(l, 30) for l in rows["_label"]]],
        x=rows["value"],
        marker_color=[QUALIFIER_COLOURS.get(q, "#555") for q in rows["qualifier"]],
        text=[html.escape(qualified_value(r)) for _, r in rows.iterrows()],
        textposition="outside",
        cliponaxis=False,
        hovertext=[hover_text(r, l) for (_, r), l in zip(rows.iterrows(), rows["_label"])],
        hoverinfo="text",
        showlegend=False,
    ))
    for qualifier in rows["qualifier"].drop_duplicates():
        fig.add_trace(go.Bar(x=[None], y=[[None], [None]], orientation="h", name=qualifier,
                             marker_color=QUALIFIER_COLOURS.get(qualifier, "#555"),
                             hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    # powers of ten only, written in full the French way (1 000 000, not 1M); slanted
    # by plotly (no fixed tickangle) when they would overlap: eight decades in a narrow plot
    fig.update_xaxes(type="log", title_text=unit_title, dtick=1, tickformat=",.0f",
                     tickfont={"size": 11})
    fig = base_layout(fig, title, height=200 + 44 * len(rows))
    fig.update_layout(margin={"l": 10, "r": 150, "t": 60, "b": 60}, barmode="overlay",
                      legend={"orientation": "h", "y": -60 / (200 + 44 * len(rows)) - 0.05,
                              "title": {"text": "précision :"}})
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
    # stars first: the organisations of a meeting city stay visible on top of them
    fig.add_trace(go.Scattergeo(
        lat=meetings["latitude"], lon=meetings["longitude"], mode="markers+text",
        name="Lieu d'une rencontre",
        text=[html.escape(c) for c in meetings["city"]], textposition="top right",
        textfont={"size": 13, "color": "#000"},
        marker={"symbol": "star", "size": 16, "color": "#F0E442", "line": {"width": 1, "color": "#000"}},
        hovertext=[f"<b>{html.escape(n)}</b><br>{html.escape(c)}, {d:%d/%m/%Y}"
                   for n, c, d in zip(meetings["name"], meetings["city"], meetings["date"])],
        hoverinfo="text",
    ))
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


def network(nodes: pd.DataFrame, edges: pd.DataFrame, title: str, node_colours: dict[str, str],
            edge_colours: dict[str, str]) -> go.Figure:
    """Cooperation network. ``nodes``: id, label, group, hover; ``edges``: source_id,
    target_id, kind, hover. The layout is networkx's force-directed one, seeded so that
    the picture is the same at every build."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes["id"])
    graph.add_edges_from(zip(edges["source_id"], edges["target_id"]))
    position = nx.spring_layout(graph, seed=2013, k=1.2 / max(1, len(nodes)) ** 0.5)
    fig = go.Figure()
    for kind, colour in edge_colours.items():
        part = edges[edges["kind"] == kind]
        if part.empty:
            continue
        xs, ys, mx, my = [], [], [], []
        for s, t in zip(part["source_id"], part["target_id"]):
            (x0, y0), (x1, y1) = position[s], position[t]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            mx.append((x0 + x1) / 2)
            my.append((y0 + y1) / 2)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=html.escape(kind),
                                 line={"color": colour, "width": 2}, hoverinfo="skip",
                                 legendgroup=kind))
        # lines take no hover: an invisible marker at the middle of each link carries it
        fig.add_trace(go.Scatter(x=mx, y=my, mode="markers", marker={"size": 12, "opacity": 0},
                                 hovertext=part["hover"], hoverinfo="text", showlegend=False,
                                 legendgroup=kind))
    for group, colour in node_colours.items():
        part = nodes[nodes["group"] == group]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[position[i][0] for i in part["id"]], y=[position[i][1] for i in part["id"]],
            mode="markers+text", name=html.escape(group),
            marker={"size": 18, "color": colour, "line": {"width": 1, "color": "white"}},
            text=[html.escape(l) for l in part["label"]], textposition="top center",
            hovertext=part["hover"], hoverinfo="text",
        ))
    fig = base_layout(fig, title, height=600)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(legend={"orientation": "h", "y": -0.05})
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
    def fold(text):  # alphabetical order, « Île-de-France » among the I
        return "".join(c for c in unicodedata.normalize("NFD", str(text))
                       if not unicodedata.combining(c)).lower()

    def key(value):
        region = regions.get(value)
        if region is None or region == "France":
            return (0, "", 0 if value == "France" else 1, fold(value))
        return (1, fold(region), 0 if value == region else 1, fold(value))
    choices = []
    for value in sorted(values, key=key):
        region = regions.get(value)
        wide = region is None or region == "France"
        label = (str(value) if wide else f"{value} (région)" if value == region
                 else f"{value} ({region})")
        choices.append((value, label))
    return choices


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
            y=[html.escape(UNIT_WORDS.get(rows.at[p, "unit"], rows.at[p, "unit"])) for p in positions],
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
                              "y": 1.27 - 0.13 * row, "yanchor": "bottom", "pad": {"r": 8}})
    fig.update_layout(updatemenus=buttons_menus, meta={"rtes_menus": menu_values})
    fig.update_xaxes(type="log", dtick=1, tickformat=",.0f", title_text="valeur citée (échelle logarithmique)")
    fig = base_layout(fig, title, height=620)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 180, "b": 60},
                      title={"y": 0.99, "yanchor": "top"})  # above the lists
    return fig
