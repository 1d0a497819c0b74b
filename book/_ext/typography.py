"""French typography of the book, applied once to the text nodes every builder shares.

A read-time transform walks each block of text (paragraph, title, caption, list item,
table cell…) and applies :func:`rtes_edition.typography.typeset_segments` to its text
nodes, the whole block at once (a « and its word may sit in two nodes). Code, raw output,
math, footnote calls and links whose text is an address are left as they are (the rules
see them as one word). Raw HTML (a chart's description and data table) gets the same
rules on its text, never on its tags, scripts or code. The chapters' Markdown is not touched; the HTML site, the PDF and
the search index all get the same text, and the environment's titles (navigation, page
titles) too, since they are read after the transforms.

In the PDF, babel-french spaces « ; : ! ? » by itself under XeTeX. It adds nothing after a
U+202F or U+00A0 (its interchar class for them is "no space"), and a U+00A0 that Sphinx
turns into ``~`` is replaced by babel's own no-break space, never doubled: the checker
(``tools/check_typography.py``) measures the gaps in the PDF.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from adapters import sphinx as sphinx_internals  # book/_ext/adapters
from docutils import nodes
from sphinx.transforms import SphinxTransform

import rtes_edition.typography
from rtes_edition.typography import typeset, typeset_html, typeset_segments

# Nodes whose text is never typeset.
PROTECTED = (nodes.literal, nodes.literal_block, nodes.raw, nodes.math, nodes.math_block,
             nodes.comment, nodes.doctest_block, nodes.footnote_reference,
             nodes.citation_reference, nodes.substitution_definition, nodes.image,
             nodes.target, nodes.option_string, nodes.system_message)
# Tables whose column (0-based) quotes the OCR source character for character: the
# debris that the edition drops (book/note-edition.md), shown as printed.
VERBATIM_COLUMNS = {"rtes-debris": 1}
_ADDRESS = re.compile(r"^(?:[a-z]+://|www\.|mailto:)|^[\w.+-]+@[\w-]+\.", re.I)


def _is_protected(node) -> bool:
    if isinstance(node, PROTECTED):
        return True
    # a link whose text is its address: the text is the address
    if isinstance(node, nodes.reference) and _ADDRESS.match(node.astext()):
        return True
    if isinstance(node, nodes.entry):
        return _is_verbatim_cell(node)
    return False


def _is_verbatim_cell(entry) -> bool:
    row = entry.parent
    table = row
    while table is not None and not isinstance(table, nodes.table):
        table = table.parent
    if table is None:
        return False
    columns = [VERBATIM_COLUMNS[c] for c in table.get("classes", []) if c in VERBATIM_COLUMNS]
    return bool(columns) and row.index(entry) in columns


def _pieces(block):
    """(node, protected) for the text of ``block`` in reading order; a protected node
    counts once, as a whole."""
    def walk(node):
        for child in node.children:
            if isinstance(child, nodes.Text):
                yield child, False
            elif _is_protected(child):
                yield child, True
            elif isinstance(child, nodes.TextElement) and not isinstance(child, nodes.Inline):
                continue  # a nested block is typeset on its own
            else:
                yield from walk(child)
    yield from walk(block)


def typeset_block(block) -> int:
    """Typeset one block in place; returns how many text nodes changed."""
    pieces = list(_pieces(block))
    if not any(not protected for _, protected in pieces):
        return 0
    texts = typeset_segments([(node.astext(), protected) for node, protected in pieces])
    changed = 0
    for (node, protected), new in zip(pieces, texts):
        if not protected and new != node.astext():
            node.parent.replace(node, nodes.Text(new))
            changed += 1
    return changed


def _blocks(document):
    for node in document.findall(nodes.TextElement):
        if isinstance(node, nodes.Inline) or _is_protected(node):
            continue
        if any(_is_protected(a) for a in _ancestors(node)):
            continue
        yield node


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


class FrenchTypography(SphinxTransform):
    """French spaces, quotes, apostrophes and numbers in the text of every document."""

    # after docutils' smart quotes (750): they turn straight quotes into curly ones first
    default_priority = 790

    def apply(self, **kwargs):
        if not self.config.language or not self.config.language.startswith("fr"):
            return
        for block in list(_blocks(self.document)):
            typeset_block(block)
        # raw HTML (a chapter's own HTML, a notebook's chart description and data table):
        # its text, not its tags, scripts or code
        for node in list(self.document.findall(nodes.raw)):
            if "html" in node.get("format", "").split() and node.children:
                new = typeset_html(node.astext())
                if new != node.astext():
                    node.children[0].parent.replace(node.children[0], nodes.Text(new))


# The PDF's French typesetting: hyphenation is babel-french's (Sphinx loads it for
# language fr); narrow table columns are set ragged right (ragged2e's \RaggedRight keeps
# hyphenation) instead of justified, which stretched « Rencontre    du    Grand ».
LATEX_PACKAGE = "rtestypography"
LATEX_STY = (r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{rtestypography}[2026/12/02 French typography of the RTES edition]
\RequirePackage{ragged2e}
\makeatletter
% tabulary tables (Markdown tables): L (ragged right) instead of J (justified)
\newcolumntype{T}{L}
"""
             + sphinx_internals.RAGGED_LATEX
             + r"""% U+202F, the narrow no-break space of the text: half a word space, as babel-french's own
% before ; ! ? (FreeSerif's glyph is as wide as a word space). Active, like Sphinx's U+00A0;
% babel-french then sees a space and puts its own thin space instead, never a second one.
\catcode"202F=\active
\protected\def^^^^202f{\leavevmode\nobreak\hskip.5\fontdimen2\font\relax}
\AtBeginDocument{\pdfstringdefDisableCommands{\def^^^^202f{ }}}
\makeatother
\endinput
""")


def _write_latex_package(app):
    if app.builder.format == "latex":
        Path(app.outdir, f"{LATEX_PACKAGE}.sty").write_text(LATEX_STY, encoding="utf-8")


# Reader-facing strings of the configuration (_config.yml): the book's title in the page
# header, the browser tab, the PDF's title page and running heads, and its description.
CONFIG_TEXTS = ("project", "html_title", "rtes_description", "ogp_site_name")


def _typeset_config(app, config):
    if not (config.language or "").startswith("fr"):
        return
    for name in CONFIG_TEXTS:
        if isinstance(config[name] if name in config else None, str):
            config[name] = typeset(config[name])


def _typeset_latex_title(app, env):
    # Jupyter Book sets latex_documents after Sphinx starts; the LaTeX builder reads it
    # when it writes, after the environment is updated.
    app.config.latex_documents = [(start, target, typeset(title), *rest)
                                  for start, target, title, *rest in app.config.latex_documents]


def setup(app):
    app.add_transform(FrenchTypography)
    app.connect("config-inited", _typeset_config, priority=900)
    app.connect("env-updated", _typeset_latex_title)
    app.add_latex_package(LATEX_PACKAGE)
    app.connect("builder-inited", _write_latex_package)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": _rules_version()}


def _rules_version() -> int:
    """Changed rules re-read every document (the doctrees keep the typeset text)."""
    digest = hashlib.sha256()
    for source in (Path(__file__), Path(rtes_edition.typography.__file__)):
        digest.update(source.read_bytes())
    return int(digest.hexdigest()[:12], 16)
