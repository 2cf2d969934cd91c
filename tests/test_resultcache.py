"""Cached findings: unchanged files cost no NLP, spaCy is not imported when every file is
cached, and any change to the file, the rules or the settings is seen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import sys, json; from linter.cli import main; code = main(sys.argv[1:]); "
    "print(json.dumps({'code': code, 'spacy': 'spacy' in sys.modules}), file=sys.stderr)"
)


def run(tmp_path, *args):
    env = {"PYTHONPATH": str(ROOT), "PATH": "", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--no-config", "--format", "json", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    probe = json.loads(result.stderr.strip().splitlines()[-1])
    return probe, json.loads(result.stdout)


def test_second_run_is_served_from_the_cache_without_spacy(tmp_path):
    (tmp_path / "page.md").write_text("# Offer\n\nOur treatment has no side effects.\n")
    first, report1 = run(tmp_path, "page.md")
    second, report2 = run(tmp_path, "page.md")
    assert first == {"code": 1, "spacy": True}
    assert second == {"code": 1, "spacy": False}
    assert report1 == report2


def test_an_edit_to_the_file_is_linted_again(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Our treatment has no side effects.\n")
    run(tmp_path, "page.md")
    page.write_text("Our treatment is not risk-free.\n")
    probe, report = run(tmp_path, "page.md")
    assert probe == {"code": 0, "spacy": True} and report["findings"] == []


def test_settings_are_part_of_the_key(tmp_path):
    (tmp_path / "page.md").write_text("Our treatment has no side effects.\n")
    run(tmp_path, "page.md")
    probe, report = run(tmp_path, "page.md", "--ignore", "CS101")
    assert probe["code"] == 0 and not [f for f in report["findings"] if f["rule"] == "CS101"]


def test_no_cache_always_lints(tmp_path):
    (tmp_path / "page.md").write_text("Our treatment has no side effects.\n")
    run(tmp_path, "page.md")
    probe, _ = run(tmp_path, "page.md", "--no-cache")
    assert probe == {"code": 1, "spacy": True}
