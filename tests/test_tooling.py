"""The developer's tools: the linter and the pre-commit hooks (CI runs `make test`, not
`make check`: the lint is asserted here too)."""

from __future__ import annotations

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
