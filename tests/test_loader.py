"""Tests of the data package, its loader (rtes_edition.data) and the consolidation of the
chapter extracts (tools/consolidate_extracts.py).

Broken packages are copies of data/ made in tmp_path with one thing altered; each must
raise DataPackageError naming the file, the row (line in the CSV, header = 1) and the
column. Row numbers are looked up in the copy, not hard-coded, so the tests keep working
when rows are added to the real tables.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import load_tool

from rtes_edition.data import MAX_ERRORS, REPEAT_RELATIONS, DataPackageError, count_once, load_package

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PACKAGE = DATA / "datapackage.json"


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def copy_package(tmp_path: Path) -> Path:
    """Copy datapackage.json and the tables (not source/ nor extract/) to tmp_path/data."""
    target = tmp_path / "data"
    target.mkdir()
    for item in DATA.iterdir():
        if item.is_file():
            shutil.copy2(item, target / item.name)
    return target


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def set_cell(path: Path, row_id: str, column: str, value: str) -> int:
    """Set one cell of the row whose id is row_id; return its line number (header = 1).
    The real tables have no line break inside cells, so row i is line i + 2."""
    header, rows = read_rows(path)
    for i, row in enumerate(rows):
        if row[0] == row_id:
            row[header.index(column)] = value
            write_rows(path, header, rows)
            return i + 2
    raise AssertionError(f"{row_id} not in {path}")


def first_id(path: Path) -> str:
    return read_rows(path)[1][0][0]


def load_error(package_dir: Path, record: Path | None = None) -> str:
    with pytest.raises(DataPackageError) as info:
        load_package(package_dir / "datapackage.json", validated_record=record)
    return str(info.value)


@pytest.fixture
def pkg(tmp_path):
    return copy_package(tmp_path)


# --------------------------------------------------------------------------------------
# the real package
# --------------------------------------------------------------------------------------

def test_real_package_loads():
    tables = load_package(PACKAGE)
    assert list(tables) == ["figures", "organisations", "people", "meetings", "cooperations",
                            "people_meetings", "meeting_organisers", "organisation_aliases"]
    assert all(len(frame) > 0 for frame in tables.values())
    figures, meetings = tables["figures"], tables["meetings"]
    assert figures["value"].dtype == "float64"
    assert str(meetings["participants"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(meetings["date"])
    assert figures["id"].is_unique
    assert set(meetings["id"]) == {"national", "rennes", "bordeaux", "nancy", "grenoble", "visio"}


def test_real_package_facts():
    """The seed facts stated by the proceedings (lines 136-137, 2630, 2693 of the source)."""
    tables = load_package(PACKAGE)
    meetings = tables["meetings"].set_index("id")
    assert str(meetings.loc["national", "date"].date()) == "2013-06-26"
    assert (meetings.loc["national", "participants"], meetings.loc["national", "participants_qualifier"]) \
        == (250, "au moins")
    assert (meetings.loc["nancy", "participants"], meetings.loc["nancy", "participants_qualifier"]) \
        == (160, "au moins")
    assert (meetings.loc["rennes", "participants"], meetings.loc["rennes", "participants_qualifier"]) \
        == (50, "environ")
    assert pd.isna(meetings.loc["bordeaux", "participants"])  # the proceedings give no number
    assert pd.isna(meetings.loc["grenoble", "participants"])
    for meeting in ["rennes", "bordeaux", "nancy", "grenoble", "visio"]:
        assert str(meetings.loc[meeting, "date"].date()) == "2013-09-12"


def test_real_collectivites_are_placed():
    """A later map places every collectivité: coordinates for all of them, an INSEE code
    for a région, a département or a commune (reference data, see data/README.md)."""
    organisations = load_package(PACKAGE)["organisations"]
    collectivites = organisations[organisations["type"].isin(
        ["région", "département", "commune", "intercommunalité"])]
    assert len(collectivites) >= 40
    unplaced = collectivites[collectivites["latitude"].isna()]["id"].tolist()
    assert not unplaced, f"collectivités without coordinates: {unplaced}"
    level_column = {"région": "region_code", "département": "department_code", "commune": "commune_code"}
    for kind, column in level_column.items():
        coded = collectivites[collectivites["type"] == kind]
        assert coded[column].notna().all(), coded[coded[column].isna()]["id"].tolist()


def test_real_package_loads_from_another_directory(monkeypatch, tmp_path):
    """Notebooks call load_package("../data/datapackage.json") from notebooks/."""
    monkeypatch.chdir(ROOT / "notebooks")
    assert len(load_package("../data/datapackage.json")["figures"]) > 0


def test_sections_are_labels_of_their_chapter():
    """A non-empty section must be a MyST label of its chapter, once the chapter is written."""
    tables = load_package(PACKAGE)
    for name in ("figures", "cooperations"):
        frame = tables[name].dropna(subset=["section"])
        for chapter, section in zip(frame["chapter"], frame["section"]):
            chapter_file = ROOT / "book" / f"{chapter}.md"
            if chapter_file.is_file():
                assert f"({section})=" in chapter_file.read_text(encoding="utf-8"), \
                    f"{name}: section {section} is not a label of book/{chapter}.md"


def test_loader_is_offline(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert len(load_package(PACKAGE)["meetings"]) == 6


def test_validation_record_checks_only_a_changed_package(monkeypatch, tmp_path, pkg):
    """Validation is skipped for a package whose exact descriptor and bytes passed it
    before; a changed table makes it run again, and a failure is never recorded."""
    from rtes_edition import data

    record = tmp_path / "record.json"
    load_package(pkg / "datapackage.json", validated_record=record)
    assert len(data._read_validated(record)) == 1

    checked = []
    real_check = data.validate_with_frictionless
    monkeypatch.setattr(data, "validate_with_frictionless",
                        lambda *args: checked.append(1) or real_check(*args))
    load_package(pkg / "datapackage.json", validated_record=record)
    assert checked == []
    set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "note", "note corrigée")
    load_package(pkg / "datapackage.json", validated_record=record)
    assert checked == [1]
    assert len(data._read_validated(record)) == 2

    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "beaucoup")
    for _ in range(2):  # reported the second time too: errors are not recorded
        assert f"data/figures.csv, ligne {line}, colonne value" in load_error(pkg, record)
    assert len(data._read_validated(record)) == 2


def test_a_package_that_passed_is_not_validated_again_in_the_same_process(monkeypatch, pkg):
    """Sphinx loads the package for every chapter it reads: validated once per process."""
    from rtes_edition import data

    set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "note", "une note que seul ce test écrit")
    load_package(pkg / "datapackage.json")
    checked = []
    real_check = data.validate_with_frictionless
    monkeypatch.setattr(data, "validate_with_frictionless",
                        lambda *args: checked.append(1) or real_check(*args))
    load_package(pkg / "datapackage.json")
    assert checked == []


def test_cli_success():
    result = subprocess.run([sys.executable, "-m", "rtes_edition.data", str(PACKAGE)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "valide" in result.stdout and "figures" in result.stdout and "meetings 6" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_cli_failure(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "6 millions")
    result = subprocess.run([sys.executable, "-m", "rtes_edition.data", str(pkg / "datapackage.json")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert f"data/figures.csv, ligne {line}, colonne value : « 6 millions » n'est pas un nombre" in result.stderr
    assert result.stdout == ""


# --------------------------------------------------------------------------------------
# broken copies
# --------------------------------------------------------------------------------------

def test_wrong_type(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "6 millions")
    assert f"data/figures.csv, ligne {line}, colonne value : « 6 millions » n'est pas un nombre" in load_error(pkg)


def test_decimal_comma_gets_a_hint(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "0,75")
    message = load_error(pkg)
    assert f"data/figures.csv, ligne {line}, colonne value : « 0,75 » n'est pas un nombre (point" in message


def test_wrong_date(pkg):
    line = set_cell(pkg / "meetings.csv", "nancy", "date", "12/09/2013")
    assert (f"data/meetings.csv, ligne {line}, colonne date : « 12/09/2013 » n'est pas une date de la forme "
            "AAAA-MM-JJ" in load_error(pkg))


def test_unknown_enum_value(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "unit", "euros")
    message = load_error(pkg)
    assert f"data/figures.csv, ligne {line}, colonne unit : « euros » n'est pas une valeur permise ; " \
           "valeurs permises : « EUR », « personnes »" in message


def test_unknown_region(pkg):
    line = set_cell(pkg / "organisations.csv", "region-bretagne", "region_2013", "Grand Ouest")
    message = load_error(pkg)
    assert f"data/organisations.csv, ligne {line}, colonne region_2013 : « Grand Ouest » n'est pas une " \
        "valeur permise" in message
    assert "« Provence-Alpes-Côte d'Azur »" in message


def test_duplicate_id(pkg):
    path = pkg / "figures.csv"
    header, rows = read_rows(path)
    first, second = rows[0][0], rows[1][0]
    line = set_cell(path, second, "id", first)
    message = load_error(pkg)
    assert f"data/figures.csv, ligne {line}, colonne id : identifiant « {first} » en double (déjà à la ligne 2)" \
        in message
    assert message.count("en double") == 1  # unique + primary key reported once


def test_dangling_foreign_key(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "subject_id", "foo")
    assert (f"data/figures.csv, ligne {line}, colonne subject_id : « foo » n'est pas un identifiant de "
            "data/organisations.csv" in load_error(pkg))


def test_dangling_meeting_and_self_reference(pkg):
    path = pkg / "figures.csv"
    fid = first_id(path)
    line = set_cell(path, fid, "meeting_id", "paris")
    set_cell(path, fid, "related_figure_id", fid)
    set_cell(path, fid, "relation", "partie de")
    message = load_error(pkg)
    assert f"data/figures.csv, ligne {line}, colonne meeting_id : « paris » n'est pas un identifiant de " \
        "data/meetings.csv" in message
    assert f"data/figures.csv, ligne {line}, colonne related_figure_id : « {fid} » désigne la ligne elle-même" \
        in message


def append_row(path: Path, row: list[str]) -> int:
    """Add a row at the end of a table; return its line number."""
    header, rows = read_rows(path)
    write_rows(path, header, rows + [row])
    return len(rows) + 2


def test_join_table_people_meetings_keys(pkg):
    """people_meetings.csv: both columns are foreign keys, the pair is the primary key."""
    line = append_row(pkg / "people_meetings.csv", ["christiane-bouchart", "lyon"])
    line_person = append_row(pkg / "people_meetings.csv", ["personne-inconnue", "nancy"])
    header, rows = read_rows(pkg / "people_meetings.csv")
    line_twice = append_row(pkg / "people_meetings.csv", rows[0])
    message = load_error(pkg)
    assert (f"data/people_meetings.csv, ligne {line}, colonne meeting_id : « lyon » n'est pas un identifiant "
            "de data/meetings.csv" in message)
    assert (f"data/people_meetings.csv, ligne {line_person}, colonne person_id : « personne-inconnue » n'est "
            "pas un identifiant de data/people.csv" in message)
    assert f"data/people_meetings.csv, ligne {line_twice}, colonne person_id, meeting_id : identifiant" in message


def test_join_table_meeting_organisers_keys(pkg):
    line = append_row(pkg / "meeting_organisers.csv", ["grenoble", "ville-inexistante"])
    assert (f"data/meeting_organisers.csv, ligne {line}, colonne organisation_id : « ville-inexistante » "
            "n'est pas un identifiant de data/organisations.csv" in load_error(pkg))


def test_meeting_participants_match_their_figure(pkg):
    line = set_cell(pkg / "meetings.csv", "national", "participants", "300")
    assert f"data/meetings.csv, ligne {line}, colonne participants : « 300 » diffère de la valeur" \
        in load_error(pkg)


def test_missing_column(pkg):
    path = pkg / "figures.csv"
    header, rows = read_rows(path)
    i = header.index("value")
    write_rows(path, header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    message = load_error(pkg)
    assert "data/figures.csv : colonne « value » absente" in message
    assert message.count("\n") < 4  # the header, not every row


def test_extra_column(pkg):
    path = pkg / "organisations.csv"
    header, rows = read_rows(path)
    write_rows(path, header + ["source"], [r + [""] for r in rows])
    assert "data/organisations.csv : colonne « source » inattendue" in load_error(pkg)


def test_columns_out_of_order(pkg):
    path = pkg / "people.csv"
    header, rows = read_rows(path)
    write_rows(path, [header[1], header[0]] + header[2:], [[r[1], r[0]] + r[2:] for r in rows])
    assert "data/people.csv : colonnes dans le désordre ; ordre attendu : id, name, role" in load_error(pkg)


def test_not_utf8(pkg):
    path = pkg / "figures.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))  # « € » has no Latin-1 byte
    i = next(k for k, c in enumerate(text) if ord(c) > 127)
    byte = text[i].encode("latin-1")[0]
    line = text[:i].count("\n") + 1
    assert (f"data/figures.csv : enregistré en Windows-1252 ou Latin-1 et non en UTF-8 (octet 0x{byte:02x} "
            f"à la ligne {line})" in load_error(pkg))


def test_not_utf8_example_e9(pkg):
    """The example of the brief: a Latin-1 « é » (0xe9) in an otherwise UTF-8 file."""
    path = pkg / "cooperations.csv"
    raw = path.read_bytes()
    position = raw.index("é".encode())
    path.write_bytes(raw[:position] + b"\xe9" + raw[position + 2:])
    line = raw[:position].count(b"\n") + 1
    assert (f"data/cooperations.csv : enregistré en Windows-1252 ou Latin-1 et non en UTF-8 (octet 0xe9 "
            f"à la ligne {line})" in load_error(pkg))


def test_fourchette_without_bounds(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "qualifier", "fourchette")
    message = load_error(pkg)
    assert f"data/figures.csv, ligne {line}, colonne low : une fourchette demande low et high" in message
    assert f"data/figures.csv, ligne {line}, colonne high : une fourchette demande low et high" in message


def test_fourchette_value_outside_bounds(pkg):
    path = pkg / "figures.csv"
    fid = first_id(path)
    set_cell(path, fid, "qualifier", "fourchette")
    set_cell(path, fid, "value", "10")
    set_cell(path, fid, "low", "20")
    line = set_cell(path, fid, "high", "30")
    assert (f"data/figures.csv, ligne {line}, colonne value : pour une fourchette, value est la borne basse et "
            "low <= high (low=20, value=10, high=30)" in load_error(pkg))


def test_bounds_without_fourchette(pkg):
    path = pkg / "figures.csv"
    fid = first_id(path)
    line = set_cell(path, fid, "low", "5")
    assert f"data/figures.csv, ligne {line}, colonne low : low et high sont réservés à la précision « fourchette »" \
        in load_error(pkg)


def test_negative_value(pkg):
    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "-5")
    assert f"data/figures.csv, ligne {line}, colonne value : « -5 » est inférieur au minimum 0" in load_error(pkg)


def test_latitude_out_of_bounds(pkg):
    line = set_cell(pkg / "organisations.csv", "region-bretagne", "latitude", "148.11")
    assert f"data/organisations.csv, ligne {line}, colonne latitude : « 148.11 » est supérieur au maximum 52" \
        in load_error(pkg)


def test_patterns(pkg):
    line = set_cell(pkg / "organisations.csv", "region-bretagne", "region_code", "5")
    line2 = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "section", "Intro Pourquoi")
    message = load_error(pkg)
    assert (f"data/organisations.csv, ligne {line}, colonne region_code : « 5 » ne suit pas le motif ^\\d{{2}}$ "
            "(code INSEE de région : 2 chiffres)" in message)
    assert f"data/figures.csv, ligne {line2}, colonne section : « Intro Pourquoi » ne suit pas le motif " \
           "^[a-z0-9-]+$ (lettres minuscules sans accent, chiffres et tirets seulement)" in message


def test_required_and_min_length(pkg):
    path = pkg / "figures.csv"
    fid = first_id(path)
    line = set_cell(path, fid, "sentence", "Trop court.")
    set_cell(path, fid, "measure", "")
    message = load_error(pkg)
    assert f"data/figures.csv, ligne {line}, colonne sentence : « Trop court. » a moins de 20 caractères" in message
    assert f"data/figures.csv, ligne {line}, colonne measure : valeur obligatoire (la cellule est vide)" in message


def test_all_errors_reported_each_on_its_own_line(pkg):
    line_a = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "beaucoup")
    line_b = set_cell(pkg / "meetings.csv", "rennes", "chapter", "bretagne")
    line_c = set_cell(pkg / "cooperations.csv", first_id(pkg / "cooperations.csv"), "target_id", "rtes")
    lines = load_error(pkg).splitlines()
    assert f"data/figures.csv, ligne {line_a}, colonne value : « beaucoup » n'est pas un nombre" in lines
    assert any(l.startswith(f"data/meetings.csv, ligne {line_b}, colonne chapter : « bretagne » n'est pas une "
                            "valeur permise") for l in lines)
    assert any(l.startswith(f"data/cooperations.csv, ligne {line_c}, colonne target_id : « rtes » est aussi la "
                            "source") for l in lines)


def test_error_cap(pkg):
    path = pkg / "figures.csv"
    header, rows = read_rows(path)
    template = rows[0]
    extra = []
    for k in range(30):
        row = list(template)
        row[0] = f"fig-test-{k:03d}"
        row[header.index("value")] = "n/a"
        extra.append(row)
    write_rows(path, header, rows + extra)
    with pytest.raises(DataPackageError) as info:
        load_package(pkg / "datapackage.json")
    lines = str(info.value).splitlines()
    assert len(info.value.messages) >= 30
    assert len(lines) == MAX_ERRORS + 1
    assert lines[-1].startswith(f"… et {len(info.value.messages) - MAX_ERRORS} autre(s) erreur(s)")


def test_row_number_is_line_number_with_multiline_cell(pkg):
    """A line break inside a quoted cell: later rows are reported by their line in the file."""
    path = pkg / "figures.csv"
    header, rows = read_rows(path)
    rows[0][header.index("note")] = "première ligne\ndeuxième ligne"
    rows[1][header.index("value")] = "douze"
    write_rows(path, header, rows)
    assert "data/figures.csv, ligne 4, colonne value : « douze » n'est pas un nombre" in load_error(pkg)


def test_blank_line(pkg):
    path = pkg / "people.csv"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(text[0] + text[1] + "\n" + "".join(text[2:]), encoding="utf-8")
    assert "data/people.csv, ligne 3 : ligne vide (la supprimer)" in load_error(pkg)


def test_wrong_cell_count(pkg):
    path = pkg / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\n") + ",oops\n"
    path.write_text("".join(lines), encoding="utf-8")
    assert "data/people.csv, ligne 2 : 5 cellules alors que la ligne d'en-tête a 4 colonnes" in load_error(pkg)


def test_missing_file(pkg):
    (pkg / "cooperations.csv").unlink()
    assert "data/cooperations.csv : fichier introuvable" in load_error(pkg)


def test_remote_resource_refused(pkg):
    path = pkg / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"path": "people.csv"', '"path": "https://example.org/people.csv"'), encoding="utf-8")
    assert "le chemin doit être un nom de fichier local relatif" in load_error(pkg)


# --------------------------------------------------------------------------------------
# tools/consolidate_extracts.py
# --------------------------------------------------------------------------------------

def load_consolidate():
    return load_tool("consolidate_extracts")


EXTRACT_HEADER = ("sentence,value,unit,qualifier,low,high,measure,category,subject,subject_type,"
                  "territory,year,section,speaker,note\n")


def seed_row(pkg: Path, figure_id: str) -> dict:
    with open(pkg / "figures.csv", encoding="utf-8", newline="") as handle:
        return next(r for r in csv.DictReader(handle) if r["id"] == figure_id)


def write_extract(pkg: Path, chapter: str, rows: list[list[str]]) -> Path:
    folder = pkg / "extract"
    folder.mkdir(exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    path = folder / f"{chapter}.csv"
    path.write_text(EXTRACT_HEADER + buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def fake_extracts(pkg):
    """A grand-est extract: the seed figure again (from the proceedings, line 1354), a new
    figure about a known organisation, one with an unknown subject; a visioconference
    extract whose subject is one of the meetings."""
    seed = seed_row(pkg, "fig-est-001")
    write_extract(pkg, "grand-est", [
        [seed["sentence"], "33", "collectivités", "exact", "", "", "adhérents", "structures", "RTES",
         "réseau", "Grand Est", "2013", "est-discours-introductifs", "Christiane Bouchart", ""],
        ["Une phrase inventée pour le test, qui cite 12 emplois.", "12", "emplois", "exact", "", "",
         "emplois", "emploi", "conseil général de Meurthe-et-Moselle", "département", "Meurthe-et-Moselle",
         "2013", "", "", ""],
        ["Une phrase de test sur une structure inconnue, 7 projets.", "7", "projets", "environ", "", "",
         "projets", "autre", "Structure Inconnue", "association", "", "", "", "", ""],
    ])
    write_extract(pkg, "visioconference", [
        ["Une autre phrase de test : 3 ateliers à la rencontre.", "3", "autre", "exact", "", "",
         "autre", "autre", "Rencontre du Grand Est", "autre", "", "", "", "", ""],
    ])
    return pkg


def next_id(pkg: Path, prefix: str, step: int = 1) -> str:
    """The id the merge gives to the step-th new row of a chapter (ids are never reused)."""
    header, rows = read_rows(pkg / "figures.csv")
    numbers = [int(r[0][len(prefix):]) for r in rows if r[0].startswith(prefix)]
    return f"{prefix}{max(numbers, default=0) + step:03d}"


def test_consolidation_stops_on_unresolved_subject(fake_extracts, capsys):
    module = load_consolidate()
    before = (fake_extracts / "figures.csv").read_bytes()
    assert module.main(["--data", str(fake_extracts)]) == 1
    err = capsys.readouterr().err
    assert '"Structure Inconnue" (association) — data/extract/grand-est.csv:4' in err
    assert (fake_extracts / "figures.csv").read_bytes() == before  # nothing written


def test_consolidation_with_aliases(fake_extracts, capsys):
    (fake_extracts / "organisation_aliases.csv").write_text(
        "alias,organisation_id,meeting_id\nStructure inconnue,rtes,\n", encoding="utf-8")
    module = load_consolidate()
    n_before = len(load_package(fake_extracts / "datapackage.json")["figures"])
    est_1, est_2 = next_id(fake_extracts, "fig-est-"), next_id(fake_extracts, "fig-est-", 2)
    visio_1 = next_id(fake_extracts, "fig-visio-")
    assert module.main(["--data", str(fake_extracts)]) == 0
    figures = load_package(fake_extracts / "datapackage.json")["figures"].set_index("id")
    assert len(figures) == n_before + 3  # the seed row is kept, not duplicated
    assert figures.loc["fig-est-001", "value"] == 33
    assert figures.loc["fig-est-001", "stated_at"] == "nancy"
    assert figures.loc["fig-est-001", "speaker"] == "christiane-bouchart"  # the extract names her
    assert figures.loc[est_1, "subject_id"] == "departement-meurthe-et-moselle"
    assert figures.loc[est_1, "stated_at"] == "nancy"  # from the chapter
    assert pd.isna(figures.loc[est_1, "meeting_id"])  # about a département, not a meeting
    assert figures.loc[est_1, "status"] == "constaté"
    # reference data filled from the subject: its région and its code, at its level
    assert (figures.loc[est_1, "region_2013"], figures.loc[est_1, "department_code"]) == ("Lorraine", "54")
    assert pd.isna(figures.loc[est_1, "region_code"])
    assert figures.loc[est_2, "subject_id"] == "rtes"  # through the alias table
    # the subject names a meeting: meeting_id nancy, not visio as the chapter would give
    assert figures.loc[visio_1, "meeting_id"] == "nancy"
    assert figures.loc[visio_1, "stated_at"] == "visio"
    assert pd.isna(figures.loc[visio_1, "subject_id"])
    assert {"fig-visio-001", "fig-visio-002"} <= set(figures.index)  # kept, though not in the extract
    # chapter order: all the grand-est rows after the visioconference rows
    order = list(figures["chapter"])
    assert order.index("grand-est") > max(i for i, c in enumerate(order) if c == "visioconference")
    # a second run changes nothing: ids are stable
    first = (fake_extracts / "figures.csv").read_bytes()
    assert module.main(["--data", str(fake_extracts)]) == 0
    assert (fake_extracts / "figures.csv").read_bytes() == first


def test_consolidation_allow_unresolved(fake_extracts, capsys):
    module = load_consolidate()
    unknown = next_id(fake_extracts, "fig-est-", 2)
    assert module.main(["--data", str(fake_extracts), "--allow-unresolved"]) == 0
    err = capsys.readouterr().err
    assert "Structure Inconnue" in err
    figures = load_package(fake_extracts / "datapackage.json")["figures"].set_index("id")
    assert pd.isna(figures.loc[unknown, "subject_id"])
    assert figures.loc[unknown, "value"] == 7  # the row is kept


def test_consolidation_rejects_bad_value(pkg, capsys):
    write_extract(pkg, "sud-est", [
        ["Une phrase de test qui parle de 6 millions d'euros.", "6 millions", "EUR", "environ", "", "",
         "budget", "budget", "", "", "", "", "", "", ""],
    ])
    module = load_consolidate()
    assert module.main(["--data", str(pkg)]) == 1
    assert ("data/extract/sud-est.csv, ligne 2, colonne value : « 6 millions » n'est pas un nombre"
            in capsys.readouterr().err)


def test_consolidation_reports_invalid_result_with_its_source(pkg, capsys):
    write_extract(pkg, "sud-est", [
        ["Une phrase de test qui cite 5 choses.", "5", "choses", "exact", "", "",
         "autre", "autre", "", "", "", "", "", "", ""],
    ])
    module = load_consolidate()
    before = (pkg / "figures.csv").read_bytes()
    assert module.main(["--data", str(pkg)]) == 1
    err = capsys.readouterr().err
    assert "colonne unit : « choses » n'est pas une valeur permise" in err
    assert "[d'après data/extract/sud-est.csv:2]" in err
    assert (pkg / "figures.csv").read_bytes() == before


def test_consolidation_keeps_rows_missing_from_extract(pkg, capsys):
    write_extract(pkg, "grand-est", [
        ["Une phrase de test qui cite 12 emplois créés.", "12", "emplois", "exact", "", "",
         "emplois créés", "emploi", "", "", "", "", "", "", ""],
    ])
    module = load_consolidate()
    new = next_id(pkg, "fig-est-")
    assert module.main(["--data", str(pkg)]) == 0
    assert "Kept, not in data/extract/grand-est.csv: fig-est-001" in capsys.readouterr().err
    figures = load_package(pkg / "datapackage.json")["figures"]
    assert {"fig-est-001", new} <= set(figures["id"])


# --------------------------------------------------------------------------------------
# the rules of the columns (issue 15), on the real package
# --------------------------------------------------------------------------------------

def test_frictionless_itself_validates_the_package():
    """The schema alone says what is valid: Frictionless, not this project's loader,
    finds the package valid (constraints, primary keys, foreign keys)."""
    import frictionless

    report = frictionless.Package(str(PACKAGE)).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "message"])[:10]
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    figures = next(r for r in package["resources"] if r["name"] == "figures")
    referenced = {fk["reference"]["resource"] for fk in figures["schema"]["foreignKeys"]}
    assert {"organisations", "meetings", "people", ""} <= referenced


def test_same_fact_rows_are_counted_once():
    """The audit's repeated facts: each is counted once by count_once, through its
    reference row; the other mentions name it with « même fait » or « contredit »."""
    figures = load_package(PACKAGE)["figures"]
    once = count_once(figures)
    assert len(once) < len(figures)
    assert once["id"].tolist() == figures["fact_id"].drop_duplicates().tolist()  # one row per fact
    repeats = figures[figures["relation"].isin(REPEAT_RELATIONS)]
    assert set(repeats["id"]).isdisjoint(once["id"])
    assert set(repeats["related_figure_id"]) <= set(once["id"])  # every reference row is counted
    # the PTCE call for projects: 2 M€ once
    ptce = once[(once["value"] == 2_000_000) & (once["unit"] == "EUR")]
    assert len(ptce) == 1
    # Tarnos: 14 people in insertion once; the PTCE Sud-Aquitain's « vingtaine d'acteurs » once
    insertion = once[(once["subject_id"] == "restaurant-scic-tarnos") & (once["measure"] == "personnes en insertion")]
    assert len(insertion) == 1
    actors = once[(once["subject_id"] == "ptce-sud-aquitain") & (once["value"] == 20)]
    assert len(actors) == 1
    # « 4 rencontres »: five mentions, one fact
    four = figures[(figures["value"] == 4) & figures["sentence"].str.contains("rencontres")]
    assert len(four) >= 5 and len(count_once(four)) == 1
    # the restaurant's employees: 50 (reference) against « une quarantaine » (contredit)
    staff = figures[(figures["subject_id"] == "restaurant-scic-tarnos") & (figures["measure"] == "emplois")]
    assert sorted(staff["relation"].fillna("")) == ["", "contredit"]
    assert count_once(staff)["value"].tolist() == [50]


def test_reference_mention_is_the_first_in_reading_order():
    """data/README.md: the reference row of a fact is its first mention in the book's
    reading order (chapters as in _toc.yml, rows in the order of the text)."""
    figures = load_package(PACKAGE)["figures"].reset_index(drop=True)
    position = {figure_id: i for i, figure_id in enumerate(figures["id"])}
    for row in figures[figures["relation"].isin(REPEAT_RELATIONS)].itertuples():
        assert position[row.related_figure_id] < position[row.id], row.id
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "mention de référence" in readme


def test_range_rule_on_every_range_row():
    figures = load_package(PACKAGE)["figures"]
    ranges = figures[figures["qualifier"] == "fourchette"]
    assert len(ranges) >= 3  # « 2 ou 3 », « 25 à 30 », « 30 000 à 100 000 »
    assert (ranges["value"] == ranges["low"]).all()
    assert (ranges["low"] < ranges["high"]).all()
    others = figures[figures["qualifier"] != "fourchette"]
    assert others["low"].isna().all() and others["high"].isna().all()


def test_meeting_about_and_meeting_stated_at_are_distinct():
    tables = load_package(PACKAGE)
    figures = tables["figures"].set_index("id")
    chapter_meeting = {"grand-ouest": "rennes", "sud-ouest": "bordeaux", "visioconference": "visio",
                       "grand-est": "nancy", "sud-est": "grenoble"}
    territorial = figures[figures["chapter"].isin(chapter_meeting)]
    assert (territorial["stated_at"] == territorial["chapter"].map(chapter_meeting)).all()
    # the audit's cases: the national BPI envelope said at Nancy, the ministry's budget at Bordeaux
    bpi = figures[(figures["value"] == 500_000_000)].iloc[0]
    assert (pd.isna(bpi["meeting_id"]), bpi["stated_at"]) == (True, "nancy")
    ministry = figures[figures["subject_id"] == "ministere-ess"].iloc[0]
    assert (pd.isna(ministry["meeting_id"]), ministry["stated_at"]) == (True, "bordeaux")
    # a meeting's own participants are about it, wherever they are reported
    for meeting in tables["meetings"].dropna(subset=["participants_figure_id"]).itertuples():
        assert figures.loc[meeting.participants_figure_id, "meeting_id"] == meeting.id
    assert figures.loc["fig-visio-001", "stated_at"] == "visio"


def test_status_and_duration_policy():
    figures = load_package(PACKAGE)["figures"].set_index("id")
    assert set(figures["status"]) == {"constaté", "objectif", "hypothèse"}
    assert figures.loc["fig-sudest-016", "status"] == "objectif"  # « passer à 150 d'ici fin 2013 »
    assert figures.loc["fig-ouest-023", "status"] == "hypothèse"  # « le budget doublerait si… »
    # durations are not rows: no figure counts minutes or years
    assert not figures["note"].fillna("").str.contains(r"\bdurée\b|en minutes|en années").any()
    # a period is stated by the sentence of its row
    for row in figures.dropna(subset=["period"]).itertuples():
        words = {"par an": r"par an|annuel", "par jour": r"quotidien|tous les midis|par jour",
                 "par semaine": r"[Cc]haque semaine"}.get(row.period, row.period.replace("sur ", "sur "))
        assert re.search(words, row.sentence), (row.Index, row.period)


def test_codes_carry_their_level():
    tables = load_package(PACKAGE)
    organisations = tables["organisations"]
    columns = ["region_code", "department_code", "commune_code"]
    for kind, column in (("région", "region_code"), ("département", "department_code"),
                         ("commune", "commune_code")):
        rows = organisations[organisations["type"] == kind]
        assert rows[column].notna().all()
        assert rows[[c for c in columns if c != column]].isna().all().all()
    figures = tables["figures"]
    assert (figures[columns].notna().sum(axis=1) <= 1).all()  # one level per row
    # région 22 (Picardie) and département 22 (Côtes-d'Armor) can no longer be confused
    regions = organisations.dropna(subset=["region_code"])
    assert (regions["type"] == "région").all()


def test_codes_accept_corsica_and_refuse_other_letters(pkg):
    set_cell(pkg / "organisations.csv", "region-bretagne", "region_code", "")
    set_cell(pkg / "organisations.csv", "region-bretagne", "department_code", "2A")
    load_package(pkg / "datapackage.json")  # 2A is a département
    set_cell(pkg / "organisations.csv", "region-bretagne", "department_code", "")
    set_cell(pkg / "organisations.csv", "region-bretagne", "commune_code", "2B033")
    load_package(pkg / "datapackage.json")  # 2B033 is a commune
    line = set_cell(pkg / "organisations.csv", "region-bretagne", "commune_code", "2C033")
    assert f"data/organisations.csv, ligne {line}, colonne commune_code : « 2C033 » ne suit pas" in load_error(pkg)


def test_speaker_is_a_key_to_people(pkg):
    figures = load_package(PACKAGE)["figures"]
    people = load_package(PACKAGE)["people"]
    assert set(figures["speaker"].dropna()) <= set(people["id"])
    path = pkg / "figures.csv"
    fid = figures.dropna(subset=["speaker"])["id"].iloc[0]
    line = set_cell(path, fid, "speaker", "personne-inconnue")
    assert (f"data/figures.csv, ligne {line}, colonne speaker : « personne-inconnue » n'est pas un "
            "identifiant de data/people.csv" in load_error(pkg))


def test_every_csv_under_data_is_declared_or_stated_outside():
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    declared = {r["path"] for r in package["resources"]}
    outside = {p.relative_to(DATA).as_posix() for p in (DATA / "extract").glob("*.csv")}
    found = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*.csv")}
    assert found == declared | outside
    assert "extract/" in package["description"]  # stated in the package itself
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "hors du paquet" in readme
    assert [s["path"] for s in package["sources"]] == ["source/actes-territoires-ess-2013.ocr.txt"]
    assert (DATA / package["sources"][0]["path"]).is_file()


def test_related_rows_name_their_relation(pkg):
    figures = load_package(PACKAGE)["figures"]
    related = figures.dropna(subset=["related_figure_id"])
    assert related["relation"].notna().all()
    assert set(related["relation"]) == {"même fait", "contredit", "partie de"}
    path = pkg / "figures.csv"
    fid = related[related["relation"] == "même fait"]["id"].iloc[0]
    line = set_cell(path, fid, "relation", "")
    assert f"data/figures.csv, ligne {line}, colonne relation : related_figure_id et relation" in load_error(pkg)


# --------------------------------------------------------------------------------------
# the custom checks, one by one, on small tables
# --------------------------------------------------------------------------------------

def small_table(name: str, header: list[str], rows: list[list[str]]):
    from rtes_edition.data import _Table

    table = _Table(name=name, label=f"data/{name}.csv",
                   descriptor={"schema": {"fields": [{"name": h} for h in header]}})
    table.records = [(1, header)] + [(i + 2, r) for i, r in enumerate(rows)]
    return table


FIG_HEADER = ["id", "value", "unit", "qualifier", "low", "high", "related_figure_id", "relation"]


def test_check_range():
    from rtes_edition.data import check_range

    good = small_table("figures", FIG_HEADER, [["a", "25", "personnes", "fourchette", "25", "30", "", ""],
                                               ["b", "7", "personnes", "exact", "", "", "", ""]])
    assert check_range(good) == []
    centre = small_table("figures", FIG_HEADER, [["a", "27.5", "personnes", "fourchette", "25", "30", "", ""]])
    assert "value est la borne basse" in check_range(centre)[0][1]
    stray = small_table("figures", FIG_HEADER, [["a", "7", "personnes", "environ", "5", "", "", ""]])
    assert [line for line, _ in check_range(stray)] == [2]


def test_check_related_figures():
    from rtes_edition.data import check_related_figures

    rows = [["ref", "14", "personnes", "exact", "", "", "", ""],
            ["same", "14", "personnes", "exact", "", "", "ref", "même fait"],
            ["other", "40", "personnes", "environ", "", "", "ref", "contredit"],
            ["part", "2", "personnes", "exact", "", "", "ref", "partie de"]]
    assert check_related_figures(small_table("figures", FIG_HEADER, rows)) == []
    bad = [["ref", "14", "personnes", "exact", "", "", "", ""],
           ["same", "15", "personnes", "exact", "", "", "ref", "même fait"],      # another value
           ["chain", "15", "personnes", "exact", "", "", "same", "même fait"],    # not the reference
           ["alone", "3", "personnes", "exact", "", "", "ref", ""],               # no relation
           ["self", "3", "personnes", "exact", "", "", "self", "partie de"]]
    found = check_related_figures(small_table("figures", FIG_HEADER, bad))
    lines = sorted(line for line, _ in found)
    assert lines == [3, 4, 5, 6]
    assert any("écrire « contredit »" in m for _, m in found)
    assert any("renvoyer à la ligne de référence" in m for _, m in found)


def test_check_fact_id():
    from rtes_edition.data import check_fact_id

    header = FIG_HEADER + ["fact_id"]
    good = [["ref", "14", "personnes", "exact", "", "", "", "", "ref"],
            ["same", "14", "personnes", "exact", "", "", "ref", "même fait", "ref"],
            ["part", "2", "personnes", "exact", "", "", "ref", "partie de", "part"]]
    assert check_fact_id(small_table("figures", header, good)) == []
    bad = [["ref", "14", "personnes", "exact", "", "", "", "", "other"],
           ["same", "14", "personnes", "exact", "", "", "ref", "même fait", "same"]]
    assert [line for line, _ in check_fact_id(small_table("figures", header, bad))] == [2, 3]


def test_check_meeting_participants():
    from rtes_edition.data import check_meeting_participants

    figures = small_table("figures", ["id", "value", "qualifier", "meeting_id"], [["f", "50", "environ", "rennes"]])
    header = ["id", "participants", "participants_qualifier", "participants_figure_id"]
    good = small_table("meetings", header, [["rennes", "50", "environ", "f"], ["grenoble", "", "", ""]])
    assert check_meeting_participants(good, figures) == []
    bad = small_table("meetings", header, [["nancy", "50", "", "f"]])
    messages = " ".join(m for _, m in check_meeting_participants(bad, figures))
    assert "se remplissent ensemble" in messages and "porte sur la rencontre « rennes »" in messages


def test_check_coordinates_and_cooperation_ends():
    from rtes_edition.data import check_cooperation_ends, check_coordinates

    orgs = small_table("organisations", ["id", "latitude", "longitude"], [["a", "48.1", ""], ["b", "", ""]])
    assert [line for line, _ in check_coordinates(orgs)] == [2]
    coops = small_table("cooperations", ["id", "source_id", "target_id"], [["c", "rtes", "rtes"], ["d", "rtes", "arf"]])
    assert [line for line, _ in check_cooperation_ends(coops)] == [2]


# --------------------------------------------------------------------------------------
# tables saved by a spreadsheet program
# --------------------------------------------------------------------------------------

def test_excel_csv_utf8_with_bom_and_crlf_is_accepted(pkg):
    """Excel's « CSV UTF-8 »: byte order mark and CRLF line ends; same tables as before."""
    before = load_package(pkg / "datapackage.json")
    for name in ("figures.csv", "people_meetings.csv"):
        text = (pkg / name).read_text(encoding="utf-8")
        (pkg / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    after = load_package(pkg / "datapackage.json")
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def semicolon_copy(pkg: Path, separator: str) -> None:
    header, rows = read_rows(pkg / "figures.csv")
    with open(pkg / "figures.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=separator, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


@pytest.mark.parametrize("separator,name", [(";", "point-virgule « ; »"), ("\t", "tabulation")])
def test_semicolon_or_tab_file_gets_one_sentence(pkg, separator, name):
    semicolon_copy(pkg, separator)
    with pytest.raises(DataPackageError) as info:
        load_package(pkg / "datapackage.json")
    assert info.value.messages == [
        f"data/figures.csv : séparateur {name} détecté : enregistrer avec des virgules (Excel : « CSV UTF-8 "
        "(délimité par des virgules) » ; LibreOffice Calc : séparateur de champ « , »)"]


def test_windows_1252_file_gets_one_sentence(pkg):
    text = (pkg / "people.csv").read_text(encoding="utf-8")
    (pkg / "people.csv").write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    with pytest.raises(DataPackageError) as info:
        load_package(pkg / "datapackage.json")
    assert len(info.value.messages) == 1
    assert info.value.messages[0].startswith("data/people.csv : enregistré en Windows-1252 ou Latin-1 et non en "
                                             "UTF-8 (octet 0x")
    assert "l'enregistrer au format « CSV UTF-8 »" in info.value.messages[0]


def test_figure_pages_show_each_fact_once(html_dir):
    """The figures part: no chart (nor its table) draws a further mention of a fact; the
    explorer's table lists every mention and says which fact it repeats."""
    figures = load_package(PACKAGE)["figures"]
    repeats = figures[figures["relation"].isin(REPEAT_RELATIONS)]
    assert len(repeats) > 0
    for name in ("budgets", "emplois", "structures", "participation"):
        page = (html_dir / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        shown = [i for i in repeats["id"] if re.search(rf">\s*{re.escape(i)}\s*<", page)]
        assert shown == [], f"{name}: {shown}"
    explorer = (html_dir / "notebooks" / "explorateur.html").read_text(encoding="utf-8")
    chart = explorer[explorer.index('id="graphique-explorateur"'):explorer.index('id="explorateur-chiffres"')]
    assert not [i for i in repeats["id"] if re.search(rf">\s*{re.escape(i)}\s*<", chart)]
    for row in repeats.itertuples():
        assert f"donnee-{row.id}" in explorer  # every mention keeps its anchor
    assert re.search(r"(même|m\\\\u00eame) fait que fig-", explorer)  # itables writes its data as JSON


def test_short_row_is_reported_once_by_its_cell_count(pkg):
    path = pkg / "figures.csv"
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    path.write_text(text + "fig-ligne-tronquee,12,personnes\n", encoding="utf-8")
    with pytest.raises(DataPackageError) as info:
        load_package(pkg / "datapackage.json")
    assert info.value.messages == [
        f"data/figures.csv, ligne {line} : 3 cellules alors que la ligne d'en-tête a 27 colonnes"]
