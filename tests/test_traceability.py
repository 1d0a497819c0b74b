"""Every figure and every cooperation of the data package is traced to its sentence.

(a) the sentence of each row of figures.csv appears in the chapter it names, as a reader
    reads it (tests/edition_text.py, chapter_text), and inside the section it names;
(b) the value (and the bounds of a range) is stated in that sentence, in digits or words;
(c) each section label exists in the chapter file;
(d) the same for cooperations.csv;
(e) the anchor of each section exists in the built page of the chapter.

Only whitespace and typographic apostrophes/quotes are normalised for the comparison.
"""
from __future__ import annotations

import importlib.util
import io
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from edition_text import chapter_text, strip_myst
from stated_numbers import states

from rtes_edition.data import load_package

ROOT = Path(__file__).resolve().parents[1]
TABLES = load_package(ROOT / "data" / "datapackage.json")
FIGURES = TABLES["figures"].fillna({"section": "", "meeting_id": "", "stated_at": "", "low": -1, "high": -1})
COOPERATIONS = TABLES["cooperations"].fillna({"section": ""})
_HEADING = re.compile(r"^(#+)\s")
_LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$")


def normalise(text: str) -> str:
    text = (text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
            .replace("\u00a0", " ").replace("\u202f", " "))
    return re.sub(r"\s+", " ", text).strip()


@cache
def reader_text(chapter: str) -> str:
    return normalise(chapter_text(chapter))


@cache
def sections(chapter: str) -> dict[str, str]:
    """label -> reader text of its section: from the labelled heading to the next heading
    of the same or a higher level (so a section includes its subsections)."""
    lines = (ROOT / "book" / f"{chapter}.md").read_text(encoding="utf-8").splitlines()
    headings = []  # (line index, level, label)
    for index, line in enumerate(lines):
        found = _HEADING.match(line)
        if found:
            label = _LABEL.match(lines[index - 1]) if index else None
            headings.append((index, len(found.group(1)), label.group(1) if label else None))
    spans = {}
    for position, (start, level, label) in enumerate(headings):
        if label is None:
            continue
        end = next((i for i, lvl, _ in headings[position + 1:] if lvl <= level), len(lines))
        spans[label] = normalise(strip_myst("\n".join(lines[start:end])))
    return spans


def row_ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["id"])


# (a) and (c) ---------------------------------------------------------------------------

@pytest.mark.parametrize("row", FIGURES.to_dict("records"), ids=row_ids(FIGURES))
def test_figure_sentence_is_in_its_chapter_and_section(row):
    sentence = normalise(row["sentence"])
    assert sentence in reader_text(row["chapter"]), \
        f"{row['id']}: sentence not found in book/{row['chapter']}.md: {row['sentence'][:80]}"
    assert row["section"], f"{row['id']}: section is empty"
    spans = sections(row["chapter"])
    assert row["section"] in spans, f"{row['id']}: {row['section']} is not a section label of book/{row['chapter']}.md"
    assert sentence in spans[row["section"]], \
        f"{row['id']}: the sentence is in book/{row['chapter']}.md but not in section {row['section']}"


# (b) -----------------------------------------------------------------------------------

@pytest.mark.parametrize("row", FIGURES.to_dict("records"), ids=row_ids(FIGURES))
def test_figure_value_is_stated_in_its_sentence(row):
    assert states(row["sentence"], row["value"]), \
        f"{row['id']}: value {row['value']:g} is not stated in: {row['sentence']}"
    if row["qualifier"] == "fourchette":
        for bound in ("low", "high"):
            assert states(row["sentence"], row[bound]), \
                f"{row['id']}: {bound} {row[bound]:g} is not stated in: {row['sentence']}"


def test_same_fact_rows_state_the_value_of_their_reference():
    """A « même fait » row repeats its reference row's number: both sentences state it."""
    by_id = FIGURES.set_index("id")
    repeats = FIGURES[FIGURES["relation"] == "même fait"]
    assert len(repeats) >= 4  # PTCE 2 M€, Tarnos 14 in insertion, PTCE Sud-Aquitain 20, « 4 rencontres »
    for row in repeats.itertuples():
        reference = by_id.loc[row.related_figure_id]
        assert states(row.sentence, reference["value"]), f"{row.id}: {reference['value']:g} not in {row.sentence}"


# (d) -----------------------------------------------------------------------------------

@pytest.mark.parametrize("row", COOPERATIONS.to_dict("records"), ids=row_ids(COOPERATIONS))
def test_cooperation_sentence_is_in_its_chapter_and_section(row):
    sentence = normalise(row["sentence"])
    assert sentence in reader_text(row["chapter"]), \
        f"{row['id']}: sentence not found in book/{row['chapter']}.md: {row['sentence'][:80]}"
    spans = sections(row["chapter"])
    assert row["section"] in spans, f"{row['id']}: {row['section']} is not a section label of book/{row['chapter']}.md"
    assert sentence in spans[row["section"]], \
        f"{row['id']}: the sentence is not in section {row['section']} of book/{row['chapter']}.md"


def test_figures_are_the_merge_of_the_extracts():
    """figures.csv is up to date: every extract row is a row of figures.csv, every
    subject resolves (the merge stops on an unresolved one), nothing is left over."""
    spec = importlib.util.spec_from_file_location("consolidate_extracts",
                                                  ROOT / "tools" / "consolidate_extracts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out, err = io.StringIO(), io.StringIO()
    assert module.consolidate(ROOT / "data", dry_run=True, out=out, err=err) == 0, err.getvalue()
    assert re.search(r", 0 new, 0 kept without extract row", out.getvalue()), out.getvalue() + err.getvalue()


def test_speakers_are_people_of_the_meeting():
    """A figure's speaker (an id of people.csv) speaks, by people_meetings.csv, at the
    meeting where the figure was said."""
    people = set(TABLES["people"]["id"])
    speaks_at = TABLES["people_meetings"].groupby("person_id")["meeting_id"].agg(set)
    for row in FIGURES.dropna(subset=["speaker"]).itertuples():
        assert row.speaker in people, f"{row.id}: speaker {row.speaker} is not in data/people.csv"
        if row.stated_at:
            assert row.stated_at in speaks_at.get(row.speaker, set()), \
                f"{row.id}: {row.speaker} does not speak at meeting {row.stated_at} (people_meetings.csv)"


# (e) -----------------------------------------------------------------------------------

def test_section_anchors_exist_in_the_built_site(html_dir):
    missing = []
    rows = pd.concat([FIGURES[["id", "chapter", "section"]], COOPERATIONS[["id", "chapter", "section"]]])
    for chapter, group in rows.groupby("chapter"):
        page = html_dir / "book" / f"{chapter}.html"
        assert page.is_file(), f"{page} is not built"
        html = page.read_text(encoding="utf-8")
        for row in group.itertuples():
            if f'id="{row.section}"' not in html:
                missing.append(f"{row.id}: #{row.section} not in book/{chapter}.html")
    assert not missing, "\n".join(missing)
