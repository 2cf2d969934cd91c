"""Stage 5b of the pipeline: rules matched against analysed text, with context applied.

The rulebook compiles into two spaCy matchers on the ``NORM`` attribute: one
PhraseMatcher for every rule's phrases and one Matcher for token patterns (each keyed by
the rule). Running them over a chunk yields candidate spans; exceptions veto overlapping
candidates; overlapping candidates of one category collapse to the longest; the context
detector then decides, per the rule's context policy, whether the claim is cleared,
downgraded or kept. What comes out is a :class:`Hit`: a rule, a segment and a span of
segment characters, never a source position (the engine maps those).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from linter.context import ATTRIBUTION, ContextDetector
from linter.patterns import PatternError, PatternSet, TokenArrays, compile_pattern
from linter.rulebook import SEVERITIES, Rule, Rulebook, RuleError

if TYPE_CHECKING:
    from linter.markup import Segment
    from linter.nlp import Analysis, Pipeline


@dataclass(frozen=True)
class Hit:
    rule: Rule
    segment: Segment
    start: int
    end: int
    severity: str
    context: frozenset[str]
    # Fact checks: what the facts say (for the message) and which facts say it.
    detail: str = ""
    facts: tuple[str, ...] = ()


def phrase_variants(phrase: str) -> list[str]:
    """A phrase as written plus its hyphen variants: "pain-free", "pain free", "painfree"."""
    variants = {phrase}
    if re.search(r"\w-\w", phrase):
        variants |= {re.sub(r"(?<=\w)-(?=\w)", " ", phrase), re.sub(r"(?<=\w)-(?=\w)", "", phrase)}
    return sorted(variants)


def downgrade(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


# A token pattern whose alternatives multiply out to at most this many phrases is
# compiled into the PhraseMatcher instead (a hash lookup per token, not a state machine).
MAX_EXPANSION = 64


class RuleMatcher:
    """A rulebook compiled for one pipeline.

    Phrases, and token patterns that are only alternatives of exact norms, go into one
    PhraseMatcher over the whole text. The other token patterns (gaps, shapes, numbers)
    go to :class:`linter.patterns.PatternSet`, which tries them only where their first
    token can match.
    """

    def __init__(self, rulebook: Rulebook, pipeline: Pipeline) -> None:
        from linter.nlp import lasting

        with lasting():
            self._compile(rulebook, pipeline)

    def _compile(self, rulebook: Rulebook, pipeline: Pipeline) -> None:
        from spacy.matcher import PhraseMatcher

        self.rules = list(rulebook)
        self.pipeline = pipeline
        self.context = ContextDetector()
        pipeline.add_words([*_vocabulary(self.rules), *self.context.vocabulary()])
        pipeline.freeze()
        self.context.compile(pipeline)
        self._phrases = PhraseMatcher(pipeline.vocab, attr="NORM")
        self._tokens = PatternSet()
        strings = pipeline.vocab.strings
        self._key: dict[int, tuple[int, bool]] = {}
        for index, rule in enumerate(self.rules):
            for exception, patterns in ((False, rule.patterns), (True, rule.exceptions)):
                label = f"{'X' if exception else 'R'}{index}"
                self._key[strings.add(label)] = (index, exception)
                for pattern in patterns:
                    self._add(index, label, pattern)

    def _add(self, index: int, label: str, pattern) -> None:
        rule = self.rules[index]
        try:
            if isinstance(pattern.value, str):
                docs = [self.pipeline.make_doc(v) for v in phrase_variants(pattern.value)]
                self._phrases.add(label, docs)
                return
            tokens = [self._normalise(t) for t in pattern.value]
            phrases = _expand(tokens)
            if phrases is not None:
                from spacy.tokens import Doc

                self._phrases.add(label, [Doc(self.pipeline.vocab, words=list(p)) for p in phrases])
                return
            self._tokens.add(label, compile_pattern(tokens, self.pipeline.vocab))
        except (PatternError, ValueError, KeyError, TypeError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RuleError(rule.path, pattern.line, f"invalid pattern: {reason}") from None

    def _normalise(self, token: dict) -> dict:
        """NORM values are written as words; match them by their lemma like the text is."""
        if "NORM" not in token:
            return token
        value = token["NORM"]
        lemma = self.pipeline.lemma
        if isinstance(value, str):
            value = lemma(value)
        elif isinstance(value, dict):
            value = {
                op: [lemma(v) for v in vs] if isinstance(vs, list) else vs
                for op, vs in value.items()
            }
        return {**token, "NORM": value}

    def _candidates(self, doc) -> Iterator[tuple[int, int, int, bool]]:
        """(rule index, start, end, is_exception) for every pattern match in ``doc``."""
        strings = self.pipeline.vocab.strings
        for match_id, start, end in self._phrases(doc):
            index, exception = self._key[match_id]
            yield index, start, end, exception
        for label, start, end in self._tokens(doc):
            index, exception = self._key[strings[label]]
            yield index, start, end, exception

    def hits(self, analysis: Analysis) -> Iterator[Hit]:
        doc = analysis.doc
        candidates: dict[int, list[tuple[int, int]]] = {}
        vetoes: dict[int, list[tuple[int, int]]] = {}
        sentences = _Sentences(doc)
        for index, start, end, exception in self._candidates(doc):
            (vetoes if exception else candidates).setdefault(index, []).append((start, end))

        # Collapse overlaps within a category to the longest span, then the earliest, then
        # the lowest code. (A chunk can hold many documents: overlaps are found by bisection,
        # not by comparing every pair of spans.)
        by_category: dict[str, list[tuple[int, int, int]]] = {}
        for index, spans in candidates.items():
            veto = _Spans(vetoes.get(index, []))
            for start, end in spans:
                if not veto.overlaps(start, end):
                    by_category.setdefault(self.rules[index].category, []).append(
                        (start, end, index)
                    )
        chosen: list[tuple[int, int, int]] = []
        for spans in by_category.values():
            taken = _Disjoint()
            for start, end, index in sorted(
                spans, key=lambda s: (s[0] - s[1], s[0], self.rules[s[2]].code)
            ):
                if not taken.overlaps(start, end):
                    taken.add(start, end)
                    chosen.append((start, end, index))

        # Claims with their own negation, by the sentences they touch: only one that holds a
        # negation cue of the claim's sentence can matter (see ContextDetector.detect).
        inherent: dict[int, list[tuple[int, int]]] = {}
        for s, e, i in sorted(chosen):
            if self.rules[i].polarity == "inherent":
                for k in sentences.indices(s, e):
                    inherent.setdefault(k, []).append((s, e))
        # Claim offsets from the token columns, not from a Token per end.
        arrays = TokenArrays.of(doc, ("IDX", "LENGTH"))
        idx, length = arrays.lists["IDX"], arrays.lists["LENGTH"]
        cues = {}
        quoted_segments: dict[int, bool] = {}  # by id of segment: several claims share one
        for start, end, index in sorted(chosen):
            rule = self.rules[index]
            first = idx[start]
            segment, seg_start = analysis.segment_at(first)
            if rule.scopes is not None and segment.scope not in rule.scopes:
                continue
            sent = doc[slice(*sentences.around(start))]
            if sent.start not in cues:
                cues[sent.start] = self.context.cues(sent)
            near = inherent.get(sentences.index(start), ())
            others = tuple(span for span in near if span != (start, end))
            quoted = quoted_segments.get(id(segment))
            if quoted is None:
                quoted = quoted_segments[id(segment)] = segment.scope == "blockquote" or bool(
                    ATTRIBUTION.search(segment.text)
                )
            kinds = self.context.detect(
                sent,
                cues[sent.start],
                start,
                end,
                others,
                quoted,
                (analysis.text, analysis.document_span(first)[1]),
            )
            actions = {rule.context[k] for k in kinds if k in rule.context}
            if "clear" in actions:
                continue
            severity = downgrade(rule.severity) if "downgrade" in actions else rule.severity
            yield Hit(
                rule,
                segment,
                first - seg_start,
                idx[end - 1] + length[end - 1] - seg_start,
                severity,
                kinds,
            )


class _Sentences:
    """Sentence bounds of a Doc, read once (``Token.sent`` walks the tokens every call)."""

    def __init__(self, doc) -> None:
        starts = TokenArrays.of(doc).sentence_starts()
        self._starts = starts
        self._ends = starts[1:] + [len(doc)]

    def around(self, token: int) -> tuple[int, int]:
        k = bisect_right(self._starts, token) - 1
        return self._starts[k], self._ends[k]

    def index(self, token: int) -> int:
        return bisect_right(self._starts, token) - 1

    def indices(self, start: int, end: int) -> range:
        """The sentences that tokens ``[start, end)`` touch (a phrase can span two)."""
        return range(self.index(start), self.index(end - 1) + 1)


class _Spans:
    """Fixed token spans, asked whether any overlaps a span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self._starts = [s for s, _ in spans]
        self._reach = list(accumulate((e for _, e in spans), max))  # furthest end so far

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self._starts, end) - 1  # the last span that starts before ``end``
        return k >= 0 and self._reach[k] > start


class _Disjoint:
    """Non-overlapping, non-empty token spans, added one at a time. Sorted by start, their
    ends are sorted too, so the last span starting before ``end`` is the only candidate."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self._starts, end) - 1
        return k >= 0 and self._ends[k] > start

    def add(self, start: int, end: int) -> None:
        k = bisect_left(self._starts, start)
        self._starts.insert(k, start)
        self._ends.insert(k, end)


def _values(token: dict) -> list[str] | None:
    """The exact norms a token accepts, or None if it tests anything else."""
    keys = set(token) - {"OP"}
    if keys != {"NORM"}:
        return None
    value = token["NORM"]
    if isinstance(value, str):
        return [value]
    if (
        isinstance(value, dict)
        and set(value) == {"IN"}
        and all(isinstance(v, str) for v in value["IN"])
    ):
        return list(value["IN"])
    return None


def _expand(tokens: list[dict]) -> list[tuple[str, ...]] | None:
    """All the word sequences a simple token pattern accepts, or None if it is not simple."""
    sequences: list[tuple[str, ...]] = [()]
    for token in tokens:
        values = _values(token)
        op = token.get("OP")
        if values is None or op not in (None, "?"):
            return None
        options = [(v,) for v in values] + ([()] if op == "?" else [])
        sequences = [seq + option for seq in sequences for option in options]
        if len(sequences) > MAX_EXPANSION:
            return None
    return [seq for seq in sequences if seq]


def _vocabulary(rules: list[Rule]) -> Iterator[str]:
    """Every word a rule mentions, so that its inflections normalise to it."""
    for rule in rules:
        for pattern in rule.patterns + rule.exceptions:
            if isinstance(pattern.value, str):
                yield from re.findall(r"[a-z']+", pattern.value.lower())
                continue
            for token in pattern.value:
                value = token.get("NORM")
                if isinstance(value, str):
                    yield value
                elif isinstance(value, dict):
                    for items in value.values():
                        if isinstance(items, list):
                            yield from (v for v in items if isinstance(v, str))
