"""Every rule's own examples: each 'fire' example fires with exactly its matched text,
each 'pass' example does not fire; plus the rulebook's structural invariants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter.rulebook import CATEGORIES, EVIDENCE_CATEGORIES, default_rules_dir, load_rulebook

RULES = load_rulebook()


def _cases(kind: str):
    for rule in RULES:
        examples = rule.fire if kind == "fire" else rule.passes
        for i, example in enumerate(examples):
            yield pytest.param(rule, example, id=f"{rule.code}-{rule.name}/{kind}{i}")


@pytest.mark.parametrize("rule,example", list(_cases("fire")))
def test_fire_example(engine, rule, example):
    findings = [
        f for f in engine.lint_text(example.text, "example.md", "markdown") if f.rule == rule.code
    ]
    matched = [f.text for f in findings]
    assert example.match in matched, (
        f"{rule.code} should match {example.match!r} in {example.text!r}; got {matched}"
    )


@pytest.mark.parametrize("rule,example", list(_cases("pass")))
def test_pass_example(engine, rule, example):
    findings = [
        f for f in engine.lint_text(example.text, "example.md", "markdown") if f.rule == rule.code
    ]
    assert not findings, (
        f"{rule.code} should not fire on {example.text!r}; got {[f.text for f in findings]}"
    )


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
        assert set(re.findall(r"\{(\w*)\}", rule.message)) <= {"text", "expected", "missing"}, (
            rule.code
        )


def test_rules_ship_from_the_repository_root():
    assert default_rules_dir().name == "rules"


def test_rules_whose_findings_need_evidence_cite_facts():
    from linter.factbase import load_factbase

    base = load_factbase()
    for rule in RULES:
        if rule.category in set(EVIDENCE_CATEGORIES) - {
            "missing-contraindications",
            "missing-risks",
        }:
            assert rule.facts, (
                f"{rule.code} ({rule.category}) must cite the facts that refute or qualify it"
            )
        assert all(base.get(f) for f in rule.facts), rule.code


def test_findings_carry_the_evidence_of_their_facts(engine):
    (finding,) = [
        f for f in engine.lint_text("Our treatment has no side effects.") if f.rule == "CS101"
    ]
    assert finding.evidence
    base = engine.factbase
    for e in finding.evidence:
        assert base.get(e.fact) is not None
        assert e.fact in engine.all_rules.get("CS101").facts
        assert " ".join(e.quote.split()) in " ".join(base.documents[e.document].text().split())
