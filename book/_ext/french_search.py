"""French full-text search that ignores accents.

Readers type « economie » as often as « économie ». Sphinx's French search stems words
with the Snowball stemmer but keeps their accents, so an unaccented query misses every
page. This replaces Sphinx's French search language with one that folds accents (and the
œ/æ ligatures) before stemming, in the index built by Python and in the query stemmed by
the browser: both sides apply the same fold, then the same Snowball stemmer.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import sphinx.search
from sphinx.search.fr import SearchFrench

LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}

# Same fold as fold() below: canonical decomposition, combining marks dropped, ligatures
# spelt out.
FOLD_JS = r"""
var rtesFoldAccents = function (word) {
  return word.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/œ/g, "oe").replace(/Œ/g, "OE").replace(/æ/g, "ae").replace(/Æ/g, "AE");
};
"""

_MINIFIED = Path(sphinx.search.__file__).parent / "minified-js"


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(LIGATURES.get(c, c) for c in bare)


class SearchFrenchFolded(SearchFrench):
    lang = "fr"
    # Sphinx inlines js_stemmer_code when no raw stemmer file is named.
    js_stemmer_rawcode = ""

    def stem(self, word: str) -> str:
        return super().stem(fold(word.lower()))

    @property
    def js_stemmer_code(self) -> str:  # type: ignore[override]
        base = (_MINIFIED / "base-stemmer.js").read_text(encoding="utf-8")
        french = (_MINIFIED / "french-stemmer.js").read_text(encoding="utf-8")
        return (base + "\n" + french + "\n" + FOLD_JS + """
var Stemmer = function () {
  var french = new FrenchStemmer();
  this.stemWord = function (word) { return french.stemWord(rtesFoldAccents(word)); };
};
""")


def setup(app):
    app.add_search_language(SearchFrenchFolded)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
