"""HTML audit reporter: the one file a compliance reviewer opens, prints or forwards.

``render_audit(report)`` turns an :class:`~linter.audit.model.AuditReport` into a single
self-contained page (inline CSS and inline SVG charts, no scripts, no external assets, a
restrictive Content-Security-Policy) that opens from disk on a machine with no network.
Python works out every number, chart and highlight here; ``templates/audit.html.j2`` only
lays them out. Everything that came from a page is untrusted: the template escapes it
(autoescape is on), and links are made only from http(s) URLs and relative paths.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from linter.audit.model import DISCLOSURE_CATEGORIES, AuditReport, Page, rank
from linter.findings import PROBLEM_CATEGORY, SEVERITY_RANK, SITE_CHROME
from linter.rulebook import CATEGORIES

SEVERITIES = ("error", "warning", "info")
# A reviewer reads the top of the list; past this the CSV export has every page.
RANKING_LIMIT = 100
# Shown next to a finding the engine saw in a softening context (as the text reporter does).
_NOTES = {
    "testimonial": "In a testimonial or caption: still the advertiser's claim.",
    "hedged": "Hedged, so reported at lower severity.",
    "answered": "A question the copy answers yes: the claim is the copy's own.",
    SITE_CHROME: "In the site's navigation, header or footer: one claim of the whole site, "
    "reported on the first page it was found on.",
}
_CATEGORY_ORDER = {c: i for i, c in enumerate((*CATEGORIES, PROBLEM_CATEGORY))}
_CATEGORY_LABELS = {PROBLEM_CATEGORY: "tool problem"}
_SEVERITY_COLOURS = {"error": "#b42318", "warning": "#b54708", "info": "#1d4ed8"}
_BAR_COLOUR = "#0f766e"
# Browsers drop or act on these inside an href, so a URL containing any is never a link.
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


class FindingView(NamedTuple):
    location: str
    severity: str
    rule: str
    name: str
    category: str
    message: str
    before: str  # sentence text before the match
    match: str  # the matched text as it appears in the sentence ("" when not found)
    after: str
    unplaced: str  # the matched text, shown after the sentence when it is not in it
    evidence: tuple
    suggestion: str
    trend: str
    notes: tuple[str, ...]


class PageView(NamedTuple):
    anchor: str
    rank: int
    url: str
    href: str | None
    final_url: str
    final_href: str | None
    http_status: int | None
    outcome: str
    risk: int
    counts: dict[str, int]
    top_categories: str
    findings: tuple[FindingView, ...]
    disclosures: tuple[str, ...]


def render_audit(report: AuditReport, rulebook=None, **_options) -> str:
    return "".join(stream_audit(report, rulebook))


def stream_audit(report: AuditReport, rulebook=None, **_options) -> Iterator[str]:
    """The report in pieces as the template produces them, for writing to a file without
    holding all of a large audit's HTML in memory."""
    return _template().generate(**_context(report))


@cache
def _template() -> jinja2.Template:
    # Compiled once per process: the template loops over findings, it is never rebuilt.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("linter.reporters", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda n: f"{n:,}"
    return env.get_template("audit.html.j2")


def _context(report: AuditReport) -> dict:
    severity_counts: Counter[str] = Counter()
    category_counts: Counter[str] = Counter()
    for page in report.pages:
        for pf in page.findings:
            severity_counts[pf.finding.severity] += 1
            category_counts[pf.finding.category] += 1

    ranked = rank(p for p in report.pages if p.findings)
    views = [_page_view(page, i) for i, page in enumerate(ranked, 1)]
    disclosure_pages = [v for v in views if v.disclosures]
    failures = [p for p in report.pages if not p.ok]
    total = sum(severity_counts.values())

    return {
        "run_id": report.run_id,
        "sources": report.sources,
        "started": _timestamp(report.started),
        "finished": _timestamp(report.finished) if report.finished else None,
        "duration": _duration(report.started, report.finished),
        "tool_version": report.tool_version,
        "headline": {
            "pages": len(report.pages),
            "pages_ok": sum(1 for p in report.pages if p.ok),
            "pages_with_findings": len(views),
            "findings": total,
            "errors": severity_counts["error"],
            "warnings": severity_counts["warning"],
            "infos": severity_counts["info"],
            "disclosures": sum(category_counts[c] for c in DISCLOSURE_CATEGORIES),
            "disclosure_pages": len(disclosure_pages),
            "failures": len(failures),
        },
        "category_chart": _bar_chart(
            "chart-categories",
            "Findings by category",
            [
                (_CATEGORY_LABELS.get(c, c), n, _BAR_COLOUR)
                for c, n in sorted(
                    category_counts.items(),
                    key=lambda item: (-item[1], _CATEGORY_ORDER.get(item[0], 99), item[0]),
                )
                if n
            ],
            label_w=190,
            bar_w=300,
        ),
        "severity_chart": _bar_chart(
            "chart-severities",
            "Findings by severity",
            [
                (s, severity_counts[s], _SEVERITY_COLOURS[s])
                for s in SEVERITIES
                if severity_counts[s]
            ],
            label_w=80,
            bar_w=220,
        ),
        "ranking": views[:RANKING_LIMIT],
        "ranking_more": max(0, len(views) - RANKING_LIMIT),
        "pages": views,
        "disclosure_pages": disclosure_pages,
        "failures": [
            {
                "url": p.url,
                "href": safe_href(p.url),
                "outcome": p.outcome,
                "http_status": p.http_status,
                "detail": p.detail,
            }
            for p in failures
        ],
        "trend": _trend(report),
        "history": _history(report),
    }


def _page_view(page: Page, position: int) -> PageView:
    counts = Counter(pf.finding.severity for pf in page.findings)
    categories = Counter(pf.finding.category for pf in page.findings)
    top = ", ".join(
        f"{_CATEGORY_LABELS.get(c, c)} ×{n}" if n > 1 else _CATEGORY_LABELS.get(c, c)
        for c, n in sorted(
            categories.items(), key=lambda item: (-item[1], _CATEGORY_ORDER.get(item[0], 99))
        )[:3]
    )
    ordered = sorted(
        page.findings,
        key=lambda pf: (
            pf.finding.line,
            pf.finding.column,
            -SEVERITY_RANK.get(pf.finding.severity, 0),
            pf.finding.rule,
        ),
    )
    final_url = page.final_url if page.final_url and page.final_url != page.url else ""
    return PageView(
        anchor=f"page-{position}",
        rank=position,
        url=page.url,
        href=safe_href(page.url),
        final_url=final_url,
        final_href=safe_href(final_url) if final_url else None,
        http_status=page.http_status,
        outcome=page.outcome,
        risk=page.risk,
        counts={s: counts[s] for s in SEVERITIES},
        top_categories=top,
        findings=tuple(_finding_view(pf) for pf in ordered),
        disclosures=tuple(
            pf.finding.message for pf in ordered if pf.finding.category in DISCLOSURE_CATEGORIES
        ),
    )


def _finding_view(pf) -> FindingView:
    f = pf.finding
    before, match, after, unplaced = highlight(pf.sentence, f.text)
    return FindingView(
        location=f"{f.line}:{f.column}",
        severity=f.severity,
        rule=f.rule,
        name=f.name,
        category=_CATEGORY_LABELS.get(f.category, f.category),
        message=f.message,
        before=before,
        match=match,
        after=after,
        unplaced=unplaced,
        evidence=f.evidence,
        suggestion=" ".join(f.suggestion.split()) if f.suggestion else "",
        trend=pf.trend,
        notes=tuple(
            _NOTES[k] for k in f.context if k in _NOTES and (k != "hedged" or f.severity != "error")
        ),
    )


def highlight(sentence: str, text: str) -> tuple[str, str, str, str]:
    """Split ``sentence`` around ``text``: (before, match, after, unplaced).

    Whitespace is normalised in both, since the sentence was extracted from markup and the
    matched text is raw source. When the text is not in the sentence, ``unplaced`` carries
    it so that the reader still sees what was matched."""
    s = " ".join(sentence.split())
    t = " ".join(text.split())
    if not t:
        return s, "", "", ""
    if not s:
        return "", t, "", ""
    i = s.find(t)
    if i < 0:
        # Case-insensitive only when lowering keeps offsets (it can change lengths).
        lowered = s.lower()
        if len(lowered) == len(s):
            i = lowered.find(t.lower())
    if i < 0:
        return s, "", "", t
    return s[:i], s[i : i + len(t)], s[i + len(t) :], ""


def safe_href(url: str) -> str | None:
    """``url`` if it is safe as a link in this report (http(s), or a relative path), else None.

    Anything with another scheme (``javascript:``, ``data:``, ``file:``), a scheme-relative
    ``//host`` or characters browsers strip or reinterpret is shown as text instead."""
    if not url or _UNSAFE_URL_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme:
        return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
    if url.startswith("//") or ":" in url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return None
    return url


def _bar_chart(
    chart_id: str, title: str, rows: list[tuple[str, int, str]], label_w: int, bar_w: int
) -> Markup:
    """A horizontal bar chart as inline SVG: every bar has its label and count as text, so
    it reads in greyscale print and to a screen reader (through ``<title>``/``<desc>``)."""
    if not rows:
        return Markup("")
    row_h, pad = 28, 8
    width = label_w + bar_w + 60
    height = len(rows) * row_h + pad
    top = max(n for _, n, _ in rows)
    desc = "; ".join(f"{label}: {n:,}" for label, n, _ in rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for i, (label, n, colour) in enumerate(rows):
        y = pad // 2 + i * row_h
        w = max(2, round(bar_w * n / top))
        mid = y + row_h // 2
        out.append(
            f'<g class="bar" data-label="{escape(label)}" data-count="{n}">'
            f'<text x="{label_w - 10}" y="{mid}" text-anchor="end" dominant-baseline="middle" '
            f'class="bar-label">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{w}" height="{row_h - 10}" rx="3" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + w + 8}" y="{mid}" dominant-baseline="middle" '
            f'class="bar-count">{n:,}</text></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _trend(report: AuditReport) -> dict | None:
    trend = report.trend
    if trend is None:
        return None
    return {
        "previous_run": trend.previous_run,
        "previous_started": _timestamp(trend.previous_started),
        "new": trend.new,
        "remaining": trend.remaining,
        "fixed_count": len(trend.fixed),
        "fixed": [
            {
                "url": f.url,
                "href": safe_href(f.url),
                "rule": f.rule,
                "name": f.name,
                "category": _CATEGORY_LABELS.get(f.category, f.category),
                "severity": f.severity,
                "text": " ".join(f.text.split()),
            }
            for f in trend.fixed
        ],
    }


def _history(report: AuditReport) -> dict | None:
    """Every run of these sources so far, as a table and a chart of findings per run."""
    if len(report.history) < 2:
        return None
    runs = [
        {
            "run_id": r.run_id,
            "current": r.run_id == report.run_id,
            "started": _timestamp(r.started),
            "pages": r.pages,
            "failed": r.failed,
            "findings": r.findings,
            "errors": r.errors,
        }
        for r in report.history
    ]
    chart = _bar_chart(
        "chart-history",
        "Findings per audit run",
        [(f"run {r.run_id}, {r.started[:10]}", r.findings, _BAR_COLOUR) for r in report.history],
        label_w=190,
        bar_w=420,
    )
    return {"runs": runs, "chart": chart}


def _parse(stamp: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    # The store writes UTC; a stamp without an offset is read as UTC, not local time.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _timestamp(stamp: str) -> str:
    when = _parse(stamp)
    if when is None:
        return stamp
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _duration(started: str, finished: str | None) -> str:
    a, b = _parse(started), _parse(finished) if finished else None
    if a is None or b is None or b < a:
        return ""
    seconds = int((b - a).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"
