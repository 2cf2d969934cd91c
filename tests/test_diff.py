"""Only what a change touched: ``check --diff BASE`` and ``--diff-file`` in real git repos
(a base commit and a head commit), and the unified-diff reader on its own."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest

from linter import diffs
from linter.cli import main
from tests.helpers import check

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PROMO = "Book your scalp mesotherapy today at our clinic.\n\n"
CLAIM = "Our scalp mesotherapy has no side effects.\n"
RISKS = (
    "Mesotherapy is not suitable for everyone: not during pregnancy or breastfeeding, or with a "
    "bleeding disorder, blood thinners, diabetes, a scalp infection or an allergy to the "
    "ingredients. Common side effects are bruising, swelling, redness and pain; rarely "
    "infection, scarring or an allergic reaction.\n"
)
DOCUMENT = ("CS401", "CS402")


def git(cwd, *args) -> str:
    env = dict(
        os.environ,
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)
    return done.stdout.decode()


def commit(repo, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write(repo, name: str, text: str | bytes) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    git(root, "init", "-q")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(root)
    return root


# -- --diff BASE -------------------------------------------------------------------------------


def test_moved_claim_is_not_reported_only_the_new_lines_are(repo, capsys):
    write(repo, "page.md", PROMO + CLAIM)
    base = commit(repo, "base")
    write(repo, "page.md", "Intro.\n\nMore intro.\n\n" + PROMO + CLAIM + "\nIt is painless.\n")
    commit(repo, "head")

    code, found, err = check(capsys, "--diff", base)
    assert code == 1, err
    claims = [f for f in found if f[2] not in DOCUMENT]
    assert claims == [("page.md", 9, "CS121")]  # the moved "no side effects" (line 7) is old
    assert {f[2] for f in found if f[2] in DOCUMENT} == set(DOCUMENT)  # the page was touched

    code, found, _ = check(capsys, "page.md")  # without --diff: everything
    assert ("page.md", 7, "CS101") in found


def test_edited_line_counts_and_multi_line_finding_counts_if_any_line_changed(repo, capsys):
    write(repo, "page.txt", "Our mesotherapy has no side\neffects at all.\n\nIt cures baldness.\n")
    base = commit(repo, "base")
    write(
        repo, "page.txt", "Our mesotherapy has no side\neffects whatsoever.\n\nIt cures baldness.\n"
    )
    commit(repo, "head")
    _, found, _ = check(capsys, "--diff", base)
    assert [f[2] for f in found if f[2] not in DOCUMENT] == ["CS101"]  # lines 1-2; 2 changed


def test_document_level_findings_only_for_touched_files(repo, capsys):
    write(repo, "a.md", PROMO + "Results in six sessions.\n")
    write(repo, "b.md", PROMO + "Results in six sessions.\n")
    write(repo, "c.md", PROMO + RISKS)
    base = commit(repo, "base")
    write(repo, "a.md", PROMO + "Results in six sessions.\n\nCall us.\n")
    write(repo, "c.md", PROMO)  # only removes lines: the risks paragraph is gone
    commit(repo, "head")

    code, found, _ = check(capsys, "--diff", base)
    assert code == 1
    assert sorted({(p, r) for p, _, r in found}) == [
        ("a.md", "CS401"),
        ("a.md", "CS402"),
        ("c.md", "CS401"),
        ("c.md", "CS402"),
    ]
    code, found, _ = check(capsys, "--diff", base, "b.md")  # named but untouched
    assert (code, found) == (0, [])


def test_pure_rename_touches_nothing_and_renamed_edit_counts_its_lines(repo, capsys):
    body = PROMO + CLAIM + "\n" + "Our team has years of experience with every hair type.\n" * 3
    write(repo, "old.md", body)
    write(repo, "keep.md", body)
    base = commit(repo, "base")
    git(repo, "mv", "old.md", "new.md")
    git(repo, "mv", "keep.md", "moved.md")
    write(repo, "new.md", body + "\nIt is painless.\n")
    commit(repo, "head")

    changes = diffs.from_git(base)
    assert changes.files["new.md"].renamed and changes.files["new.md"].old_path == "old.md"
    assert not changes.files["moved.md"].touched
    _, found, _ = check(capsys, "--diff", base)
    assert [f for f in found if f[2] not in DOCUMENT] == [("new.md", 9, "CS121")]
    assert {f[0] for f in found} == {"new.md"}
    assert main(["check", "--no-config", "--diff", base]) == 1
    assert "in 1 file." in capsys.readouterr().out  # moved.md (a pure rename) is not even linted


def test_deleted_files_are_skipped(repo, capsys):
    write(repo, "gone.md", PROMO + CLAIM)
    write(repo, "stay.md", "Plain words.\n")
    base = commit(repo, "base")
    (repo / "gone.md").unlink()
    write(repo, "stay.md", "Plain words.\nIt cures baldness.\n")
    commit(repo, "head")
    code, found, err = check(capsys, "--diff", base)
    assert (code, err) == (1, "")
    assert found == [("stay.md", 2, "CS111")]
    assert diffs.from_git(base).deleted == ["gone.md"]


def test_binary_files_in_the_diff_are_skipped(repo, capsys):
    write(repo, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00no side effects")
    write(repo, "notes.txt", b"no side effects\x00\x01\x02")
    base = commit(repo, "base")
    write(repo, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x01cures baldness")
    write(repo, "notes.txt", b"cures baldness\x00\x01\x02")
    write(repo, "page.txt", "It cures baldness.\n")
    commit(repo, "head")
    changes = diffs.from_git(base)
    assert changes.files["notes.txt"].binary and changes.files["logo.png"].binary
    _, found, _ = check(capsys, "--diff", base)
    assert found == [("page.txt", 1, "CS111")]  # no CS901 binary-file problem either


def test_only_suffixes_claimsafe_reads_unless_named(repo, capsys):
    write(repo, "base.txt", "x\n")
    base = commit(repo, "base")
    write(repo, "script.py", "x = 'It cures baldness.'\n")
    write(repo, "page.html", "<p>It cures baldness.</p>\n")
    commit(repo, "head")
    _, found, _ = check(capsys, "--diff", base)
    assert found == [("page.html", 1, "CS111")]
    _, found, _ = check(capsys, "--diff", base, "script.py")  # a named file is always linted
    assert found == [("script.py", 1, "CS111")]


def test_paths_relative_to_the_current_directory(repo, capsys, monkeypatch):
    write(repo, "docs/page.md", "Plain words.\n")
    write(repo, "blog/post.md", "Plain words.\n")
    base = commit(repo, "base")
    write(repo, "docs/page.md", "Plain words.\nIt cures baldness.\n")
    write(repo, "blog/post.md", "Plain words.\nIt cures baldness.\n")
    commit(repo, "head")
    monkeypatch.chdir(repo / "docs")
    _, found, _ = check(capsys, "--diff", base, ".")
    assert found == [(os.path.join(".", "page.md"), 2, "CS111")]  # as discover names it
    _, found, _ = check(capsys, "--diff", base)  # no PATH: every changed file of the repo
    assert found == [(os.path.join("..", "blog", "post.md"), 2, "CS111"), ("page.md", 2, "CS111")]


def test_uncommitted_changes_count_and_merge_base_is_used(repo, capsys):
    write(repo, "page.md", "Plain words.\n")
    write(repo, "other.md", "Plain words.\n")
    commit(repo, "base")
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "page.md", "Plain words.\nIt cures baldness.\n")
    commit(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    write(repo, "other.md", "Plain words.\nGuaranteed results.\n")  # main moves on
    commit(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    write(repo, "page.md", "Plain words.\nIt cures baldness.\nIt is painless.\n")  # not committed
    _, found, _ = check(capsys, "--diff", "main")
    assert found == [("page.md", 2, "CS111"), ("page.md", 3, "CS121")]  # other.md is main's change


# -- --diff-file -------------------------------------------------------------------------------


def _two_commits(repo):
    write(repo, "page.md", PROMO + CLAIM)
    base = commit(repo, "base")
    write(repo, "page.md", "Intro.\n\n" + PROMO + CLAIM + "It is painless.\n")
    commit(repo, "head")
    return git(repo, "diff", "--unified=3", base, "HEAD")


def test_diff_file_from_a_saved_diff(repo, capsys, tmp_path):
    saved = tmp_path / "pr.diff"
    saved.write_text(_two_commits(repo), encoding="utf-8")
    code, found, _ = check(capsys, "--diff-file", str(saved))
    assert code == 1
    assert [f for f in found if f[2] not in DOCUMENT] == [("page.md", 6, "CS121")]


def test_diff_file_from_stdin(repo, capsys, monkeypatch):
    text = _two_commits(repo)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    _, found, _ = check(capsys, "--diff-file", "-")
    assert [f for f in found if f[2] not in DOCUMENT] == [("page.md", 6, "CS121")]


def test_diff_file_outside_a_repository_uses_the_current_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.txt").write_text("Plain words.\nIt cures baldness.\nIt is painless.\n")
    patch = "--- page.txt\t2024-01-01 10:00:00\n+++ page.txt\t2024-01-02 10:00:00\n@@ -1,1 +1,2 @@\n Plain words.\n+It cures baldness.\n"
    (tmp_path / "p.diff").write_text(patch)
    _, found, _ = check(capsys, "--diff-file", "p.diff")
    assert found == [("page.txt", 2, "CS111")]


# -- errors ------------------------------------------------------------------------------------


def test_outside_a_git_repository_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.md").write_text(CLAIM)
    code = main(["check", "--no-config", "--diff", "main", "page.md"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == "claimsafe: error: --diff: not a git repository\n"


def test_unknown_revision_is_a_usage_error(repo, capsys):
    write(repo, "page.md", CLAIM)
    commit(repo, "base")
    code = main(["check", "--no-config", "--diff", "nope"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == "claimsafe: error: --diff: unknown revision 'nope'\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--diff", "HEAD", "--diff-file", "x.diff"], "not allowed with argument"),
        (["--diff", "HEAD", "-"], "cannot lint stdin"),
        (["--diff-file", "missing.diff"], "--diff-file: missing.diff: cannot read"),
    ],
)
def test_other_usage_errors(repo, capsys, args, message):
    code = main(["check", "--no-config", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_not_a_diff_is_a_usage_error(repo, capsys, tmp_path):
    (tmp_path / "x.diff").write_text("hello\n")
    code = main(["check", "--no-config", "--diff-file", str(tmp_path / "x.diff")])
    assert code == 2 and "not a unified diff" in capsys.readouterr().err


# -- the diff reader ---------------------------------------------------------------------------


def test_parse_git_diff_with_renames_binaries_quotes_and_deletions():
    text = (
        "\n".join(
            [
                'diff --git "a/caf\\303\\251 page.md" "b/caf\\303\\251 page.md"',
                "index 1..2 100644",
                '--- "a/caf\\303\\251 page.md"',
                '+++ "b/caf\\303\\251 page.md"',
                "@@ -2 +2,2 @@",
                "-old",
                "+new",
                "+newer",
                "diff --git a/with space.md b/with space.md",
                "--- a/with space.md\t",
                "+++ b/with space.md\t",
                "@@ -1,3 +1,3 @@",
                " keep",
                "--- a removed line that looks like a header",
                "+++ an added line that looks like a header",
                " keep",
                "\\ No newline at end of file",
                "diff --git a/a.md b/docs/a.md",
                "similarity index 100%",
                "rename from a.md",
                "rename to docs/a.md",
                "diff --git a/img.png b/img.png",
                "new file mode 100644",
                "index 0000000..1",
                "Binary files /dev/null and b/img.png differ",
                "diff --git a/gone.md b/gone.md",
                "deleted file mode 100644",
                "--- a/gone.md",
                "+++ /dev/null",
                "@@ -1,2 +0,0 @@",
                "-a",
                "-b",
                "diff --git a/fresh.md b/fresh.md",
                "new file mode 100644",
                "--- /dev/null",
                "+++ b/fresh.md",
                "@@ -0,0 +1,3 @@",
                "+one",
                "+two",
                "+three",
                "diff --git a/mode.sh b/mode.sh",
                "old mode 100644",
                "new mode 100755",
                "diff --git a/trim.md b/trim.md",
                "--- a/trim.md",
                "+++ b/trim.md",
                "@@ -4,2 +3,0 @@",
                "-x",
                "-y",
            ]
        )
        + "\n"
    )
    changes = diffs.parse(text, "/repo")
    files = changes.files
    assert files["café page.md"].lines == {2, 3}
    assert files["with space.md"].lines == {2}
    assert files["docs/a.md"].renamed and not files["docs/a.md"].touched
    assert files["img.png"].binary and not files["img.png"].touched
    assert changes.deleted == ["gone.md"] and "gone.md" not in files
    assert files["fresh.md"].added and files["fresh.md"].lines == {1, 2, 3}
    assert not files["mode.sh"].touched
    assert files["trim.md"].touched and files["trim.md"].lines == set()
    assert changes.touched_paths() == ["café page.md", "with space.md", "fresh.md", "trim.md"]


def test_parse_crlf_form_feeds_and_copies():
    text = "--- a/x.md\r\n+++ b/x.md\r\n@@ -1,2 +1,3 @@\r\n one\f still one\r\n+two\r\n\r\n"
    assert diffs.parse(text).files["x.md"].lines == {2}
    copy = "diff --git a/a.md b/b.md\nsimilarity index 90%\ncopy from a.md\ncopy to b.md\n--- a/a.md\n+++ b/b.md\n@@ -3 +3 @@\n-x\n+y\n"
    change = diffs.parse(copy).files["b.md"]
    assert (change.old_path, change.lines, change.touched) == ("a.md", {3}, True)


def test_parse_plain_unified_diff_and_empty_diff():
    text = "--- a/x.md\n+++ b/x.md\n@@ -1,2 +1,3 @@\n one\n+two\n three\n--- y.txt\n+++ y.txt\n@@ -5 +5 @@\n-a\n+b\n"
    changes = diffs.parse(text)
    assert changes.files["x.md"].lines == {2}
    assert changes.files["y.txt"].lines == {5}
    assert diffs.parse("").files == {}


def test_findings_on_changed_lines_only():
    from linter.engine import Report
    from linter.findings import Finding

    def finding(line, end_line, category="cure"):
        return Finding(
            "p.md", 0, 1, line, 1, end_line, 2, "CS111", "n", category, "error", "m", "t"
        )

    changes = diffs.parse("--- a/p.md\n+++ b/p.md\n@@ -3 +3 @@\n-a\n+b\n", ".")
    report = Report(
        [
            finding(1, 1),
            finding(2, 3),
            finding(4, 4),
            finding(1, 1, "missing-risks"),
            finding(9, 9, "problem"),
        ],
        files=1,
    )
    kept = diffs.filter_report(report, changes)
    assert [(f.line, f.category) for f in kept.findings] == [
        (2, "cure"),
        (1, "missing-risks"),
        (9, "problem"),
    ]
    assert kept.files == 1
