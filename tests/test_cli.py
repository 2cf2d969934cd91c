"""The command line as a user drives it: exit codes, formats, selection, stdin, errors."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter.cli import main

ROOT = Path(__file__).resolve().parent.parent
CLAIM = "Our scalp mesotherapy has no side effects.\n"
CLEAN = "Mesotherapy is not risk-free: bruising and swelling are common.\n"


@pytest.fixture
def site(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "claim.txt").write_text(CLAIM, encoding="utf-8")
    (tmp_path / "pages" / "clean.md").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "pages" / "notes.py").write_text("x = 'no side effects'\n", encoding="utf-8")
    return tmp_path


def run(args, capsys, cwd=None, monkeypatch=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    code = main(["check", "--no-config", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_finding_exits_1_with_path_line_col_and_suggestion(site, capsys, monkeypatch):
    code, out, _ = run(["pages"], capsys, site, monkeypatch)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("pages/claim.txt:1:27: error [CS101 no-side-effects] ")
    assert "matched: 'no side effects'" in out
    assert "suggestion:" in out
    assert out.rstrip().endswith("in 2 files.")  # notes.py is not a default glob


def test_clean_file_exits_0(site, capsys, monkeypatch):
    code, out, _ = run(["pages/clean.md"], capsys, site, monkeypatch)
    assert code == 0
    assert "No findings in 1 file." in out


def test_json_output_follows_the_contract(site, capsys, monkeypatch):
    code, out, _ = run(["pages/claim.txt", "--format", "json"], capsys, site, monkeypatch)
    data = json.loads(out)
    assert code == 1
    assert data["version"] == 1 and data["tool"]["name"] == "claimsafe"
    (finding,) = data["findings"]
    assert list(finding) == [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "rule",
        "name",
        "category",
        "severity",
        "message",
        "text",
        "evidence",
        "suggestion",
    ]
    assert finding["path"] == "pages/claim.txt"
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (
        1,
        27,
        1,
        42,
    )
    assert finding["text"] == "no side effects" == CLAIM[26:41]
    assert data["summary"] == {"files": 1, "findings": 1, "by_category": {"safety-absolute": 1}}


@pytest.mark.parametrize("selector", ["CS101", "no-side-effects", "safety-absolute", "CS1"])
def test_ignore_by_code_name_category_or_prefix(site, capsys, monkeypatch, selector):
    code, out, _ = run(["pages/claim.txt", "--ignore", selector], capsys, site, monkeypatch)
    assert code == 0, out


def test_select_keeps_only_the_named_rules(site, capsys, monkeypatch):
    code, _, _ = run(["pages/claim.txt", "--select", "cure"], capsys, site, monkeypatch)
    assert code == 0
    code, _, _ = run(
        ["pages/claim.txt", "--select", "cure,safety-absolute"], capsys, site, monkeypatch
    )
    assert code == 1


def test_fail_on_error_ignores_warnings(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.txt").write_text("The UK's No.1 hair clinic.\n", encoding="utf-8")
    code, out, _ = run(["a.txt"], capsys, tmp_path, monkeypatch)
    assert code == 1 and " warning [" in out
    code, _, _ = run(["a.txt", "--fail-on", "error"], capsys, tmp_path, monkeypatch)
    assert code == 0


def test_unknown_selector_is_a_usage_error(site, capsys, monkeypatch):
    code, _, err = run(["pages", "--select", "no-such-rule"], capsys, site, monkeypatch)
    assert code == 2
    assert err.strip() == "claimsafe: error: unknown rule, name or category 'no-such-rule'"


def test_missing_path_is_a_usage_error(tmp_path, capsys, monkeypatch):
    code, out, err = run(["nowhere.md"], capsys, tmp_path, monkeypatch)
    assert code == 2 and out == ""
    assert err.strip() == "claimsafe: error: nowhere.md: no such file or directory"


def test_bad_option_is_one_line_exit_2(capsys):
    assert main(["check", "--format", "xml", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'xml'" in err


def test_stdin_uses_the_given_filename_and_format(capsys, monkeypatch):
    import io

    monkeypatch.setattr(
        sys,
        "stdin",
        io.TextIOWrapper(
            io.BytesIO(b"# Title\n\n`no side effects` is banned wording.\n\nIt is risk-free.\n")
        ),
    )
    code, out, _ = run(["-", "--stdin-filename", "draft.md"], capsys)
    assert code == 1
    lines = [l for l in out.splitlines() if "[CS" in l]
    assert len(lines) == 1 and lines[0].startswith("draft.md:5:7: error [CS101 no-side-effects]")


def test_binary_and_undecodable_files_are_reported_and_others_still_linted(
    tmp_path, capsys, monkeypatch
):
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "latin.txt").write_bytes(
        "Caf\xe9 copy: our treatment is risk-free.\n".encode("latin-1")
    )
    (tmp_path / "ok.txt").write_text(CLAIM, encoding="utf-8")
    code, out, err = run([".", "--format", "json"], capsys, tmp_path, monkeypatch)
    data = json.loads(out)
    by_rule = {(f["path"], f["rule"]) for f in data["findings"]}
    assert code == 1 and err == ""
    assert ("./img.txt", "CS901") in by_rule  # binary skipped, reported
    assert ("./latin.txt", "CS902") in by_rule  # decoded with a fallback, reported
    assert ("./latin.txt", "CS101") in by_rule  # ...and still linted
    assert ("./ok.txt", "CS101") in by_rule


def test_input_files_are_never_written(site, capsys, monkeypatch):
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*") if p.is_file()}
    run(["pages", "--format", "json"], capsys, site, monkeypatch)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in site.rglob("*") if p.is_file()}
    assert before == after


def test_exclude_skips_matching_paths(site, capsys, monkeypatch):
    code, out, _ = run(["pages", "--exclude", "claim.txt"], capsys, site, monkeypatch)
    assert code == 0 and "in 1 file." in out


def test_python_dash_m_linter_is_the_same_command(site):
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-config", "pages/claim.txt"],
        cwd=site,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("pages/claim.txt:1:27: error [CS101 no-side-effects]")
    assert result.stderr == ""


def test_no_colour_when_not_a_tty_and_colour_when_forced(site, capsys, monkeypatch):
    _, out, _ = run(["pages/claim.txt"], capsys, site, monkeypatch)
    assert "\033[" not in out
    _, out, _ = run(["pages/claim.txt", "--color", "always"], capsys, site, monkeypatch)
    assert "\033[31merror\033[0m" in out


def test_output_file(site, capsys, monkeypatch):
    code, out, _ = run(
        ["pages/claim.txt", "--format", "json", "-o", "report.json"], capsys, site, monkeypatch
    )
    assert code == 1 and out == ""
    assert json.loads((site / "report.json").read_text())["summary"]["findings"] == 1


def test_parallel_jobs_give_the_same_report_in_the_same_order(tmp_path, capsys, monkeypatch):
    for i in range(12):
        (tmp_path / f"p{i:02}.txt").write_text(
            f"Page {i}. It is risk-free. {'Guaranteed results.' if i % 3 else ''}\n"
        )
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01")
    serial = run([".", "--format", "json", "--jobs", "1"], capsys, tmp_path, monkeypatch)
    parallel = run([".", "--format", "json", "--jobs", "2"], capsys, tmp_path, monkeypatch)
    assert serial[0] == parallel[0] == 1
    assert json.loads(serial[1]) == json.loads(parallel[1])
    assert json.loads(serial[1])["summary"]["files"] == 13


def _command(site, *args, stdout=subprocess.PIPE):
    return subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-config", *args],
        cwd=site,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_to_stdout_is_one_line_exit_2(site):
    with open("/dev/full", "w") as full:  # every write fails: "No space left on device"
        result = _command(site, "pages/claim.txt", stdout=full)
    assert result.returncode == 2
    assert result.stderr == "claimsafe: error: cannot write report: No space left on device\n"


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(300):  # far more report than a pipe holds
        (pages / f"p{i}.txt").write_text(CLAIM * 20, encoding="utf-8")
    command = [sys.executable, "-m", "linter", "check", "--no-config", "pages"]
    env = {"PYTHONPATH": str(ROOT), "PATH": ""}
    proc = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1
    assert first.startswith(b"pages/p")
    assert err == ""


@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 150, 1923])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_files_are_grouped_each_once_in_order_with_small_groups_last(count, workers):
    from linter.engine import GROUP_FILES, _groups

    files = [f"p{i}.md" for i in range(count)]
    groups = list(_groups(files, workers))
    assert [f for group in groups for f in group] == files
    assert all(0 < len(group) <= GROUP_FILES for group in groups)
    if workers > 1 and count > 4 * workers * GROUP_FILES:
        # the work left when a worker runs dry is a small group, not a full one
        assert all(len(group) < GROUP_FILES for group in groups[-2 * workers :])


def test_an_interrupted_report_leaves_the_last_whole_one_and_no_temporary_file(
    site, capsys, monkeypatch
):
    from linter import reporters

    code, _, _ = run(["pages", "--format", "json", "-o", "report.json"], capsys, site, monkeypatch)
    whole = (site / "report.json").read_text()
    assert code == 1 and json.loads(whole)["summary"]["files"] == 2

    def interrupted(report, *args, **kwargs):  # Ctrl-C after the first piece is written
        yield "{\n"
        raise KeyboardInterrupt

    monkeypatch.setitem(reporters.FORMATS, "json", interrupted)
    code, _, err = run(
        ["pages", "--format", "json", "-o", "report.json"], capsys, site, monkeypatch
    )
    assert code == 130 and err == "claimsafe: interrupted\n"
    assert (site / "report.json").read_text() == whole
    assert sorted(p.name for p in site.iterdir()) == ["pages", "report.json"]


def test_a_report_file_keeps_its_mode_and_a_symlink_stays_one(site, capsys, monkeypatch):
    umask = os.umask(0o022)
    try:
        run(["pages", "-o", "new.txt"], capsys, site, monkeypatch)
        assert (site / "new.txt").stat().st_mode & 0o777 == 0o644  # as open() would make it
        (site / "kept.txt").write_text("old")
        (site / "kept.txt").chmod(0o600)
        run(["pages", "-o", "kept.txt"], capsys, site, monkeypatch)
        assert (site / "kept.txt").stat().st_mode & 0o777 == 0o600
        assert "Found 1 finding" in (site / "kept.txt").read_text()
    finally:
        os.umask(umask)
    (site / "link.txt").symlink_to(site / "kept.txt")
    (site / "kept.txt").write_text("old")
    run(["pages", "-o", "link.txt"], capsys, site, monkeypatch)
    assert (site / "link.txt").is_symlink()
    assert "Found 1 finding" in (site / "kept.txt").read_text()


def test_a_report_to_a_missing_folder_is_one_line_exit_2(site, capsys, monkeypatch):
    code, _, err = run(["pages", "-o", "nowhere/report.txt"], capsys, site, monkeypatch)
    assert code == 2
    assert err == (
        "claimsafe: error: nowhere/report.txt: cannot write report: No such file or directory\n"
    )


def test_a_writable_report_in_a_folder_without_room_for_another_file_is_written_in_place(
    site, capsys, monkeypatch
):
    import tempfile

    def refused(*args, **kwargs):  # as in a read-only folder (root may write anywhere)
        raise PermissionError(13, "Permission denied")

    (site / "report.txt").write_text("old")
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    code, _, err = run(["pages", "-o", "report.txt"], capsys, site, monkeypatch)
    assert code == 1 and err == ""
    assert "Found 1 finding" in (site / "report.txt").read_text()
    code, _, err = run(["pages", "-o", "new.txt"], capsys, site, monkeypatch)
    assert (
        code == 2 and err == "claimsafe: error: new.txt: cannot write report: Permission denied\n"
    )
