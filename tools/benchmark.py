"""Measure the book: build times, page sizes, chart drawing times (`make bench`).

Everything runs in private copies of the repository under a temporary folder, never in
the working tree: a clean build, a rebuild with nothing changed (the fixed cost of any
rebuild), a rebuild after a one-row data change, a rebuild after a one-word text change,
and, for comparison, the same book with Jupyter Book's default Plotly output (plotly.js
inlined into every chart, RTES_INLINE_PLOTLYJS=1). The charts are timed in headless
Chromium (Debian's), served from a loopback web server.

Prints a Markdown table with the budgets beside the measures and writes
``_build/benchmark.json``. ``--record`` also adds the table, dated, at the head of the
history in PERFORMANCES.md (below its ``benchmark:history`` marker; older ones stay).
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import http.server
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "benchmark.json"
CHROMIUM = "/usr/bin/chromium"
IGNORE = shutil.ignore_patterns("_build", ".venv", "node_modules", ".git", ".pytest_cache",
                                "__pycache__", ".ipynb_checkpoints")

BUDGET_REBUILD_SHARE = 0.25  # rebuild after a one-row change, share of the clean build
BUDGET_PAGE_KB = 300  # a page's own HTML
BUDGET_CHARTS_S = 1.5  # from navigation to every chart of the page drawn
SAMPLES = 3  # visits per chart page, each with an empty cache: the median is compared
STEP = re.compile(r"^    (.+): ([\d.]+) s$", re.M)
# the whole page parsed (no chart still to come) and every chart has its SVG
ALL_DRAWN = """() => document.readyState !== 'loading'
    && [...document.querySelectorAll('.plotly-graph-div')]
       .every(d => d.querySelector('.main-svg') !== null)"""


def copy_repo(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), **(env or {})}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark: « {' '.join(cmd)} » a échoué dans {cwd}:\n"
                 f"{(proc.stdout + proc.stderr)[-3000:]}")
    return elapsed, proc.stdout


def build(repo: Path) -> dict:
    total, out = timed([sys.executable, "tools/build_book.py"], repo)
    return {"total_s": round(total, 1),
            "steps_s": {name: float(s) for name, s in STEP.findall(out)}}


def change_one_row(repo: Path) -> str:
    """Reword the note of the first figure: a one-row change the notebooks depend on."""
    path = repo / "data" / "figures.csv"
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames, list(reader)
    rows[0]["note"] = (rows[0]["note"] + " (mesure)").strip()
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return f"data/figures.csv, ligne 2 ({rows[0]['id']}), colonne note"


def change_one_word(repo: Path) -> str:
    """Replace one word of prose in the first chapter of _toc.yml."""
    toc = (repo / "_toc.yml").read_text(encoding="utf-8")
    chapter = re.search(r"- file: (book/\S+)", toc).group(1) + ".md"
    path = repo / chapter
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line and line[0].isalpha():
            match = re.search(r"\b(\w{6,})\b", line)
            if match:
                word = match.group(1)
                lines[i] = line[:match.start()] + word.upper() + line[match.end():]
                path.write_text("\n".join(lines), encoding="utf-8")
                return f"{chapter}, ligne {i + 1} : « {word} »"
    sys.exit(f"benchmark: no prose line in {chapter}")


def pages_of(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts)


def sizes(site: Path) -> dict:
    pages = {p.relative_to(site).as_posix(): p.stat().st_size for p in pages_of(site)}
    static = site / "_static"
    shared = {
        "plotly.js": {p.name: p.stat().st_size
                      for p in sorted((static / "vendor").glob("plotly*.min.js"))},
        "_static (total)": sum(p.stat().st_size for p in static.rglob("*") if p.is_file()),
        "searchindex.js": (site / "searchindex.js").stat().st_size,
    }
    return {"pages": pages, "shared": shared}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def chart_times(site: Path) -> dict:
    """Per page with charts: ms from navigation to all charts drawn, cold and warm cache;
    and how many times each plotly.js bundle came over the network while reading every
    chart page (the site serves the smallest bundle that draws a page's charts)."""
    from playwright.sync_api import sync_playwright

    chart_pages = [p.relative_to(site).as_posix() for p in pages_of(site)
                   if "plotly-graph-div" in p.read_text(encoding="utf-8")]
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    # ms since the navigation started, read by the check itself the first time it passes
    # (read by a later call, it also counted whatever the page did in between)
    drawn_at = f"() => ({ALL_DRAWN})() && performance.now()"
    plotly_transfers = r"""() => performance.getEntriesByType('resource')
        .filter(e => /vendor\/plotly[^\/]*\.min\.js$/.test(e.name) && e.transferSize > 0)
        .map(e => e.name.split('/').pop())"""
    result = {"pages": {}, "plotly_downloads": {}, "plotly_script_tags": {}}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name in chart_pages:
                cold, warm = [], []
                for _ in range(SAMPLES):
                    context = browser.new_context()  # cold cache
                    page = context.new_page()
                    for times in (cold, warm):  # first visit, then again with the cache warm
                        page.goto(f"{url}/{name}", wait_until="commit")
                        drawn = page.wait_for_function(drawn_at, timeout=30_000, polling=10)
                        times.append(drawn.json_value() / 1000)
                        charts = page.locator(".plotly-graph-div").count()
                        page.goto("about:blank")
                    context.close()
                result["pages"][name] = {"charts": charts, "samples": SAMPLES,
                                         "cold_s": round(statistics.median(cold), 3),
                                         "cold_max_s": round(max(cold), 3),
                                         "warm_s": round(statistics.median(warm), 3)}
            # one reader going through every chart page: plotly.js should come over the
            # network once, then from the browser cache
            context = browser.new_context()
            page = context.new_page()
            for name in chart_pages:
                page.goto(f"{url}/{name}", wait_until="load")
                page.wait_for_function(ALL_DRAWN, timeout=30_000)
                for bundle in page.evaluate(plotly_transfers):
                    downloads = result["plotly_downloads"]
                    downloads[bundle] = downloads.get(bundle, 0) + 1
                result["plotly_script_tags"][name] = page.locator(
                    "script[src*='vendor/plotly'][src$='.min.js']").count()
            context.close()
            browser.close()
    finally:
        server.shutdown()
    return result


# The slow profile readers on a poor mobile connection get (issue 20): 1.6 Mbit/s down,
# 750 kbit/s up, 150 ms latency, a CPU 4 times slower; files served gzip-compressed as
# static hosts do.
SLOW_PROFILE = {"latency": 150, "downloadThroughput": 1_600_000 / 8,
                "uploadThroughput": 750_000 / 8, "cpu": 4}
BUDGET_FIRST_PAINT_S = 3.0  # from navigation to the first text drawn, slow profile
GZIP_TYPES = (".html", ".js", ".css", ".json", ".svg", ".txt", ".geojson", ".map")
FIRST_PAINT = """() => { const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? e.startTime : null; }"""


class _Gzip(http.server.SimpleHTTPRequestHandler):
    """Text files gzip-compressed when the browser accepts it, as a static host serves them."""

    cache: dict = {}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in GZIP_TYPES or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        if path not in self.cache:
            self.cache[path] = gzip.compress(path.read_bytes(), 6)
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def first_paint_times(site: Path, pages: list[str] | None = None) -> dict:
    """Per page, on the slow profile with an empty cache: s from navigation to the first
    text drawn (first contentful paint) and, on chart pages, to every chart drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    pages = pages or [p.relative_to(site).as_posix() for p in pages_of(site)
                      if p.name != "index.html" or p.parent != site]  # the root only redirects
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Gzip, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    result = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name in pages:
                for attempt in (1, 2):  # a busy machine can time one visit out
                    try:
                        entry = _first_paint(browser, f"{url}/{name}")
                        break
                    except PlaywrightTimeout:
                        if attempt == 2:
                            raise
                result[name] = entry
                print(f"    {name}: {entry}", flush=True)
            browser.close()
    finally:
        server.shutdown()
    return result


def _first_paint(browser, url: str) -> dict:
    """One visit of ``url`` with an empty cache on the slow profile."""
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": SLOW_PROFILE["latency"],
            "downloadThroughput": SLOW_PROFILE["downloadThroughput"],
            "uploadThroughput": SLOW_PROFILE["uploadThroughput"]})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOW_PROFILE["cpu"]})
        page.goto(url, wait_until="commit")
        painted = page.wait_for_function(FIRST_PAINT, timeout=60_000, polling=50)
        entry = {"first_paint_s": round(painted.json_value() / 1000, 2)}
        if page.locator(".plotly-graph-div").count():
            drawn = page.wait_for_function(
                f"() => ({ALL_DRAWN})() && performance.now()", timeout=120_000, polling=50)
            entry["charts_s"] = round(drawn.json_value() / 1000, 2)
        return entry
    finally:
        context.close()


def first_paint_table(times: dict) -> list[str]:
    slowest = max(times, key=lambda n: times[n]["first_paint_s"])
    worst = times[slowest]["first_paint_s"]
    lines = [f"| Premier affichage du texte, connexion lente (1,6 Mbit/s, 150 ms, processeur "
             f"4× plus lent, fichiers compressés gzip), cache vide : la page la plus lente, "
             f"`{slowest}` | {fr(worst, 2)} s | ≤ {fr(BUDGET_FIRST_PAINT_S, 1)} s | "
             f"{verdict(worst <= BUDGET_FIRST_PAINT_S)} |"]
    for name, entry in times.items():
        if "charts_s" in entry:
            lines.append(f"| `{name}`, même connexion : texte affiché / graphiques tracés | "
                         f"{fr(entry['first_paint_s'], 2)} s / {fr(entry['charts_s'], 2)} s | "
                         f"≤ {fr(BUDGET_FIRST_PAINT_S, 1)} s (texte) | "
                         f"{verdict(entry['first_paint_s'] <= BUDGET_FIRST_PAINT_S)} |")
    return lines


def kb(n: int) -> str:
    digits = 1 if n < 10 * 1024 else 0
    return f"{n / 1024:,.{digits}f} Ko".replace(",", "\u202f").replace(".", ",")


def verdict(ok: bool) -> str:
    return "respecté" if ok else "**dépassé**"


def fr(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def pct(x: float) -> str:
    return f"{x * 100:.0f}\u202f%"


def table(m: dict) -> str:
    clean, row, word = m["clean_build"], m["rebuild_one_row"], m["rebuild_one_word"]
    share = row["total_s"] / clean["total_s"]

    def steps(build: dict) -> list[str]:
        """The build's own steps (tools/build_book.py), the three that take time."""
        return [f"| dont {name} | {fr(build['steps_s'].get(step, 0.0), 1)} s | | |"
                for name, step in (("exécution des carnets (en parallèle)", "exécution des carnets"),
                                   ("site HTML", "site HTML"), ("PDF", "PDF"))]

    lines = [
        "| Mesure | Valeur | Budget | |",
        "| --- | --- | --- | --- |",
        f"| Construction complète (validation, carnets, HTML, PDF) | {fr(clean['total_s'], 1)} s | | |",
        *steps(clean),
        f"| Reconstruction après une ligne de données modifiée | {fr(row['total_s'], 1)} s "
        f"({pct(share)} de la complète) | ≤ {pct(BUDGET_REBUILD_SHARE)} | "
        f"{verdict(share <= BUDGET_REBUILD_SHARE)} |",
        *steps(row),
        f"| Reconstruction sans aucun changement (ce que toute reconstruction paie : "
        f"vérifications, deux démarrages de Sphinx, LaTeX) | {fr(m['rebuild_nothing']['total_s'], 1)} s "
        f"({pct(m['rebuild_nothing']['total_s'] / clean['total_s'])}) | | |",
        f"| Reconstruction après un mot du texte modifié | {fr(word['total_s'], 1)} s "
        f"({pct(word['total_s'] / clean['total_s'])}) | | |",
    ]
    ours, default = m["sizes"]["pages"], m["default_plotly_sizes"]["pages"]
    biggest = max(ours, key=ours.get)
    lines.append(f"| Page la plus lourde (HTML propre) : `{biggest}` | {kb(ours[biggest])} | "
                 f"≤ {BUDGET_PAGE_KB} Ko | {verdict(ours[biggest] <= BUDGET_PAGE_KB * 1024)} |")
    for name, info in m["charts"]["pages"].items():
        lines.append(
            f"| `{name}` ({info['charts']} graphique(s), {kb(ours[name])} ; "
            f"{kb(default[name])} avec plotly.js intégré) : tous les graphiques tracés en "
            f"(médiane de {info['samples']} visites, cache vide) "
            f"| {fr(info['cold_s'], 2)} s (la plus lente : {fr(info['cold_max_s'], 2)} s ; "
            f"cache chaud : {fr(info['warm_s'], 2)} s) "
            f"| ≤ {fr(BUDGET_CHARTS_S, 1)} s | "
            f"{verdict(info['cold_s'] <= BUDGET_CHARTS_S)} |")
    others = [n for n in ours if n not in m["charts"]["pages"]]
    if others:
        lines.append(f"| Autres pages ({len(others)}), HTML propre | "
                     f"{kb(min(ours[n] for n in others))} à {kb(max(ours[n] for n in others))} "
                     f"| ≤ {BUDGET_PAGE_KB} Ko | "
                     f"{verdict(max(ours[n] for n in others) <= BUDGET_PAGE_KB * 1024)} |")
    shared = m["sizes"]["shared"]
    downloads = m["charts"]["plotly_downloads"]
    once = (set(downloads.values()) == {1}
            and set(m["charts"]["plotly_script_tags"].values()) == {1})
    bundles = " ; ".join(f"`{n}` {kb(size)}" for n, size in shared["plotly.js"].items())
    lines += [
        f"| Ressources partagées : `_static/` | {kb(shared['_static (total)'])} "
        f"(dont plotly.js : {bundles}) ; index de recherche "
        f"{kb(shared['searchindex.js'])} | | |",
        "| plotly.js téléchargé en lisant toutes les pages à graphiques | "
        + (" ; ".join(f"`{n}` {c} fois" for n, c in sorted(downloads.items())) or "jamais")
        + f" | chaque paquet une fois, puis cache | {verdict(once)} |",
        f"| Total des pages à graphiques : intégré (défaut Jupyter Book) / partagé | "
        f"{kb(sum(default[n] for n in m['charts']['pages']))} / "
        f"{kb(sum(ours[n] for n in m['charts']['pages']))} | | |",
    ]
    if "first_paint" in m:
        lines += first_paint_table(m["first_paint"])
    return "\n".join(lines)


def record(text: str, when: str) -> None:
    """Add this measure, dated, at the head of PERFORMANCES.md's history: the page keeps
    every earlier one, so that a change of speed shows against the last measures."""
    page = ROOT / "PERFORMANCES.md"
    content = page.read_text(encoding="utf-8")
    marker = "<!-- benchmark:history -->"
    if marker not in content:
        sys.exit(f"benchmark: {page.name} has no {marker} marker")
    head, tail = content.split(marker, 1)
    entry = f"### {datetime.now(UTC):%d/%m/%Y}\n\n{when}\n\n{text}\n"
    page.write_text(f"{head}{marker}\n{entry}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true",
                        help="add the table at the head of the history in PERFORMANCES.md")
    parser.add_argument("--first-paint", nargs="*", metavar="PAGE",
                        help="only time the first paint on the slow profile, on the site "
                             "already built in _build/html (every page, or the pages named)")
    args = parser.parse_args()
    if args.first_paint is not None:
        times = first_paint_times(ROOT / "_build" / "html", args.first_paint)
        print("\n".join(first_paint_table(times)))
        return
    measures: dict = {}
    load = os.getloadavg()[0]  # other work on the machine slows every measure
    with tempfile.TemporaryDirectory(prefix="rtes-bench-") as tmp:
        repo = copy_repo(Path(tmp) / "book")
        print("==> construction complète", flush=True)
        measures["clean_build"] = build(repo)
        site = repo / "_build" / "html"
        measures["sizes"] = sizes(site)
        print("==> graphiques dans Chromium", flush=True)
        measures["charts"] = chart_times(site)
        print("==> premier affichage sur une connexion lente", flush=True)
        measures["first_paint"] = first_paint_times(site)
        print("==> rien de modifié", flush=True)
        measures["rebuild_nothing"] = build(repo)  # what every rebuild pays at least
        print("==> une ligne de données modifiée", flush=True)
        measures["rebuild_one_row"] = {"change": change_one_row(repo), **build(repo)}
        print("==> un mot du texte modifié", flush=True)
        measures["rebuild_one_word"] = {"change": change_one_word(repo), **build(repo)}

        print("==> même livre, plotly.js intégré à chaque graphique", flush=True)
        default = copy_repo(Path(tmp) / "default")
        jb = str(Path(sys.executable).parent / "jupyter-book")
        seconds, _ = timed([jb, "build", str(default), "--builder", "html"], default,
                           env={"RTES_INLINE_PLOTLYJS": "1"})
        measures["default_plotly_sizes"] = {"html_build_s": round(seconds, 1),
                                            **sizes(default / "_build" / "html")}

    when = (f"Mesuré le {datetime.now(UTC):%d/%m/%Y} sur {os.cpu_count()} cœurs "
            f"({platform.machine()}, Python {platform.python_version()}), `make bench` ; "
            f"charge de la machine au départ : {fr(load, 1)} (moyenne sur 1 min).")
    measures["measured"] = when
    text = table(measures)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(measures, indent=1, ensure_ascii=False), encoding="utf-8")
    print()
    print(when)
    print()
    print(text)
    print(f"\nMesures détaillées : {OUT}")
    if args.record:
        record(text, when)


if __name__ == "__main__":
    main()
