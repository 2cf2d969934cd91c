"""Stage 4 of the pipeline: the only module that imports spaCy.

One pipeline per process, built on first use: a blank English tokenizer plus the
rule-based sentencizer, which works offline from what pip installs (no model download;
``en_core_web_sm`` is ~80x slower and not on PyPI). Lemma normalisation is a lookup
table written into the vocabulary's ``NORM`` attribute, so it costs nothing per token:
every inflected form of a word the rules or context cues use (``cures``, ``cured``,
``Curing``) gets that word's base form as its norm, and patterns match on ``NORM``.

Segments are analysed in chunks: several segments joined by blank lines into one spaCy
``Doc`` (far cheaper than a ``Doc`` per segment); the sentencizer treats that blank line
as a sentence end. Small documents share chunks too (:meth:`Pipeline.analyse_documents`),
with sentence starts set so that each document's sentences are exactly those it would
have alone.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from linter.markup import Segment

SEPARATOR = "\n\n"
CHUNK_CHARS = 100_000
# A single segment longer than this (a 10 MB text with no blank line) is cut at a sentence
# end so that no Doc grows without bound.
MAX_SEGMENT_CHARS = 200_000

# Forms that suffix rules cannot derive.
IRREGULAR = {
    "be": ("am", "is", "are", "was", "were", "been", "being", "'s", "'re", "'m"),
    "have": ("has", "had", "having", "'ve"),
    "do": ("does", "did", "done", "doing"),
    "grow": ("grew", "grown"),
    "regrow": ("regrew", "regrown"),
    "prove": ("proven",),
    "show": ("shown",),
    "see": ("saw", "seen"),
    "give": ("gave", "given"),
    "make": ("made",),
    "take": ("took", "taken"),
    "feel": ("felt",),
    "lose": ("lost",),
    "say": ("said",),
    "hear": ("heard",),
    "think": ("thought",),
    "sell": ("sold",),
    "will": ("'ll", "wo"),
    "can": ("ca",),
    "not": ("n't",),
}
# Function words that must stay themselves (inflecting "no" or "all" only adds noise).
_KEEP = frozenset(
    "a an the no not nor and or but if of in on at to by for with from as than then so "
    "any all every each our your my their its it we you they he she this that these those "
    "very more most less least just only also even ever never".split()
)
_WORD = re.compile(r"^[a-z][a-z'-]*$")
_CVC = re.compile(r"[^aeiou][aeiou][^aeiouwxy]$")


# Words that suffix rules would derive from a shorter word but that are words of their own
# ("fee" + "d", "see" + "d"): they never take another word's norm.
_NOT_FORMS = frozenset(
    "bed feed seed need weed reed deed red fed led wed his hers its news bus gas yes using".split()
)


def inflections(base: str) -> set[str]:
    """Regular English inflections of ``base`` (a superset: a form that is not a word is harmless)."""
    if len(base) < 3:
        return set(IRREGULAR.get(base, ()))
    forms = {base + "s", base + "ed", base + "ing", base + "es"}
    if base.endswith("e") and len(base) > 3:
        forms |= {base + "d", base[:-1] + "ing"}
    elif base.endswith("e"):
        forms.add(base[:-1] + "ing")
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    if _CVC.search(base):
        forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return (forms - _NOT_FORMS) | set(IRREGULAR.get(base, ()))


@dataclass
class Analysis:
    """A chunk's Doc and where each of its segments starts inside the Doc's text."""

    doc: Doc
    segments: Sequence[Segment]
    starts: Sequence[int]
    text: str = ""  # the chunk's text (the Doc's text, without walking its tokens)
    # Where each document in the chunk starts in ``text`` (documents are joined by
    # SEPARATOR, like segments): reading around a position must not leave its document.
    bounds: Sequence[int] = (0,)
    # From analyse_documents: which of its documents each of ``segments`` belongs to.
    documents: Sequence[int] = ()

    def segment_at(self, offset: int) -> tuple[Segment, int]:
        """The segment that holds ``offset`` of ``text``, and where that segment starts."""
        k = bisect_right(self.starts, offset) - 1
        return self.segments[k], self.starts[k]

    def document_span(self, offset: int) -> tuple[int, int]:
        """Start and end in ``text`` of the document that holds ``offset``."""
        bounds = self.bounds
        k = bisect_right(bounds, offset) - 1
        end = bounds[k + 1] - len(SEPARATOR) if k + 1 < len(bounds) else len(self.text)
        return bounds[k], end


class Pipeline:
    """The process-wide spaCy pipeline with its norm table."""

    def __init__(self) -> None:
        import spacy

        nlp = spacy.blank("en")
        # The blank line joining two segments in a chunk is a sentence boundary too, so a
        # heading never runs into the paragraph below it.
        from spacy.pipeline.sentencizer import Sentencizer

        nlp.add_pipe(
            "sentencizer", config={"punct_chars": [*Sentencizer.default_punct_chars, SEPARATOR]}
        )
        nlp.max_length = 10**9  # chunks are bounded by us, not by spaCy's guard
        self.nlp: Language = nlp
        self._lemma: dict[str, str] = {}
        self._install_norm_getter()
        for base, forms in IRREGULAR.items():
            for form in (base, *forms):
                self._set(form, base)
        # "et al." is one token, so a citation does not end its sentence.
        nlp.tokenizer.add_special_case("al.", [{"ORTH": "al."}])
        self._synced = False
        self._ends = None  # hashes of the sentencizer's punct_chars, sorted

    def _install_norm_getter(self) -> None:
        """Every lexeme spaCy creates from now on takes its NORM from the lemma table, so
        the table costs one dict lookup per *distinct* word, never one per token."""
        from spacy.attrs import NORM

        getters = self.nlp.vocab.lex_attr_getters
        fallback = getters.get(NORM)
        lemma = self._lemma

        def norm(string: str) -> str:
            found = lemma.get(string.lower())
            if found is not None:
                return found
            return fallback(string) if fallback is not None else string.lower()

        getters[NORM] = norm

    @property
    def vocab(self):
        return self.nlp.vocab

    def lemma(self, word: str) -> str:
        return self._lemma.get(word.lower(), word.lower())

    def add_words(self, words: Iterable[str]) -> None:
        """Give every inflection of each base word that word as its NORM (all casings).

        Call before compiling any pattern: matchers read norms when patterns are added.
        A form already claimed by another base keeps it, unless that base was the form
        itself ("claims" seen before "claim"), so the order words arrive in does not matter.
        """
        # The words the vocabulary holds, by lower case: thousands of forms are looked up
        # in a dict instead of three casings each in the vocabulary.
        held: dict[str, list[str]] = {}
        for lexeme in self.nlp.vocab:
            held.setdefault(lexeme.orth_.lower(), []).append(lexeme.orth_)
        for base in sorted({w.lower() for w in words}, key=len):
            if not _WORD.match(base) or base in _KEEP or self._lemma.get(base, base) != base:
                continue
            self._set(base, base, held)
            for form in inflections(base):
                if self._lemma.get(form, form) == form and form != base:
                    self._set(form, base, held)

    def freeze(self) -> None:
        """Finish the norm table; call after the last :meth:`add_words`, before matching.

        Contractions get their norms from tokenizer special cases ("doesn't" -> "does" +
        "n't"), not from the vocabulary, so those go through the lemma table here, once
        (only the special cases whose norm changes are rebuilt).
        """
        if self._synced:
            return
        self._synced = True
        from spacy.attrs import NORM, ORTH

        tokenizer = self.nlp.tokenizer
        for text, tokens in list(tokenizer.rules.items()):
            new, changed = [], False
            for attrs in tokens:
                norm = attrs.get(NORM, attrs.get(ORTH, ""))
                lemma = self._lemma.get(norm.lower())
                if lemma is not None and lemma != norm:
                    attrs = {**attrs, NORM: lemma}
                    changed = True
                new.append(attrs)
            if changed:
                tokenizer.add_special_case(text, new)

    def _set(self, form: str, base: str, held: dict[str, list[str]] | None = None) -> None:
        """``held``: the vocabulary's words by lower case (``form`` is lower case ASCII)."""
        # New words get their norm from the lexeme getter installed in __init__; only words
        # the vocabulary already holds need their norm rewritten.
        self._synced = False
        self._lemma[form] = base
        vocab = self.nlp.vocab
        variants = {form, form.capitalize(), form.upper()}
        if held is None:
            held_variants = [v for v in variants if v in vocab]
        else:
            held_variants = [v for v in held.get(form, ()) if v in variants]
        for variant in held_variants:
            vocab[variant].norm_ = base

    def make_doc(self, text: str) -> Doc:
        """Tokenise ``text`` (for patterns); norms apply as for analysed text."""
        return self.nlp.make_doc(text)

    def analyse(self, segments: Sequence[Segment]) -> Iterator[Analysis]:
        """Yield one :class:`Analysis` per chunk of segments, in order."""
        for members, starts, text in _chunks(segments):
            yield Analysis(self.sentences(self.nlp.make_doc(text)), members, starts, text)

    def analyse_documents(self, documents: Sequence[Sequence[Segment]]) -> Iterator[Analysis]:
        """Like :meth:`analyse` over every document's segments, in order, with small
        documents sharing a chunk: a ``Doc`` has a fixed cost (array reads, matcher set-up)
        that a 5 KB page pays as much as a 100 KB chunk does.

        What comes out for a document is what :meth:`analyse` gives for it alone: a document
        shares a chunk only when alone it would be one chunk whose text neither starts nor
        ends with whitespace (so that it tokenises the same with blank lines around it);
        each document and each blank line between two documents starts a sentence, and no
        sentencizer start is carried across them (see :meth:`sentences`). Readers of the
        chunk's text keep to a document with :meth:`Analysis.document_span`.
        """
        pack: list[tuple[int, tuple[list[Segment], list[int], str]]] = []
        size = 0
        for index, segments in enumerate(documents):
            chunks = list(_chunks(segments))
            if len(chunks) != 1 or not _joinable(chunks[0][2]):
                if pack:
                    yield self._packed(pack)
                    pack, size = [], 0
                for members, starts, text in chunks:
                    doc = self.sentences(self.nlp.make_doc(text))
                    yield Analysis(doc, members, starts, text, documents=[index] * len(members))
                continue
            pack.append((index, chunks[0]))
            size += len(chunks[0][2]) + len(SEPARATOR)
            if size >= CHUNK_CHARS:
                yield self._packed(pack)
                pack, size = [], 0
        if pack:
            yield self._packed(pack)

    def _packed(self, pack: list[tuple[int, tuple[list[Segment], list[int], str]]]) -> Analysis:
        members: list[Segment] = []
        starts: list[int] = []
        bounds: list[int] = []
        owners: list[int] = []
        offset = 0
        for index, (segments, segment_starts, text) in pack:
            bounds.append(offset)
            members += segments
            owners += [index] * len(segments)
            starts += [offset + s for s in segment_starts]
            offset += len(text) + len(SEPARATOR)
        text = SEPARATOR.join(text for _, (_, _, text) in pack)
        doc = self.sentences(self.nlp.make_doc(text), bounds)
        return Analysis(doc, members, starts, text, bounds, owners)

    def sentences(self, doc: Doc, bounds: Sequence[int] = (0,)) -> Doc:
        """Set the sentence starts the pipeline's sentencizer would set, with array
        operations instead of its walk over a Python object per token.

        The sentencizer starts a sentence at the first token after a sentence end
        (a token whose text is one of its ``punct_chars``) that is neither punctuation nor
        another end: that is, at a token of neither kind whose nearest token of either kind
        before it is an end. Tokens that already have a start value keep it.

        ``bounds``: where each document of a shared chunk starts in the Doc's text. Each
        document, and the blank line before it, is then a section run as if alone: its
        first token starts a sentence and no start is inferred from a token before it.
        """
        import numpy as np
        from spacy.attrs import IDX, IS_PUNCT, ORTH, SENT_START

        if not len(doc):
            return doc
        if self._ends is None:
            punct_chars = self.nlp.get_pipe("sentencizer").punct_chars
            strings = self.vocab.strings
            self._ends = np.array(sorted(strings.add(c) for c in punct_chars), dtype=np.uint64)
        table = doc.to_array([ORTH, IS_PUNCT, SENT_START])
        k = np.searchsorted(self._ends, table[:, 0])
        np.minimum(k, len(self._ends) - 1, out=k)
        end = self._ends[k] == table[:, 0]
        plain = ~end & (table[:, 1] == 0)
        either = np.flatnonzero(end | plain)
        before, after = either[:-1], either[1:]
        inferred = end[before] & plain[after]
        cuts = np.zeros(0, dtype=np.int64)
        if len(bounds) > 1:
            chars = [c for b in bounds[1:] for c in (b - len(SEPARATOR), b)]
            idx = doc.to_array(IDX)
            cuts = np.searchsorted(idx, np.array(chars, dtype=idx.dtype))
            section = np.searchsorted(cuts, either, side="right")
            inferred &= section[:-1] == section[1:]
            cuts = cuts[cuts < len(doc)]
        starts = after[inferred]
        values = np.full(len(doc), np.uint64(2**64 - 1))  # -1: not a sentence start
        values[0] = 1
        values[starts] = 1
        values[cuts] = 1
        given = table[:, 2] != 0
        values[given] = table[given, 2]
        return doc.from_array([SENT_START], values)


def _chunks(segments: Sequence[Segment]) -> Iterator[tuple[list[Segment], list[int], str]]:
    """(segments, where each starts in the text, text) of each chunk of ``segments``."""
    pieces: list[str] = []
    members: list[Segment] = []
    starts: list[int] = []
    size = 0
    for segment in _bounded(segments):
        starts.append(size)
        members.append(segment)
        pieces.append(segment.text)
        size += len(segment.text) + len(SEPARATOR)
        if size >= CHUNK_CHARS:
            yield members, starts, SEPARATOR.join(pieces)
            pieces, members, starts, size = [], [], [], 0
    if members:
        yield members, starts, SEPARATOR.join(pieces)


def _joinable(text: str) -> bool:
    """Does ``text`` tokenise the same between blank lines as alone? (Whitespace at its
    edge would merge with the blank line into another token.)"""
    return bool(text) and not text[0].isspace() and not text[-1].isspace()


def _bounded(segments: Iterable[Segment]) -> Iterator[Segment]:
    """Cut any segment longer than MAX_SEGMENT_CHARS at sentence ends (rare: huge plain text)."""
    from linter.markup import Segment

    for segment in segments:
        text = segment.text
        if len(text) <= MAX_SEGMENT_CHARS:
            yield segment
            continue
        start = 0
        while start < len(text):
            end = min(start + MAX_SEGMENT_CHARS, len(text))
            if end < len(text):
                cut = max(text.rfind(". ", start, end), text.rfind("\n", start, end))
                if cut > start:
                    end = cut + 1
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                begin = start + lead
                yield Segment(
                    piece, segment.scope, segment.offsets.slice(begin, begin + len(piece))
                )
            start = end


_PIPELINE: Pipeline | None = None


def pipeline() -> Pipeline:
    """The process-wide pipeline (built on first call)."""
    global _PIPELINE
    if _PIPELINE is None:
        with lasting():
            _PIPELINE = Pipeline()
    return _PIPELINE


@contextmanager
def lasting() -> Iterator[None]:
    """Build what lives as long as the process: with the cyclic garbage collector paused,
    then out of its reach.

    Loading the rules, importing spaCy, building the pipeline and compiling the matchers
    make a few hundred thousand objects, none of them garbage. The collector's passes over
    them (one per 700 new objects, and now and then a full one over everything) would free
    nothing and cost a tenth of a second of start-up, and every later full pass would walk
    them again. Frozen, they are also shared by forked workers instead of copied when the
    collector touches them. (Cycles among them are never collected: build only what the
    process keeps.)
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
