"""Bad rule files are load errors naming the file and line, and exit code 2 on the CLI."""

from __future__ import annotations

import textwrap

import pytest

from linter.cli import main
from linter.rulebook import RuleError, load_rulebook

GOOD = """\
code: CS198
name: test-rule
category: cure
severity: error
message: "'{text}' is a cure claim."
rationale: Testing.
suggestion: Say something true.
references: ["CAP Code 12.1"]
patterns:
  - "cures baldness"
examples:
  fire: [{text: "It cures baldness.", match: "cures baldness"}]
  pass: ["It does not cure baldness."]
"""


def rules_dir(tmp_path, text, name="CS198-test-rule.yml"):
    path = tmp_path / "rules" / "cure" / name
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_rule_loads(tmp_path):
    rules_dir(tmp_path, GOOD)
    (rule,) = load_rulebook([tmp_path / "rules"])
    assert (rule.code, rule.name, rule.category) == ("CS198", "test-rule", "cure")


@pytest.mark.parametrize(
    "change,line,message",
    [
        (("severity: error", "severity: error\nseverty: error"), 5, "unknown key 'severty'"),
        (("category: cure", "category: hair"), 3, "category must be one of"),
        (("name: test-rule", "name: Test_Rule"), 2, "is not a kebab-case name"),
        (('  - "cures baldness"', '  - [{NORM: cure, OP: "??"}]'), 10, "invalid pattern"),
        (('  - "cures baldness"', "  - [{LEMMA: cure}]"), 10, "unknown token attribute 'LEMMA'"),
        (
            ('  pass: ["It does not cure baldness."]', "  pass: []"),
            12,
            "needs at least one 'fire' and one 'pass'",
        ),
        (('match: "cures baldness"', 'match: "cures hair"'), 13, "is not in its text"),
        (('references: ["CAP Code 12.1"]\n', ""), 1, "missing required key 'references'"),
        (("code: CS198", "code: CS198\ncode: CS197"), 2, "duplicate key 'code'"),
        (("patterns:", "patterns: ["), 10, "invalid YAML"),
        (
            ('patterns:\n  - "cures baldness"', "check:\n  answer: [no]\n  question: []"),
            12,
            "an answer check needs 'question'",
        ),
        (
            (
                'patterns:\n  - "cures baldness"',
                "check:\n  answer: [no]\n  question: [cure]\n  unless: x",
            ),
            13,
            "unless must be a list of words",
        ),
        (
            ('patterns:\n  - "cures baldness"', "check:\n  answer: [no]\n  ask: [cure]"),
            10,
            "unknown key 'ask' in an answer check",
        ),
    ],
)
def test_bad_rule_names_file_and_line(tmp_path, change, line, message):
    path = rules_dir(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleError) as info:
        from linter.checks import RuleMatcher
        from linter.nlp import pipeline

        RuleMatcher(load_rulebook([tmp_path / "rules"]), pipeline())
    assert info.value.path == str(path)
    assert message in info.value.reason
    if line:
        assert info.value.line is not None and abs(info.value.line - line) <= 1, info.value


def test_bad_rule_on_the_command_line_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    rules_dir(tmp_path, GOOD.replace("severity: error", "severity: fatal"))
    (tmp_path / "p.txt").write_text("hello\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-config", "--rules", "rules", "p.txt"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "CS198-test-rule.yml:4: severity must be one of" in err


def test_duplicate_codes_across_files_are_an_error(tmp_path):
    rules_dir(tmp_path, GOOD)
    other = tmp_path / "rules" / "cure" / "CS198-other.yml"
    other.write_text(GOOD.replace("name: test-rule", "name: other"), encoding="utf-8")
    with pytest.raises(RuleError, match="CS198 is already defined"):
        load_rulebook([tmp_path / "rules"])


def test_parsed_rules_are_cached_and_an_edit_is_seen(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = rules_dir(tmp_path, GOOD)
    (first,) = load_rulebook([tmp_path / "rules"])
    assert list((tmp_path / "cache" / "claimsafe").glob("rules-*.pickle"))
    path.write_text(GOOD.replace("severity: error", "severity: warning"), encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a different stamp even within one clock tick
    (second,) = load_rulebook([tmp_path / "rules"])
    assert (first.severity, second.severity) == ("error", "warning")


def test_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAIMSAFE_NO_CACHE", "1")
    rules_dir(tmp_path, GOOD)
    load_rulebook([tmp_path / "rules"])
    assert not (tmp_path / "cache").exists()
