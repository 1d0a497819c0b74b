"""The book's table of contents, ``_toc.yml``: its one list of chapters, and the folder
that holds it.

The package does not assume where it is installed: the edition's folder is the nearest
one holding ``_toc.yml`` from where the caller runs (a notebook in ``notebooks/``, the
build and the tests at the root), unless the caller names it.
"""

from __future__ import annotations

from pathlib import Path

TOC = "_toc.yml"
PROCEEDINGS = "Les actes"
"""The caption of the part of ``_toc.yml`` that holds the chapters of the proceedings."""


def find_root(start: str | Path | None = None) -> Path:
    """The nearest folder holding ``_toc.yml``, from ``start`` (by default the working
    directory) up."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / TOC).is_file():
            return folder
    raise FileNotFoundError(f"{TOC} introuvable dans {here} ni au-dessus : lancer depuis le dossier de l'édition")


def files(root: Path, caption: str | None = None) -> list[str]:
    """The documents of ``_toc.yml`` in their order (``book/grand-ouest``), those of the
    part captioned ``caption`` only when given."""
    import yaml

    toc = yaml.safe_load((Path(root) / TOC).read_text(encoding="utf-8"))
    parts = [p for p in toc.get("parts", []) if caption is None or p.get("caption") == caption]
    if caption is not None and not parts:
        raise ValueError(f"{Path(root) / TOC} : aucune partie « {caption} »")
    return [chapter["file"] for part in parts for chapter in part.get("chapters", [])]


def chapters(root: Path) -> list[str]:
    """The chapters of the proceedings, by file name (``grand-ouest``), in the book's order."""
    return [Path(f).name for f in files(root, PROCEEDINGS)]
