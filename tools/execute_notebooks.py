"""Execute side by side the notebooks that the build will need to run, before Sphinx reads them.

myst-nb executes a notebook while Sphinx reads it, one notebook after the other, and most
of a notebook's time is spent waiting (its kernel starting, Chromium starting for the
print images). This step runs every notebook that jupyter-cache has no record for (never
built, or dropped by tools/stale_notebooks.py) in parallel, one process per processor (up
to four), exactly as myst-nb would: same cache, the notebook's folder as working
directory, the timeout of _config.yml, errors not allowed. It records each result in the
cache, where myst-nb then finds it instead of executing the notebook again.

A notebook that fails is not recorded: Sphinx executes it again and stops the build with
its usual message naming the notebook and the cell.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MAX_WORKERS = 4


def execute(path: str, timeout: int) -> tuple[str, str | None, float, str | None]:
    """Run one notebook (in a worker process): (path, executed notebook or None, seconds, error)."""
    from jupyter_cache.executors.utils import single_nb_execution

    notebook = nbformat.read(path, as_version=4)
    result = single_nb_execution(notebook, cwd=str(Path(path).parent), timeout=timeout,
                                 allow_errors=False, meta_override=True)
    if result.err is not None:
        return path, None, result.time, type(result.err).__name__
    return path, nbformat.writes(notebook), result.time, None


def main() -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["execute"]
    cache = get_cache(ROOT / config["cache"])
    todo = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            todo.append(str(path))
    if not todo:
        return
    # the processors this process may use (a container's share, not the host's count),
    # and at most four: each notebook starts a kernel and a Chromium
    workers = min(len(todo), len(os.sched_getaffinity(0)), MAX_WORKERS)
    # spawn: a fresh interpreter per worker, nothing inherited from this one's database handle
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(execute, todo, [config["timeout"]] * len(todo)))
    for path, text, seconds, error in results:
        name = Path(path).relative_to(ROOT)
        if error:
            print(f"    {name} : échec ({error}), la construction l'exécutera et dira où", flush=True)
            continue
        record = cache.add_nb_to_project(path)
        cache.cache_notebook_bundle(
            CacheBundleIn(nbformat.reads(text, as_version=4), record.uri,
                          data={"execution_seconds": seconds}),
            check_validity=False, overwrite=True)
        print(f"    {name} : exécuté en {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
