"""Count the faults of French typography in the built book, rule by rule.

Reads the article text of every HTML page of ``_build/html`` (not the code, nor the
scripts) and the text of the PDF (``pdftotext``), and counts, per rule, what a French
reader would see as a fault (Imprimerie nationale, *Lexique des règles typographiques*).
Its rules are written apart from ``rtes_edition/typography.py`` (which applies them) so
that it checks the result rather than repeating the code.

    python tools/check_typography.py            # counts per rule, then the total
    python tools/check_typography.py --examples # and a few examples of each fault

Exit status 1 when a fault is found.
"""

from __future__ import annotations

import argparse
import csv
import html
import html.parser
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PDF = HTML / "actes-territoires-ess-2013.pdf"

NNBSP, NBSP = "\u202f", "\u00a0"
BREAKING = " \t\n\r"
BLOCK = "\x00"  # boundary between two blocks of a page (nothing carries across it)

# Elements whose text is not running text.
SKIPPED = {"script", "style", "pre", "code", "kbd", "samp", "math", "svg", "template", "noscript"}
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "caption",
          "figcaption", "div", "blockquote", "section", "table", "tr", "ul", "ol", "dl",
          "summary", "details", "aside", "nav", "header", "footer", "br", "button", "label",
          "option", "select"}
# Deliberate exception: the « texte » column (2nd cell) of the tables of dropped debris
# (« Note sur l'édition », class rtes-debris) quotes the OCR source as printed.
VERBATIM_COLUMNS = {"rtes-debris": 2}
VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area", "base"}

# Where punctuation is not punctuation: addresses, file names, identifiers with digits.
MASK = re.compile(
    r"(?:https?|ftp|file|mailto)://\S+|www\.[\w.-]+\S*|[\w.+-]+@[\w.-]+\.\w+"
    r"|\b[\w.-]+\.(?:html|ipynb|csv|json|md|py|pdf|zip|geojson|js|css)\b"
    r"|\b[A-Za-z]+[\w]*(?:[-_][\w]+)*[-_]\d[\w-]*")
UNITS = r"%|€|k€|M€|euros?\b|millions?\b|milliards?\b"


class _ArticleText(html.parser.HTMLParser):
    """The text of ``<article>``, blocks separated by BLOCK, skipped elements left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0        # inside the article
        self.skip = 0         # inside a skipped element
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.verbatim_column = 0  # 1-based cell of the current table to leave out
        self.cell = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in VOID:
            if self.depth and tag == "br":
                self.parts.append(BLOCK)
            return
        self.stack.append(tag)
        if tag == "article" and "bd-article" in classes:
            self.depth = len(self.stack)
        if tag == "table":
            self.verbatim_column = next((VERBATIM_COLUMNS[c] for c in classes if c in VERBATIM_COLUMNS), 0)
        elif tag == "tr":
            self.cell = 0
        elif tag in ("td", "th"):
            self.cell += 1
        hidden = ("headerlink" in classes or "visually-hidden" in classes
                  or attrs.get("aria-hidden") == "true" or "hidden" in attrs
                  or (tag in ("td", "th") and self.cell == self.verbatim_column))
        if self.depth and (self.skip or tag in SKIPPED or hidden):
            self.skip += 1
        if self.depth and tag in BLOCKS:
            self.parts.append(BLOCK)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if self.skip:
                self.skip -= 1
            if self.depth and open_tag in BLOCKS:
                self.parts.append(BLOCK)
            if self.depth and len(self.stack) < self.depth:
                self.depth = 0
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(page: Path) -> str:
    parser = _ArticleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def _masked(text: str) -> str:
    """Addresses and identifiers replaced by letters of the same length."""
    return MASK.sub(lambda m: "x" * len(m.group()), text)


def html_faults(text: str) -> dict[str, list[str]]:
    """Faults of a page's running text: rule -> excerpts."""
    text = _masked(text)
    found: dict[str, list[str]] = defaultdict(list)

    def note(rule, start, end):
        found[rule].append(text[max(0, start - 25):end + 25].replace(BLOCK, "¶"))

    for m in re.finditer(r"([^\s\u00a0\u202f\x00]?)([\s\u00a0\u202f]*)([;!?])", text):
        before, gap, mark = m.groups()
        if not before or before in "(;!?[«“" or (not gap and m.end() < len(text) and text[m.end()].isalnum()):
            continue
        if gap != NNBSP:
            note("espace fine avant ; ! ?", m.start(), m.end())
    for m in re.finditer(r"([^\s\u00a0\u202f\x00]?)([\s\u00a0\u202f]*):(.?)", text):
        before, gap, after = m.groups()
        if not before or before in "(:[«“" or (before.isdigit() and after.isdigit() and not gap):
            continue
        if after == "/":
            continue
        if gap != NBSP:
            note("espace insécable avant :", m.start(), m.end())
    for m in re.finditer(r"«([\s\u00a0\u202f]*)", text):
        if m.group(1) != NNBSP and m.end() < len(text) and text[m.end()] != BLOCK:
            note("espace fine après «", m.start(), m.end())
    for m in re.finditer(r"(.?)([\s\u00a0\u202f]*)»", text):
        if m.group(1) and m.group(1) != BLOCK and m.group(2) != NNBSP:
            note("espace fine avant »", m.start(), m.end())
    for m in re.finditer(rf"(?<![\w.,-])\d+(?:,\d+)?([ \t\n]*)(?:{UNITS})", text):
        note("insécable entre nombre et unité", m.start(), m.end())
    for m in re.finditer(r"(?<![\w.,-])\d{1,3}(?:[ \t\n\u00a0]\d{3})+(?![\d\w])", text):
        note("milliers groupés par une fine insécable", m.start(), m.end())
    for m in re.finditer(r"(?<![\w.,\-/])\d{5,}(?![\w])", text):
        note("milliers groupés par une fine insécable", m.start(), m.end())
    # four digits before a unit or a plural noun are a quantity (« 2300 souscripteurs »), a
    # year never (« 2013 », « les années 2000 sont »)
    quantity = r"(?<![\w.,\-/])(\d{4})(?=[ \t\n\u00a0\u202f]+(?:(?:%|€|m²|euros)|([a-zà-ÿœ]{3,}[sx])\b))"
    for m in re.finditer(quantity, text):
        noun, year = m.group(2), 1800 <= int(m.group(1)) <= 2100 and int(m.group(1)) % 100
        if not noun or (not year and noun not in ("sont", "dans", "plus", "depuis", "nous", "vous")):
            note("milliers groupés par une fine insécable", m.start(), m.end())
    for m in re.finditer(rf"(?<![\w.])\d+\.\d+[\s\u00a0\u202f]*(?:{UNITS})", text):
        note("virgule décimale", m.start(), m.end())
    for m in re.finditer(r"(?<=[^\W\d_])'(?=\w)", text):
        note("apostrophe typographique", m.start(), m.end())
    for block in text.split(BLOCK):
        depth = 0
        for m in re.finditer(r"[«»“”\"]", block):
            mark = m.group()
            if mark == '"' or (mark == "«" and depth) or (mark == "“" and not depth):
                found["guillemets imbriqués « … “ … ” … »"].append(block[max(0, m.start() - 25):m.end() + 25])
            depth += 1 if mark in "«“" else -1 if mark in "»”" else 0
            depth = max(depth, 0)
    for m in re.finditer(r"[\s\u00a0\u202f]{2,}", text):
        if NBSP in m.group() or NNBSP in m.group():
            note("espaces doublées", m.start(), m.end())
    return found


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def debris_texts() -> list[str]:
    """The dropped OCR text that « Note sur l'édition » quotes as printed (the deliberate
    exception), spaces normalised."""
    texts = []
    for table in sorted((ROOT / "book" / "debris").glob("*.csv")):
        with open(table, encoding="utf-8", newline="") as f:
            texts += [_plain_quotes(" ".join(row["texte"].split())) for row in csv.DictReader(f)]
    return texts


def _plain_quotes(text: str) -> str:
    # docutils' smart quotes already turn the debris' " into « »
    return re.sub(r"[«»“”\"]", '"', text)


def pdf_faults(text: str) -> dict[str, list[str]]:
    """Faults of line breaking in the PDF, where a no-break space was missing."""
    found: dict[str, list[str]] = defaultdict(list)
    debris = debris_texts()
    verbatim = lambda line: len(line) > 2 and any(_plain_quotes(line) in d for d in debris)  # noqa: E731
    raw = text.split("\n")  # not splitlines(): it splits at the form feed of each page
    # a page number alone on its line, then the next page (form feed): not text
    footer = {i for i, line in enumerate(raw) if re.fullmatch(r"\d+", line.strip()) and
              any(later.startswith("\f") for later in raw[i + 1:i + 3])}
    lines = ["" if i in footer or verbatim(" ".join(line.split())) else line.strip()
             for i, line in enumerate(raw)]
    for index, line in enumerate(lines):
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if re.match(r"^[»;:!?](?:\s|$)", line):
            found["PDF : ligne commençant par » ; : ! ?"].append(f"{lines[index - 1][-30:]} / {line[:30]}")
        if re.search(r"(?:^|\s)«$", line):
            found["PDF : ligne finissant par «"].append(f"{line[-30:]} / {nxt[:30]}")
        # table cells (one number per line), the printed index (« Nom, 54 » then a page
        # number of its two columns)
        both_numbers = (re.fullmatch(r"\d+", line) or re.search(r"(?:,|\bp\.)\s\d+$", line)) and re.match(r"\d+\b", nxt)
        if re.search(r"(?<![\w.,])\d{1,3}$", line) and re.match(r"^\d{3}(?!\d)", nxt) and not both_numbers:
            found["PDF : nombre coupé en fin de ligne"].append(f"{line[-30:]} / {nxt[:30]}")
        if re.search(r"(?<![\w.,])\d+(?:,\d+)?$", line) and re.match(rf"^(?:{UNITS})", nxt):
            found["PDF : nombre séparé de son unité"].append(f"{line[-30:]} / {nxt[:30]}")
    for m in re.finditer(r"(?<![\w.,-])\d+(?:,\d+)?(?:%|€)", _masked(text)):
        found["PDF : nombre collé à % ou €"].append(text[max(0, m.start() - 25):m.end() + 5])
    return found


# Widest gap (share of the line's height) before ; ! ? » and after « that is one narrow
# space: it measures half a word space (0.12-0.14 here); a narrow space plus a word
# space, babel-french's and the text's both, would measure 0.37 or more. Before :, one
# word space, as wide as the others of its (justified) line: two would be twice as wide.
THIN_GAP_MAX, COLON_GAP_RATIO = 0.3, 1.6
_WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pdf_gap_faults(pdf: Path) -> dict[str, list[str]]:
    """Doubled spaces in the PDF (babel-french's space and the text's own, side by side),
    measured between the word boxes of ``pdftotext -bbox``."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    found: dict[str, list[str]] = defaultdict(list)
    debris = debris_texts()
    lines: list[list[tuple]] = []
    for match in _WORD_BOX.finditer(boxes):
        x0, y0, x1, y1 = map(float, match.groups()[:4])
        word = (x0, y0, x1, y1, html.unescape(match.group(5)))
        if lines and abs(lines[-1][-1][1] - y0) < 1 and x0 > lines[-1][-1][2] and y1 > y0:
            lines[-1].append(word)
        else:
            lines.append([word])
    for line in lines:
        gaps = [(b[0] - a[2]) / (b[3] - b[1]) for a, b in zip(line, line[1:])]
        plain = sorted(g for g, (a, b) in zip(gaps, zip(line, line[1:]))
                       if a[4][-1].isalpha() and b[4][0].isalpha())
        word_space = plain[len(plain) // 2] if plain else None
        for gap, (a, b) in zip(gaps, zip(line, line[1:])):
            if b[4][0] == ":":
                too_wide = word_space is not None and gap > COLON_GAP_RATIO * word_space
            elif b[4][0] in ";!?»" or a[4].endswith("«"):
                too_wide = gap > THIN_GAP_MAX
            else:
                continue
            if too_wide and not any(_plain_quotes(f"{a[4]} {b[4]}") in d for d in debris):
                found["PDF : espace trop large (doublée, sécable) avant ; : ! ? » ou après «"].append(
                    f"{a[4]} {b[4]} ({gap:.2f})")
    return found


def count(html_dir: Path = HTML, pdf: Path | None = PDF) -> dict[str, list[str]]:
    """Every fault of the built book: rule -> excerpts prefixed by the page."""
    faults: dict[str, list[str]] = defaultdict(list)
    pages = sorted(p for p in html_dir.rglob("*.html")
                   if "_static" not in p.parts and "_sources" not in p.parts
                   and p.name not in ("search.html", "genindex.html"))
    for page in pages:
        for rule, found in html_faults(article_text(page)).items():
            faults[rule] += [f"{page.relative_to(html_dir)}: {x!r}" for x in found]
    if pdf is not None and pdf.exists():
        for rule, found in [*pdf_faults(pdf_text(pdf)).items(), *pdf_gap_faults(pdf).items()]:
            faults[rule] += [f"PDF: {x!r}" for x in found]
    return faults


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, nargs="?", const=5, default=0)
    parser.add_argument("--html", type=Path, default=HTML)
    args = parser.parse_args()
    faults = count(args.html, args.html / PDF.name)
    total = 0
    for rule, found in sorted(faults.items()):
        print(f"{len(found):6d}  {rule}")
        total += len(found)
        for example in found[:args.examples]:
            print(f"          {example}")
    print(f"{total:6d}  total")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
