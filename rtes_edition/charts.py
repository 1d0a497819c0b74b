"""Chart builders: data frames from ``rtes_edition.data`` in, Plotly figures out.

Every text drawn from the data is escaped before it reaches a hover label or a caption:
the data are shown as text, never interpreted as HTML.
"""

from __future__ import annotations

import html

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
    "EUR": "€", "pourcent": "%", "m2": "m²", "personnes": "personnes",
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
    return f"{QUALIFIER_WORDS.get(row['qualifier'], '')}{format_number(row['value'])} {unit}"


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
