"""Stage 3 extractor for Markdown: headings, paragraphs, list items, quotes, table cells.

Kept: the prose of every heading, paragraph, list item, blockquote and table cell, one
segment per block (a paragraph inside a list item is ``list_item``, inside a blockquote
``blockquote``); link text stays inside its sentence; image alt text becomes its own
``alt_text`` segment; ``title:`` and ``description:`` of a front matter block become
``front_matter`` segments; HTML blocks go through the HTML extractor. A soft line break
reads as one space, mapped to the line break, so a claim wrapped over two lines matches.

Skipped: fenced and indented code, inline code, link destinations and titles, autolinks
and bare URLs, emphasis/strikethrough markers, inline HTML tags (comments are returned as
:class:`Comment` values) and every other front matter key.

markdown-it-py gives line ranges for blocks but no positions inside them, so each inline
token's ``content`` is located line by line in the source and its children are aligned
with that content by a cursor; nothing is ever found by searching rendered text in the
whole document.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from markdown_it import MarkdownIt
from markdown_it.common.entities import entities as _ENTITIES
from markdown_it.common.utils import fromCodePoint, isValidEntityCode
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from linter.markup import Comment, Extraction, MarkupProblem, Segment, SegmentBuilder
from linter.markup.html import BARE_URL, extract_html

# commonmark's limit of 20 levels stops after ~9 nested lists and silently drops the rest;
# 100 (markdown-it's default preset) is still far from Python's recursion limit.
_MAX_NESTING = 100
# Rules that return at once unless the character they look at is one of these: in a
# document without any of them they cannot fire, and a parser without them gives the same
# tokens without trying them at every line or every inline mark.
_NEEDS = {
    "table": "|",
    "fence": "`~",
    "backticks": "`",
    "strikethrough": "~",
    "html_block": "<",
    "html_inline": "<",
    "autolink": "<",
    "entity": "&",
    "escape": "\\",
    "reference": "[",
    "link": "[",
    "image": "[",
}
_CHARS = "".join(sorted(set("".join(_NEEDS.values()))))
_parsers: dict[frozenset[str], MarkdownIt] = {}


def _markdown_it(text: str | None = None) -> MarkdownIt:
    """The parser for ``text`` (without the rules it cannot use), or the full parser."""
    unused: frozenset[str] = frozenset()
    if text is not None:
        present = [c for c in _CHARS if c in text]
        unused = frozenset(r for r, chars in _NEEDS.items() if not any(c in chars for c in present))
    parser = _parsers.get(unused)
    if parser is None:
        md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
        md.options["maxNesting"] = _MAX_NESTING
        # Link destinations are never linted, so they need no normalising (punycode and
        # percent-encoding, a tenth of the parse time); it never changes whether a link
        # is valid, which only depends on the scheme.
        md.normalizeLink = lambda url: url  # type: ignore[method-assign]
        md.core.ruler.at("inline", _inline)
        if unused:
            md.disable(sorted(unused))
        parser = _parsers[unused] = md
    return parser


# No inline rule fires on content without these characters (a line break, an escape, a
# code span, a strikethrough, emphasis, a link or image, an autolink or HTML tag, an
# entity): markdown-it would turn such content into one text token, so that is made here.
_INLINE_MARKS = re.compile(r"[\n\\`~*_\[<&]")


def _inline(state) -> None:
    """markdown-it's ``inline`` core rule, with plain content left unparsed."""
    md, env = state.md, state.env
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            content = token.content
            if _INLINE_MARKS.search(content):
                md.inline.parse(content, md, env, token.children)
            elif content:
                text = Token("text", "", 0)
                text.content = content
                token.children.append(text)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # markdown-it reads all three as line breaks
_NOT_LINE_BREAK = re.compile(r"[^\r\n]+")

_FRONT_MATTER_OPEN = re.compile(r"\ufeff?---[ \t]*(?:\r\n|\r|\n)")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_FRONT_MATTER_KEY = re.compile(
    r"^(?:title|description)[ \t]*:(?:[ \t]+|(?=\r?$))([^\r\n]*)\r?$", re.MULTILINE | re.IGNORECASE
)
_YAML_COMMENT = re.compile(r"[ \t]+#")
_BLOCK_SCALAR = re.compile(r"[|>][+-]?[0-9]?[+-]?(?:[ \t]+#.*)?")

_SPECIAL = re.compile(r"[\\&]")
_ENTITY = re.compile(r"&(?:#(x[a-f0-9]{1,6}|[0-9]{1,7})|([a-z][a-z0-9]{1,31}));", re.IGNORECASE)
_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_REF_LABEL = re.compile(r"\[(?:[^\[\]\\]|\\.)*\]", re.DOTALL)
_ATX_OPEN = re.compile(r"#{1,6}(?=[ \t]|$)", re.MULTILINE)
_LIST_MARKER = re.compile(r"[ \t>]*(?:(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)?")
_HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
_SKIPPED_HTML = frozenset({"script", "style", "noscript", "template", "code", "pre"})
_MARKERS = frozenset({"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"})
_closing_ticks: dict[int, re.Pattern[str]] = {}


class _Lines:
    """Start and end (before the line break) of every source line, as markdown-it counts."""

    __slots__ = ("ends", "starts")

    def __init__(self, text: str) -> None:
        if "\r" not in text:
            # Only "\n" breaks: their offsets follow from the line lengths (split is C).
            lengths = [len(line) for line in text.split("\n")]
            self.starts = [0, *accumulate(n + 1 for n in lengths[:-1])]
            self.ends = [start + n for start, n in zip(self.starts, lengths)]
            return
        self.starts = [0]
        self.ends: list[int] = []
        for m in _LINE_BREAK.finditer(text):
            self.ends.append(m.start())
            self.starts.append(m.end())
        self.ends.append(len(text))


class _ContentMap:
    """Where the characters of one inline token's ``content`` sit in the source.

    Runs of content are linear in the source (one per located line, or per cell piece);
    a content newline maps to the source line break it stands for.
    """

    __slots__ = ("breaks", "c0", "length", "s0")

    def __init__(self) -> None:
        self.c0: list[int] = []
        self.s0: list[int] = []
        self.length: list[int] = []
        self.breaks: dict[int, tuple[int, int]] = {}

    def add(self, content_start: int, source_start: int, length: int) -> None:
        if length > 0:
            self.c0.append(content_start)
            self.s0.append(source_start)
            self.length.append(length)

    def to_source(self, index: int) -> int | None:
        k = bisect_right(self.c0, index) - 1
        if k >= 0 and index < self.c0[k] + self.length[k]:
            return self.s0[k] + index - self.c0[k]
        brk = self.breaks.get(index)
        return brk[0] if brk else None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Source span of content ``[start, end)`` if both ends are mapped."""
        first, last = self.to_source(start), self.to_source(end - 1)
        if first is None or last is None:
            return None
        brk = self.breaks.get(end - 1)
        return first, brk[1] if brk else last + 1

    def emit(self, builder: SegmentBuilder | None, source: str, start: int, end: int) -> None:
        """Copy content ``[start, end)`` into ``builder``; unmapped characters are left out."""
        if builder is None or end <= start:
            return
        c0, s0, length = self.c0, self.s0, self.length
        k = max(bisect_right(c0, start) - 1, 0)
        while k < len(c0) and c0[k] < end:
            lo, hi = max(start, c0[k]), min(end, c0[k] + length[k])
            if hi > lo:
                builder.copy(source, s0[k] + lo - c0[k], s0[k] + hi - c0[k])
            k += 1


def _locate_line(source: str, line_start: int, line_end: int, core: str, atx: bool) -> int:
    """Source offset where ``core`` (a content line without its indentation) sits, or -1.

    Content is the source line minus its container prefix (``>``, list marker,
    indentation), so it is a suffix of the line, or of the line without trailing
    whitespace on a block's last line. An ATX heading's content follows its ``#`` run.
    """
    n = len(core)
    if atx:
        m = _ATX_OPEN.search(source, line_start, line_end)
        if m:
            pos = m.end()
            while pos < line_end and source[pos] in " \t":
                pos += 1
            if source.startswith(core, pos):
                return pos
    pos = line_end - n
    if pos >= line_start and source.startswith(core, pos):
        return pos
    pos = line_start + len(source[line_start:line_end].rstrip()) - n
    if pos >= line_start and source.startswith(core, pos):
        return pos
    return source.rfind(core, line_start, line_end)


def _map_lines(source: str, lines: _Lines, first: int, content: str, atx: bool) -> _ContentMap:
    cmap = _ContentMap()
    offset = 0
    last = len(lines.starts) - 1
    for k, line in enumerate(content.split("\n")):
        index = first + k
        if index > last:
            break
        core = line.strip(" \t")
        if core:
            pos = _locate_line(source, lines.starts[index], lines.ends[index], core, atx)
            if pos >= 0:
                lead = len(line) - len(line.lstrip(" \t"))
                length = len(core)
                # Whitespace before a line break can be text ("\\ " is a literal backslash
                # and space): map it too when the source has it.
                trail = line[lead + length :]
                if trail and source.startswith(trail, pos + length):
                    length += len(trail)
                cmap.add(offset + lead, pos, length)
        offset += len(line)
        if index < last:
            cmap.breaks[offset] = (lines.ends[index], lines.starts[index + 1])
        offset += 1
    return cmap


def _first_content_line(source: str, lines: _Lines, tok: Token, atx: bool) -> int:
    """The source line of the content's first line: a block's content is stripped of
    Unicode whitespace, so lines holding only e.g. no-break spaces vanish from its start."""
    first, end = tok.map[0], min(tok.map[1], len(lines.starts))
    spare = end - first - (tok.content.count("\n") + 1)
    if spare > 0:
        core = tok.content.split("\n", 1)[0].strip(" \t")
        for line in range(first, first + spare + 1):
            if _locate_line(source, lines.starts[line], lines.ends[line], core, atx) >= 0:
                return line
    return first


def _map_cell(source: str, start: int, end: int, content: str) -> tuple[_ContentMap, int]:
    """Map a table cell found at or after ``start`` in its row; returns the map and the
    offset after the cell. A ``|`` in cell content was written ``\\|`` in the source."""
    cmap = _ContentMap()
    pieces = content.split("|")
    written = "\\|".join(pieces)
    pos = source.find(written, start, end)
    if pos < 0:
        return cmap, start
    c = 0
    s = pos
    for i, piece in enumerate(pieces):
        if i:
            cmap.add(c, s + 1, 1)  # the pipe itself, after its backslash
            c, s = c + 1, s + 2
        cmap.add(c, s, len(piece))
        c, s = c + len(piece), s + len(piece)
    return cmap, pos + len(written)


def _decode_entity(m: re.Match[str]) -> str | None:
    """The text markdown-it puts for an entity, or None if it leaves it literal."""
    number, name = m.group(1), m.group(2)
    if number is not None:
        code = int(number[1:], 16) if number[0] in "xX" else int(number)
        return fromCodePoint(code) if isValidEntityCode(code) else "\ufffd"
    return _ENTITIES.get(name)


class _Inline:
    """Aligns the children of one inline token with its content, building segments."""

    def __init__(
        self, source: str, content: str, cmap: _ContentMap, out: Extraction, extra: list[Segment]
    ) -> None:
        self.source = source
        self.content = content
        self.cmap = cmap
        self.out = out
        self.extra = extra  # alt text segments, emitted after the block's own segment
        self.c = 0  # cursor in content
        self.skip_tag: str | None = None  # inside inline <script>, <code>...

    def emit(self, builder: SegmentBuilder | None, start: int, end: int) -> None:
        if self.skip_tag is None:
            self.cmap.emit(builder, self.source, start, end)

    def walk(self, children: Sequence[Token], builder: SegmentBuilder) -> None:
        content = self.content
        i, n = 0, len(children)
        while i < n:
            tok = children[i]
            kind = tok.type
            if kind == "text" or kind == "text_special":
                self.text(tok.content, builder)
            elif kind == "softbreak" or kind == "hardbreak":
                self.line_break(builder)
            elif kind in _MARKERS:
                if content.startswith(tok.markup, self.c):
                    self.c += len(tok.markup)
            elif kind == "code_inline":
                self.code(tok.markup)
            elif kind == "link_open":
                if tok.markup in ("autolink", "linkify"):
                    end = content.find(">", self.c)
                    if content.startswith("<", self.c) and end >= 0:
                        self.c = end + 1
                    while i + 1 < n and children[i + 1].type != "link_close":
                        i += 1
                    i += 1  # the link_close: nothing after an autolink to skip
                elif content.startswith("[", self.c):
                    self.c += 1
            elif kind == "link_close":
                self.c = self.link_tail(self.c)
            elif kind == "image":
                if content.startswith("![", self.c):
                    self.c += 2
                alt = SegmentBuilder("alt_text")
                self.walk(tok.children or (), alt)
                segment = alt.build()
                if segment is not None:
                    self.extra.append(segment)
                self.c = self.link_tail(self.c)
            elif kind == "html_inline":
                self.html(tok.content, builder)
            i += 1

    def text(self, text: str, builder: SegmentBuilder) -> None:
        start = 0
        if "://" not in text and "www." not in text.lower():  # the URL regex is slow
            self.align(text, 0, len(text), builder)
            return
        for m in BARE_URL.finditer(text):
            self.align(text, start, m.start(), builder)
            self.align(text, m.start(), m.end(), None)
            start = m.end()
        self.align(text, start, len(text), builder)

    def align(self, text: str, j: int, j_end: int, builder: SegmentBuilder | None) -> None:
        """Advance the cursor over the content that ``text[j:j_end]`` was decoded from."""
        content, c = self.content, self.c
        n = len(content)
        while j < j_end and c < n:
            want = j_end - j
            special = _SPECIAL.search(content, c, c + want)
            stop = special.start() if special else c + want
            if stop > c:
                if content.startswith(text[j : j + stop - c], c):
                    self.emit(builder, c, stop)
                    j += stop - c
                    c = stop
                    continue
            else:
                ch = content[c]
                if ch == "\\" and c + 1 < n and content[c + 1] in _ESCAPABLE:
                    if text[j] == content[c + 1]:
                        self.emit(builder, c + 1, c + 2)
                        c, j = c + 2, j + 1
                        continue
                elif ch == "&":
                    m = _ENTITY.match(content, c)
                    decoded = _decode_entity(m) if m else None
                    if decoded and text.startswith(decoded, j):
                        span = self.cmap.span(c, m.end())
                        if span and builder is not None and self.skip_tag is None:
                            for char in decoded:
                                builder.put(char, *span)
                        c, j = m.end(), j + len(decoded)
                        continue
                if text[j] == ch:
                    self.emit(builder, c, c + 1)
                    c, j = c + 1, j + 1
                    continue
            # Out of step (should not happen): resynchronise a character at a time,
            # copying only characters that are equal on both sides.
            if content[c] == text[j]:
                self.emit(builder, c, c + 1)
                c, j = c + 1, j + 1
            elif content[c] in " \t\n":
                c += 1
            else:
                c, j = c + 1, j + 1
        self.c = c

    def line_break(self, builder: SegmentBuilder) -> None:
        content = self.content
        k = self.c
        # Trailing spaces (or the backslash of a hard break) stay in the content but not
        # in the text before the break.
        while k < len(content) and content[k] in " \t":
            k += 1
        if content.startswith("\\\n", k):
            k += 1
        if not content.startswith("\n", k):
            return
        brk = self.cmap.breaks.get(k)
        if brk and self.skip_tag is None:
            builder.put(" ", *brk)
        k += 1
        while k < len(content) and content[k] in " \t":
            k += 1
        self.c = k

    def code(self, ticks: str) -> None:
        if not ticks or not self.content.startswith(ticks, self.c):
            return
        closing = _closing_ticks.get(len(ticks))
        if closing is None:
            closing = _closing_ticks[len(ticks)] = re.compile(f"(?<!`){ticks}(?!`)")
        m = closing.search(self.content, self.c + len(ticks))
        if m:
            self.c = m.end()

    def link_tail(self, pos: int) -> int:
        """Skip ``](destination "title")``, ``][label]``, ``][]`` or ``]`` after link text,
        deciding between them as markdown-it's link rule does."""
        content = self.content
        n = len(content)
        if not content.startswith("]", pos):
            return pos
        label_end = pos
        pos += 1
        reference = True
        if pos < n and content[pos] == "(":
            reference = False
            pos += 1
            while pos < n and content[pos] in " \t\n":
                pos += 1
            if pos < n:
                res = parseLinkDestination(content, pos, n)
                md = _markdown_it()
                if res.ok and md.validateLink(md.normalizeLink(res.str)):
                    pos = res.pos
                start = pos
                while pos < n and content[pos] in " \t\n":
                    pos += 1
                title = parseLinkTitle(content, pos, n)
                if pos < n and start != pos and title.ok:
                    pos = title.pos
                    while pos < n and content[pos] in " \t\n":
                        pos += 1
            if pos >= n or content[pos] != ")":
                reference = True
            pos += 1
        if reference:
            m = _REF_LABEL.match(content, pos) if pos < n and content[pos] == "[" else None
            pos = m.end() if m else label_end + 1
        return pos

    def html(self, tag: str, builder: SegmentBuilder) -> None:
        start = self.c
        if not self.content.startswith(tag, start):
            return
        self.c = start + len(tag)
        span = self.cmap.span(start, self.c)
        if tag.startswith("<!--"):
            if span:
                body = tag[4:]
                for end in ("-->", "->", ">"):
                    if body.endswith(end):
                        body = body[: -len(end)]
                        break
                self.out.comments.append(Comment(body.strip(), *span))
            return
        m = _HTML_TAG.match(tag)
        name = m.group(1).lower() if m else ""
        if self.skip_tag is not None:
            if tag.startswith("</") and name == self.skip_tag:
                self.skip_tag = None
        elif name in _SKIPPED_HTML and not tag.startswith("</") and not tag.endswith("/>"):
            self.skip_tag = name
        elif name == "img" and span and self.source[span[0] : span[1]] == tag:
            self.extra.extend(extract_html(tag, base=span[0]).segments)
        elif name == "br" and span:
            builder.put(" ", *span)  # as in HTML: a line break inside the sentence


def _front_matter(text: str, out: Extraction) -> str:
    """Extract front matter segments; return the text with front matter blanked out."""
    opening = _FRONT_MATTER_OPEN.match(text)
    if not opening:
        return text
    closing = _FRONT_MATTER_CLOSE.search(text, opening.end())
    if not closing:
        out.problems.append(
            MarkupProblem(0, "front matter starts with '---' but is never closed; read as Markdown")
        )
        return text
    end = closing.end()
    if text[end - 1 : end] == "\r":
        end -= 1
    body_end = closing.start()
    lines = _Lines(text[:body_end])
    for m in _FRONT_MATTER_KEY.finditer(text, opening.end(), body_end):
        segment = _front_matter_value(text, lines, m.start(1), m.end(1))
        if segment is not None:
            out.segments.append(segment)
    # Spaces keep every offset (and line) of the body identical for markdown-it.
    return _NOT_LINE_BREAK.sub(lambda b: " " * len(b.group()), text[:end]) + text[end:]


def _front_matter_value(text: str, lines: _Lines, start: int, end: int) -> Segment | None:
    """A simple YAML scalar: plain or quoted, possibly continued on indented lines, or a
    ``|``/``>`` block. Line breaks inside it read as spaces."""
    value = text[start:end].rstrip(" \t\r")
    end = start + len(value)
    pieces: list[tuple[int, int]] = []
    block = bool(_BLOCK_SCALAR.fullmatch(value))
    if value and not block:
        pieces.append((start, end))
    line = bisect_right(lines.starts, start)  # the line after the key's line
    while line < len(lines.starts):
        ls, le = lines.starts[line], lines.ends[line]
        body = text[ls:le]
        stripped = body.lstrip(" \t")
        if not stripped.strip():
            if not block:
                break
            line += 1
            continue
        if len(stripped) == len(body):
            break  # not indented: the next key
        piece_start = ls + len(body) - len(stripped)
        pieces.append((piece_start, piece_start + len(stripped.rstrip())))
        line += 1
    if not pieces:
        return None
    first_start, first_end = pieces[0]
    quote = text[first_start] if not block and text[first_start] in "'\"" else ""
    if not block and not quote:
        # A " #" ends a plain scalar's line: the rest is a YAML comment.
        for k, (piece_start, piece_end) in enumerate(pieces):
            comment = _YAML_COMMENT.search(text, piece_start, piece_end)
            if comment:
                pieces[k] = (piece_start, comment.start())
    if quote:
        pieces[0] = (first_start + 1, first_end)
        last_start, last_end = pieces[-1]
        closing = text.rfind(quote, last_start, last_end)
        if closing >= 0:
            pieces[-1] = (last_start, closing)
    builder = SegmentBuilder("front_matter")
    for k, (piece_start, piece_end) in enumerate(pieces):
        if k and len(builder):
            line = bisect_right(lines.starts, piece_start) - 1
            builder.put(" ", lines.ends[line - 1], lines.starts[line])
        builder.copy(text, piece_start, piece_end)
    return builder.build()


def _remap(segment: Segment, cmap: _ContentMap, source: str) -> Segment | None:
    """Rebase a segment extracted from token content onto the source (per character:
    only used for HTML blocks inside blockquotes, which are short)."""
    builder = SegmentBuilder(segment.scope)
    offsets = segment.offsets
    for i, char in enumerate(segment.text):
        start, end = offsets.source_start(i), offsets.source_end(i)
        span = cmap.span(start, end)
        if span is None:
            continue
        if span[1] - span[0] == 1 and source[span[0]] == char:
            builder.copy(source, span[0], span[1])
        else:
            builder.put(char, *span)
    return builder.build()


def _html_block(
    source: str, lines: _Lines, tok: Token, container: str | None, out: Extraction
) -> None:
    sub = _html_block_extraction(source, lines, tok)
    for segment in sub.segments:
        # HTML paragraphs inside a list item or quote take their scope, as Markdown ones do.
        if container and segment.scope == "paragraph":
            segment.scope = container
    out.segments.extend(sub.segments)
    out.comments.extend(sub.comments)
    out.problems.extend(sub.problems)


def _html_block_extraction(source: str, lines: _Lines, tok: Token) -> Extraction:
    first = tok.map[0]
    content = tok.content.rstrip("\n")
    cmap = _map_lines(source, lines, first, content, False)
    # Offsets can be used as they are unless a line has a prefix other than indentation
    # (a blockquote's ``>``): then the fragment's own offsets are rebased.
    direct = bool(cmap.c0)
    for k, s0 in enumerate(cmap.s0):
        line = bisect_right(lines.starts, s0) - 1
        if (k or line != first) and source[lines.starts[line] : s0].strip(" \t"):
            direct = False
            break
    if direct:
        start = cmap.s0[0]
        end = lines.ends[min(tok.map[1], len(lines.ends)) - 1]
        return extract_html(source[start:end], base=start)
    sub = extract_html(content)
    out = Extraction()
    for segment in sub.segments:
        remapped = _remap(segment, cmap, source)
        if remapped is not None:
            out.segments.append(remapped)
    for comment in sub.comments:
        span = cmap.span(comment.start, comment.end)
        if span:
            out.comments.append(Comment(comment.text, *span))
    for problem in sub.problems:
        offset = cmap.to_source(problem.offset)
        out.problems.append(
            MarkupProblem(lines.starts[first] if offset is None else offset, problem.message)
        )
    return out


def extract_markdown(text: str) -> Extraction:
    out = Extraction()
    # A large document makes a million small objects (tokens, runs), none in cycles; the
    # cyclic collector's repeated passes over them cost a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _extract(text, out)
    except Exception as exc:
        from linter.markup.plain import extract_plain

        out = extract_plain(text)
        out.problems.append(
            MarkupProblem(
                0, f"Markdown could not be read ({type(exc).__name__}); read as plain text"
            )
        )
    finally:
        if collecting:
            gc.enable()
    out.segments.sort(key=lambda s: s.offsets.source_start(0))
    return out


def _extract(text: str, out: Extraction) -> None:
    parsed = _front_matter(text, out)
    tokens = _markdown_it(parsed).parse(parsed)
    lines = _Lines(text)
    # markdown-it reads NUL as U+FFFD; content is located in a copy that does the same
    # (same length), and text is still copied from the real source.
    located = text.replace("\0", "\ufffd") if "\0" in text else text
    containers: list[str] = []  # scopes of the open blockquotes / list items
    row_line, row_cursor = -1, 0
    deepest: Token | None = None
    for index, tok in enumerate(tokens):
        kind = tok.type
        if deepest is None and tok.level >= _MAX_NESTING - 1:
            deepest = tok
        if kind == "blockquote_open":
            containers.append("blockquote")
        elif kind == "list_item_open":
            containers.append("list_item")
        elif kind == "blockquote_close" or kind == "list_item_close":
            if containers:
                containers.pop()
        elif kind == "html_block" and tok.map:
            try:
                _html_block(text, lines, tok, containers[-1] if containers else None, out)
            except Exception as exc:
                out.problems.append(
                    MarkupProblem(
                        lines.starts[tok.map[0]], f"HTML block skipped ({type(exc).__name__})"
                    )
                )
        elif kind == "inline" and tok.map and tok.content:
            parent = tokens[index - 1] if index else None
            parent_kind = parent.type if parent else ""
            first = tok.map[0]
            if first >= len(lines.starts):
                continue
            try:
                if parent_kind in ("th_open", "td_open"):
                    scope = "table_cell"
                    if first != row_line:
                        row_line, row_cursor = first, lines.starts[first]
                        if containers:  # "> " or "- " before the row is not a cell
                            marker = _LIST_MARKER.match(text, row_cursor, lines.ends[first])
                            row_cursor = marker.end() if marker else row_cursor
                    cmap, cursor = _map_cell(located, row_cursor, lines.ends[first], tok.content)
                    if not cmap.c0:  # the "marker" was the cell's own text after all
                        cmap, cursor = _map_cell(
                            located, lines.starts[first], lines.ends[first], tok.content
                        )
                    row_cursor = cursor
                else:
                    atx = False
                    if parent_kind == "heading_open":
                        scope = "heading"
                        atx = parent.markup.startswith("#")
                    else:
                        scope = containers[-1] if containers else "paragraph"
                    first = _first_content_line(located, lines, tok, atx)
                    cmap = _map_lines(located, lines, first, tok.content, atx)
                extra: list[Segment] = []
                builder = SegmentBuilder(scope)
                _Inline(text, tok.content, cmap, out, extra).walk(tok.children or (), builder)
                segment = builder.build()
                if segment is not None:
                    out.segments.append(segment)
                out.segments.extend(extra)
            except Exception as exc:
                out.problems.append(
                    MarkupProblem(lines.starts[first], f"block skipped ({type(exc).__name__})")
                )
    if deepest is not None:
        offset = (
            lines.starts[deepest.map[0]]
            if deepest.map and deepest.map[0] < len(lines.starts)
            else 0
        )
        out.problems.append(
            MarkupProblem(
                offset,
                f"Markdown nested more than {_MAX_NESTING} levels deep; "
                "deeper content is not checked",
            )
        )
