"""Stage 6b of the pipeline: copy checked against the fact base.

Two kinds of rule check, both declared in rule YAML (``check:``) and both answered from
the facts' data, so a new treatment needs no code:

* ``quantity``: factual statements with numbers ("sessions take two hours", "needles go
  10 mm deep", "first used in 1975", "results from the first session") are read by one
  quantity reader (digits, number words, ranges, "half an hour", ordinals, decades, unit
  words) and compared with the typed values of the facts for that quantity. A value whose
  ``condition`` words appear in the sentence ("after pregnancy") takes precedence. A
  statement the facts support does not fire; one outside every applicable range (with
  the rule's tolerance) is a ``contradiction``.
* ``disclosure`` (document level): copy that promotes a treatment of the fact base must
  mention its key contraindications or risks; see :class:`DisclosureCheck`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from linter.checks import Hit, downgrade
from linter.factbase import Fact, FactBase, Value
from linter.patterns import TokenArrays
from linter.yamlutil import load_yaml

if TYPE_CHECKING:
    from linter.context import ContextDetector
    from linter.markup import Segment
    from linter.nlp import Analysis
    from linter.rulebook import Rule

# Unit words in copy and in facts: (family, factor to the family's base unit).
UNITS = {
    "minute": ("duration", 1),
    "minutes": ("duration", 1),
    "min": ("duration", 1),
    "mins": ("duration", 1),
    "hour": ("duration", 60),
    "hours": ("duration", 60),
    "hr": ("duration", 60),
    "hrs": ("duration", 60),
    "day": ("duration", 1440),
    "days": ("duration", 1440),
    "week": ("duration", 10080),
    "weeks": ("duration", 10080),
    "month": ("duration", 43200),
    "months": ("duration", 43200),
    "year": ("duration", 525600),
    "years": ("duration", 525600),
    "millimetre": ("length", 1),
    "millimetres": ("length", 1),
    "millimeter": ("length", 1),
    "millimeters": ("length", 1),
    "mm": ("length", 1),
    "centimetre": ("length", 10),
    "centimetres": ("length", 10),
    "centimeter": ("length", 10),
    "centimeters": ("length", 10),
    "cm": ("length", 10),
    "session": ("session", 1),
    "sessions": ("session", 1),
    "treatment": ("session", 1),
    "treatments": ("session", 1),
    "visit": ("session", 1),
    "visits": ("session", 1),
    "injection": ("injection", 1),
    "injections": ("injection", 1),
    "per-year": ("per-year", 1),
    "calendar-year": ("calendar-year", 1),
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "a couple of": 2,
    "couple of": 2,
    "half an": 0.5,
    "half a": 0.5,
    "a few": 3,
}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
# How far (in characters) from the number a rule's `near` words may stand.
NEAR_BEFORE, NEAR_AFTER = 48, 40


def _alternation(words: list[str]) -> str:
    """Literal words as one alternation, factored by first letter: Python's engine tries
    every branch in turn, so ``t(?:welve|wo)`` fails in one step where ``twelve|two``
    takes two. Branches keep their order within a letter, and (for ASCII words) no
    character matches two first letters, so it matches exactly what the plain
    alternation matches."""
    if not all(w and w.isascii() for w in words):
        return "|".join(re.escape(w) for w in words)
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(word)
    return "|".join(
        re.escape(group[0])
        if len(group) == 1
        else re.escape(first) + "(?:" + "|".join(re.escape(w[1:]) for w in group) + ")"
        for first, group in groups.items()
    )


# Longest first (as escaped), so "forty-five" is not read as "forty".
_NUM = (
    r"(?:\d+(?:\.\d+)?|"
    + _alternation(sorted(NUMBER_WORDS, key=lambda w: len(re.escape(w)), reverse=True))
    + ")"
)
_UNIT = (
    "(?:" + _alternation(sorted((u for u in UNITS if "-" not in u), key=len, reverse=True)) + ")"
)
# Every match starts with a digit or with the first letter of one of these words: a
# lookahead for that one character spares trying every branch at every other position.
_FIRST = [*NUMBER_WORDS, *ORDINALS, "between", "the", "session", "treatment"]
_FIRST_CHARS = r"[\d" + re.escape("".join(sorted({w[0].lower() for w in _FIRST}))) + "]"
_QUANTITY = re.compile(
    "(?=" + _FIRST_CHARS + ")(?:"
    rf"\b(?:between\s+)?(?P<a>{_NUM})(?:\s*(?:-|–|—|to|and|or)\s*(?P<b>{_NUM}))?(?P<half>\s+and\s+a\s+half)?"
    rf"\s*-?\s*(?:(?:full|whole|good|entire)\s+)?(?P<unit>{_UNIT})\b(?P<half2>\s+and\s+a\s+half)?"
    rf"|\b(?P<a2>{_NUM})(?:\s*(?:-|–|to|or)\s*(?P<b2>{_NUM}))?\s+(?:times?\s+)?(?:a|per|each)\s+year\b"
    r"|\b(?:the\s+)?(?P<ord>"
    + _alternation(list(ORDINALS))
    + r"|\d+(?:st|nd|rd|th))\s+(?P<ounit>session|treatment|visit|appointment)\b"
    r"|\b(?P<ounit2>session|treatment)\s+(?P<ord2>one|two|three|four|five|\d+)\b"
    r"|\b(?P<year>1[89]\d\d|20\d\d)(?P<decade>'?s)?\b)",
    re.IGNORECASE,
)
# Where a quantity can start: every branch of _QUANTITY opens with a word boundary and
# then a digit or one of the _FIRST words ("between", a number word, "the", an ordinal,
# "session", "treatment"), so it can match nowhere else. Positions found with this (a scan
# in C) are the only ones worth trying.
_STARTS = re.compile(
    r"\b(?=\d|" + _alternation(sorted(_FIRST, key=len, reverse=True)) + ")", re.IGNORECASE
)


@dataclass(frozen=True)
class Quantity:
    start: int  # offsets in the analysed text
    end: int
    low: float
    high: float
    family: str
    factor: float = 1  # the copy's unit, in the family's base unit


def _number(text: str) -> float | None:
    text = " ".join(text.lower().split())
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        return float(text)
    except ValueError:
        return None


def read_quantities(text: str) -> Iterator[Quantity]:
    """Every number-with-unit expression in ``text``, in base units of its family."""
    for m in _QUANTITY.finditer(text):
        value = _value(m)
        if value is not None:
            yield Quantity(m.start(), m.end(), *value)


def _containing(window: str, at: int) -> re.Match | None:
    """The match of ``_QUANTITY.finditer(window)`` that holds position ``at``, if any.

    finditer tries a match at every position not inside an earlier match, left to right;
    a try can only succeed where ``_STARTS`` matches. So trying only there, in order and
    skipping what a match covers, gives the same matches; and the scan stops at ``at``
    instead of running to the end of the window (no later match can hold ``at``).
    """
    free = 0  # the first position not inside a match found so far
    for start in _STARTS.finditer(window):
        p = start.start()
        if p > at:
            break
        if p < free:
            continue
        m = _QUANTITY.match(window, p)
        if m is not None:
            if m.end() > at:
                return m
            free = m.end()
    return None


def _value(m: re.Match) -> tuple[float, float, str, float] | None:
    """(low, high, family, factor) of a quantity match, or None if its number is unreadable."""
    if m["unit"]:
        low, high = _number(m["a"]), _number(m["b"]) if m["b"] else None
        if low is not None and high is None and (m["half"] or m["half2"]):
            low += 0.5  # "an hour and a half", "two and a half hours"
        family, factor = UNITS[m["unit"].lower()]
    elif m["a2"]:
        low, high = _number(m["a2"]), _number(m["b2"]) if m["b2"] else None
        family, factor = "per-year", 1
    elif m["ord"] or m["ord2"]:
        word = (m["ord"] or m["ord2"]).lower()
        value = ORDINALS.get(word) or NUMBER_WORDS.get(word) or _number(re.sub(r"\D", "", word))
        low, high, family, factor = value, None, "session-ordinal", 1
    else:
        year = int(m["year"])
        low, high = (year, year + 9) if m["decade"] and year % 10 == 0 else (year, None)
        family, factor = "calendar-year", 1
    if low is None:
        return None
    high = low if high is None else high
    low, high = min(low, high), max(low, high)
    return low * factor, high * factor, family, factor


def describe(v: Value) -> str:
    """A fact value for people: "15–30 minutes", "2–3 times a year", "1952"."""
    span = f"{v.min:g}" if v.min == v.max else f"{v.min:g}–{v.max:g}"
    if v.unit == "calendar-year":
        return span
    if v.unit == "per-year":
        return f"{span} times a year"
    return f"{span} {v.unit}{'' if v.max == 1 else 's'}"


# Without case, Python's regular expressions equate "ı" and "ſ" with "i" and "s", which
# lower-casing does not, and "İ" lower-cases to two characters.
_FOLD_TRAPS = re.compile("[\u0130\u0131\u017f]")


class Text:
    """A text searched for many phrases (a whole page for its disclosures): lower-cased,
    and checked for folding traps, once instead of once per word list."""

    __slots__ = ("text", "_lower", "_traps")

    def __init__(self, text: str) -> None:
        self.text, self._lower, self._traps = text, None, None

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @property
    def traps(self) -> bool:
        """Whether the text holds a character that case folding and lower-casing treat
        differently (see ``_FOLD_TRAPS``)."""
        if self._traps is None:
            text = self.text
            self._traps = not text.isascii() and bool(_FOLD_TRAPS.search(text))
        return self._traps


class _Literals:
    """Does any of some literal phrases occur, each with its own regular expression around
    it (word boundaries)? The same answer as searching the alternation of those
    expressions, which Python's engine tries phrase by phrase at every position of the
    text; here ``str.find`` (a scan in C) finds each phrase and its expression is tried
    only where the phrase is. Expressions are compiled when first needed: most word lists
    are searched in a handful of short windows, and start-up would pay for them all."""

    def __init__(self, items: list[tuple[str, str]], pattern: str, flags: int = 0) -> None:
        """``items``: (phrase, its expression); ``pattern``: their alternation."""
        self.pattern, self.flags = pattern, flags
        self.fold = bool(flags & re.IGNORECASE)
        # Without case, a phrase is found in the lower-cased text, which is exact for ASCII
        # phrases; any other is searched for with its expression.
        self.items = [(phrase.lower() if self.fold else phrase, source) for phrase, source in items]
        self._compiled: dict[str, re.Pattern] = {}

    def _regex(self, source: str) -> re.Pattern:
        regex = self._compiled.get(source)
        if regex is None:
            regex = self._compiled[source] = re.compile(source, self.flags)
        return regex

    def _whole(self, text: str | Text) -> bool:
        """Whether the scan cannot be used on ``text``: search the alternation instead."""
        if not self.items:
            return True
        if not self.fold:
            return False
        if isinstance(text, Text):
            return text.traps
        return not text.isascii() and bool(_FOLD_TRAPS.search(text))

    def search(self, text: str | Text) -> bool:
        if self._whole(text):
            plain = text.text if isinstance(text, Text) else text
            return self._regex(self.pattern).search(plain) is not None
        return next(self._starts(text), None) is not None

    def search_each(self, texts: list[str], joined: Text | None = None) -> list[bool]:
        """:meth:`search` of each text, in one pass over the texts joined by line breaks:
        a match never spans the join (no phrase holds a line break) and a line break is a
        word boundary like the end of a text. ``joined``: that joined text, if made."""
        if not self.items or any(not p or "\n" in p for p, _ in self.items):
            return [self.search(text) for text in texts]
        whole = joined or Text("\n".join(texts))
        offsets, offset = [], 0
        for text in texts:
            offsets.append(offset)
            offset += len(text) + 1
        found = [False] * len(texts)
        starts = (
            (m.start() for m in self._regex(self.pattern).finditer(whole.text))
            if self._whole(whole)
            else self._starts(whole)
        )
        for start in starts:
            found[bisect_right(offsets, start) - 1] = True
        return found

    def _starts(self, text: str | Text) -> Iterator[int]:
        """Where some phrase's expression matches (not all overlapping ones need be)."""
        if isinstance(text, Text):
            haystack, text = (text.lower if self.fold else text.text), text.text
        else:
            haystack = text.lower() if self.fold else text
        for phrase, source in self.items:
            if self.fold and not phrase.isascii():
                yield from (m.start() for m in self._regex(source).finditer(text))
                continue
            i = haystack.find(phrase)
            while i >= 0:
                if self._regex(source).match(text, i):
                    yield i
                i = haystack.find(phrase, i + 1)


@cache
def _words(words: tuple[str, ...]) -> _Literals:
    """One search per word list (word lists come from rules and facts)."""
    items = [(w.lower(), rf"\b{re.escape(w.lower())}\b") for w in words]
    return _Literals(items, "|".join(source for _, source in items) or "(?!)")


def _has_any(text: str, words) -> bool:
    return _words(tuple(words)).search(text)


class QuantityCheck:
    """One ``check: {quantity: ...}`` rule, bound to the fact values it compares with."""

    def __init__(self, rule: Rule, factbase: FactBase) -> None:
        self.rule = rule
        spec = rule.check
        self.values: list[tuple[Fact, Value]] = factbase.values(spec["quantity"])
        self.families = {UNITS[v.unit][0] for _, v in self.values}
        if spec.get("ordinal"):
            # "after the third session" states a session number as an ordinal.
            self.families.add("session-ordinal")
        self.near = [str(w) for w in spec["near"]]
        self.before = [str(w) for w in spec.get("before", [])]
        self.unless = [str(w) for w in spec.get("unless", [])]
        # The searches of _has_any, looked up once instead of per quantity.
        self._near, self._before, self._unless = (
            _words(tuple(words)) for words in (self.near, self.before, self.unless)
        )
        self.tolerance = float(spec.get("tolerance", 0.25))
        # Which side of the facts' range is a contradiction: a later result or a longer
        # course than the sources describe is no promise to a patient.
        self.direction = spec.get("direction", "both")

    def about(self, sentence: str, q: Quantity) -> bool:
        """Is the number at ``q`` in ``sentence`` a statement of this quantity?

        A ``near`` word must stand within a few words of the number, a ``before`` word (if
        any) just before it, and no ``unless`` word close to it.
        """
        if q.family not in self.families:
            return False
        window = sentence[max(0, q.start - NEAR_BEFORE) : q.end + NEAR_AFTER]
        if not self._near.search(window):
            return False
        # "stop aspirin one week before" is not a session length: the copy's unit must be
        # within a factor of 60 of the fact's (minutes and hours; millimetres and centimetres).
        if not any(
            UNITS[v.unit][1] / 60 <= q.factor <= UNITS[v.unit][1] * 60 for _, v in self.values
        ):
            return False
        if self.before and not self._before.search(sentence[max(0, q.start - 24) : q.start]):
            return False
        return not (self.unless and self._unless.search(window))

    def expected(self, sentence: str) -> str:
        applicable = self._applicable(sentence)
        parts = []
        for _, v in applicable:
            parts.append(
                describe(v) + (f" (when: {', '.join(v.condition)})" if v.condition else "")
            )
        return "; ".join(parts)

    def _applicable(self, sentence: str) -> list[tuple[Fact, Value]]:
        conditional = [
            (f, v) for f, v in self.values if v.condition and _has_any(sentence, v.condition)
        ]
        return conditional or [(f, v) for f, v in self.values if not v.condition]

    def contradicts(self, q: Quantity, sentence: str) -> bool:
        applicable = self._applicable(sentence)
        if not applicable:
            return False
        for _, v in applicable:
            family, factor = UNITS[v.unit]
            low, high = v.min * factor, v.max * factor
            tol = 0 if family == "calendar-year" else self.tolerance
            below = q.high < low * (1 - tol)
            above = q.low > high * (1 + tol)
            if not (below and self.direction != "above" or above and self.direction != "below"):
                return False
        return True

    def facts(self, sentence: str) -> list[Fact]:
        return [f for f, _ in self._applicable(sentence)]


# Token columns the quantity checks read.
_COLUMNS = ("LOWER", "SHAPE", "IDX", "LENGTH")


class FactChecker:
    """Runs the quantity checks over analysed chunks; yields :class:`Hit` like the rules."""

    def __init__(self, rules: list[Rule], factbase: FactBase, context: ContextDetector) -> None:
        TokenArrays.wanted.update(_COLUMNS)
        self.checks = [
            QuantityCheck(r, factbase) for r in rules if r.check and r.check["kind"] == "quantity"
        ]
        self.checks = [c for c in self.checks if c.values]
        self.context = context
        self._anchors = None

    def _quantities(self, analysis: Analysis) -> list[Quantity]:
        """Quantities in the chunk, read only around the tokens that can end one (a unit
        word, an ordinal's noun, a year): one vectorised lookup instead of running the
        quantity expression over every word of the text."""
        import numpy as np

        strings = analysis.doc.vocab.strings
        if self._anchors is None:
            words = [u for u in UNITS if "-" not in u] + [
                "year",
                "session",
                "treatment",
                "visit",
                "appointment",
            ]
            self._anchors = np.array([strings.add(w) for w in words], dtype=np.uint64)
            self._years = np.array(
                [strings.add(s) for s in ("dddd", "ddddx", "dddd'x")], dtype=np.uint64
            )
        arrays = TokenArrays.of(analysis.doc, _COLUMNS)
        if not arrays.length:
            return []
        columns = arrays.columns
        hits = np.flatnonzero(
            np.isin(columns["LOWER"], self._anchors) | np.isin(columns["SHAPE"], self._years)
        )
        # Each anchor's window, as arrays: 48 characters before it to 24 after it.
        starts = columns["IDX"][hits].astype(np.int64)
        lows = np.maximum(starts - 48, 0)
        highs = starts + columns["LENGTH"][hits].astype(np.int64) + 24
        if len(analysis.bounds) > 1:  # a chunk of several documents: read only this one's text
            spans = np.array([analysis.document_span(b) for b in analysis.bounds], dtype=np.int64)
            owner = np.searchsorted(np.array(analysis.bounds), starts, side="right") - 1
            lows = np.maximum(lows, spans[owner, 0])
            highs = np.minimum(highs, spans[owner, 1])
        text, found = analysis.text, {}
        for start, lo, hi in zip(starts.tolist(), lows.tolist(), highs.tolist()):
            # What read_quantities(text[lo:hi]) gives here that holds the anchor's start.
            m = _containing(text[lo:hi], start - lo)
            if m is not None:
                value = _value(m)
                if value is not None:
                    found[(m.start() + lo, m.end() + lo)] = Quantity(
                        m.start() + lo, m.end() + lo, *value
                    )
        return [found[k] for k in sorted(found)]

    def hits(self, analysis: Analysis) -> Iterator[Hit]:
        if not self.checks:
            return
        text = analysis.text
        doc = analysis.doc
        quantities = self._quantities(analysis)
        if not quantities:
            return
        arrays = TokenArrays.of(doc, _COLUMNS)
        sent_tokens = arrays.sentence_starts()
        idx = arrays.lists["IDX"]
        sent_chars = [idx[i] for i in sent_tokens]
        lowered: dict[int, str] = {}
        cues = {}
        for q in quantities:
            k = bisect_right(sent_chars, q.start) - 1
            lo = sent_chars[k]
            hi = sent_chars[k + 1] if k + 1 < len(sent_chars) else len(text)
            if q.end > hi:
                continue  # a number run across two sentences
            sentence = lowered.setdefault(k, text[lo:hi].lower())
            local = Quantity(q.start - lo, q.end - lo, q.low, q.high, q.family, q.factor)
            for check in self.checks:
                if not check.about(sentence, local) or not check.contradicts(local, sentence):
                    continue
                span = doc.char_span(q.start, q.end, alignment_mode="expand")
                if span is None:
                    continue
                end_token = sent_tokens[k + 1] if k + 1 < len(sent_tokens) else len(doc)
                sent = doc[sent_tokens[k] : end_token]
                if k not in cues:
                    cues[k] = self.context.cues(sent)
                kinds = self.context.detect(
                    sent,
                    cues[k],
                    span.start,
                    span.end,
                    document=(text, analysis.document_span(q.start)[1]),
                )
                actions = {check.rule.context[c] for c in kinds if c in check.rule.context}
                if "clear" in actions:
                    continue
                severity = (
                    downgrade(check.rule.severity)
                    if "downgrade" in actions
                    else check.rule.severity
                )
                segment, seg_start = analysis.segment_at(q.start)
                yield Hit(
                    check.rule,
                    segment,
                    q.start - seg_start,
                    q.end - seg_start,
                    severity,
                    kinds,
                    detail=check.expected(sentence),
                    facts=tuple(f.id for f in check.facts(sentence)),
                )


# Segments after one with a contraindication cue that still count as under it (a heading
# "Who should not have it?" followed by a list).
CUE_REACH = 10


def _phrases(words) -> _Literals:
    items = [(w, rf"\b{re.escape(w)}\b") for w in words]
    return _Literals(items, "|".join(source for _, source in items), re.I)


class DisclosureCheck:
    """Document level: promotional copy must say who should not have the treatment and
    what its risks are.

    A document *promotes* a treatment of the fact base when it names the treatment (any
    alias) and uses a promotional cue (booking, prices, "we offer", ...; language data in
    ``linter/data/disclosure.yml``); neutral information pages do not. For each
    ``disclosure`` rule, the key facts of its kind (``key: true``) must be mentioned by
    one of their ``terms``. Mentions inside a claim that denies the risk ("no side
    effects", "safe in pregnancy") do not count. The finding points at the first mention
    of the treatment and names what is missing.
    """

    DENIALS = ("safety-absolute", "suitability", "painless")

    def __init__(self, rules: list[Rule], factbase: FactBase) -> None:
        self.rules = [r for r in rules if r.check and r.check["kind"] == "disclosure"]
        self.factbase = factbase
        data = load_yaml(
            resources.files("linter").joinpath("data/disclosure.yml").read_text("utf-8"),
            "linter/data/disclosure.yml",
        )
        self.cues = _phrases(data["contraindication_cues"])
        ignore = [(c, re.escape(c)) for c in data.get("ignore", [])]
        self.ignore = re.compile("|".join(source for _, source in ignore) or "(?!)", re.I)
        self._ignored = _Literals(ignore, self.ignore.pattern, re.I)
        promotion = [
            (c, rf"\b{re.escape(c)}\b" if c[0].isalnum() else re.escape(c))
            for c in data["promotion"]
        ]
        self.promotion = _Literals(promotion, "|".join(source for _, source in promotion), re.I)
        self.aliases = {
            t.id: re.compile(
                r"\b(?:"
                + "|".join(re.escape(a) for a in sorted(t.aliases, key=len, reverse=True))
                + r")\b",
                re.I,
            )
            for t in factbase.treatments.values()
            if t.aliases
        }
        # The key facts of each treatment and kind, each with the search of its terms.
        self._key: dict[tuple[str, str], list[tuple[Fact, _Literals]]] = {}
        for f in factbase.facts.values():
            if f.key:
                self._key.setdefault((f.treatment, f.kind), []).append((f, _words(tuple(f.terms))))

    def hits(self, segments: list[Segment], claims: list[Hit]) -> Iterator[Hit]:
        if not self.rules or not segments:
            return
        denials: dict[int, list[Hit]] = {}
        for hit in claims:
            if hit.rule.category in self.DENIALS:
                denials.setdefault(id(hit.segment), []).append(hit)
        texts = [_blanked(segment.text, denials.get(id(segment), ())) for segment in segments]
        whole = Text("\n".join(texts))
        unignored = Text(self.ignore.sub(" ", whole.text)) if self._ignored.search(whole) else whole
        if not self.promotion.search(unignored):
            return
        lowered = Text(whole.lower)
        # Text near a contraindication cue: each segment with a cue, and the few after it.
        cued_until = -1
        near_cues = []
        for k, (text, cue) in enumerate(zip(texts, self.cues.search_each(texts, whole))):
            if cue:
                cued_until = k + CUE_REACH
            if k <= cued_until:
                near_cues.append(text)
        cued = Text("\n".join(near_cues).lower())
        for treatment, alias in self.aliases.items():
            first = next(
                ((seg, m) for seg in segments for m in [alias.search(seg.text)] if m), None
            )
            if first is None:
                continue
            segment, mention = first
            for rule in self.rules:
                kind = rule.check["disclosure"]
                key = self._key.get((treatment, kind), [])
                scope = cued if kind == "contraindication" else lowered
                missing = [f for f, terms in key if not terms.search(scope)]
                if not key or not missing:
                    continue
                severity = rule.severity if len(missing) == len(key) else downgrade(rule.severity)
                labels = ", ".join(f.label for f in missing)
                yield Hit(
                    rule,
                    segment,
                    mention.start(),
                    mention.end(),
                    severity,
                    frozenset(),
                    detail=labels,
                    facts=tuple(f.id for f in missing),
                )


def _blanked(text: str, hits: Iterable[Hit]) -> str:
    """``text`` with the words of ``hits`` blanked out (same length)."""
    for hit in hits:
        text = text[: hit.start] + " " * (hit.end - hit.start) + text[hit.end :]
    return text
