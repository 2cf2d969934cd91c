"""Text reporter: what a person reads in a terminal or a pre-commit log.

One line per finding, ``path:line:col: severity [CODE name] message``, then the matched
text and the suggested rewording (display only: rewording a health claim changes its
legal meaning, so nothing is applied), then a summary. Colour only when asked (the CLI
asks when stdout is a terminal and NO_COLOR is unset).
"""

from __future__ import annotations

from collections import Counter

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"
# Context kinds worth telling a reviewer about when a claim still stands.
_NOTES = {
    "testimonial": "in a testimonial or caption: still the advertiser's claim",
    "hedged": "hedged, so reported at lower severity",
}


def render(report, rulebook=None, colour: bool = False, **_options) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    lines: list[str] = []
    for f in report.findings:
        severity = paint(f.severity, _COLOURS.get(f.severity, ""))
        lines.append(
            f"{paint(f'{f.path}:{f.line}:{f.column}:', _BOLD)} {severity} [{f.rule} {f.name}] {f.message}"
        )
        if f.text:
            lines.append(f"    matched: {' '.join(f.text.split())!r}")
        for kind in f.context:
            if kind in _NOTES and (kind != "hedged" or f.severity != "error"):
                lines.append(paint(f"    note: {_NOTES[kind]}", _DIM))
        if f.suggestion:
            lines.append(f"    suggestion: {' '.join(f.suggestion.split())}")
        for e in f.evidence[:2]:
            lines.append(paint(f'    evidence: {e.fact} ({e.document}): "{e.quote}"', _DIM))
    counts = Counter(f.severity for f in report.findings)
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if report.findings:
        parts = ", ".join(
            f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
            for s in ("error", "warning", "info")
            if counts[s]
        )
        lines.append(
            f"Found {len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} ({parts}) in {files}."
        )
    else:
        lines.append(f"No findings in {files}.")
    return "\n".join(lines) + "\n"
