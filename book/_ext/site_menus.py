"""The menus of every page: the download menu (the ↓ button of the page's header), and
the focus given back to ☰ when the phone menu closes (book/assets/rtes-site.js); and
the name index's links named by the chapters they lead to.

The theme's own menu offered « .ipynb », « .md » and a « .pdf » that only opened the
print dialog, while the book's PDF and its data were listed on one page only. This one
names each file for readers and is on every page: the whole book, the data, the notebook
of a notebook page, and printing the page. book/_templates/article-header-buttons.html
draws it from ``rtes_downloads`` (the theme's is switched off, ``use_download_button:
false`` in _config.yml).

Files published at the site root by other steps of the build get a line in SITE_FILES.
"""

from __future__ import annotations

from pathlib import Path

import publication  # book/_ext: the data package's zip

from rtes_edition.build import OFFLINE_COPY

PDF = "actes-territoires-ess-2013.pdf"  # copied into the site by tools/build_book.py

# (text, file at the site root, icon), in menu order after the PDF
SITE_FILES: list[tuple[str, str, str]] = [
    # the whole site, to read from disk (packed by tools/build_book.py)
    ("Lire hors ligne (ZIP)", OFFLINE_COPY, "fas fa-file-zipper"),
    # the EPUB 3 edition (built by tools/build_book.py, book/_ext/epub.py)
    ("Livre numérique (EPUB)", "actes-territoires-ess-2013.epub", "fas fa-book"),
]


def downloads(pathto, ipynb_source: str | None, data: Path) -> list[dict]:
    """The menu's entries for a page; ``pathto`` is the page's (relative links, so the
    site works from disk and under any sub-path); ``data``: the data package's folder."""
    package = publication._package(data)
    items = [{"text": "Livre complet (PDF)", "href": pathto(PDF, 1), "download": True,
              "icon": "fas fa-file-pdf"}]
    items += [{"text": text, "href": pathto(name, 1), "download": True, "icon": icon}
              for text, name, icon in SITE_FILES]
    items.append({"text": "Données (ZIP)", "download": True, "icon": "fas fa-table",
                  "href": pathto(f"{publication.DOWNLOADS}/{publication.zip_name(package)}", 1)})
    if ipynb_source:
        items.append({"text": "Ce carnet (.ipynb)", "download": True, "icon": "fas fa-code",
                      "href": pathto("_sources", 1) + "/" + ipynb_source})
    items.append({"text": "Imprimer cette page", "onclick": "window.print()",
                  "icon": "fas fa-print"})
    return items


def _notebook(context) -> str | None:
    """The page's notebook under _sources/: the page's own source when it is one, else the
    notebook sphinx-book-theme writes for a MyST notebook (its ``ipynb_source``)."""
    if context.get("page_source_suffix") == ".ipynb":
        return context["sourcename"]
    return context.get("ipynb_source")


def _add_menu(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    # called by the template, once every handler has filled the page's context (the
    # theme's sets ipynb_source): no dependency on the order of the handlers
    data = publication.data_dir(app.srcdir)
    context["rtes_downloads"] = lambda: downloads(context["pathto"], _notebook(context), data)
    # last of the page's scripts (theirs have the default priority, 500)
    app.add_js_file("rtes-site.js", priority=501, loading_method="defer")


def index_places(titles: dict[str, str]):
    """For the name index (book/_templates/genindex.html): an entry's links grouped by the
    chapter they lead to, in their order, each group named by the chapter's title."""
    def places(links) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = {}
        for _main, uri in links:
            docname = uri.split("#", 1)[0].removesuffix(".html")
            groups.setdefault(titles.get(docname, docname), []).append(uri)
        return list(groups.items())
    return places


def _add_index_places(app, pagename, templatename, context, doctree):
    if pagename == "genindex":
        titles = {doc: title.astext() for doc, title in app.env.titles.items()}
        context["rtes_index_places"] = index_places(titles)


def setup(app):
    app.connect("html-page-context", _add_index_places)
    app.connect("html-page-context", _add_menu)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
