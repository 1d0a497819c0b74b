"""Execute side by side the notebooks that the build will need to run, before Sphinx reads them.

myst-nb executes a notebook while Sphinx reads it, one notebook after the other, and most
of a notebook's time is spent waiting (its kernel starting, Chromium starting for the
print images). This step gives every notebook that jupyter-cache has no record for (never
built, or dropped by tools/stale_notebooks.py) to jupyter-cache's own parallel executor
(``local-parallel``: one process per processor, the notebook's folder as working
directory), with the timeout of _config.yml and errors not allowed. It records each result
in the cache, where myst-nb then finds it instead of executing the notebook again.

A notebook that fails is not recorded: Sphinx executes it again and stops the build with
its usual message naming the notebook and the cell.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["execute"]
    cache = get_cache(ROOT / config["cache"])
    todo = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            cache.add_nb_to_project(str(path))
            todo.append(str(path))
    if not todo:
        return
    result = load_executor("local-parallel", cache=cache).run_and_cache(
        filter_uris=todo, timeout=config["timeout"], allow_errors=False)
    for path in todo:
        name = Path(path).relative_to(ROOT)
        if path in result.succeeded:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
            print(f"    {name} : exécuté en {record.data['execution_seconds']:.1f} s", flush=True)
        else:
            print(f"    {name} : échec, la construction l'exécutera et dira où", flush=True)


if __name__ == "__main__":
    sys.exit(main())
