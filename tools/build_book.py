"""Build the book: HTML site, PDF and EPUB, strictly, without ever publishing a half-built book.

Order: validate the data package (a broken table stops here, with file/row/column);
find the notebooks whose inputs changed and execute them side by side; build the HTML,
the PDF and the EPUB into a staging folder with -W -n --keep-going (any warning, broken
reference or notebook error fails); copy the PDF and the EPUB into the site; pack the site
into its offline copy (:func:`offline_copy`); only then replace ``_build/html`` and
``_build/latex``. ``_build/last-build.json`` records when the last build started and
whether it succeeded (``make publish`` reads it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from rtes_edition.build import OFFLINE_COPY

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
STAGING = BUILD / "staging"
LOGS = BUILD / "logs"
STATUS = BUILD / "last-build.json"
VALIDATED = BUILD / ".validated-package.json"  # rtes_edition.data.load_package(validated_record=)
PDF_NAME = "actes-territoires-ess-2013.pdf"
EPUB_NAME = "actes-territoires-ess-2013.epub"
# The whole site in one archive, « Lire hors ligne » (download menu and colophon): unzipped,
# a double-click on index.html opens the book from disk.
OFFLINE_NAME = OFFLINE_COPY
OFFLINE_FOLDER = "actes-territoires-ess-2013"
# what the site offers as downloads of their own: the PDF, the EPUB, and the data package's zip
# (its tables stay in the copy, one by one, as the pages link to them)
OFFLINE_LEFT_OUT = (PDF_NAME, EPUB_NAME, "donnees/*.zip", ".buildinfo", OFFLINE_NAME)
JB = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going"]


def run(step: str, cmd: list[str], log: str | None = None, env: dict[str, str] | None = None) -> float:
    """Run one step; its output goes to the terminal and, if ``log`` is given, to
    ``_build/logs/<log>.log`` (the tests read the logs to check there was no warning)."""
    print(f"==> {step}", flush=True)
    start = time.perf_counter()
    if log:
        LOGS.mkdir(parents=True, exist_ok=True)
        with open(LOGS / f"{log}.log", "w", encoding="utf-8") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, env=env,
                                    stderr=subprocess.STDOUT, text=True)
            for line in proc.stdout:
                sys.stdout.write(line)
                out.write(line)
            result = proc.wait()
    else:
        result = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    elapsed = time.perf_counter() - start
    if result != 0:
        sys.exit(f"ÉCHEC ({step}) : voir les messages ci-dessus. "
                 f"Le site publié dans {BUILD / 'html'} n'a pas été modifié.")
    print(f"    {step}: {elapsed:.1f} s", flush=True)
    return elapsed


def record(state: str, started: float) -> None:
    """The outcome of this build: "running" until it ends (a killed build stays so),
    then "succeeded" or "failed"."""
    BUILD.mkdir(exist_ok=True)
    STATUS.write_text(json.dumps({"state": state, "started": started}) + "\n", encoding="utf-8")


def main() -> None:
    started = time.time()
    record("running", started)
    try:
        build(started)
    except BaseException:
        record("failed", started)
        raise
    record("succeeded", started)


def build(started: float) -> None:
    # recorded as valid: each notebook then loads it without validating it again
    run("validation des données", [sys.executable, "-m", "rtes_edition.data",
                                   str(ROOT / "data" / "datapackage.json"), "--record", str(VALIDATED)])
    run("carnets à ré-exécuter", [sys.executable, str(ROOT / "tools" / "stale_notebooks.py")],
        env={**os.environ, "RTES_BUILD_STARTED": str(started)})
    run("exécution des carnets", [sys.executable, str(ROOT / "tools" / "execute_notebooks.py")])
    if STAGING.exists():
        shutil.rmtree(STAGING)
    # The staging build reuses the previous doctrees so that a rebuild stays incremental.
    for kind in ("html", "latex", "jupyter_execute", ".doctrees"):
        previous = BUILD / kind
        if previous.exists():
            shutil.copytree(previous, STAGING / "_build" / kind, symlinks=True)
    run("site HTML", JB + ["--path-output", str(STAGING), "--builder", "html"], log="html")
    # latexmk -xelatex: each LaTeX pass writes only an .xdv and xdvipdfmx makes the PDF
    # once at the end, instead of a whole PDF at every pass (Sphinx's Makefile suggests it).
    run("PDF", JB + ["--path-output", str(STAGING), "--builder", "pdflatex"], log="pdf",
        env={**os.environ, "LATEXMKOPTS": "-xelatex"})

    staged = STAGING / "_build"
    pdf = staged / "latex" / PDF_NAME
    if not pdf.exists():
        sys.exit(f"ÉCHEC : le PDF {pdf} n'a pas été produit.")
    shutil.copyfile(pdf, staged / "html" / PDF_NAME)

    # The EPUB: Sphinx's epub builder on the doctrees the HTML build left (it reads nothing
    # again), with the PDF's title page as its cover (book/_ext/epub.py).
    cover = staged / "epub-cover.png"
    run("couverture de l'EPUB", ["pdftoppm", "-png", "-r", "120", "-f", "1", "-l", "1",
                                 "-singlefile", str(pdf), str(cover.with_suffix(""))])
    run("EPUB", JB + ["--path-output", str(STAGING), "--builder", "custom",
                      "--custom-builder", "epub"], log="epub",
        env={**os.environ, "RTES_EPUB_COVER": str(cover)})
    epub = staged / "epub" / EPUB_NAME
    if not epub.exists():
        sys.exit(f"ÉCHEC : l'EPUB {epub} n'a pas été produit.")
    shutil.copyfile(epub, staged / "html" / EPUB_NAME)
    offline_copy(staged / "html")

    for kind in ("html", "latex", "jupyter_execute", ".doctrees"):
        target, new = BUILD / kind, staged / kind
        if target.exists():
            shutil.rmtree(target)
        if new.exists():
            new.rename(target)
    shutil.rmtree(STAGING)
    print(f"Livre construit : {BUILD / 'html' / 'index.html'}, {BUILD / 'html' / PDF_NAME} "
          f"et {BUILD / 'html' / EPUB_NAME}")


def offline_copy(site: Path) -> Path:
    """Pack ``site`` into ``site/OFFLINE_NAME``, every file under one folder, in a set
    order and with a fixed date (two builds of the same book give the same archive)."""
    target = site / OFFLINE_NAME
    files = sorted(p for p in site.rglob("*") if p.is_file()
                   and not any(p.relative_to(site).match(pattern) for pattern in OFFLINE_LEFT_OUT))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = f"{OFFLINE_FOLDER}/{path.relative_to(site).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=(2013, 9, 12, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


if __name__ == "__main__":
    main()
