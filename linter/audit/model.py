"""What an audit report shows, read back from the store: the reporters' only input.

Built by ``store.Store.report()`` after (or during) a run; rendered by
``reporters.html``, ``reporters.csv`` and ``reporters.json.render_audit``. Every string
here that came from a page (URLs, matched text, sentences) is untrusted and must be
escaped by whatever renders it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Findings of these categories are about what a page leaves out, not a sentence in it.
from linter.diffs import DOCUMENT_CATEGORIES as DISCLOSURE_CATEGORIES  # noqa: F401 (re-exported)
from linter.findings import SEVERITY_RANK, Finding

# How much one finding adds to a page's risk score: pages are ranked by it, so one error
# outweighs three warnings and any number of infos up to ten.
RISK_WEIGHT = {"error": 10, "warning": 3, "info": 1}


@dataclass(frozen=True)
class PageFinding:
    finding: Finding  # finding.path is the page's URL (or the file's path)
    sentence: str  # the plain-text sentence around the match, for people
    # "new" (not in the previous run), "remaining" (also in it), "" (no previous run)
    trend: str = ""


@dataclass(frozen=True)
class Page:
    url: str  # as listed by the source: a URL or a file path
    final_url: str | None  # after redirects; None when nothing was fetched
    outcome: str  # "ok" or a failure kind, e.g. "http-404", "timeout", "too-large"
    detail: str  # one line saying what happened; "" when ok
    http_status: int | None
    findings: tuple[PageFinding, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def risk(self) -> int:
        return risk_score(pf.finding for pf in self.findings)


@dataclass(frozen=True)
class FixedFinding:
    """A finding of the previous run that this run no longer has."""

    url: str
    rule: str
    name: str
    category: str
    severity: str
    text: str


@dataclass(frozen=True)
class Trend:
    previous_run: int
    previous_started: str  # ISO 8601, UTC
    new: int
    remaining: int
    fixed: tuple[FixedFinding, ...]


@dataclass(frozen=True)
class RunSummary:
    """One run of the same sources, for the history: how many pages and findings."""

    run_id: int
    started: str  # ISO 8601, UTC
    finished: str | None
    pages: int
    failed: int  # pages that could not be audited
    findings: int
    errors: int


@dataclass(frozen=True)
class AuditReport:
    run_id: int
    started: str  # ISO 8601, UTC
    finished: str | None  # None while the run is incomplete (killed, still going)
    sources: tuple[str, ...]
    tool_version: str
    pages: tuple[Page, ...]  # ranked: highest risk first, then by URL
    trend: Trend | None  # None when there is no earlier run of the same sources
    # Every run of the same sources up to this one, oldest first (this one included).
    history: tuple[RunSummary, ...] = ()

    @property
    def findings(self) -> list[PageFinding]:
        return [pf for page in self.pages for pf in page.findings]


def risk_score(findings) -> int:
    return sum(RISK_WEIGHT[f.severity] for f in findings)


def rank(pages) -> tuple[Page, ...]:
    def key(page: Page):
        worst = max((SEVERITY_RANK[pf.finding.severity] for pf in page.findings), default=-1)
        return (-page.risk, -worst, page.url)

    return tuple(sorted(pages, key=key))
