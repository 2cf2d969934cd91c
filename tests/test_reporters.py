"""Reporters are thin and golden-tested on one shared set of findings (including a tool
problem and non-ASCII text). Regenerate the golden files with
``CLAIMSAFE_UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py`` and review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from linter.engine import Report
from linter.findings import Evidence, Finding
from linter.reporters import FORMATS

GOLDEN = Path(__file__).parent / "golden"

FINDINGS = [
    Finding(
        path="site/landing.md", start=120, end=135, line=12, column=5, end_line=12, end_column=20,
        rule="CS101", name="no-side-effects", category="safety-absolute", severity="error",
        message="'no side effects' denies that the treatment has side effects or risks.",
        text="no side effects",
        suggestion="Side effects are usually mild and short-lived, such as redness or bruising.",
        evidence=(Evidence("meso-side-effects", "004", "Common side effects may include bruising"),),
    ),
    Finding(
        path="site/témoignages.md", start=10, end=33, line=2, column=3, end_line=3, end_column=8,
        rule="CS121", name="painless", category="painless", severity="warning",
        message="'pain-free' — an invasive procedure described as painless.",
        text="totalement\npain-free", suggestion="Most people feel a brief sting.",
        context=("testimonial",),
    ),
    Finding(
        path="site/logo.txt", start=0, end=0, line=1, column=1, end_line=1, end_column=1,
        rule="CS901", name="binary-file", category="problem", severity="warning",
        message="binary file skipped (contains NUL bytes)", text="",
    ),
]


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("json", "json")])
def test_reporter_matches_golden(fmt, suffix):
    rendered = FORMATS[fmt](Report(FINDINGS, files=3), None, colour=False)
    golden = GOLDEN / f"findings.{suffix}"
    if os.environ.get("CLAIMSAFE_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_json_is_version_1_with_the_contract_keys():
    data = json.loads(FORMATS["json"](Report(FINDINGS, files=3)))
    assert data["version"] == 1
    assert set(data) == {"version", "tool", "findings", "summary"}
    assert data["summary"] == {
        "files": 3, "findings": 3,
        "by_category": {"painless": 1, "problem": 1, "safety-absolute": 1},
    }
    assert data["findings"][0]["evidence"] == [
        {"fact": "meso-side-effects", "document": "004", "quote": "Common side effects may include bruising"}
    ]
    assert data["findings"][1]["text"] == "totalement\npain-free"


def test_text_has_one_headline_per_finding_and_a_summary():
    lines = FORMATS["text"](Report(FINDINGS, files=3)).splitlines()
    assert lines[0] == ("site/landing.md:12:5: error [CS101 no-side-effects] "
                        "'no side effects' denies that the treatment has side effects or risks.")
    assert lines[-1] == "Found 3 findings (1 error, 2 warnings) in 3 files."
