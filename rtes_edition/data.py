"""Load and validate the data package of the edition (``data/datapackage.json``).

This is the one loader used by every notebook (through ``rtes_edition.sections.load_tables``,
which names the package's path once) and test::

    from rtes_edition.data import load_package
    tables = load_package("data/datapackage.json")
    figures = tables["figures"]

``load_package`` returns one pandas DataFrame per resource, keyed by resource name, with
the column types of the Table Schema (number -> float64, integer -> Int64, date ->
datetime64, everything else -> str with NaN for an empty cell). It refuses to return
anything from a package that does not validate: it raises :class:`DataPackageError`,
whose message lists every problem found (up to :data:`MAX_ERRORS`), one per line, in
French, each naming the file, the row, the column and what to do, for example::

    data/figures.csv, ligne 42, colonne value : « 6 millions » n'est pas un nombre

Row numbers are *line numbers in the CSV file as seen in a text editor*: the header is
line 1, the first data row is line 2. A cell containing a line break makes its record
span several lines; the record is then reported by the line on which it starts.

What is checked, in this order:

1. how each file was saved (:func:`check_saved_form`): UTF-8, with or without the byte
   order mark and CRLF line ends that Excel's « CSV UTF-8 » writes; a file saved as
   Windows-1252 or separated by semicolons or tabs gets one sentence saying how to save
   it, instead of a cascade of column errors;
2. everything the Table Schemas say, by Frictionless itself (``Package.validate``):
   header labels, types, required values, enums, minimum/maximum, patterns, lengths,
   primary keys (also composite ones: the join tables), blank rows, cell counts and the
   foreign keys between tables. It runs offline: schemas are inline and resources are
   local relative paths, so nothing is ever fetched. A package whose exact descriptor
   and bytes passed before is not checked again when the caller names a record
   (``validated_record``; the build's is ``_build/.validated-package.json``; failures are
   never recorded);
3. the rules a Table Schema cannot express, each a small function of this module
   (:data:`CUSTOM_CHECKS`): the range rule, the related-figure and fact rules, the participants
   of a meeting, coordinates given together, a cooperation between two organisations.

Command line: ``python -m rtes_edition.data [path] [--record file]`` validates the package
(default ``data/datapackage.json``; ``--record``: the ``validated_record`` of
:func:`load_package`) and prints a one-line summary of the row counts; on failure it
prints the messages on stderr and exits with status 1.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

MAX_ERRORS = 20
"""How many messages a :class:`DataPackageError` shows; the rest are counted."""

DEFAULT_PATH = "data/datapackage.json"

REPEAT_RELATIONS = ("même fait", "contredit")
"""Values of ``figures.relation`` that make a row a further mention of the fact recorded
by its ``related_figure_id`` (the reference row): such a row is not counted again."""

_PATTERN_HINTS = {
    r"^[a-z0-9-]+$": "lettres minuscules sans accent, chiffres et tirets seulement",
    r"^\d{4}(-\d{4})?$": "une année comme 2013 ou une période comme 2014-2017",
    r"^\d{2}$": "code INSEE de région : 2 chiffres",
    r"^(\d{2}|2[AB]|97\d)$": "code INSEE de département : 2 caractères (2A, 2B en Corse) ou 97x outre-mer",
    r"^(\d{5}|2[AB]\d{3})$": "code INSEE de commune : 5 caractères (2A004 en Corse)",
    r"^(par (jour|semaine|mois|an)|sur \d+ (jours|semaines|mois|ans))$":
        "« par jour », « par semaine », « par mois », « par an » ou « sur 3 jours », « sur 2 ans »…",
}
_TYPE_NAMES = {
    "number": "un nombre",
    "integer": "un nombre entier",
    "date": "une date de la forme AAAA-MM-JJ",
    "boolean": "true ou false",
}


class DataPackageError(Exception):
    """The data package does not validate. ``messages`` holds every problem found
    (not only the first :data:`MAX_ERRORS` shown in ``str(error)``)."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        shown = self.messages[:MAX_ERRORS]
        hidden = len(self.messages) - len(shown)
        if hidden:
            shown.append(f"… et {hidden} autre(s) erreur(s) non affichée(s) (les {MAX_ERRORS} premières seulement)")
        super().__init__("\n".join(shown))


@dataclass
class _Table:
    """One resource as read from disk."""

    name: str
    label: str  # "data/figures.csv": how messages name the file
    descriptor: dict
    raw: bytes = b""
    text: str | None = None
    bom: bool = False
    records: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)

    @property
    def fields(self) -> list[dict]:
        return self.descriptor.get("schema", {}).get("fields", [])

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def header(self) -> list[str]:
        return self.records[0][1] if self.records else []

    def line(self, row_number: int) -> int:
        """Frictionless row number (header = 1) -> line in the file."""
        if 1 <= row_number <= len(self.records):
            return self.records[row_number - 1][0]
        return row_number

    def cells(self, row_number: int) -> list[str]:
        if 1 <= row_number <= len(self.records):
            return self.records[row_number - 1][1]
        return []

    def rows(self):
        """(line, {column: cell}) for every data record, blank lines and records with a
        wrong cell count excepted (frictionless reports those)."""
        for line, cells in self.records[1:]:
            if not any(c.strip() for c in cells) or len(cells) != len(self.columns):
                continue
            yield line, dict(zip(self.columns, cells))


class _Errors:
    """Collects messages with a sort key so that each file's errors come out in row order."""

    def __init__(self, order: list[str]):
        self._order = order
        self._items: list[tuple[int, int, int, str]] = []
        self._seen: set[str] = set()

    def add(self, table: str, line: int, message: str) -> None:
        if message not in self._seen:
            self._seen.add(message)
            index = self._order.index(table) if table in self._order else len(self._order)
            self._items.append((index, line, len(self._items), message))

    def __len__(self) -> int:
        return len(self._items)

    def messages(self) -> list[str]:
        return [m for *_, m in sorted(self._items)]


def _show(cell) -> str:
    """A cell as quoted in a message (long texts shortened)."""
    text = "" if cell is None else str(cell)
    if len(text) > 60:
        text = text[:57] + "…"
    return "« " + text.replace("\n", "\\n") + " »"


def _where(table: _Table, line: int, column: str | None = None) -> str:
    where = f"{table.label}, ligne {line}"
    return f"{where}, colonne {column}" if column else where


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _fmt(x: float) -> str:
    return f"{x:g}"


# --------------------------------------------------------------------------------------
# 0. descriptor
# --------------------------------------------------------------------------------------

def _read_descriptor(path: Path) -> dict:
    label = path.as_posix()
    if not path.is_file():
        raise DataPackageError([f"{label} : fichier introuvable"])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataPackageError([f"{label} : pas en UTF-8 ; l'enregistrer en UTF-8"]) from None
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataPackageError(
            [f"{label} : JSON invalide (ligne {exc.lineno}, colonne {exc.colno} : {exc.msg})"]) from None
    problems = []
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise DataPackageError([f"{label} : aucune ressource déclarée"])
    for index, res in enumerate(resources):
        name = res.get("name", f"#{index + 1}")
        rpath = res.get("path")
        # Offline and local only: a remote path or schema would make frictionless fetch it.
        if not isinstance(rpath, str) or "://" in rpath or rpath.startswith("/") or ".." in rpath:
            problems.append(f"{label} : ressource {name} : le chemin doit être un nom de fichier local "
                            f"relatif, pas {rpath!r}")
        if not isinstance(res.get("schema"), dict):
            problems.append(f"{label} : ressource {name} : le schéma doit être écrit dans le descripteur "
                            "(pas d'URL ni de fichier à part)")
    if problems:
        raise DataPackageError(problems)
    return descriptor


# --------------------------------------------------------------------------------------
# 1. how the file was saved (spreadsheet programs)
# --------------------------------------------------------------------------------------

def check_saved_form(table: _Table) -> str | None:
    """One sentence if the file was not saved as comma-separated UTF-8, else None.

    Accepted as they are: a byte order mark and CRLF line ends (Excel's « CSV UTF-8 »).
    Refused with a sentence saying how to save: bytes that are not UTF-8 (Windows-1252,
    Excel's plain « CSV »), a header row separated by semicolons or tabs (French Excel,
    LibreOffice's default on a French system). Fills ``table.text`` and ``table.bom``.
    """
    raw = table.raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return (f"{table.label} : enregistré en Windows-1252 ou Latin-1 et non en UTF-8 (octet "
                f"0x{raw[exc.start]:02x} à la ligne {line}) : l'enregistrer au format « CSV UTF-8 » "
                "(Excel) ou avec le jeu de caractères « Unicode (UTF-8) » (LibreOffice Calc)")
    table.bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    table.text = text
    first = text.split("\n", 1)[0].rstrip("\r")
    if "," not in first:
        for separator, name in ((";", "point-virgule « ; »"), ("\t", "tabulation")):
            if separator in first:
                return (f"{table.label} : séparateur {name} détecté : enregistrer avec des virgules "
                        "(Excel : « CSV UTF-8 (délimité par des virgules) » ; LibreOffice Calc : "
                        "séparateur de champ « , »)")
    return None


def _read_records(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 1
    for cells in reader:
        records.append((start, cells))
        start = reader.line_num + 1
    return records


def _read_table(table: _Table, base: Path, errors: _Errors) -> bool:
    path = base / table.descriptor["path"]
    if not path.is_file():
        errors.add(table.name, 0, f"{table.label} : fichier introuvable")
        return False
    table.raw = path.read_bytes()
    problem = check_saved_form(table)
    if problem:
        errors.add(table.name, 0, problem)
        return False
    try:
        table.records = _read_records(table.text)
    except csv.Error as exc:
        errors.add(table.name, 0, f"{table.label} : fichier CSV illisible ({exc})")
        return False
    if not table.records:
        errors.add(table.name, 0, f"{table.label} : fichier vide (la ligne d'en-tête manque)")
        return False
    return True


# --------------------------------------------------------------------------------------
# 2. the schemas, by frictionless
# --------------------------------------------------------------------------------------

# Packages that passed, by digest of their descriptor and bytes: in this process (Sphinx
# loads the package for every chapter it reads), and in a file the caller names
# (``validated_record``): the build validates once, then each notebook loads the same
# unchanged tables without validating them again. Only successes are recorded.
VALIDATED_KEPT = 50
_passed: set[str] = set()


def _package_digest(descriptor: dict, tables: dict[str, _Table]) -> str:
    # the version from the metadata: importing frictionless is what this record avoids
    h = hashlib.sha256(importlib.metadata.version("frictionless").encode())
    h.update(json.dumps(descriptor, sort_keys=True, ensure_ascii=False).encode())
    for name in sorted(tables):
        h.update(name.encode() + b"\0" + tables[name].raw + b"\0")
    return h.hexdigest()


def _read_validated(record: Path) -> list[str]:
    try:
        return list(json.loads(record.read_text()))
    except (OSError, ValueError):
        return []


def _record_validated(record: Path, digest: str) -> None:
    """Add ``digest`` to ``record``, atomically (notebooks may run side by side)."""
    known = [d for d in _read_validated(record) if d != digest] + [digest]
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_name(f"{record.name}.{os.getpid()}")
        tmp.write_text(json.dumps(known[-VALIDATED_KEPT:]))
        os.replace(tmp, record)
    except OSError:
        pass  # a read-only checkout: the check simply runs again next time


def validate_with_frictionless(descriptor: dict, base: Path, tables: dict[str, _Table],
                               errors: _Errors) -> set[str]:
    """``Package.validate`` on the package; its errors translated into ``errors``.
    Returns the names of the tables whose header row is wrong (their rows are not
    reliable: the custom checks skip them)."""
    import frictionless

    descriptor = json.loads(json.dumps(descriptor))
    for res in descriptor["resources"]:
        res.setdefault("format", "csv")
        # Excel's « CSV UTF-8 » starts with a byte order mark: read it as such
        res["encoding"] = "utf-8-sig" if tables[res["name"]].bom else "utf-8"
    package = frictionless.Package(descriptor, basepath=str(base))
    report = package.validate()
    bad_header = {task.name for task in report.tasks
                  if any(e.type in _LABEL_ERRORS for e in task.errors)}
    for task in report.tasks:
        table = tables.get(task.name)
        if table is None:
            for error in task.errors:
                errors.add("", 0, f"{task.name} : {error.message}")
            continue
        if table.name in bad_header:
            _header_messages(table, errors)
            errors.add(table.name, 1, f"{table.label} : lignes non vérifiées tant que la ligne d'en-tête "
                                      "n'est pas corrigée")
            continue
        # a row with too few or too many cells is reported once, by its cell count: its
        # other cells are not where the header says, so their errors would only mislead
        miscounted = {e.row_number for e in task.errors if e.type in ("missing-cell", "extra-cell")}
        for error in task.errors:
            if error.type == "foreign-key" and _fk_resource(table, error) in bad_header:
                continue  # that table's header is reported; its ids cannot be read
            if getattr(error, "row_number", None) in miscounted and error.type not in ("missing-cell", "extra-cell"):
                continue
            message, line = _translate(error, table, tables)
            if message:
                errors.add(table.name, line, message)
    return bad_header


_LABEL_ERRORS = {"missing-label", "extra-label", "incorrect-label", "duplicate-label", "blank-label",
                 "blank-header"}


def _header_messages(table: _Table, errors: _Errors) -> None:
    """What is wrong with the header row, named the way an editor fixes it."""
    header, expected = table.header, table.columns
    n_before = len(errors)
    for name in expected:
        if name not in header:
            errors.add(table.name, 1, f"{table.label} : colonne « {name} » absente")
    for name in header:
        if name not in expected:
            errors.add(table.name, 1, f"{table.label} : colonne « {name} » inattendue "
                                      f"(les colonnes sont : {', '.join(expected)})")
    for name in sorted({n for n in header if header.count(n) > 1}):
        errors.add(table.name, 1, f"{table.label} : la colonne « {name} » figure {header.count(name)} fois")
    if len(errors) == n_before:
        errors.add(table.name, 1, f"{table.label} : colonnes dans le désordre ; ordre attendu : "
                                  f"{', '.join(expected)}")


def _translate(error, table: _Table, tables: dict[str, _Table]):
    kind = error.type
    row_number = getattr(error, "row_number", None)
    line = table.line(row_number) if row_number else 0
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    note = getattr(error, "note", "") or ""
    fields = {f["name"]: f for f in table.fields}
    header = table.header
    if kind == "blank-row":
        return f"{_where(table, line)} : ligne vide (la supprimer)", line
    if kind in ("extra-cell", "missing-cell"):
        hint = (" (une virgule dans un texte qui n'est pas entre guillemets ?)" if kind == "extra-cell" else "")
        return (f"{_where(table, line)} : {len(table.cells(row_number))} cellules alors que la ligne "
                f"d'en-tête a {len(header)} colonnes{hint}"), line
    if kind == "type-error":
        ftype = fields.get(column, {}).get("type", "?")
        looks_numeric = re.fullmatch(r"-?[\d\s\u00a0\u202f]+([.,]\d+)?", str(cell or "").strip())
        hint = (" (point comme séparateur décimal, sans espace)"
                if ftype in ("number", "integer") and looks_numeric else "")
        expected = _TYPE_NAMES.get(ftype, f"de type {ftype}")
        return f"{_where(table, line, column)} : {_show(cell)} n'est pas {expected}{hint}", line
    if kind == "constraint-error":
        match = re.search(r'constraint "(\w+)"', note)
        constraint = match.group(1) if match else "?"
        rules = fields.get(column, {}).get("constraints", {})
        where = _where(table, line, column)
        if constraint == "required":
            return f"{where} : valeur obligatoire (la cellule est vide)", line
        if constraint == "minimum":
            return f"{where} : {_show(cell)} est inférieur au minimum {rules.get('minimum')}", line
        if constraint == "maximum":
            return f"{where} : {_show(cell)} est supérieur au maximum {rules.get('maximum')}", line
        if constraint == "enum":
            allowed = ", ".join(f"« {v} »" for v in rules.get("enum", []))
            return f"{where} : {_show(cell)} n'est pas une valeur permise ; valeurs permises : {allowed}", line
        if constraint == "pattern":
            pattern = rules.get("pattern", "")
            hint = _PATTERN_HINTS.get(pattern)
            hint = f" ({hint})" if hint else ""
            return f"{where} : {_show(cell)} ne suit pas le motif {pattern}{hint}", line
        if constraint == "minLength":
            return f"{where} : {_show(cell)} a moins de {rules.get('minLength')} caractères", line
        if constraint == "maxLength":
            return f"{where} : {_show(cell)} a plus de {rules.get('maxLength')} caractères", line
        return f"{where} : {_show(cell)} enfreint la règle {constraint} ({note})", line
    if kind in ("unique-error", "primary-key"):
        key = column or ", ".join(_primary_key(table))
        names = [column] if column else _primary_key(table)
        cells = table.cells(row_number)
        values = [cells[header.index(n)] if n in header and header.index(n) < len(cells) else "" for n in names]
        if not any(values):
            return None, line  # a blank row, already reported as such
        first = re.search(r"position (\d+)", note)
        already = f" (déjà à la ligne {table.line(int(first.group(1)))})" if first else ""
        shown = values[0] if len(values) == 1 else ", ".join(values)
        return f"{_where(table, line, key)} : identifiant {_show(shown)} en double{already}", line
    if kind == "foreign-key":
        names = list(getattr(error, "field_names", []) or [])
        cells = table.cells(row_number)
        values = [cells[header.index(n)] if n in header and header.index(n) < len(cells) else "" for n in names]
        target = _fk_target(table, names, tables)
        shown = values[0] if len(values) == 1 else ", ".join(values)
        return (f"{_where(table, line, ', '.join(names))} : {_show(shown)} n'est pas un identifiant de "
                f"{target} (l'ajouter à ce fichier ou corriger la valeur)"), line
    if row_number:
        return f"{_where(table, line, column)} : {error.message}", line
    return f"{table.label} : {error.message}", line


def _primary_key(table: _Table) -> list[str]:
    key = table.descriptor.get("schema", {}).get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def _fk_resource(table: _Table, error) -> str:
    """The name of the table a foreign-key error points to."""
    names = list(getattr(error, "field_names", []) or [])
    for fk in table.descriptor.get("schema", {}).get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        if fields == names:
            return fk["reference"].get("resource") or table.name
    return ""


def _fk_target(table: _Table, names: list[str], tables: dict[str, _Table]) -> str:
    for fk in table.descriptor.get("schema", {}).get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        if fields == names:
            target = tables.get(fk["reference"].get("resource") or table.name)
            return target.label if target else fk["reference"].get("resource")
    return "la table de référence"


# --------------------------------------------------------------------------------------
# 3. rules a Table Schema cannot express: one small function each
# --------------------------------------------------------------------------------------

def check_range(figures: _Table) -> list[tuple[int, str]]:
    """Range rule: ``qualifier`` « fourchette » needs ``low`` and ``high``, and ``value``
    is the low bound (``value = low <= high``); ``low``/``high`` only for a range."""
    found = []
    for line, row in figures.rows():
        low, high, value = _number(row["low"]), _number(row["high"]), _number(row["value"])
        if row["qualifier"] == "fourchette":
            for col in ("low", "high"):
                if row[col] == "":
                    found.append((line, f"{_where(figures, line, col)} : une fourchette demande low et high "
                                        "(cette cellule est vide)"))
            if None not in (low, high, value) and not value == low <= high:
                found.append((line, f"{_where(figures, line, 'value')} : pour une fourchette, value est la "
                                    f"borne basse et low <= high (low={_fmt(low)}, value={_fmt(value)}, "
                                    f"high={_fmt(high)})"))
        else:
            for col in ("low", "high"):
                if row[col] != "":
                    found.append((line, f"{_where(figures, line, col)} : low et high sont réservés à la "
                                        f"précision « fourchette » (précision : {_show(row['qualifier'])})"))
    return found


def check_related_figures(figures: _Table) -> list[tuple[int, str]]:
    """Related-figure rule: ``related_figure_id`` and ``relation`` go together and never
    point to the row itself; a « même fait » or « contredit » row points to the reference
    row of its fact (a row that is not itself a further mention), with the same unit, and
    with the same value (« même fait ») or another value (« contredit »)."""
    rows = {row["id"]: row for _, row in figures.rows()}
    found = []
    for line, row in figures.rows():
        other_id, relation = row["related_figure_id"], row["relation"]
        if bool(other_id) != bool(relation):
            found.append((line, f"{_where(figures, line, 'relation')} : related_figure_id et relation se "
                                "remplissent ensemble (ou restent vides ensemble)"))
            continue
        if not other_id:
            continue
        if other_id == row["id"]:
            found.append((line, f"{_where(figures, line, 'related_figure_id')} : {_show(other_id)} désigne "
                                "la ligne elle-même"))
            continue
        other = rows.get(other_id)
        if other is None or relation not in REPEAT_RELATIONS:
            continue  # an unknown id is reported by the foreign key
        where = _where(figures, line, "related_figure_id")
        if other["relation"] in REPEAT_RELATIONS:
            found.append((line, f"{where} : {other_id} est lui-même une autre mention de "
                                f"{other['related_figure_id']} ; renvoyer à la ligne de référence"))
        if other["unit"] != row["unit"]:
            found.append((line, f"{where} : {other_id} est en {_show(other['unit'])}, cette ligne en "
                                f"{_show(row['unit'])} ; un même fait a une seule unité"))
        same = _number(other["value"]) == _number(row["value"])
        if relation == "même fait" and not same:
            found.append((line, f"{_where(figures, line, 'relation')} : « même fait » mais {other_id} vaut "
                                f"{other['value']} et cette ligne {row['value']} (écrire « contredit »)"))
        if relation == "contredit" and same:
            found.append((line, f"{_where(figures, line, 'relation')} : « contredit » mais {other_id} donne "
                                f"la même valeur {row['value']} (écrire « même fait »)"))
    return found


def check_fact_id(figures: _Table) -> list[tuple[int, str]]:
    """``fact_id`` names the reference row of the row's fact: the row itself, unless the
    row is a further mention (« même fait », « contredit »), whose fact is that of
    ``related_figure_id``."""
    found = []
    for line, row in figures.rows():
        repeat = row["relation"] in REPEAT_RELATIONS
        expected = row["related_figure_id"] if repeat else row["id"]
        if row["fact_id"] != expected:
            why = (f"une autre mention ({row['relation']}) a pour fait sa ligne de référence related_figure_id"
                   if repeat else "une mention de référence a pour fait elle-même")
            found.append((line, f"{_where(figures, line, 'fact_id')} : {_show(row['fact_id'])} au lieu de "
                                f"{_show(expected)} ({why})"))
    return found


def check_meeting_participants(meetings: _Table, figures: _Table) -> list[tuple[int, str]]:
    """``participants`` and ``participants_qualifier`` go together; the figure named by
    ``participants_figure_id`` gives the same number and precision and is about the meeting."""
    found = []
    by_id = {row["id"]: row for _, row in figures.rows()}
    for line, row in meetings.rows():
        if (row["participants"] == "") != (row["participants_qualifier"] == ""):
            found.append((line, f"{_where(meetings, line, 'participants_qualifier')} : participants et "
                                "participants_qualifier se remplissent ensemble (ou restent vides ensemble)"))
        figure = by_id.get(row["participants_figure_id"])
        if figure is None:
            continue
        label, fid = figures.label, row["participants_figure_id"]
        value = _number(figure["value"])
        if value is not None and value != _number(row["participants"]):
            found.append((line, f"{_where(meetings, line, 'participants')} : {_show(row['participants'])} "
                                f"diffère de la valeur {_show(figure['value'])} de {fid} dans {label}"))
        if figure["qualifier"] != row["participants_qualifier"]:
            found.append((line, f"{_where(meetings, line, 'participants_qualifier')} : "
                                f"{_show(row['participants_qualifier'])} diffère de la précision "
                                f"{_show(figure['qualifier'])} de {fid} dans {label}"))
        if figure["meeting_id"] != row["id"]:
            found.append((line, f"{_where(meetings, line, 'participants_figure_id')} : {fid} dans {label} "
                                f"porte sur la rencontre {_show(figure['meeting_id'])}, pas {_show(row['id'])}"))
    return found


def check_coordinates(organisations: _Table) -> list[tuple[int, str]]:
    """``latitude`` and ``longitude`` go together."""
    return [(line, f"{_where(organisations, line, 'longitude')} : latitude et longitude se remplissent "
                   "ensemble (ou restent vides ensemble)")
            for line, row in organisations.rows() if (row["latitude"] == "") != (row["longitude"] == "")]


def check_cooperation_ends(cooperations: _Table) -> list[tuple[int, str]]:
    """A cooperation links two different organisations."""
    return [(line, f"{_where(cooperations, line, 'target_id')} : {_show(row['target_id'])} est aussi "
                   "la source (source_id) ; une coopération relie deux organisations différentes")
            for line, row in cooperations.rows() if row["source_id"] and row["source_id"] == row["target_id"]]


CUSTOM_CHECKS = [
    (("figures",), check_range),
    (("figures",), check_related_figures),
    (("figures",), check_fact_id),
    (("meetings", "figures"), check_meeting_participants),
    (("organisations",), check_coordinates),
    (("cooperations",), check_cooperation_ends),
]
"""(tables the check reads, check): each check runs when those tables were read with a
correct header row; its messages are filed under the first table."""


def _run_custom_checks(tables: dict[str, _Table], usable: set[str], errors: _Errors) -> None:
    for names, check in CUSTOM_CHECKS:
        if set(names) <= usable:
            for line, message in check(*(tables[n] for n in names)):
                errors.add(names[0], line, message)


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------

def _dataframe(table: _Table) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(table.text), dtype=str, keep_default_na=False, na_values=[""])
    for spec in table.fields:
        column, ftype = spec["name"], spec.get("type", "string")
        if ftype == "number":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        elif ftype == "integer":
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        elif ftype == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    return frame[table.columns]


def load_package(path: str | Path = DEFAULT_PATH,
                 validated_record: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Validate the data package at ``path`` and return its tables as DataFrames.

    Keys are the resource names, in the order of ``datapackage.json``. Raises
    :class:`DataPackageError` listing every problem (file, row, column, what to do; row =
    line number in the CSV file, header = line 1) if anything does not validate; nothing
    is returned from an invalid package.

    ``validated_record``: a file listing the packages that passed (by digest of their
    descriptor and bytes); a package found there, or that passed before in this process,
    is not validated by frictionless again.
    """
    path = Path(path)
    descriptor = _read_descriptor(path)
    base = path.parent
    prefix = base.name  # messages say "data/figures.csv" wherever the package lives
    tables: dict[str, _Table] = {}
    for res in descriptor["resources"]:
        label = f"{prefix}/{res['path']}" if prefix else res["path"]
        tables[res["name"]] = _Table(name=res["name"], label=label, descriptor=res)
    errors = _Errors(list(tables))
    readable = {name for name, table in tables.items() if _read_table(table, base, errors)}
    if readable != set(tables):
        # frictionless would only repeat, less clearly, what the sentence already says
        raise DataPackageError(errors.messages())
    record = Path(validated_record) if validated_record is not None else None
    digest = _package_digest(descriptor, tables)
    recorded = record is not None and digest in _read_validated(record)
    if digest not in _passed and not recorded:
        bad_header = validate_with_frictionless(descriptor, base, tables, errors)
        _run_custom_checks(tables, set(tables) - bad_header, errors)
        if errors:
            raise DataPackageError(errors.messages())
    _passed.add(digest)
    if record is not None and not recorded:
        _record_validated(record, digest)
    return {name: _dataframe(table) for name, table in tables.items()}


def count_once(figures: pd.DataFrame) -> pd.DataFrame:
    """The rows to count: each fact once, by its reference row (``fact_id == id``).

    A row whose ``relation`` is « même fait » or « contredit » is a further mention of
    the fact whose reference row is its ``fact_id`` (see data/README.md): charts and
    summaries that add up or compare figures call this first."""
    if "fact_id" not in figures:
        return figures
    return figures[figures["fact_id"] == figures["id"]]


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    record = None
    if len(args) >= 2 and args[-2] == "--record":
        record, args = args[-1], args[:-2]
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage : python -m rtes_edition.data [chemin/vers/datapackage.json] [--record fichier]",
              file=sys.stderr)
        return 2
    path = args[0] if args else DEFAULT_PATH
    try:
        tables = load_package(path, validated_record=record)
    except DataPackageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {len(frame)}" for name, frame in tables.items())
    print(f"{path} : valide (lignes : {counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
