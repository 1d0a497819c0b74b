"""The explorer: the whole figures table, searchable and sortable on the web (itables,
served from the site), a real table in the PDF, and the filters shared by the Jupyter
controls and the page.

Each row carries the anchor :func:`rtes_edition.provenance.row_anchor` that the
« [données] » links of the chapters point to, on the web and in the PDF.
"""

from __future__ import annotations

import html

import pandas as pd

from rtes_edition import provenance
from rtes_edition.charts import qualified_value
from rtes_edition.output import _escape_latex, latex_table
from rtes_edition.site_html import DT_SOURCE_GLOBAL, DT_SOURCE_NAME, SITE_HTML

# itables' JavaScript, served once by the site (book/_ext/offline_assets.py), relative to
# the explorer page; itables derives the stylesheet's address from it.
DT_URL = "../_static/vendor/dt_bundle.js"
# the same bundle's text in a classic script (loads from disk too)
DT_SOURCE_URL = f"../_static/vendor/{DT_SOURCE_NAME}"
ALL = "toutes"

COLUMNS = {"id": "identifiant", "valeur": "valeur citée", "category": "catégorie",
           "measure": "grandeur", "territory": "territoire", "rencontre": "rencontre",
           "sentence": "phrase des actes", "passage": "passage des actes"}


def filter_rows(figures: pd.DataFrame, meeting: str = ALL, category: str = ALL,
                territory: str = ALL) -> pd.DataFrame:
    """Rows matching the three choices (``ALL`` leaves a dimension unfiltered)."""
    keep = pd.Series(True, index=figures.index)
    for column, value in (("meeting_id", meeting), ("category", category), ("territory", territory)):
        if value != ALL:
            keep &= figures[column] == value
    return figures[keep]


def table(figures: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """One line per figure, in the file's order, with the columns a reader searches."""
    names = meetings.set_index("id")["name"]
    out = figures.assign(
        valeur=[qualified_value(r) for _, r in figures.iterrows()],
        rencontre=figures["meeting_id"].map(names),
        passage=[provenance.passage_label(c, s) for c, s in zip(figures["chapter"], figures["section"])],
    )
    return out[list(COLUMNS)].rename(columns=COLUMNS)


def table_html(figures: pd.DataFrame, meetings: pd.DataFrame) -> str:
    """itables' searchable table; each identifier cell holds the row's anchor, each
    passage cell a link to the chapter. Cells are escaped here, since itables is told to
    take them as HTML."""
    from itables import javascript as itables_js

    shown = table(figures, meetings).map(lambda v: "" if pd.isna(v) else html.escape(str(v)))
    shown["identifiant"] = [f'<span id="{provenance.row_anchor(i)}" class="rtes-row-anchor">{html.escape(i)}</span>'
                            for i in figures["id"]]
    shown["passage des actes"] = [
        f'<a href="{html.escape(provenance.passage_url(c, s))}">{text}</a>'
        for c, s, text in zip(figures["chapter"], figures["section"], shown["passage des actes"])]
    options = dict(
        connected=True, dt_url=DT_URL, allow_html=True, showIndex=False,
        paging=False, scrollY="70vh", scrollX=True, scrollCollapse=True,
        columnDefs=[{"width": "28em", "targets": 6}], column_filters="footer",
        classes="display compact",
        # itables drops the search box of a table that fits in one page; this one keeps it
        layout={"topStart": None, "topEnd": "search", "bottomStart": "info", "bottomEnd": None},
        language={"search": "Rechercher :", "info": "_TOTAL_ chiffres",
                  "infoFiltered": "(sur _MAX_)", "infoEmpty": "aucun chiffre",
                  "zeroRecords": "Aucun chiffre ne correspond.", "emptyTable": "aucun chiffre",
                  "loadingRecords": "Chargement…", "processing": "Traitement…",
                  # read by screen readers after each column name (DataTables' default: English)
                  "aria": {"orderable": " : activer pour trier",
                           "orderableReverse": " : activer pour inverser le tri",
                           "orderableRemove": " : activer pour annuler le tri"}},
    )
    # itables.to_html_datatable, without its static preview: that copy of the table
    # would repeat every row anchor and carries an English notice linking to itables.org
    options["table_id"] = itables_js.check_table_id("explorateur-chiffres", options, df=shown)
    dt_args = itables_js.get_itable_arguments(shown, "Tous les chiffres cités par les actes", **options)
    page = itables_js.html_table_from_template(
        table_id=options["table_id"], dt_url=dt_args.pop("dt_url"),
        connected=dt_args.pop("connected"), display_logo_when_loading=False,
        kwargs=dt_args, fallback_html="")
    # itables' placeholder is English and links to its site: a French one instead
    start, end = page.find("<tbody>"), page.find("</tbody>")
    if start != -1 and end != -1:
        page = page[:start] + "<tbody><tr><td>Chargement du tableau…</td></tr>" + page[end:]
    return _set_up_when_idle(page)


def _set_up_when_idle(page: str) -> str:
    """itables' module script, changed to set the table up once the page has loaded, from
    a classic script.

    As itables writes it, the bundle is imported and DataTables set up as soon as the page
    is parsed: one long task (evaluating the bundle, then measuring every column) that
    held back the drawing of the chart above it (tools/benchmark.py, chart_times). Here
    the bundle is still fetched with the page (preload), but evaluated and the table set
    up after the page's load event, when the browser is idle (the chart was drawn while
    the page was parsed). rtes-explorer.js scrolls to a #donnee-… row once it exists.

    A page opened from disk (file://) may not import a module from a file: the site serves
    the bundle's text inside a classic script (:data:`DT_SOURCE_URL`, written by
    book/_ext/offline_assets.py), and the page imports it from memory (a blob: address)."""
    imports = f"import {{ ITable, jQuery as $ }} from '{DT_URL}';"
    body, end = page.find(imports), page.rfind("</script>")
    if page.count(imports) != 1 or end < body:
        raise ValueError("itables' table template changed: update explorer._set_up_when_idle")
    schedule = f"""    }};
    // the bundle's text, from a classic script that also loads from disk
    const loadSource = () => window.{DT_SOURCE_GLOBAL} ? Promise.resolve() : new Promise((resolve, reject) => {{
        const script = document.createElement("script");
        script.src = '{DT_SOURCE_URL}';
        script.onload = resolve;
        script.onerror = () => reject(new Error("cannot load " + script.src));
        document.head.appendChild(script);
    }});
    const importBundle = () => {{
        const url = URL.createObjectURL(new Blob([window.{DT_SOURCE_GLOBAL}], {{type: "text/javascript"}}));
        return import(url).finally(() => URL.revokeObjectURL(url));
    }};
    // after the load event, when idle: not while the chart above is being drawn
    const setUp = () => loadSource().then(importBundle).then(setUpTable);
    const whenIdle = () => window.requestIdleCallback
        ? window.requestIdleCallback(setUp, {{timeout: 1000}}) : window.setTimeout(setUp, 0);
    if (document.readyState === "complete") whenIdle();
    else window.addEventListener("load", whenIdle, {{once: true}});
"""
    page = (page[:body] + "const setUpTable = ({ ITable, jQuery: $ }) => {"
            + page[body + len(imports):end] + schedule + page[end:])
    return page.replace('<script type="module">',
                        f'<link rel="preload" href="{DT_SOURCE_URL}" as="script">\n<script type="module">', 1)


def plain_table_html(figures: pd.DataFrame, meetings: pd.DataFrame) -> str:
    """The same table for a notebook frontend (JupyterLab): plain HTML, every cell
    escaped, no script (the page's table needs the site's scripts)."""
    return table(figures, meetings).to_html(index=False, na_rep="", border=0,
                                            classes="rtes-explorer-plain")


def table_latex(figures: pd.DataFrame, meetings: pd.DataFrame) -> str:
    """The same table for the PDF: every row starts with the label the chapters' links
    point to (``\\label`` of the row anchor in this page)."""
    rows = table(figures, meetings)[["identifiant", "valeur citée", "territoire", "phrase des actes"]]
    latex = latex_table(rows, [2.2, 2.0, 1.8, 5.2],
                        links=[(provenance.passage_label(c, s), provenance.passage_url(c, s))
                               for c, s in zip(figures["chapter"], figures["section"])],
                        link_targets=[provenance.latex_label(c, s)
                                      for c, s in zip(figures["chapter"], figures["section"])])
    for figure_id in figures["id"]:
        cell = _escape_latex(figure_id)
        label = f"{provenance.EXPLORER_PAGE}:{provenance.row_anchor(figure_id)}"
        latex = latex.replace(f"\n{cell} &", f"\n\\phantomsection\\label{{\\detokenize{{{label}}}}}{cell} &", 1)
    return latex


def show_table(figures: pd.DataFrame, meetings: pd.DataFrame) -> None:
    from IPython.display import display

    display({SITE_HTML: table_html(figures, meetings),
             "text/html": plain_table_html(figures, meetings),
             "text/latex": table_latex(figures, meetings),
             "text/plain": ""}, raw=True)
