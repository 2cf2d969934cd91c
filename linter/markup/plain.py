"""Stage 3 extractor for plain text: paragraphs and list lines become segments.

Blank lines end a paragraph. Inside a paragraph, a line break is a soft wrap and becomes
a space (so a claim wrapped over two lines still matches), except before a line that
starts a list item (``•``, ``-``, ``*``, ``1.``), which starts a segment of its own: list
items rarely end in a full stop, and joining them would glue separate claims together.
"""

from __future__ import annotations

import re

from linter.markup import Extraction, SegmentBuilder

_LIST_ITEM = re.compile(r"[ \t]*(?:[•‣◦▪●*+-]|\d{1,3}[.)])[ \t]*(?=\S)")
_LINE = re.compile(r"[^\n]*\n?")


def extract_plain(text: str) -> Extraction:
    out = Extraction()
    builder: SegmentBuilder | None = None

    def flush() -> None:
        nonlocal builder
        if builder is not None:
            segment = builder.build()
            if segment is not None:
                out.segments.append(segment)
        builder = None

    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        if start == end:
            break
        body_end = end - 1 if text[end - 1 : end] == "\n" else end
        if body_end > start and text[body_end - 1] == "\r":
            body_end -= 1
        line = text[start:body_end]
        if not line.strip():
            flush()
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            start += item.end()
        if builder is None:
            builder = SegmentBuilder("list_item" if item else "paragraph")
        elif len(builder):
            # The previous line's break stands for a space between the two lines.
            builder.put(" ", start - 1, start)
        builder.copy(text, start, body_end)
    flush()
    return out
