"""Configuration: discovery upwards, strict validation with key paths, overrides."""

from __future__ import annotations

import json
import textwrap

import pytest

from linter.cli import main
from linter.config import ConfigError, find_config, load_settings

CLAIM = "Our scalp mesotherapy has no side effects. The UK's No.1 hair clinic.\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check(capsys, monkeypatch, cwd, *args):
    monkeypatch.chdir(cwd)
    code = main(["check", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def test_pyproject_section_is_found_from_a_subdirectory(tmp_path, capsys, monkeypatch):
    write(
        tmp_path / "pyproject.toml",
        """
        [tool.claimsafe]
        ignore = ["superlative"]
    """,
    )
    write(tmp_path / "site" / "deep" / "page.txt", CLAIM)
    assert find_config(tmp_path / "site" / "deep") == tmp_path / "pyproject.toml"
    code, data, _ = check(capsys, monkeypatch, tmp_path / "site" / "deep", "page.txt")
    assert {f["category"] for f in data["findings"]} == {"safety-absolute"}


def test_pyproject_without_our_section_is_skipped(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    write(tmp_path / "sub" / ".claimsafe.yaml", "fail-on: error\n")
    assert find_config(tmp_path / "sub") == tmp_path / "sub" / ".claimsafe.yaml"
    assert find_config(tmp_path) is None


def test_yaml_config_with_severity_and_per_path_overrides(tmp_path, capsys, monkeypatch):
    write(
        tmp_path / ".claimsafe.yaml",
        """
        severity:
          superlative: info
        per-path:
          - paths: ["legal/*"]
            ignore: [safety-absolute]
    """,
    )
    write(tmp_path / "legal" / "terms.txt", CLAIM)
    write(tmp_path / "blog" / "post.txt", CLAIM)
    code, data, _ = check(capsys, monkeypatch, tmp_path, "legal", "blog")
    found = {(f["path"], f["category"], f["severity"]) for f in data["findings"]}
    assert found == {
        ("blog/post.txt", "safety-absolute", "error"),
        ("blog/post.txt", "superlative", "info"),
        ("legal/terms.txt", "superlative", "info"),
    }


def test_fail_on_from_config_and_cli_override(tmp_path, capsys, monkeypatch):
    write(tmp_path / ".claimsafe.yaml", "fail-on: error\nignore: [safety-absolute]\n")
    write(tmp_path / "p.txt", CLAIM)
    assert check(capsys, monkeypatch, tmp_path, "p.txt")[0] == 0
    assert check(capsys, monkeypatch, tmp_path, "p.txt", "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    "text,message",
    [
        ("selekt: [cure]\n", "selekt: unknown key"),
        ("fail-on: fatal\n", "fail-on: must be one of: info, warning, error (got 'fatal')"),
        ("per-path:\n  - paths: [a]\n    ignor: [cure]\n", "per-path[0].ignor: unknown key"),
        ("severity: {cure: loud}\n", "severity.cure: must be one of"),
        ("ignore: cure\n", "ignore: must be a list of strings"),
        ("rule-dirs: [missing]\n", "rule-dirs: no such directory"),
        ("select: [\n", "invalid YAML"),
    ],
)
def test_invalid_config_is_one_line_naming_file_and_key(
    tmp_path, capsys, monkeypatch, text, message
):
    write(tmp_path / ".claimsafe.yaml", text)
    write(tmp_path / "p.txt", CLAIM)
    code, data, err = check(capsys, monkeypatch, tmp_path, "p.txt")
    assert code == 2 and data is None
    assert err.count("\n") == 1 and ".claimsafe.yaml" in err and message in err, err


def test_toml_key_paths_are_prefixed(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.claimsafe]\nunknown = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: tool.claimsafe.unknown: unknown key"):
        load_settings(tmp_path / "pyproject.toml")


def test_two_config_files_in_one_directory_is_an_error(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.claimsafe]\n")
    write(tmp_path / ".claimsafe.yaml", "{}\n")
    with pytest.raises(ConfigError, match="keep one"):
        find_config(tmp_path)


def test_unknown_rule_in_config_is_an_error(tmp_path, capsys, monkeypatch):
    write(tmp_path / ".claimsafe.yaml", "ignore: [no-such-thing]\n")
    write(tmp_path / "p.txt", CLAIM)
    code, _, err = check(capsys, monkeypatch, tmp_path, "p.txt")
    assert code == 2 and "unknown rule, name or category 'no-such-thing'" in err


def test_extra_rule_directory_adds_house_rules(tmp_path, capsys, monkeypatch):
    write(
        tmp_path / "house" / "superlative" / "CS199-miracle-word.yml",
        """
        code: CS199
        name: miracle-word
        category: superlative
        severity: warning
        message: "'{text}' is hype."
        rationale: House style bans this word.
        suggestion: Describe the treatment plainly.
        references: ["House style guide"]
        patterns: ["miracle treatment"]
        examples:
          fire: [{text: "A miracle treatment.", match: "miracle treatment"}]
          pass: ["A treatment."]
    """,
    )
    write(tmp_path / ".claimsafe.yaml", "rule-dirs: [house]\n")
    write(tmp_path / "p.txt", "Try our miracle treatment today.\n")
    code, data, _ = check(capsys, monkeypatch, tmp_path, "p.txt")
    assert [f["rule"] for f in data["findings"]] == ["CS199"]
