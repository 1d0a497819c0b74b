"""Link every figure of the chapters to its row in the data, and print notebook tables.

For each row of ``data/figures.csv`` (read through ``rtes_edition.data.load_package``),
this extension finds, in the chapter the row names, the paragraph that contains the
row's sentence and appends a discreet « [données] » link to that row in the explorer
(``notebooks/explorateur``): the reverse of the links that every chart has to the
chapter. Two links in one paragraph are told apart: « [données 1] », « [données 2] », in
the order their sentences come in the paragraph. In the PDF a link reads « [données,
p. 54] »: the page of the row in the explorer's printed table. The chapters themselves
(``book/*.md``) are not edited. A sentence that no paragraph of its chapter contains is a
build warning (so the strict build fails): the data and the text must not drift apart.

It also makes the LaTeX tables that notebooks output (``text/latex``, see
``rtes_edition.output.print_table``) real tables in the PDF: myst-nb would typeset them
as an equation.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from adapters import sphinx as sphinx_internals  # book/_ext/adapters
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from rtes_edition import provenance
from rtes_edition.data import load_package

PACKAGE = Path("data") / "datapackage.json"  # in the book's source folder (srcdir)
LINK_TEXT = "[données]"

logger = logging.getLogger(__name__)


class figure_data_link(nodes.Inline, nodes.Element):
    """A link from a paragraph of a chapter to one figure's row in the explorer."""


def _link_text(node, sep: str = "\u00a0") -> str:
    """« [données] », or « [données 2] » when the paragraph has several links."""
    number = node.get("number")
    return f"[données{sep}{number}]" if number else LINK_TEXT


def _label(node) -> str:
    # the accessible name starts with the visible text (WCAG 2.5.3, label in name)
    return f"{_link_text(node, ' ')} : voir la donnée {node['figure_id']} dans l’explorateur des chiffres"


def _reader_text(paragraph) -> str:
    """A paragraph's text without footnote calls (« ateliers3, 5 élus » otherwise)."""
    parts = []
    for text in paragraph.findall(nodes.Text):
        if not any(isinstance(a, nodes.footnote_reference) for a in _ancestors(text, paragraph)):
            parts.append(text.astext())
    return "".join(parts)


def _ancestors(node, stop):
    node = node.parent
    while node is not None and node is not stop:
        yield node
        node = node.parent


def visit_html(self, node):
    uri = self.builder.get_relative_uri(self.builder.current_docname, provenance.EXPLORER_PAGE)
    uri = f"{uri}#{provenance.row_anchor(node['figure_id'])}"
    self.body.append(f'<a class="rtes-data-link reference internal" href="{self.encode(uri)}" '
                     f'aria-label="{self.attval(_label(node))}">{self.encode(_link_text(node))}</a>')
    raise nodes.SkipNode


def visit_latex(self, node):
    # the explorer's PDF table defines one \label per row (rtes_edition.output.print_table)
    # A page number, not a bare mark, since paper has no links: « [données 2, p. 54] ».
    target = r"\detokenize{%s:%s}" % (provenance.EXPLORER_PAGE, provenance.row_anchor(node["figure_id"]))
    number = f"~{node['number']}" if node.get("number") else ""
    self.body.append(r"\hyperref[%s]{\sphinxstylestrong{[données%s, p.~\pageref*{%s}]}}"
                     % (target, number, target))
    raise nodes.SkipNode


def visit_other(self, node):
    raise nodes.SkipNode


def _figures_by_chapter(srcdir):
    figures = load_package(Path(srcdir) / PACKAGE)["figures"]
    return {chapter: rows for chapter, rows in figures.groupby("chapter", sort=False)}


def _forget_table_equations(app, doctree):
    """The math domain counts the LaTeX tables of notebook outputs as equations, and
    Sphinx would then load MathJax from its CDN on the page: they are not equations."""
    math = app.env.get_domain("math")
    docname = app.env.docname
    if math.data["has_equations"].get(docname):
        math.data["has_equations"][docname] = any(
            "text_latex" not in node.get("classes", [])
            for node in doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))))


def _links_digest(rows) -> str:
    """What a chapter's links are made of: the id and sentence of each of its rows."""
    h = hashlib.sha256()
    if rows is not None:
        for figure_id, sentence in zip(rows["id"], rows["sentence"]):
            h.update(f"{figure_id}\t{sentence}\n".encode())
    return h.hexdigest()


def _stale_chapters(app, env, added, changed, removed):
    """Chapters whose links a data change alters (a row added, removed, moved to another
    chapter, its sentence corrected) are read again; a corrected value or note, which no
    chapter shows, re-reads none (a dependency on the whole file would re-read them all)."""
    recorded = getattr(env, "rtes_figure_links", {})
    if not recorded:
        return []
    current = {f"book/{chapter}": _links_digest(rows)
               for chapter, rows in _figures_by_chapter(app.srcdir).items()}
    return [doc for doc, digest in recorded.items()
            if doc in env.all_docs and current.get(doc, _links_digest(None)) != digest]


def _forget_links(app, env, docname):
    getattr(env, "rtes_figure_links", {}).pop(docname, None)


def _merge_links(app, env, docnames, other):
    env.rtes_figure_links = getattr(env, "rtes_figure_links", {})
    env.rtes_figure_links.update({d: other.rtes_figure_links[d] for d in docnames
                                  if d in getattr(other, "rtes_figure_links", {})})


def _link_figures(app, doctree):
    docname = app.env.docname
    if not docname.startswith("book/"):
        return
    chapter = docname.split("/", 1)[1]
    rows = _figures_by_chapter(app.srcdir).get(chapter)
    if not hasattr(app.env, "rtes_figure_links"):
        app.env.rtes_figure_links = {}
    app.env.rtes_figure_links[docname] = _links_digest(rows)
    if rows is None:
        return
    paragraphs = [p for p in doctree.findall(nodes.paragraph)]
    texts = [_reader_text(p) for p in paragraphs]
    links: dict[int, list[tuple[int, str]]] = {}
    for _, row in rows.iterrows():
        found = provenance.find_paragraph(row["sentence"], texts)
        if found is None:
            logger.warning("data/figures.csv, %s: sentence not found in chapter %s: « %s »",
                           row["id"], chapter, row["sentence"][:80],
                           location=docname, type="rtes", subtype="provenance")
            continue
        position = provenance.position_in(row["sentence"], texts[found])
        links.setdefault(found, []).append((position, row["id"]))
    for found, ids in links.items():
        ids.sort(key=lambda item: item[0])  # stable: rows stating the same words keep file order
        for number, (_, figure_id) in enumerate(ids, start=1):
            paragraphs[found] += [nodes.Text(" "), figure_data_link(
                figure_id=figure_id, number=number if len(ids) > 1 else None)]


class LatexTables(SphinxPostTransform):
    """``text/latex`` notebook outputs are tables here, not equations."""

    default_priority = 400
    formats = ("latex",)

    def run(self, **kwargs):
        for node in list(self.document.findall(nodes.math_block)):
            if "text_latex" in node.get("classes", []):
                node.replace_self(nodes.raw("", node.astext(), format="latex"))


def _is_widget_script(script) -> bool:
    name = sphinx_internals.asset_file(script)
    return ("embed-amd.js" in name or "require.min.js" in name
            or sphinx_internals.asset_attributes(script).get("type") == "application/vnd.jupyter.widget-state+json")


def _page_scripts(app, pagename, templatename, context, doctree):
    # The explorer's Jupyter controls sit in a cell that the book hides; myst-nb would
    # still load the widget manager (which fetches a font it cannot find) for their state.
    if "widget-view+json" not in context.get("body", ""):
        context["script_files"][:] = [s for s in context["script_files"] if not _is_widget_script(s)]
    if pagename == provenance.EXPLORER_PAGE:
        app.add_js_file("rtes-explorer.js", priority=800, loading_method="defer")


def setup(app):
    app.add_node(figure_data_link, html=(visit_html, None), latex=(visit_latex, None),
                 text=(visit_other, None), man=(visit_other, None), texinfo=(visit_other, None))
    app.connect("doctree-read", _link_figures)
    app.connect("env-get-outdated", _stale_chapters)
    app.connect("env-purge-doc", _forget_links)
    app.connect("env-merge-info", _merge_links)
    app.connect("doctree-read", _forget_table_equations)
    app.add_post_transform(LatexTables)
    app.add_css_file("rtes-figures.css")
    app.connect("html-page-context", _page_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
