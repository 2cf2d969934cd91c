"""Markdown and HTML extractors: the offset invariant, and what users rely on being linted
(or never linted)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linter.markup import Extraction, Segment, extract
from linter.markup.html import extract_html
from linter.markup.markdown import extract_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "markup"
FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".md", ".html"))


def run(path_or_text: Path | str, fmt: str | None = None) -> tuple[str, Extraction]:
    if isinstance(path_or_text, Path):
        text = path_or_text.read_text(encoding="utf-8")
        fmt = "markdown" if path_or_text.suffix == ".md" else "html"
    else:
        text = path_or_text
    return text, extract(text, fmt or "markdown")


def assert_offsets(source: str, extraction: Extraction) -> None:
    """THE invariant: every segment character maps to its own source span."""
    for segment in extraction.segments:
        assert segment.text == segment.text.strip() and segment.text, repr(segment.text)
        offsets = segment.offsets
        previous = (-1, 0)
        for i, char in enumerate(segment.text):
            start, end = offsets.source_start(i), offsets.source_end(i)
            assert 0 <= start < end <= len(source), (segment.text, i, start, end)
            # Spans move forward; several characters decoded from one entity share a span.
            assert start >= previous[1] or (start, end) == previous, (segment.text, i)
            previous = (start, end)
            raw = source[start:end]
            if raw == char:
                continue  # copied verbatim
            if raw.startswith("&"):
                assert char in html.unescape(raw) or char == "\ufffd", (char, raw)
            elif char in " \n":
                # a line break read as a space (or a newline rebased onto "\r\n"), or <br>
                assert raw in ("\n", "\r\n", "\r") or raw.lower().startswith("<br"), (char, raw)
            else:
                raise AssertionError(f"{char!r} in {segment.text!r} maps to {raw!r}")
    for comment in extraction.comments:
        assert source.startswith("<!--", comment.start), source[comment.start : comment.end]
        assert comment.start < comment.end <= len(source)


def texts(extraction: Extraction, scope: str | None = None) -> list[str]:
    return [s.text for s in extraction.segments if scope is None or s.scope == scope]


def everything(extraction: Extraction) -> str:
    return "\n".join(texts(extraction))


def find(extraction: Extraction, needle: str) -> Segment:
    matches = [s for s in extraction.segments if needle in s.text]
    assert matches, f"{needle!r} not in {texts(extraction)}"
    return matches[0]


def source_of(segment: Segment, phrase: str) -> tuple[int, int]:
    at = segment.text.index(phrase)
    return segment.source_span(at, at + len(phrase))


# -- the offset invariant ------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_offsets(path: Path) -> None:
    source, extraction = run(path)
    assert extraction.segments
    assert_offsets(source, extraction)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_offsets_with_crlf(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    fmt = "markdown" if path.suffix == ".md" else "html"
    lf = extract(path.read_text(encoding="utf-8"), fmt)
    crlf = extract(text, fmt)
    assert_offsets(text, crlf)
    # Same prose apart from the line ends HTML keeps as they are.
    assert [t.replace("\r", "") for t in texts(crlf)] == texts(lf)


@pytest.mark.parametrize(
    ("source", "phrase", "raw"),
    [
        ("no side effects &amp; risks", "&", "&amp;"),
        ("it&#39;s safe", "'", "&#39;"),
        ("it&#x27;s safe", "'", "&#x27;"),
        ("safe&nbsp;care", "\u00a0", "&nbsp;"),
    ],
)
@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_entities_decode_and_map_to_their_source(
    fmt: str, source: str, phrase: str, raw: str
) -> None:
    text = source if fmt == "markdown" else f"<p>{source}</p>"
    extraction = extract(text, fmt)
    segment = extraction.segments[0]
    assert segment.text == html.unescape(source)
    start, end = source_of(segment, phrase)
    assert text[start:end] == raw
    assert_offsets(text, extraction)


# -- random documents -------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["safe", "no", "side", "effects", "hair", "scalp", "100%", "risk-free", "cure", "é", "—", "🙂"]
)
INLINE_PIECES = st.one_of(
    WORDS,
    WORDS.map(lambda w: f"*{w}*"),
    WORDS.map(lambda w: f"**{w}**"),
    WORDS.map(lambda w: f"_{w}_"),
    WORDS.map(lambda w: f"~~{w}~~"),
    WORDS.map(lambda w: f"`{w}`"),
    WORDS.map(lambda w: f"``a ` {w}``"),
    WORDS.map(lambda w: f'[{w}](https://x.example/{w} "t")'),
    WORDS.map(lambda w: f"[{w}][ref]"),
    WORDS.map(lambda w: f"[{w}]"),
    WORDS.map(lambda w: f"![{w} *alt*](i.png)"),
    WORDS.map(lambda w: f"[![{w}](i.png) link](<u v>)"),
    st.sampled_from(
        [
            "&amp;",
            "&#39;",
            "&#x27;",
            "&nbsp;",
            "&bogus;",
            "&",
            "\\*",
            "\\[",
            "\\\\",
            "\\a",
            "<https://auto.example>",
            "https://bare.example/x",
            "www.bare.example",
            # A word first: at the start of a line these would open a raw HTML block.
            "x <b>",
            "x </b>",
            "x <!-- note -->",
            "x <code>x</code>",
            "*",
            "_",
            "[",
            "]",
            "(",
            ")",
            "`",
            "<",
            ">",
            "!",
            "|",
            "\\|",
            "  \n",
            "\\\n",
            "\n",
            "\t",
        ]
    ),
)
INLINE = st.lists(INLINE_PIECES, min_size=1, max_size=12).map(" ".join)


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


def _indent(lines: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in lines.split("\n"))


BLOCK = st.deferred(
    lambda: st.one_of(
        INLINE,
        st.tuples(st.integers(1, 6), INLINE).map(
            lambda t: "#" * t[0] + " " + t[1].replace("\n", " ")
        ),
        INLINE.map(lambda s: s.replace("\n", " ") + "\n===="),
        st.tuples(st.sampled_from(["- ", "* ", "1. ", "2) "]), BLOCK).map(
            lambda t: t[0] + _indent(t[1], " " * len(t[0]))[len(t[0]) :]
        ),
        BLOCK.map(lambda b: _indent(b, "> ")),
        INLINE.map(lambda s: "```\n" + s + "\n```"),
        INLINE.map(lambda s: "    " + s.replace("\n", " ")),
        st.tuples(INLINE, INLINE).map(
            lambda t: f"| {_one_line(t[0])} | b |\n|---|---|\n| {_one_line(t[1])} | c |"
        ),
        # Markdown is not parsed inside an HTML block: plain words only.
        st.lists(WORDS, min_size=1, max_size=8).map(
            lambda w: "<div>\n<p>" + " ".join(w) + "</p>\n</div>"
        ),
        st.just('[ref]: https://ref.example "Ref"'),
    )
)
MARKDOWN = st.tuples(
    st.sampled_from(
        ["", "---\ntitle: Safe &amp; sound\ndescription: 'No risk'\n---\n", "---\ntitle: x\n"]
    ),
    st.lists(BLOCK, min_size=1, max_size=6).map("\n\n".join),
    st.booleans(),
).map(lambda t: (t[0] + t[1]).replace("\n", "\r\n") if t[2] else t[0] + t[1])


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(MARKDOWN)
def test_random_markdown_keeps_the_invariant(source: str) -> None:
    extraction = extract_markdown(source)
    assert_offsets(source, extraction)
    prose = everything(extraction)
    assert "x.example" not in prose and "auto.example" not in prose and "bare.example" not in prose
    assert "ref.example" not in prose and "i.png" not in prose


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(
        st.sampled_from(
            list("ab #*_[]()!`<>&;\\|-=~:/.\n\r\t>1") + ["&amp;", "<!--", "-->", "---\n"]
        )
    ).map("".join)
)
def test_random_markdown_characters_never_raise(source: str) -> None:
    assert_offsets(source, extract_markdown(source))


HTML_PIECES = st.one_of(
    WORDS,
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<b>",
            "</b>",
            "<li>",
            "<td>",
            "<h2>",
            "</h2>",
            "<br>",
            "<br/>",
            "<div>",
            "</div>",
            "<script>x<",
            "</script>",
            "<style>",
            "</style>",
            "<!-- c -->",
            "<!--",
            "-->",
            "&amp;",
            "&#39;",
            "&#x27;",
            "&copy",
            "&bogus;",
            "&#99999999;",
            "&",
            "<",
            ">",
            '<img alt="a &amp; b">',
            "<meta name=description content='safe &lt;3'>",
            "<title>",
            "</title>",
            "<p",
            "\n",
            "\r\n",
            " ",
            "<![CDATA[x]]>",
            "<?pi?>",
            "</ >",
        ]
    ),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(HTML_PIECES, max_size=40).map("".join), st.integers(0, 50))
def test_random_html_keeps_the_invariant(source: str, base: int) -> None:
    assert_offsets(source, extract_html(source))
    shifted = extract_html(source, base=base)
    padded = " " * base + source
    assert_offsets(padded, shifted)


# -- what users rely on: Markdown -------------------------------------------------------------


@pytest.fixture(scope="module")
def clinic_md() -> tuple[str, Extraction]:
    return run(FIXTURES / "clinic.md")


def test_markdown_code_never_appears(clinic_md) -> None:
    prose = everything(clinic_md[1])
    for marker in ("CODE_SAFE_FENCED", "CODE_SAFE_INDENTED", "safe_dose", "`"):
        assert marker not in prose
    assert "CODE_SAFE_INLINE" in prose  # plain text beside inline code is kept


def test_markdown_urls_and_link_destinations_never_appear(clinic_md) -> None:
    prose = everything(clinic_md[1])
    for marker in (
        "clinic.example.com",
        "https://",
        "www.",
        "before-after.jpg",
        "Guide to",
        "](",
        "Book now",
    ):
        assert marker not in prose
    assert "[" not in prose and "]" not in prose and "*" not in prose


def test_markdown_link_text_stays_in_its_sentence(clinic_md) -> None:
    source, extraction = clinic_md
    segment = find(extraction, "Read our full guide or")
    assert segment.scope == "paragraph"
    start, end = source_of(segment, "our full guide")
    assert source[start:end] == "our full guide"
    assert "consultation today." in find(extraction, "Ask about").text
    assert not texts(extraction, "link_text")


def test_markdown_alt_text_is_its_own_segment(clinic_md) -> None:
    source, extraction = clinic_md
    assert texts(extraction, "alt_text") == ["Before & after: thicker hair in 6 weeks"]
    segment = find(extraction, "thicker hair in 6 weeks")
    assert source[slice(*segment.source_span(0, 6))] == "Before"
    assert source[slice(*source_of(segment, "&"))] == "&amp;"


def test_markdown_front_matter_title_and_description(clinic_md) -> None:
    source, extraction = clinic_md
    assert texts(extraction, "front_matter") == [
        "Scalp mesotherapy: completely safe & painless",
        (
            "Our scalp mesotherapy is completely safe with no side effects"
            " and stops hair loss for good."
        ),
    ]
    prose = everything(extraction)
    assert "Dr. Example" not in prose and "service" not in prose and "author" not in prose
    title = texts(extraction, "front_matter")[0]
    segment = find(extraction, title)
    assert source[slice(*segment.source_span(0, len(title)))] == title  # inside the quotes


def test_markdown_wrapped_phrase_reads_with_one_space(clinic_md) -> None:
    source, extraction = clinic_md
    segment = find(extraction, "no side effects.")
    start, end = source_of(segment, "no side effects")
    assert source[start:end] == "no side\neffects"
    for hard in ("our consultation today. A hard break", "together. So do"):
        assert hard in everything(extraction)


def test_markdown_scopes(clinic_md) -> None:
    extraction = clinic_md[1]
    assert texts(extraction, "heading") == [
        "Hair mesotherapy at Example Clinic",
        "Why patients choose us",
        "Setext heading: results you can see",
    ]
    assert "Clinically proven to regrow hair in every patient" in texts(extraction, "list_item")
    assert "Vitamins & amino acids" in texts(extraction, "list_item")
    assert texts(extraction, "blockquote") == [
        "Mesotherapy cured my hair loss completely. It was 100% risk-free. — A happy patient"
    ]
    assert texts(extraction, "table_cell") == [
        "Treatment",
        "Claim",
        "Scalp mesotherapy",
        "Stops hair loss | for good",
        "PRP",
        "No side effects",
    ]
    assert "Our team will tailor the treatment — it is suitable for everyone." in texts(
        extraction, "paragraph"
    )


def test_markdown_comments_have_exact_spans(clinic_md) -> None:
    source, extraction = clinic_md
    assert [c.text for c in extraction.comments] == [
        "claimsafe: disable-next-line guarantee",
        "reviewed by marketing",
    ]
    for comment in extraction.comments:
        raw = source[comment.start : comment.end]
        assert raw.startswith("<!--") and raw.endswith("-->") and comment.text in raw
    assert "claimsafe" not in everything(extraction)


def test_markdown_comment_inside_code_is_not_a_comment() -> None:
    extraction = extract_markdown("```\n<!-- claimsafe: disable -->\n```\n\n`<!-- x -->` text\n")
    assert extraction.comments == []


def test_markdown_html_block_inside_blockquote_maps_to_the_source() -> None:
    source = "> <p>Completely safe\n> and painless &amp; quick</p>\n"
    extraction = extract_markdown(source)
    assert_offsets(source, extraction)
    segment = find(extraction, "painless")
    assert segment.text == "Completely safe\nand painless & quick"
    assert source[slice(*source_of(segment, "painless"))] == "painless"


def test_unterminated_front_matter_is_a_problem_and_the_body_is_read() -> None:
    _, extraction = run(FIXTURES / "unterminated_front_matter.md")
    assert [(p.offset, p.message) for p in extraction.problems] == [
        (0, "front matter starts with '---' but is never closed; read as Markdown")
    ]
    assert "Our scalp mesotherapy is completely safe with no side effects." in texts(extraction)
    assert not texts(extraction, "front_matter")


def test_front_matter_keeps_body_offsets() -> None:
    source = "---\ntitle: Safe\n---\nNo *side* effects.\n"
    extraction = extract_markdown(source)
    segment = find(extraction, "No side effects.")
    assert source[slice(*source_of(segment, "effects"))] == "effects"
    assert texts(extraction, "front_matter") == ["Safe"]


def test_deeply_nested_lists_do_not_raise() -> None:
    source = "".join("  " * i + f"- level {i} is safe\n" for i in range(500))
    extraction = extract_markdown(source)
    assert_offsets(source, extraction)
    assert "level 0 is safe" in texts(extraction, "list_item")
    assert "level 20 is safe" in texts(extraction, "list_item")
    assert any("nested" in p.message for p in extraction.problems)
    quotes = "> " * 500 + "deep\n"
    assert_offsets(quotes, extract_markdown(quotes))


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n",
        "---",
        "---\n",
        "-",
        "#",
        "> ",
        "``",
        "[",
        "![",
        "<!--",
        "&",
        "\\",
        "|a|\n|-|",
        "\ufeff",
        "* * *",
        "\xa0\nsafe",
        "a\x00b",
        "\r",
        "\t- a\n\t\tb",
    ],
    ids=repr,
)
def test_markdown_edge_inputs_do_not_raise(source: str) -> None:
    assert_offsets(source, extract_markdown(source))


# -- what users rely on: HTML -----------------------------------------------------------------


@pytest.fixture(scope="module")
def clinic_html() -> tuple[str, Extraction]:
    return run(FIXTURES / "clinic.html")


def test_html_hidden_content_never_appears(clinic_html) -> None:
    prose = everything(clinic_html[1])
    for marker in (
        "SCRIPT_SAFE",
        "STYLE_SAFE",
        "NOSCRIPT_SAFE",
        "TEMPLATE_SAFE",
        "CODE_SAFE",
        "PRE_SAFE",
        "KEYWORDS_SAFE",
        "clinic.example.com",
        "claimsafe",
        "<",
        ">",
    ):
        assert marker not in prose


def test_html_title_meta_and_alt(clinic_html) -> None:
    source, extraction = clinic_html
    assert texts(extraction, "title") == ["Scalp Mesotherapy & Hair Loss | Example Clinic"]
    assert texts(extraction, "meta_description") == [
        "Our scalp mesotherapy is completely safe & has no side effects."
    ]
    assert texts(extraction, "alt_text") == ["Before & after: thicker hair in 6 weeks"]
    meta = find(extraction, "has no side effects")
    assert source[slice(*source_of(meta, "completely safe"))] == "completely safe"
    assert source[slice(*source_of(meta, "&"))] == "&amp;"


def test_html_blocks_scopes_and_inline_elements(clinic_html) -> None:
    source, extraction = clinic_html
    assert texts(extraction, "heading") == ["Hair mesotherapy that works"]
    assert texts(extraction, "list_item") == [
        "Painless treatment",
        "Clinically proven — 100% natural",
    ]
    assert texts(extraction, "blockquote") == ["It cured my hair loss completely."]
    assert texts(extraction, "table_cell") == [
        "Treatment",
        "Claim",
        "Scalp mesotherapy",
        "Stops hair loss for good",
    ]
    segment = find(extraction, "completely safe with no side")
    assert segment.scope == "paragraph"
    assert segment.text.endswith("Results are guaranteed.")  # link text stays in the sentence
    start, end = source_of(segment, "effects & risks")
    assert source[start:end] == "effects &amp; risks"
    assert "Book now. No downtime, no pain." in texts(extraction)  # <br> reads as a space
    assert "Call us on  or see  today." in texts(extraction)


def test_html_comments_have_exact_spans(clinic_html) -> None:
    source, extraction = clinic_html
    assert [c.text for c in extraction.comments] == ["claimsafe: disable guarantee"]
    comment = extraction.comments[0]
    assert source[comment.start : comment.end] == "<!-- claimsafe: disable guarantee -->"


def test_html_base_shifts_every_offset() -> None:
    fragment = "<p>safe &amp; sound</p><!-- c -->"
    plain, shifted = extract_html(fragment), extract_html(fragment, base=100)
    a, b = plain.segments[0], shifted.segments[0]
    assert a.text == b.text == "safe & sound"
    for i in range(len(a.text)):
        assert b.offsets.source_start(i) == a.offsets.source_start(i) + 100
        assert b.offsets.source_end(i) == a.offsets.source_end(i) + 100
    assert shifted.comments[0].start == plain.comments[0].start + 100


def test_malformed_html_does_not_raise() -> None:
    source, extraction = run(FIXTURES / "malformed.html")
    assert_offsets(source, extraction)
    prose = everything(extraction)
    assert "completely safe" in prose and "No side effects" in prose and "for good" in prose
    assert "hidden" not in prose and "<" not in prose
    assert any("never closed" in p.message for p in extraction.problems)


@pytest.mark.parametrize(
    "source",
    [
        "",
        "<",
        "<p",
        "</div>",
        "<p>safe",
        "<!--",
        "<script>never closed",
        "&",
        "&#",
        "&#x;",
        "<div>" * 2000 + "deep" + "</span>" * 10,
        "<a href='x>safe</a>",
        "<![CDATA[safe",
        "<!DOCTYPE",
        "<![ junk <p>after",
    ],
    ids=lambda s: repr(s[:30]),
)
def test_html_edge_inputs_do_not_raise(source: str) -> None:
    assert_offsets(source, extract_html(source))


def test_html_inside_markdown_is_linted_with_document_offsets(clinic_md) -> None:
    source, extraction = clinic_md
    segment = find(extraction, "tailor the treatment")
    start, end = source_of(segment, "tailor")
    assert source[start:end] == "tailor"
    assert source[slice(*source_of(segment, "—"))] == "&mdash;"


# -- size -------------------------------------------------------------------------------------


def test_large_documents_extract() -> None:
    unit = "Our scalp mesotherapy is *completely safe* with no side\neffects &amp; [risks](/r).\n\n"
    source = unit * (1_000_000 // len(unit))
    extraction = extract_markdown(source)
    assert len(extraction.segments) == source.count("\n\n")
    page = "<p>" + unit.replace("\n\n", "</p>\n<p>") * (1_000_000 // len(unit))
    assert len(extract_html(page).segments) >= 1_000_000 // len(unit)


def test_html_the_parser_chokes_on_is_skipped_not_fatal() -> None:
    source = "<p>Completely safe.</p><![ junk <p>No side effects.</p>"
    extraction = extract_html(source)
    assert texts(extraction) == ["Completely safe.", "No side effects."]
    assert [p.offset for p in extraction.problems] and "skipped" in extraction.problems[0].message
