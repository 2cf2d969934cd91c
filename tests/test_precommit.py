"""pre-commit integration: the real ``pre-commit`` runs claimsafe's hook in temporary git repos.

The hook under test is this working tree's ``.pre-commit-hooks.yaml`` with this working tree's
code. ``pre-commit try-repo`` on the working tree itself would only see committed and
modified files (its shadow commit leaves untracked files out) and would run git in it, so the
module first copies the working tree (what git does not ignore) into a temporary repository
and commits it there; ``try-repo`` and ``repo: <that copy>`` configs then use exactly the
files on disk. Installing the hook environment pip-installs claimsafe with spaCy from the
package index, once per module, in a ``PRE_COMMIT_HOME`` that the module shares and removes.

Commit-level tests run ``pre-commit install`` and ``git commit`` twice over: with the
published hook (``repo: <copy>``, ``rev: <sha>``) and with a ``repo: local`` hook running
``python -m linter check`` from this working tree (no install, so it also runs offline).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 600  # seconds for one pre-commit call; the first installs spaCy into a virtualenv

needs_pre_commit = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None,
    reason="pre-commit is not installed; `pip install '.[test]'` installs it",
)

BAD = "# Hair clinic\n\nOur treatment has no side effects.\n"
GOOD = (
    "# Opening hours\n\n"
    "The clinic is open from 9 am to 5 pm on weekdays. Call us to book a consultation.\n"
)
SUPPRESSED = (
    "# What the regulator says\n\n"
    '<!-- claimsafe: disable-next-line safety-absolute reason="quoting the regulator" -->\n'
    "Our treatment has no side effects.\n"
)
CASES = {"bad": (BAD, False), "good": (GOOD, True), "suppressed": (SUPPRESSED, True)}

# Directories never copied when the working tree is not a git checkout.
_NOT_COPIED = {
    ".git",
    ".venv",
    ".venv-ci",
    "venv",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".benchmarks",
    "build",
    "dist",
    ".mypy_cache",
    ".ruff_cache",
}


# ---------------------------------------------------------------------------------------------
# helpers


def _env(base: dict[str, str], **extra: str) -> dict[str, str]:
    """The caller's environment without git or pre-commit state that could leak into a run."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in {"SKIP", "PYTHONPATH"}
    }
    env.update(base)
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=TIMEOUT,
        check=False,
    )


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = _run(["git", *args], cwd, env)
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}"
    return proc.stdout.strip()


def _pre_commit(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "pre_commit", *args], cwd, env)


def _init_repo(path: Path, env: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, env, "init", "-q")
    _git(path, env, "config", "user.name", "claimsafe tests")
    _git(path, env, "config", "user.email", "tests@claimsafe.invalid")
    _git(path, env, "config", "commit.gpgsign", "false")
    return path


def _working_tree_files(env: dict[str, str]) -> list[str]:
    """Files of this working tree that git does not ignore (tracked or not)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [
                d for d in dirnames if d not in _NOT_COPIED and not d.endswith(".egg-info")
            ]
            names += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames]
    return [n for n in names if (ROOT / n).is_file()]


def _write_config(repo: Path, config: dict) -> None:
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def _explain(proc: subprocess.CompletedProcess) -> str:
    return f"exit code {proc.returncode}, output:\n{proc.stdout}"


# ---------------------------------------------------------------------------------------------
# module fixtures: one environment, one copy of the working tree, one hook installation


@pytest.fixture(scope="module")
def base_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    gitconfig = home / "empty.gitconfig"
    gitconfig.write_text("")
    env = {
        "PRE_COMMIT_HOME": str(home),
        # A developer's global git config (core.hooksPath, signing, templates) stays out.
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    yield env
    # The hook environment holds spaCy and friends: do not leave it in the pytest tmp dirs.
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, base_env):
    """This working tree, copied and committed in a temporary repository: (path, sha)."""
    env = _env(base_env)
    repo = _init_repo(tmp_path_factory.mktemp("claimsafe-src") / "claimsafe", env)
    for name in _working_tree_files(env):
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "--no-verify", "-m", "claimsafe working tree")
    return repo, _git(repo, env, "rev-parse", "HEAD")


def _manifest_config(hook_repo, **hook_options) -> dict:
    path, sha = hook_repo
    return {
        "repos": [{"repo": str(path), "rev": sha, "hooks": [{"id": "claimsafe", **hook_options}]}]
    }


def _local_config() -> dict:
    files = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]["files"]
    return {
        "repos": [
            {
                "repo": "local",
                "hooks": [
                    {
                        "id": "claimsafe",
                        "name": "claimsafe",
                        "entry": f"{shlex.quote(sys.executable)} -m linter check",
                        "language": "system",
                        "files": files,
                    }
                ],
            }
        ]
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory, base_env, hook_repo):
    """Install the hook environment once (the slow part: a virtualenv with claimsafe and spaCy)."""
    env = _env(base_env)
    repo = _init_repo(tmp_path_factory.mktemp("install") / "site", env)
    _write_config(repo, _manifest_config(hook_repo))
    proc = _pre_commit(repo, env, "install-hooks")
    assert proc.returncode == 0, "installing the hook environment failed: " + _explain(proc)
    return hook_repo


@pytest.fixture
def site(tmp_path, base_env):
    """An empty marketing repository."""
    return _init_repo(tmp_path / "site", _env(base_env))


# ---------------------------------------------------------------------------------------------
# the manifest and the config files


def test_hook_files_pattern_matches_what_claimsafe_reads():
    from linter.documents import FORMAT_BY_SUFFIX

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "claimsafe"
    assert hook["entry"] == "claimsafe check"
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    for suffix in FORMAT_BY_SUFFIX:
        for name in (f"page{suffix}", f"site/PAGE{suffix.upper()}"):
            assert pattern.search(name), name
    for name in ("linter/cli.py", "LICENSE", "README", "page.xhtml", "notes.md.orig", "a.rst"):
        assert not pattern.search(name), name


@needs_pre_commit
def test_manifest_and_config_validate(base_env):
    env = _env(base_env)
    proc = _pre_commit(ROOT, env, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"))
    assert proc.returncode == 0, _explain(proc)
    proc = _pre_commit(ROOT, env, "validate-config", str(ROOT / ".pre-commit-config.yaml"))
    assert proc.returncode == 0, _explain(proc)


@needs_pre_commit
def test_dogfood_hook_passes_on_readme_and_docs(tmp_path, base_env, hook_repo):
    """The repo's own `repo: local` hooks (claimsafe on README.md and docs/) pass, and ran."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    local = [r for r in config["repos"] if r["repo"] == "local"]
    assert local, "no `repo: local` dogfood hook in .pre-commit-config.yaml"
    config_file = tmp_path / "local-hooks.yaml"
    config_file.write_text(yaml.safe_dump({"repos": local}, sort_keys=False))
    # The hook runs `python -m linter`: make `python` this interpreter (a wrapper, not a
    # symlink, which would lose a virtualenv's site-packages).
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "python"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
    wrapper.chmod(0o755)
    env = _env(base_env, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    path, _ = hook_repo
    proc = _pre_commit(path, env, "run", "--config", str(config_file), "--all-files", "--verbose")
    assert proc.returncode == 0, _explain(proc)
    assert re.search(r"claimsafe.*\.Passed", proc.stdout), _explain(proc)
    assert "README.md" in _git(path, _env(base_env), "ls-files", "README.md")
    assert list((path / "docs").glob("*.md")), "docs/ has no Markdown to dogfood"


# ---------------------------------------------------------------------------------------------
# pre-commit try-repo: the published hook, as a user first tries it. try-repo keeps its own
# throwaway store (it ignores PRE_COMMIT_HOME), so every call installs the hook environment
# again: two calls only; the commit tests below cover each case with the shared installation.


@needs_pre_commit
def test_try_repo_refuses_a_claim_and_prints_the_finding(hook_repo, site, base_env):
    env = _env(base_env)
    (site / "page.md").write_text(BAD)
    _git(site, env, "add", "page.md")
    proc = _pre_commit(site, env, "try-repo", str(hook_repo[0]), "claimsafe", "--files", "page.md")
    assert proc.returncode != 0, _explain(proc)
    assert re.search(r"claimsafe\.+Failed", proc.stdout), _explain(proc)
    assert "CS101" in proc.stdout and "no-side-effects" in proc.stdout, _explain(proc)
    assert "page.md:3:" in proc.stdout, _explain(proc)


@needs_pre_commit
def test_try_repo_passes_compliant_and_suppressed_copy(hook_repo, site, base_env):
    env = _env(base_env)
    (site / "good.md").write_text(GOOD)
    (site / "suppressed.md").write_text(SUPPRESSED)
    _git(site, env, "add", "-A")
    proc = _pre_commit(
        site,
        env,
        "try-repo",
        str(hook_repo[0]),
        "claimsafe",
        "--verbose",
        "--files",
        "good.md",
        "suppressed.md",
    )
    assert proc.returncode == 0, _explain(proc)
    assert re.search(r"claimsafe\.+Passed", proc.stdout), _explain(proc)
    assert "No findings in 2 files" in proc.stdout, _explain(proc)


# ---------------------------------------------------------------------------------------------
# the hook's file filter and arguments, through a config with `repo: <copy>` and `rev`


@needs_pre_commit
def test_hook_lints_only_the_formats_claimsafe_reads(installed, site, base_env):
    env = _env(base_env)
    _write_config(site, _manifest_config(installed))
    (site / "notes.py").write_text("# Our treatment has no side effects.\n")
    (site / "LICENSE").write_text("Our treatment has no side effects.\n")
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR no side effects")
    _git(site, env, "add", "-A")
    proc = _pre_commit(site, env, "run", "--files", "notes.py", "LICENSE", "logo.png")
    assert proc.returncode == 0, _explain(proc)
    assert "no files to check" in proc.stdout, _explain(proc)

    (site / "Page.HTML").write_text(f"<html><body><p>{BAD}</p></body></html>\n")
    (site / "copy.txt").write_text(BAD)
    _git(site, env, "add", "-A")
    proc = _pre_commit(site, env, "run", "--files", "notes.py", "Page.HTML", "copy.txt")
    assert proc.returncode != 0, _explain(proc)
    assert "Page.HTML:" in proc.stdout and "copy.txt:" in proc.stdout, _explain(proc)
    assert "notes.py" not in proc.stdout, _explain(proc)


@needs_pre_commit
def test_hook_args_pass_through(installed, site, base_env):
    env = _env(base_env)
    (site / "page.md").write_text(BAD)
    _write_config(site, _manifest_config(installed, args=["--ignore", "safety-absolute"]))
    _git(site, env, "add", "-A")
    proc = _pre_commit(site, env, "run", "--files", "page.md")
    assert proc.returncode == 0, _explain(proc)
    assert re.search(r"claimsafe\.+Passed", proc.stdout), _explain(proc)

    _write_config(site, _manifest_config(installed, args=["--format", "json"]))
    _git(site, env, "add", "-A")
    proc = _pre_commit(site, env, "run", "--files", "page.md")
    assert proc.returncode != 0, _explain(proc)
    assert '"rule": "CS101"' in proc.stdout, _explain(proc)


# ---------------------------------------------------------------------------------------------
# git commit with the hook installed


@pytest.fixture(params=["published-hook", "local-hook"])
def committing_site(request, site, base_env):
    """A repository with a committed pre-commit config and `pre-commit install` done."""
    if request.param == "published-hook":
        config = _manifest_config(request.getfixturevalue("installed"))
        env = _env(base_env)
    else:
        config = _local_config()
        env = _env(base_env, PYTHONPATH=str(ROOT))
    _write_config(site, config)
    _git(site, env, "add", ".pre-commit-config.yaml")
    _git(site, env, "commit", "-q", "-m", "pre-commit config")
    proc = _pre_commit(site, env, "install")
    assert proc.returncode == 0, _explain(proc)
    return site, env


@needs_pre_commit
@pytest.mark.parametrize("case", ["bad", "good", "suppressed"])
def test_commit(committing_site, case):
    site, env = committing_site
    text, accepted = CASES[case]
    head = _git(site, env, "rev-parse", "HEAD")
    (site / "landing.md").write_text(text)
    _git(site, env, "add", "landing.md")
    proc = _run(["git", "commit", "-m", f"add {case} landing page"], site, env)
    if accepted:
        assert proc.returncode == 0, _explain(proc)
        assert re.search(r"claimsafe\.+Passed", proc.stdout), _explain(proc)
        assert _git(site, env, "rev-parse", "HEAD^") == head
        assert _git(site, env, "show", "--name-only", "--format=", "HEAD") == "landing.md"
    else:
        assert proc.returncode != 0, _explain(proc)
        assert "CS101" in proc.stdout and "landing.md:3:" in proc.stdout, _explain(proc)
        assert _git(site, env, "rev-parse", "HEAD") == head
        # Refused, not lost: the page is still staged for the next attempt.
        assert _git(site, env, "diff", "--cached", "--name-only") == "landing.md"
