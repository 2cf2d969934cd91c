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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
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


def _member(col: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.isin(col, keys)`` for sorted ``keys``: a binary search, without isin's sorting."""
    k = np.searchsorted(keys, col)
    np.minimum(k, len(keys) - 1, out=k)
    return keys[k] == col


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

    @cached_property
    def keys(self) -> np.ndarray:
        """The accepted words, sorted, for a whole column (made on first use: few tests
        ever run on whole columns, and start-up would pay for all)."""
        return np.array(sorted(self.members), dtype=np.uint64)

    def vector(self, arrays: dict[str, np.ndarray], strings) -> np.ndarray:
        col = arrays[self.column]
        if self.kind in ("eq", "length"):
            return col == self.value
        if self.kind in ("in", "not_in"):
            found = _member(col, self.keys)
            return found if self.kind == "in" else ~found
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

    def holds(self, v: int, strings) -> bool:
        """The test on one token's value (a Python int from :attr:`TokenArrays.lists`)."""
        kind = self.kind
        if kind == "eq" or kind == "length":
            return v == self.value
        if kind == "in":
            return v in self.members
        if kind == "not_in":
            return v not in self.members
        if kind == "flag":
            return (v == 1) == self.value
        cache = self.members_cache
        if v not in cache:
            cache[v] = bool(self.value.search(strings[v]))
        return cache[v]


@dataclass(frozen=True)
class _Spec:
    tests: tuple[_Test, ...]
    low: int
    high: int

    def __post_init__(self) -> None:
        # Per test: (column, a C-level predicate or None, the answer it must give, test).
        # Calling a bound builtin like ``frozenset.__contains__`` skips a Python call per
        # token and test in the hot loop; a regular expression goes through its test.
        checks = []
        for t in self.tests:
            if t.kind in ("eq", "length"):
                checks.append((t.column, t.value.__eq__, True, t))
            elif t.kind in ("in", "not_in"):
                checks.append((t.column, t.members.__contains__, t.kind == "in", t))
            elif t.kind == "flag":
                checks.append((t.column, (1).__eq__, t.value, t))
            else:
                checks.append((t.column, None, True, t))
        object.__setattr__(self, "checks", tuple(checks))
        if len(checks) == 1 and checks[0][1] is not None:
            # Most specs test one attribute with a C-level predicate: an instance function
            # without the loop, called ~800,000 times per 10 MB.
            column, check, want, _ = checks[0]

            def holds(lists, i: int, strings) -> bool:
                return check(lists[column][i]) is want

            object.__setattr__(self, "holds", holds)

    def holds(self, lists, i: int, strings) -> bool:
        for column, check, want, test in self.checks:
            v = lists[column][i]
            if check is None:
                if not test.holds(v, strings):
                    return False
            elif check(v) is not want:
                return False
        return True

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
        self._single = [spec.low == 1 and spec.high == 1 for spec in specs]
        # The leading specs that take exactly one token: fixed offsets from the start.
        self.head: list[_Spec] = []
        for spec in specs:
            if spec.low != 1 or spec.high != 1:
                break
            self.head.append(spec)

    def columns(self) -> set[str]:
        return {t.column for s in self.specs for t in s.tests}

    def starts(self, arrays, strings) -> np.ndarray:
        """Positions where the first token can match (vectorised over the whole Doc)."""
        mask = np.zeros(len(arrays["SENT_START"]), dtype=bool)
        for spec in self.openers:
            m = np.ones_like(mask)
            for test in spec.tests:
                m &= test.vector(arrays, strings)
            mask |= m
        return np.flatnonzero(mask)

    def opens(self, lists, start: int, limit: int, strings) -> bool:
        """Can a match start at ``start`` and end by ``limit``? A quick test of what every
        match needs: its fixed leading tokens, or else one of its openers at ``start``."""
        head = self.head
        if head:
            if start + len(head) > limit:
                return False
            for j, spec in enumerate(head):
                if not spec.holds(lists, start + j, strings):
                    return False
            return True
        for spec in self.openers:
            if spec.holds(lists, start, strings):
                return True
        return False

    def longest(self, lists, start: int, limit: int, strings) -> int:
        """End of the match starting at ``start`` and ending by ``limit``, or -1: each token
        spec takes as many tokens as it can and backs off only when the rest fails.
        Call only where :meth:`opens` holds: the fixed leading tokens are not tried again."""
        n = len(self.head)
        end = self._match(n, start + n, lists, limit, strings)
        return end if end > start else -1

    # A method, not a closure: a recursive closure is a reference cycle per call, left for
    # the cyclic garbage collector.
    def ends(self, lists, start: int, limit: int, strings) -> list[int]:
        """The end of every match starting at ``start`` and ending by ``limit`` (what spaCy's
        Matcher reports); call only where :meth:`opens` holds."""
        found: set[int] = set()
        n = len(self.head)
        self._ends(n, start + n, lists, limit, strings, found, set())
        return sorted(end for end in found if end > start)

    def _ends(self, k: int, pos: int, lists, limit: int, strings, found: set, seen: set) -> None:
        if (k, pos) in seen:
            return
        seen.add((k, pos))
        specs = self.specs
        if k == len(specs):
            found.add(pos)
            return
        spec = specs[k]
        if spec.low == 0:
            self._ends(k + 1, pos, lists, limit, strings, found, seen)
        count = 0
        taken = pos
        while count < spec.high and taken < limit and spec.holds(lists, taken, strings):
            taken += 1
            count += 1
            if count >= spec.low:
                self._ends(k + 1, taken, lists, limit, strings, found, seen)

    def _match(self, k: int, pos: int, lists, limit: int, strings) -> int:
        specs = self.specs
        n = len(specs)
        # A run of specs that take exactly one token leaves nothing to back off to: walk it
        # in a loop instead of a call per token (a failure there fails this whole branch).
        single = self._single
        while k < n and single[k]:
            if pos >= limit or not specs[k].holds(lists, pos, strings):
                return -1
            pos += 1
            k += 1
        if k == n:
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
            end = self._match(k + 1, stop, lists, limit, strings)
            if end != -1:
                return end
        return -1


# Words too frequent in clinic copy to narrow anything down: a pattern is never gated on a
# token that accepts one of these.
COMMON = frozenset(
    "be have do the a an to of in on at for with and or but by as from it its we you your "
    "our my their this that these not no will can may more most all any some very so also "
    "hair loss treatment session , . - ' \" ( ) ! ?".split()
)


# Gates seen in a sentence are kept as bits of one int64.
MAX_GATES = 62
# An index entry that marks where a pattern's first token can match (not a gate).
OPENER = -1


class PatternSet:
    """Many labelled patterns, run together over a Doc.

    A pattern is tried only in sentences that contain a word for every one of its *gates*:
    the tokens it cannot skip whose accepted words are all uncommon. In a sentence that
    has them all, the match must pass through an occurrence of the first gate, so it is
    tried only at those occurrences, shifted back by the possible lengths of what precedes
    the gate in the pattern. Patterns with no gate, or with a run of varying length before
    their first gate, are tried where their first token can match: the words of its
    *openers* are indexed like gates.

    One binary search per attribute column finds every indexed word in the Doc, and array
    operations group the hits by pattern and sentence, so Python only sees the few
    (pattern, start) pairs left; a match is then tried token by token from each.
    """

    def __init__(self) -> None:
        self.patterns: list[tuple[str, TokenPattern]] = []
        self._gates: list[int] = []  # per pattern: number of gates
        # Per pattern: how many tokens can precede its first gate (None: unbounded).
        self._lead: list[tuple[int, int] | None] = []
        # column -> word -> [(pattern, gate number or OPENER)]
        self._index: dict[str, dict[int, list[tuple[int, int]]]] = {}
        # Patterns tried where their first token can match but whose openers name no words.
        self._scanned: list[int] = []
        self._columns: set[str] = set()
        self._flat: dict | None = None

    def __len__(self) -> int:
        return len(self.patterns)

    def add(self, label: str, pattern: TokenPattern) -> None:
        self._flat = None
        pid = len(self.patterns)
        self.patterns.append((label, pattern))
        self._columns |= pattern.columns()
        TokenArrays.wanted |= self._columns
        gates, lead = 0, None
        strings = pattern.strings
        for k, spec in enumerate(pattern.specs):
            test = spec.key_test()
            if spec.low == 0 or test is None or gates == MAX_GATES:
                continue
            words = _words(test)
            if any(strings[w].lower() in COMMON for w in words):
                continue
            self._enter(test.column, words, pid, gates)
            if gates == 0:
                before = pattern.specs[:k]
                shortest, longest = sum(x.low for x in before), sum(x.high for x in before)
                lead = (shortest, longest) if longest < _MAX else None
            gates += 1
        self._gates.append(gates)
        self._lead.append(lead)
        if lead is not None and lead[1] - lead[0] <= 1:
            return
        tests = [spec.key_test() for spec in pattern.openers]
        if any(test is None for test in tests):
            self._scanned.append(pid)
            return
        for test in tests:
            self._enter(test.column, _words(test), pid, OPENER)

    def _enter(self, column: str, words: list[int], pid: int, code: int) -> None:
        entries = self._index.setdefault(column, {})
        for word in words:
            entries.setdefault(word, []).append((pid, code))

    def _compile_index(self) -> None:
        """Sorted indexed words per column, and one flat run of (pattern, code) entries per
        word over all columns, so that one Doc's hits are expanded and grouped by numpy."""
        self._flat = {}
        entries: list[list[tuple[int, int]]] = []
        for column, words in self._index.items():
            keys = np.array(sorted(words), dtype=np.uint64)
            self._flat[column] = (keys, len(entries), _buckets(keys))
            entries += [words[int(k)] for k in keys]
        counts = np.array([len(e) for e in entries], dtype=np.int64)
        self._offsets = np.concatenate(([0], np.cumsum(counts)))
        self._pids = np.array([pid for e in entries for pid, _ in e], dtype=np.int64)
        self._codes = np.array([code for e in entries for _, code in e], dtype=np.int64)
        self._full = np.array([(1 << n) - 1 for n in self._gates], dtype=np.int64)
        # A narrow lead (its length varies by at most one token) is tried at each shift
        # back from the first gate; anything else where its openers' words are.
        narrow = [lead is not None and lead[1] - lead[0] <= 1 for lead in self._lead]
        self._narrow = np.array(narrow, dtype=bool)
        self._back = np.array([lead[0] if n else 0 for lead, n in zip(self._lead, narrow)])
        self._back2 = np.array([lead[1] if n else 0 for lead, n in zip(self._lead, narrow)])

    def _tries(self, arrays: TokenArrays) -> tuple[list[int], list[int]]:
        """(pattern, start) pairs worth trying, found with array operations."""
        if self._flat is None:
            self._compile_index()
        starts = arrays.sent_starts
        hit_parts, word_parts = [], []
        for column, (keys, base, buckets) in self._flat.items():
            positions, k = _lookup(arrays.columns[column], keys, buckets)
            hit_parts.append(positions)
            word_parts.append(k + base)
        try_pids: list[int] = []
        try_starts: list[int] = []
        complete_pids = np.zeros(0, dtype=np.int64)
        complete_sents = complete_pids
        words = np.concatenate(word_parts) if word_parts else complete_pids
        lo = self._offsets[words]
        n = self._offsets[words + 1] - lo
        total = int(n.sum())
        if total:
            # Entry index for every (hit, entry) pair: lo repeated, plus 0..n-1.
            idx = np.repeat(lo, n) + (np.arange(total) - np.repeat(np.cumsum(n) - n, n))
            pid, code = self._pids[idx], self._codes[idx]
            pos = np.repeat(np.concatenate(hit_parts), n)
            sent = np.searchsorted(starts, pos, side="right") - 1
            width = len(starts) + 1
            group = pid * width + sent
            order = np.argsort(group, kind="stable")
            group, pid, code, pos, sent = (a[order] for a in (group, pid, code, pos, sent))
            bits = np.where(code >= 0, np.left_shift(1, np.maximum(code, 0)), 0)
            bounds = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
            masks = np.bitwise_or.reduceat(bits, bounds)
            complete = masks == self._full[pid[bounds]]
            complete_pids, complete_sents = pid[bounds][complete], sent[bounds][complete]
            # Every entry of a sentence that holds all of its pattern's gates.
            ok = np.repeat(complete, np.diff(np.append(bounds, len(group))))
            take = ok & (code == 0) & self._narrow[pid]
            p, s, x = pid[take], sent[take], pos[take]
            for back in (self._back[p], self._back2[p]):
                begin = x - back
                keep = begin >= starts[s]
                try_pids += p[keep].tolist()
                try_starts += begin[keep].tolist()
            take = ok & (code == OPENER)
            try_pids += pid[take].tolist()
            try_starts += pos[take].tolist()
        for pid in self._scanned:
            at = self.patterns[pid][1].starts(arrays.columns, arrays.strings)
            if self._gates[pid]:
                sentences = complete_sents[complete_pids == pid]
                at = at[np.isin(np.searchsorted(starts, at, side="right") - 1, sentences)]
            try_pids += [pid] * len(at)
            try_starts += at.tolist()
        return try_pids, try_starts

    def __call__(self, doc: Doc, every: bool = False) -> list[tuple[str, int, int]]:
        """(label, start, end) of the matches in ``doc``, within its sentences: per pattern
        and start, the match :meth:`TokenPattern.longest` finds, or with ``every``, all of
        them (as spaCy's Matcher reports them)."""
        if not self.patterns or not len(doc):
            return []
        arrays = TokenArrays.of(doc, self._columns)
        lists, strings = arrays.lists, arrays.strings
        try_pids, try_starts = self._tries(arrays)
        if not try_pids:
            return []
        n = arrays.length
        tries = np.unique(np.array(try_pids, dtype=np.int64) * n + np.array(try_starts))
        ends = arrays.sentence_ends()
        patterns = self.patterns
        out = []
        for pid, start in zip(*(a.tolist() for a in np.divmod(tries, n))):
            label, pattern = patterns[pid]
            limit = ends[start]
            if not pattern.opens(lists, start, limit, strings):
                continue
            if every:
                out += [(label, start, end) for end in pattern.ends(lists, start, limit, strings)]
                continue
            end = pattern.longest(lists, start, limit, strings)
            if end != -1:
                out.append((label, start, end))
        return out


def _words(test: _Test) -> list[int]:
    return [int(test.value)] if test.kind == "eq" else sorted(test.members)


# The low bits of a hash that index a key set's bucket table (see _buckets).
_BUCKET_MASK = np.uint64(0xFFFF)


def _buckets(keys: np.ndarray) -> np.ndarray:
    """Which values of a hash's low 16 bits some key has: a table that rules out most
    tokens with one array lookup each, before the binary search (a binary search of a
    20,000-token column in ~1,000 keys costs ~0.8 ms; the table ~0.05 ms)."""
    table = np.zeros(int(_BUCKET_MASK) + 1, dtype=bool)
    table[keys & _BUCKET_MASK] = True
    return table


def _lookup(
    col: np.ndarray, keys: np.ndarray, buckets: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``col`` holding one of the sorted ``keys``, and which key each holds.
    ``buckets`` (from :func:`_buckets`) narrows the search to the tokens whose low bits
    some key shares; the keys then decide exactly as without it."""
    candidates = None
    if buckets is not None:
        candidates = np.flatnonzero(buckets[col & _BUCKET_MASK])
        col = col[candidates]
    k = np.searchsorted(keys, col)
    np.minimum(k, len(keys) - 1, out=k)
    hits = np.flatnonzero(keys[k] == col)
    positions = hits if candidates is None else candidates[hits]
    return positions, k[hits]


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
            return _Test(column, kind, tuple(hashes), frozenset(hashes))
        if op == "REGEX":
            try:
                return _Test(column, "regex", re.compile(items))
            except (re.error, TypeError) as exc:
                raise PatternError(f"{key} REGEX {items!r}: {exc}") from None
    raise PatternError(f"{key} takes a string or one of IN, NOT_IN, REGEX (got {value!r})")


class TokenArrays:
    """Token attribute columns of one Doc, read with ``Doc.to_array`` once for every
    matcher and check that tests tokens (the last Doc's are kept for the next caller)."""

    _last: TokenArrays | None = None
    # Every column a compiled matcher or check of this process tests (they add theirs):
    # read together, in one call per Doc.
    wanted: set[str] = {"SENT_START"}

    @classmethod
    def of(cls, doc: Doc, columns: Iterable[str] = ()) -> TokenArrays:
        arrays = cls._last
        if arrays is None or arrays.doc is not doc:
            arrays = cls._last = cls(doc)
        arrays.need(columns)
        return arrays

    def __init__(self, doc: Doc, columns: Iterable[str] = ()) -> None:
        self.doc = doc
        self.length = len(doc)
        self.strings = doc.vocab.strings
        self.columns: dict[str, np.ndarray] = _Columns(doc)
        self.lists = _Lists(self.columns, doc)
        self.need({*self.wanted, "SENT_START", "ORTH", *columns})  # ORTH: for lazy flags
        sent_start = self.columns["SENT_START"] = self.columns["SENT_START"].copy()
        if self.length:
            sent_start[0] = 1
        self.sent_starts = np.flatnonzero(sent_start == 1)
        self._sent_starts = self.sent_starts.tolist()

    def need(self, columns: Iterable[str]) -> None:
        """Read the columns not read yet, in one call."""
        from spacy import attrs

        missing = sorted(set(columns) - self.columns.keys() - LAZY_FLAGS.keys())
        if not missing:
            return
        table = self.doc.to_array([getattr(attrs, n) for n in missing])
        if table.ndim == 1:
            table = table.reshape(-1, 1)
        for i, name in enumerate(missing):
            self.columns[name] = table[:, i]

    def sentence_starts(self) -> list[int]:
        """The first token of each sentence (the first token always starts one)."""
        return self._sent_starts

    def sentence_of(self, i: int) -> int:
        return bisect_right(self._sent_starts, i) - 1

    def sentence_bounds(self, k: int) -> tuple[int, int]:
        starts = self._sent_starts
        return starts[k], starts[k + 1] if k + 1 < len(starts) else self.length

    def sentence_end(self, i: int) -> int:
        return self.sentence_bounds(self.sentence_of(i))[1]

    def sentence_ends(self) -> list[int]:
        """The end of each token's sentence, per token."""
        bounds = np.append(self.sent_starts, self.length)
        return np.repeat(bounds[1:], np.diff(bounds)).tolist()


# Lexeme flags that matchers test at a few tokens only: a few thousand reads per 10 MB,
# where ``Doc.to_array`` costs ~50 ms per flag column per 10 MB. They are not read with
# the other columns: a token's value is looked up when asked (:class:`_LexemeFlag`), and a
# whole column is read only if a vectorised test needs it (:class:`_Columns`).
LAZY_FLAGS = {
    "IS_ALPHA": "is_alpha",
    "IS_DIGIT": "is_digit",
    "IS_PUNCT": "is_punct",
    "IS_TITLE": "is_title",
}


class _Columns(dict):
    """Columns as numpy arrays; a lazy flag is read whole on first use."""

    def __init__(self, doc: Doc) -> None:
        super().__init__()
        self._doc = doc

    def __missing__(self, name: str) -> np.ndarray:
        if name not in LAZY_FLAGS:
            raise KeyError(name)
        from spacy import attrs

        values = self[name] = self._doc.to_array([getattr(attrs, name)]).reshape(-1)
        return values


class _LexemeFlag:
    """A lazy flag column as a list of ints, one token at a time: a token's flags are its
    lexeme's (what ``Doc.to_array`` reads), so the value is looked up by its ORTH, once per
    distinct word of the Doc."""

    def __init__(self, orth: list[int], vocab, attr: str) -> None:
        self._orth, self._vocab, self._attr = orth, vocab, attr
        self._values: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._orth)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._orth)))]
        orth = self._orth[i]
        value = self._values.get(orth)
        if value is None:
            value = self._values[orth] = int(getattr(self._vocab[orth], self._attr))
        return value


class _Lists(dict):
    """Columns as Python lists, converted on first use: a token-by-token matcher reads
    plain ints far faster than numpy scalars."""

    def __init__(self, columns: dict[str, np.ndarray], doc: Doc) -> None:
        super().__init__()
        self._columns = columns
        self._vocab = doc.vocab

    def __missing__(self, name: str) -> list[int]:
        if name in LAZY_FLAGS and not dict.__contains__(self._columns, name):
            values = self[name] = _LexemeFlag(self["ORTH"], self._vocab, LAZY_FLAGS[name])
            return values
        values = self[name] = self._columns[name].tolist()
        return values
