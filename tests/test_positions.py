"""The position contract over every fixture: a finding's ``text`` is exactly the source
slice at its reported line/column range (DESIGN.md section 6), in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.documents import format_for

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(
    p
    for folder in ("tests/fixtures", "sources/documents", "examples")
    for p in (ROOT / folder).rglob("*")
    if p.suffix in {".md", ".markdown", ".html", ".htm", ".txt"}
)


def slice_by_line_column(text: str, f) -> str:
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[: f.line - 1]) + f.column - 1
    end = sum(len(l) + 1 for l in lines[: f.end_line - 1]) + f.end_column - 1
    return text[start:end]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_finding_text_is_the_source_slice_at_its_range(engine, path):
    text = path.read_text(encoding="utf-8-sig")
    findings = [
        f for f in engine.lint_text(text, str(path), format_for(str(path))) if not f.is_problem
    ]
    for f in findings:
        assert f.text == text[f.start : f.end]
        assert slice_by_line_column(text, f) == f.text, f
        assert f.text.strip() == f.text and f.text


def test_fixtures_exist_in_every_format():
    assert {p.suffix for p in FIXTURES} >= {".md", ".html", ".txt"}


def test_a_claim_split_over_a_markdown_line_break_is_one_finding(lint):
    text = "# Offer\n\nOur treatment has no side\neffects at all.\n"
    (finding,) = [f for f in lint(text, "markdown", "p.md") if f.rule == "CS101"]
    assert finding.text == "no side\neffects"
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 19, 4, 8)


def test_html_entities_are_kept_in_the_reported_text(lint):
    text = "<p>Completely&nbsp;risk&#8209;free &amp; no side&#32;effects.</p>"
    found = {f.text for f in lint(text, "html", "p.html") if f.category == "safety-absolute"}
    assert "no side&#32;effects" in found


def test_link_text_and_emphasis_keep_exact_positions(lint):
    text = "Try [our **risk-free**](https://example.com/risk-free) treatment.\n"
    (finding,) = [f for f in lint(text, "markdown", "p.md") if f.category == "safety-absolute"]
    assert (finding.text, finding.column) == ("risk-free", 12)
