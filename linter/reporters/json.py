"""JSON reporter: the versioned machine contract (DESIGN.md section 6, version 1).

Other tools parse this; its keys and their meaning change only with a new ``version``.
Problem findings (category ``problem``, codes CS9xx) use the same shape.
"""

from __future__ import annotations

import json
from collections import Counter

from linter import __version__

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
