"""The book's web page form of an output: raw HTML under a MIME type of its own,
:data:`SITE_HTML`, that myst-nb's HTML builder renders exactly as it renders ``text/html``.

As ``text/html``, a notebook frontend would show it too, and draw an empty box: its
scripts expect the site's page (the shared plotly.js, the table's bundle). Under this type
a frontend skips it and shows the next form it can draw (rtes_edition/output.py).

Registered with myst-nb through its public plugin entry point (``myst_nb.mime_renderers``
in pyproject.toml); which builder picks this form is said in ``_config.yml``
(``nb_mime_priority_overrides``), not here. No heavy import: Sphinx loads this module.
"""

from __future__ import annotations

import dataclasses

SITE_HTML = "application/vnd.rtes.site+html"
# plotly's own form of a chart, for JupyterLab: no builder of the book shows it
PLOTLY_JSON = "application/vnd.plotly.v1+json"
# The print image of a chart, for the PDF. Not image/png: plotly's JupyterLab renderer
# shows a bundle's image/png, when it has one, instead of drawing the chart.
PRINT_PNG = "image/vnd.rtes.print+png"

# The explorer's table bundle (itables' dt_bundle.js, an ES module) as a classic script that
# sets this global to the module's text: a page opened from disk may not import a module
# file (book/_ext/offline_assets.py writes it, rtes_edition/explorer.py imports the text).
DT_SOURCE_NAME = "dt_bundle.source.js"
DT_SOURCE_GLOBAL = "rtesDataTablesBundle"


class SiteHtml:
    mime_priority_overrides = ()  # see _config.yml

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        # myst-nb renders every form of an output before a builder picks one: plotly's form
        # renders as nothing (the book has the same chart as SITE_HTML and PNG), instead of
        # an « unknown mime type » warning that -W turns into a failed build
        if data.mime_type == PLOTLY_JSON:
            return []
        if data.mime_type == PRINT_PNG and not inline:
            return renderer.render_image(dataclasses.replace(data, mime_type="image/png"))
        if data.mime_type != SITE_HTML:
            return None
        if inline:
            return renderer.render_text_html_inline(data)
        return renderer.render_text_html(data)

# The whole site in one archive, to read from disk (tools/build_book.py packs it; the
# download menu and the colophon offer it as « Lire hors ligne »).
OFFLINE_COPY = "actes-territoires-ess-2013-hors-ligne.zip"
