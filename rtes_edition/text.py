"""Comparing the edition's text with itself and with the OCR source: words that ignore what
the OCR and the edition change (accents, case, apostrophes, elisions), their trigrams, and
the glossary's terms.

Used to find a figure's sentence in its chapter (``rtes_edition.provenance``), by the
checks of the edition (``tests/edition_text.py``) and by ``tools/link_glossary.py``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path


def fold(text: str) -> str:
    """``text`` in lower case, without accents: how the edition compares and sorts words
    (« modéle » as « modèle », « Île-de-France » among the I)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """Accent-, case- and apostrophe-insensitive words: `I'ESS`, `l'ESS`, `'ESS`, `l’ESS`
    all give ['ess']; `modéle` and `modèle` both give 'modele'; `12 000` gives '12000'."""
    text = fold(text).replace("œ", "oe").replace("æ", "ae")
    # Thousands as one word, however grouped: « 3700 », « 3 700 » and « 3 700 » (the
    # book's typography groups them, the data may not) all give '3700'.
    text = re.sub(r"(?<!\d)\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)",
                  lambda m: re.sub(r"\s", "", m.group()), text)
    # Elided articles and pronouns (l', d', s'…) are where the OCR errs most (I'ESS, 'ESS,
    # UESS): one-letter words are left out of the comparison.
    return [w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 1 or w.isdigit()]


def shingles(tokens: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def found_ratio(sentence: str, book_shingles: set) -> float:
    """Share of the sentence's word trigrams present in the book (1.0 = all)."""
    own = shingles(words(sentence))
    return len(own & book_shingles) / len(own) if own else 1.0


def glossary_keys(glossary: Path) -> list[str]:
    """The terms defined in ``glossary`` (book/glossaire.md): the lines of its glossary
    block that start a definition (no indentation)."""
    body = Path(glossary).read_text(encoding="utf-8")
    block = body.split(":::{glossary}", 1)[1].split("\n:::", 1)[0]
    return [line.strip() for line in block.splitlines() if line and not line[0].isspace()]


def term_pattern(key: str) -> re.Pattern:
    """An acronym as a whole word (« ESS » in « l'ESS », not in « ESSAI »)."""
    return re.compile(r"(?<![\w-])" + re.escape(key) + r"(?![\w-])")
