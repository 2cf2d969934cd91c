"""Stage 5b helper: token patterns, matched from candidate positions only.

Rules write token patterns in spaCy's Matcher syntax. spaCy's Matcher steps a state
machine for every pattern at every token and builds a Python ``Token`` per token, which
measured ~50x slower than tokenising on clinic copy. Claims are rare, so this module
matches differently: it reads the token attributes the patterns test into arrays once per
Doc (one C call), finds the few positions where a pattern's first token can match (a
vectorised test), and only there runs a small backtracking matcher bounded by the
sentence. Results are the longest match per start position, which is what the checks keep.

The supported subset of the Matcher syntax is validated at load time (an unsupported key
or operator is a rule error): token attributes ``NORM``, ``LOWER``, ``ORTH``/``TEXT``,
``SHAPE`` (a string, or ``IN``/``NOT_IN``/``REGEX``), the flags ``IS_DIGIT``,
``LIKE_NUM``, ``IS_PUNCT``, ``IS_ALPHA``, ``IS_TITLE``, ``IS_UPPER``, ``IS_SPACE``,
``IS_SENT_START``, ``LENGTH``, and the operators ``?``, ``*``, ``+``, ``{n}``, ``{n,m}``,
``{,m}``, ``{n,}``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

STRING_ATTRS = {"NORM": "NORM", "LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH", "SHAPE": "SHAPE"}
FLAG_ATTRS = {
    "IS_DIGIT": "IS_DIGIT",
    "LIKE_NUM": "LIKE_NUM",
    "IS_PUNCT": "IS_PUNCT",
    "IS_ALPHA": "IS_ALPHA",
    "IS_TITLE": "IS_TITLE",
    "IS_UPPER": "IS_UPPER",
    "IS_SPACE": "IS_SPACE",
    "IS_SENT_START": "SENT_START",
}
_OP = re.compile(r"^\{(\d*)(,?)(\d*)\}$")
_MAX = 10**6


class PatternError(ValueError):
    """A token pattern outside the supported subset."""


def repetitions(op: str | None) -> tuple[int, int]:
    if op in (None, ""):
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _MAX
    if op == "+":
        return 1, _MAX
    m = _OP.match(op)
    if not m or not (m[1] or m[3]):
        raise PatternError(
            f"unsupported operator {op!r} (use ?, *, +, {{n}}, {{n,m}}, {{,m}}, {{n,}})"
        )
    low = int(m[1] or 0)
    high = int(m[3]) if m[3] else (_MAX if m[2] else low)
    if high < low:
        raise PatternError(f"operator {op!r}: maximum below minimum")
    return low, high


@dataclass(frozen=True)
class _Test:
    column: str
    kind: str  # "eq" | "in" | "not_in" | "regex" | "flag" | "length"
    value: object
    members: frozenset = frozenset()
    members_cache: dict = field(default_factory=dict, compare=False, hash=False)

    def vector(self, arrays: dict[str, np.ndarray], strings) -> np.ndarray:
        col = arrays[self.column]
        if self.kind in ("eq", "length"):
            return col == self.value
        if self.kind == "in":
            return np.isin(col, self.value)
        if self.kind == "not_in":
            return ~np.isin(col, self.value)
        if self.kind == "flag":
            return (col == 1) == self.value
        # A regular expression is run once per distinct word, not once per token.
        distinct, inverse = np.unique(col, return_inverse=True)
        cache = self.members_cache
        verdicts = []
        for h in distinct.tolist():
            if h not in cache:
                cache[h] = bool(self.value.search(strings[h]))
            verdicts.append(cache[h])
        return np.array(verdicts, dtype=bool)[inverse]

    def holds(self, arrays: dict[str, np.ndarray], i: int, strings) -> bool:
        v = arrays[self.column][i]
        kind = self.kind
        if kind in ("eq", "length"):
            return v == self.value
        if kind == "in":
            return v in self.members
        if kind == "not_in":
            return v not in self.members
        if kind == "flag":
            return (v == 1) == self.value
        h = int(v)
        if h not in self.members_cache:
            self.members_cache[h] = bool(self.value.search(strings[h]))
        return self.members_cache[h]


@dataclass(frozen=True)
class _Spec:
    tests: tuple[_Test, ...]
    low: int
    high: int

    def holds(self, arrays, i: int, strings) -> bool:
        return all(t.holds(arrays, i, strings) for t in self.tests)

    def key_test(self) -> _Test | None:
        """A test naming the exact words this token accepts, usable as an index key."""
        return next((t for t in self.tests if t.kind in ("eq", "in")), None)


class TokenPattern:
    """One compiled pattern."""

    def __init__(self, specs: list[_Spec], strings) -> None:
        self.specs = specs
        self.strings = strings
        # The specs that can consume a match's first token: up to the first required one.
        self.openers: list[_Spec] = []
        for spec in specs:
            self.openers.append(spec)
            if spec.low > 0:
                break

    def columns(self) -> set[str]:
        return {t.column for s in self.specs for t in s.tests}

    def starts(self, arrays, strings, lo: int = 0, hi: int | None = None) -> list[int]:
        """Positions in ``[lo, hi)`` where the first token can match (vectorised)."""
        window = {name: col[lo:hi] for name, col in arrays.items()}
        mask = np.zeros(len(window["SENT_START"]), dtype=bool)
        for spec in self.openers:
            m = np.ones_like(mask)
            for test in spec.tests:
                m &= test.vector(window, strings)
            mask |= m
        return (np.flatnonzero(mask) + lo).tolist()

    def longest(self, arrays, start: int, limit: int, strings) -> int:
        """End of the longest match starting at ``start`` and ending by ``limit``, or -1."""
        specs = self.specs

        def match(k: int, pos: int) -> int:
            if k == len(specs):
                return pos
            spec = specs[k]
            # Greedy: take as many tokens as the spec allows, then back off.
            stops = [pos] if spec.low == 0 else []
            taken = count = 0
            taken = pos
            while count < spec.high and taken < limit and spec.holds(arrays, taken, strings):
                taken += 1
                count += 1
                if count >= spec.low:
                    stops.append(taken)
            for stop in reversed(stops):
                end = match(k + 1, stop)
                if end != -1:
                    return end
            return -1

        end = match(0, start)
        return end if end > start else -1


# Words too frequent in clinic copy to narrow anything down: a pattern is never gated on a
# token that accepts one of these.
COMMON = frozenset(
    "be have do the a an to of in on at for with and or but by as from it its we you your "
    "our my their this that these not no will can may more most all any some very so also "
    "hair loss treatment session , . - ' \" ( ) ! ?".split()
)


# Gates seen in a sentence are kept as bits of one int64.
MAX_GATES = 62


class PatternSet:
    """Many labelled patterns, run together over a Doc.

    A pattern is tried only in sentences that contain a word for every one of its *gates*:
    the tokens it cannot skip whose accepted words are all uncommon. One ``isin`` per
    attribute column finds every gate word in the Doc. In a sentence that has them all,
    the match must pass through an occurrence of the first gate, so it is tried only at
    those occurrences, shifted back by the possible lengths of what precedes the gate in
    the pattern. Patterns with no gate, or with an unbounded run before their first gate,
    are tried wherever their first token can match.
    """

    def __init__(self) -> None:
        self.patterns: list[tuple[str, TokenPattern]] = []
        self._gates: list[int] = []  # per pattern: number of gates
        # Per pattern: how many tokens can precede its first gate (None: unbounded).
        self._lead: list[tuple[int, int] | None] = []
        self._index: dict[str, dict[int, list[tuple[int, int]]]] = {}
        self._ungated: list[int] = []
        self._columns: set[str] = set()

    def __len__(self) -> int:
        return len(self.patterns)

    def add(self, label: str, pattern: TokenPattern) -> None:
        self._flat = None
        pid = len(self.patterns)
        self.patterns.append((label, pattern))
        self._columns |= pattern.columns()
        gates, lead = 0, None
        strings = pattern.strings
        for k, spec in enumerate(pattern.specs):
            test = spec.key_test()
            if spec.low == 0 or test is None or gates == MAX_GATES:
                continue
            words = [test.value] if test.kind == "eq" else sorted(test.members)
            if any(strings[int(w)].lower() in COMMON for w in words):
                continue
            column = self._index.setdefault(test.column, {})
            for word in words:
                column.setdefault(int(word), []).append((pid, gates))
            if gates == 0:
                before = pattern.specs[:k]
                shortest, longest = sum(x.low for x in before), sum(x.high for x in before)
                lead = (shortest, longest) if longest < _MAX else None
            gates += 1
        self._gates.append(gates)
        self._lead.append(lead)
        if not gates:
            self._ungated.append(pid)

    def _compile_index(self) -> None:
        """Flat arrays per column: sorted gate words, and for each word its run of
        (pattern, gate) entries, so that one Doc's gate hits are grouped by numpy."""
        self._flat = {}
        for column, words in self._index.items():
            keys = np.array(sorted(words), dtype=np.uint64)
            entries = [words[int(k)] for k in keys]
            counts = np.array([len(e) for e in entries], dtype=np.int64)
            offsets = np.concatenate(([0], np.cumsum(counts)))
            pids = np.array([pid for e in entries for pid, _ in e], dtype=np.int64)
            gates = np.array([gate for e in entries for _, gate in e], dtype=np.int64)
            self._flat[column] = (keys, offsets, pids, gates)
        self._full = np.array([(1 << n) - 1 for n in self._gates], dtype=np.int64)

    def _gated(self, arrays: TokenArrays) -> tuple[list[tuple[int, int]], dict]:
        """The (pattern, sentence) pairs whose gates all occur, and where each pair's first
        gate occurs; computed with array operations, not per gate hit."""
        if getattr(self, "_flat", None) is None:
            self._compile_index()
        starts = np.asarray(arrays.sent_starts, dtype=np.int64)
        pid_parts, sent_parts, bit_parts, pos_parts = [], [], [], []
        for column, (keys, offsets, pids, gates) in self._flat.items():
            col = arrays.columns[column]
            positions = np.flatnonzero(np.isin(col, keys))
            if not len(positions):
                continue
            k = np.searchsorted(keys, col[positions])
            lo, n = offsets[k], offsets[k + 1] - offsets[k]
            total = int(n.sum())
            # Entry index for every (position, entry) pair: lo repeated, plus 0..n-1.
            idx = np.repeat(lo, n) + (np.arange(total) - np.repeat(np.cumsum(n) - n, n))
            pos = np.repeat(positions, n)
            pid_parts.append(pids[idx])
            bit_parts.append(np.left_shift(1, gates[idx]))
            sent_parts.append(np.searchsorted(starts, pos, side="right") - 1)
            pos_parts.append(np.where(gates[idx] == 0, pos, -1))
        if not pid_parts:
            return [], {}
        pid = np.concatenate(pid_parts)
        sent = np.concatenate(sent_parts)
        bits = np.concatenate(bit_parts)
        pos = np.concatenate(pos_parts)
        group = pid * (len(starts) + 1) + sent
        order = np.argsort(group, kind="stable")
        group, bits, pos = group[order], bits[order], pos[order]
        bounds = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        masks = np.bitwise_or.reduceat(bits, bounds)
        heads = group[bounds]
        complete = masks == self._full[heads // (len(starts) + 1)]
        ends = np.concatenate((bounds[1:], [len(group)]))
        gated, first = [], {}
        for b, e, head in zip(
            bounds[complete].tolist(), ends[complete].tolist(), heads[complete].tolist()
        ):
            key = (head // (len(starts) + 1), head % (len(starts) + 1))
            gated.append(key)
            first[key] = [p for p in pos[b:e].tolist() if p >= 0]
        return gated, first

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        if not self.patterns or not len(doc):
            return []
        arrays = TokenArrays(doc, self._columns)
        cols, strings = arrays.columns, arrays.strings
        gated, first = self._gated(arrays)
        tries: set[tuple[int, int]] = set()
        for pid, sentence in gated:
            lo, hi = arrays.sentence_bounds(sentence)
            lead = self._lead[pid]
            if lead is None:
                starts = self.patterns[pid][1].starts(cols, strings, lo, hi)
                tries.update((pid, i) for i in starts)
                continue
            if lead[1] - lead[0] > 1:
                # A wide run before the gate: finding the openers in the sentence is
                # cheaper than trying every shift back from the gate.
                tries.update((pid, i) for i in self.patterns[pid][1].starts(cols, strings, lo, hi))
                continue
            for position in first[(pid, sentence)]:
                for back in range(lead[0], lead[1] + 1):
                    if position - back >= lo:
                        tries.add((pid, position - back))
        for pid in self._ungated:
            tries.update((pid, p) for p in self.patterns[pid][1].starts(cols, strings))
        out = []
        for pid, start in sorted(tries):
            label, pattern = self.patterns[pid]
            end = pattern.longest(cols, start, arrays.sentence_end(start), strings)
            if end != -1:
                out.append((label, start, end))
        return out


def compile_pattern(tokens: list[dict], vocab: Vocab) -> TokenPattern:
    """Compile a Matcher-style pattern (NORM values already lemmatised by the caller)."""
    strings = vocab.strings
    specs = []
    for token in tokens:
        if not isinstance(token, dict):
            raise PatternError("a token pattern is a list of token dicts")
        low, high = repetitions(token.get("OP"))
        tests = []
        for key, value in token.items():
            if key == "OP":
                continue
            if key in STRING_ATTRS:
                tests.append(_string_test(STRING_ATTRS[key], key, value, strings))
            elif key in FLAG_ATTRS:
                if not isinstance(value, bool):
                    raise PatternError(f"{key} takes true or false")
                tests.append(_Test(FLAG_ATTRS[key], "flag", value))
            elif key == "LENGTH":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise PatternError("LENGTH takes a whole number")
                tests.append(_Test("LENGTH", "length", value))
            else:
                raise PatternError(f"unsupported token attribute {key!r}")
        specs.append(_Spec(tuple(tests), low, high))
    if not specs or all(s.low == 0 for s in specs):
        raise PatternError("a token pattern needs at least one token that must match")
    return TokenPattern(specs, strings)


def _string_test(column: str, key: str, value, strings) -> _Test:
    def h(v) -> int:
        if not isinstance(v, str):
            raise PatternError(
                f'{key} values must be strings (got {v!r}); quote numbers like "100"'
            )
        return strings.add(v.lower() if key == "LOWER" else v)

    if isinstance(value, str):
        return _Test(column, "eq", h(value))
    if isinstance(value, dict) and len(value) == 1:
        ((op, items),) = value.items()
        if op in ("IN", "NOT_IN"):
            if not isinstance(items, list) or not items:
                raise PatternError(f"{key} {op} takes a non-empty list")
            hashes = [h(v) for v in items]
            kind = "in" if op == "IN" else "not_in"
            return _Test(column, kind, np.array(hashes, dtype=np.uint64), frozenset(hashes))
        if op == "REGEX":
            try:
                return _Test(column, "regex", re.compile(items))
            except (re.error, TypeError) as exc:
                raise PatternError(f"{key} REGEX {items!r}: {exc}") from None
    raise PatternError(f"{key} takes a string or one of IN, NOT_IN, REGEX (got {value!r})")


class TokenArrays:
    """The attribute columns of one Doc that the compiled patterns test."""

    def __init__(self, doc: Doc, columns: set[str]) -> None:
        from spacy import attrs

        names = sorted(columns | {"SENT_START"})
        table = doc.to_array([getattr(attrs, n) for n in names])
        if table.ndim == 1:
            table = table.reshape(-1, 1)
        self.columns = {n: table[:, i] for i, n in enumerate(names)}
        sent_start = self.columns["SENT_START"] = self.columns["SENT_START"].copy()
        sent_start[0] = 1
        self.sent_starts = np.flatnonzero(sent_start == 1)
        self._sent_starts = self.sent_starts.tolist()
        self.length = len(doc)
        self.strings = doc.vocab.strings

    def sentence_of(self, i: int) -> int:
        return bisect_right(self._sent_starts, i) - 1

    def sentence_bounds(self, k: int) -> tuple[int, int]:
        starts = self._sent_starts
        return starts[k], starts[k + 1] if k + 1 < len(starts) else self.length

    def sentence_end(self, i: int) -> int:
        return self.sentence_bounds(self.sentence_of(i))[1]
