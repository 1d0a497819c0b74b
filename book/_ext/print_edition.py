"""The printed edition (LaTeX/PDF): what it prints, in which parts, and its edition page.

The site and the PDF are built from the same sources; the PDF is a book, not a copy of
the site:

- the three parts of ``_toc.yml`` (« Les actes », « Les chiffres des rencontres »,
  « Apparat ») open with a ``\\part`` page and appear in the table of contents;
- the home page (a web landing page) and the pages in :data:`SITE_ONLY` (how to run the
  notebooks, the build report) are left to the site; the colophon says where they are;
- a rule that ends a chapter is not printed before the next chapter's page;
- an index entry inside bold text (the speakers' lines) is moved out of it, so that LaTeX
  writes the same key as elsewhere (inside an argument ``\\sphinxhyphen{}`` becomes
  ``\\sphinxhyphen {}`` and xindy made two entries for one person);
- the edition's number, date and address come from ``CITATION.cff`` and the publisher's
  ``RTES_SITE_URL``, never from the build date (``book/latex/rtes-print.sty`` typesets them).

Everything here acts on the LaTeX builder's assembled document (``doctree-resolved``),
so the HTML build and the shared doctrees are untouched.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ConfigError
from sphinx.transforms.post_transforms import SphinxPostTransform

# in the book's source folder (Sphinx's srcdir: the repository root)
CITATION = "CITATION.cff"
STYLE = Path("book") / "latex" / "rtes-print.sty"
SITE_URL_ENV = "RTES_SITE_URL"

# Web apparatus: the PDF says where to find them (colophon, print-only paragraph).
SITE_ONLY = ("book/executer", "book/execution")

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def edition(citation: Path) -> tuple[str, str]:
    """(version, date of the edition in French) from CITATION.cff (``version``,
    ``date-released``): the title and edition pages print these, not the build date."""
    text = citation.read_text(encoding="utf-8")
    version = re.search(r'^version:\s*"?([^"\n]+)"?\s*$', text, re.M)
    released = re.search(r'^date-released:\s*"?(\d{4})-(\d{2})-(\d{2})"?\s*$', text, re.M)
    if not version or not released:
        raise ConfigError(f"{citation}: « version » and « date-released » (AAAA-MM-JJ) are "
                          "needed for the edition page of the PDF")
    day = date(*map(int, released.groups()))
    first = "1\\textsuperscript{er}" if day.day == 1 else str(day.day)
    return version.group(1).strip(), f"{first} {MONTHS[day.month - 1]} {day.year}"


def _latex_escape(text: str) -> str:
    return re.sub(r"([#$%&_{}])", r"\\\1", text).replace("~", r"\textasciitilde{}")


def _configure(app, config):
    """Load the print style and give it the edition's facts as macros."""
    version, released = edition(Path(app.srcdir) / CITATION)
    site = os.environ.get(SITE_URL_ENV, "").strip()
    # no address is invented: without RTES_SITE_URL (set by the publisher) the page says so
    site_line = (f"\\url{{{site}}}" if site else
                 "adresse non fixée lors de la fabrication de ce PDF")
    macros = (f"\\newcommand{{\\rtesversion}}{{{_latex_escape(version)}}}"
              f"\\newcommand{{\\rteseditiondate}}{{{released}}}"
              f"\\newcommand{{\\rtessite}}{{{site_line}}}")
    elements = config.latex_elements
    elements["preamble"] = elements.get("preamble", "") + macros + "\\usepackage{rtes-print}"
    config.latex_additional_files = list(config.latex_additional_files) + [str(Path(app.srcdir) / STYLE)]


class IndexOutOfStrong(SphinxPostTransform):
    """Move an index entry that sits inside inline markup (bold, emphasis) just before it."""

    default_priority = 450
    formats = ("latex",)

    def run(self, **kwargs):
        for index in list(self.document.findall(addnodes.index)):
            outer = None
            parent = index.parent
            while isinstance(parent, nodes.Inline) and isinstance(parent, nodes.TextElement):
                outer = parent
                parent = parent.parent
            if outer is not None:
                index.parent.remove(index)
                outer.parent.insert(outer.parent.index(outer), index)


def _parts(app) -> list[tuple[str, str]]:
    """(caption, first document) of each captioned toctree of the root document."""
    root = app.env.get_doctree(app.config.root_doc)
    parts = []
    for toctree in root.findall(addnodes.toctree):
        if toctree.get("caption") and toctree.get("includefiles"):
            parts.append((toctree["caption"], toctree["includefiles"][0]))
    return parts


def _print_book(app, doctree, docname):
    if app.builder.format != "latex" or docname != app.config.root_doc:
        return
    files = {node["docname"]: node for node in doctree.findall(addnodes.start_of_file)}
    # the home page's own text is the site's landing page: the book opens on its parts
    root_section = next(iter(doctree.findall(nodes.section)), None)
    if root_section is not None:
        for child in list(root_section.children):
            if not isinstance(child, (addnodes.start_of_file, nodes.title, nodes.target,
                                      nodes.compound)):
                root_section.remove(child)
    # a rule that ends a chapter (« --- ») would print alone atop a page before the next
    for rule in list(doctree.findall(nodes.transition)):
        after = next(rule.findall(lambda n: isinstance(n, (addnodes.start_of_file, nodes.TextElement)),
                                  include_self=False, descend=True, siblings=True, ascend=True), None)
        if after is None or isinstance(after, addnodes.start_of_file):
            rule.parent.remove(rule)
    for name in SITE_ONLY:
        if name in files:
            files[name].parent.remove(files[name])
    for caption, first in _parts(app):
        if first in files:
            node = files[first]
            part = nodes.raw("", f"\\part{{{_latex_escape(caption)}}}\n", format="latex")
            node.parent.insert(node.parent.index(node), part)


def setup(app):
    app.connect("config-inited", _configure)
    app.add_post_transform(IndexOutOfStrong)
    app.connect("doctree-resolved", _print_book)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
