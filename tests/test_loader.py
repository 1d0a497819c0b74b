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
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import load_tool
from rtes_edition.data import MAX_ERRORS, DataPackageError, load_package

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


def load_error(package_dir: Path) -> str:
    with pytest.raises(DataPackageError) as info:
        load_package(package_dir / "datapackage.json")
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

    monkeypatch.setattr(data, "VALIDATED_RECORD", tmp_path / "record.json")
    load_package(pkg / "datapackage.json")
    assert len(data._read_validated()) == 1

    checked = []
    real_check = data.validate_with_frictionless
    monkeypatch.setattr(data, "validate_with_frictionless",
                        lambda *args: checked.append(1) or real_check(*args))
    load_package(pkg / "datapackage.json")
    assert checked == []
    set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "note", "note corrigée")
    load_package(pkg / "datapackage.json")
    assert checked == [1]
    assert len(data._read_validated()) == 2

    line = set_cell(pkg / "figures.csv", first_id(pkg / "figures.csv"), "value", "beaucoup")
    for _ in range(2):  # reported the second time too: errors are not recorded
        assert f"data/figures.csv, ligne {line}, colonne value" in load_error(pkg)
    assert len(data._read_validated()) == 2


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
    position = raw.index("é".encode("utf-8"))
    path.write_bytes(raw[:position] + b"\xe9" + raw[position + 2:])
    line = raw[:position].count(b"\n") + 1
    assert f"data/cooperations.csv : enregistré en Windows-1252 ou Latin-1 et non en UTF-8 (octet 0xe9 à la ligne {line})" \
        in load_error(pkg)


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
