"""The explorer: the whole figures table, searchable and sortable on the web (DataTables,
served from the site), a real table in the PDF, and the filters shared by the Jupyter
controls and the page.

Each row carries the anchor :func:`rtes_edition.provenance.row_anchor` that the
« [données] » links of the chapters point to, on the web and in the PDF.
"""

from __future__ import annotations

import html

import jinja2
import pandas as pd

from rtes_edition import provenance
from rtes_edition.charts import qualified_value
from rtes_edition.formats import SITE_HTML
from rtes_edition.output import latex_table
from rtes_edition.typography import typeset

# DataTables and jQuery (npm, pinned in package.json), served once by the site
# (book/_ext/offline_assets.py), relative to the explorer page: classic scripts, loaded in
# this order by book/assets/rtes-explorer.js once the page has loaded
DT_SCRIPT_URLS = ["../_static/vendor/jquery.min.js", "../_static/vendor/dataTables.min.js"]
DT_CSS_URL = "../_static/vendor/dataTables.dataTables.min.css"
ALL = "toutes"

COLUMNS = {"id": "identifiant", "valeur": "valeur citée", "category": "catégorie",
           "measure": "grandeur", "territory": "territoire", "rencontre": "rencontre",
           "sentence": "phrase des actes", "passage": "passage des actes"}


def filter_rows(figures: pd.DataFrame, meeting: str = ALL, category: str = ALL,
                territory: str = ALL) -> pd.DataFrame:
    """Rows matching the three choices (``ALL`` leaves a dimension unfiltered)."""
    keep = pd.Series(True, index=figures.index)
    # the meeting where a figure was said (data/README.md: stated_at)
    for column, value in (("stated_at", meeting), ("category", category), ("territory", territory)):
        if value != ALL:
            keep &= figures[column] == value
    return figures[keep]


RELATION_WORDS = {"même fait": "même fait que", "contredit": "autre valeur pour le même fait que",
                  "partie de": "partie de"}


def stated_value(row: pd.Series) -> str:
    """The value as the text states it, and, for a row related to another, how:
    « 14 personnes (même fait que fig-sudouest-044) »."""
    text = qualified_value(row)
    relation = row.get("relation")
    if isinstance(relation, str) and relation in RELATION_WORDS:
        text += f" ({RELATION_WORDS[relation]} {row['related_figure_id']})"
    return text


def table(figures: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """One line per mention of a figure, in the file's order, with the columns a reader
    searches; a further mention of a fact names its reference row."""
    names = meetings.set_index("id")["name"]
    out = figures.assign(
        valeur=[stated_value(r) for _, r in figures.iterrows()],
        rencontre=figures["stated_at"].map(names),
        passage=[provenance.passage_label(c, s) for c, s in zip(figures["chapter"], figures["section"])],
    )
    out = out[list(COLUMNS)].rename(columns=COLUMNS)
    # French spaces and apostrophes as printed; identifiers and the data stay as they are
    return out.map(lambda v: typeset(v) if isinstance(v, str) else v)


# The web table's columns: what a reader looks for first, the sentence, then where it
# comes from; the identifier last. Where the page is too narrow for them
# (book/assets/rtes-figures.css), the FOLDED columns are hidden and their values shown in
# the row's details, under the sentence: « narrow » below 1400 px, « phone » below 640 px.
WEB_COLUMNS = ["chiffre", "valeur citée", "territoire", "rencontre", "phrase des actes",
               "passage des actes", "catégorie", "identifiant"]
FOLDED = {"territoire": "phone", "rencontre": "narrow", "passage des actes": "narrow",
          "catégorie": "narrow", "identifiant": "narrow"}
SORT_KEY = "valeur (nombre)"  # not shown: the number the « valeur citée » column sorts by
SHORT_SENTENCE = 70  # characters of a sentence shown before « … » (the rest on demand)


def _short(sentence: str) -> str | None:
    """The sentence's start, cut at a word, or None when it is short enough to show whole."""
    if len(sentence) <= SHORT_SENTENCE + 15:
        return None
    cut = sentence.rfind(" ", 0, SHORT_SENTENCE)
    return sentence[:cut if cut > 0 else SHORT_SENTENCE].rstrip(" ,;:") + " …"


def _sentence_cell(sentence: str, folded: dict[str, str]) -> str:
    """The sentence (shortened, whole on demand) and, for phones, the folded columns."""
    rows = "".join(f'<div class="rtes-folded-{FOLDED[name]}"><dt>{html.escape(name)}</dt>'
                   f"<dd>{value}</dd></div>" for name, value in folded.items() if value)
    details = f'<dl class="rtes-folded">{rows}</dl>'
    short = _short(sentence)
    if short is None:
        return (f'<span class="rtes-sentence-text">{html.escape(sentence)}</span>'
                f'<details class="rtes-row-details rtes-details-only"><summary>Détails</summary>'
                f"{details}</details>")
    return (f'<details class="rtes-row-details rtes-sentence"><summary>'
            f'<span class="rtes-short">{html.escape(short)}</span>'
            f'<span class="rtes-more"> lire la phrase</span><span class="rtes-less">réduire</span></summary>'
            f'<p class="rtes-sentence-text">{html.escape(sentence)}</p>{details}</details>')


def web_table(figures: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """The explorer's table as its cells' HTML (everything escaped here), in WEB_COLUMNS
    order, then the hidden sort key."""
    from rtes_edition.charts import unique_labels

    base = table(figures, meetings)
    text = base.map(lambda v: "" if pd.isna(v) else html.escape(str(v)))
    passages = [f'<a href="{html.escape(provenance.passage_url(c, s))}">{t}</a>'
                for c, s, t in zip(figures["chapter"], figures["section"], text["passage des actes"])]
    # the anchor the chapters' « [données] » links point to, in the first cell (always shown)
    labels = [f'<span id="{provenance.row_anchor(i)}" class="rtes-row-anchor">{html.escape(label)}</span>'
              for i, label in zip(figures["id"], unique_labels(figures))]
    out = pd.DataFrame({
        "chiffre": labels,
        "valeur citée": list(text["valeur citée"]),
        "territoire": list(text["territoire"]),
        "rencontre": list(text["rencontre"]),
        "phrase des actes": "",
        "passage des actes": passages,
        "catégorie": list(text["catégorie"]),
        "identifiant": list(text["identifiant"]),
        # as text: the value cell's data-order, as written in the page
        SORT_KEY: [repr(float(v)) for v in figures["value"]],
    })
    out["phrase des actes"] = [
        _sentence_cell(str(sentence), {name: row[name] for name in FOLDED})
        for sentence, (_, row) in zip(base["phrase des actes"], out.iterrows())]
    return out


# The web table's markup; the rows are in the page (a « [données] » link finds its row
# before any script has run), DataTables (book/assets/rtes-explorer.js) makes them
# searchable and sortable with the options of ``data-rtes-datatable``. Cells are HTML,
# escaped in :func:`web_table`; everything else is escaped here.
TABLE_TEMPLATE = jinja2.Environment(autoescape=True, trim_blocks=True).from_string("""\
{% macro cls(column) %}{% if column in classes %} class="{{ classes[column] }}"{% endif %}{% endmacro %}
<table id="{{ table_id }}" class="display compact rtes-explorer-table" \
style="caption-side: bottom; margin: auto; table-layout: auto; width: auto" \
data-rtes-datatable="{{ options | tojson | forceescape }}">
<caption>{{ caption }}</caption>
<thead><tr>{% for column in columns %}<th{{ cls(column) }}>{{ column }}</th>{% endfor %}</tr></thead>
<tfoot><tr>{% for column in columns %}<th{{ cls(column) }}><input type="text" \
placeholder="{{ column }}" aria-label="filtrer la colonne {{ column }}"></th>{% endfor %}</tr></tfoot>
<tbody>
{% for row in rows %}
<tr>{% for column, cell in row.cells %}<td{{ cls(column) }}\
{% if column == sorted_by %} data-order="{{ row.order }}"{% endif %}>{{ cell | safe }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% for href in stylesheets %}
<link href="{{ href }}" rel="stylesheet">
{% endfor %}
{% for src in scripts %}
<link rel="preload" href="{{ src }}" as="script" data-rtes-datatable-script>
{% endfor %}
""")

# DataTables' options for the explorer (https://datatables.net/reference/option/)
TABLE_OPTIONS = {
    # the whole table in the page's flow: no box of its own to scroll in, no pages
    # (a « [données] » link must find its row in the page); the rows in the file's order
    "paging": False, "autoWidth": False, "order": [],
    # numbers sort as numbers: « valeur citée » sorts by each cell's data-order (the row's
    # number: « environ 400 » before « environ 50 000 »)
    "columnDefs": [{"targets": WEB_COLUMNS.index("valeur citée"), "type": "num"}],
    # the search box above, the count below
    "layout": {"topStart": None, "topEnd": "search", "bottomStart": "info", "bottomEnd": None},
    "language": {"search": "Rechercher :", "info": "_TOTAL_ chiffres",
                 "infoFiltered": "(sur _MAX_)", "infoEmpty": "aucun chiffre",
                 "zeroRecords": "Aucun chiffre ne correspond.", "emptyTable": "aucun chiffre",
                 "loadingRecords": "Chargement…", "processing": "Traitement…",
                 # read by screen readers after each column name (DataTables' default: English)
                 "aria": {"orderable": " : activer pour trier",
                          "orderableReverse": " : activer pour inverser le tri",
                          "orderableRemove": " : activer pour annuler le tri"}},
}


def table_html(figures: pd.DataFrame, meetings: pd.DataFrame) -> str:
    """The searchable, sortable table of the site (cells are HTML, escaped in
    :func:`web_table`): DataTables, served by the site, sets it up."""
    shown = web_table(figures, meetings)
    # each row's cells by column, and the number its value sorts by
    rows = [{"cells": [(column, values[column]) for column in WEB_COLUMNS], "order": values[SORT_KEY]}
            for _, values in shown.iterrows()]
    # the cells' classes by column (rtes-figures.css): folded, or the sentence's
    classes = {**{name: f"rtes-fold-{level}" for name, level in FOLDED.items()},
               "phrase des actes": "rtes-sentence-cell"}
    return TABLE_TEMPLATE.render(
        table_id="explorateur-chiffres", caption="Tous les chiffres cités par les actes",
        options=TABLE_OPTIONS, columns=WEB_COLUMNS, rows=rows, classes=classes,
        sorted_by="valeur citée", stylesheets=[DT_CSS_URL], scripts=DT_SCRIPT_URLS)


def plain_table_html(figures: pd.DataFrame, meetings: pd.DataFrame) -> str:
    """The same table for a notebook frontend (JupyterLab): plain HTML, every cell
    escaped, no script (the page's table needs the site's scripts)."""
    return table(figures, meetings).to_html(index=False, na_rep="", border=0,
                                            classes="rtes-explorer-plain")


def table_latex(figures: pd.DataFrame, meetings: pd.DataFrame) -> str:
    """The print form of the table: every figure with the sentence that states it and its
    passage and page, each row starting with the label the chapters' links point to.
    Identifiers, categories, filters and sorting are the site's (the page says so)."""
    rows = table(figures, meetings)[["valeur citée", "phrase des actes"]]
    return latex_table(rows, [2.3, 6.3],
                       links=[(provenance.passage_label(c, s), provenance.passage_url(c, s))
                              for c, s in zip(figures["chapter"], figures["section"])],
                       link_targets=[provenance.latex_label(c, s)
                                     for c, s in zip(figures["chapter"], figures["section"])],
                       row_labels=[f"\\detokenize{{{provenance.EXPLORER_PAGE}:{provenance.row_anchor(i)}}}"
                                   for i in figures["id"]])


def show_table(figures: pd.DataFrame, meetings: pd.DataFrame) -> None:
    from IPython.display import display

    display({SITE_HTML: table_html(figures, meetings),
             "text/html": plain_table_html(figures, meetings),
             "text/latex": table_latex(figures, meetings),
             "text/plain": ""}, raw=True)
