"""Merge the per-chapter extracts ``data/extract/<chapter>.csv`` into ``data/figures.csv``.

Each editor writes, for the chapter they edit, one row per figure of the proceedings:

    sentence,value,unit,qualifier,low,high,measure,category,subject,subject_type,territory,year,section,speaker,note

``subject`` is the organisation as the chapter names it (free text); it is resolved to an
id of ``data/organisations.csv`` by, in this order: the id itself, the organisation's
name, or a line of the alias table ``data/organisation_aliases.csv`` (``alias,organisation_id``).
Comparison ignores case, accents, apostrophe style and repeated spaces.

What the script does:

- ``chapter`` comes from the file name; ``stated_at`` (the meeting where the figure was
  said) from the chapter (grand-ouest -> rennes, sud-ouest -> bordeaux, grand-est ->
  nancy, sud-est -> grenoble, visioconference -> visio, introduction and remerciements ->
  empty); ``meeting_id`` (the meeting the figure is about) only from a subject that names
  a meeting (« rencontre du Grand Est »), else as figures.csv has it;
- ``speaker`` is written by name in the extract and becomes the id of people.csv;
  an unknown name stops the script; a new row gets ``status`` « constaté »;
- a row that is the same figure as a row already in figures.csv (same chapter, value and
  unit, and the same sentence, one containing the other, or nearly the same words) keeps
  that row's id, and the fields the extract leaves empty or cannot give (meeting_id when
  already set, region_2013, the codes, status, related_figure_id, ...) keep their current value;
- a new row gets the next free id ``fig-<abbrev>-NNN`` of its chapter (intro, ouest,
  sudouest, visio, est, sudest, merci): ids never change once given;
- rows are written in chapter order, then extract order; a row already in figures.csv
  that no extract row matches is kept (and listed), never dropped;
- empty region_2013 / region_code / department_code / commune_code are filled from public reference data: the subject
  organisation's when the row is about its own territory, else the single région (and
  INSEE code) of the organisations whose territory is the row's (see fill_places);
- a subject that resolves to nothing stops the script with the list of such names
  (add them to organisations.csv or to the alias table), unless ``--allow-unresolved``:
  then subject_id is left empty and the names are listed;
- the result is validated with ``rtes_edition.data.load_package`` on a temporary copy of
  the package before figures.csv is replaced; errors name the extract file and line.

Usage: ``python tools/consolidate_extracts.py [--data DIR] [--allow-unresolved] [--dry-run]``
"""
from __future__ import annotations

import argparse
import csv
import difflib
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from rtes_edition import toc  # noqa: E402
from rtes_edition.data import DataPackageError, load_package  # noqa: E402
from rtes_edition.text import fold  # noqa: E402

EXTRACT_COLUMNS = ["sentence", "value", "unit", "qualifier", "low", "high", "measure", "category",
                   "subject", "subject_type", "territory", "year", "section", "speaker", "note"]
CHAPTERS = toc.chapters(ROOT)  # in the book's order
ABBREV = {"introduction": "intro", "grand-ouest": "ouest", "sud-ouest": "sudouest",
          "visioconference": "visio", "grand-est": "est", "sud-est": "sudest", "remerciements": "merci"}
# the meeting where a chapter's sentences were said (stated_at)
MEETING = {"introduction": "", "grand-ouest": "rennes", "sud-ouest": "bordeaux",
           "visioconference": "visio", "grand-est": "nancy", "sud-est": "grenoble", "remerciements": ""}
# Fields copied from an extract row into figures.csv under the same name.
COPIED = ["value", "unit", "qualifier", "low", "high", "measure", "category", "territory", "year",
          "section", "sentence", "note"]
# Figures-only columns where the value already in figures.csv wins over the extract's.
KEPT_FROM_FIGURES = ("meeting_id", "stated_at", "status")
CODES = ("region_code", "department_code", "commune_code")
SIMILAR = 0.85  # difflib ratio above which two sentences are taken for the same one


class ConsolidationError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


def normalise(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe and quote, single spaces."""
    text = fold(text or "")
    text = text.replace("’", "'").replace("‘", "'").replace("«", '"').replace("»", '"')
    text = text.replace("“", '"').replace("”", '"').replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def read_csv(path: Path, label: str, expected: list[str]) -> list[tuple[int, dict]]:
    """(line, row) for each data row; header must be exactly ``expected``."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConsolidationError([f"{label}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at position "
                                  f"{exc.start}, line {line})"]) from None
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, start, header = [], 1, None
    for cells in reader:
        line, start = start, reader.line_num + 1
        if header is None:
            header = cells
            if header != expected:
                missing = [c for c in expected if c not in header]
                extra = [c for c in header if c not in expected]
                detail = "; ".join(filter(None, [
                    f"missing column(s): {', '.join(missing)}" if missing else "",
                    f"unexpected column(s): {', '.join(extra)}" if extra else "",
                    "columns out of order" if not missing and not extra else ""]))
                raise ConsolidationError([f"{label}: header must be {','.join(expected)} ({detail})"])
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ConsolidationError([f"{label}, ligne {line} : {len(cells)} cellules alors que la ligne "
                                      f"d'en-tête a {len(header)} colonnes"])
        rows.append((line, dict(zip(header, cells))))
    if header is None:
        raise ConsolidationError([f"{label}: empty file (the header row is missing)"])
    return rows


def build_resolver(organisations, meetings, aliases: list[tuple[int, dict]], alias_label: str):
    """Return resolve(name) -> ("organisation", id) | ("meeting", id) | ("none", "") | None.

    A subject may name one of the meetings (« rencontre du Grand Est »): it then sets
    meeting_id, not subject_id. An alias whose organisation_id is empty marks a subject
    that is knowingly no organisation (« ESS », « communes »): subject_id stays empty.
    """
    index: dict[str, tuple[str, str]] = {}
    problems = []
    org_ids, meeting_ids = set(organisations["id"]), set(meetings["id"])
    for org_id, name in zip(organisations["id"], organisations["name"]):
        index[normalise(org_id)] = ("organisation", org_id)
        index.setdefault(normalise(name), ("organisation", org_id))
    for meeting_id, name in zip(meetings["id"], meetings["name"]):
        index.setdefault(normalise(meeting_id), ("meeting", meeting_id))
        index.setdefault(normalise(name), ("meeting", meeting_id))
    for line, row in aliases:
        alias, target = row["alias"].strip(), row["organisation_id"].strip()
        meeting = row.get("meeting_id", "").strip()
        if target and meeting:
            problems.append(f'{alias_label}, ligne {line} : « {alias} » désigne soit une organisation, soit une '
                            "rencontre, pas les deux")
            continue
        if target in org_ids:
            value = ("organisation", target)
        elif meeting in meeting_ids:
            value = ("meeting", meeting)
        elif not target and not meeting:
            value = ("none", "")
        else:
            problems.append(f'{alias_label}, ligne {line} : « {target or meeting} » n\'est pas un identifiant de '
                            "data/organisations.csv ni de data/meetings.csv")
            continue
        key = normalise(alias)
        if key in index and index[key] != value:
            problems.append(f'{alias_label}, row {line}, column alias: "{alias}" already means '
                            f'"{index[key][1] or "(no organisation)"}"')
            continue
        index[key] = value
    if problems:
        raise ConsolidationError(problems)
    return lambda name: index.get(normalise(name))


def same_sentence(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    return a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR


def same_figure(existing: dict, new: dict) -> bool:
    try:
        same_value = float(existing["value"]) == float(new["value"])
    except ValueError:
        return False
    return same_value and existing["unit"] == new["unit"] and same_sentence(existing["sentence"], new["sentence"])


def best_match(candidates: list[dict], figure: dict) -> dict | None:
    """The existing row that is the same figure; among several (one sentence giving the
    same number twice), the one agreeing on most descriptive fields, then the first."""
    same = [r for r in candidates if same_figure(r, figure)]
    if not same:
        return None
    fields = ["qualifier", "measure", "category", "note", "speaker", "section", "low", "high"]
    return max(same, key=lambda r: (sum(r[f] == figure[f] for f in fields), -same.index(r)))


def id_number(figure_id: str, prefix: str) -> int | None:
    match = re.fullmatch(re.escape(prefix) + r"(\d+)", figure_id)
    return int(match.group(1)) if match else None


def consolidate(data_dir: Path, allow_unresolved: bool = False, dry_run: bool = False,
                out=sys.stdout, err=sys.stderr) -> int:
    data_dir = Path(data_dir)
    extract_dir = data_dir / "extract"
    extracts = sorted(extract_dir.glob("*.csv")) if extract_dir.is_dir() else []
    unknown = [p.name for p in extracts if p.stem not in CHAPTERS]
    if unknown:
        raise ConsolidationError([f"data/extract/{name}: not a chapter name (expected one of: "
                                  f"{', '.join(CHAPTERS)})" for name in unknown])
    if not extracts:
        print("No extract in data/extract/: figures.csv left as it is.", file=out)
        return 0
    extracts.sort(key=lambda p: CHAPTERS.index(p.stem))

    try:
        tables = load_package(data_dir / "datapackage.json")
    except DataPackageError as exc:
        raise ConsolidationError(["The data package must be valid before consolidation:", str(exc)]) from None
    organisations, figures_df = tables["organisations"], tables["figures"]
    columns = list(figures_df.columns)
    figures_path = data_dir / "figures.csv"
    existing = [row for _, row in read_csv(figures_path, "data/figures.csv", columns)]

    alias_path = data_dir / "organisation_aliases.csv"
    if alias_path.is_file():
        aliases = read_csv(alias_path, "data/organisation_aliases.csv", ["alias", "organisation_id", "meeting_id"])
    else:
        aliases = []
        print("Note: data/organisation_aliases.csv not found; subjects are matched on organisation ids "
              "and names only.", file=err)
    resolve = build_resolver(organisations, tables["meetings"], aliases, "data/organisation_aliases.csv")
    org_type = dict(zip(organisations["id"], organisations["type"]))
    person_of = {}
    for person_id, name in zip(tables["people"]["id"], tables["people"]["name"]):
        person_of[normalise(person_id)] = person_id
        person_of.setdefault(normalise(name), person_id)

    problems, unresolved = [], {}
    incoming: dict[str, list[tuple[str, int, dict]]] = {}
    for path in extracts:
        chapter, label = path.stem, f"data/extract/{path.name}"
        rows = read_csv(path, label, EXTRACT_COLUMNS)
        for line, row in rows:
            for column in ("value", "low", "high"):
                text = row[column].strip()
                if text and not re.fullmatch(r"\d+(\.\d+)?", text):
                    problems.append(f'{label}, ligne {line}, colonne {column} : « {text} » n\'est pas un nombre '
                                    "(chiffres seulement, point comme séparateur décimal, ni espace ni unité)")
            subject_id, meeting_id = "", ""
            if row["subject"].strip():
                found = resolve(row["subject"])
                if found is None:
                    unresolved.setdefault((row["subject"].strip(), row["subject_type"].strip()), []).append(
                        f"{label}:{line}")
                elif found[0] == "meeting":
                    meeting_id = found[1]
                elif found[0] == "organisation":
                    subject_id = found[1]
                    kind = row["subject_type"].strip()
                    if kind and org_type.get(subject_id) != kind:
                        print(f'Warning: {label}, row {line}: subject "{row["subject"]}" is {subject_id}, of type '
                              f'"{org_type.get(subject_id)}"; the extract says "{kind}"', file=err)
            speaker = ""
            if row["speaker"].strip():
                speaker = person_of.get(normalise(row["speaker"]), "")
                if not speaker:
                    problems.append(f'{label}, ligne {line}, colonne speaker : « {row["speaker"].strip()} » n\'est '
                                    "ni un nom ni un identifiant de data/people.csv (l'y ajouter)")
            figure = {c: "" for c in columns}
            figure.update({c: row[c].strip() for c in COPIED})
            figure.update(chapter=chapter, subject_id=subject_id, meeting_id=meeting_id,
                          stated_at=MEETING[chapter], speaker=speaker, status="constaté")
            incoming.setdefault(chapter, []).append((label, line, figure))
    if problems:
        raise ConsolidationError(problems)
    if unresolved:
        listing = [f'  "{name}"' + (f" ({kind})" if kind else "") + f" — {', '.join(places)}"
                   for (name, kind), places in sorted(unresolved.items())]
        if not allow_unresolved:
            raise ConsolidationError(
                ["Unresolved subjects (add them to data/organisations.csv or data/organisation_aliases.csv, "
                 "or run with --allow-unresolved to leave subject_id empty):"] + listing)
        print("Unresolved subjects, subject_id left empty:", file=err)
        print("\n".join(listing), file=err)

    # Merge, chapter by chapter.
    result: list[dict] = []
    origin: dict[str, str] = {}  # figure id -> "data/extract/x.csv:line"
    kept_unmatched, matched_count, new_count = [], 0, 0
    for chapter in CHAPTERS:
        current = [row for row in existing if row["chapter"] == chapter]
        if chapter not in incoming:
            result.extend(current)
            continue
        prefix = f"fig-{ABBREV[chapter]}-"
        used = {n for n in (id_number(r["id"], prefix) for r in existing) if n is not None}
        next_number = max(used, default=0) + 1
        unmatched = list(current)
        for label, line, figure in incoming[chapter]:
            match = best_match(unmatched, figure)
            if match is not None:
                unmatched.remove(match)
                merged = dict(figure)
                for column in columns:
                    if match[column] and (not merged[column] or column in KEPT_FROM_FIGURES):
                        merged[column] = match[column]
                merged["id"] = match["id"]
                matched_count += 1
            else:
                # a new row is the reference mention of its fact until an editor says otherwise
                merged = dict(figure, id=f"{prefix}{next_number:03d}", fact_id=f"{prefix}{next_number:03d}")
                next_number += 1
                new_count += 1
            origin[merged["id"]] = f"{label}:{line}"
            result.append(merged)
        result.extend(unmatched)
        kept_unmatched.extend(unmatched)
    fill_places(result, organisations)

    # Validate on a temporary copy before touching data/figures.csv.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "data"
        copy.mkdir()
        for item in data_dir.iterdir():
            if item.is_file():
                shutil.copy2(item, copy / item.name)
        write_figures(copy / "figures.csv", columns, result)
        try:
            load_package(copy / "datapackage.json")
        except DataPackageError as exc:
            messages = []
            for message in exc.messages:
                found = re.match(r"data/figures\.csv, ligne (\d+)", message)
                if found and int(found.group(1)) - 2 < len(result):
                    source = origin.get(result[int(found.group(1)) - 2]["id"])
                    if source:
                        message += f"  [d'après {source}]"
                messages.append(message)
            raise ConsolidationError(["The consolidated figures.csv would not validate "
                                      "(row numbers are those of the new figures.csv):"] + messages) from None
        if not dry_run:
            shutil.copy2(copy / "figures.csv", figures_path)

    for row in kept_unmatched:
        print(f"Kept, not in data/extract/{row['chapter']}.csv: {row['id']} ({row['sentence'][:60]}...)",
              file=err)
    verb = "would be written (dry run)" if dry_run else "written"
    print(f"data/figures.csv {verb}: {len(result)} rows, {matched_count} matched to existing rows, "
          f"{new_count} new, {len(kept_unmatched)} kept without extract row.", file=out)
    return 0


COLLECTIVITES = {"région", "département", "commune"}


def fill_places(rows: list[dict], organisations) -> None:
    """Fill empty region_2013 and codes from the subject organisation, else from the
    territory when it is the territory of organisations of a single région.

    Reference data only (never a fact of the proceedings). A code is taken from a région,
    département or commune whose territory is the row's territory (or the row has none),
    at that organisation's level, so that « Bretagne » gets region_code 53 but a figure on
    Brest Métropole Océane gets none.
    """
    orgs = {row["id"]: row for row in organisations.astype(object).fillna("").to_dict("records")}
    regions_of: dict[str, set[str]] = {}
    codes_of: dict[str, set[tuple[str, str, str]]] = {}
    for org in orgs.values():
        territory = normalise(org["territory"])
        if org["region_2013"]:
            regions_of.setdefault(territory, set()).add(org["region_2013"])
        if org["type"] in COLLECTIVITES and any(org[c] for c in CODES):
            codes_of.setdefault(territory, set()).add(tuple(org[c] for c in CODES))
    for row in rows:
        subject = orgs.get(row["subject_id"])
        territory = normalise(row["territory"])
        # The subject's place counts only where the row speaks of the subject's own
        # territory: « Dans le Sud-Ouest, 20 collectivités sont adhérentes au RTES » is not
        # about France as a whole.
        own = subject is not None and territory in ("", normalise(subject["territory"]))
        if not row["region_2013"]:
            candidates = regions_of.get(territory, set())
            if own and subject["region_2013"]:
                row["region_2013"] = subject["region_2013"]
            elif len(candidates) == 1:
                row["region_2013"] = next(iter(candidates))
            elif subject is not None and subject["region_2013"] not in ("", "France"):
                row["region_2013"] = subject["region_2013"]
        if not any(row[c] for c in CODES):
            candidates = codes_of.get(territory, set())
            if own and subject["type"] in COLLECTIVITES and any(subject[c] for c in CODES):
                row.update({c: subject[c] for c in CODES})
            elif len(candidates) == 1:
                row.update(dict(zip(CODES, next(iter(candidates)))))


def write_figures(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="data folder (default: data/)")
    parser.add_argument("--allow-unresolved", action="store_true",
                        help="leave subject_id empty for unresolved subjects instead of stopping")
    parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    args = parser.parse_args(argv)
    try:
        return consolidate(args.data, args.allow_unresolved, args.dry_run)
    except ConsolidationError as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
