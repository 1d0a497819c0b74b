"""The sections of the notebooks, one call each: the notebooks read as the chapters they
are (French prose, then a short call), and the code of each kind of section is written once.

A chart section shows one chart with, on the site, the data folded under it, each row
linked to the passage of the proceedings that states it (``rtes_edition.output.show``),
and prints the same data as a table in the PDF. Each function here builds all of that and
shows the chart; the PDF table is shown by the returned :class:`Section`'s
:meth:`~Section.print_table`, called in the next cell: myst-nb puts every output of a cell
whose metadata gives a figure caption inside that figure, and a table cannot go inside a
figure on paper.

The texts a reader sees are arguments, written in the notebook: the chart's question
(its title) and its description (read by screen readers, the image's text alternative).

Paths are those seen from ``notebooks/``, where every notebook runs: in the book's build
(myst-nb and ``tools/execute_notebooks.py`` run a notebook in its folder) as in JupyterLab.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rtes_edition import charts, levels, output, selections
from rtes_edition.data import count_once, load_package

DATA_PACKAGE = Path("..") / "data" / "datapackage.json"
"""The data package, from ``notebooks/``."""
VALIDATED_RECORD = Path("..") / "_build" / ".validated-package.json"
"""Where the packages that passed validation are recorded (``rtes_edition.data``): the
build validates once, then every notebook loads the same unchanged package at once."""
REGIONS_2013 = Path("..") / charts.REGIONS_2013
"""The boundaries of the 22 regions of 2013, drawn under the map."""

CATEGORY_COLOURS = dict(zip(["budget", "emploi", "participation", "structures", "autre"], charts.GREY_SAFE))
"""The colour of each category of figure, wherever the categories are told apart."""
ABOUT = {"budget": "à propos des budgets", "emploi": "à propos de l'emploi",
         "participation": "à propos de la participation", "structures": "à propos des structures"}
"""What the figures of a category are about, in a sentence."""
COLUMN_NAMES = {"niveau": "niveau", "measure": "grandeur", "unit": "unité", "category": "catégorie"}
"""The French name of a column of the figures that a chart's table adds on the site."""
NO_TERRITORY = "territoire non précisé"
"""The group of a figure whose territory the proceedings do not give."""
MAP_WIDTHS = [3.6, 2.2, 2.2, 2.2, 1.3, 1.3]
"""Relative column widths of the map's table in the PDF."""


def load_tables() -> dict[str, pd.DataFrame]:
    """The tables of the data package, validated (``rtes_edition.data.load_package``)."""
    return load_package(DATA_PACKAGE, validated_record=VALIDATED_RECORD)


def counted_figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The figures to count and compare: each fact once, with the level and name of the
    organisation it is about (``rtes_edition.levels``)."""
    return levels.with_levels(count_once(tables["figures"]), tables["organisations"])


@dataclass
class Section:
    """A chart section whose chart is shown: what its PDF table still needs."""

    table: pd.DataFrame
    widths: list[float]
    rows: pd.DataFrame | None = None
    """The figure rows, whose passages the table links to, with their page."""

    def print_table(self) -> None:
        """The section's data as a table in the PDF (nothing on the site, where it is folded
        under the chart already)."""
        output.print_table(self.table, self.widths, self.rows)


def _figure_rows(fig, chart_id: str, description: str, rows: pd.DataFrame, labels: list[str],
                 web_column: str | None = None) -> Section:
    """Show ``fig``, whose data are the figure rows ``rows`` named by ``labels``; the site's
    table also gives ``web_column`` (a key of :data:`COLUMN_NAMES`)."""
    table = output.data_table(rows, labels)
    web = table.assign(**{COLUMN_NAMES[web_column]: list(rows[web_column])}) if web_column else table
    output.show(fig, chart_id, description, web, output.passage_links(rows))
    return Section(table, output.TABLE_WIDTHS, rows)


def shares(figures: pd.DataFrame, category: str, question: str, chart_id: str) -> Section:
    """The shares in per cent that the proceedings give about ``category``, one bar each on
    an axis from 0 to 100."""
    rows = selections.shares(figures, category)
    labels = charts.unique_labels(rows)
    fig = charts.horizontal_bars(rows.assign(chiffre=labels), "chiffre", question,
                                 axis_title="pourcentage", value_range=[0, 100])
    return _figure_rows(fig, chart_id, f"Diagramme en barres : parts en pourcentage citées {ABOUT[category]}.",
                        rows, labels)


def grouped(rows: pd.DataFrame, by: str, question: str, chart_id: str, description: str, *,
            unit_title: str | None = None, web_column: str | None = None) -> Section:
    """``rows`` on logarithmic axes (one per unit), one block of bars per value of ``by``:
    ``"niveau"`` (in the order of :data:`rtes_edition.levels.LEVELS`), ``"territoire"``
    (alphabetical, :data:`NO_TERRITORY` where none is given) or another column
    (alphabetical). ``unit_title``: the axis title when every row has the same unit."""
    if by == "territoire":
        rows = rows.assign(territoire=rows["territory"].fillna(NO_TERRITORY))
    order = levels.LEVELS if by == "niveau" else sorted(rows[by].unique())
    fig = charts.grouped_log_bars(rows, by, order, question, unit_title)
    return _figure_rows(fig, chart_id, description, rows, charts.unique_labels(rows), web_column)


def territory_bars(rows: pd.DataFrame, question: str, chart_id: str, description: str,
                   axis_title: str) -> Section:
    """One bar per row of ``rows``, each named by its territory, from the largest value
    down."""
    rows = rows.sort_values("value", ascending=False)
    labels = list(rows["territory"].fillna(NO_TERRITORY))
    fig = charts.horizontal_bars(rows.assign(territoire=labels), "territoire", question, axis_title=axis_title)
    return _figure_rows(fig, chart_id, description, rows, labels)


def attendance(figures: pd.DataFrame, meetings: pd.DataFrame, question: str, chart_id: str,
               description: str) -> Section:
    """The people at each meeting, in the meetings' order, « non indiqué » where the
    proceedings give no figure (``rtes_edition.selections.attendance``)."""
    rows = selections.attendance(figures, meetings)
    fig = charts.horizontal_bars(rows, "rencontre", question, axis_title="personnes présentes", keep_order=True)
    table = pd.DataFrame({
        "rencontre": rows["rencontre"],
        "valeur citée": [charts.qualified_value(r) if pd.notna(r["value"]) else "non indiqué"
                         for _, r in rows.iterrows()],
        "phrase des actes": rows["sentence"].fillna(""),
        "identifiant": rows["id"].fillna(""),
    })
    output.show(fig, chart_id, description, table, output.passage_links(rows))
    return Section(table, output.TABLE_WIDTHS, rows)


def place_map(tables: dict[str, pd.DataFrame], question: str, chart_id: str, description: str) -> Section:
    """The meeting cities (stars) and the organisations the data place, coloured by level,
    over the regions of 2013."""
    organisations, meetings = tables["organisations"], tables["meetings"]
    regions = json.loads(REGIONS_2013.read_text(encoding="utf-8"))
    placed = organisations.dropna(subset=["latitude"]).copy()
    placed["group"] = levels.organisation_levels(organisations).reindex(placed["id"]).values
    placed["hover"] = [f"<b>{html.escape(n)}</b><br>{html.escape(g)} — {html.escape(str(r))}"
                       for n, g, r in zip(placed["name"], placed["group"], placed["region_2013"])]
    cities = meetings.dropna(subset=["latitude"])
    # the wider the level, the larger its disc: a région and its chef-lieu both show
    sizes = {level: 26 - 3 * rank for rank, level in enumerate(levels.LEVELS)}
    fig = charts.point_map(placed, question, levels.LEVEL_COLOURS, sizes, cities, regions=regions)
    table = placed[["name", "group", "territory", "region_2013", "latitude", "longitude"]].rename(columns={
        "name": "organisation", "group": "niveau", "territory": "territoire", "region_2013": "région (2013)"})
    places = cities[["name", "city", "region_2013", "latitude", "longitude"]].rename(columns={
        "name": "organisation", "city": "territoire", "region_2013": "région (2013)"}).assign(
        niveau="lieu d'une rencontre")
    table = pd.concat([places, table])[["organisation", "niveau", "territoire", "région (2013)", "latitude",
                                        "longitude"]]
    # the PNG of the PDF and JupyterLab carry the regions inline; the web page names the site's copy
    output.show(fig, chart_id, description, table,
                html_fig=charts.served_base_layer(fig, charts.REGIONS_2013_URL))
    return Section(table, MAP_WIDTHS)


def cooperation_network(tables: dict[str, pd.DataFrame], question: str, chart_id: str,
                        description: str) -> Section:
    """Who cooperates with whom: a link per cooperation the proceedings describe, the
    organisations grouped by the meeting that cites most of their links. On paper, the
    table gives one row per passage with the links it describes, each once."""
    organisations, links = tables["organisations"], tables["cooperations"]
    ids = sorted(set(links["source_id"]) | set(links["target_id"]))
    nodes = organisations.set_index("id").loc[ids].reset_index()
    groups, node_group = selections.cooperation_groups(links, tables["meetings"])
    nodes["group"] = node_group.reindex(nodes["id"]).values
    nodes["label"] = [charts.node_label(n) for n in nodes["name"]]
    nodes["hover"] = [f"<b>{html.escape(n)}</b><br>{html.escape(g)}" for n, g in zip(nodes["name"], nodes["group"])]
    names = organisations.set_index("id")["name"]
    links = links.assign(hover=[
        f"<b>{html.escape(names[s])} — {html.escape(names[t])}</b><br>{html.escape(k)}"
        f"<br><i>« {charts.wrap(p, 80)} »</i>"
        for s, t, k, p in zip(links["source_id"], links["target_id"], links["kind"], links["sentence"])])
    colours = dict(zip(groups, charts.GREY_SAFE))
    fig = charts.network(nodes, links, question, groups, colours)
    # on paper: the whole network, more hubs named (the image is wider than a phone), no list
    print_fig = charts.network(nodes, links, question, groups, colours,
                               label_px=(output.PNG_WIDTH - 20, charts.NETWORK_MIN_PX[1]), menus=False)
    table = pd.DataFrame({"organisation": links["source_id"].map(names), "partenaire": links["target_id"].map(names),
                          "nature": links["kind"], "phrase des actes": links["sentence"], "identifiant": links["id"]})
    output.show(print_fig, chart_id, description, table, output.passage_links(links), html_fig=fig)
    # a sentence often names several partners (108 links come from 66 sentences)
    short = nodes.set_index("id")["label"]
    described = links.assign(lien=[f"{short[s]} – {short[t]} ({k})"
                                   for s, t, k in zip(links["source_id"], links["target_id"], links["kind"])])
    passages = described.groupby(["chapter", "section"], sort=False, dropna=False)
    return Section(pd.DataFrame({"coopérations décrites": [" ; ".join(dict.fromkeys(g["lien"]))
                                                            for _, g in passages]}),
                   [6.0], passages.head(1))


def stated_figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every mention of a figure, with ``rencontre``: the meeting where it was said
    (``stated_at``), not the one it is about."""
    figures, meetings = tables["figures"], tables["meetings"]
    return figures.assign(rencontre=figures["stated_at"].map(meetings.set_index("id")["name"]))


EXPLORER_MENUS = {"Catégorie": "category", "Territoire": "territory", "Rencontre": "rencontre"}
"""The explorer's lists: title -> the column they filter."""


def explorer_chart(figures: pd.DataFrame, question: str, chart_id: str, description: str) -> None:
    """Every figure (each fact once) as a point on a logarithmic axis, a line per unit,
    coloured by category, with lists that filter by category, territory and meeting.
    Its table is the explorer's own (``rtes_edition.explorer``)."""
    once = count_once(figures)
    labels = charts.unique_labels(once)
    fig = charts.filter_menus(once, labels, CATEGORY_COLOURS, "category", EXPLORER_MENUS, question)
    # the sentences are in the explorer's sortable table: not repeated here (page weight)
    table = output.data_table(once, labels).drop(columns=["phrase des actes"])
    output.show(fig, chart_id, description, table.assign(**{COLUMN_NAMES["category"]: list(once["category"])}),
                output.passage_links(once))


def explorer_controls(figures: pd.DataFrame, meetings: pd.DataFrame):
    """For JupyterLab (the book leaves it out): the explorer's three choices as widgets,
    which redraw the chart of the figures chosen. Drawn on the first choice, not at
    display time: drawing into an Output widget while the book executes the notebook
    blocks the executor until its timeout."""
    import ipywidgets as widgets

    from rtes_edition import explorer

    once = count_once(figures)

    def choices(column, names=None):
        """(shown, value) pairs: the value the filter compares, shown by its name."""
        values = sorted(figures[column].dropna().unique())
        return [(explorer.ALL, explorer.ALL)] + [(names[v] if names is not None else v, v) for v in values]

    controls = {"meeting": widgets.Dropdown(options=choices("stated_at", meetings.set_index("id")["name"]),
                                            description="Rencontre"),
                "category": widgets.Dropdown(options=choices("category"), description="Catégorie"),
                "territory": widgets.Dropdown(options=choices("territory"), description="Territoire")}
    chart = widgets.Output()

    def redraw(_change=None):
        rows = explorer.filter_rows(once, *(w.value for w in controls.values()))
        with chart:
            chart.clear_output(wait=True)
            output.show_interactive(charts.filter_menus(rows, charts.unique_labels(rows), CATEGORY_COLOURS,
                                                        "category", {}, f"{len(rows)} chiffres"),
                                    "graphique-explorateur-choix")

    for control in controls.values():
        control.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox(list(controls.values())), chart])
