"""The edition's text as a reader reads it, and the OCR source cut into sentences: what the
coverage test (every sentence of the source is in the chapters, tests/test_edition.py) and
the traceability test (every figure's sentence is in the chapter it names) compare.

The comparison itself (words, trigrams) is rtes_edition.text's, which the book's links
from a sentence to its figure use too.
"""

from __future__ import annotations

import re

from conftest import ROOT

from rtes_edition import text as _text
from rtes_edition import toc
from rtes_edition.text import found_ratio, shingles, term_pattern, words  # noqa: F401  (re-exported)

SOURCE = ROOT / "data" / "source" / "actes-territoires-ess-2013.ocr.txt"
CHAPTERS = toc.chapters(ROOT)

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


def glossary_keys() -> list[str]:
    return _text.glossary_keys(ROOT / "book" / "glossaire.md")
