"""Sphinx's internals that the book's extensions use (Sphinx pinned by jupyter-book,
7.4.7 in requirements.txt).

Why no public API does the job:
- The EPUB (epub.py): Sphinx's EPUB builder has no hook for its contents (it walks the
  root document's toctrees: the book's parts are lost, and with the root in a sub-folder
  its chapters get ``book/../notebooks/…`` addresses), for the pages before they are
  packed, nor for the package document (``content.opf``: no accessibility metadata, one
  ``dc:rights``, the build's date). :class:`EpubBuilder` overrides three of its methods
  (``get_toc``, ``toc_metadata``, ``build_content``) and gives epub.py hooks instead.
  ``epub_cover`` must be a tuple when Sphinx checks the configuration's types, and the
  EPUB builder wants a ``version`` when it checks its own settings: the priorities below
  run the book's handlers before those checks.
- A page's scripts and stylesheets (``script_files``, ``css_files`` in the context of
  ``html-page-context``) are objects of a private Sphinx module (``_JavaScript``,
  ``_CascadingStyleSheet``): :func:`asset_file` and :func:`asset_attributes` read them,
  to leave out the scripts of what a page does not show (sphinx-thebe, the widget
  manager).
- The PDF's headings and table columns set ragged right (typography.py): Sphinx defines
  them in its LaTeX style files (``sphinxlatexstyleheadings.sty``,
  ``sphinxlatextables.sty``) with no option for their alignment; :data:`RAGGED_LATEX`
  restates its definitions with ``\\RaggedRight`` added.
tests/test_adapters.py fails, naming Sphinx's version, when one of these changes.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.builders.epub3 import Epub3Builder

# sphinx/config.py checks the types of the configuration at config-inited, priority 800
BEFORE_CONFIG_CHECK = 700
# sphinx/builders/epub3.py checks its settings (version, …) at builder-inited, priority 500
BEFORE_EPUB_CHECK = 400


class EpubBuilder(Epub3Builder):
    """Sphinx's EPUB 3 builder with the hooks the book's EPUB needs: ``contents`` (the
    navigation, in reading order), ``before_package`` (the written pages, before Sphinx
    lists and packs them) and ``after_package`` (the package document Sphinx wrote)."""

    def contents(self) -> list[dict]:
        """The navigation: one dict per entry (``level``, ``refuri``, ``text``, escaped)."""
        raise NotImplementedError

    def before_package(self, outdir: Path) -> None:
        """Called once the pages are written, before the package is made."""

    def after_package(self, opf: Path, cover_page: Path) -> None:
        """Called with content.opf and the cover page once Sphinx wrote them."""

    # --- Sphinx's methods ---
    def get_toc(self) -> None:
        self.refnodes = self.contents()
        self.toc_add_files(self.refnodes)  # puts the root document first

    def toc_metadata(self, level: int, navpoints: list) -> dict:
        # toc.ncx names the book by its identifier, as content.opf does (Sphinx: epub_uid)
        metadata = super().toc_metadata(level, navpoints)
        metadata["uid"] = html.escape(self.config.epub_identifier)
        return metadata

    def build_content(self) -> None:
        outdir = Path(self.outdir).resolve()
        self.before_package(outdir)
        super().build_content()
        self.after_package(outdir / "content.opf", outdir / self.coverpage_name)

    @property
    def cover_page_name(self) -> str:
        """The cover page Sphinx writes (and adds to the spine itself)."""
        return self.coverpage_name


def asset_file(asset) -> str:
    """The file a page's script or stylesheet loads ("" for an inline script)."""
    return asset.filename or ""


def asset_attributes(asset) -> dict:
    """The attributes of a page's script or stylesheet (``body``: an inline script's)."""
    return asset.attributes


# Sphinx 7.4's own definitions, restated with \RaggedRight (what Sphinx has, without it,
# is checked by tests/test_adapters.py)
RAGGED_LATEX = r"""% tables with set widths (csv-table :widths:): Sphinx's \X and \Y, ragged right
\newcolumntype{\X}[2]{>{\RaggedRight\arraybackslash}p{\dimexpr
      (\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\newcolumntype{\Y}[1]{>{\RaggedRight\arraybackslash}p{\dimexpr
      #1\dimexpr\linewidth-\spx@arrayrulewidth\relax-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
% Headings ragged right, never justified (« Coopération    territoriale    : »): Sphinx's
% own \titleformat of sphinxlatexstyleheadings.sty (Sphinx 7.4), with \RaggedRight added
% (tests/test_adapters.py checks that Sphinx still defines them so).
\titleformat{\section}{\Large\py@HeaderFamily\RaggedRight}%
            {\py@TitleColor\thesection}{0.5em}{\py@TitleColor}
\titleformat{\subsection}{\large\py@HeaderFamily\RaggedRight}%
            {\py@TitleColor\thesubsection}{0.5em}{\py@TitleColor}
\titleformat{\subsubsection}{\normalsize\py@HeaderFamily\RaggedRight}%
            {\py@TitleColor\thesubsubsection}{0.5em}{\py@TitleColor}
"""
