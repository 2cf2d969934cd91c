"""The shared vocabulary of results: one frozen :class:`Finding` flows to every reporter.

Positions: ``start``/``end`` are 0-based, half-open character offsets into the source text
(Python ``str`` indices); ``line``/``column``/``end_line``/``end_column`` are 1-based, with
``end_column`` exclusive, computed from those offsets by the document's ``LineIndex`` when
the finding is made, never by searching for text. ``text`` is always
``source[start:end]``.

Tool problems (an unreadable file, a suppression without a reason) are findings too, with
reserved codes in :data:`PROBLEMS` and the category ``problem``, so that nothing a user
needs to know is lost between the engine and the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

# Reserved problem codes: (code, name, severity).
PROBLEMS = {
    "unreadable": ("CS900", "unreadable-file", "error"),
    "binary": ("CS901", "binary-file", "warning"),
    "decode-fallback": ("CS902", "not-utf8", "warning"),
    "markup": ("CS903", "markup-problem", "warning"),
    "invalid-suppression": ("CS904", "invalid-suppression", "error"),
    "unused-suppression": ("CS905", "unused-suppression", "warning"),
}
PROBLEM_CATEGORY = "problem"
# The context of a finding in a page's navigation, header, footer or banners (the site's
# chrome, repeated on every page) rather than in its main content: ``audit`` reports each
# such finding once per site.
SITE_CHROME = "site-chrome"


@dataclass(frozen=True)
class Evidence:
    fact: str
    document: str
    quote: str


@dataclass(frozen=True)
class Finding:
    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    name: str
    category: str
    severity: str
    message: str
    text: str
    suggestion: str | None = None
    evidence: tuple[Evidence, ...] = ()
    # Context kinds the engine noticed (e.g. "testimonial", "hedged"): shown to people,
    # not part of the JSON contract.
    context: tuple[str, ...] = field(default=(), compare=False)
    # The plain-text sentence around the match (markup gone, entities decoded), for the
    # audit report; "" for problems. Not in the JSON contract.
    sentence: str = field(default="", compare=False)

    @property
    def is_problem(self) -> bool:
        return self.category == PROBLEM_CATEGORY

    def sort_key(self) -> tuple:
        return (self.path, self.start, self.end, self.rule)
