"""The numbers a French sentence states, in digits or in words.

Used by the traceability test: each row of ``data/figures.csv`` must give a value that its
sentence states. ``numbers_in`` lists every quantity found in a sentence:

- digits with French grouping and decimal comma: « 15 000 », « 4 500 000 », « 0,93 % »,
  « 1,5 million », « 6 millions », « 500 millions d'€ » (scales: mille, million, milliard);
- number words: « cinq », « trois », « une », « vingt », « cent »…;
- approximate collectives: « une dizaine » (10), « une trentaine » (30), « une centaine »,
  « des centaines » (at least 200), « une douzaine » (12)…;
- fractions and proportions: « la moitié » (50 %), « le tiers » (33.33 %), « 2/3 »
  (66.67 %), « 2 habitants sur 3 » (66.67 %);
- a doubling: « ont presque doublé », « le doublement » (factor 2).

``states(sentence, value)`` says whether ``value`` is among them, to two decimals (so that
66.67 stands for two thirds).
"""
from __future__ import annotations

import re

from rtes_edition.text import fold

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60, "cent": 100, "mille": 1000,
}
_COLLECTIVES = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30,
    "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100,
    "millier": 1000,
}
_FRACTIONS = {"moitie": 50.0, "tiers": 100 / 3, "quart": 25.0}
_SCALES = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}

# A number in digits: groups of three separated by a space (any kind), optional decimals.
_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_NUMBER = re.compile(rf"(?<![\w,])({_DIGITS})(?![\d])(?:\s*(milliards?|millions?|mille)\b)?")
_RATIO_SLASH = re.compile(r"(?<![\w/])(\d+)\s*/\s*(\d+)(?![\w/])")
_RATIO_SUR = re.compile(rf"(?<![\w,])({_DIGITS})\s+(?:[^\W\d]+\s+){{0,2}}sur\s+({_DIGITS})(?![\d])")


def _plain(text: str) -> str:
    """Lower case, no accents, typographic apostrophes made straight."""
    return fold(text).replace("’", "'")


def parse_digits(token: str) -> float:
    """« 15 000 » -> 15000.0, « 0,93 » -> 0.93."""
    return float(re.sub(r"[ \u00a0\u202f]", "", token).replace(",", "."))


def numbers_in(sentence: str) -> list[float]:
    """Every quantity stated in ``sentence`` (see the module docstring), in order of kind."""
    text = _plain(sentence)
    found: list[float] = []
    for match in _NUMBER.finditer(text):
        number = parse_digits(match.group(1))
        found.append(number * _SCALES[match.group(2)] if match.group(2) else number)
    for match in _RATIO_SLASH.finditer(text):
        if int(match.group(2)):
            found.append(100 * int(match.group(1)) / int(match.group(2)))
    for match in _RATIO_SUR.finditer(text):
        low, high = parse_digits(match.group(1)), parse_digits(match.group(2))
        if high:
            found.append(100 * low / high)
    words = re.findall(r"[a-z]+", text.replace("-", " "))
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in _UNITS:
            value = _UNITS[word]
            if following in _SCALES and following != "mille":
                value *= _SCALES[following]
            elif word != "mille" and following == "mille":
                value *= 1000
            found.append(float(value))
        elif word.rstrip("s") in _COLLECTIVES:
            value = _COLLECTIVES[word.rstrip("s")]
            # « des centaines » : plural collective, at least two of them
            found.append(float(value * 2 if word.endswith("s") else value))
        elif word in _FRACTIONS:
            found.append(_FRACTIONS[word])
        elif word.startswith("doubl"):  # « a doublé », « le doublement », « doublerait »
            found.append(2.0)
    return found


def states(sentence: str, value: float) -> bool:
    """Whether ``sentence`` states ``value`` (to two decimals)."""
    return any(round(number, 2) == round(float(value), 2) for number in numbers_in(sentence))
