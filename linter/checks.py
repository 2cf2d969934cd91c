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
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from linter.context import ContextDetector
from linter.rulebook import SEVERITIES, Rule, RuleError, Rulebook

if TYPE_CHECKING:
    from linter.markup import Segment
    from linter.nlp import Analysis, Pipeline


@dataclass(frozen=True)
class Hit:
    rule: Rule
    segment: "Segment"
    start: int
    end: int
    severity: str
    context: frozenset[str]


def phrase_variants(phrase: str) -> list[str]:
    """A phrase as written plus its hyphen variants: "pain-free", "pain free", "painfree"."""
    variants = {phrase}
    if re.search(r"\w-\w", phrase):
        variants |= {re.sub(r"(?<=\w)-(?=\w)", " ", phrase), re.sub(r"(?<=\w)-(?=\w)", "", phrase)}
    return sorted(variants)


def downgrade(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


class RuleMatcher:
    """A rulebook compiled for one pipeline."""

    def __init__(self, rulebook: Rulebook, pipeline: "Pipeline") -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.rules = list(rulebook)
        self.pipeline = pipeline
        pipeline.add_words(_vocabulary(self.rules))
        self.context = ContextDetector(pipeline)
        self._phrases = PhraseMatcher(pipeline.vocab, attr="NORM")
        self._tokens = Matcher(pipeline.vocab)
        strings = pipeline.vocab.strings
        self._key: dict[int, tuple[int, bool]] = {}
        for index, rule in enumerate(self.rules):
            for exception, patterns in ((False, rule.patterns), (True, rule.exceptions)):
                label = f"{'X' if exception else 'R'}{index}"
                self._key[strings.add(label)] = (index, exception)
                for pattern in patterns:
                    self._add(rule, label, pattern)

    def _add(self, rule: Rule, label: str, pattern) -> None:
        try:
            if isinstance(pattern.value, str):
                docs = [self.pipeline.make_doc(v) for v in phrase_variants(pattern.value)]
                self._phrases.add(label, docs)
            else:
                self._tokens.add(label, [[self._normalise(t) for t in pattern.value]])
        except (ValueError, KeyError, TypeError) as exc:
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
            value = {op: [lemma(v) for v in vs] if isinstance(vs, list) else vs for op, vs in value.items()}
        return {**token, "NORM": value}

    def hits(self, analysis: "Analysis") -> Iterator[Hit]:
        doc = analysis.doc
        candidates: dict[int, list[tuple[int, int]]] = {}
        vetoes: dict[int, list[tuple[int, int]]] = {}
        for matcher in (self._phrases, self._tokens):
            for match_id, start, end in matcher(doc):
                index, exception = self._key[match_id]
                (vetoes if exception else candidates).setdefault(index, []).append((start, end))

        # Collapse overlaps within a category to the longest span, then the lowest code.
        by_category: dict[str, list[tuple[int, int, int]]] = {}
        for index, spans in candidates.items():
            veto = vetoes.get(index, [])
            for start, end in spans:
                if not any(vs < end and start < ve for vs, ve in veto):
                    by_category.setdefault(self.rules[index].category, []).append((start, end, index))
        chosen: list[tuple[int, int, int]] = []
        for spans in by_category.values():
            taken: list[tuple[int, int]] = []
            for start, end, index in sorted(spans, key=lambda s: (s[0] - s[1], self.rules[s[2]].code)):
                if not any(ts < end and start < te for ts, te in taken):
                    taken.append((start, end))
                    chosen.append((start, end, index))

        cues = {}
        for start, end, index in sorted(chosen):
            rule = self.rules[index]
            first, last = doc[start], doc[end - 1]
            seg_index = bisect_right(analysis.starts, first.idx) - 1
            segment, seg_start = analysis.segments[seg_index], analysis.starts[seg_index]
            if rule.scopes is not None and segment.scope not in rule.scopes:
                continue
            sent = first.sent
            if sent.start not in cues:
                cues[sent.start] = self.context.cues(sent)
            kinds = self.context.detect(sent, cues[sent.start], start, end)
            actions = {rule.context[k] for k in kinds if k in rule.context}
            if "clear" in actions:
                continue
            severity = downgrade(rule.severity) if "downgrade" in actions else rule.severity
            yield Hit(
                rule,
                segment,
                first.idx - seg_start,
                last.idx + len(last.text) - seg_start,
                severity,
                kinds,
            )


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
