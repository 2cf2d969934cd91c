"""The speed mechanisms must give exactly what the slower code they replace gave.

Each faster path is compared with the plain one on deliberately awkward input: the
sentence starts set with arrays (spaCy's sentencizer), the Markdown parsers without the
rules a document cannot use and without inline parsing of plain content (markdown-it's
stock parser), the context patterns (spaCy's Matcher), the literal-phrase scan (the
regular expression alternation) and the factored quantity expression (the plain one).
"""

from __future__ import annotations

import gc
import random
import re

import pytest

from linter.markup.markdown import _MAX_NESTING, _markdown_it

# Markdown and prose pieces that exercise every rule, entity, escape and line ending.
PIECES = [
    "a", "b c", " ", "  ", "    ", "\t", "\n", "\n\n", "#", "# ", ">", "> ", "-", "- ",
    "*", "_", "1.", "1) ", "[", "]", "(", ")", "![", "!", "<", "&", "&amp;", "&#35;",
    "\\", "`", "```", "~", "~~", "~~~", "|", "| a |", "|---|", ":", "=", "===", "---",
    "http://x.y", "<!-- c -->", "<div>", "</div>", "[x]: /u", "\0", "\r\n", "\r", "é",
    "“", "ſ", "ı", "İ", "?", ".", "!", "Dr.", "et al.", "…", "。",
]  # fmt: skip


def _texts(n: int, seed: int, pieces=PIECES, length: int = 25) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, length))) for _ in range(n)]


def _dump(tokens) -> list:
    return [
        (t.type, t.tag, t.nesting, t.map, t.level, t.content, t.markup, t.info, dict(t.attrs))
        + (t.block, t.hidden, t.meta, None if t.children is None else _dump(t.children))
        for t in tokens
    ]


def test_markdown_parsers_give_the_stock_tokens():
    from markdown_it import MarkdownIt

    stock = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    stock.options["maxNesting"] = _MAX_NESTING
    stock.normalizeLink = lambda url: url
    for text in _texts(3000, 1):
        assert _dump(_markdown_it(text).parse(text)) == _dump(stock.parse(text)), repr(text)


def test_sentence_starts_are_the_sentencizers(engine):
    from spacy.attrs import SENT_START

    pipeline = engine.matcher.pipeline
    for text in _texts(3000, 2, length=30):
        expected = pipeline.nlp(text).to_array([SENT_START]).tolist()
        got = pipeline.sentences(pipeline.nlp.make_doc(text)).to_array([SENT_START]).tolist()
        assert got == expected, repr(text)


def test_context_patterns_match_like_spacys_matcher(engine):
    from spacy.matcher import Matcher

    from linter.checks import _Sentences

    context, pipeline = engine.matcher.context, engine.matcher.pipeline
    matcher = Matcher(pipeline.vocab)
    for label in ("DISCLAIMER", "CITATION"):
        matcher.add(label, context.data[label.lower()]["patterns"])
    words = (
        "not intended intend to treat disease conditions fda mhra has have been evaluated "
        "by the food myth : - — misconception [ 1 ] 12 et al. al doi ( ) 2019 Smith "
        "published in journal pubmed randomised placebo . ! ? , cure is a"
    ).split() + ["\n\n"]
    strings = pipeline.vocab.strings
    for text in _texts(1500, 3, pieces=[w + " " for w in words], length=30):
        doc = pipeline.sentences(pipeline.nlp.make_doc(text))
        found = context._patterns(doc, every=True)
        sentences = _Sentences(doc)
        for first in sentences._starts:
            sent = doc[slice(*sentences.around(first))]
            expected = {(strings[m], sent.start + s, sent.start + e) for m, s, e in matcher(sent)}
            got = {(label, s, e) for label, s, e in found if sent.start <= s < sent.end}
            assert got == expected, repr(sent.text)


@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_literal_scan_answers_like_the_alternation(flags):
    from linter.factcheck import _Literals

    phrases = ["side effect", "risk", "is", "sſ", "£ off", "pregnan", "x", "a b"]
    items = [(p, rf"\b{re.escape(p)}\b") for p in phrases]
    literals = _Literals(items, "|".join(s for _, s in items), flags)
    regex = re.compile(literals.pattern, flags)
    pieces = ["side", " ", "effect", "RISK", "risks", "is", "ſ", "ı", "İ", "s", "£", "off"]
    pieces += ["Pregnancy", "x", "X", "a", "b", "\n", "-", "é"]
    texts = _texts(3000, 4, pieces=pieces, length=12)
    for text in texts:
        assert literals.search(text) == bool(regex.search(text)), repr(text)
    chunks = [texts[i : i + 5] for i in range(0, 200, 5)]
    for chunk in chunks:
        assert literals.search_each(chunk) == [bool(regex.search(t)) for t in chunk]


def test_factored_quantity_expression_matches_the_plain_one():
    from linter import factcheck

    words = sorted((re.escape(w) for w in factcheck.NUMBER_WORDS), key=len, reverse=True)
    plain_num = r"(?:\d+(?:\.\d+)?|" + "|".join(words) + ")"
    units = sorted((u for u in factcheck.UNITS if "-" not in u), key=len, reverse=True)
    plain_unit = "(?:" + "|".join(re.escape(u) for u in units) + ")"
    plain = factcheck._QUANTITY.pattern
    plain = plain[plain.index("(?:") + 3 : -1]  # without the first-character lookahead
    plain = plain.replace(factcheck._NUM, plain_num).replace(factcheck._UNIT, plain_unit)
    plain = plain.replace(
        factcheck._alternation(list(factcheck.ORDINALS)), "|".join(factcheck.ORDINALS)
    )
    plain_regex = re.compile(plain, re.IGNORECASE)
    pieces = [*factcheck.NUMBER_WORDS, *factcheck.ORDINALS, *units, "3", "12.5", "1975"]
    pieces += ["between", "the", "to", "-", "–", "and a half", "times", "per", "year", "'s"]
    pieces += [" ", " ", "  ", "ſix", "ONE", "Hours", "x", "full"]
    for text in _texts(3000, 5, pieces=pieces, length=10):
        got = [(m.span(), m.groupdict()) for m in factcheck._QUANTITY.finditer(text)]
        expected = [(m.span(), m.groupdict()) for m in plain_regex.finditer(text)]
        assert got == expected, repr(text)


def test_lasting_restores_the_collector():
    from linter.nlp import lasting

    assert gc.isenabled()
    with lasting():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with lasting():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_line_table_matches_the_line_break_scan():
    from linter.markup.markdown import _LINE_BREAK, _Lines

    for text in ["", "\n", "a\n", "\na", "a\r\nb\rc\n"] + _texts(3000, 6, length=12):
        starts, ends = [0], []
        for m in _LINE_BREAK.finditer(text):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(text))
        lines = _Lines(text)
        assert (lines.starts, lines.ends) == (starts, ends), repr(text)


# Copy that fires rules, fact checks and context cues, with punctuation that the
# sentencizer treats specially at the edge of a document.
CLAIMS = [
    "No side effects.", "Guaranteed results!", "completely painless", "clinically proven",
    "It stops hair loss for good.", "95% of patients", "FDA approved", "the UK's No. 1 clinic",
    "Each session takes 4 hours.", "needles go 10 mm deep", "results in two days",
    "is not risk-free", "we cannot guarantee results", '"', "“", "”", "(", ")", "—", " — Priya, 34",
    "Not suitable during pregnancy.", "mesotherapy", "Dr. Smith et al. (2020) found",
    "<!-- claimsafe: ignore CS101 -- reason -->", "? ", "!", "...", "2", "two", "hours",
    "sessions take", "weeks",
]  # fmt: skip


def test_documents_sharing_a_doc_give_their_own_findings(engine):
    """Documents linted together (small ones share a spaCy Doc) get exactly the findings
    each gets alone, context and sentence included."""
    from linter.documents import Document

    pieces = PIECES + CLAIMS * 3
    texts = _texts(400, 7, pieces=pieces, length=40) + ["", "   ", "- a\n", "> “x”"]
    documents = [Document(f"d{i}.md", t, "markdown") for i, t in enumerate(texts)]

    def full(findings):
        return [(f, f.context, f.sentence) for f in findings]

    alone = [full(engine.lint_document(d)) for d in documents]
    together = [full(f) for f in engine.lint_documents(documents)]
    assert together == alone
    assert sum(map(len, alone)) > 100  # the copy really fires rules
