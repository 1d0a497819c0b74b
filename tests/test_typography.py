"""French typography: the rules on hard strings, the Sphinx transform on a tiny book, and
the checker over the built book (HTML article text and PDF text)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, load_tool
from docutils import nodes

from rtes_edition.typography import NBSP, NNBSP, typeset, typeset_figure_dict, typeset_segments

N, F = NBSP, NNBSP


@pytest.mark.parametrize("raw, expected", [
    # high punctuation: narrow no-break space before ; ! ?, no-break space before :
    ("Bonjour ; ça va ? Oui !", f"Bonjour{F}; ça va{F}? Oui{F}!"),
    ("Quoi? Vraiment!", f"Quoi{F}? Vraiment{F}!"),
    ("Il a dit : non", f"Il a dit{N}: non"),
    ("Qu'est-ce ?!", f"Qu’est-ce{F}?!"),
    # guillemets, whatever the spaces typed (none, several, already no-break)
    ("«Bonjour»", f"«{F}Bonjour{F}»"),
    ("«   Bonjour  »", f"«{F}Bonjour{F}»"),
    (f"«{N}Bonjour{N}»", f"«{F}Bonjour{F}»"),
    (f"«{F}déjà{F}» espacés", f"«{F}déjà{F}» espacés"),
    # nested quotes: “ ” inside « »
    ("« il a dit « non » hier »", f"«{F}il a dit “non” hier{F}»"),
    ("« il a dit “non” hier »", f"«{F}il a dit “non” hier{F}»"),
    ("“seul”", f"«{F}seul{F}»"),
    # times and ratios keep their colon unspaced; hours written with h are bound
    ("la séance de 14:30", "la séance de 14:30"),
    ("un rapport de 1:2", "un rapport de 1:2"),
    ("à 14 h 30", f"à 14{N}h{N}30"),
    # numbers: units, %, €, thousands, decimal comma
    ("10% des emplois", f"10{N}% des emplois"),
    ("10 % des emplois", f"10{N}% des emplois"),
    ("500 €", f"500{N}€"),
    ("12 000 structures", f"12{F}000 structures"),
    ("4 500 000 €", f"4{F}500{F}000{N}€"),
    ("12000 emplois", f"12{F}000 emplois"),
    ("en 2013, 2 000 personnes", f"en 2013, 2{F}000 personnes"),
    ("1.5 % du PIB", f"1,5{N}% du PIB"),
    ("6 millions d'euros", f"6{N}millions d’euros"),
    ("la loi n° 2017 et p. 54", f"la loi n°{N}2017 et p.{N}54"),
    ("pour 2300 souscripteurs, 3700 m²", f"pour 2{F}300 souscripteurs, 3{F}700{N}m²"),
    ("en 2013 les élus, ligne 2687, les années 2000 sont", "en 2013 les élus, ligne 2687, les années 2000 sont"),
    ("version 1.0.4", "version 1.0.4"),
    # apostrophes, ellipses
    ("l'ESS aujourd'hui", "l’ESS aujourd’hui"),
    ("Et alors...", "Et alors…"),
    ("Et alors… ?", f"Et alors…{F}?"),
    ("[…] la suite", "[…] la suite"),
    # never in URLs, addresses, file names, identifiers, Plotly placeholders, HTML tags
    ("https://www.rtes.fr/a?b=1;c=2#x:y", "https://www.rtes.fr/a?b=1;c=2#x:y"),
    ("voir www.rtes.fr/l'ess : ici", f"voir www.rtes.fr/l'ess{N}: ici"),
    ("contact@rtes.fr", "contact@rtes.fr"),
    ("la ligne fig-ouest-001 : 12000 €", f"la ligne fig-ouest-001{N}: 12{F}000{N}€"),
    ("fig-ouest-12000", "fig-ouest-12000"),
    ("notebooks/explorateur.html#donnee-fig-1", "notebooks/explorateur.html#donnee-fig-1"),
    ("%{y} emplois<br>%{customdata[0]}", "%{y} emplois<br>%{customdata[0]}"),
    ("le code `a : b` ici", "le code `a : b` ici"),
    # no doubled spaces
    (f"mot {N}: suite", f"mot{N}: suite"),
    (f"« {F}texte »", f"«{F}texte{F}»"),
])
def test_typeset(raw, expected):
    assert typeset(raw) == expected
    assert typeset(expected) == expected  # applying it twice changes nothing


def test_segments_keep_protected_pieces_and_see_across_nodes():
    pieces = [("Il dit «", False), ("ESS", False), ("»: voir ", False),
              ("x=1;y:2", True), ("; et l'", False), ("code", True), ("!", False)]
    out = typeset_segments(pieces)
    assert out == [f"Il dit «{F}", "ESS", f"{F}»{N}: voir ", "x=1;y:2", f"{F}; et l’", "code", f"{F}!"]


def test_figure_texts_but_not_values():
    fig = {"layout": {"title": {"text": "Emplois : 10%"}, "xaxis": {"tickformat": ",.0f"}},
           "updatemenus": [{"buttons": [{"label": "Catégorie : toutes", "args": [{"x": [[1]]}]}]}],
           "data": [{"x": ["l'ESS"], "y": [12000], "hovertemplate": "%{y} emplois ; %{x}<extra></extra>",
                     "name": "Part : 10%"}]}
    out = typeset_figure_dict(fig)
    assert out["layout"]["title"]["text"] == f"Emplois{N}: 10{N}%"
    assert out["layout"]["xaxis"]["tickformat"] == ",.0f"
    assert out["data"][0]["x"] == ["l'ESS"] and out["data"][0]["y"] == [12000]
    assert out["data"][0]["hovertemplate"] == f"%{{y}} emplois{F}; %{{x}}<extra></extra>"
    assert out["data"][0]["name"] == f"Part{N}: 10{N}%"
    assert out["updatemenus"][0]["buttons"][0]["label"] == f"Catégorie{N}: toutes"


def _transform_tool():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        import typography as ext
    finally:
        sys.path.pop(0)
    return ext


def test_transform_on_a_docutils_paragraph():
    ext = _transform_tool()
    para = nodes.paragraph("", "", nodes.Text("Le taux « "), nodes.emphasis("", "", nodes.Text("réel")),
                           nodes.Text(" » est de 10% ; voir "), nodes.literal("", "a:b ; c"),
                           nodes.Text(" ou "),
                           nodes.reference("", "https://www.rtes.fr", refuri="https://www.rtes.fr"),
                           nodes.Text(" : l'ESS"))
    ext.typeset_block(para)
    assert para.astext() == (f"Le taux «{F}réel{F}» est de 10{N}%{F}; voir a:b ; c ou "
                             f"https://www.rtes.fr{N}: l’ESS")


def test_debris_text_column_is_left_as_printed():
    ext = _transform_tool()
    table = nodes.table("", classes=["rtes-debris"])
    tgroup = nodes.tgroup("", cols=3)
    table += tgroup
    tbody = nodes.tbody()
    tgroup += tbody
    row = nodes.row()
    for text in ("12-13", "Cdtes of « Armor", "légende de carte : photo"):
        row += nodes.entry("", nodes.paragraph("", text))
    tbody += row
    for block in ext._blocks(table):
        ext.typeset_block(block)
    assert [e.astext() for e in row] == ["12-13", "Cdtes of « Armor", f"légende de carte{N}: photo"]


SPHINX_CONF = """
extensions = ["typography"]
language = "fr"
latex_engine = "xelatex"
"""
SPHINX_INDEX = """Essai
=====

Le taux de l'ESS est de 10% ; il dit : « oui ». Code : ``a ; b`` et 12000 emplois.
"""


def test_html_and_latex_builders_get_the_same_text(tmp_path):
    """A one-page Sphinx project with the extension: both builders print the typeset text."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
                                 + SPHINX_CONF, encoding="utf-8")
    (src / "index.rst").write_text(SPHINX_INDEX, encoding="utf-8")
    sphinx = [sys.executable, "-m", "sphinx", "-q", "-W"]
    subprocess.run(sphinx + ["-b", "html", str(src), str(tmp_path / "html")], check=True)
    subprocess.run(sphinx + ["-b", "latex", str(src), str(tmp_path / "latex")], check=True)
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    tex = next((tmp_path / "latex").glob("*.tex")).read_text(encoding="utf-8")
    expected = f"10{N}%{F}; il dit{N}: «{F}oui{F}»"
    assert expected in page
    assert "l’ESS" in page and f"12{F}000 emplois" in page and '<span class="pre">;</span>' in page
    # both stay characters in LaTeX: Sphinx makes U+00A0 an active \nobreak\ , and
    # babel-french (interchar class « no space » for U+00A0 and U+202F) never pads them
    assert expected.replace("%", r"\%") in tex
    assert r"\sphinxupquote{a ; b}" in tex
    assert f"12{F}000 emplois" in tex


@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def faults(html_dir, pdf_path):
    return load_tool("check_typography").count(html_dir, pdf_path)


def test_checker_counts_faults_it_is_shown():
    checker = load_tool("check_typography")
    bad = "Il dit : « oui ». Quoi ? 10% et 12 000 € ; l'ESS « a « b » c »"
    found = checker.html_faults(bad)
    assert {rule: len(v) for rule, v in found.items()} == {
        "espace insécable avant :": 1, "espace fine après «": 3, "espace fine avant »": 3,
        "espace fine avant ; ! ?": 2, "insécable entre nombre et unité": 2,
        "milliers groupés par une fine insécable": 1, "apostrophe typographique": 1,
        "guillemets imbriqués « … “ … ” … »": 1}
    assert checker.html_faults(typeset(bad)) == {}
    lines = "il compte 4 500\n000 € et\n» conclut-il «\nla suite"
    assert {r: len(v) for r, v in checker.pdf_faults(lines).items()} == {
        "PDF : nombre coupé en fin de ligne": 1, "PDF : ligne commençant par » ; : ! ?": 1,
        "PDF : ligne finissant par «": 1}


def test_built_book_has_no_typographic_fault(faults):
    """Zero faults in the article text of every HTML page and in the PDF's text.

    Deliberate exception (not counted): the « texte » column of the tables of dropped
    debris in « Note sur l'édition » (class ``rtes-debris``), which reproduces the OCR
    source's characters as they are."""
    report = {rule: found[:5] for rule, found in faults.items()}
    assert not faults, f"{sum(map(len, faults.values()))} faults: {report}"


# ------------------------------------------------------------ « [données] » links

def test_data_links_are_told_apart_in_each_paragraph(html_pages):
    """Two « [données] » links in one paragraph read « [données 1] », « [données 2] »…"""
    link = re.compile(r'<a class="rtes-data-link[^>]*>([^<]*)</a>')
    numbered, confused = 0, []
    for page in html_pages:
        for paragraph in re.findall(r"<p>.*?</p>", page.read_text(encoding="utf-8"), re.S):
            texts = link.findall(paragraph)
            if len(texts) > 1:
                numbered += 1
                if texts != [f"[données{NBSP}{n}]" for n in range(1, len(texts) + 1)]:
                    confused.append((page.name, texts))
            elif texts and texts != ["[données]"]:
                confused.append((page.name, texts))
    assert numbered > 10 and confused == []


def test_pdf_data_links_give_the_page_of_the_row(pdf_path, html_dir):
    """In the PDF a link reads « [données 2, p. 124] », the printed page of its row in the
    explorer's table (paper has no links to follow): LaTeX's own record of the rows'
    pages (the .aux file) says which pages those are."""
    aux = next((ROOT / "_build" / "latex").glob("*.aux")).read_text(encoding="utf-8")
    row_page = dict(re.findall(r"\\newlabel\{notebooks/explorateur:donnee-([\w-]+)\}\{\{[^}]*\}\{(\d+)\}", aux))
    text = " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    # (a link quoted as an example in prose, « [données 2, p. 54] », is not a link)
    cited = re.findall(r"(?<!« )\[données(?: \d+)?, p\. (\d+)\]", text)
    assert len(cited) > 100 and set(cited) <= set(row_page.values())
    assert re.findall(r"(?<!« )\[données\]", text) == []  # « [données] » quoted in prose is not a link
    # the book's first link, in the introduction, cites the page of its own row
    first = re.search(r'class="rtes-data-link[^"]*" href="[^"#]*#donnee-([\w-]+)"',
                      (html_dir / "book" / "introduction.html").read_text(encoding="utf-8")).group(1)
    assert cited[0] == row_page[first]


def test_provenance_matching_ignores_how_thousands_are_grouped():
    """The book groups « 3700 m² » as « 3 700 m² »; a figure's sentence must still find its
    paragraph (data untouched, typography only in the rendering)."""
    from rtes_edition import provenance
    from rtes_edition.text import words

    assert words("3700") == words("3 700") == words(f"3{F}700") == ["3700"]
    assert words("en 2013 150 élus") == ["en", "2013", "150", "elus"]
    sentence = "L'hôtel d'activités, c'est 3700 m² dédiés à l'innovation sociale."
    assert provenance.matches(sentence, typeset(sentence)) == 1.0


def test_headings_copy_what_sphinx_defines():
    """book/_ext/typography.py repeats Sphinx's \\titleformat of the headings with
    \\RaggedRight added: Sphinx must still define them as copied."""
    import sphinx

    ext = _transform_tool()
    sty = (Path(sphinx.__file__).parent / "texinputs" / "sphinxlatexstyleheadings.sty").read_text()
    for level, size in (("section", "Large"), ("subsection", "large"), ("subsubsection", "normalsize")):
        ours = f"\\titleformat{{\\{level}}}{{\\{size}\\py@HeaderFamily\\RaggedRight}}%"
        assert ours in ext.LATEX_STY
        assert ours.replace("\\RaggedRight", "") in sty, f"Sphinx {sphinx.__version__} changed \\{level}"
