"""The edition: the whole of the proceedings, corrected, in the chapters."""

from __future__ import annotations

import re

import edition_text as text
import pytest

COVERAGE_TARGET = 0.97
# A sentence counts as found when at least this share of its word trigrams is in the book:
# a corrected word breaks three trigrams, so 0.5 tolerates two corrections in ten words,
# while a missing or paraphrased sentence scores near 0.
FOUND_THRESHOLD = 0.5

# OCR artifacts observed in the source; none may survive in the chapters.
OCR_ARTIFACTS = {
    "I' for l'": r"\bI['’][a-zà-ÿ]",
    "ESS without its article": r"(?<![\wlLdD])['’]ESS\b|\b[UIF]ESS\b|\bLESS\b|\bdESS\b",
    "fagon": r"\bfagon",
    "pdle / péle": r"\bp[dé]les?\b",
    "cent sign": r"¢",
    "réle": r"\bréles?\b",
    "méme": r"\bméme",
    "étre": r"\bétre\b",
    "é for è before a final syllable": r"[a-zà-ÿ]{2}(?<!cr)é(?:re|res|me|mes|ne|nes|se|ses|que|ques)\b",
    "ceuvre": r"\bceuvre",
    "glued apostrophe": r"\b(?:quil|quon|lensemble|linnovation|larticulation|dinitiatives|doffres|limage)\b",
    "unaccented capital A/E": r"(?:^|[.!?»]\s+)A (?:la|l'|de|des|partir|travers|ce|cette|Paris)\b"
                              r"|\bEtat\b|\bEconomie\b|\bEtudes\b",
    "stray OCR symbols": r"[©®¥§€]{2,}|\s[~|]\s",
}


@pytest.fixture(scope="module")
def book_shingles():
    grams = set()
    for stem in text.CHAPTERS:
        grams |= text.shingles(text.words(text.chapter_text(stem)))
    return grams


def test_every_chapter_exists():
    missing = [s for s in text.CHAPTERS if not (text.ROOT / "book" / f"{s}.md").exists()]
    assert missing == []


def test_source_sentences_are_in_the_chapters(book_shingles):
    sentences = text.source_sentences(min_words=10)
    missing = [(line, s) for line, s in sentences
               if text.found_ratio(s, book_shingles) < FOUND_THRESHOLD]
    coverage = 1 - len(missing) / len(sentences)
    print(f"\ncoverage: {coverage:.1%} of {len(sentences)} source sentences of 10+ words")
    for line, sentence in missing:
        print(f"  missing (source line {line}): {sentence[:160]}")
    assert coverage >= COVERAGE_TARGET


def test_no_ocr_artifact_in_the_chapters():
    counts = {}
    examples = []
    for stem in text.CHAPTERS:
        content = text.chapter_text(stem)
        for name, pattern in OCR_ARTIFACTS.items():
            hits = [m.group(0) for m in re.finditer(pattern, content, flags=re.M)]
            counts[name] = counts.get(name, 0) + len(hits)
            examples += [f"{stem}: {name}: {h!r}" for h in hits[:3]]
    print("\nOCR artifact counts:", counts)
    assert examples == [], "\n".join(examples)


def test_the_artifact_patterns_do_find_the_source_errors():
    """The list is built from the source: each pattern matches there (else it tests nothing)."""
    source = text.SOURCE.read_text(encoding="utf-8")
    silent = [name for name, pattern in OCR_ARTIFACTS.items()
              if not re.search(pattern, source, flags=re.M)]
    assert silent == []


def _body_text(stem: str) -> str:
    """Reader-visible text of a chapter without its footnote definitions."""
    markdown = (text.ROOT / "book" / f"{stem}.md").read_text(encoding="utf-8")
    markdown = re.sub(r"^\[\^[^\]]+\]:.*$", "", markdown, flags=re.M)
    return text.strip_myst(markdown)


def test_every_acronym_is_in_the_glossary():
    keys = text.glossary_keys()
    undefined = {}
    for stem in text.CHAPTERS:
        body = _body_text(stem)
        for key in keys:  # multi-word keys first out of the way (« CAC 40 »)
            body = text.term_pattern(key).sub(" ", body)
        for token in re.findall(r"(?<![\w-])[A-Z][A-Z0-9]{1,}(?![\w-])", body):
            undefined.setdefault(token, stem)
    assert undefined == {}, f"acronyms missing from book/glossaire.md: {undefined}"


def test_first_use_of_each_acronym_links_to_the_glossary():
    unlinked = []
    for stem in text.CHAPTERS:
        markdown = (text.ROOT / "book" / f"{stem}.md").read_text(encoding="utf-8")
        body = _body_text(stem)
        for key in text.glossary_keys():
            used = text.term_pattern(key).search(body)
            linked = re.search(r"\{term\}`(?:[^`<]*<)?" + re.escape(key) + r">?`", markdown)
            if used and not linked:
                unlinked.append(f"{stem}: {key}")
    assert unlinked == []


def test_every_page_is_in_the_table_of_contents():
    toc = (text.ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = [p.relative_to(text.ROOT).with_suffix("").as_posix()
             for pattern in ("book/*.md", "notebooks/*.ipynb") for p in text.ROOT.glob(pattern)]
    outside = [p for p in pages if f"file: {p}\n" not in toc and f"root: {p}\n" not in toc]
    assert outside == []
