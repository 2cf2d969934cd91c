"""Stage 5a of the pipeline: the context of a claim, detected rather than guessed.

A ConText-style detector (Chapman et al.) written for marketing copy. Given a matched claim
and its sentence it reports which context kinds hold: ``negated`` (an *outer* negation:
the "no" inside "no side effects" is part of the match, so it never counts), ``hedged``,
``question``, ``answered`` (a question the next sentence answers yes: the claim stands),
``reported`` (attribution to someone else), ``conditional``, ``disclaimer``, ``cited``, and
``testimonial`` (a customer quote or before/after caption). A claim asked about and denied
by the next sentence ("No side effects? No such thing.") is ``negated``. What a kind does
to a finding (clear it, downgrade it, or nothing) is the rule's decision, not this
module's: see ``Rule.context`` in the rulebook.

Cues are language data in ``linter/data/context.yml``, matched once per sentence that
holds a claim with spaCy's PhraseMatcher/Matcher on the ``NORM`` attribute. Scopes are
clauses: a cue does not reach across a terminator ("but", ";", ":", a dash).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from linter.yamlutil import load_yaml

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from linter.nlp import Pipeline

KINDS = (
    "negated",
    "hedged",
    "question",
    "answered",
    "reported",
    "conditional",
    "disclaimer",
    "cited",
    "testimonial",
)
_QUOTES_OPEN = {'"', "“", "„", "«", "‘"}
_QUOTES_CLOSE = {'"', "”", "»", "’"}
_DASHES = {"—", "–", "-", "―"}
# A segment that ends by naming its speaker: '"...after three visits!" — Priya, 34'.
ATTRIBUTION = re.compile(
    r"[\"”’']?\s*[—–―-]{1,2}\s*(?:Mr|Mrs|Ms|Dr|Miss)?\.?\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?\.?(?:\s*,\s*[\w .'-]{1,40})?\s*$"
)


def opening(words: list[str], not_words: list[str] = (), whole: bool = False) -> re.Pattern[str]:
    """One of ``words`` (group ``answer``) as a whole word opening an answer, after any
    punctuation, unless one of ``not_words`` opens it; ``whole``: as the whole answer,
    followed by punctuation or the end ("No." and "No, never", but not "No more than")."""
    yes = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    no = "|".join(re.escape(w) for w in not_words) or "(?!)"
    after = r"(?=\s*(?:[.!,;:—–…)]|-\s|$))" if whole else r"(?!\w)"
    return re.compile(rf"[\W_]*?(?!(?:{no})(?!\w))(?P<answer>{yes}){after}", re.IGNORECASE)


class _once:
    """``functools.cached_property`` without its lock (Python 3.11 takes an RLock on every
    first read, which cost more than most context tests): the value computed on first read
    is stored in the instance, which shadows this non-data descriptor from then on."""

    def __init__(self, method) -> None:
        self.method, self.name = method, method.__name__
        self.__doc__ = method.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.method(obj)
        return value


@dataclass(frozen=True)
class Cues:
    """Cue spans found in one sentence, as token index ranges of the Doc."""

    by_label: dict[str, list[tuple[int, int]]]

    def get(self, label: str) -> list[tuple[int, int]]:
        return self.by_label.get(label, [])


class ContextDetector:
    """Finds the context kinds of claims; one per pipeline (cue data compiled once)."""

    _PHRASE_LABELS = {
        "terminators": ("terminators",),
        "NEG_BEFORE": ("negation", "before"),
        "NEG_AFTER": ("negation", "after"),
        "PSEUDO": ("negation", "pseudo"),
        "HEDGE_BEFORE": ("hedge", "before"),
        "HEDGE_AFTER": ("hedge", "after"),
        "INTENSIFIER": ("hedge", "intensifiers"),
        "Q_OPENER": ("question", "openers"),
        "REPORT": ("reported", "before"),
        "REPORT_PSEUDO": ("reported", "pseudo"),
        "FIRST_PERSON": ("reported", "first_person"),
        "CUSTOMER": ("reported", "customers"),
        "CONDITIONAL": ("conditional", "before"),
        "SUBORDINATOR": ("negation", "subordinators"),
        "TESTIMONIAL": ("testimonial", "markers"),
    }

    def __init__(self, data: dict | None = None) -> None:
        if data is None:
            text = resources.files("linter").joinpath("data/context.yml").read_text("utf-8")
            data = load_yaml(text, "linter/data/context.yml")
        self.data = data
        self.window = int(data["negation"]["window"])
        answer = data["answer"]
        self._answers = (opening(answer["yes"], answer["not"]), opening(answer["denial"]))
        self.phrases: dict[str, list[str]] = {}
        for label, path in self._PHRASE_LABELS.items():
            node = data
            for key in path:
                node = node[key]
            self.phrases[label] = [str(p) for p in node]

    def vocabulary(self) -> list[str]:
        """Words the cues use, for the pipeline's norm table."""
        return [w for items in self.phrases.values() for p in items for w in p.split()]

    def compile(self, pipeline: Pipeline) -> None:
        """Build the cue matchers (after the pipeline's norm table is frozen)."""
        from spacy.matcher import PhraseMatcher

        from linter.patterns import PatternSet, TokenArrays, compile_pattern

        # Terminators are punctuation and conjunctions: matched on the lower-case text,
        # because NORM maps every dash to "-" and a hyphen inside a word ends no clause.
        self._terminators = PhraseMatcher(pipeline.vocab, attr="LOWER")
        self._terminators.add(
            "terminators", [pipeline.make_doc(p) for p in self.phrases["terminators"]]
        )
        self._phrases = PhraseMatcher(pipeline.vocab, attr="NORM")
        for label, items in self.phrases.items():
            if label != "terminators":
                self._phrases.add(label, [pipeline.make_doc(p) for p in items])
        # Token patterns in spaCy's Matcher syntax, matched like its Matcher (every match),
        # but once per Doc: spaCy's Matcher costs more per sentence than all the rest.
        self._patterns = PatternSet()
        for label in ("DISCLAIMER", "CITATION"):
            for tokens in self.data[label.lower()]["patterns"]:
                self._patterns.add(label, compile_pattern(tokens, pipeline.vocab))
        # The last Doc and its pattern matches: cues() is asked sentence by sentence.
        self._matched: tuple[Doc | None, tuple[list[int], list[tuple[str, int, int]]]] = (
            None,
            ([], []),
        )
        self._strings = pipeline.vocab.strings
        # Quotation marks as ORTH hashes: a token's text is the string of its ORTH hash, so
        # comparing hashes is comparing texts, without making a Token per word.
        strings = self._strings
        self._quote_orths = (
            frozenset(strings.add(q) for q in _QUOTES_OPEN),
            frozenset(strings.add(q) for q in _QUOTES_CLOSE),
        )
        TokenArrays.wanted.add("ORTH")
        # Per ORTH hash, what the testimonial test asks of a token: (skipped: a space or a
        # quote, text, title case). These are lexeme attributes, the same for every token
        # of that text; filled as words are first asked about.
        self._lexemes: dict[int, tuple[bool, str, bool]] = {}
        # The last Doc and its ORTH column as a list (claims come Doc by Doc).
        self._orths: tuple[Doc | None, list[int]] = (None, [])

    def cues(self, sent: Span) -> Cues:
        """The cues in ``sent``, a sentence of its Doc (as the Doc marks sentence starts)."""
        found: dict[str, list[tuple[int, int]]] = {}
        for matcher in (self._terminators, self._phrases):
            for match_id, start, end in matcher(sent):
                found.setdefault(self._strings[match_id], []).append((start, end))
        doc, (starts, matches) = self._matched
        if doc is not sent.doc:
            doc = sent.doc
            # By start (then as found), so that a sentence's matches are a slice: a Doc
            # can hold many documents, and a scan of all its matches per sentence would
            # grow with the square of its size.
            matches = sorted(self._patterns(doc, every=True), key=lambda m: m[1])
            starts = [start for _, start, _ in matches]
            self._matched = (doc, (starts, matches))
        lo, hi = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
        for label, start, end in matches[lo:hi]:
            found.setdefault(label, []).append((start, end))
        return Cues(found)

    def detect(
        self,
        sent: Span,
        cues: Cues,
        start: int,
        end: int,
        claimed: tuple[tuple[int, int], ...] = (),
        quoted_segment: bool = False,
        document: tuple[str, int] | None = None,
    ) -> frozenset[str]:
        """Context kinds that hold for the claim at tokens ``[start, end)`` of ``sent``'s Doc.

        ``claimed`` are the spans of claims that carry their own negation ("no side
        effects"): their "no" is part of another claim, never an outer negation.
        ``quoted_segment`` says the claim's segment is a customer quote (a block quote, or
        text ending in a "— Name" attribution), which the sentence alone may not show.
        ``document``: the Doc's text and where the claim's document ends in it (a Doc can
        hold several): the sentence after a question is read for its answer only before
        that end (without it, no answer is read).
        """
        claim = self.claim(sent, cues, start, end, claimed, quoted_segment, document)
        return frozenset(claim.kinds())

    def claim(
        self,
        sent: Span,
        cues: Cues,
        start: int,
        end: int,
        claimed=(),
        quoted_segment=False,
        document: tuple[str, int] | None = None,
    ):
        """The :class:`_Claim` that :meth:`detect` asks, with this Doc's token columns."""
        claim = _Claim(sent, cues, start, end, self.window, claimed, quoted_segment)
        claim.document, claim.answers = document, self._answers
        doc = sent.doc
        if self._orths[0] is not doc:
            from linter.patterns import TokenArrays

            self._orths = (doc, TokenArrays.of(doc, ("ORTH",)).lists["ORTH"])
        claim.orth, claim.quote_orths, claim.lexemes = (
            self._orths[1],
            self._quote_orths,
            self._lexemes,
        )
        return claim


class _Claim:
    """One claim in its sentence; each property answers one context question."""

    # Set by ContextDetector.claim: the Doc's ORTH column, the quotation marks' ORTH hashes
    # (open, close) and the detector's per-word attributes for the testimonial test.
    orth: list[int]
    quote_orths: tuple[frozenset[int], frozenset[int]]
    lexemes: dict[int, tuple[bool, str, bool]]
    # Set by ContextDetector.claim: the Doc's text and where the claim's document ends in
    # it (``Doc.text`` would join every token again), and the expressions of a yes and of a
    # denial at the start of an answer.
    document: tuple[str, int] | None = None
    answers: tuple[re.Pattern[str] | None, re.Pattern[str] | None] = (None, None)

    def __init__(
        self, sent, cues: Cues, start, end, window, claimed=(), quoted_segment=False
    ) -> None:
        self.sent, self.cues, self.start, self.end, self.window = sent, cues, start, end, window
        self.claimed, self.quoted_segment = claimed, quoted_segment

    def kinds(self) -> list[str]:
        tests = {
            "negated": self.negated,
            "question": self.asked and not self.answered,
            "answered": self.answered,
            "reported": self.reported,
            "conditional": self.conditional,
            "disclaimer": self.disclaimer,
            "cited": bool(self.cues.get("CITATION")),
            "testimonial": self.testimonial,
        }
        kinds = [kind for kind, holds in tests.items() if holds]
        if self.hedged:
            kinds.append("hedged")
        return kinds

    # -- scopes -------------------------------------------------------------------------

    @_once
    def clause(self) -> tuple[int, int]:
        """Token range of the clause around the claim, bounded by terminators."""
        lo, hi = self.sent.start, self.sent.end
        for t_start, t_end in self.cues.get("terminators"):
            if t_end <= self.start:
                lo = max(lo, t_end)
            elif t_start >= self.end:
                hi = min(hi, t_start)
        return lo, hi

    def _before(self, label: str, lo: int | None = None) -> list[tuple[int, int]]:
        lo = self.clause[0] if lo is None else max(lo, self.clause[0])
        return [(s, e) for s, e in self.cues.get(label) if s >= lo and e <= self.start]

    def _after(self, label: str) -> list[tuple[int, int]]:
        return [(s, e) for s, e in self.cues.get(label) if s >= self.end and e <= self.clause[1]]

    def _inside_pseudo(self, s: int, e: int) -> bool:
        return any(ps <= s and e <= pe for ps, pe in self.cues.get("PSEUDO"))

    # -- kinds --------------------------------------------------------------------------

    @_once
    def negated(self) -> bool:
        doc = self.sent.doc
        for s, e in self._before("NEG_BEFORE", self.start - self.window):
            if self._inside_pseudo(s, e) or any(cs <= s and e <= ce for cs, ce in self.claimed):
                continue
            subordinate = any(self.clause[0] <= ss < s for ss, _ in self.cues.get("SUBORDINATOR"))
            if subordinate and any(t.text == "," for t in doc[e : self.start]):
                continue
            return True
        return bool(self._after("NEG_AFTER")) or self.denied

    @_once
    def hedged(self) -> bool:
        intensified = any(
            s < self.end and e > max(self.start - 2, self.clause[0])
            for s, e in self.cues.get("INTENSIFIER")
        )
        return not intensified and bool(self._before("HEDGE_BEFORE") or self._after("HEDGE_AFTER"))

    @_once
    def ends_in_question_mark(self) -> bool:
        sent = self.sent
        last = sent.end - 1
        while last > sent.start and sent.doc[last].is_space:
            last -= 1
        return sent.doc[last].text == "?"

    @_once
    def asked(self) -> bool:
        """Is the claim's sentence a question about it (see ``question`` in context.yml)?"""
        if not self.ends_in_question_mark:
            return False
        first = next((t for t in self.sent if t.is_alpha), None)
        return first is not None and any(s == first.i for s, _ in self.cues.get("Q_OPENER"))

    @_once
    def answered(self) -> bool:
        """Is the claim's sentence a question that the next sentence of its document
        answers yes ("Is it painless? Yes.")? Then the copy makes the claim itself."""
        return self.asked and self._answer_opens(self.answers[0])

    @_once
    def denied(self) -> bool:
        """Is the claim asked about ("No side effects?") and denied by the next sentence
        of its document ("No such thing.")? Then the copy says the claim is false."""
        return self.ends_in_question_mark and self._answer_opens(self.answers[1])

    def _answer_opens(self, opening: re.Pattern[str] | None) -> bool:
        doc, after = self.sent.doc, self.sent.end
        if opening is None or self.document is None or after >= len(doc):
            return False
        text, end = self.document
        begin = doc[after].idx
        # An answer's opening is a few words: the start of the next sentence is all that is read.
        return begin < end and opening.match(text, begin, min(end, begin + 40)) is not None

    @_once
    def reported(self) -> bool:
        pseudo = self.cues.get("REPORT_PSEUDO")
        reports = [
            (s, e)
            for s, e in self._before("REPORT")
            if not any(ps <= s and e <= pe for ps, pe in pseudo)
        ]
        if not reports or self.testimonial_marked:
            return False
        first_report = min(s for s, _ in reports)
        own_voice = any(s < self.start for s, _ in self.cues.get("FIRST_PERSON"))
        # "Patients say it cured them" is a testimonial; "some patients say" is hedged anyway.
        by_customer = any(
            first_report - 4 <= s < first_report for s, _ in self.cues.get("CUSTOMER")
        )
        return not own_voice and not by_customer

    @_once
    def conditional(self) -> bool:
        for s, _ in self._before("CONDITIONAL"):
            # The condition runs to the next comma: "If X, Y" conditions X, not Y.
            commas = [t.i for t in self.sent.doc[s : self.start] if t.text in {",", "then"}]
            if not commas:
                return True
        return False

    @_once
    def disclaimer(self) -> bool:
        return any(s <= self.start and self.end <= e for s, e in self.cues.get("DISCLAIMER"))

    @_once
    def testimonial(self) -> bool:
        return self.testimonial_marked or (self.quoted and not self.reported)

    @_once
    def testimonial_marked(self) -> bool:
        """A review/before-after marker, a first-person sentence, or a "— Name" attribution."""
        if self.quoted_segment or self.cues.get("TESTIMONIAL"):
            return True
        # Of the sentence's tokens other than spaces and quotes, only the first and the
        # last six are tested: walk in from each end instead of over the whole sentence,
        # reading each word's attributes once per process instead of a Token per word.
        doc, end, orth = self.sent.doc, self.sent.end, self.orth
        lexeme = self._lexeme
        i = self.sent.start
        while i < end and lexeme(doc, orth[i])[0]:
            i += 1
        if i == end:
            return False
        if lexeme(doc, orth[i])[1] in {"I", "My", "I'm", "I've", "I'd"}:
            return True
        tail = []  # the last (up to) six of those tokens, last first: (text, title case)
        j = end - 1
        while j >= i and len(tail) < 6:
            skipped, text, title = lexeme(doc, orth[j])
            if not skipped:
                tail.append((text, title))
            j -= 1
        return any(tail[k][0] in _DASHES and tail[k - 1][1] for k in range(1, len(tail)))

    def _lexeme(self, doc: Doc, orth: int) -> tuple[bool, str, bool]:
        found = self.lexemes.get(orth)
        if found is None:
            lex = doc.vocab[orth]
            found = self.lexemes[orth] = (lex.is_space or lex.is_quote, lex.orth_, lex.is_title)
        return found

    @_once
    def quoted(self) -> bool:
        """The claim sits inside quotation marks opened earlier in the sentence."""
        quote_open, quote_close = self.quote_orths
        opened = False
        for text in self.orth[self.sent.start : self.start]:
            if text in quote_open and not (opened and text in quote_close):
                opened = True
            elif text in quote_close:
                opened = False
        return opened
