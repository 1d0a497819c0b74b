"""Publish the built site to the ``gh-pages`` branch of a git remote (``make publish``).

Usage: ``python tools/publish.py [REMOTE]`` where REMOTE is a remote of this repository
(default ``origin``), a URL or a path to a repository.

It never builds: it publishes ``_build/html`` as the last ``make book`` left it, and refuses
(one sentence, exit status 1) when that build did not succeed or when a source of the book
changed after it started. The commit itself is ghp-import's (with ``.nojekyll``, so that
GitHub Pages serves the ``_static`` folders); it is made in a private repository that
first fetches the remote's ``gh-pages`` tip, so that each publication is one commit on top
of the previous one, whoever made it (this command or the workflow), and the maintainer's
own repository gets no ``gh-pages`` branch to keep in step.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRANCH = "gh-pages"
# What the site is built from (tools/build_book.py and what it runs, the book's text,
# notebooks, data, code, translations, browser assets, pinned packages).
SOURCES = ["_config.yml", "_toc.yml", "book", "notebooks", "data", "rtes_edition", "locales",
           "tools", "requirements.txt", "requirements", "package-lock.json", "pyproject.toml"]
# Files inside those folders that the build itself writes, or that are not sources.
NOT_SOURCES = {"__pycache__", ".ipynb_checkpoints"}
NOT_SOURCE_SUFFIXES = {".mo", ".pyc"}


class Refusal(Exception):
    """Publishing is refused; the message is the one sentence shown to the maintainer."""


def build_status(root: Path) -> dict | None:
    try:
        return json.loads((root / "_build" / "last-build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def newest_source(root: Path) -> tuple[float, Path] | None:
    newest = None
    for name in SOURCES:
        top = root / name
        paths = [top] if top.is_file() else (top.rglob("*") if top.is_dir() else [])
        for path in paths:
            if (not path.is_file() or NOT_SOURCES & set(path.relative_to(root).parts)
                    or path.suffix in NOT_SOURCE_SUFFIXES):
                continue
            mtime = path.stat().st_mtime
            if newest is None or mtime > newest[0]:
                newest = (mtime, path)
    return newest


def check_site(root: Path) -> Path:
    """The site to publish, or a Refusal saying why it may not be published."""
    html = root / "_build" / "html"
    status = build_status(root)
    if status is None or not (html / "index.html").is_file():
        raise Refusal("Publication refusée : aucun livre construit dans _build/html, "
                      "lancez d'abord « make book ».")
    if status.get("state") != "succeeded":
        raise Refusal("Publication refusée : la dernière construction (« make book ») a échoué "
                      "ou n'est pas allée à son terme, corrigez l'erreur et relancez-la.")
    newest = newest_source(root)
    if newest and newest[0] > status["started"]:
        raise Refusal(f"Publication refusée : _build/html est plus ancien que les sources "
                      f"({newest[1].relative_to(root)} a changé depuis la dernière construction), "
                      f"relancez « make book ».")
    return html


def _git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)


def remote_url(root: Path, remote: str) -> str:
    """A remote of the book's repository by its name, else a path or a URL as given."""
    named = _git("remote", "get-url", remote, cwd=root, check=False)
    if named.returncode == 0 and named.stdout.strip():
        return named.stdout.strip()
    if Path(remote).expanduser().exists():
        return str(Path(remote).expanduser().resolve())
    if "://" in remote or ":" in remote:  # URL or scp-like user@host:path
        return remote
    raise Refusal(f"Publication refusée : « {remote} » n'est ni un dépôt distant de ce dépôt, "
                  f"ni un chemin existant, ni une adresse de dépôt git.")


def source_revision(root: Path) -> str:
    head = _git("rev-parse", "--short", "HEAD", cwd=root, check=False)
    if head.returncode != 0:
        return "an unversioned tree"
    dirty = _git("status", "--porcelain", "--", *SOURCES, cwd=root, check=False).stdout.strip()
    return f"{head.stdout.strip()}{' with uncommitted changes' if dirty else ''}"


def publish(root: Path, remote: str) -> str:
    """Publish ``root``'s site to ``remote``; returns the address it went to."""
    from ghp_import import GhpError, ghp_import

    html = check_site(root)
    url = remote_url(root, remote)
    stamp = datetime.fromtimestamp(build_status(root)["started"]).strftime("%Y-%m-%d %H:%M")
    message = f"Publish the book built on {stamp} from {source_revision(root)}"
    with tempfile.TemporaryDirectory(prefix="rtes-publish-") as tmp:
        repo = Path(tmp)
        _git("init", "--quiet", cwd=repo)
        _git("remote", "add", "publish", url, cwd=repo)
        # A committer even on a machine where git has none configured (a fresh CI runner).
        for key, fallback in (("user.name", "RTES edition"), ("user.email", "edition@localhost")):
            if not _git("config", key, cwd=root, check=False).stdout.strip():
                _git("config", key, fallback, cwd=repo)
        heads = _git("ls-remote", "--heads", "publish", BRANCH, cwd=repo, check=False)
        if heads.returncode != 0:
            raise Refusal(f"Publication impossible : le dépôt {url} ne répond pas "
                          f"({heads.stderr.strip().splitlines()[-1] if heads.stderr.strip() else 'git ls-remote'}).")
        if heads.stdout.strip():
            # Only the tip: ghp-import makes its commit on top of it (publish/gh-pages).
            _git("fetch", "--quiet", "--depth", "1", "publish",
                 f"+refs/heads/{BRANCH}:refs/remotes/publish/{BRANCH}", cwd=repo)
        cwd = os.getcwd()
        os.chdir(repo)  # ghp-import works on the repository of the current directory
        try:
            ghp_import(str(html), mesg=message, remote="publish", branch=BRANCH,
                       nojekyll=True, push=True)
        except (GhpError, subprocess.CalledProcessError) as exc:
            raise Refusal(f"Publication impossible : ghp-import a échoué ({exc}).") from exc
        finally:
            os.chdir(cwd)
        # ghp-import only prints a failed commit: check that the branch holds this one.
        tip = _git("log", "-1", "--format=%s", f"refs/remotes/publish/{BRANCH}", cwd=repo,
                   check=False).stdout.strip()
        if tip != message:
            raise Refusal(f"Publication impossible : la branche {BRANCH} de {url} n'a pas reçu "
                          f"le site (dernier commit : « {tip} »).")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("remote", nargs="?", default="origin")
    args = parser.parse_args()
    try:
        url = publish(ROOT, args.remote)
    except Refusal as refusal:
        sys.exit(str(refusal))
    print(f"Site publié sur la branche {BRANCH} de {url}.")


if __name__ == "__main__":
    main()
