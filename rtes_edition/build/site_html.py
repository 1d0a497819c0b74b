"""The book's web page form of an output: raw HTML under a MIME type of its own,
:data:`~rtes_edition.formats.SITE_HTML`, that myst-nb's HTML builder renders exactly as it
renders ``text/html``.

As ``text/html``, a notebook frontend would show it too, and draw an empty box: its
scripts expect the site's page (the shared plotly.js, the table's bundle). Under this type
a frontend skips it and shows the next form it can draw (rtes_edition/output.py).

Registered with myst-nb through its public plugin entry point (``myst_nb.mime_renderers``
in pyproject.toml); which builder picks this form is said in ``_config.yml``
(``nb_mime_priority_overrides``), not here. No heavy import: Sphinx loads this module.
"""

from __future__ import annotations

import dataclasses

from rtes_edition.formats import PLOTLY_JSON, PRINT_PNG, SITE_HTML


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
