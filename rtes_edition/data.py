"""Load and validate the data package of the edition (``data/datapackage.json``).

This is the one loader used by every notebook and test::

    from rtes_edition.data import load_package
    tables = load_package("../data/datapackage.json")
    figures = tables["figures"]

``load_package`` returns one pandas DataFrame per resource, keyed by resource name, with
the column types of the Table Schema (number -> float64, integer -> Int64, date ->
datetime64, everything else -> str with NaN for an empty cell). It refuses to return
anything from a package that does not validate: it raises :class:`DataPackageError`,
whose message lists every problem found (up to :data:`MAX_ERRORS`), one per line, each
naming the file, the row, the column and the rule, for example::

    data/figures.csv, row 42, column value: "6 millions" is not a number

Row numbers are *line numbers in the CSV file as seen in a text editor*: the header is
line 1, the first data row is line 2. A cell containing a line break makes its record
span several lines; the record is then reported by the line on which it starts.

What is checked, in this order:

1. file level, by this module before frictionless sees the file: the file exists, its
   bytes are valid UTF-8 (no byte order mark), the header row has exactly the columns of
   the schema, in the schema's order (missing, unexpected, duplicated columns);
2. row level, by frictionless (types, required fields, enums, minimum/maximum, patterns,
   minimum length, unique primary keys, blank rows, rows with too many or too few
   cells). Frictionless runs offline: schemas are inline in ``datapackage.json`` and
   resources must be local relative paths, so nothing is ever fetched. A table whose
   exact schema and bytes passed this check before is not checked again
   (``_build/.validated-tables.json``; errors are never recorded);
3. foreign keys declared in the schemas (checked here, so that a table with a broken
   row still gets its references checked);
4. cross-field rules that a Table Schema cannot express:
   - figures: ``qualifier = fourchette`` needs ``low`` and ``high`` with
     ``low <= value <= high``; ``low``/``high`` are only allowed with ``fourchette``;
     ``related_figure_id`` must not point to the row itself;
   - people: every id of ``meetings`` (separated by ``;``) exists in meetings.csv;
   - meetings: every id of ``co_organisers`` exists in organisations.csv;
     ``participants`` and ``participants_qualifier`` go together; the figure named by
     ``participants_figure_id`` gives the same number, precision and meeting;
   - organisations: ``latitude`` and ``longitude`` go together;
   - cooperations: ``source_id`` differs from ``target_id``.

Command line: ``python -m rtes_edition.data [path]`` validates the package (default
``data/datapackage.json``) and prints a one-line summary of the row counts; on failure
it prints the messages on stderr and exits with status 1.
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

_PATTERN_HINTS = {
    r"^[a-z0-9-]+$": "lower-case ASCII letters, digits and hyphens only",
    r"^(\d{2}|\d{5}|2[AB]\d{3}|\d{3})$": "INSEE code: commune 5 characters, département 2-3, région 2 digits",
    r"^\d{4}(-\d{4})?$": "a year like 2013 or a period like 2014-2017",
    r"^[a-z0-9-]+( ?; ?[a-z0-9-]+)*$": "ids separated by « ; »",
}
_TYPE_NAMES = {
    "number": "a number",
    "integer": "an integer",
    "date": "a date in the form YYYY-MM-DD",
    "boolean": "true or false",
}


class DataPackageError(Exception):
    """The data package does not validate. ``messages`` holds every problem found
    (not only the first :data:`MAX_ERRORS` shown in ``str(error)``)."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        shown = self.messages[:MAX_ERRORS]
        hidden = len(self.messages) - len(shown)
        if hidden:
            shown.append(f"... and {hidden} more error(s) not shown (first {MAX_ERRORS} only)")
        super().__init__("\n".join(shown))


@dataclass
class _Table:
    """One resource as read from disk, before and during validation."""

    name: str
    label: str  # "data/figures.csv": how messages name the file
    descriptor: dict
    text: str | None = None
    records: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells)
    header_ok: bool = False

    @property
    def fields(self) -> list[dict]:
        return self.descriptor.get("schema", {}).get("fields", [])

    @property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def line(self, row_number: int) -> int:
        """Frictionless row number (header = 1) -> line in the file."""
        if 1 <= row_number <= len(self.records):
            return self.records[row_number - 1][0]
        return row_number

    def rows(self):
        """(line, {column: cell}) for every data record, blank lines excepted."""
        for line, cells in self.records[1:]:
            if not any(c.strip() for c in cells):
                continue
            yield line, dict(zip(self.columns, cells + [""] * (len(self.columns) - len(cells))))


class _Errors:
    """Collects messages with a sort key so that each file's errors come out in row order."""

    def __init__(self):
        self._items: list[tuple[int, int, int, str]] = []
        self._seen: set[str] = set()

    def add(self, table_index: int, line: int, message: str) -> None:
        if message not in self._seen:
            self._seen.add(message)
            self._items.append((table_index, line, len(self._items), message))

    def __len__(self) -> int:
        return len(self._items)

    def messages(self) -> list[str]:
        return [m for *_, m in sorted(self._items)]


def _show(cell) -> str:
    """A cell as quoted in a message (long texts shortened)."""
    text = "" if cell is None else str(cell)
    if len(text) > 60:
        text = text[:57] + "..."
    return '"' + text.replace("\n", "\\n") + '"'


def _where(table: _Table, line: int, column: str | None = None) -> str:
    where = f"{table.label}, row {line}"
    return f"{where}, column {column}" if column else where


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _ids(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _fmt(x: float) -> str:
    return f"{x:g}"


# --------------------------------------------------------------------------------------
# 0. descriptor
# --------------------------------------------------------------------------------------

def _read_descriptor(path: Path) -> dict:
    label = path.as_posix()
    if not path.is_file():
        raise DataPackageError([f"{label}: file not found"])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataPackageError([_utf8_message(label, raw, exc)]) from None
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataPackageError(
            [f"{label}: invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]) from None
    problems = []
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise DataPackageError([f"{label}: no resources listed"])
    for index, res in enumerate(resources):
        name = res.get("name", f"#{index + 1}")
        rpath = res.get("path")
        # Offline and local only: a remote path or schema would make frictionless fetch it.
        if not isinstance(rpath, str) or "://" in rpath or rpath.startswith("/") or ".." in rpath:
            problems.append(f"{label}: resource {name}: path must be a local relative file name, not {rpath!r}")
        if not isinstance(res.get("schema"), dict):
            problems.append(f"{label}: resource {name}: the schema must be written inline (no URL or separate file)")
    if problems:
        raise DataPackageError(problems)
    return descriptor


def _utf8_message(label: str, raw: bytes, exc: UnicodeDecodeError) -> str:
    position = exc.start
    line = raw.count(b"\n", 0, position) + 1
    return (f"{label}: not valid UTF-8 (byte 0x{raw[position]:02x} at position {position}, line {line}); "
            "save the file as UTF-8")


# --------------------------------------------------------------------------------------
# 1. file level
# --------------------------------------------------------------------------------------

def _read_records(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 1
    for cells in reader:
        records.append((start, cells))
        start = reader.line_num + 1
    return records


def _check_file(table: _Table, index: int, base: Path, errors: _Errors) -> None:
    path = base / table.descriptor["path"]
    if not path.is_file():
        errors.add(index, 0, f"{table.label}: file not found")
        return
    raw = path.read_bytes()
    try:
        table.text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.add(index, 0, _utf8_message(table.label, raw, exc))
        return
    if table.text.startswith("\ufeff"):
        errors.add(index, 0, f"{table.label}: starts with a byte order mark (BOM); save as UTF-8 without BOM")
        table.text = None
        return
    try:
        table.records = _read_records(table.text)
    except csv.Error as exc:
        errors.add(index, 0, f"{table.label}: not a readable CSV file ({exc})")
        return
    if not table.records:
        errors.add(index, 0, f"{table.label}: empty file (the header row is missing)")
        return
    header, expected = table.records[0][1], table.columns
    n_before = len(errors)
    for name in expected:
        if name not in header:
            errors.add(index, 1, f'{table.label}: missing column "{name}"')
    for name in header:
        if name not in expected:
            errors.add(index, 1, f'{table.label}: unexpected column "{name}" '
                                 f'(the columns are: {", ".join(expected)})')
    for name in sorted({n for n in header if header.count(n) > 1}):
        errors.add(index, 1, f'{table.label}: column "{name}" appears {header.count(name)} times')
    if len(errors) == n_before and header != expected:
        errors.add(index, 1, f'{table.label}: columns out of order; expected: {", ".join(expected)}')
    table.header_ok = len(errors) == n_before
    if not table.header_ok:
        errors.add(index, 1, f"{table.label}: rows not checked until the header row is fixed")


# --------------------------------------------------------------------------------------
# 2. row level, with frictionless
# --------------------------------------------------------------------------------------

# Tables that passed the row-level check, by digest of their schema and bytes. Each
# notebook loads the package: without this record, every one of them would import
# frictionless and check the same unchanged rows again (about 2 s each). Only successes
# are recorded, so a table with an error is checked, and reported, every time.
VALIDATED_RECORD = Path(__file__).resolve().parents[1] / "_build" / ".validated-tables.json"


def _table_digest(table: _Table) -> str:
    # the version from the metadata: importing frictionless is what this record avoids
    h = hashlib.sha256(importlib.metadata.version("frictionless").encode())
    h.update(json.dumps(table.descriptor, sort_keys=True, ensure_ascii=False).encode())
    h.update(table.text.encode())
    return h.hexdigest()


VALIDATED_KEPT = 100  # the newest digests (the tests add those of their broken copies' good tables)


def _read_validated() -> list[str]:
    try:
        return list(json.loads(VALIDATED_RECORD.read_text()))
    except (OSError, ValueError):
        return []


def _record_validated(digest: str) -> None:
    """Add ``digest`` to the record, atomically (notebooks may run side by side)."""
    known = [d for d in _read_validated() if d != digest] + [digest]
    try:
        VALIDATED_RECORD.parent.mkdir(parents=True, exist_ok=True)
        tmp = VALIDATED_RECORD.with_name(f"{VALIDATED_RECORD.name}.{os.getpid()}")
        tmp.write_text(json.dumps(known[-VALIDATED_KEPT:]))
        os.replace(tmp, VALIDATED_RECORD)
    except OSError:
        pass  # a read-only checkout: the check simply runs again next time


def _frictionless_rows(table: _Table, index: int, base: Path, errors: _Errors) -> None:
    digest = _table_digest(table)
    if digest in _read_validated():
        return
    n_before = len(errors)
    _frictionless_check(table, index, base, errors)
    if len(errors) == n_before:
        _record_validated(digest)


def _frictionless_check(table: _Table, index: int, base: Path, errors: _Errors) -> None:
    import frictionless

    descriptor = json.loads(json.dumps(table.descriptor))
    schema = descriptor["schema"]
    schema.pop("foreignKeys", None)  # checked by _check_foreign_keys, across tables
    descriptor.setdefault("format", "csv")
    descriptor["encoding"] = "utf-8"
    resource = frictionless.Resource(descriptor, basepath=str(base))
    report = resource.validate()
    fields = {f["name"]: f for f in table.fields}
    primary_key = schema.get("primaryKey") or []
    if isinstance(primary_key, str):
        primary_key = [primary_key]
    header = table.records[0][1]
    for task in report.tasks:
        for error in task.errors:
            message, line = _translate(error, table, fields, primary_key, header)
            if message:
                errors.add(index, line, message)


def _translate(error, table: _Table, fields: dict, primary_key: list[str], header: list[str]):
    kind = error.type
    row_number = getattr(error, "row_number", None)
    line = table.line(row_number) if row_number else 0
    column = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    note = getattr(error, "note", "") or ""
    if kind == "blank-row":
        return f"{_where(table, line)}: empty line (delete it)", line
    if kind in ("extra-cell", "missing-cell"):
        cells = table.records[row_number - 1][1] if row_number and row_number <= len(table.records) else []
        hint = (" (a comma inside a text that is not between double quotes?)"
                if kind == "extra-cell" else "")
        return (f"{_where(table, line)}: {len(cells)} cells but the header row has "
                f"{len(header)} columns{hint}"), line
    if kind == "type-error":
        ftype = fields.get(column, {}).get("type", "?")
        looks_numeric = re.fullmatch(r"-?[\d\s\u00a0\u202f]+([.,]\d+)?", str(cell or "").strip())
        hint = (" (use a dot as decimal separator, no spaces)"
                if ftype in ("number", "integer") and looks_numeric else "")
        expected = _TYPE_NAMES.get(ftype, f"of type {ftype}")
        return f"{_where(table, line, column)}: {_show(cell)} is not {expected}{hint}", line
    if kind == "constraint-error":
        match = re.search(r'constraint "(\w+)"', note)
        constraint = match.group(1) if match else "?"
        rules = fields.get(column, {}).get("constraints", {})
        where = _where(table, line, column)
        if constraint == "required":
            return f"{where}: a value is required (the cell is empty)", line
        if constraint == "minimum":
            return f"{where}: {_show(cell)} is below the minimum {rules.get('minimum')}", line
        if constraint == "maximum":
            return f"{where}: {_show(cell)} is above the maximum {rules.get('maximum')}", line
        if constraint == "enum":
            allowed = ", ".join(f'"{v}"' for v in rules.get("enum", []))
            return f"{where}: {_show(cell)} is not an allowed value; allowed values: {allowed}", line
        if constraint == "pattern":
            pattern = rules.get("pattern", "")
            hint = _PATTERN_HINTS.get(pattern)
            hint = f" ({hint})" if hint else ""
            return f"{where}: {_show(cell)} does not match the pattern {pattern}{hint}", line
        if constraint == "minLength":
            return f"{where}: {_show(cell)} is shorter than {rules.get('minLength')} characters", line
        if constraint == "maxLength":
            return f"{where}: {_show(cell)} is longer than {rules.get('maxLength')} characters", line
        return f"{where}: {_show(cell)} breaks the rule {constraint} ({note})", line
    if kind in ("unique-error", "primary-key"):
        key = column or (primary_key[0] if primary_key else None)
        cells = table.records[row_number - 1][1] if row_number and row_number <= len(table.records) else []
        if key in header and header.index(key) < len(cells):
            value = cells[header.index(key)]
        else:
            value = cell
        if not value:
            return None, line  # a blank row, already reported as such
        first = re.search(r"position (\d+)", note)
        already = f" (already on row {table.line(int(first.group(1)))})" if first else ""
        return f"{_where(table, line, key)}: duplicate id {_show(value)}{already}", line
    if row_number:
        return f"{_where(table, line, column)}: {error.message}", line
    return f"{table.label}: {error.message}", line


# --------------------------------------------------------------------------------------
# 3. foreign keys
# --------------------------------------------------------------------------------------

def _check_foreign_keys(tables: dict[str, _Table], order: list[str], errors: _Errors) -> None:
    for index, name in enumerate(order):
        table = tables[name]
        if not table.header_ok:
            continue
        for fk in table.descriptor["schema"].get("foreignKeys", []):
            columns = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            reference = fk["reference"]
            target = tables.get(reference.get("resource") or name)
            target_columns = reference["fields"] if isinstance(reference["fields"], list) else [reference["fields"]]
            if target is None:
                errors.add(index, 0, f"{table.label}: foreign key to unknown resource {reference.get('resource')!r}")
                continue
            if not target.header_ok:
                continue  # the target table's own errors are reported; nothing reliable to compare
            keys = {tuple(row[c] for c in target_columns) for _, row in target.rows()}
            for line, row in table.rows():
                value = tuple(row[c] for c in columns)
                if all(v == "" for v in value) or value in keys:
                    continue
                shown = value[0] if len(value) == 1 else ", ".join(value)
                errors.add(index, line, f"{_where(table, line, ', '.join(columns))}: "
                                        f"{_show(shown)} is not an id of {target.label}")


# --------------------------------------------------------------------------------------
# 4. cross-field rules
# --------------------------------------------------------------------------------------

def _check_rules(tables: dict[str, _Table], order: list[str], errors: _Errors) -> None:
    def usable(name):
        return name in tables and tables[name].header_ok

    def idx(name):
        return order.index(name)

    if usable("figures"):
        figures = tables["figures"]
        for line, row in figures.rows():
            i = idx("figures")
            low, high, value = _number(row["low"]), _number(row["high"]), _number(row["value"])
            if row["qualifier"] == "fourchette":
                for col in ("low", "high"):
                    if row[col] == "":
                        errors.add(i, line, f'{_where(figures, line, col)}: qualifier "fourchette" '
                                            f"needs both low and high (this cell is empty)")
                if None not in (low, high, value) and not low <= value <= high:
                    errors.add(i, line, f"{_where(figures, line, 'value')}: qualifier \"fourchette\" needs "
                                        f"low <= value <= high (low={_fmt(low)}, value={_fmt(value)}, "
                                        f"high={_fmt(high)})")
            else:
                for col in ("low", "high"):
                    if row[col] != "":
                        errors.add(i, line, f"{_where(figures, line, col)}: low and high are only for "
                                            f'qualifier "fourchette" (qualifier is {_show(row["qualifier"])})')
            if row["related_figure_id"] and row["related_figure_id"] == row["id"]:
                errors.add(i, line, f"{_where(figures, line, 'related_figure_id')}: "
                                    f"{_show(row['related_figure_id'])} points to its own row")

    if usable("people") and usable("meetings"):
        people, meetings = tables["people"], tables["meetings"]
        known = {row["id"] for _, row in meetings.rows()}
        for line, row in people.rows():
            for meeting in _ids(row["meetings"]):
                if meeting not in known:
                    errors.add(idx("people"), line, f"{_where(people, line, 'meetings')}: "
                                                    f"{_show(meeting)} is not an id of {meetings.label}")

    if usable("meetings"):
        meetings = tables["meetings"]
        i = idx("meetings")
        organisations = {row["id"] for _, row in tables["organisations"].rows()} if usable("organisations") else None
        figures = {row["id"]: row for _, row in tables["figures"].rows()} if usable("figures") else None
        for line, row in meetings.rows():
            if organisations is not None:
                for org in _ids(row["co_organisers"]):
                    if org not in organisations:
                        errors.add(i, line, f"{_where(meetings, line, 'co_organisers')}: {_show(org)} "
                                            f"is not an id of {tables['organisations'].label}")
            if (row["participants"] == "") != (row["participants_qualifier"] == ""):
                errors.add(i, line, f"{_where(meetings, line, 'participants_qualifier')}: participants and "
                                    "participants_qualifier must be both filled or both empty")
            figure = figures.get(row["participants_figure_id"]) if figures and row["participants_figure_id"] else None
            if figure is not None:
                label = tables["figures"].label
                value = _number(figure["value"])
                if value is not None and value != _number(row["participants"]):
                    errors.add(i, line, f"{_where(meetings, line, 'participants')}: {_show(row['participants'])} "
                                        f"differs from the value {_show(figure['value'])} of "
                                        f"{row['participants_figure_id']} in {label}")
                if figure["qualifier"] != row["participants_qualifier"]:
                    errors.add(i, line, f"{_where(meetings, line, 'participants_qualifier')}: "
                                        f"{_show(row['participants_qualifier'])} differs from the qualifier "
                                        f"{_show(figure['qualifier'])} of {row['participants_figure_id']} in {label}")
                if figure["meeting_id"] != row["id"]:
                    errors.add(i, line, f"{_where(meetings, line, 'participants_figure_id')}: "
                                        f"{row['participants_figure_id']} in {label} is about meeting "
                                        f"{_show(figure['meeting_id'])}, not {_show(row['id'])}")

    if usable("organisations"):
        organisations = tables["organisations"]
        for line, row in organisations.rows():
            if (row["latitude"] == "") != (row["longitude"] == ""):
                errors.add(idx("organisations"), line, f"{_where(organisations, line, 'longitude')}: "
                                                       "latitude and longitude must be both filled or both empty")

    if usable("cooperations"):
        cooperations = tables["cooperations"]
        for line, row in cooperations.rows():
            if row["source_id"] and row["source_id"] == row["target_id"]:
                errors.add(idx("cooperations"), line, f"{_where(cooperations, line, 'target_id')}: "
                                                      f"{_show(row['target_id'])} is also the source_id")


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


def load_package(path: str | Path = DEFAULT_PATH) -> dict[str, pd.DataFrame]:
    """Validate the data package at ``path`` and return its tables as DataFrames.

    Keys are the resource names (``figures``, ``organisations``, ``people``,
    ``meetings``, ``cooperations``). Raises :class:`DataPackageError` listing every
    problem (file, row, column, rule; row = line number in the CSV file, header = line 1)
    if anything does not validate; nothing is returned from an invalid package.
    """
    path = Path(path)
    descriptor = _read_descriptor(path)
    base = path.parent
    prefix = base.name  # messages say "data/figures.csv" wherever the package lives
    tables: dict[str, _Table] = {}
    order: list[str] = []
    errors = _Errors()
    for res in descriptor["resources"]:
        label = f"{prefix}/{res['path']}" if prefix else res["path"]
        table = _Table(name=res["name"], label=label, descriptor=res)
        tables[table.name] = table
        order.append(table.name)
    for index, name in enumerate(order):
        table = tables[name]
        _check_file(table, index, base, errors)
        if table.header_ok:
            _frictionless_rows(table, index, base, errors)
    _check_foreign_keys(tables, order, errors)
    _check_rules(tables, order, errors)
    if errors:
        raise DataPackageError(errors.messages())
    return {name: _dataframe(tables[name]) for name in order}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python -m rtes_edition.data [path/to/datapackage.json]", file=sys.stderr)
        return 2
    path = args[0] if args else DEFAULT_PATH
    try:
        tables = load_package(path)
    except DataPackageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {len(frame)}" for name, frame in tables.items())
    print(f"{path}: valid ({counts} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
