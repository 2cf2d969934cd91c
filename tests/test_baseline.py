"""Legacy content: ``baseline write`` records today's findings, ``check --baseline`` reports
only new ones and counts stale entries; identity survives moved lines, not edited claims."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from linter import baseline
from linter.cli import main
from tests.helpers import check

from .test_diff import CLAIM, DOCUMENT, PROMO, commit, git, write

PARAGRAPHS = "A welcoming intro.\n\nAnother paragraph about our team.\n\n"
STALE = "baseline entries no longer match; run `claimsafe baseline write` to shrink it"


@pytest.fixture
def site(tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def record(capsys, *args):
    code = main(["baseline", "write", *args, "--no-config"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_write_then_check_reports_nothing(site, capsys):
    write(site, "docs/page.md", PROMO + CLAIM)
    out = record(capsys, "b.json", "docs")
    assert out == "Wrote 3 findings in 1 file to b.json.\n"
    assert check(capsys, "docs")[0] == 1
    assert check(capsys, "--baseline", "b.json", "docs") == (0, [], "")


def test_file_format_is_sorted_stable_and_versioned(site, capsys):
    write(site, "b.md", "It cures baldness.\n\nIt is painless.\n")
    write(site, "a.md", "Guaranteed results.\n")
    record(capsys, "base.json")  # PATH defaults to .
    first = (site / "base.json").read_text()
    data = json.loads(first)
    assert (data["version"], data["tool"]) == (1, "claimsafe")
    assert [(e["path"], e["line"], e["rule"]) for e in data["entries"]] == [
        ("a.md", 1, "CS141"),
        ("b.md", 1, "CS111"),
        ("b.md", 3, "CS121"),
    ]
    assert all(list(e) == ["path", "rule", "fingerprint", "text", "line"] for e in data["entries"])
    assert all(len(e["fingerprint"]) == 64 for e in data["entries"])
    record(capsys, "base.json")
    assert (site / "base.json").read_text() == first


def test_moved_lines_stay_baselined_in_a_git_repo(site, capsys):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(site, "init", "-q")
    write(site, "page.md", PROMO + CLAIM)
    record(capsys, ".claimsafe-baseline.json", "page.md")
    base = commit(site, "base with baseline")
    write(
        site,
        "page.md",
        PARAGRAPHS + PROMO + "Intro to the claim.\n" + CLAIM + "\nIt is painless.\n",
    )
    commit(site, "head: paragraphs inserted, a new claim")

    code, found, err = check(capsys, "--baseline", ".claimsafe-baseline.json", "page.md")
    assert code == 1
    assert found == [("page.md", 10, "CS121")]  # the moved CS101 (now line 8) is baselined
    assert err == ""
    # with --diff as well: an entry on an unchanged line is not stale
    code, found, err = check(capsys, "--diff", base, "--baseline", ".claimsafe-baseline.json")
    assert (found, err) == ([("page.md", 10, "CS121")], "")


def test_edited_claim_is_new_and_its_old_entry_stale(site, capsys):
    write(site, "page.txt", "Our scalp mesotherapy has no side effects.\n\nIt cures baldness.\n")
    record(capsys, "b.json", "page.txt")
    write(
        site, "page.txt", "Our new scalp mesotherapy has no side effects.\n\nIt cures baldness.\n"
    )
    code = main(["check", "--no-config", "--baseline", "b.json", "page.txt"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.startswith("page.txt:1:31: error [CS101 no-side-effects]")
    assert "Found 1 finding" in out
    assert (
        err
        == "claimsafe: 1 baseline entry no longer matches; run `claimsafe baseline write` to shrink it\n"
    )


def test_fixed_claim_leaves_a_stale_entry_that_never_fails_the_run(site, capsys):
    write(site, "page.txt", "It cures baldness.\n\nIt is painless.\n\nGuaranteed results.\n")
    record(capsys, "b.json", "page.txt")
    write(site, "page.txt", "It is painless.\n")
    code = main(["check", "--no-config", "--baseline", "b.json", "page.txt"])
    out, err = capsys.readouterr()
    assert code == 0 and out == "No findings in 1 file.\n"
    assert err == f"claimsafe: 2 {STALE}\n"


def test_identical_findings_are_matched_by_count(site, capsys):
    line = "It cures baldness.\n\n"
    write(site, "page.txt", line * 2)
    record(capsys, "b.json", "page.txt")
    write(site, "page.txt", line * 3)
    code, found, err = check(capsys, "--baseline", "b.json", "page.txt")
    assert code == 1 and len(found) == 1 and err == ""
    write(site, "page.txt", line)
    code, found, err = check(capsys, "--baseline", "b.json", "page.txt")
    assert (code, found) == (0, []) and "1 baseline entry no longer matches" in err


def test_renamed_file_entries_go_stale_and_findings_come_back(site, capsys):
    write(site, "old.txt", "It cures baldness.\n")
    record(capsys, "b.json", ".")
    (site / "old.txt").rename(site / "new.txt")
    _, found, err = check(capsys, "--baseline", "b.json", ".")
    assert found == [("./new.txt", 1, "CS111")]
    assert "1 baseline entry no longer matches" in err


def test_deleted_file_is_stale_only_when_the_run_covers_it(site, capsys):
    write(site, "docs/gone.txt", "It cures baldness.\n")
    write(site, "docs/stay.txt", "It is painless.\n")
    write(site, "other/x.txt", "Guaranteed results.\n")
    record(capsys, "b.json")
    (site / "docs" / "gone.txt").unlink()
    assert check(capsys, "--baseline", "b.json", "docs/stay.txt") == (
        0,
        [],
        "",
    )  # a named file only
    code, found, err = check(capsys, "--baseline", "b.json", "docs")
    assert (code, found) == (0, []) and "1 baseline entry no longer matches" in err


def test_paths_are_relative_to_the_baseline_file(site, capsys, monkeypatch):
    write(site, "docs/page.txt", "It cures baldness.\n")
    record(capsys, "b.json", "./docs/page.txt")
    assert json.loads((site / "b.json").read_text())["entries"][0]["path"] == "docs/page.txt"
    monkeypatch.chdir(site / "docs")
    assert check(capsys, "--baseline", "../b.json", "page.txt") == (0, [], "")
    assert check(capsys, "--baseline", str(site / "b.json"), str(site / "docs")) == (0, [], "")


def test_write_respects_check_options(site, capsys):
    write(site, "page.txt", "It cures baldness.\n\nIt is painless.\n")
    record(capsys, "b.json", "page.txt", "--select", "cure")
    assert [e["rule"] for e in json.loads((site / "b.json").read_text())["entries"]] == ["CS111"]
    assert check(capsys, "--baseline", "b.json", "page.txt")[1] == [("page.txt", 3, "CS121")]
    assert check(capsys, "--baseline", "b.json", "page.txt", "--ignore", "painless")[:2] == (0, [])


def test_entries_of_rules_not_run_are_not_stale(site, capsys):
    write(site, "page.txt", "It cures baldness.\n\nIt is painless.\n")
    record(capsys, "b.json", "page.txt")
    assert check(capsys, "--baseline", "b.json", "page.txt", "--select", "cure") == (0, [], "")
    write(site, "page.txt", "It is painless.\n")
    assert (
        "1 baseline entry"
        in check(capsys, "--baseline", "b.json", "page.txt", "--select", "cure")[2]
    )


def test_diff_and_baseline_an_edited_baselined_claim_is_new(site, capsys):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(site, "init", "-q")
    write(
        site,
        "page.txt",
        PROMO + "Our scalp mesotherapy has no side effects.\n\nIt cures baldness.\n",
    )
    record(capsys, "b.json", "page.txt")
    base = commit(site, "base")
    write(
        site,
        "page.txt",
        "Book our mesotherapy.\n\nOur mesotherapy has no side effects.\n\nIt cures baldness.\n",
    )
    commit(site, "head")
    code, found, err = check(capsys, "--diff", base, "--baseline", "b.json")
    # CS401/CS402 (about the page) stay baselined though the words they point at changed
    assert (code, found) == (1, [("page.txt", 3, "CS101")])
    assert (
        err
        == "claimsafe: 1 baseline entry no longer matches; run `claimsafe baseline write` to shrink it\n"
    )


def test_stdin_with_a_baseline(site, capsys, monkeypatch):
    text = b"Intro.\n\nIt cures baldness.\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text)))
    record(capsys, "b.json", "-", "--stdin-filename", "page.txt")
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(b"New.\n\n" + text + b"It is painless.\n"))
    )
    code, found, err = check(capsys, "--baseline", "b.json", "--stdin-filename", "page.txt", "-")
    assert (code, found, err) == (1, [("page.txt", 6, "CS121")], "")


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "b.json: baseline file not found"),
        ("{nope", "b.json: not a claimsafe baseline (invalid JSON"),
        ('{"version": 1, "entries": []}', "b.json: not a claimsafe baseline"),
        (
            '{"version": 9, "tool": "claimsafe", "entries": []}',
            "b.json: unsupported baseline version 9",
        ),
        (
            '{"version": 1, "tool": "claimsafe", "entries": [{"path": 1}]}',
            "b.json: entry 1 needs string",
        ),
    ],
)
def test_bad_baseline_file_is_a_usage_error(site, capsys, content, message):
    write(site, "page.txt", "It cures baldness.\n")
    if content is not None:
        write(site, "b.json", content)
    code = main(["check", "--no-config", "--baseline", "b.json", "page.txt"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(f"claimsafe: error: {message}") and err.count("\n") == 1


def test_baseline_without_action_is_a_usage_error(site, capsys):
    assert main(["baseline"]) == 2
    assert "baseline: give an action (write)" in capsys.readouterr().err


# -- fingerprints ------------------------------------------------------------------------------


def test_sentence_context_stops_at_sentences_blocks_and_blank_lines():
    text = "Intro. Our care has\nno side effects at all! Next.\n\n- one\n- It cures baldness\n"
    start = text.index("no side")
    assert baseline.sentence(text, start, start + 15) == "Our care has\nno side effects at all!"
    start = text.index("cures")
    assert baseline.sentence(text, start, start + 5) == "- It cures baldness"
    start = text.index("cures")
    html = "<p>Our clinic: it cures baldness.</p>"
    start = html.index("cures")
    assert baseline.sentence(html, start, start + 5) == "Our clinic: it cures baldness."


def test_fingerprint_ignores_case_and_whitespace_but_not_the_sentence(tmp_path):
    from linter.engine import Engine

    engine = Engine()
    texts = {
        "a": "It cures baldness.\n",
        "b": "Intro.\n\n\nIT   CURES\nbaldness.\n",
        "c": "It truly cures baldness.\n",
    }
    marks = {}
    for key, text in texts.items():
        (finding,) = [f for f in engine.lint_text(text, "page.txt") if f.category not in DOCUMENT]
        marks[key] = baseline.fingerprint(
            finding, str(tmp_path), baseline.Sources({"page.txt": text})
        )
    assert marks["a"] == marks["b"] != marks["c"]
