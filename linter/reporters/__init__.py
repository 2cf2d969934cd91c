"""Stage 8 of the pipeline: reporters render findings; they never compute positions.

Each reporter is a pure function ``render(report, rulebook, **options) -> str`` over the
one :class:`~linter.findings.Finding` type. The registry below is the list of formats the
CLI offers (the function it calls may give the same text in pieces).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from linter.reporters import github as github_reporter
from linter.reporters import json as json_reporter
from linter.reporters import sarif as sarif_reporter
from linter.reporters import text as text_reporter


def _audit_html(report, rulebook=None, **options) -> Iterable[str]:
    from linter.reporters import html

    return html.stream_audit(report, rulebook, **options)


def _audit_csv(report, rulebook=None, **options) -> Iterable[str]:
    from linter.reporters import csv

    return csv.stream_audit(report, rulebook, **options)


# A format may also give its text in pieces, to be written one after another: text and
# JSON write each file's findings as soon as the file is linted (``engine.Report.stream``).
FORMATS: dict[str, Callable[..., str | Iterable[str]]] = {
    "text": text_reporter.stream,
    "json": json_reporter.stream,
    "sarif": sarif_reporter.render,
    "github": github_reporter.render,
}

# An audit's formats render an AuditReport (see linter.audit.model) as pieces of text to
# write one after another (a large site's report need not be in memory whole); jinja2 is
# loaded only when an HTML report is asked for.
AUDIT_FORMATS: dict[str, Callable[..., Iterable[str]]] = {
    "text": text_reporter.render_audit,
    "json": json_reporter.stream_audit,
    "csv": _audit_csv,
    "html": _audit_html,
}
