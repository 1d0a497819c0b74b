"""Putting the book online: `make publish` to a gh-pages branch (ghp-import), its refusals,
the GitHub Pages workflow (validated offline against GitHub's workflow schema), and the
site served under a sub-path (/actes/) with every page visited in Chromium."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from copy import deepcopy
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import ROOT, SUB_PATH, build_copy, in_step, load_tool

publish = load_tool("publish")
VENV_BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _git(*args, cwd) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def _digests(folder: Path, skip_git: bool = False) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*")
            if p.is_file() and not (skip_git and ".git" in p.relative_to(folder).parts)}


def _make_publish(copy: Path, remote: Path | str) -> subprocess.CompletedProcess:
    """`make publish REMOTE=...` in the copy, with this environment's Python (the copy has
    no .venv of its own: -o keeps make from installing one)."""
    return subprocess.run(["make", "-C", str(copy), "-o", ".venv/.installed", "publish",
                           f"PY={sys.executable}", f"REMOTE={remote}"],
                          capture_output=True, text=True)


def _bare(tmp: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(tmp)], check=True)
    return tmp


# --- make publish ---------------------------------------------------------------------------

@pytest.fixture(scope="session")  # one worker makes it once (conftest: _SHARED_FIXTURES)
def published(rebuilt_copy, tmp_path_factory):
    """A copy of the repository built as `make book` leaves it (conftest's ``rebuilt_copy``,
    up to date), published once to a bare repository."""
    base = tmp_path_factory.mktemp("publish")
    copy = in_step(rebuilt_copy)
    remote = _bare(base / "remote.git")
    _git("init", "--quiet", cwd=copy)
    _git("remote", "add", "site", str(remote), cwd=copy)
    result = _make_publish(copy, remote)  # by its path
    assert result.returncode == 0, result.stdout + result.stderr
    return copy, remote, base


@pytest.mark.slow
def test_publish_puts_exactly_the_site_and_nojekyll_on_gh_pages(published):
    copy, remote, base = published
    clone = base / "clone"
    subprocess.run(["git", "clone", "--quiet", "--branch", "gh-pages", str(remote), str(clone)],
                   check=True)
    site = _digests(copy / "_build" / "html")
    assert (copy / "_build" / "html" / "index.html").is_file()
    published_files = _digests(clone, skip_git=True)
    assert (clone / ".nojekyll").read_bytes() == b""
    assert published_files == {**site, ".nojekyll": published_files[".nojekyll"]}
    assert _git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "1"
    # the maintainer's repository gets no gh-pages branch of its own to keep in step
    assert _git("branch", "--list", "--all", cwd=copy) == ""


def _change_one_row(copy: Path) -> tuple[pd.Series, float]:
    """Add 7 to the value of one row of data/figures.csv, as a reader correcting it would
    (a row that no other row must agree with, and no range); the row and its new value."""
    from rtes_edition.data import load_package

    tables = load_package(copy / "data" / "datapackage.json")
    figures = tables["figures"]
    # not a row another row must agree with (a meeting's participants, the same fact)
    pinned = (set(tables["meetings"]["participants_figure_id"].dropna())
              | set(figures["related_figure_id"].dropna()))
    row = figures[~figures["id"].isin(pinned) & figures["related_figure_id"].isna()
                  & (figures["qualifier"] != "fourchette")].iloc[0]
    path = copy / "data" / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(row["id"] + ","))
    cells = lines[index].split(",", 2)
    assert float(cells[1]) == row["value"]
    lines[index] = ",".join([cells[0], f"{row['value'] + 7:g}", cells[2]])
    path.write_text("\n".join(lines), encoding="utf-8")
    return row, row["value"] + 7


@pytest.mark.slow
def test_publishing_again_adds_one_commit_with_the_changed_pages(published):
    """A reader corrects one value in data/figures.csv and rebuilds (the whole
    `tools/build_book.py`, from the previous build, as `make book` does): the value reaches
    the HTML and the PDF, and publishing again adds one commit with the changed pages."""
    from rtes_edition import charts

    copy, remote, _ = published
    site = copy / "_build" / "html"
    before = _digests(site)
    row, new_value = _change_one_row(copy)
    refused = _make_publish(copy, remote)  # the site is now older than its data
    assert refused.returncode != 0 and "data/figures.csv" in refused.stderr, refused.stderr
    images_before = {p.name for p in (copy / "_build" / "latex").glob("*.png")}
    result = build_copy(copy)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    # the changed chart got a new print image (not an old one from _build/.png-cache)
    assert {p.name for p in (copy / "_build" / "latex").glob("*.png")} - images_before
    stated = charts.qualified_value(pd.Series({**row.to_dict(), "value": new_value}))
    explorer = (site / "notebooks" / "explorateur.html").read_text(encoding="utf-8")
    # the chart's data (plotly JSON) and its folded table carry the new value
    chart = explorer[explorer.index('id="graphique-explorateur"'):]
    assert json.dumps(float(new_value)) in chart or json.dumps(int(new_value)) in chart
    assert stated in explorer
    pdf = subprocess.run(["pdftotext", str(site / "actes-territoires-ess-2013.pdf"), "-"], check=True,
                         capture_output=True, text=True).stdout
    assert re.sub(r"\s+", " ", stated) in re.sub(r"\s+", " ", pdf.replace("\u202f", " "))
    after = _digests(site)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert 0 < len(changed) < len(after) / 4, sorted(changed)
    assert "notebooks/explorateur.html" in changed  # the page that shows every row

    result = _make_publish(copy, "site")  # by its name as a remote of the repository
    assert result.returncode == 0, result.stdout + result.stderr
    assert _git("rev-list", "--count", "gh-pages", cwd=remote).strip() == "2"
    diff = set(_git("diff", "--name-only", "gh-pages~1", "gh-pages", cwd=remote).split())
    assert diff == changed
    published_page = subprocess.run(["git", "show", "gh-pages:notebooks/explorateur.html"],
                                    cwd=remote, check=True, capture_output=True).stdout
    assert published_page == (site / "notebooks" / "explorateur.html").read_bytes()
    assert _git("log", "-1", "--format=%s", "gh-pages", cwd=remote).startswith("Publish the book")


def _fake_root(tmp_path: Path, state: str | None) -> Path:
    """A repository with a built site and a build record, for the refusal cases."""
    root = tmp_path / "repo"
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("<html lang='fr'></html>")
    (root / "book").mkdir()
    source = root / "book" / "introduction.md"
    source.write_text("# Introduction\n")
    old = time.time() - 3600
    os.utime(source, (old, old))
    if state:
        (root / "_build" / "last-build.json").write_text(
            json.dumps({"state": state, "started": old + 60}))
    return root


@pytest.mark.parametrize("state, words", [
    (None, "aucun livre construit"),
    ("failed", "la dernière construction"),
    ("running", "n'est pas allée à son terme"),
])
def test_publish_refuses_a_failed_or_missing_build(tmp_path, state, words):
    root = _fake_root(tmp_path, state)
    if state is None:
        shutil.rmtree(root / "_build")
    with pytest.raises(publish.Refusal, match=words) as refusal:
        publish.publish(root, str(_bare(tmp_path / "remote.git")))
    message = str(refusal.value)
    assert message.startswith("Publication refusée") and "make book" in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    assert _git("branch", "--list", cwd=tmp_path / "remote.git") == ""


def test_publish_refuses_a_site_older_than_its_sources(tmp_path):
    root = _fake_root(tmp_path, "succeeded")
    assert publish.check_site(root) == root / "_build" / "html"
    (root / "book" / "introduction.md").write_text("# Introduction corrigée\n")
    with pytest.raises(publish.Refusal, match=r"plus ancien que les sources \(book/introduction\.md"):
        publish.check_site(root)


def test_publish_says_why_in_one_line_and_pushes_nothing(tmp_path):
    """Through the command line: exit status 1, the sentence on stderr, no branch pushed."""
    root = _fake_root(tmp_path, "failed")
    script = root / "tools" / "publish.py"
    script.parent.mkdir()
    shutil.copy(ROOT / "tools" / "publish.py", script)
    remote = _bare(tmp_path / "remote.git")
    result = subprocess.run([sys.executable, str(script), str(remote)], capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("Publication refusée : la dernière construction")
    assert _git("branch", "--list", cwd=remote) == ""


def test_publish_names_an_unknown_remote(tmp_path):
    root = _fake_root(tmp_path, "succeeded")
    with pytest.raises(publish.Refusal, match="« nulle-part »"):
        publish.publish(root, "nulle-part")


# --- the GitHub Pages workflow ---------------------------------------------------------------

def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    # --builtin-schema: the schema bundled with check-jsonschema, no download
    return subprocess.run([str(VENV_BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(path)], capture_output=True, text=True)


def test_workflow_is_valid_for_github():
    assert WORKFLOWS, "no workflow in .github/workflows"
    for workflow in WORKFLOWS:
        result = _check_jsonschema(workflow)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    """The validation can fail: a job without a runner, or a misspelt key, is rejected."""
    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    for breaking in ("runs-on", "steps"):
        broken = deepcopy(workflow)
        job = broken["jobs"]["deploy"]
        job["steps-typo" if breaking == "steps" else "runs_on"] = job.pop(breaking)
        path = tmp_path / f"{breaking}.yml"
        # PyYAML reads the key `on` as True: write it back under its name
        broken["on"] = broken.pop(True)
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        assert _check_jsonschema(path).returncode != 0, breaking


def test_workflow_builds_tests_and_deploys_with_the_official_pages_actions():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publier.yml")
                              .read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step.get("run", "") for step in build["steps"]]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert runs.index("make book") < runs.index("make test") < uses.index(
        "actions/upload-pages-artifact")
    upload = build["steps"][uses.index("actions/upload-pages-artifact")]
    assert upload["with"]["path"] == "_build/html"
    book = build["steps"][runs.index("make book")]
    assert book["env"]["RTES_SITE_URL"].startswith("${{ steps.pages.outputs.base_url }}")
    assert "actions/configure-pages" in uses
    assert deploy["needs"] == "build"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


# --- under a sub-path ------------------------------------------------------------------------

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src",
                   "source": "src", "iframe": "src"}


def test_every_link_of_the_site_stays_under_its_sub_path(html_dir, html_pages):
    """Every link, script, stylesheet, image and download of every page resolves, from
    the page's own address under /actes/, to a file of the site (never above it)."""
    base = f"http://exemple.org/{SUB_PATH}/"
    problems = []
    for page in html_pages:
        url = urljoin(base, page.relative_to(html_dir).as_posix())
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in LINK_ATTRIBUTES.items():
            for element in soup.find_all(tag):
                value = element.get(attribute)
                if not value or re.match(r"(#|mailto:|data:|javascript:)", value):
                    continue
                target = urlparse(urljoin(url, value))
                if target.netloc != "exemple.org":
                    continue  # a citation of another site, not part of this one
                if not target.path.startswith(f"/{SUB_PATH}/"):
                    problems.append(f"{page.name}: {value} leaves /{SUB_PATH}/")
                    continue
                local = html_dir / unquote(target.path[len(SUB_PATH) + 2:])
                if local.is_dir():
                    local = local / "index.html"
                if not local.is_file():
                    problems.append(f"{page.name}: {value} -> {local} missing")
    assert problems == [], "\n".join(problems[:30])


def test_every_page_works_under_a_sub_path(site_pass, sub_path_url):
    """Each page opened at /actes/... (``site_pass``): no request leaves /actes/, none
    fails, no page sends the reader elsewhere."""
    failures = []
    for page, seen in site_pass.items():
        assert seen["url"].startswith(sub_path_url), seen["url"]
        failures += [f"{page}: outside /{SUB_PATH}/: {url}" for url in seen["outside"]]
        failures += [f"{page}: failed: {what}" for what in seen["failed"]]
        failures += [f"{page}: {error}" for error in seen["console"] if error.startswith("HTTP ")]
    assert failures == [], "\n".join(failures)
