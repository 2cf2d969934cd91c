"""Stage 5c of the pipeline: claims made by answering a question.

FAQ copy often makes its claim in two sentences: "Does mesotherapy hurt? Not at all." or
"Are there any side effects? None whatsoever." Neither sentence holds the claim alone, so
no pattern (which matches within a sentence) can see it. A rule with an ``answer`` check
names the question's topic (``question``: words for something bad, such as pain or side
effects) and the openings of an answer that denies it (``answer``); the claim is the
answer's opening, found when:

- a sentence ends in "?" and holds a topic word, without a negation of its own ("Is there
  no risk at all?" asks something else);
- the next sentence of the same document opens with one of the answer's openings, as a
  whole answer ("No.", "None whatsoever", "Not at all!": "No more than a wax" is not one);
- and no ``unless`` word in that answer sentence softens it ("No, not usually", "No, most
  people feel only a slight sting" are honest answers).

Questions are found by their "?" (a scan in C), so copy without questions costs nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import TYPE_CHECKING

from linter.checks import Hit
from linter.context import opening

if TYPE_CHECKING:
    from linter.nlp import Analysis
    from linter.rulebook import Rule

# A question with a negation of its own asks something else ("Is there no risk at all?").
_NEGATION = re.compile(r"\b(?:no|not|never|without|none|nothing)\b|n[’']t\b", re.IGNORECASE)
_QUESTION_MARK = re.compile(r"\?")
# May follow a question's "?" in its sentence: closing quotes, and the next sentence's
# opening quote, which the sentencizer leaves with the question ('“Did it hurt?” “No.”').
_CLOSERS = "\"'“”‘’«»)] \t\n"
# How far into the answer its opening is looked for.
_OPENING_REACH = 60


def _words(words: list[str]) -> re.Pattern[str]:
    """Any of ``words`` as whole words, case-insensitively; a space or hyphen inside one
    stands for either ("side effects", "side-effects")."""
    forms = sorted({w.lower() for w in words}, key=len, reverse=True)
    alternatives = "|".join(
        r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", form)) for form in forms
    )
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


class AnswerCheck:
    """The ``answer`` check rules, searched in each analysed chunk."""

    def __init__(self, rules: list[Rule]) -> None:
        self.checks = [
            (
                rule,
                _words(rule.check["question"]),
                opening(rule.check["answer"], whole=True),
                _words(rule.check["unless"]) if rule.check.get("unless") else None,
            )
            for rule in rules
            if rule.check and rule.check["kind"] == "answer"
        ]

    def hits(self, analysis: Analysis) -> Iterator[Hit]:
        if not self.checks:
            return
        from linter.patterns import TokenArrays

        text = analysis.text
        marks = [m.start() for m in _QUESTION_MARK.finditer(text)]
        if not marks:
            return
        arrays = TokenArrays.of(analysis.doc, ("IDX",))
        idx = arrays.lists["IDX"]
        # Sentence starts as characters, and the end of the text after the last one.
        bounds = [idx[s] for s in arrays.sentence_starts()] + [len(text)]
        done = set()
        for mark in marks:
            k = bisect_right(bounds, mark) - 1
            if k in done or k + 1 >= len(bounds) - 1:
                continue  # a sentence with two marks, or no sentence after it
            done.add(k)
            begin = bounds[k + 1]
            end = min(bounds[k + 2], analysis.document_span(bounds[k])[1])
            if begin >= end:
                continue  # the next sentence is another document's
            # Most answers open with none of the openings: that is tried first.
            answer = text[begin:end]
            opened = [
                (rule, topic, found, unless)
                for rule, topic, opening, unless in self.checks
                if (found := opening.match(answer, 0, _OPENING_REACH)) is not None
            ]
            if not opened:
                continue
            question = text[bounds[k] : bounds[k + 1]]
            if question.rstrip(_CLOSERS)[-1:] != "?" or _NEGATION.search(question):
                continue
            for rule, topic, found, unless in opened:
                if topic.search(question) and not (unless is not None and unless.search(answer)):
                    start, stop = begin + found.start("answer"), begin + found.end("answer")
                    segment, offset = analysis.segment_at(start)
                    yield Hit(
                        rule, segment, start - offset, stop - offset, rule.severity, frozenset()
                    )
