"""JSON reporter: the versioned machine contract (DESIGN.md section 6, version 1).

Other tools parse this; its keys and their meaning change only with a new ``version``.
Problem findings (category ``problem``, codes CS9xx) use the same shape.
"""

from __future__ import annotations

import json
from collections import Counter

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
    """An audit run: every page with its fetch outcome, and every finding with the
    fields of ``check``'s JSON plus the page's ``url`` (same ``version``)."""
    findings = []
    for page in report.pages:
        for pf in page.findings:
            findings.append(
                {
                    **finding_dict(pf.finding),
                    "url": page.url,
                    "outcome": page.outcome,
                    "trend": pf.trend,
                    "site_wide": SITE_CHROME in pf.finding.context,
                }
            )
    by_category = Counter(f["category"] for f in findings)
    failed = sum(not page.ok for page in report.pages)
    payload = {
        "version": VERSION,
        "tool": {"name": "claimsafe", "version": __version__},
        "run": {
            "id": report.run_id,
            "sources": list(report.sources),
            "started": report.started,
            "finished": report.finished,
        },
        "pages": [
            {
                "url": page.url,
                "final_url": page.final_url,
                "outcome": page.outcome,
                "http_status": page.http_status,
                "detail": page.detail,
                "findings": len(page.findings),
                "risk": page.risk,
            }
            for page in report.pages
        ],
        "findings": findings,
        "summary": {
            "pages": len(report.pages),
            "failed": failed,
            "findings": len(findings),
            "by_category": dict(sorted(by_category.items())),
        },
    }
    if report.trend is not None:
        t = report.trend
        payload["trend"] = {
            "previous_run": t.previous_run,
            "previous_started": t.previous_started,
            "new": t.new,
            "remaining": t.remaining,
            "fixed": len(t.fixed),
        }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
