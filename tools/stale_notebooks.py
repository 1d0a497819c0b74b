"""Make jupyter-cache re-execute the notebooks whose *inputs* changed.

jupyter-cache keys a notebook on its own code cells only: a corrected row in
data/figures.csv or a fix in rtes_edition/ would leave the old figures in the book
(jupyter-book#1633). Each notebook declares what it reads in its metadata
(``"rtes": {"inputs": ["data/figures.csv", ...]}``; by default: all of data/ and
rtes_edition/). A pattern ending in ``#headings`` (``"book/*.md#headings"``) stands for
the section labels and titles of those chapters only, which is all that the provenance
links read from them: a corrected word in a chapter re-executes no notebook, a renamed
section does. This script hashes those inputs, compares with the hashes recorded at the
last build, and drops the cache record of each notebook whose inputs changed, so that the
build executes that notebook, and only that one, again.

Dropping the record is not enough on its own: Sphinx re-reads a document only when its
source file is newer than its doctree, and myst-nb executes a notebook only while reading
it. The script therefore also touches (mtime only) each stale notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rtes_edition.provenance import labelled_headings  # noqa: E402  (the notebooks' reader)

CACHE = ROOT / "_build" / ".jupyter_cache"
RECORD = ROOT / "_build" / ".notebook-inputs.json"
DEFAULT_INPUTS = ["data/*.csv", "data/datapackage.json", "rtes_edition/*.py"]


HEADINGS = "#headings"


def inputs_of(notebook: Path) -> list[tuple[Path, bool]]:
    """(file, headings only?) for each input the notebook declares."""
    meta = nbformat.read(notebook, as_version=4).metadata.get("rtes", {})
    patterns = meta.get("inputs", DEFAULT_INPUTS) + ["rtes_edition/*.py"]
    found = set()
    for pattern in patterns:
        only_headings = pattern.endswith(HEADINGS)
        for path in ROOT.glob(pattern.removesuffix(HEADINGS)):
            found.add((path, only_headings))
    return sorted(found)


def content(path: Path, only_headings: bool) -> bytes:
    data = path.read_bytes()
    if not only_headings:
        return data
    return json.dumps(labelled_headings(data.decode("utf-8")), ensure_ascii=False).encode()


def digest(inputs: list[tuple[Path, bool]]) -> str:
    h = hashlib.sha256()
    for path, only_headings in inputs:
        h.update(f"{path.relative_to(ROOT)}{HEADINGS if only_headings else ''}".encode())
        h.update(content(path, only_headings))
    return h.hexdigest()


def main() -> None:
    previous = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    current, stale = {}, []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        key = str(nb.relative_to(ROOT))
        current[key] = digest(inputs_of(nb))
        if previous.get(key) != current[key]:
            stale.append(nb)
    if CACHE.exists() and stale:
        from jupyter_cache import get_cache

        cache = get_cache(CACHE)
        for nb in stale:
            try:
                record = cache.match_cache_file(nb)
            except KeyError:
                continue  # never executed: the build will execute it anyway
            cache.remove_cache(record.pk)
    # tools/build_book.py gives the time the build started: the touch then makes no
    # notebook look edited after that build (`make publish` refuses a site older than its
    # sources), and is still newer than any doctree of an earlier build.
    touched = float(os.environ.get("RTES_BUILD_STARTED") or 0) or None
    for nb in stale:
        # see the docstring: makes Sphinx read, hence execute, it again
        os.utime(nb, (touched, touched) if touched else None)
        print(f"    à ré-exécuter : {nb.relative_to(ROOT)}")
    RECORD.parent.mkdir(parents=True, exist_ok=True)
    RECORD.write_text(json.dumps(current, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
