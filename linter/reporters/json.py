"""JSON reporter: the versioned machine contract (DESIGN.md section 6, version 1).

Other tools parse this; its keys and their meaning change only with a new ``version``.
Problem findings (category ``problem``, codes CS9xx) use the same shape.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from linter import __version__
from linter.findings import SITE_CHROME

VERSION = 1


def finding_dict(f) -> dict:
    return {
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "rule": f.rule,
        "name": f.name,
        "category": f.category,
        "severity": f.severity,
        "message": f.message,
        "text": f.text,
        "evidence": [
            {"fact": e.fact, "document": e.document, "quote": e.quote} for e in f.evidence
        ],
        "suggestion": f.suggestion,
    }


def render(report, rulebook=None, **options) -> str:
    return "".join(stream(report, rulebook, **options))


def stream(report, rulebook=None, **_options) -> Iterator[str]:
    """The report in pieces, each finding as soon as its file is done (``Report.stream``):
    the summary comes last, so nothing waits for the whole run."""
    head = {"version": VERSION, "tool": {"name": "claimsafe", "version": __version__}}
    yield "{\n"
    yield from _members(head)
    yield from _array("findings", (finding_dict(f) for f in report.stream()))
    by_category = Counter(f.category for f in report.findings)
    summary = {
        "summary": {
            "files": report.files,
            "findings": len(report.findings),
            "by_category": dict(sorted(by_category.items())),
        }
    }
    yield from _members(summary, True)
    yield "}\n"


def render_audit(report, rulebook=None, **_options) -> str:
    return "".join(stream_audit(report, rulebook))


def stream_audit(report, rulebook=None, **_options) -> Iterator[str]:
    """An audit run: every page with its fetch outcome, and every finding with the
    fields of ``check``'s JSON plus the page's ``url`` (same ``version``). Written piece
    by piece, as ``json.dumps(..., indent=2)`` would write it whole: an audit of a large
    site has tens of megabytes of findings, which need not all be in memory as text."""
    by_category: Counter[str] = Counter()

    def pages():
        for page in report.pages:
            yield {
                "url": page.url,
                "final_url": page.final_url,
                "outcome": page.outcome,
                "http_status": page.http_status,
                "detail": page.detail,
                "findings": len(page.findings),
                "risk": page.risk,
            }

    def findings():
        for page in report.pages:
            for pf in page.findings:
                by_category[pf.finding.category] += 1
                yield {
                    **finding_dict(pf.finding),
                    "url": page.url,
                    "outcome": page.outcome,
                    "trend": pf.trend,
                    "site_wide": SITE_CHROME in pf.finding.context,
                }

    yield "{\n"
    yield from _members(
        {
            "version": VERSION,
            "tool": {"name": "claimsafe", "version": __version__},
            "run": {
                "id": report.run_id,
                "sources": list(report.sources),
                "started": report.started,
                "finished": report.finished,
            },
        }
    )
    yield from _array("pages", pages())
    yield from _array("findings", findings())
    tail = {
        "summary": {
            "pages": len(report.pages),
            "failed": sum(not page.ok for page in report.pages),
            "findings": sum(by_category.values()),
            "by_category": dict(sorted(by_category.items())),
        }
    }
    if report.trend is not None:
        t = report.trend
        tail["trend"] = {
            "previous_run": t.previous_run,
            "previous_started": t.previous_started,
            "new": t.new,
            "remaining": t.remaining,
            "fixed": len(t.fixed),
        }
    if len(report.history) > 1:
        tail["history"] = [
            {
                "run": r.run_id,
                "started": r.started,
                "finished": r.finished,
                "pages": r.pages,
                "failed": r.failed,
                "findings": r.findings,
                "errors": r.errors,
            }
            for r in report.history
        ]
    yield from _members(tail, last=True)
    yield "}\n"


def _dumps(value, level: int) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` as if nested ``level`` deep."""
    if isinstance(value, dict) and "evidence" in value:
        return _finding(value, level)
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * level) if level else text


def _finding(d: dict, level: int) -> str:
    """A finding's dict, the same text as ``_dumps`` gives for it, but written by the json
    module's C encoder: given an ``indent`` the module falls back to its pure-Python
    encoder, which took most of a large report's time. A finding is flat but for its
    evidence, a list of flat objects, so separators that carry the line break and the
    indentation of their depth are all the C encoder needs."""
    keys = list(d)
    cut = keys.index("evidence")
    inner = " " * (level + 2)
    parts = [_flat({k: d[k] for k in keys[:cut]}, level + 2)]
    evidence = tuple(tuple(e.items()) for e in d["evidence"])
    parts.append('"evidence": ' + _evidence(evidence, level + 2))
    if keys[cut + 1 :]:
        parts.append(_flat({k: d[k] for k in keys[cut + 1 :]}, level + 2))
    return "{\n" + inner + f",\n{inner}".join(parts) + "\n" + " " * level + "}"


@lru_cache(maxsize=1024)
def _evidence(evidence: tuple, level: int) -> str:
    """A finding's evidence list at ``level``; many findings cite the same facts."""
    if not evidence:
        return "[]"
    pad = " " * (level + 2)
    items = f",\n{pad}".join(
        "{\n" + " " * (level + 4) + _flat(dict(e), level + 4) + "\n" + pad + "}" for e in evidence
    )
    return f"[\n{pad}{items}\n{' ' * level}]"


def _flat(d: dict, level: int) -> str:
    """The members of a dict of plain values, one per line at ``level``, no braces."""
    encoder = _ENCODERS.get(level)
    if encoder is None:
        encoder = _ENCODERS[level] = json.JSONEncoder(
            ensure_ascii=False, separators=(",\n" + " " * level, ": ")
        )
    return encoder.encode(d)[1:-1]


_ENCODERS: dict[int, json.JSONEncoder] = {}


def _members(members: dict, last: bool = False) -> Iterator[str]:
    """``"key": value`` lines of the top-level object, indented as ``indent=2`` does."""
    items = list(members.items())
    for i, (key, value) in enumerate(items):
        end = "\n" if last and i == len(items) - 1 else ",\n"
        yield f"  {json.dumps(key)}: {_dumps(value, 2)}{end}"


def _array(key: str, values) -> Iterator[str]:
    """A top-level member whose value is a list, one element at a time."""
    first = True
    for value in values:
        yield f"  {json.dumps(key)}: [\n    " if first else ",\n    "
        yield _dumps(value, 4)
        first = False
    yield f"  {json.dumps(key)}: [],\n" if first else "\n  ],\n"
