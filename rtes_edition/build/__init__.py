"""The book's build: what Sphinx (the myst-nb plugin ``site_html``, ``book/_ext``) and
``tools/`` use and no notebook imports. A change here re-executes no notebook
(``tools/stale_notebooks.py`` reads ``rtes_edition/*.py``, the notebooks' code, only)."""

OFFLINE_COPY = "actes-territoires-ess-2013-hors-ligne.zip"
"""The whole site in one archive, to read from disk (``tools/build_book.py`` packs it; the
download menu and the colophon offer it as « Lire hors ligne »)."""
