"""The PDF as a printed book: nothing lost, print conventions, nothing of the web in it.

Read from the LaTeX log, the index file and the PDF itself (pdftotext, pdfinfo, pdfimages,
pdffonts, pdftoppm from poppler-utils)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

LATEX = ROOT / "_build" / "latex"
LATEX_LOG = LATEX / "actes-territoires-ess-2013.log"
INDEX = LATEX / "actes-territoires-ess-2013.ind"
PARTS = ["Les actes", "Les chiffres des rencontres", "Apparat"]
sys.path.insert(0, str(ROOT / "book" / "_ext"))


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pages(pdf_path) -> list[str]:
    """The text of each page of the PDF."""
    return _run("pdftotext", "-layout", str(pdf_path), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def image_pages(pdf_path) -> set[int]:
    listing = _run("pdfimages", "-list", str(pdf_path)).splitlines()[2:]
    return {int(line.split()[0]) for line in listing if line.split()[2] == "image"}


@pytest.fixture(scope="module")
def latex_log(pdf_path) -> str:
    return LATEX_LOG.read_text(encoding="utf-8", errors="replace")


def test_no_text_runs_off_the_page(latex_log):
    assert re.findall(r"Overfull \\vbox.*", latex_log) == []


def test_at_most_a_handful_of_lines_overrun_their_measure(latex_log):
    overruns = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", latex_log)]
    visible = [w for w in overruns if w > 3]
    assert len(visible) <= 10, f"{len(visible)} lines more than 3 pt too wide: {sorted(visible)}"


def test_blank_pages_are_really_blank(pages, image_pages):
    """A page left blank before a chapter or a part has no running head nor number: a
    page with an image, or three lines or more, is not blank; the part pages have their
    title."""
    carrying = [number for number, text in enumerate(pages, 1)
                if number not in image_pages
                and 0 < len([line for line in text.splitlines() if line.strip()]) <= 2
                and "partie" not in text.lower()]
    assert carrying == [], f"pages with only a running head or a page number: {carrying}"


def test_no_instruction_for_the_screen_in_print(pages):
    text = " ".join(pages)
    found = re.findall(r"\w*(?:survol|cliqu|déroulant|listes au-dessus)\w*", text, re.I)
    assert found == [], found


def test_no_bare_data_mark_in_print(pages):
    """On paper a « [données] » mark leads nowhere: each one carries its page."""
    assert "[données]" not in " ".join(pages)


def test_the_three_parts_open_and_are_in_the_contents(pages):
    contents = next(i for i, text in enumerate(pages) if "Table des matières" in text)
    toc = " ".join(pages[contents:contents + 6])
    for part in PARTS:
        assert re.search(rf"{part}\s*\.*\s*\d+", toc), f"« {part} » missing from the contents"
        opening = [i for i, text in enumerate(pages)
                   if re.search(r"partie", text, re.I) and part in text and len(text.split()) < 12]
        assert opening, f"no page opening the part « {part} »"
    # in the order of _toc.yml
    openings = [next(i for i, t in enumerate(pages) if re.search("partie", t, re.I) and p in t
                     and len(t.split()) < 12) for p in PARTS]
    assert openings == sorted(openings)


def test_the_contents_hold_on_two_pages(pages):
    """No third page of contents holding one chapter: the first part opens two pages
    after « Table des matières »."""
    contents = next(i for i, text in enumerate(pages) if "Table des matières" in text)
    first_part = next(i for i, text in enumerate(pages) if i > contents
                      and re.search("partie", text, re.I) and PARTS[0] in text and len(text.split()) < 12)
    assert first_part == contents + 2, f"contents on pages {contents + 1}-{first_part}"


def test_web_apparatus_is_left_to_the_site_and_the_colophon_says_so(pages):
    text = re.sub(r"\s+", " ", " ".join(pages))
    # the pages themselves are not printed (their titles appear only in the colophon)
    assert "Versions des logiciels" not in text and "Logiciels Les versions" not in text
    assert "L’édition imprimée" in text.replace("'", "’")
    assert "laisse au site" in text


def test_edition_page_after_the_title(pages):
    import print_edition

    version, released = print_edition.edition(ROOT / "CITATION.cff")
    released = released.replace("1\\textsuperscript{er}", "1er")
    title, back = re.sub(r"\s+", " ", pages[0]), re.sub(r"\s+", " ", pages[1])
    assert f"Édition numérique, {released}" in title
    for needed in ["Éditeur : RTES", "www.rtes.fr", f"version {version} du {released}",
                   "Licence Ouverte", "licence MIT", "Pour citer cette édition",
                   "Site de l’édition".replace("’", "'")]:
        assert needed in back.replace("’", "'"), f"« {needed} » missing from the edition page"
    assert pages[1].strip() and not re.search(r"^\s*ii?\s*$", pages[1], re.M), "numbered"


def test_edition_date_comes_from_citation(tmp_path):
    import print_edition

    cff = tmp_path / "CITATION.cff"
    cff.write_text('version: "2.1.0"\ndate-released: "2027-03-01"\n', encoding="utf-8")
    assert print_edition.edition(cff) == ("2.1.0", "1\\textsuperscript{er} mars 2027")
    cff.write_text('version: "2.1.0"\n', encoding="utf-8")
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="date-released"):
        print_edition.edition(cff)


def _ppm_pixels(data: bytes):
    """(width, height, RGB bytes) of a binary PPM (P6) from pdftoppm."""
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6", parts[0]
    return int(parts[1]), int(parts[2]), parts[4]


def test_links_are_not_coloured(pdf_path, pages):
    """The contents (every line a link) prints in black: no blue pixel."""
    contents = next(i for i, text in enumerate(pages) if "Table des matières" in text) + 1
    ppm = subprocess.run(["pdftoppm", "-f", str(contents), "-l", str(contents), "-r", "40",
                          str(pdf_path)], check=True, capture_output=True).stdout
    _, _, rgb = _ppm_pixels(ppm)
    blue = sum(1 for i in range(0, len(rgb) - 2, 3) if rgb[i + 2] > rgb[i] + 60)
    assert blue == 0, f"{blue} blue pixels on the contents page"


def test_index_is_in_the_text_face_with_one_entry_per_name(pdf_path, pages):
    first = max(i for i, text in enumerate(pages) if re.match(r"\s*Index\s*$", text.split("\n")[0])
                or "\nIndex\n" in text[:200]) + 1
    fonts = _run("pdffonts", "-f", str(first), "-l", str(len(pages)), str(pdf_path))
    assert "Mono" not in fonts, fonts
    # a main entry: its text and qualifier, up to the page numbers
    entries = re.findall(r"^\s*\\item (\\spxentry\{.*?\}(?:\\spxextra\{.*?\})?),",
                         INDEX.read_text(encoding="utf-8"), re.M)
    assert entries, "no index entry"
    normalised = [re.sub(r"\\sphinxhyphen\s*\{\}", "-", e) for e in entries]
    doubles = sorted({e for e in normalised if normalised.count(e) > 1})
    assert doubles == [], doubles
    # people are filed « Nom, Prénom »: one entry each
    people = [e for e in normalised if "," in e and "spxextra" not in e]
    assert len(people) > 50 and len(people) == len(set(people))


def test_figures_are_set_where_they_are_called():
    tex = (LATEX / "actes-territoires-ess-2013.tex").read_text(encoding="utf-8")
    placements = re.findall(r"\\begin\{figure\}\[(\w+)\]", tex)
    assert placements and set(placements) == {"H"}, placements


def test_chart_text_prints_at_7_pt_at_least(pdf_path):
    """Each chart fills at most the text block: a CSS pixel of its image prints at
    (printed width / CSS width); the smallest text the charts set is 11 px."""
    from rtes_edition import output

    smallest_font_px = 11
    listing = _run("pdfimages", "-list", str(pdf_path)).splitlines()[2:]
    for line in listing:
        cols = line.split()
        if cols[2] != "image":
            continue
        width_px, x_ppi = int(cols[3]), float(cols[12])
        printed_pt = width_px / x_ppi * 72
        css_px = width_px / output.PNG_SCALE
        assert printed_pt <= output.PRINT_WIDTH_CM / 2.54 * 72 + 1, (line, printed_pt)
        assert smallest_font_px * printed_pt / css_px >= 7, (line, printed_pt, css_px)
    # and at full width: the text block is what PRINT_WIDTH_CM says
    assert smallest_font_px * output.PRINT_WIDTH_CM / 2.54 * 72 / output.PNG_WIDTH >= 7


def test_print_tables_drop_the_web_columns():
    import pandas as pd

    from rtes_edition import output

    table = pd.DataFrame({"chiffre": ["a"], "valeur citée": ["1"], "phrase des actes": ["x"],
                          "identifiant": ["fig-1"], "latitude": [1.0]})
    kept = [c for c in table.columns if c not in output.WEB_ONLY_COLUMNS]
    assert kept == ["chiffre", "valeur citée"]
    latex = output.latex_table(table[kept], [1, 1], row_labels=["l1"])
    assert "\\RaggedRight" in latex and "\\small" in latex
    assert "\\label{l1}a" in latex and "\\\\*" in latex


def test_print_figure_has_no_menus():
    import plotly.graph_objects as go

    from rtes_edition import output

    fig = go.Figure(layout={"updatemenus": [{"buttons": [{"label": "Tous", "method": "restyle"}]}]})
    assert output.for_print(fig).layout.updatemenus == ()
    assert fig.layout.updatemenus  # the web figure keeps them
