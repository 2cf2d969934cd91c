"""Reporters are thin and golden-tested on one shared set of findings (including a tool
problem and non-ASCII text). Regenerate the golden files with
``CLAIMSAFE_UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py`` and review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linter.cli import main
from linter.engine import Report
from linter.findings import Evidence, Finding
from linter.reporters import FORMATS
from linter.reporters.github import escape_data, escape_property

GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

FINDINGS = [
    Finding(
        path="site/landing.md",
        start=120,
        end=135,
        line=12,
        column=5,
        end_line=12,
        end_column=20,
        rule="CS101",
        name="no-side-effects",
        category="safety-absolute",
        severity="error",
        message="'no side effects' denies that the treatment has side effects or risks.",
        text="no side effects",
        suggestion="Side effects are usually mild and short-lived, such as redness or bruising.",
        evidence=(
            Evidence("meso-side-effects", "004", "Common side effects may include bruising"),
        ),
    ),
    Finding(
        path="site/témoignages.md",
        start=10,
        end=33,
        line=2,
        column=3,
        end_line=3,
        end_column=8,
        rule="CS121",
        name="painless",
        category="painless",
        severity="warning",
        message="'pain-free' — an invasive procedure described as painless.",
        text="totalement\npain-free",
        suggestion="Most people feel a brief sting.",
        context=("testimonial",),
    ),
    Finding(
        path="site/logo.txt",
        start=0,
        end=0,
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        rule="CS901",
        name="binary-file",
        category="problem",
        severity="warning",
        message="binary file skipped (contains NUL bytes)",
        text="",
    ),
]


@pytest.mark.parametrize(
    "fmt,suffix", [("text", "txt"), ("json", "json"), ("sarif", "sarif"), ("github", "github")]
)
def test_reporter_matches_golden(fmt, suffix):
    rendered = "".join(FORMATS[fmt](Report(FINDINGS, files=3), None, colour=False))
    golden = GOLDEN / f"findings.{suffix}"
    if os.environ.get("CLAIMSAFE_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def test_json_is_version_1_with_the_contract_keys():
    data = json.loads("".join(FORMATS["json"](Report(FINDINGS, files=3))))
    assert data["version"] == 1
    assert set(data) == {"version", "tool", "findings", "summary"}
    assert data["summary"] == {
        "files": 3,
        "findings": 3,
        "by_category": {"painless": 1, "problem": 1, "safety-absolute": 1},
    }
    assert data["findings"][0]["evidence"] == [
        {
            "fact": "meso-side-effects",
            "document": "004",
            "quote": "Common side effects may include bruising",
        }
    ]
    assert data["findings"][1]["text"] == "totalement\npain-free"


def test_text_has_one_headline_per_finding_and_a_summary():
    lines = "".join(FORMATS["text"](Report(FINDINGS, files=3))).splitlines()
    assert lines[0] == (
        "site/landing.md:12:5: error [CS101 no-side-effects] "
        "'no side effects' denies that the treatment has side effects or risks."
    )
    assert lines[-1] == "Found 3 findings (1 error, 2 warnings) in 3 files."


# -- SARIF ----------------------------------------------------------------------------------

# A Markdown page with markup inside and around claims, non-ASCII and astral characters
# before claims on the same line, and a claim that spans two lines.
PAGE = (
    "# Mésothérapie — hair clinic 💆\n"
    "\n"
    "Our *scalp* injections are painless 💉 and have no side effects.\n"
    "\n"
    "« Résultats » garantis : our protocol cures\n"
    "androgenetic alopecia in 3 sessions.\n"
    "\n"
    "<!-- claimsafe: disable-next-line CS101 -->\n"  # no reason: a CS904 problem with a span
    "No downtime.\n"
)


def assert_valid_sarif(data: dict) -> None:
    from jsonschema import Draft7Validator

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def region_text(source: str, region: dict) -> str:
    """Slice ``source`` by a SARIF region (1-based lines and code-point columns, exclusive end)."""
    starts = [0] + [i + 1 for i, ch in enumerate(source) if ch == "\n"]
    start = starts[region["startLine"] - 1] + region["startColumn"] - 1
    end = starts[region["endLine"] - 1] + region["endColumn"] - 1
    return source[start:end]


def test_schema_copy_is_the_shared_one():
    shared = Path("/work/shared/schemas/sarif-schema-2.1.0.json")
    if not shared.is_file():
        pytest.skip("shared schema not present on this machine")
    assert SARIF_SCHEMA.read_bytes() == shared.read_bytes()


def test_sarif_validates_against_the_official_schema(rulebook):
    assert_valid_sarif(json.loads(FORMATS["sarif"](Report(FINDINGS, files=3))))
    assert_valid_sarif(json.loads(FORMATS["sarif"](Report(FINDINGS, files=3), rulebook)))
    assert_valid_sarif(json.loads(FORMATS["sarif"](Report([], files=0), rulebook)))


def test_schema_validation_catches_a_broken_document():
    from jsonschema import Draft7Validator

    data = json.loads(FORMATS["sarif"](Report(FINDINGS, files=3)))
    data["runs"][0]["results"][0]["level"] = "fatal"
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert not Draft7Validator(schema).is_valid(data)


def test_sarif_results_carry_positions_evidence_and_fingerprints():
    run = json.loads(FORMATS["sarif"](Report(FINDINGS, files=3)))["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    first, multiline, problem = run["results"]
    assert first["ruleId"] == "CS101" and first["level"] == "error"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "site/landing.md", "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": 12,
            "startColumn": 5,
            "endLine": 12,
            "endColumn": 20,
            "snippet": {"text": "no side effects"},
        },
    }
    assert first["properties"]["evidence"] == [
        {
            "fact": "meso-side-effects",
            "document": "004",
            "quote": "Common side effects may include bruising",
        }
    ]
    assert (
        multiline["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "site/t%C3%A9moignages.md"
    )
    assert (
        multiline["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
        == "totalement\npain-free"
    )
    # a file-level problem: a region with a start only, and no suggestion
    assert problem["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
    }
    assert problem["level"] == "warning" and "suggestion" not in problem["properties"]
    rules = run["tool"]["driver"]["rules"]
    assert [rules[r["ruleIndex"]]["id"] for r in run["results"]] == ["CS101", "CS121", "CS901"]
    assert rules[2]["properties"]["category"] == "problem"


def test_sarif_fingerprints_ignore_lines_case_and_spacing_but_not_repeats():
    from dataclasses import replace

    base = FINDINGS[0]
    moved = replace(base, line=40, end_line=40, start=900, end=915, text="No  side\neffects")
    elsewhere = replace(base, path="site/other.md")

    def prints(*findings):
        run = json.loads(FORMATS["sarif"](Report(list(findings), files=1)))["runs"][0]
        return [r["partialFingerprints"]["claimsafe/v1"] for r in run["results"]]

    (alone,) = prints(base)
    assert prints(moved) == [alone]
    assert prints(elsewhere) != [alone]
    first, second = prints(base, moved)  # the same claim twice in one file: two alerts
    assert first == alone and second != alone


def test_sarif_rules_come_from_the_rulebook_with_stable_indexes(rulebook):
    run = json.loads(FORMATS["sarif"](Report(FINDINGS, files=3), rulebook))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == [r.code for r in rulebook] + ["CS901"]
    empty = json.loads(FORMATS["sarif"](Report([], files=1), rulebook))["runs"][0]
    assert [r["id"] for r in empty["tool"]["driver"]["rules"]] == ids[:-1]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    cs101 = rules[ids.index("CS101")]
    rule = rulebook.get("CS101")
    assert cs101["name"] == "no-side-effects"
    assert cs101["shortDescription"]["text"].startswith("'…' denies")
    assert "{" not in cs101["shortDescription"]["text"]
    assert cs101["fullDescription"]["text"] == " ".join(rule.rationale.split())
    assert cs101["defaultConfiguration"] == {"level": "error"}
    assert cs101["properties"] == {
        "category": "safety-absolute",
        "tags": ["safety-absolute"],
        "facts": list(rule.facts),
    }
    for reference in rule.references:
        assert f"- {reference}" in cs101["help"]["text"]
    assert " ".join(rule.suggestion.split()) in cs101["help"]["text"]
    assert "**References**" in cs101["help"]["markdown"]
    assert all("{" not in r["shortDescription"]["text"] for r in rules)
    info = [r for r in rulebook if r.severity == "info"]
    if info:
        assert rules[ids.index(info[0].code)]["defaultConfiguration"] == {"level": "note"}


def test_sarif_regions_point_at_the_matched_text_in_a_real_run(engine, tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    page = tmp_path / "site" / "page.md"
    page.write_bytes(PAGE.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    report = engine.lint_paths(["./site/page.md"])
    data = json.loads(FORMATS["sarif"](report, engine.rulebook))
    assert_valid_sarif(data)
    results = data["runs"][0]["results"]
    source = page.read_bytes().decode("utf-8")
    assert {"CS101", "CS111", "CS121", "CS904"} <= {r["ruleId"] for r in results}
    spans_lines = False
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "site/page.md", "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        assert region_text(source, region) == region["snippet"]["text"]
        spans_lines |= region["endLine"] > region["startLine"]
    assert spans_lines
    matched = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
        for r in results
    }
    assert matched["CS121"] == "painless" and matched["CS101"] == "no side effects"
    assert matched["CS111"] == "cures\nandrogenetic alopecia"


# -- GitHub workflow commands ---------------------------------------------------------------


def test_github_escapes_data_and_properties_exactly():
    from dataclasses import replace

    tricky = replace(
        FINDINGS[0],
        path="site/a,b:c%d.md",
        text="",
        suggestion=None,
        message="100% natural, no risk: really\nsafe\r",
    )
    (line, summary) = FORMATS["github"](Report([tricky], files=1)).splitlines()
    assert line == (
        "::error file=site/a%2Cb%3Ac%25d.md,line=12,col=5,endLine=12,endColumn=20,"
        "title=CS101 no-side-effects::100%25 natural, no risk: really%0Asafe%0D"
    )
    assert summary == "claimsafe: 1 finding in 1 file"
    assert escape_data("%0A") == "%250A"  # % first, so escapes are not re-escaped
    assert escape_property("a:b,c%\r\n") == "a%3Ab%2Cc%25%0D%0A"


def test_github_has_one_command_per_finding_and_a_summary():
    lines = FORMATS["github"](Report(FINDINGS, files=3)).splitlines()
    assert [l.split(" ", 1)[0] for l in lines[:3]] == ["::error", "::warning", "::warning"]
    assert lines[0].startswith(
        "::error file=site/landing.md,line=12,col=5,endLine=12,endColumn=20,"
        "title=CS101 no-side-effects::"
    )
    assert '%0Amatched: "no side effects"%0Asuggestion: Side effects' in lines[0]
    # spans two lines: GitHub takes columns only on one line
    assert lines[1].startswith(
        "::warning file=site/témoignages.md,line=2,endLine=3,title=CS121 painless::"
    )
    assert (
        lines[2]
        == "::warning file=site/logo.txt,line=1,col=1,title=CS901 binary-file::binary file skipped (contains NUL bytes)"
    )
    assert lines[3] == "claimsafe: 3 findings in 3 files"
    info = Finding(**{**FINDINGS[0].__dict__, "severity": "info"})
    assert FORMATS["github"](Report([info], files=1)).startswith("::notice file=")


# -- end to end -----------------------------------------------------------------------------


@pytest.fixture
def page(tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.md").write_text(PAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return "site/page.md"


def test_cli_format_sarif_end_to_end(page, capsys):
    code = main(["check", "--no-config", "--format", "sarif", page])
    out, err = capsys.readouterr()
    assert code == 1, err
    data = json.loads(out)
    assert_valid_sarif(data)
    run = data["runs"][0]
    assert run["tool"]["driver"]["name"] == "claimsafe"
    assert "CS111" in {r["ruleId"] for r in run["results"]}
    assert len(run["tool"]["driver"]["rules"]) >= 40


def test_cli_format_github_end_to_end(page, capsys):
    code = main(["check", "--no-config", "--format", "github", page])
    out, err = capsys.readouterr()
    assert code == 1, err
    lines = out.splitlines()
    assert any(
        l.startswith("::error file=site/page.md,line=5,endLine=6,title=CS111 cures-hair-loss::")
        for l in lines
    )
    assert all(l.startswith(("::error ", "::warning ", "::notice ")) for l in lines[:-1])
    assert lines[-1] == f"claimsafe: {len(lines) - 1} findings in 1 file"


_evidence = st.builds(Evidence, st.text(), st.text(), st.text())
_findings = st.builds(
    Finding,
    path=st.text(),
    start=st.integers(0, 10**6),
    end=st.integers(0, 10**6),
    line=st.integers(1, 10**6),
    column=st.integers(1, 10**6),
    end_line=st.integers(1, 10**6),
    end_column=st.integers(1, 10**6),
    rule=st.text(),
    name=st.text(),
    category=st.text(),
    severity=st.sampled_from(["info", "warning", "error"]),
    message=st.text(),
    text=st.text(),
    suggestion=st.none() | st.text(),
    evidence=st.lists(_evidence, max_size=3).map(tuple),
)


@given(st.lists(_findings, max_size=5), st.integers(0, 100))
def test_json_is_exactly_what_json_dumps_with_indent_2_writes(findings, files):
    """The report is written with the C encoder for speed; the text must be what the
    contract's reference, ``json.dumps(payload, indent=2, ensure_ascii=False)``, writes."""
    out = "".join(FORMATS["json"](Report(findings=findings, files=files)))
    payload = json.loads(out)
    assert out == json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    assert [f["text"] for f in payload["findings"]] == [f.text for f in findings]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_each_file_is_written_as_it_arrives_with_the_text_of_a_finished_report(fmt):
    """Files linted by workers arrive while the report is written: the first file's
    findings are written before the last file is linted, and the text is the same."""
    arrived: list[int] = []

    def files():  # each file's findings, as the workers hand them over
        for i, finding in enumerate(FINDINGS):
            arrived.append(i)
            yield [finding]
        arrived.append(len(FINDINGS))
        yield []  # a file without findings still counts

    pieces = iter(FORMATS[fmt](Report(pending=files())))
    written = ""
    for piece in pieces:
        written += piece
        if FINDINGS[0].message in written:
            break
    assert arrived == [0]  # the first finding is out; the other files are still pending
    written += "".join(pieces)
    assert written == "".join(FORMATS[fmt](Report(FINDINGS, files=len(FINDINGS) + 1)))
    if fmt == "json":
        assert json.loads(written)["summary"]["files"] == len(FINDINGS) + 1
    else:
        assert written.endswith(f" in {len(FINDINGS) + 1} files.\n")


def test_a_report_still_arriving_is_whole_when_read():
    def files():
        yield [FINDINGS[0]]
        yield []
        yield list(FINDINGS[1:])

    report = Report(pending=files())
    assert report.files == 3 and report.findings == list(FINDINGS)
    assert list(report.stream()) == list(FINDINGS)  # a second reader sees every finding
