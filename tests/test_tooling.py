"""The developer's tools: the linter and the pre-commit hooks (CI runs `make test`, not
`make check`: the lint is asserted here too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

VENV_BIN = Path(sys.executable).parent


def test_ruff_finds_nothing():
    result = subprocess.run([str(VENV_BIN / "ruff"), "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_pre_commit_hooks_are_valid_and_run_the_pinned_tools():
    config = ROOT / ".pre-commit-config.yaml"
    result = subprocess.run([str(VENV_BIN / "pre-commit"), "validate-config", str(config)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = [hook for repo in yaml.safe_load(config.read_text(encoding="utf-8"))["repos"]
             for hook in repo["hooks"]]
    # local hooks only: they download nothing, and what they call is in the environment
    for hook in hooks:
        program = hook["entry"].split()[0]
        assert hook["language"] == "system", hook["id"]
        assert program == "make" or (ROOT / program).exists(), f"{hook['id']}: {program}"
    assert {"ruff", "fast-tier"} <= {hook["id"] for hook in hooks}


def test_tests_sharing_a_costly_fixture_run_on_one_worker(tmp_path):
    """`make test` runs pytest-xdist's loadgroup on the groups tests/conftest.py gives
    (_SHARED_FIXTURES). pytest 9.2 changed how a test's id is stored, and xdist 3.8's
    loadgroup, which renames the id, then silently stops grouping: every worker makes the
    browser pass, JupyterLab, each copy of the book (pytest-dev/pytest-xdist#1386). This
    runs the project's grouping hook on a small suite and fails, naming the versions, when
    the groups are lost."""
    import importlib.metadata as metadata
    import re

    (tmp_path / "conftest.py").write_text(
        "import importlib.util, os, pytest\n"
        f"spec = importlib.util.spec_from_file_location('project_conftest', {str(ROOT / 'tests' / 'conftest.py')!r})\n"
        "project = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(project)\n"
        "pytest_collection_modifyitems = project.pytest_collection_modifyitems\n"
        "@pytest.fixture(scope='session')\n"
        "def site_pass():\n    return os.environ['PYTEST_XDIST_WORKER']\n"
        "@pytest.fixture(scope='session')\n"
        "def jupyterlab():\n    return os.environ['PYTEST_XDIST_WORKER']\n", encoding="utf-8")
    (tmp_path / "test_groups.py").write_text(
        "import pytest\n"
        "@pytest.mark.parametrize('n', range(4))\n"
        "def test_pass(site_pass, n):\n    pass\n"
        "@pytest.mark.parametrize('n', range(4))\n"
        "def test_lab(jupyterlab, n):\n    pass\n"
        "@pytest.mark.parametrize('n', range(8))\n"
        "def test_alone(n):\n    pass\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup",
                             "-v", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, env={
                                k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    ran = re.findall(r"\[(gw\d)\].*?PASSED \S*::(test_\w+)\[\d\](@[\w-]+)?", result.stdout)
    versions = f"pytest {metadata.version('pytest')}, pytest-xdist {metadata.version('pytest-xdist')}"
    assert len(ran) == 16, result.stdout[-3000:]
    for test, group in (("test_pass", "@browser-pass"), ("test_lab", "@jupyterlab")):
        workers = {worker for worker, name, suffix in ran if name == test}
        suffixes = {suffix for worker, name, suffix in ran if name == test}
        assert suffixes == {group} and len(workers) == 1, (
            f"{versions}: the tests of {group} ran on {sorted(workers)} with ids ending "
            f"{sorted(suffixes)}: loadgroup no longer groups them (pytest-dev/pytest-xdist#1386)")
