"""The GitHub Action's step (ci/claimsafe-action.sh) in a temporary git repo with a base
and a head commit: annotations only for what the head changed, and claimsafe's exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "ci" / "claimsafe-action.sh"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "site"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "CI")
    (repo / "old.md").write_text("# Old page\n\nOur treatment has no side effects.\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo, git(repo, "rev-parse", "HEAD")


def run_action(repo: Path, base: str, **inputs: str) -> subprocess.CompletedProcess:
    shim = repo.parent / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "claimsafe").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m linter "$@"\n')
    (shim / "claimsafe").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim}:{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "XDG_CACHE_HOME": str(repo.parent / "cache"),
        "INPUT_BASE": base,
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    }
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


def test_annotations_only_for_the_change_and_exit_code_1(tmp_path):
    repo, base = make_repo(tmp_path)
    (repo / "new.md").write_text(
        "# New page\n\nBook now. The injections are completely painless.\n"
    )
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "head")
    result = run_action(repo, base, sarif=str(tmp_path / "out.sarif"))
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert lines and all("file=new.md" in line for line in lines), lines
    assert any(line.startswith("::error file=new.md,line=3,") and "CS121" in line for line in lines)
    assert (tmp_path / "out.sarif").read_text().startswith("{")


def test_a_compliant_change_passes(tmp_path):
    repo, base = make_repo(tmp_path)
    (repo / "old.md").write_text(
        "# Old page\n\nOur treatment has no side effects.\n\nBruising is common.\n"
    )
    git(repo, "commit", "-q", "-am", "head")
    result = run_action(repo, base)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [line for line in result.stdout.splitlines() if line.startswith("::")]


def test_a_bad_base_is_exit_2(tmp_path):
    repo, _ = make_repo(tmp_path)
    result = run_action(repo, "no-such-ref")
    assert result.returncode == 2
    assert "no-such-ref" in result.stderr
