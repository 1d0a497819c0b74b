"""Where each figure comes from, and where a reader goes to check it.

Two directions, one vocabulary:

- from a chart to the text: :func:`passage_url` (the chapter section that states the
  figure) and :func:`passage_label` (« Rencontre du Grand Ouest (Rennes), Discours
  introductifs »);
- from the text to the data: :func:`row_anchor` (the id of a figure's row in the
  explorer) and :data:`EXPLORER_PAGE`; the Sphinx extension ``book/_ext/provenance.py``
  uses :func:`find_paragraph` to put a link after the paragraph that holds the sentence.

Sentences are compared with :func:`rtes_edition.text.words` (accents, case, apostrophes
and the OCR's elisions do not count), so an edited chapter still matches its data row.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from rtes_edition import toc
from rtes_edition.text import found_ratio, shingles, words

EXPLORER_PAGE = "notebooks/explorateur"
"""Docname of the page whose table has one anchored row per figure."""

MIN_RATIO = 0.9
"""Share of a sentence's word trigrams a paragraph must contain when the sentence is not
found word for word (a sentence the editors lightly corrected after extraction)."""

_LABEL_HEADING = re.compile(r"^\(([^)\s]+)\)=\s*\n#+\s+(.+?)\s*$", re.M)


def row_anchor(figure_id: str) -> str:
    """HTML id of a figure's row in the explorer (ids are already URL-safe)."""
    return f"donnee-{figure_id}"


def explorer_url(figure_id: str, from_notebook: bool = True) -> str:
    prefix = "" if from_notebook else "../notebooks/"
    return f"{prefix}explorateur.html#{row_anchor(figure_id)}"


def passage_url(chapter: str, section: str | None) -> str:
    """Link from a notebook page to the passage of the chapter."""
    anchor = f"#{section}" if isinstance(section, str) and section else ""
    return f"../book/{chapter}.html{anchor}"


@functools.cache
def headings(chapter: str, book: Path | None = None) -> dict[str, str]:
    """MyST label -> heading text of one chapter; the chapter's own label maps to its title.
    ``book``: the chapters' folder, by default ``book/`` in the edition's folder
    (:func:`rtes_edition.toc.find_root`: the notebooks run in ``notebooks/``)."""
    folder = Path(book) if book is not None else toc.find_root() / "book"
    text = (folder / f"{chapter}.md").read_text(encoding="utf-8")
    return dict(labelled_headings(text))


def labelled_headings(markdown: str) -> list[tuple[str, str]]:
    """(MyST label, heading text) of each labelled heading, in order."""
    return _LABEL_HEADING.findall(markdown)


def chapter_title(chapter: str) -> str:
    found = headings(chapter)
    return found.get(chapter) or next(iter(found.values()), chapter)


def passage_label(chapter: str, section: str | None) -> str:
    """« Rencontre du Sud-Ouest (Bordeaux), Table ronde… »: chapter then section titles."""
    title = chapter_title(chapter)
    if isinstance(section, str) and section:
        return f"{title}, « {headings(chapter).get(section, section)} »"
    return title


def matches(sentence: str, paragraph: str) -> float:
    """1.0 if the paragraph contains the sentence word for word, else the share of the
    sentence's word trigrams found in the paragraph."""
    own, text = " ".join(words(sentence)), " ".join(words(paragraph))
    if own and f" {own} " in f" {text} ":
        return 1.0
    return found_ratio(sentence, shingles(words(paragraph)))


def position_in(sentence: str, paragraph: str) -> int:
    """Where ``sentence`` starts in ``paragraph``, in words (the first of its word trigrams
    found there; the paragraph's length when none is), to order a paragraph's links."""
    text = words(paragraph)
    for gram in [tuple(words(sentence)[i:i + 3]) for i in range(max(len(words(sentence)) - 2, 1))]:
        for index in range(len(text) - len(gram) + 1):
            if tuple(text[index:index + len(gram)]) == gram:
                return index
    return len(text)


def find_paragraph(sentence: str, paragraphs: list[str]) -> int | None:
    """Index of the paragraph stating ``sentence``, or None when none is close enough."""
    best, best_ratio = None, 0.0
    for index, paragraph in enumerate(paragraphs):
        ratio = matches(sentence, paragraph)
        if ratio == 1.0:
            return index
        if ratio > best_ratio:
            best, best_ratio = index, ratio
    return best if best_ratio >= MIN_RATIO else None


def latex_label(chapter: str, section: str | None) -> str:
    """Sphinx's LaTeX label of a chapter section (``\\label{\\detokenize{book/x:y}}``)."""
    target = section if isinstance(section, str) and section else chapter
    return f"\\detokenize{{book/{chapter}:{target}}}"
