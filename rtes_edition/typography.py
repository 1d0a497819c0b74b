"""French typography of the rendered text (rules of the Imprimerie nationale's *Lexique
des règles typographiques*), applied when the book is built, never to the sources.

- a narrow no-break space (U+202F) before ; ! ? and inside « » ; a no-break space
  (U+00A0) before : (not between digits: 14:30, 1:2);
- a no-break space between a number and its unit, %, € (« 10 % », « 6 millions ») ;
- thousands grouped by narrow no-break spaces (« 12 000 », « 4 500 000 »), a decimal
  comma before a unit (« 1.5 % » → « 1,5 % ») ;
- the typographic apostrophe (’) and ellipsis (…) ;
- quotes nested inside « … » are “ … ” ;
- a run of spaces that holds a no-break space is that one space (no doubled spaces).

Never touched: code, URLs, e-mail addresses, identifiers with digits (``fig-ouest-001``),
Plotly placeholders (``%{y}``), HTML tags and entities.

:func:`typeset` works on one string (chart titles, tooltips, table cells);
:func:`typeset_segments` on a paragraph split in pieces (the text nodes of a docutils
paragraph, some of them protected code), which is what ``book/_ext/typography.py`` uses so
that the HTML and the PDF get the same text.

Why not PyPI's ``french-typo`` (1.6.1, evaluated for issue 14): it writes HTML entities
(``&nbsp;``, ``<sup>``) into the text, uses U+00A0 everywhere (no narrow space), groups no
thousands, makes no apostrophes and cannot leave a code span of a paragraph alone.
"""

from __future__ import annotations

import re
from typing import Any

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"   # no-break space
SPACES = " \t\n\r\u00a0\u202f\u2009\u2007"
PLACEHOLDER = "\ufffc"  # stands for a protected piece (code, a URL link) in a paragraph

# Pieces of a string that are never changed.
_PROTECTED = re.compile(
    r"(?:https?|ftp|file|mailto)://[^\s<>«»\"]*[^\s<>«»\".,;:!?)\]]"  # URLs
    r"|(?:www\.)[\w-]+(?:\.[\w-]+)+(?:/[^\s<>«»\"]*[^\s<>«»\".,;:!?)\]])?"  # www.x.fr/…
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\b[\w]+(?:[-_./][\w]+)*\.(?:html|ipynb|csv|json|md|py|pdf|zip|geojson|js|css)\b"  # file names
    r"|(?<![\w])[A-Za-z_]+[\w]*[-_][\w-]*\d[\w-]*"  # identifiers with digits: fig-ouest-001
    r"|%\{[^}]*\}"  # Plotly placeholders
    r"|<[^<>]*>"  # HTML tags (chart strings: <br>, <b>)
    r"|&#?\w+;"  # HTML entities
    r"|`[^`]*`"  # inline code written in plain strings
)

UNITS = (r"%|‰|€|k€|M€|Md€|\$|euros?|millions?|milliards?|km²|km|m²|m³|m|ha|kg|t|h|min|"
         r"ETP|MW|kW|GWh|MWh|kWh")
_UNIT_AFTER_NUMBER = re.compile(
    rf"(?<![\w.,\-/\ufffc])(\d+(?:[,.]\d+)?)([{SPACES}]*)({UNITS})(?![\w²³])")
# a group of thousands already spaced (by any space): 12 000, 4 500 000
_GROUPED = re.compile(r"(?<![\w.,\-/\ufffc])(\d{1,3})((?:[ \u00a0\u202f\u2009]\d{3})+)(?![\d\w])")
# five digits or more, not grouped (four-digit numbers and years stay as they are)
_UNGROUPED = re.compile(r"(?<![\w.,\-/\ufffc])(\d{5,})(?![\w,.]\d|[\w])")
_NUMBER_SIGN = re.compile(rf"(?<!\w)(?:n°|N°|p\.|pp\.)([{SPACES}]+)(?=\d)")
_HOURS = re.compile(rf"(?<![\w.,])\d{{1,2}}[{SPACES}]*h([{SPACES}]+)\d{{2}}(?!\d)")
# four digits: a quantity of things (« 2300 souscripteurs », « 3700 m² ») is grouped; a
# year, a line or page number is not (« en 2013 », « ligne 2687 »)
_FOUR_DIGITS = re.compile(rf"(?<![\w.,\-/\ufffc])(\d)(\d{{3}})(?=[{SPACES}]+(?:({UNITS})(?![\w²³])|"
                          r"([a-zà-ÿœ]{3,}[sx])\b))")
_NOT_NOUNS = {"dans", "sous", "sans", "plus", "mais", "puis", "alors", "après", "depuis", "leurs",
              "nous", "vous", "tous", "toutes", "ceux", "deux", "trois", "sont", "avons", "avez",
              "étaient", "avaient", "jours", "mois", "fois", "ans", "années", "lors", "vers",
              "chez", "dès", "jamais", "toujours", "ainsi", "aussi", "tandis", "parmi", "selon"}
_DECIMAL_POINT = re.compile(
    rf"(?<![\w.,\-/])(\d+)\.(\d+)(?=[{SPACES}]*(?:%|€|millions?|milliards?)(?!\w))")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W_]|\ufffc)")
_APOSTROPHE_ENTITY = re.compile(r"(?<=[^\W\d_])&#(?:x27|39);(?=[^\W_])")
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")

_AFTER_WORD = re.compile(r"[\w)\]»”’…%€.\ufffc]")


def _protected_mask(text: str) -> list[bool]:
    mask = [False] * len(text)
    for match in _PROTECTED.finditer(text):
        for i in range(match.start(), match.end()):
            mask[i] = True
    for i, ch in enumerate(text):
        if ch == PLACEHOLDER:
            mask[i] = True
    return mask


def _gap_before(text: str, k: int) -> int:
    """Start of the run of spaces that ends at ``k``."""
    i = k
    while i > 0 and text[i - 1] in SPACES:
        i -= 1
    return i


def _gap_after(text: str, k: int) -> int:
    j = k
    while j < len(text) and text[j] in SPACES:
        j += 1
    return j


def edits(text: str) -> list[tuple[int, int, str]]:
    """The changes French typography makes to ``text``: (start, end, replacement) of
    non-overlapping regions, in order. Positions marked protected are never inside one."""
    mask = _protected_mask(text)
    found: dict[tuple[int, int], str] = {}

    def add(start: int, end: int, new: str) -> None:
        if any(mask[start:end]) or text[start:end] == new:
            return
        # an insertion between two protected pieces has no side to go to
        if start == end and 0 < start < len(text) and mask[start - 1] and mask[start]:
            return
        found.setdefault((start, end), new)

    # high punctuation
    for k, ch in enumerate(text):
        if ch not in ";:!?" or mask[k]:
            continue
        i = _gap_before(text, k)
        if i == 0:
            continue
        prev = text[i - 1]
        nxt = text[k + 1] if k + 1 < len(text) else ""
        if prev in ";:!?" and ch in "!?":
            continue  # ?! and !! stay together
        if not (mask[i - 1] or _AFTER_WORD.match(prev)) or (prev == "." and i == k and text[max(0, i - 3):i] != "..."):
            continue  # « etc.? » is rare; « ...? » is an ellipsis
        if ch == ":" and (nxt == "/" or (i == k and nxt.isdigit()) or (prev.isdigit() and nxt.isdigit())):
            continue  # 14:30, 1:2, a scheme
        if ch in "!?" and i == k and nxt and (nxt.isalnum() or nxt in "=&"):
            continue  # inside a word or a query string
        if ch == ";" and i == k and nxt and nxt.isalnum():
            continue  # not punctuation: a list separator without spaces
        add(i, k, NBSP if ch == ":" else NNBSP)

    # quotation marks: « » outside, “ ” inside
    stack: list[str] = []
    for k, ch in enumerate(text):
        if mask[k]:
            continue
        is_open = ch in "«“" or (ch == '"' and (k == 0 or text[k - 1] in SPACES + "([") and
                                  k + 1 < len(text) and text[k + 1] not in SPACES)
        is_close = ch in "»”" or (ch == '"' and not is_open)
        if is_open:
            j = _gap_after(text, k + 1)
            if stack:
                stack.append("inner")
                add(k, k + 1, "“")
                if j < len(text):
                    add(k + 1, j, "")
            else:
                stack.append("outer")
                if ch != "«":
                    add(k, k + 1, "«")
                if j < len(text):
                    add(k + 1, j, NNBSP)
        elif is_close:
            kind = stack.pop() if stack else "outer"
            i = _gap_before(text, k)
            if kind == "inner":
                add(k, k + 1, "”")
                if i > 0:
                    add(i, k, "")
            else:
                if ch != "»":
                    add(k, k + 1, "»")
                if i > 0:
                    add(i, k, NNBSP)

    # numbers
    for match in _UNIT_AFTER_NUMBER.finditer(text):
        add(match.start(2), match.end(2), NBSP)
    for match in _NUMBER_SIGN.finditer(text):
        add(match.start(1), match.end(1), NBSP)  # n° 5, p. 54
    for match in _HOURS.finditer(text):
        add(match.start(1), match.end(1), NBSP)  # 14 h 30
    for match in _GROUPED.finditer(text):
        start = match.start(2)
        for offset in range(0, len(match.group(2)), 4):
            add(start + offset, start + offset + 1, NNBSP)
    for match in _UNGROUPED.finditer(text):
        digits, start = match.group(1), match.start(1)
        for cut in range(len(digits) % 3 or 3, len(digits), 3):
            add(start + cut, start + cut, NNBSP)
    for match in _FOUR_DIGITS.finditer(text):
        noun = match.group(4)
        year_like = 1800 <= int(match.group(1) + match.group(2)) <= 2100 and int(match.group(2)) % 100
        if match.group(3) or (noun and noun not in _NOT_NOUNS and not year_like):
            add(match.end(1), match.end(1), NNBSP)
    for match in _DECIMAL_POINT.finditer(text):
        add(match.end(1), match.end(1) + 1, ",")

    # apostrophes, ellipses
    for match in _APOSTROPHE.finditer(text):
        add(match.start(), match.end(), "’")
    for match in _APOSTROPHE_ENTITY.finditer(text):  # html.escape wrote ' as &#x27;
        found.setdefault((match.start(), match.end()), "’")
    for match in _ELLIPSIS.finditer(text):
        add(match.start(), match.end(), "…")

    # doubled spaces: a run that holds a no-break space becomes that space alone
    for match in re.finditer(rf"[{SPACES}]{{2,}}", text):
        run = match.group()
        if NNBSP in run or NBSP in run:
            keep = NBSP if NBSP in run else NNBSP
            if not any((s, e) for (s, e) in found if s < match.end() and e > match.start()):
                add(match.start(), match.end(), keep)

    # keep non-overlapping edits (the leftmost when two overlap)
    kept: list[tuple[int, int, str]] = []
    for (start, end), new in sorted(found.items()):
        if kept and (start < kept[-1][1] or (start == end == kept[-1][0] == kept[-1][1])):
            continue
        kept.append((start, end, new))
    return kept


def typeset(text: str) -> str:
    """``text`` with French typography (see the module docstring)."""
    if not isinstance(text, str) or not text:
        return text
    out, last = [], 0
    for start, end, new in edits(text):
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def typeset_segments(segments: list[tuple[str, bool]]) -> list[str]:
    """French typography over a paragraph given as pieces ``(text, protected)``.

    The rules see the whole paragraph (« in one piece, its word in the next); a protected
    piece (code, a link whose text is a URL, a footnote call) is kept as it is and seen by
    the rules as one word. Returns the new text of each piece, in order."""
    joined, owner = [], []  # owner: index of the piece each character of joined comes from
    for index, (text, protected) in enumerate(segments):
        if protected:
            joined.append(PLACEHOLDER)
            owner.append(index)
        else:
            joined.extend(text)
            owner.extend([index] * len(text))
    flat = "".join(joined)
    result = [[] if not protected else None for _, protected in segments]
    changes = edits(flat)
    position, change = 0, 0

    def side(start: int) -> int | None:
        """The piece an insertion at ``start`` goes to: the one of the mark it spaces
        (« ESS » in bold: the spaces stay outside the bold), else the left one."""
        order = (start, start - 1) if start < len(flat) and flat[start] in ";:!?»”%€" else (start - 1, start)
        for candidate in order:
            if 0 <= candidate < len(flat) and not segments[owner[candidate]][1]:
                return owner[candidate]
        return None

    while position <= len(flat):
        if change < len(changes) and changes[change][0] == position:
            start, end, new = changes[change]
            target = side(start) if start == end else owner[start]
            if target is not None and result[target] is not None:
                result[target].append(new)
            else:  # nowhere to put it: keep the original characters
                for i in range(start, end):
                    result[owner[i]].append(flat[i])
            change += 1
            if end > start:
                position = end
                continue
        if position == len(flat):
            break
        if result[owner[position]] is not None:
            result[owner[position]].append(flat[position])
        position += 1
    return [text if protected else "".join(result[i])
            for i, (text, protected) in enumerate(segments)]


# HTML elements whose content is not text to typeset, and the block elements that end a
# run of text (quotes do not carry from one table cell to the next).
_HTML_LITERAL = re.compile(r"(<(script|style|pre|code|textarea|svg|math)\b.*?</\2\s*>)", re.S | re.I)
_HTML_BLOCK = re.compile(r"(</?(?:p|div|td|th|tr|li|ul|ol|dl|dt|dd|caption|summary|details|table|"
                         r"thead|tbody|h[1-6]|br|blockquote|section|figure|figcaption)\b[^>]*>)", re.I)


def typeset_html(fragment: str) -> str:
    """French typography on the text of an HTML fragment: tags, attributes, entities,
    scripts, styles and code are left as they are."""
    def text(piece: str) -> str:
        return "".join(p if _HTML_BLOCK.fullmatch(p) else typeset(p) for p in _HTML_BLOCK.split(piece))

    out, last = [], 0
    for match in _HTML_LITERAL.finditer(fragment):
        out += [text(fragment[last:match.start()]), match.group(1)]
        last = match.end()
    out.append(text(fragment[last:]))
    return "".join(out)


_FIGURE_TEXT_KEYS = {"text", "title", "hovertemplate", "texttemplate", "hovertext", "name", "label",
                     "ticktext", "legendgrouptitle"}


def typeset_figure_dict(value: Any, key: str = "") -> Any:
    """French typography on the texts of a Plotly figure given as a dict
    (``fig.to_plotly_json()``): titles, labels, tooltips, annotations; data values,
    colours and formats are left alone."""
    if isinstance(value, dict):
        return {k: typeset_figure_dict(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(typeset_figure_dict(v, key) for v in value)
    if isinstance(value, str) and key in _FIGURE_TEXT_KEYS:
        return typeset(value)
    return value


def typeset_figure(fig):
    """A copy of a Plotly figure with French typography in its texts."""
    import plotly.graph_objects as go

    return go.Figure(typeset_figure_dict(fig.to_plotly_json()))
