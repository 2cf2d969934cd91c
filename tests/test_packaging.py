"""The wheel carries rules/ and sources/: an install outside the repository finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and "hatchling" in result.stderr:
        pytest.skip("hatchling not installed (it is in the test extras)")
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("claimsafe-*.whl")
    return path


def test_wheel_contains_rules_sources_and_context_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    rules = {Path(n).name for n in names if n.startswith("linter/_data/rules/")}
    assert {Path(p).name for p in (ROOT / "rules").rglob("*.yml")} <= rules
    assert any(n.startswith("linter/_data/sources/documents/002_") for n in names)
    assert "linter/data/context.yml" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_lints_from_outside_the_repository(wheel, tmp_path):
    target = tmp_path / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    page = tmp_path / "page.md"
    page.write_text("# Offer\n\nOur hair mesotherapy is risk-free.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import linter.rulebook as r, sys; print(r.default_rules_dir()); "
            "from linter.cli import main; sys.exit(main(['check', '--no-config', 'page.md']))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    rules_dir, first = result.stdout.splitlines()[:2]
    assert rules_dir.startswith(str(target)), rules_dir
    assert first.startswith("page.md:3:")


def test_installed_wheel_audits_a_folder_and_writes_the_html_report(wheel, tmp_path):
    """The report's template is package data: an installed claimsafe must find it."""
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target)]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    site = tmp_path / "site"
    site.mkdir()
    (site / "offer.html").write_text("<main><p>Painless hair mesotherapy.</p></main>")
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from linter.cli import main; sys.exit(main(sys.argv[1:]))",
        ]
        + ["audit", "site", "--no-config", "--no-progress", "--report", "r.html", "--db", "a.db"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert 'id="headline-findings"' in (tmp_path / "r.html").read_text(encoding="utf-8")
