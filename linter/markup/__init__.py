"""Stage 3 of the pipeline: markup becomes segments of prose with an offset map.

Every extractor (``plain``, ``markdown``, ``html``) turns a document's raw text into
:class:`Segment` values: runs of prose with a scope (heading, paragraph, ...) and an
:class:`OffsetMap` from each segment character to its span in the source. Rules and spaCy
only ever see segment text; a match is mapped back through the offset map, never found
again by searching the source. Extractors also hand over the markup comments they saw
(:class:`Comment`), which the directives stage reads for suppressions, and any
:class:`MarkupProblem` (e.g. unterminated front matter) to report.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

SCOPES = (
    "heading",
    "paragraph",
    "list_item",
    "table_cell",
    "blockquote",
    "link_text",
    "alt_text",
    "title",
    "meta_description",
    "front_matter",
)


class OffsetMap:
    """Monotonic map from segment character index to source span.

    Stored as runs, not per character, so a 10 MB document costs a few lists of run starts.
    A *linear* run maps ``text[t0 + k]`` to ``source[s0 + k]``; a *collapsed* run is one
    segment character standing for several source characters (a decoded entity such as
    ``&amp;``), spanning ``source[s0:s1]``.
    """

    __slots__ = ("_t0", "_s0", "_s1", "_linear", "length")

    def __init__(self) -> None:
        self._t0: list[int] = []
        self._s0: list[int] = []
        self._s1: list[int] = []
        self._linear: list[bool] = []
        self.length = 0

    def add_linear(self, source_start: int, length: int) -> None:
        if length <= 0:
            return
        if self._linear and self._linear[-1] and self._s1[-1] == source_start:
            self._s1[-1] += length  # extend the previous run: keeps the map small
        else:
            self._t0.append(self.length)
            self._s0.append(source_start)
            self._s1.append(source_start + length)
            self._linear.append(True)
        self.length += length

    def add_collapsed(self, source_start: int, source_end: int) -> None:
        self._t0.append(self.length)
        self._s0.append(source_start)
        self._s1.append(source_end)
        self._linear.append(source_end - source_start == 1)
        self.length += 1

    def slice(self, start: int, end: int) -> OffsetMap:
        """The map of segment characters ``[start, end)``, re-based to start at 0."""
        out = OffsetMap()
        k = self._run(start)
        while k < len(self._t0) and self._t0[k] < end:
            run_start, run_end = (
                self._t0[k],
                self._t0[k + 1] if k + 1 < len(self._t0) else self.length,
            )
            lo, hi = max(run_start, start), min(run_end, end)
            if self._linear[k]:
                out.add_linear(self._s0[k] + lo - run_start, hi - lo)
            else:
                out.add_collapsed(self._s0[k], self._s1[k])
            k += 1
        return out

    def _run(self, index: int) -> int:
        return bisect_right(self._t0, index) - 1

    def source_start(self, index: int) -> int:
        """Source offset where segment character ``index`` begins."""
        k = self._run(index)
        return self._s0[k] + (index - self._t0[k] if self._linear[k] else 0)

    def source_end(self, index: int) -> int:
        """Source offset just after segment character ``index``."""
        k = self._run(index)
        return self._s0[k] + index - self._t0[k] + 1 if self._linear[k] else self._s1[k]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span of the segment slice ``[start, end)`` (``end > start``)."""
        return self.source_start(start), self.source_end(end - 1)


@dataclass
class Segment:
    """A run of prose: its text, its scope, and where each character came from."""

    text: str
    scope: str
    offsets: OffsetMap

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.source_span(start, end)


class SegmentBuilder:
    """Accumulates text for one segment while recording the offset map.

    Extractors call :meth:`copy` for text taken verbatim from the source, :meth:`put` for a
    character that replaces a source span (an entity, or a space standing for a line
    break), and :meth:`build` at the end. Leading and trailing whitespace is trimmed and
    inner runs of whitespace are left alone (spaCy makes them whitespace tokens).
    """

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._parts: list[str] = []
        self._map = OffsetMap()

    def copy(self, source: str, start: int, end: int) -> None:
        if end > start:
            self._parts.append(source[start:end])
            self._map.add_linear(start, end - start)

    def put(self, char: str, source_start: int, source_end: int) -> None:
        assert len(char) == 1
        self._parts.append(char)
        self._map.add_collapsed(source_start, source_end)

    def __len__(self) -> int:
        return self._map.length

    def build(self) -> Segment | None:
        text = "".join(self._parts)
        stripped = text.strip()
        if not stripped:
            return None
        if len(stripped) == len(text):
            return Segment(text, self.scope, self._map)
        lead = len(text) - len(text.lstrip())
        return Segment(stripped, self.scope, self._map.slice(lead, lead + len(stripped)))


@dataclass(frozen=True)
class Comment:
    """A markup comment (``<!-- ... -->``): its inner text and source span."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class MarkupProblem:
    """Something odd in the markup that the user should hear about (not fatal)."""

    offset: int
    message: str


@dataclass
class Extraction:
    segments: list[Segment] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    problems: list[MarkupProblem] = field(default_factory=list)


def extract(text: str, format: str, main_content: bool = False) -> Extraction:
    """Dispatch a document's text to the extractor for its format.

    ``main_content`` keeps only a web page's main content (HTML only; other formats have no
    page chrome and ignore it).
    """
    if format == "markdown":
        from linter.markup.markdown import extract_markdown

        return extract_markdown(text)
    if format == "html":
        from linter.markup.html import extract_html

        return extract_html(text, main_content=main_content)
    from linter.markup.plain import extract_plain

    return extract_plain(text)
