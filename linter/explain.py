"""``claimsafe explain``: a rule or a fact, rendered from its data with its evidence.

Reads the same YAML the engine runs, so the explanation cannot drift from the behaviour:
a rule's rationale, references, suggestion and examples, plus the quotes of the facts it
cites; a fact's statement, status, typed values and quotes with their documents.
"""

from __future__ import annotations

import textwrap

from linter.factbase import Fact, FactBase
from linter.factcheck import describe
from linter.rulebook import Rule, Rulebook


def explain(key: str, rulebook: Rulebook, factbase: FactBase) -> str | None:
    rule = rulebook.get(key) or rulebook.get(key.upper())
    if rule is not None:
        return _rule(rule, factbase)
    fact = factbase.get(key)
    if fact is not None:
        return _fact(fact, factbase)
    return None


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        " ".join(text.split()), width=92, initial_indent=indent, subsequent_indent=indent
    )


def _rule(rule: Rule, factbase: FactBase) -> str:
    out = [
        f"{rule.code} {rule.name} ({rule.category}, {rule.severity})",
        "",
        _wrap(rule.message.replace("{text}", "…"), ""),
        "",
    ]
    out += [
        "Why:",
        _wrap(rule.rationale),
        "",
        "Suggested rewording (display only):",
        _wrap(rule.suggestion),
        "",
    ]
    out += ["References:"] + [f"  - {r}" for r in rule.references] + [""]
    out += ["Fires on:"] + [f"  - {e.text!r}  -> {e.match!r}" for e in rule.fire]
    out += ["Does not fire on:"] + [f"  - {e.text!r}" for e in rule.passes]
    for fact_id in rule.facts:
        fact = factbase.get(fact_id)
        if fact is not None:
            out += ["", f"Evidence: {fact.id} ({fact.status})", _wrap(fact.statement)]
            out += _quotes(fact, factbase)
    return "\n".join(out) + "\n"


def _fact(fact: Fact, factbase: FactBase) -> str:
    treatment = factbase.treatments.get(fact.treatment)
    out = [
        f"{fact.id} ({fact.kind}, {fact.status}) — {treatment.name if treatment else fact.treatment}",
        "",
    ]
    out += [_wrap(fact.statement, ""), ""]
    for v in fact.values:
        condition = f" when: {', '.join(v.condition)}" if v.condition else ""
        out.append(f"  {v.quantity}: {describe(v)}{condition}")
    if fact.values:
        out.append("")
    if fact.key:
        out += [f"  Key item for disclosure; counts as mentioned by: {', '.join(fact.terms)}", ""]
    out += ["Evidence:"] + _quotes(fact, factbase)
    return "\n".join(out) + "\n"


def _quotes(fact: Fact, factbase: FactBase) -> list[str]:
    lines = []
    for q in fact.evidence:
        doc = factbase.documents.get(q.document)
        title = f" {doc.title}" if doc else ""
        lines.append(f"  [{q.stance}] {q.document}{title}:")
        lines.append(_wrap(f"“{q.quote}”", "      "))
    return lines
