"""Stage 3b of the pipeline: suppression comments become source ranges.

In Markdown and HTML, a comment starting with ``claimsafe:`` is a directive::

    <!-- claimsafe: disable-next-line safety-absolute reason="quoting the regulator" -->
    <!-- claimsafe: disable CS101,no-side-effects reason="legacy page, under review" -->
    ...
    <!-- claimsafe: enable CS101,no-side-effects -->
    <!-- claimsafe: disable-file superlative reason="award wording approved by legal" -->

Each names rules (code, name or category; no blanket form) and carries a reason. A
directive without a reason or with an unknown rule is itself a problem and suppresses
nothing. ``disable-next-line`` covers the next line with text after the comment;
``disable`` runs to the matching ``enable`` or the end of the file. The engine counts what
each suppression suppressed, so unused ones can be reported.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from linter.documents import LineIndex
from linter.markup import Comment

_DIRECTIVE = re.compile(r"^claimsafe\s*:\s*(?P<action>[a-z-]+)\s*(?P<args>.*)$", re.S)
ACTIONS = ("disable-next-line", "disable", "enable", "disable-file")


@dataclass
class Suppression:
    selectors: tuple[str, ...]
    reason: str
    start: int  # source range it covers
    end: int
    comment: Comment
    used: int = field(default=0)

    def covers(self, offset: int) -> bool:
        return self.start <= offset < self.end


@dataclass(frozen=True)
class DirectiveProblem:
    comment: Comment
    message: str


def parse(
    comments: Iterable[Comment],
    text: str,
    lines: LineIndex,
    known: Callable[[str], bool],
) -> tuple[list[Suppression], list[DirectiveProblem]]:
    """Turn a document's comments into suppressions (and problems for bad directives)."""
    suppressions: list[Suppression] = []
    problems: list[DirectiveProblem] = []
    open_ranges: list[Suppression] = []
    for comment in sorted(comments, key=lambda c: c.start):
        m = _DIRECTIVE.match(comment.text.strip())
        if not m:
            continue
        action = m["action"]
        if action not in ACTIONS:
            problems.append(
                DirectiveProblem(
                    comment, f"unknown directive {action!r} (use one of: {', '.join(ACTIONS)})"
                )
            )
            continue
        try:
            words = shlex.split(m["args"])
        except ValueError as exc:
            problems.append(DirectiveProblem(comment, f"cannot read directive: {exc}"))
            continue
        reason = ""
        selectors: list[str] = []
        for word in words:
            if word.startswith("reason="):
                reason = word[len("reason=") :].strip()
            else:
                selectors.extend(s for s in word.split(",") if s)
        if not selectors:
            problems.append(
                DirectiveProblem(
                    comment,
                    f"'{action}' must name the rules it applies to (code, name or category)",
                )
            )
            continue
        unknown = [s for s in selectors if not known(s)]
        if unknown:
            problems.append(DirectiveProblem(comment, f"unknown rule {unknown[0]!r} in '{action}'"))
            continue
        if action == "enable":
            for sup in open_ranges:
                if set(sup.selectors) & set(selectors):
                    sup.end = comment.start
            open_ranges = [s for s in open_ranges if not set(s.selectors) & set(selectors)]
            continue
        if not reason:
            problems.append(
                DirectiveProblem(comment, f"'{action}' needs a reason=\"...\"; suppression ignored")
            )
            continue
        if action == "disable-file":
            start, end = 0, len(text)
        elif action == "disable":
            start, end = comment.end, len(text)
        else:
            start, end = _next_line(text, lines, comment.end)
        sup = Suppression(tuple(selectors), reason, start, end, comment)
        suppressions.append(sup)
        if action == "disable":
            open_ranges.append(sup)
    return suppressions, problems


def _next_line(text: str, lines: LineIndex, offset: int) -> tuple[int, int]:
    """The range of the first line after ``offset``'s line that has any text."""
    line, _ = lines.position(offset)
    for candidate in range(line + 1, lines.line_count + 1):
        start = lines.line_start(candidate)
        end = lines.line_start(candidate + 1) if candidate < lines.line_count else len(text)
        if text[start:end].strip():
            return start, end
    return len(text), len(text)
