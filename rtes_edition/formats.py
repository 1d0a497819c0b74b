"""The names the notebooks' outputs and the book's build agree on: the MIME types of the
forms of an output (``rtes_edition.output`` writes them, ``_config.yml`` says which one
each builder takes, ``rtes_edition/build/site_html.py`` renders the site's), and the
explorer table's script (``rtes_edition.explorer`` names it, ``book/_ext/offline_assets.py``
writes it).
"""

SITE_HTML = "application/vnd.rtes.site+html"
"""The book's web page form of an output: raw HTML that only the book's HTML builder shows
(``rtes_edition/build/site_html.py``)."""
# plotly's own form of a chart, for JupyterLab: no builder of the book shows it
PLOTLY_JSON = "application/vnd.plotly.v1+json"
# The print image of a chart, for the PDF. Not image/png: plotly's JupyterLab renderer
# shows a bundle's image/png, when it has one, instead of drawing the chart.
PRINT_PNG = "image/vnd.rtes.print+png"
