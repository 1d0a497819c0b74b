"""French full-text search that ignores accents.

Readers type « economie » as often as « économie ». Sphinx's French search stems words
with the Snowball stemmer but keeps their accents, so an unaccented query misses every
page. This replaces Sphinx's French search language with one that folds accents (and the
œ/æ ligatures) before stemming, in the index built by Python and in the query stemmed by
the browser: both sides apply the same fold, then the same Snowball stemmer.

Only Sphinx's documented search-language API is used: a :class:`SearchLanguage` subclass
(``app.add_search_language``) whose ``stem`` folds, and Sphinx's own French stemmer in the
browser (``language_data.js``, from the inherited ``js_stemmer_rawcode``), wrapped by
``rtes-search-fold.js`` (book/assets), which folds the query's words before they reach it.
"""

from __future__ import annotations

import unicodedata

from sphinx.search.fr import SearchFrench

LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}
# the browser's half of the fold (same rules as fold() below)
FOLD_SCRIPT = "rtes-search-fold.js"


def fold(word: str) -> str:
    """Canonical decomposition, combining marks dropped, ligatures spelt out."""
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(LIGATURES.get(c, c) for c in bare)


class SearchFrenchFolded(SearchFrench):
    lang = "fr"

    def stem(self, word: str) -> str:
        return super().stem(fold(word.lower()))


def _add_fold_script(app, pagename, templatename, context, doctree):
    if pagename == "search" and app.builder.format == "html":
        # deferred: runs after the page's classic scripts (language_data.js defines the
        # stemmer) and before DOMContentLoaded, when Sphinx's search starts
        app.add_js_file(FOLD_SCRIPT, loading_method="defer")


def setup(app):
    app.add_search_language(SearchFrenchFolded)
    app.connect("html-page-context", _add_fold_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
