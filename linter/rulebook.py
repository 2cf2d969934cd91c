"""Stage 5 of the pipeline: the rulebook, loaded from one YAML file per rule.

Rules are data. ``rules/**/*.yml`` (plus any extra rule directories from the
configuration) are discovered by glob, loaded safely, and validated strictly: an unknown
key, a missing field, a bad value or a pattern spaCy rejects is a :class:`RuleError`
naming the file and line. A rule's patterns are phrases (matched on normalised tokens, so
"cure baldness" also matches "Cures baldness" and "cured baldness"; a hyphen also matches
a space or nothing) or spaCy token patterns; its exceptions veto matches they overlap.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from linter import shipped_data, yamlutil
from linter.yamlutil import FileError, LineDict, LineList, YAMLError, load_yaml_file

CLAIM_CATEGORIES = (
    "cure",
    "safety-absolute",
    "painless",
    "proven",
    "guarantee",
    "permanence",
    "speed",
    "suitability",
    "regulatory",
    "superlative",
    "statistic",
    "efficacy",
)
# Checked against the fact base rather than found by patterns alone.
FACT_CATEGORIES = ("contradiction", "missing-contraindications", "missing-risks")
CATEGORIES = CLAIM_CATEGORIES + FACT_CATEGORIES
# Findings of these categories must carry evidence quotes from the fact base.
EVIDENCE_CATEGORIES = (
    "cure",
    "safety-absolute",
    "painless",
    "proven",
    "permanence",
    "speed",
    "suitability",
    "efficacy",
) + FACT_CATEGORIES
SEVERITIES = ("info", "warning", "error")
CONTEXT_KINDS = ("negated", "hedged", "question", "reported", "conditional", "disclaimer", "cited")
ACTIONS = ("clear", "downgrade", "keep")
# What a context does to a claim unless the rule says otherwise. "cited" is kept by default:
# only evidence-type rules (proven, statistic, superlative) let a citation clear a claim.
DEFAULT_CONTEXT = {
    "negated": "clear",
    "hedged": "clear",
    "question": "clear",
    "reported": "clear",
    "conditional": "clear",
    "disclaimer": "clear",
    "cited": "keep",
}
POLARITIES = ("asserted", "inherent")

_CODE = re.compile(r"^CS\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_REQUIRED = (
    "code",
    "name",
    "category",
    "severity",
    "message",
    "rationale",
    "suggestion",
    "references",
    "examples",
)
_OPTIONAL = ("patterns", "check", "polarity", "exceptions", "context", "facts", "scopes", "status")
# A rule either has patterns, or a `check` of one of these kinds with its own keys.
CHECKS = {
    "quantity": {"quantity", "near", "before", "unless", "ordinal", "tolerance", "direction"},
    "disclosure": {"disclosure"},
    "answer": {"answer", "question", "unless"},
}
_TOKEN_ATTRS = {
    "NORM",
    "LOWER",
    "ORTH",
    "TEXT",
    "SHAPE",
    "IS_DIGIT",
    "LIKE_NUM",
    "IS_PUNCT",
    "IS_ALPHA",
    "IS_TITLE",
    "IS_UPPER",
    "LENGTH",
    "OP",
    "IS_SENT_START",
    "IS_SPACE",
}


def default_rules_dir() -> Path:
    return shipped_data("rules")


class RuleError(FileError):
    """A rule file that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Example:
    text: str
    match: str | None = None


@dataclass(frozen=True)
class Pattern:
    """A phrase (str) or a token pattern (list of dicts), with the line it came from."""

    value: object
    line: int


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: str
    message: str
    rationale: str
    suggestion: str
    references: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...]
    polarity: str
    context: dict
    facts: tuple[str, ...]
    scopes: tuple[str, ...] | None
    fire: tuple[Example, ...]
    passes: tuple[Example, ...]
    path: str
    line: int = 1
    status: str = "stable"
    check: dict | None = None

    def selected_by(self, selector: str) -> bool:
        """True if ``selector`` (code, code prefix, name, category or ALL) names this rule."""
        s = selector.strip()
        return (
            s.upper() == "ALL"
            or s == self.name
            or s == self.category
            or (bool(re.fullmatch(r"CS\d{0,3}", s.upper())) and self.code.startswith(s.upper()))
        )


@dataclass
class Rulebook:
    rules: list[Rule] = field(default_factory=list)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, key: str) -> Rule | None:
        return next((r for r in self.rules if key in (r.code, r.name)), None)

    def known_selector(self, selector: str) -> bool:
        return any(r.selected_by(selector) for r in self.rules) or selector in CATEGORIES

    def select(self, select: Iterable[str] = ("ALL",), ignore: Iterable[str] = ()) -> Rulebook:
        select, ignore = list(select), list(ignore)
        kept = [
            r
            for r in self.rules
            if any(r.selected_by(s) for s in select) and not any(r.selected_by(s) for s in ignore)
        ]
        return Rulebook(kept)


def load_rulebook(directories: Iterable[str | os.PathLike] | None = None) -> Rulebook:
    """Load every rule under the given directories (default: the shipped ``rules/``)."""
    from linter.cache import FileCache
    from linter.nlp import lasting

    dirs = [Path(d) for d in (directories or [default_rules_dir()])]
    rules: list[Rule] = []
    with lasting():
        cache = FileCache("rules", (__file__, yamlutil.__file__))
        for directory in dirs:
            if not directory.is_dir():
                raise RuleError(str(directory), None, "rule directory does not exist")
            files = sorted(glob.glob(str(directory / "**" / "*.yml"), recursive=True))
            files += sorted(glob.glob(str(directory / "**" / "*.yaml"), recursive=True))
            rules.extend(cache.get(f, load_rule) for f in files)
    cache.save()
    seen: dict[str, Rule] = {}
    for rule in rules:
        for key in (rule.code, rule.name):
            if key in seen:
                raise RuleError(
                    rule.path, rule.line, f"{key} is already defined in {seen[key].path}"
                )
            seen[key] = rule
    return Rulebook(sorted(rules, key=lambda r: r.code))


def load_rule(path: str) -> Rule:
    try:
        data = load_yaml_file(path)
    except YAMLError as exc:
        raise RuleError(exc.path, exc.line, exc.reason) from None
    if not isinstance(data, LineDict):
        raise RuleError(path, 1, "a rule file must be a mapping")
    check = _Checker(path, data)
    for key in data:
        if key not in _REQUIRED and key not in _OPTIONAL:
            check.fail(key, f"unknown key {key!r} (known: {', '.join(_REQUIRED + _OPTIONAL)})")
    for key in _REQUIRED:
        if key not in data:
            raise RuleError(path, data.line, f"missing required key {key!r}")

    code = check.text("code", _CODE, "a code like CS101")
    name = check.text("name", _NAME, "a kebab-case name")
    category = check.choice("category", CATEGORIES)
    severity = check.choice("severity", SEVERITIES)
    polarity = check.choice("polarity", POLARITIES, default="asserted")
    context = dict(DEFAULT_CONTEXT)
    overrides = data.get("context", {}) or {}
    if not isinstance(overrides, dict):
        check.fail("context", "context must be a mapping of context kind to action")
    for kind, action in overrides.items():
        if kind not in CONTEXT_KINDS:
            raise RuleError(
                path,
                overrides.line_of(kind),
                f"unknown context kind {kind!r} (known: {', '.join(CONTEXT_KINDS)})",
            )
        if action not in ACTIONS:
            raise RuleError(
                path, overrides.line_of(kind), f"context action must be one of {', '.join(ACTIONS)}"
            )
        context[kind] = action

    examples = data["examples"]
    if not isinstance(examples, dict) or set(examples) - {"fire", "pass"}:
        check.fail("examples", "examples must be a mapping with 'fire' and 'pass' lists")
    check_spec = _check_spec(path, data)
    if check_spec is None and not data.get("patterns"):
        check.fail("patterns", "a rule needs patterns (or a check)")
    fire_items, pass_items = examples.get("fire") or [], examples.get("pass") or []
    if not fire_items or not pass_items:
        check.fail("examples", "a rule needs at least one 'fire' and one 'pass' example")
    fire = []
    for i, item in enumerate(fire_items):
        line = (
            fire_items.line_of(i) if isinstance(fire_items, LineList) else data.line_of("examples")
        )
        if (
            not isinstance(item, dict)
            or set(item) - {"text", "match"}
            or "text" not in item
            or "match" not in item
        ):
            raise RuleError(
                path, line, "a 'fire' example needs 'text' and 'match' (the exact matched text)"
            )
        if str(item["match"]) not in str(item["text"]):
            raise RuleError(path, line, f"example match {item['match']!r} is not in its text")
        fire.append(Example(str(item["text"]), str(item["match"])))
    passes = []
    for i, item in enumerate(pass_items):
        if not isinstance(item, str):
            line = (
                pass_items.line_of(i)
                if isinstance(pass_items, LineList)
                else data.line_of("examples")
            )
            raise RuleError(path, line, "a 'pass' example is a plain string")
        passes.append(Example(item))

    scopes = data.get("scopes")
    if scopes is not None:
        from linter.markup import SCOPES

        if not isinstance(scopes, list) or any(s not in SCOPES for s in scopes):
            check.fail("scopes", f"scopes must be a list of: {', '.join(SCOPES)}")
        scopes = tuple(scopes)

    return Rule(
        code=code,
        name=name,
        category=category,
        severity=severity,
        message=check.text("message"),
        rationale=check.text("rationale"),
        suggestion=check.text("suggestion"),
        references=check.strings("references", required=True),
        patterns=check.patterns("patterns"),
        exceptions=check.patterns("exceptions"),
        polarity=polarity,
        context=_plain(context),
        facts=check.strings("facts"),
        scopes=scopes,
        fire=tuple(fire),
        passes=tuple(passes),
        path=path,
        line=data.line,
        status=check.choice("status", ("stable", "preview"), default="stable"),
        check=_plain(check_spec),
    )


def _check_spec(path: str, data: LineDict) -> dict | None:
    """Validate a rule's `check` block (fact-base checks); None when it has none."""
    spec = data.get("check")
    if spec is None:
        return None
    line = data.line_of("check")
    if not isinstance(spec, dict):
        raise RuleError(path, line, "check must be a mapping")
    kinds = [k for k in CHECKS if k in spec]
    if len(kinds) != 1:
        raise RuleError(path, line, f"check needs exactly one of: {', '.join(CHECKS)}")
    kind = kinds[0]
    unknown = set(spec) - CHECKS[kind]
    if unknown:
        raise RuleError(
            path,
            line,
            f"unknown key {sorted(unknown)[0]!r} in {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
            f"check (known: {', '.join(sorted(CHECKS[kind]))})",
        )
    if kind == "quantity":
        if not isinstance(spec.get("near"), list) or not spec["near"]:
            raise RuleError(
                path,
                line,
                "a quantity check needs 'near': words that show what the number is about",
            )
        if spec.get("direction", "both") not in ("both", "below", "above"):
            raise RuleError(path, line, "direction must be both, below or above")
        tolerance = spec.get("tolerance", 0.25)
        if not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1:
            raise RuleError(path, line, "tolerance must be a number from 0 to 1")
    if kind == "disclosure" and spec["disclosure"] not in ("contraindication", "side-effect"):
        raise RuleError(path, line, "disclosure must be 'contraindication' or 'side-effect'")
    if kind == "answer":
        for key in ("answer", "question", "unless"):
            words = spec.get(key, [] if key == "unless" else None)
            if (
                not isinstance(words, list)
                or not all(isinstance(w, str) and w.strip() for w in words)
                or (key != "unless" and not words)
            ):
                raise RuleError(
                    path,
                    spec.line_of(key) if key in spec else line,
                    f"an answer check needs '{key}': a list of words"
                    if key != "unless"
                    else "unless must be a list of words",
                )
    return {"kind": kind, **dict(spec)}


class _Checker:
    """Field validators that raise :class:`RuleError` at the key's line."""

    def __init__(self, path: str, data: LineDict) -> None:
        self.path, self.data = path, data

    def fail(self, key: str, reason: str):
        raise RuleError(self.path, self.data.line_of(key), reason)

    def text(self, key: str, pattern: re.Pattern | None = None, what: str = "") -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"{key} must be a non-empty string")
        if pattern is not None and not pattern.match(value):
            self.fail(key, f"{key} {value!r} is not {what}")
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value not in choices:
            self.fail(key, f"{key} must be one of: {', '.join(choices)} (got {value!r})")
        return value

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, f"{key} must be a list of strings")
        if required and not value:
            self.fail(key, f"{key} must not be empty")
        return tuple(v.strip() for v in value)

    def patterns(self, key: str, required: bool = False) -> tuple[Pattern, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, LineList):
            if value:
                self.fail(key, f"{key} must be a list")
            value = LineList()
            value.item_lines = []
        if required and not value:
            self.fail(key, f"{key} must not be empty")
        out = []
        for i, item in enumerate(value):
            line = value.line_of(i)
            if isinstance(item, str):
                if not item.strip():
                    raise RuleError(self.path, line, "empty phrase pattern")
            elif isinstance(item, list) and item and all(isinstance(t, dict) for t in item):
                for token in item:
                    unknown = set(token) - _TOKEN_ATTRS
                    if unknown:
                        raise RuleError(
                            self.path,
                            line,
                            f"unknown token attribute {sorted(unknown)[0]!r} (known: {', '.join(sorted(_TOKEN_ATTRS))})",
                        )
            else:
                raise RuleError(
                    self.path, line, "a pattern is a phrase string or a list of token dicts"
                )
            out.append(Pattern(_plain(item), line))
        return tuple(out)


def _plain(value):
    """Plain lists and dicts (line numbers are only needed while validating): rules are
    cached between runs, and the bare structures load several times faster."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
