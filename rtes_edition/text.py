"""Text of the edition: chapters as a reader reads them, and a fuzzy comparison with the
OCR source that tolerates the corrections the edition makes.

Used by the coverage test (every sentence of the source is in the chapters) and by the
traceability test (every figure's sentence is in the chapter it names).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "source" / "actes-territoires-ess-2013.ocr.txt"
CHAPTERS = ["introduction", "grand-ouest", "sud-ouest", "visioconference", "grand-est",
            "sud-est", "remerciements"]

_ROLE_WITH_TARGET = re.compile(r"\{[a-z:-]+\}`([^`<]*?)\s*<[^`]*>`")
_ROLE = re.compile(r"\{[a-z:-]+\}`([^`]*)`")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LABEL = re.compile(r"^\([^)\s]+\)=\s*$", re.M)
_DIRECTIVE_LINE = re.compile(r"^\s*(:::+|```+)\S*.*$|^\s*:[a-z-]+:.*$", re.M)
_COMMENT = re.compile(r"^%.*$", re.M)


def strip_myst(markdown: str) -> str:
    """The text a reader sees: roles reduced to their text, no labels, fences, emphasis,
    block-quote marks or footnote calls. Footnote definitions are kept as text."""
    text = _LABEL.sub("", markdown)
    text = _COMMENT.sub("", text)
    text = _ROLE_WITH_TARGET.sub(r"\1", text)
    text = _ROLE.sub(r"\1", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"^\s*(:::+|```+)\s*\{?(admonition|index)\}?.*$", "", text, flags=re.M)
    text = _DIRECTIVE_LINE.sub("", text)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.M)
    text = re.sub(r"^\s*[-*+]\s+", "", text, flags=re.M)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", text)
    return text


def chapter_text(stem: str) -> str:
    return strip_myst((ROOT / "book" / f"{stem}.md").read_text(encoding="utf-8"))


def words(text: str) -> list[str]:
    """Accent-, case- and apostrophe-insensitive words: `I'ESS`, `l'ESS`, `'ESS`, `l’ESS`
    all give ['ess']; `modéle` and `modèle` both give 'modele'; `12 000` gives '12000'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    # Thousands as one word, however grouped: « 3700 », « 3 700 » and « 3 700 » (the
    # book's typography groups them, the data may not) all give '3700'.
    text = re.sub(r"(?<!\d)\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)",
                  lambda m: re.sub(r"\s", "", m.group()), text)
    # Elided articles and pronouns (l', d', s'…) are where the OCR errs most (I'ESS, 'ESS,
    # UESS): one-letter words are left out of the comparison.
    return [w for w in re.findall(r"[a-z0-9]+", text) if len(w) > 1 or w.isdigit()]


def source_sentences(min_words: int = 10) -> list[tuple[int, str]]:
    """Sentences of the OCR source with at least ``min_words`` words, with their first line.

    Lines are joined within a paragraph (blank lines separate paragraphs), hyphenated line
    ends are rejoined, and the text is cut after . ! ? … followed by a space."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    sentences, buffer, start = [], [], 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            if not buffer:
                start = number
            buffer.append(line.strip())
            continue
        if buffer:
            paragraph = re.sub(r"(\w)- (\w)", r"\1\2", " ".join(buffer))
            for piece in re.split(r"(?<=[.!?…])[”\"»]?\s+", paragraph):
                if len(words(piece)) >= min_words:
                    sentences.append((start, piece))
            buffer = []
    return sentences


def shingles(tokens: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def found_ratio(sentence: str, book_shingles: set) -> float:
    """Share of the sentence's word trigrams present in the book (1.0 = all)."""
    own = shingles(words(sentence))
    return len(own & book_shingles) / len(own) if own else 1.0


def glossary_keys() -> list[str]:
    """The terms defined in book/glossaire.md (lines of the glossary block that start a
    definition: no indentation)."""
    body = (ROOT / "book" / "glossaire.md").read_text(encoding="utf-8")
    block = body.split(":::{glossary}", 1)[1].split("\n:::", 1)[0]
    return [line.strip() for line in block.splitlines() if line and not line[0].isspace()]


def term_pattern(key: str) -> re.Pattern:
    """An acronym as a whole word (« ESS » in « l'ESS », not in « ESSAI »)."""
    return re.compile(r"(?<![\w-])" + re.escape(key) + r"(?![\w-])")
