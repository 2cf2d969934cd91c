"""JSON reporter: the versioned machine contract (DESIGN.md section 6, version 1).

Other tools parse this; its keys and their meaning change only with a new ``version``.
Problem findings (category ``problem``, codes CS9xx) use the same shape.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

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


def render(report, rulebook=None, **_options) -> str:
    by_category = Counter(f.category for f in report.findings)
    payload = {
        "version": VERSION,
        "tool": {"name": "claimsafe", "version": __version__},
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {
            "files": report.files,
            "findings": len(report.findings),
            "by_category": dict(sorted(by_category.items())),
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


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
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * level) if level else text


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
