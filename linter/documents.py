"""Stage 2 of the pipeline: read documents.

Turns paths, directories and stdin into :class:`Document` values (raw text plus the format
that decides which markup extractor reads it), and owns :class:`LineIndex`, the only place
where a source offset becomes a line and column. Problems with one input (binary content,
undecodable bytes, unreadable files) are returned as :class:`ReadProblem` values so that the
other documents are still linted; a path that does not exist is a usage error.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

FORMAT_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}
DEFAULT_INCLUDE = tuple(f"*{suffix}" for suffix in FORMAT_BY_SUFFIX)
# Directories nobody wants linted; user excludes come on top of these.
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox")
# Bytes sniffed to tell text from binary, as git does: a NUL byte in the head means binary.
_SNIFF_BYTES = 8192


# How far a sentence read around a match reaches from it, at most, on either side.
CONTEXT_REACH = 200
# A line that starts a block (list item, heading, quote, table row, tag) starts a sentence.
_BLOCK_START = re.compile(r"[ \t]*(?:[-*+#>|]|\d+[.)]|<)")
_STOPS = re.compile(r"[<>.!?\n]")  # the characters at which a sentence() can end


class UsageError(Exception):
    """A problem with how claimsafe was called (exit code 2)."""


@dataclass(frozen=True)
class Document:
    """One input: its path as the user gave it, its decoded text and its format."""

    path: str
    text: str
    format: str  # "markdown" | "html" | "text"


@dataclass(frozen=True)
class ReadProblem:
    """An input that could not be read as given; ``code`` names the problem kind."""

    path: str
    code: str  # "binary" | "unreadable" | "decode-fallback"
    message: str


class LineIndex:
    """Maps 0-based character offsets to 1-based (line, column), columns in characters."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    @property
    def starts(self) -> list[int]:
        """Offset of the first character of each line."""
        return self._starts

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based ``line`` (clamped to the last line)."""
        return self._starts[min(max(line, 1), len(self._starts)) - 1]

    @property
    def line_count(self) -> int:
        return len(self._starts)


def format_for(path: str, default: str = "text") -> str:
    return FORMAT_BY_SUFFIX.get(os.path.splitext(path)[1].lower(), default)


def decode(data: bytes, path: str) -> tuple[str | None, ReadProblem | None]:
    """Decode bytes as UTF-8 (BOM allowed); binary is refused and other encodings fall back.

    The fallback is cp1252 for bytes it can map (the usual origin of non-UTF-8 web copy),
    else latin-1, which maps every byte: positions stay one character per byte.
    """
    if b"\x00" in data[:_SNIFF_BYTES]:
        return None, ReadProblem(path, "binary", "binary file skipped (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"
        return text, ReadProblem(
            path,
            "decode-fallback",
            f"not valid UTF-8 (byte {exc.start}); read as {encoding}, check the characters",
        )
    return text, None


def read_path(path: str) -> tuple[Document | None, list[ReadProblem]]:
    """Read one file; never raises for a file that exists but cannot be used."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, [ReadProblem(path, "unreadable", f"cannot read file: {exc.strerror or exc}")]
    text, problem = decode(data, path)
    problems = [problem] if problem else []
    if text is None:
        return None, problems
    return Document(path, text, format_for(path)), problems


def read_stdin(filename: str | None) -> tuple[Document | None, list[ReadProblem]]:
    path = filename or "-"
    text, problem = decode(sys.stdin.buffer.read(), path)
    problems = [problem] if problem else []
    if text is None:
        return None, problems
    return Document(path, text, format_for(path, "text")), problems


def _excluded(rel_path: str, patterns: Iterable[str]) -> bool:
    parts = rel_path.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel_path, pattern) or any(fnmatch.fnmatch(p, pattern) for p in parts):
            return True
    return False


def discover(
    paths: Iterable[str],
    include: Iterable[str] = DEFAULT_INCLUDE,
    exclude: Iterable[str] = (),
) -> Iterator[str]:
    """Expand the command-line paths into files, in a stable order.

    Files named explicitly are always linted (as a user expects when naming a file);
    directories are walked for files matching ``include`` and not matching ``exclude``
    (matched against the path relative to the directory and against each path part).
    """
    include = tuple(include)
    exclude = tuple(DEFAULT_EXCLUDE) + tuple(exclude)
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path):
                rel_root = os.path.relpath(root, path).replace(os.sep, "/")
                rel_root = "" if rel_root == "." else rel_root + "/"
                dirs[:] = sorted(d for d in dirs if not _excluded(rel_root + d, exclude))
                for name in files:
                    rel = rel_root + name
                    if any(fnmatch.fnmatch(name, g) for g in include) and not _excluded(
                        rel, exclude
                    ):
                        found.append(os.path.join(root, name))
            yield from sorted(found)
        elif os.path.exists(path):
            yield path
        else:
            raise UsageError(f"{path}: no such file or directory")


def sentence(text: str, start: int, end: int) -> str:
    """The source text of the sentence around ``text[start:end]``: it ends at a sentence
    mark followed by space, a blank line, a line that starts a block, or a tag. Only the
    characters that can end it are looked at (found by a scan in C), nearest first."""
    floor = max(0, start - CONTEXT_REACH)
    lo = floor
    for p in reversed([m.start() for m in _STOPS.finditer(text, floor, start)]):
        ch, after = text[p], p + 1
        if ch in "<>" or ch in ".!?" and after < len(text) and text[after].isspace():
            lo = after
            break
        if ch == "\n":
            previous = text.rfind("\n", 0, p) + 1
            if not text[previous:p].strip() or _BLOCK_START.match(text, after):
                lo = after
                break
    ceiling = min(len(text), end + CONTEXT_REACH)
    hi = ceiling
    for m in _STOPS.finditer(text, end, ceiling):
        p = m.start()
        ch = text[p]
        if ch in "<>":
            hi = p
            break
        if ch in ".!?" and (p + 1 >= len(text) or text[p + 1].isspace()):
            hi = p + 1
            break
        if ch == "\n":
            following = text.find("\n", p + 1)
            line = text[p + 1 : following if following != -1 else len(text)]
            if not line.strip() or _BLOCK_START.match(line):
                hi = p
                break
    return text[lo:hi].strip()
