"""CSV audit reporter: every page and finding of an audit as one spreadsheet.

``render_audit(report)`` writes a header row, then one row per finding and one row per page
without findings (fetch failures included, their detail in ``message``), so that filtering
the sheet never loses a page. Columns are listed in :data:`COLUMNS`; rows follow the
report's page order. Cells come from untrusted pages, so none may start a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from linter.audit.model import AuditReport
from linter.findings import SITE_CHROME

COLUMNS = (
    "url",
    "final_url",
    "outcome",
    "http_status",
    "line",
    "column",
    "end_line",
    "end_column",
    "rule",
    "name",
    "category",
    "severity",
    "message",
    "text",
    "sentence",
    "suggestion",
    "evidence_facts",
    "trend",
    "site_wide",
)

# Spreadsheet formula injection (OWASP "CSV Injection"): Excel, LibreOffice and Google
# Sheets run a cell starting with one of these as a formula, and page text is written by
# whoever controls the page. Such a cell gets a leading apostrophe, as OWASP advises, which
# the spreadsheet shows as text; the writer quotes every cell.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_audit(report: AuditReport, rulebook=None, **_options) -> str:
    return "".join(stream_audit(report, rulebook))


def stream_audit(report: AuditReport, rulebook=None, **_options) -> Iterator[str]:
    """The rows, a page at a time (a large audit's CSV need not be in memory whole)."""
    out = io.StringIO()
    # Every cell quoted: with a "\n" line terminator the csv module would leave a cell holding
    # a bare "\r" unquoted, and readers would split the row there.
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    for page in report.pages:
        head = [page.url, page.final_url or "", page.outcome, page.http_status]
        if not page.findings:
            writer.writerow(_guard([*head, *[""] * 8, page.detail, "", "", "", "", "", ""]))
        else:
            for pf in page.findings:
                writer.writerow(_guard([*head, *_finding_cells(pf)]))
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _finding_cells(pf) -> list:
    f = pf.finding
    return [
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        f.rule,
        f.name,
        f.category,
        f.severity,
        f.message,
        f.text,
        pf.sentence,
        f.suggestion or "",
        "; ".join(e.fact for e in f.evidence),
        pf.trend,
        "yes" if SITE_CHROME in f.context else "",
    ]


def _guard(row: list) -> list:
    return [
        "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) else cell
        for cell in row
    ]
