"""Shared fixtures: the built book, a local web server for it, a headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
LOGS = ROOT / "_build" / "logs"
PDF = HTML / "actes-territoires-ess-2013.pdf"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
# Sphinx's search lists its results one by one (a timer each) and writes its summary line
# last: the search is over when the summary has text, not when the list has an item.
SEARCH_DONE = "() => (document.querySelector('#search-results .search-summary')?.textContent || '').trim() !== ''"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML} is not built: run `make book` (or `make test`, which builds it)")
    return HTML


@pytest.fixture(scope="session")
def html_pages(html_dir) -> list[Path]:
    """Every content page of the site (not the search page nor the genindex)."""
    pages = sorted(p for p in html_dir.rglob("*.html")
                   if "_static" not in p.parts and "_sources" not in p.parts)
    assert pages, "no HTML page built"
    return pages


@pytest.fixture(scope="session")
def pdf_path(html_dir) -> Path:
    assert PDF.exists(), f"the PDF is missing from the site: {PDF}"
    return PDF


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(html_dir):
    """Serve the built site on a free loopback port for the browser tests."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageVisit:
    """A page opened in Chromium, with the requests it made and its console errors."""

    def __init__(self, browser, url: str, origin: str):
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.page.on("request", lambda r: None if r.url.startswith(origin)
                     or r.url.startswith("data:") or r.url.startswith("blob:")
                     else self.foreign_requests.append(r.url))
        self.page.on("console", lambda m: self.console_errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("response", lambda r: self.console_errors.append(f"HTTP {r.status}: {r.url}")
                     if r.status >= 400 else None)
        self.page.goto(url, wait_until="networkidle")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site_url):
    opened = []

    def _visit(path: str) -> PageVisit:
        v = PageVisit(browser, f"{site_url}/{path}", site_url)
        opened.append(v)
        return v

    yield _visit
    for v in opened:
        v.close()


# --- One pass over every page, for the tests that look at each page as it is drawn -------

SUB_PATH = "actes"
CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .every(d => d.querySelector('.main-svg') !== null)"""
# Images without a text alternative, as the browser has them after scripts ran.
UNLABELLED_IMAGES = """() => {
  const hidden = (el) => el.closest('[aria-hidden="true"], [role="presentation"], [role="none"]');
  const named = (el) => (el.getAttribute('aria-label') || '').trim()
    || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(
         id => id && (document.getElementById(id)?.textContent || '').trim())
    || (el.getAttribute('title') || '').trim();
  const out = [];
  for (const img of document.querySelectorAll('img, input[type=image], area')) {
    if (hidden(img)) continue;
    if (img.getAttribute('alt') === null || (!img.getAttribute('alt').trim() && !named(img)))
      out.push(img.outerHTML.slice(0, 160));
  }
  for (const el of document.querySelectorAll('[role=img], svg[role=img]')) {
    if (!hidden(el) && !named(el)) out.push(el.outerHTML.slice(0, 160));
  }
  // a chart is an image too: its text alternative is the description it points to
  for (const chart of document.querySelectorAll('.plotly-graph-div')) {
    const box = chart.closest('[aria-describedby]');
    const desc = box && document.getElementById(box.getAttribute('aria-describedby'));
    if (!desc || !desc.textContent.trim()) out.push('chart ' + chart.id + ' has no description');
  }
  return out;
}"""
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def run_axe(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on ``page`` as it is now."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG_TAGS)


@pytest.fixture(scope="session")
def sub_path_url(html_dir, tmp_path_factory):
    """The built site served at http://127.0.0.1:<port>/actes/, as on a host that puts it
    in a folder (GitHub Pages of a project, a web server's sub-directory)."""
    top = tmp_path_factory.mktemp("host")
    (top / SUB_PATH).symlink_to(html_dir, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(top))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
    server.shutdown()


def _aborted_but_present(request, base: str, site: Path) -> bool:
    """A request that closing the page cut short (the favicon, late), for a file the site
    has: not a failure of the site."""
    if "ERR_ABORTED" not in (request.failure or "") or not request.url.startswith(base):
        return False
    return (site / unquote(urlsplit(request.url).path[len(SUB_PATH) + 2:])).is_file()


@pytest.fixture(scope="session")
def site_pass(browser, sub_path_url, html_dir, html_pages) -> dict[str, dict]:
    """Each page of the site opened once in Chromium, served under a sub-path (/actes/),
    after its charts were drawn (or 20 s passed), with what the tests of every page need:
    its console errors and failed requests, the requests that left /actes/ or the host, its
    charts, its images without a text alternative, and axe-core's violations once its
    folded data tables are open (they are audited unfolded too). One pass instead of one
    per test: the pages load once."""
    origin = sub_path_url.split(f"/{SUB_PATH}/")[0]
    results = {}
    context = browser.new_context()
    try:
        for path in html_pages:
            name = path.relative_to(html_dir).as_posix()
            seen = {"console": [], "foreign": [], "outside": [], "failed": []}
            page = context.new_page()
            page.on("console", lambda m, seen=seen: seen["console"].append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e, seen=seen: seen["console"].append(str(e)))
            page.on("response", lambda r, seen=seen: seen["console"].append(f"HTTP {r.status}: {r.url}")
                    if r.status >= 400 else None)
            page.on("request", lambda r, seen=seen: None if r.url.startswith((sub_path_url, "data:", "blob:"))
                    else seen["outside"].append(r.url))
            page.on("request", lambda r, seen=seen: None if r.url.startswith((origin, "data:", "blob:"))
                    else seen["foreign"].append(r.url))
            page.on("requestfailed", lambda r, seen=seen: None if _aborted_but_present(r, sub_path_url, html_dir)
                    else seen["failed"].append(f"{r.url} {r.failure}"))
            page.goto(sub_path_url + name, wait_until="networkidle")
            seen["url"] = page.url
            try:
                page.wait_for_function(CHARTS_DRAWN, timeout=20_000)
                seen["drawn"] = True
            except Exception:
                seen["drawn"] = False
            seen["charts"] = page.locator(".plotly-graph-div").count()
            seen["unlabelled"] = page.evaluate(UNLABELLED_IMAGES)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            seen["axe"] = run_axe(page)
            page.close()
            results[name] = seen
    finally:
        context.close()
    return results


# --- The project's JupyterLab (the command of « Exécuter les carnets ») -------------------

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_command() -> list[str]:
    """What ``make lab`` runs: JupyterLab of its own environment on notebooks/."""
    import shlex

    printed = subprocess.run(["make", "-s", "-n", "lab"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip().splitlines()
    return shlex.split(printed[-1])


class JupyterLab:
    """``make lab`` as the page « Exécuter les carnets » says (the command it runs), plus
    what a test needs: no browser, a free port, a known token, --allow-root when CI runs as
    root (JupyterLab refuses root otherwise), and the user's own Jupyter settings left out
    (the environment's, which the project installs, still apply)."""

    TOKEN = "essai"

    def __init__(self, folder: Path, user_settings: dict | None = None):
        import json
        import time

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "lab.log"
        settings = folder / "user-settings"
        for name, values in (user_settings or {}).items():
            plugin, _, file = name.partition(":")
            target = settings / plugin / f"{file}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        extra = ["--allow-root"] if os.geteuid() == 0 else []
        self.log = open(self.log_path, "w")
        self.command = [*lab_command(), "--no-browser", "--ServerApp.ip=127.0.0.1",
                        f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.TOKEN}",
                        *extra]
        self.server = subprocess.Popen(
            self.command,
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            env={**os.environ, "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
                 "JUPYTER_CONFIG_DIR": str(folder / "config"),
                 "JUPYTERLAB_SETTINGS_DIR": str(settings),
                 "JUPYTERLAB_WORKSPACES_DIR": str(folder / "workspaces")})
        deadline = time.monotonic() + 90
        while True:
            try:
                self.listing = self.get("/api/contents")
                break
            except OSError:
                if time.monotonic() > deadline or self.server.poll() is not None:
                    self.close()
                    pytest.fail("JupyterLab did not start:\n" + self.log_path.read_text())
                time.sleep(0.5)

    def get(self, path: str):
        import json
        import urllib.request

        with urllib.request.urlopen(f"{self.url}{path}?token={self.TOKEN}", timeout=10) as response:
            body = response.read()
        return json.loads(body) if body[:1] in (b"{", b"[") else body

    def close(self):
        self.server.terminate()
        self.server.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """The project's JupyterLab, started once for all the tests that need it rather than
    once per test. Cells out of view are drawn as the reader scrolls
    (JupyterLab's windowing): this user setting keeps every cell in the page, so that one
    look counts all the charts. No autosave: a run must not write its outputs into the
    repository's notebooks."""
    lab = JupyterLab(tmp_path_factory.mktemp("lab"), user_settings={
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension:plugin": {"autosave": False}})
    yield lab
    lab.close()


# --- Builds in private copies of the repository (bad input, reproducibility, rebuilds) ---

COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", "node_modules", ".git", ".pytest_cache",
                                     "__pycache__", ".ipynb_checkpoints")


def load_tool(name: str):
    """A script of tools/ (not a package) imported as a module, for its functions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_repo(dest: Path, keep_build: bool = False) -> Path:
    """The working tree without build products (``keep_build``: with the last build, to
    rebuild from it); node_modules shared through a symlink."""
    ignore = COPY_IGNORE if not keep_build else shutil.ignore_patterns(
        ".venv", "node_modules", ".git", ".pytest_cache", "__pycache__", ".ipynb_checkpoints")
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def build_copy(copy: Path) -> subprocess.CompletedProcess:
    """``tools/build_book.py`` in ``copy``, its own rtes_edition first on the path."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, "tools/build_book.py"], cwd=copy, env=env,
                          capture_output=True, text=True)


def small_copy(dest: Path, pages: list[str]) -> Path:
    """A copy of the repository whose book is only ``pages`` (_toc.yml entries, the first
    one its root): the other notebooks are left out, so that no build step executes them.
    For a test about what those pages show, at a fraction of a whole build's time."""
    assert len(pages) >= 2, "a book has a root and at least one chapter"
    copy = copy_repo(dest)
    entries = "".join(f"      - file: {page}\n" for page in pages[1:])
    (copy / "_toc.yml").write_text(f"format: jb-book\nroot: {pages[0]}\nparts:\n"
                                   f"  - caption: Essai\n    chapters:\n{entries}", encoding="utf-8")
    for notebook in (copy / "notebooks").glob("*.ipynb"):
        if f"notebooks/{notebook.stem}" not in pages:
            notebook.unlink()
    return copy


def build_html(copy: Path) -> subprocess.CompletedProcess:
    """The steps of ``tools/build_book.py`` that make the HTML site, in ``copy`` (no PDF,
    no EPUB): the data validated, the notebooks executed side by side, then the strict
    HTML build, into the copy's _build/html. Stops at the first step that fails."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    steps = [[sys.executable, "-m", "rtes_edition.data", "data/datapackage.json"],
             [sys.executable, "tools/execute_notebooks.py"],
             [jupyter_book, "build", ".", "-W", "-n", "--keep-going", "--builder", "html"]]
    for step in steps:
        result = subprocess.run(step, cwd=copy, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            break
    return result


@pytest.fixture(scope="session")
def rebuilt_copy(tmp_path_factory) -> Path:
    """A copy of the repository with the book the tests read (_build/), rebuilt once in
    its own folder (where Sphinx reads everything again). The tests that change a source
    and rebuild share it, one after the other, each leaving its change built: a test
    starts from ``in_step(rebuilt_copy)``, so that its rebuild sees its own change only."""
    copy = copy_repo(tmp_path_factory.mktemp("rebuilt") / "repo", keep_build=True)
    result = build_copy(copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return copy


def in_step(copy: Path) -> Path:
    """``copy`` with its site up to date with its sources (rebuilt if `make publish` would
    refuse it for being older than a source, or for a failed build)."""
    publish = load_tool("publish")
    try:
        publish.check_site(copy)
    except publish.Refusal:
        result = build_copy(copy)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return copy


@pytest.fixture(scope="session")
def built_copy(tmp_path_factory) -> Path:
    """One copy of the repository, built once per session and shared by the slow suites."""
    copy = copy_repo(tmp_path_factory.mktemp("built") / "repo")
    result = build_copy(copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return copy


# --- Test tiers -----------------------------------------------------------------------
# Markers follow from what a test uses, so a new test is tiered without anyone remembering
# to mark it: `make check` runs only the tests that need none of these.
_TIER_FIXTURES = {
    "browser": {"browser", "visit", "site_url", "site_pass", "sub_path_url", "jupyterlab"},  # real clients
    "pdf": {"pdf_path"},
    "book": {"html_dir", "html_pages"},
    "slow": {"built_copy", "rebuilt_copy", "second_build", "hostile_site", "published"},
}
# Tests that copy the repository and build or rebuild it in the copy.
_COPY_HELPERS = {"copy_repo", "build_copy", "_copy_repo", "small_copy", "build_html"}
# Tests that read the build's logs or pages by their path rather than through a fixture.
_BUILD_PATHS = {"LOGS", "HTML", "PDF"}


# `make test` runs on pytest-xdist workers, one per core up to four (--dist loadgroup): the
# tests that share a costly session fixture go to one worker, so that it is made once, not
# once per worker (and a copy that tests change one after the other is changed by one
# worker only). A costly fixture is session-scoped, so that its worker never makes it again.
_SHARED_FIXTURES = {
    "site_pass": "browser-pass", "sub_path_url": "browser-pass",
    "jupyterlab": "jupyterlab", "lab_runs": "jupyterlab",
    "rebuilt_copy": "rebuilt-copy", "published": "rebuilt-copy",
    "built_copy": "built-copy", "second_build": "built-copy",
    "from_disk": "from-disk", "unzipped": "unzipped",
    "previous_site": "previous-site", "hostile_site": "hostile-site",
    "myst_nb_site": "myst-nb-site", "faults": "faults",
}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        group = next((g for f, g in _SHARED_FIXTURES.items() if f in used), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
        for marker, fixtures in _TIER_FIXTURES.items():
            if used & fixtures:
                item.add_marker(marker)
        function = getattr(item, "function", None)
        names = set(function.__code__.co_names) if function is not None else set()
        if names & _COPY_HELPERS:
            item.add_marker("slow")
        if names & _BUILD_PATHS:
            item.add_marker("book")
        if item.get_closest_marker("browser") or item.get_closest_marker("pdf"):
            item.add_marker("book")
