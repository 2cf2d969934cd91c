"""Stage 3 extractor for HTML: visible prose, the title, meta description and alt text.

Kept: text anywhere in the document (body or a bare fragment), cut into segments at block
elements (``p``, headings, ``li``, table cells, ``blockquote``, ``div`` and the other
sectioning/grouping elements); inline elements (``a``, ``span``, ``strong``, ``em``...) stay
inside the sentence around them, and ``<br>`` reads as one space (as a Markdown hard break
does) so a sentence broken over two visual lines stays whole. ``<title>`` becomes a
``title`` segment, ``<meta name="description" content="...">`` a ``meta_description``
segment and every ``<img alt="...">`` an ``alt_text`` segment, each mapped to the
attribute value's characters in the source.

Skipped: the contents of ``script``, ``style``, ``noscript``, ``template``, ``code`` and
``pre`` (not prose a reader sees as copy), attribute values other than the above, tags,
and bare URLs in text. Comments are returned as :class:`Comment` values, never as prose.

With ``main_content=True`` only the page's main content is kept (the audit of published
pages): see :func:`extract_html` and docs/main-content.md.

Entities arrive one by one (``convert_charrefs=False``) so each decoded character is mapped
to the entity's source text. Broken markup never raises: unclosed and stray tags are
tolerated, and a construct the stdlib parser chokes on (``<![junk``) is skipped with a
:class:`MarkupProblem` while parsing carries on after it.
"""

from __future__ import annotations

import gc
import html as _html
import re
from bisect import bisect_right
from functools import lru_cache
from html.parser import HTMLParser
from itertools import accumulate, chain

from linter.documents import LineIndex
from linter.markup import Comment, Extraction, MarkupProblem, Segment, SegmentBuilder

# Elements whose start or end ends the current segment.
# fmt: off
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu",
    "nav", "ol", "option", "p", "pre", "section", "select", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "title", "tr", "ul",
})
# fmt: on
_SCOPE_OF = {
    "h1": "heading",
    "h2": "heading",
    "h3": "heading",
    "h4": "heading",
    "h5": "heading",
    "h6": "heading",
    "li": "list_item",
    "td": "table_cell",
    "th": "table_cell",
    "blockquote": "blockquote",
    "title": "title",
}
_MAX_RESTARTS = 100  # each restart copies the rest of the text
_SKIP = frozenset({"script", "style", "noscript", "template", "code", "pre"})
# fmt: off
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
})
# fmt: on
# A new element of the key closes an open element of the value set at the top of the
# stack, as browsers do; without it ``<li>a<li>b...`` grows the stack without bound.
_CLOSES_SIBLING = {
    "li": ("li",),
    "dt": ("dt", "dd"),
    "dd": ("dt", "dd"),
    "td": ("td", "th"),
    "th": ("td", "th"),
    "tr": ("td", "th", "tr"),
    "option": ("option",),
}

# Bare URLs are addresses, not claims; the Markdown extractor uses this too.
BARE_URL = re.compile(
    r"(?<![\w@./-])(?:https?://|www\.)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}]", re.IGNORECASE
)

# Mirrors the stdlib parser's tolerant tag grammar, to find where each attribute value
# sits inside the raw start tag (the parser only hands over decoded values).
_TAG_NAME = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTR = re.compile(
    r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*"""
)
_SHORT_COMMENT = re.compile(r"<!---?>")
_TAG_START = re.compile(r"<[a-zA-Z/!?]")
_BROKEN_TAG_END = re.compile(r"(?<=>)|(?=<)")
_ATTR_REF = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[a-zA-Z][a-zA-Z0-9]{1,31};)")


# -- main content ---------------------------------------------------------------------------
# With ``main_content`` on, every open element carries a zone: a bit mask inherited from its
# parent plus how strongly it is dropped (its ``skip``). Dropped text is never collected, and
# each segment remembers the mask it was started under so a post-pass can keep the strongest
# main-content container the page has (see ``_Parser.main_segments``).
_MAIN = 1  # inside <main> or [role=main]
_ARTICLE = 2  # inside <article> or [role=article]
_CONTENT = 4  # inside an element named like content (id/class: content, entry-content...)
_LINK = 8  # inside <a>: for link density
_BODY = 16  # inside <body>: a <title> there is an SVG's, not the page's
_PAGE = 32  # the page's <title> and meta description: always kept

# skip strengths. A name guess (class/id) is weaker than markup: a <main> inside an element
# whose class looked like boilerplate ("has-sidebar" on a wrapper) is still read.
_WEAK = 1
_STRONG = 2

# Landmark elements, dropped unless inside one of the zones given (the ARIA mapping browsers
# use: <header>/<footer> of the page are banner/contentinfo, those of an article or of the
# main content are not; an <aside> inside an article is a callout, elsewhere a sidebar).
_LANDMARK_UNLESS = {
    "nav": 0,
    "dialog": 0,
    "header": _MAIN | _ARTICLE | _CONTENT,
    "footer": _MAIN | _ARTICLE | _CONTENT,
    "aside": _ARTICLE,
}
# fmt: off
_BOILER_ROLES = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog",
    "menu", "menubar",
})
# Landmarks that show a page describes its layout: with them, what is left is content.
_LAYOUT_TAGS = frozenset({"nav", "header", "footer"})
_LAYOUT_ROLES = frozenset({"navigation", "banner", "contentinfo"})
# The element itself says it is content; its classes are the CMS's, not a description of it
# (WordPress puts "tag-social-media" on a post's <article>, "cookies-not-set" on <body>).
_TRUSTED = frozenset({"html", "body", "main", "article"})
# A word anywhere in a name marks boilerplate; "site-footer", "cookie-notice", "cmp-banner".
_BOILER_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "menubar", "submenu", "breadcrumb", "breadcrumbs",
    "footer", "sidebar", "share", "sharing", "newsletter", "subscribe", "related", "comment",
    "comments", "consent", "gdpr", "cmp", "skip", "popup", "modal", "masthead", "colophon",
    "pagination", "pager", "search", "offcanvas", "onetrust",
})
# A word starting so: "cookies", "cookiebot", "CookieConsent".
_BOILER_PREFIXES = ("cookie",)
# A name starting so describes a layout state ("has-sidebar", "no-nav" on a page wrapper),
# not the element's own role.
_STATE_WORDS = frozenset({"has", "no", "is", "with", "without"})
# Boilerplate only as a whole name: "header" alone is the page header, but "page-header" and
# "entry-header" hold the page's own title; "widget" alone is a WordPress sidebar widget, but
# every Elementor block is an "elementor-widget".
_BOILER_NAMES = frozenset({
    "header", "site-header", "top-bar", "topbar", "widget", "widgets", "widget-area",
    "off-canvas",
})
_CONTENT_NAMES = frozenset({
    "content", "main", "main-content", "page-content", "site-content", "content-area",
    "site-main", "entry-content", "post-content", "article-content", "post-body",
    "article-body", "entry-body", "story-body",
})
# fmt: on
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# A container other than <main> must hold this share of the text to be taken as the main
# content: a lone teaser <article> or a "content" div in the hero is not the page.
_MIN_SHARE = 0.25
# Without any container, a block whose text is mostly link text is navigation, and on a page
# without landmarks the main content is the smallest element holding this share of the rest
# (above one half).
_LINK_DENSITY_MAX = 0.5
_DENSEST_SHARE = 0.6


@lru_cache(maxsize=4096)
def _name_verdict(names: str) -> int:
    """What an element's id and class names say: ``_WEAK`` (a boilerplate name),
    ``_CONTENT`` (a main-content name) or 0. Cached: a site repeats its class lists."""
    verdict = 0
    for name in names.split():
        words = [w.lower() for w in _NAME_WORDS.findall(name)]
        if not words or words[0] in _STATE_WORDS:
            continue
        joined = "-".join(words)
        if joined in _CONTENT_NAMES:
            verdict = _CONTENT
        # A name ending in "content" is the body of what it names: "menu-of-treatments-content"
        # is copy, and a "footer-content" sits inside its footer anyway.
        elif words[-1] != "content" and (
            joined in _BOILER_NAMES
            or any(w in _BOILER_WORDS or w.startswith(_BOILER_PREFIXES) for w in words)
        ):
            return _WEAK
    return verdict


class _Shifted:
    """The text of an HTML fragment seen at its offset inside a larger document.

    ``SegmentBuilder.copy`` records the offsets it is given, so a fragment that Markdown
    hands over with ``base`` must be sliced with document offsets.
    """

    __slots__ = ("_base", "_text")

    def __init__(self, text: str, base: int) -> None:
        self._text = text
        self._base = base

    def __getitem__(self, item: slice) -> str:
        return self._text[item.start - self._base : item.stop - self._base]


def _attribute_spans(raw: str) -> dict[str, tuple[int, int]]:
    """Name -> (start, end) of each attribute's value inside the raw start tag."""
    spans: dict[str, tuple[int, int]] = {}
    m = _TAG_NAME.match(raw)
    if not m:
        return spans
    k = m.end()
    while k < len(raw):
        m = _ATTR.match(raw, k)
        if not m or m.end() == k:
            break
        name = m.group(1).lower()
        if m.group(3) is not None and name not in spans:  # browsers keep the first one
            start, end = m.start(3), m.end(3)
            if end - start >= 2 and raw[start] in "'\"" and raw[end - 1] == raw[start]:
                start, end = start + 1, end - 1
            spans[name] = (start, end)
        k = m.end()
    return spans


class _Parser(HTMLParser):
    def __init__(self, text: str, base: int, out: Extraction, main_content: bool = False) -> None:
        super().__init__(convert_charrefs=False)
        self._text = text
        self._base = base
        self._src = text if base == 0 else _Shifted(text, base)
        self._out = out
        # HTMLParser counts lines by "\n" only, as LineIndex does.
        self._starts = LineIndex(text).starts
        self._origin = self._origin_line = 0
        # (tag, scope, skip, zone mask, index of its first segment) per open element; scope,
        # skip and mask are inherited so the current ones are always at the top, whatever
        # the depth.
        self._stack: list[tuple[str, str, int, int, int]] = []
        self._open: dict[str, int] = {}
        self._builder: SegmentBuilder | None = None
        self._dead = False  # set once an unterminated comment swallows the rest
        self._junk_end = 0  # end of a broken tag the parser hands over as text
        self._main_content = main_content
        # Per kept segment, in step with ``out.segments``: (zone mask, link characters).
        self._zones: list[tuple[int, int]] = []
        self._builder_mask = 0
        self._link_chars = 0
        self._articles = 0
        self._landmarks = False  # the page marks up its navigation, banner or footer
        # (first segment, end segment, depth) of every closed element that holds text.
        self._blocks: list[tuple[int, int, int]] = []

    # -- bookkeeping -------------------------------------------------------------------

    def position(self) -> int:
        """Offset in ``text`` of the construct being handled (the parser counts lines and
        columns from where it was last started)."""
        if self.lineno == 1:
            return self._origin + self.offset
        return self._starts[self._origin_line + self.lineno - 1] + self.offset

    def run_from(self, start: int) -> None:
        """Parse ``text[start:]``, keeping the open elements and the current segment."""
        HTMLParser.reset(self)
        self._origin = start
        self._origin_line = bisect_right(self._starts, start) - 1
        self.feed(self._text[start:] if start else self._text)
        self.close()

    def _skipping(self) -> bool:
        return self._dead or (bool(self._stack) and self._stack[-1][2])

    def _current(self) -> SegmentBuilder:
        if self._builder is None:
            scope = self._stack[-1][1] if self._stack else "paragraph"
            self._builder = SegmentBuilder(scope)
            if self._main_content:
                mask = self._stack[-1][3] if self._stack else 0
                self._builder_mask = mask | _PAGE if scope == "title" and not mask & _BODY else mask
        return self._builder

    def flush(self) -> None:
        if self._builder is not None:
            segment = self._builder.build()
            if segment is not None:
                self._out.segments.append(segment)
                if self._main_content:
                    self._zones.append((self._builder_mask, self._link_chars))
            self._builder = None
            self._link_chars = 0

    def _push(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        scope, skip, mask = self._stack[-1][1:4] if self._stack else ("paragraph", 0, 0)
        first = 0
        if self._main_content:
            skip, mask = self._zone(tag, attrs, skip, mask)
            first = len(self._out.segments)
        self._stack.append(
            (tag, _SCOPE_OF.get(tag, scope), _STRONG if tag in _SKIP else skip, mask, first)
        )
        self._open[tag] = self._open.get(tag, 0) + 1

    def _zone(
        self, tag: str, attrs: list[tuple[str, str | None]], skip: int, mask: int
    ) -> tuple[int, int]:
        """The skip strength and zone mask of a new element, from its parent's."""
        role = names = ""
        aria_hidden = False
        for name, value in attrs:
            if not value:
                continue
            if name == "role":
                # A role list is in order of preference; the first is the one meant.
                role = value.split()[0].lower() if value.strip() else ""
            elif name in ("id", "class"):
                names = f"{names} {value}" if names else value
            elif name == "aria-hidden":
                aria_hidden = value.strip().lower() == "true"
        if tag == "main" or role == "main":
            mask |= _MAIN
            if skip == _WEAK:
                skip = 0
        if skip:
            return skip, mask
        # Not the ``hidden`` attribute: collapsed accordion and tab panels use it, and their
        # copy is published like the rest (docs/main-content.md).
        if aria_hidden or role in _BOILER_ROLES:
            self._landmarks |= role in _LAYOUT_ROLES
            return _STRONG, mask
        unless = _LANDMARK_UNLESS.get(tag)
        if unless is not None and not mask & unless:
            self._landmarks |= tag in _LAYOUT_TAGS
            return _STRONG, mask
        if tag == "a":
            mask |= _LINK
        elif tag == "body":
            mask |= _BODY
        elif tag == "article" or role == "article":
            mask |= _ARTICLE
            self._articles += 1
        if names and tag not in _TRUSTED and role not in ("main", "article"):
            verdict = _name_verdict(names)
            if verdict == _WEAK:
                return _WEAK, mask
            mask |= verdict
        return skip, mask

    def main_segments(self) -> list[Segment]:
        """The segments of the main content, in document order.

        Those inside the strongest container the page has: ``<main>``, else its one
        ``<article>``, else elements named like content. With none, blocks that are mostly
        link text are dropped. If the page marks up no navigation, banner or footer either,
        its markup says nothing of its layout (a layout table), and only the smallest element
        holding most of the remaining text is kept. The title and meta description are kept
        whatever the container.
        """
        segments, zones = self._out.segments, self._zones
        lengths = [len(s.text) for s in segments]
        total = sum(n for n, (mask, _) in zip(lengths, zones) if not mask & _PAGE)
        for bit in (_MAIN, _ARTICLE, _CONTENT):
            if bit == _ARTICLE and self._articles != 1:
                continue
            inside = sum(n for n, (mask, _) in zip(lengths, zones) if mask & bit)
            if inside and (bit == _MAIN or inside >= _MIN_SHARE * total):
                return [s for s, (mask, _) in zip(segments, zones) if mask & (bit | _PAGE)]
        weights = [
            0 if mask & _PAGE or links > _LINK_DENSITY_MAX * n else n
            for n, (mask, links) in zip(lengths, zones)
        ]
        prefix = list(accumulate(weights, initial=0))
        counts = list(accumulate((w > 0 for w in weights), initial=0))
        first, end, deepest = 0, len(segments), -1
        still_open = [(frame[4], len(segments), depth) for depth, frame in enumerate(self._stack)]
        for f, e, depth in () if self._landmarks else chain(self._blocks, still_open):
            # With a share above one half the elements that qualify are nested: the deepest
            # is the smallest. It must hold two blocks or more: one long paragraph is not the
            # content of a page whose other paragraphs are short.
            if (
                depth > deepest
                and counts[e] - counts[f] > 1
                and prefix[e] - prefix[f] >= _DENSEST_SHARE * prefix[-1]
            ):
                first, end, deepest = f, e, depth
        return [
            s
            for i, (s, (mask, _)) in enumerate(zip(segments, zones))
            if mask & _PAGE or (weights[i] and first <= i < end)
        ]

    def _pop(self) -> None:
        frame = self._stack.pop()
        self._open[frame[0]] -= 1
        if self._main_content and frame[4] < len(self._out.segments):
            self._blocks.append((frame[4], len(self._out.segments), len(self._stack)))

    def _copy_text(self, builder: SegmentBuilder, start: int, end: int) -> None:
        """Copy ``text[start:end]`` leaving out bare URLs."""
        text, base = self._text, self._base
        for m in BARE_URL.finditer(text, start, end):
            builder.copy(self._src, base + start, base + m.start())
            start = m.end()
        builder.copy(self._src, base + start, base + end)

    def _put_ref(self, builder: SegmentBuilder, start: int, end: int) -> None:
        raw = self._text[start:end]
        decoded = _html.unescape(raw)
        if decoded == raw or not decoded:
            builder.copy(self._src, self._base + start, self._base + end)
        else:
            for char in decoded:
                builder.put(char, self._base + start, self._base + end)

    def _attribute_segment(self, scope: str, start: int, end: int, mask: int) -> None:
        builder = SegmentBuilder(scope)
        for m in _ATTR_REF.finditer(self._text, start, end):
            self._copy_text(builder, start, m.start())
            self._put_ref(builder, m.start(), m.end())
            start = m.end()
        self._copy_text(builder, start, end)
        segment = builder.build()
        if segment is not None:
            self._out.segments.append(segment)
            if self._main_content:
                self._zones.append((mask, 0))

    # -- tags --------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dead:
            return
        if tag in _VOID:
            self._void(tag, attrs)
            return
        if tag in _BLOCK:
            self.flush()
            if self._stack and self._stack[-1][0] == "p":
                self._pop()
        siblings = _CLOSES_SIBLING.get(tag)
        while siblings and self._stack and self._stack[-1][0] in siblings:
            self._pop()
        self._push(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._dead:
            return
        if tag in _VOID:
            if tag == "br":  # browsers read a stray </br> as <br>
                self._void(tag, [])
            return
        if tag in _BLOCK:
            self.flush()
        if self._open.get(tag):
            while self._stack[-1][0] != tag:
                self._pop()
            self._pop()

    def _void(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pos = self.position()
        raw = self.get_starttag_text() or ""
        if not self._text.startswith(raw, pos):
            raw = ""  # an end tag (``</br>``) has no start tag text
        if tag == "br":
            if self._builder is not None and not self._skipping():
                end = self._text.find(">", pos)
                self._builder.put(
                    " ", self._base + pos, self._base + (end + 1 if end >= 0 else pos + 1)
                )
        elif tag == "hr":
            self.flush()
        elif tag == "img" and raw and not self._skipping():
            span = _attribute_spans(raw).get("alt")
            if span:
                mask = self._stack[-1][3] if self._stack else 0
                self._attribute_segment("alt_text", pos + span[0], pos + span[1], mask)
        elif tag == "meta" and raw:
            values = {name: (value or "") for name, value in attrs}
            if values.get("name", "").strip().lower() == "description":
                span = _attribute_spans(raw).get("content")
                if span:
                    self._attribute_segment("meta_description", pos + span[0], pos + span[1], _PAGE)

    # -- text --------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._dead or (data[0] == "<" and self._markup_as_text(data)):
            return
        if self._stack and self._stack[-1][2]:
            return
        if self._main_content and self._stack and self._stack[-1][3] & _LINK:
            self._link_chars += len(data)
        pos = self.position()
        if pos < self._junk_end:
            data = data[self._junk_end - pos :]
            pos = self._junk_end
            if not data:
                return
        if not self._text.startswith(data, pos):
            return  # position bookkeeping disagrees: drop rather than mis-map
        builder = self._builder or self._current()
        if "://" in data or "www." in data.lower():  # the URL regex is slow: only if needed
            self._copy_text(builder, pos, pos + len(data))
        else:
            builder.copy(self._src, self._base + pos, self._base + pos + len(data))

    def _markup_as_text(self, data: str) -> bool:
        """Handle text the parser hands over that is really broken markup; True if it was."""
        pos = self.position()
        if data.startswith("<!--"):
            short = _SHORT_COMMENT.match(self._text, pos)
            if short:  # "<!-->" is a whole (empty) comment for browsers
                self._out.comments.append(Comment("", self._base + pos, self._base + short.end()))
                self._junk_end = short.end()
                return True
            # An unterminated comment: browsers comment out the rest of the document, and
            # so do we.
            end = len(self._text)
            self._out.comments.append(
                Comment(self._text[pos + 4 : end].strip(), self._base + pos, self._base + end)
            )
            self._out.problems.append(
                MarkupProblem(self._base + pos, "comment starts with '<!--' but is never closed")
            )
            self._dead = True
            return True
        if len(data) > 1 or _TAG_START.match(self._text, pos):
            # A broken tag (``<p`` at the end, junk inside a tag) comes as text, sometimes
            # "<" alone and then the rest: it is markup, not prose, up to its end.
            end = _BROKEN_TAG_END.search(self._text, pos + 1)
            self._junk_end = end.start() if end else len(self._text)
            return True
        return False

    def handle_entityref(self, name: str) -> None:
        if self._skipping():
            return
        pos = self.position()
        end = pos + 1 + len(name)
        if self._text.startswith(";", end):
            end += 1
        self._put_ref(self._current(), pos, end)

    def handle_charref(self, name: str) -> None:
        if self._skipping():
            return
        pos = self.position()
        end = pos + 2 + len(name)
        if self._text.startswith(";", end):
            end += 1
        self._put_ref(self._current(), pos, end)

    def handle_comment(self, data: str) -> None:
        if self._dead:
            return
        pos = self.position()
        if not self._text.startswith("<!--", pos):
            return  # a bogus comment (``<!x>``, ``</ >``): markup noise, not a comment
        end = self._text.find(">", pos + 4 + len(data))
        end = end + 1 if end >= 0 else len(self._text)
        self._out.comments.append(Comment(data.strip(), self._base + pos, self._base + end))


def extract_html(text: str, base: int = 0, main_content: bool = False) -> Extraction:
    """Extract prose from HTML; ``base`` is added to every offset (for embedded HTML).

    With ``main_content`` only the page's main content is returned: navigation, the page's
    header and footer, sidebars, dialogs, consent banners and other boilerplate are left out
    (docs/main-content.md). What is kept are the segments extracted without it, offsets and
    all, but for boilerplate inside a sentence (a share link in a paragraph), whose text is
    cut out. The ``<title>`` and meta description stay: they are the page's own words.
    """
    out = Extraction()
    parser = _Parser(text, base, out, main_content)
    # Many small objects and no cycles: the cyclic collector's passes are pure overhead.
    collecting = gc.isenabled()
    gc.disable()
    try:
        start = 0
        for _ in range(_MAX_RESTARTS):
            try:
                parser.run_from(start)
                break
            except Exception as exc:
                # Skip the construct it choked on and carry on after it.
                at = max(parser.position(), start)
                start = max(text.find(">", at) + 1, at + 1)
                out.problems.append(
                    MarkupProblem(
                        base + at,
                        f"HTML markup not understood here ({type(exc).__name__}); skipped",
                    )
                )
        else:
            out.problems.append(
                MarkupProblem(base + start, "too much HTML not understood; the rest is not checked")
            )
    except Exception as exc:
        out.problems.append(
            MarkupProblem(
                base, f"HTML parser stopped ({type(exc).__name__}); the rest is not checked"
            )
        )
    finally:
        if collecting:
            gc.enable()
    parser.flush()
    if main_content:
        out.segments = parser.main_segments()
    out.segments.sort(key=lambda s: s.offsets.source_start(0))
    return out
