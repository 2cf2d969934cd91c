"""Every rule's own examples: each 'fire' example fires with exactly its matched text,
each 'pass' example does not fire; plus the rulebook's structural invariants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter.rulebook import CATEGORIES, default_rules_dir, load_rulebook

RULES = load_rulebook()


def _cases(kind: str):
    for rule in RULES:
        examples = rule.fire if kind == "fire" else rule.passes
        for i, example in enumerate(examples):
            yield pytest.param(rule, example, id=f"{rule.code}-{rule.name}/{kind}{i}")


@pytest.mark.parametrize("rule,example", list(_cases("fire")))
def test_fire_example(engine, rule, example):
    findings = [f for f in engine.lint_text(example.text, "example.md", "markdown") if f.rule == rule.code]
    matched = [f.text for f in findings]
    assert example.match in matched, f"{rule.code} should match {example.match!r} in {example.text!r}; got {matched}"


@pytest.mark.parametrize("rule,example", list(_cases("pass")))
def test_pass_example(engine, rule, example):
    findings = [f for f in engine.lint_text(example.text, "example.md", "markdown") if f.rule == rule.code]
    assert not findings, f"{rule.code} should not fire on {example.text!r}; got {[f.text for f in findings]}"


def test_every_category_has_rules():
    assert {r.category for r in RULES} == set(CATEGORIES)


def test_codes_and_file_names_agree():
    for rule in RULES:
        path = Path(rule.path)
        assert path.stem == f"{rule.code}-{rule.name}", path
        assert path.parent.name == rule.category, path


def test_every_rule_has_examples_of_both_kinds_and_references():
    for rule in RULES:
        assert rule.fire and rule.passes and rule.references, rule.code


def test_messages_only_use_known_placeholders():
    for rule in RULES:
        assert set(re.findall(r"\{(\w*)\}", rule.message)) <= {"text"}, rule.code


def test_rules_ship_from_the_repository_root():
    assert default_rules_dir().name == "rules"
