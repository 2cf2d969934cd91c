"""Bad input never crashes: every odd file gives a normal result or a reported problem,
never a traceback, and the other files are still linted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_dir(directory: Path, *args: str):
    result = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--no-config", "--format", "json", *args, "."],
        cwd=directory,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        timeout=600,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "empty.md").write_text("")
    (d / "whitespace.txt").write_text("\n\n   \n")
    (d / "binary.html").write_bytes(b"<html>\x00\x00\x01\x02")
    (d / "latin1.md").write_bytes("# Caf\xe9\n\nOur treatment is risk-free.\n".encode("latin-1"))
    (d / "front.md").write_text(
        "---\ntitle: Painless hair regrowth\n\nNo closing fence. Guaranteed results.\n"
    )
    (d / "malformed.html").write_text(
        "<html><body><p>Unclosed <b>risk-free <div></span></p><p x='1\n<script>alert(1)"
    )
    nested = "".join("  " * i + "- level\n" for i in range(40)) + "  " * 40 + "- it is risk-free\n"
    (d / "nested.md").write_text(nested)
    deeper = "".join("  " * i + "- level\n" for i in range(400))
    (d / "deeper.md").write_text(deeper)
    (d / "deep.html").write_text("<div>" * 2000 + "It is risk-free." + "</div>" * 2000)
    (d / "control.txt").write_text("Risk\u200b-free? \x07\x1b[31m no side effects \ufffd\n")
    (d / "lonely-surrogate.md").write_bytes(b"It is risk-free \xed\xa0\x80 here.\n")
    sentence = "Our clinic offers scalp mesotherapy in {city}; sessions take about twenty minutes. "
    huge = "".join(sentence.format(city=f"town {i}") for i in range(140_000)) + "It is risk-free.\n"
    (d / "huge.txt").write_text(huge)
    assert (d / "huge.txt").stat().st_size > 10_000_000
    (d / "ok.md").write_text("It has no side effects.\n")
    return d


def test_every_bad_input_is_linted_or_reported(bad_inputs):
    code, data, stderr = lint_dir(bad_inputs)
    assert code == 1 and stderr == ""
    by_path = {}
    for f in data["findings"]:
        by_path.setdefault(f["path"].removeprefix("./"), []).append(f["rule"])
    assert data["summary"]["files"] == 13
    assert by_path["binary.html"] == ["CS901"]
    assert "CS902" in by_path["latin1.md"] and "CS101" in by_path["latin1.md"]
    assert "CS903" in by_path["front.md"]  # unterminated front matter, still linted:
    assert "CS141" in by_path["front.md"]
    assert "CS101" in by_path["malformed.html"]
    assert "CS101" in by_path["nested.md"]
    assert by_path["deeper.md"] == ["CS903"]  # beyond 100 levels: reported, not silently dropped
    assert "CS101" in by_path["deep.html"]
    assert "CS101" in by_path["huge.txt"]
    assert by_path["ok.md"] == ["CS101"]
    assert "empty.md" not in by_path and "whitespace.txt" not in by_path


def test_findings_in_huge_file_point_at_the_right_place(bad_inputs):
    _, data, _ = lint_dir(bad_inputs)
    (finding,) = [
        f for f in data["findings"] if f["path"].endswith("huge.txt") and f["rule"] == "CS101"
    ]
    text = (bad_inputs / "huge.txt").read_text()
    assert finding["text"] == "risk-free"
    assert text[text.rindex("risk-free") :].startswith(finding["text"])
    assert finding["line"] == 1 and finding["column"] == text.rindex("risk-free") + 1
