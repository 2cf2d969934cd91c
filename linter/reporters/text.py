"""Text reporter: what a person reads in a terminal or a pre-commit log.

One line per finding, ``path:line:col: severity [CODE name] message``, then the matched
text and the suggested rewording (display only: rewording a health claim changes its
legal meaning, so nothing is applied), then a summary. Colour only when asked (the CLI
asks when stdout is a terminal and NO_COLOR is unset).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from linter.findings import SITE_CHROME

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"
# Context kinds worth telling a reviewer about when a claim still stands.
_NOTES = {
    "testimonial": "in a testimonial or caption: still the advertiser's claim",
    "hedged": "hedged, so reported at lower severity",
    "answered": "a question the copy answers yes: the claim is the copy's own",
    SITE_CHROME: "in the site's navigation, header or footer: reported once for the site",
}


def render(report, rulebook=None, colour: bool = False, **options) -> str:
    return "".join(stream(report, rulebook, colour, **options))


def stream(report, rulebook=None, colour: bool = False, **_options) -> Iterator[str]:
    """The report in pieces: each finding as soon as its file is done, the summary last."""
    for finding in report.stream():
        yield "".join(f"{line}\n" for line in _lines(finding, colour))
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    yield _summary(report.findings, files) + "\n"


def render_audit(report, rulebook=None, colour: bool = False, **_options) -> str:
    """An audit: the findings page by page (riskiest first), then each page that could not
    be read, then a summary."""
    lines = _finding_lines([pf.finding for pf in report.findings], colour)
    failed = [page for page in report.pages if not page.ok]
    for page in failed:
        status = f" (HTTP {page.http_status})" if page.http_status else ""
        lines.append(f"{page.url}: not audited: {page.outcome}{status}: {page.detail}")
    pages = len(report.pages)
    where = f"{pages} page{'s' if pages != 1 else ''}"
    if failed:
        where += f" ({len(failed)} not audited)"
    lines.append(_summary([pf.finding for pf in report.findings], where))
    return "\n".join(lines) + "\n"


def _finding_lines(findings, colour: bool) -> list[str]:
    return [line for f in findings for line in _lines(f, colour)]


def _lines(f, colour: bool) -> list[str]:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    severity = paint(f.severity, _COLOURS.get(f.severity, ""))
    lines = [
        f"{paint(f'{f.path}:{f.line}:{f.column}:', _BOLD)} {severity} [{f.rule} {f.name}] {f.message}"
    ]
    if f.text:
        lines.append(f"    matched: {' '.join(f.text.split())!r}")
    for kind in f.context:
        if kind in _NOTES and (kind != "hedged" or f.severity != "error"):
            lines.append(paint(f"    note: {_NOTES[kind]}", _DIM))
    if f.suggestion:
        lines.append(f"    suggestion: {' '.join(f.suggestion.split())}")
    for e in f.evidence[:2]:
        lines.append(paint(f'    evidence: {e.fact} ({e.document}): "{e.quote}"', _DIM))
    return lines


def _summary(findings, where: str) -> str:
    if not findings:
        return f"No findings in {where}."
    counts = Counter(f.severity for f in findings)
    parts = ", ".join(
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
        for s in ("error", "warning", "info")
        if counts[s]
    )
    return f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} ({parts}) in {where}."
