"""Reading documents: decoding, binary detection, discovery, and LineIndex positions."""

from __future__ import annotations

import pytest

from linter.documents import LineIndex, UsageError, decode, discover, read_path


def test_utf8_bom_is_stripped():
    text, problem = decode("\ufeffNo side effects".encode("utf-8"), "a.txt")
    assert text == "No side effects" and problem is None


def test_non_utf8_falls_back_with_a_problem():
    text, problem = decode("Caf\xe9".encode("cp1252"), "a.txt")
    assert text == "Café" and problem.code == "decode-fallback" and "byte 3" in problem.message


def test_binary_is_refused():
    text, problem = decode(b"GIF89a\x00\x01", "a.txt")
    assert text is None and problem.code == "binary"


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path):
    directory = tmp_path / "dir.md"
    directory.mkdir()
    document, problems = read_path(str(directory))
    assert document is None and problems[0].code == "unreadable"


def test_discover_walks_default_globs_and_excludes(tmp_path):
    for name in [
        "a.md",
        "b.markdown",
        "c.html",
        "d.htm",
        "e.txt",
        "f.py",
        "node_modules/g.md",
        "drafts/h.md",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = [p[len(str(tmp_path)) + 1 :] for p in discover([str(tmp_path)], exclude=["drafts"])]
    assert found == ["a.md", "b.markdown", "c.html", "d.htm", "e.txt"]


def test_missing_path_raises_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file or directory"):
        list(discover([str(tmp_path / "missing")]))


def test_line_index_positions_are_one_based_in_characters():
    text = "ab\ncdé\n\nf"
    index = LineIndex(text)
    assert [index.position(i) for i in (0, 2, 3, 5, 6, 7, 8)] == [
        (1, 1),
        (1, 3),
        (2, 1),
        (2, 3),
        (2, 4),
        (3, 1),
        (4, 1),
    ]
