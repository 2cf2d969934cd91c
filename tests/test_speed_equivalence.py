"""The speed mechanisms must give exactly what the slower code they replace gave.

Each faster path is compared with the plain one on deliberately awkward input: the
sentence starts set with arrays (spaCy's sentencizer), the Markdown parsers without the
rules a document cannot use and without inline parsing of plain content (markdown-it's
stock parser), the context patterns (spaCy's Matcher), the literal-phrase scan (the
regular expression alternation), the factored quantity expression (the plain one), the
quantity reader's tries at candidate starts only (a scan of the whole window), the context
tests on token columns (a walk over the sentence's Tokens), the one-test token specs (the
loop over a spec's tests), the walk over one-token specs (a call per token), the bucketed
word lookup (the binary search alone), the lazy lexeme flags (``Doc.to_array``) and the
sentence read around a finding (a walk over every character).
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
    from linter.factcheck import Text, _Literals

    phrases = ["side effect", "risk", "is", "sſ", "£ off", "pregnan", "x", "a b", "éx", "key"]
    items = [(p, rf"\b{re.escape(p)}\b") for p in phrases]
    items += [("not rec", re.escape("not rec")), ("b-", re.escape("b-"))]  # no boundaries
    literals = _Literals(items, "|".join(s for _, s in items), flags)
    regex = re.compile(literals.pattern, flags)
    pieces = ["side", " ", "effect", "RISK", "risks", "is", "ſ", "ı", "İ", "s", "£", "off"]
    pieces += ["Pregnancy", "x", "X", "a", "b", "\n", "-", "é", "É", "_", "2", "\u212aey"]
    pieces += ["can", "not", "rec", "KEY", "İx"]
    texts = _texts(3000, 4, pieces=pieces, length=12) + ["ss", "a SS", "İx", "xİ x", "\u212aey"]
    for text in texts:
        expected = bool(regex.search(text))
        assert literals.search(text) == expected, repr(text)
        # A Text (lower-cased and checked for folding traps once, for many word lists).
        assert literals.search(Text(text)) == expected, repr(text)
    chunks = [texts[i : i + 5] for i in range(0, 200, 5)]
    for chunk in chunks:
        expected = [bool(regex.search(t)) for t in chunk]
        assert literals.search_each(chunk) == expected
        assert literals.search_each(chunk, Text("\n".join(chunk))) == expected


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


def test_quantity_at_a_position_is_the_scans():
    """``_containing`` tries only where a quantity can start and stops at the position: the
    match of a whole-window ``finditer`` that holds it, groups included."""
    from linter import factcheck

    pieces = [*factcheck.NUMBER_WORDS, *factcheck.ORDINALS, *factcheck.UNITS, "3", "12.5"]
    pieces += ["1975", "between", "the", "to", "-", "–", "—", "and a half", "times", "per"]
    pieces += ["year", "'s", " ", " ", "  ", "ſix", "ONE", "Hours", "x", "full", "often", "a"]
    pieces += [",", ".", "\n", "é", "İ", "sessions two", "first", "2nd", "someone", "4"]
    for text in _texts(2000, 8, pieces=pieces, length=12):
        matches = list(factcheck._QUANTITY.finditer(text))
        for at in range(len(text)):
            expected = [(m.span(), m.groupdict()) for m in matches if m.start() <= at < m.end()]
            m = factcheck._containing(text, at)
            got = [(m.span(), m.groupdict())] if m else []
            assert got == expected, (text, at)


def _testimonial_marked_plain(sent) -> bool:
    """The token part of ``_Claim.testimonial_marked``, walking every Token."""
    from linter.context import _DASHES

    tokens = [t for t in sent if not t.is_space and not t.is_quote]
    if tokens and tokens[0].text in {"I", "My", "I'm", "I've", "I'd"}:
        return True
    tail = range(max(0, len(tokens) - 6), len(tokens) - 1)
    return any(tokens[i].text in _DASHES and tokens[i + 1].is_title for i in tail)


def _quoted_plain(sent, start: int) -> bool:
    from linter.context import _QUOTES_CLOSE, _QUOTES_OPEN

    opened = False
    for token in sent.doc[sent.start : start]:
        if token.text in _QUOTES_OPEN and not (opened and token.text in _QUOTES_CLOSE):
            opened = True
        elif token.text in _QUOTES_CLOSE:
            opened = False
    return opened


def test_context_token_tests_match_the_token_walk(engine):
    from linter.checks import _Sentences
    from linter.context import Cues

    context, pipeline = engine.matcher.context, engine.matcher.pipeline
    words = ["I", "My", "I'm", "i", "my", "Priya", "PRIYA", "34", "—", "–", "-", "―", '"', "“"]
    words += ["”", "«", "»", "‘", "’", "'", "„", "cured", "it", "no", ".", "!", "?", ",", "\n"]
    words += ["  ", "\t", "Dr", "Smith", "says"]
    for text in _texts(1500, 10, pieces=[w + " " for w in words] + words, length=25):
        doc = pipeline.sentences(pipeline.nlp.make_doc(text))
        sentences = _Sentences(doc)
        for first in sentences._starts:
            sent = doc[slice(*sentences.around(first))]
            for start in range(sent.start, sent.end):
                claim = context.claim(sent, Cues({}), start, start + 1)
                assert claim.testimonial_marked == _testimonial_marked_plain(sent), repr(text)
                assert claim.quoted == _quoted_plain(sent, start), repr(text)


def test_claim_offsets_from_token_columns(engine):
    from linter.patterns import TokenArrays

    pipeline = engine.matcher.pipeline
    for text in _texts(500, 11, length=30):
        doc = pipeline.nlp.make_doc(text)
        lists = TokenArrays.of(doc, ("IDX", "LENGTH")).lists
        assert [(i, i + n) for i, n in zip(lists["IDX"], lists["LENGTH"])] == [
            (t.idx, t.idx + len(t.text)) for t in doc
        ], repr(text)


def test_one_test_specs_hold_like_the_loop(engine):
    from linter.patterns import TokenArrays, _Spec

    matcher = engine.matcher
    specs = [
        spec
        for patterns in (matcher._tokens, matcher.context._patterns)
        for _, pattern in patterns.patterns
        for spec in pattern.specs
    ]
    assert any("holds" in vars(spec) for spec in specs)  # the fast path is used
    pipeline = matcher.pipeline
    text = " ".join(_texts(200, 12, pieces=[w + " " for w in CLAIMS] + PIECES, length=20))
    doc = pipeline.sentences(pipeline.nlp.make_doc(text))
    arrays = TokenArrays.of(doc)
    for spec in specs:
        for i in range(len(doc)):
            assert spec.holds(arrays.lists, i, arrays.strings) == _Spec.holds(
                spec, arrays.lists, i, arrays.strings
            )


def test_bucketed_lookup_finds_what_the_binary_search_finds():
    import numpy as np

    from linter.patterns import _buckets, _lookup

    rng = np.random.default_rng(13)
    for size in (1, 2, 7, 100, 3000):
        keys = np.unique(rng.integers(0, 2**64 - 1, size, dtype=np.uint64))
        # Tokens: keys, non-keys sharing a key's low 16 bits, other values, 0 and the maximum.
        twins = keys ^ np.uint64(1 << 40)
        others = rng.integers(0, 2**64 - 1, 500, dtype=np.uint64)
        pool = np.concatenate([keys, twins, others, np.array([0, 2**64 - 1], dtype=np.uint64)])
        col = pool[rng.integers(0, len(pool), 5000)]
        fast, plain = _lookup(col, keys, _buckets(keys)), _lookup(col, keys)
        assert fast[0].tolist() == plain[0].tolist() and fast[1].tolist() == plain[1].tolist()
        assert len(plain[0])  # some tokens hold keys


def test_lazy_flags_are_the_doc_arrays(engine):
    from spacy import attrs

    from linter.patterns import LAZY_FLAGS, TokenArrays

    pipeline = engine.matcher.pipeline
    for text in _texts(300, 14, pieces=PIECES + [w + " " for w in CLAIMS], length=30):
        doc = pipeline.nlp.make_doc(text)
        for name in LAZY_FLAGS:
            expected = doc.to_array([getattr(attrs, name)]).reshape(-1).tolist()
            arrays = TokenArrays(doc)
            assert name not in dict(arrays.columns)  # not read with the others
            assert [arrays.lists[name][i] for i in range(len(doc))] == expected, repr(text)
            assert arrays.lists[name][:] == expected
            assert arrays.columns[name].tolist() == expected
            assert TokenArrays(doc).columns[name].tolist() == expected


def _match_plain(pattern, k: int, pos: int, lists, limit: int, strings) -> int:
    """``TokenPattern._match`` as it was: one call per token spec."""
    specs = pattern.specs
    if k == len(specs):
        return pos
    spec = specs[k]
    stops = [pos] if spec.low == 0 else []
    count = 0
    taken = pos
    while count < spec.high and taken < limit and spec.holds(lists, taken, strings):
        taken += 1
        count += 1
        if count >= spec.low:
            stops.append(taken)
    for stop in reversed(stops):
        end = _match_plain(pattern, k + 1, stop, lists, limit, strings)
        if end != -1:
            return end
    return -1


def test_longest_match_walks_single_tokens_like_the_recursion(engine):
    from linter.patterns import TokenArrays

    matcher = engine.matcher
    patterns = [p for ps in (matcher._tokens, matcher.context._patterns) for _, p in ps.patterns]
    pipeline = matcher.pipeline
    rng = random.Random(15)
    words = [w for text in CLAIMS for w in text.split()] + ["no", "not", "hair", "loss", "100%"]
    texts = _texts(100, 15, pieces=[w + " " for w in CLAIMS + words] + PIECES, length=40)
    for text in texts:
        doc = pipeline.sentences(pipeline.nlp.make_doc(text))
        arrays = TokenArrays.of(doc)
        lists, strings, ends = arrays.lists, arrays.strings, arrays.sentence_ends()
        for pattern in patterns:
            for start in rng.sample(range(len(doc)), min(len(doc), 8)):
                for k in range(len(pattern.specs) + 1):
                    got = pattern._match(k, start, lists, ends[start], strings)
                    assert got == _match_plain(pattern, k, start, lists, ends[start], strings)


def _sentence_walk(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, one character at a time (the reference)."""
    from linter.documents import _BLOCK_START, CONTEXT_REACH

    lo, floor = start, max(0, start - CONTEXT_REACH)
    while lo > floor:
        ch = text[lo - 1]
        if ch in "<>" or ch in ".!?" and lo < len(text) and text[lo].isspace():
            break
        if ch == "\n":
            previous = text.rfind("\n", 0, lo - 1) + 1
            if not text[previous : lo - 1].strip() or _BLOCK_START.match(text, lo):
                break
        lo -= 1
    hi, ceiling = end, min(len(text), end + CONTEXT_REACH)
    while hi < ceiling:
        ch = text[hi]
        if ch in "<>":
            break
        if ch in ".!?" and (hi + 1 >= len(text) or text[hi + 1].isspace()):
            hi += 1
            break
        if ch == "\n":
            following = text.find("\n", hi + 1)
            line = text[hi + 1 : following if following != -1 else len(text)]
            if not line.strip() or _BLOCK_START.match(line):
                break
        hi += 1
    return text[lo:hi].strip()


def test_sentence_around_a_finding_is_the_character_walks():
    from linter.documents import sentence

    pieces = ["Safe", " ", "no side effects", ".", "!", "?", "\n", "\n\n", "- ", "# ", "1. "]
    pieces += ["<b>", ">", "  ", "\t", "e.g.", "x" * 90, "| a |", "2) ", "…"]
    for text in _texts(3000, 7, pieces=pieces, length=30):
        rng = random.Random(len(text))
        for _ in range(3):
            start = rng.randint(0, len(text))
            end = rng.randint(start, min(len(text), start + 20))
            assert sentence(text, start, end) == _sentence_walk(text, start, end), repr(text)
