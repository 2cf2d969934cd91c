"""Only what a change touched: read a unified diff into the changed lines of each file.

``claimsafe check --diff BASE`` asks git for the diff between the merge base of BASE and
HEAD and the working tree (``git diff --unified=0 -M``); ``--diff-file FILE`` (``-`` for
stdin) reads a unified diff that a CI system already has. Either way the diff becomes a
:class:`Changes`: for each file, the lines of the new version that were added or changed,
and whether the change touched the file at all. :func:`filter_report` then keeps claim
findings on changed lines, document-level findings and tool problems of touched files.

What counts: a new file is touched on every line; a deleted file is skipped (there is
nothing to lint); a binary diff is skipped; a rename counts only its changed lines, so a
pure rename (or a mode change) touches nothing; a hunk that only removes lines touches the
file (a removed risks paragraph can make a page incomplete) but changes no line of it.
Paths are kept relative to the repository root in POSIX form, as git prints them.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

from linter.engine import Report

# Findings about a whole document (a promotional page that omits who should not have the
# treatment, or its risks): reported when the change touched the document at all.
DOCUMENT_CATEGORIES = ("missing-contraindications", "missing-risks")

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_BINARY = re.compile(r"^Binary files (.+) and (.+) differ$")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class DiffError(Exception):
    """The diff could not be had or read (exit code 2)."""


@dataclass
class FileChange:
    """One file of a diff. ``path`` is the new path (``None`` when deleted), ``old_path``
    the old one (``None`` when added); ``lines`` are 1-based lines of the new version."""

    path: str | None
    old_path: str | None
    lines: set[int] = field(default_factory=set)
    hunks: int = 0
    binary: bool = False

    @property
    def added(self) -> bool:
        return self.old_path is None and self.path is not None

    @property
    def deleted(self) -> bool:
        return self.path is None

    @property
    def renamed(self) -> bool:
        return None not in (self.path, self.old_path) and self.path != self.old_path

    @property
    def touched(self) -> bool:
        """Whether findings about this file as a whole are worth reporting."""
        return not self.binary and not self.deleted and (self.added or self.hunks > 0)


@dataclass
class Changes:
    """The files of one diff, by new path relative to ``root`` (the repository root)."""

    root: str
    files: dict[str, FileChange] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)

    def key(self, path: str) -> str:
        """A path as given on the command line, as the diff names it."""
        return relative(path, self.root)

    def get(self, path: str) -> FileChange | None:
        return self.files.get(self.key(path))

    def touched_paths(self) -> list[str]:
        """Paths (relative to the root) of the files worth linting, in diff order."""
        return [p for p, change in self.files.items() if change.touched]


def relative(path: str, base: str) -> str:
    """``path`` relative to ``base`` in POSIX form; symlinked directories are resolved on
    both sides (a temporary directory is often reached through one), the file is not."""
    path = os.path.abspath(path)
    real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    rel = os.path.relpath(real, os.path.realpath(base))
    return "." if rel == "." else rel.replace(os.sep, "/")


# -- reading a unified diff ------------------------------------------------------------------


def parse(text: str, root: str = ".") -> Changes:
    """Read a unified diff (git's, with or without renames and binary notes, or a plain
    ``diff -u``): the added or changed lines of each file of the new version."""
    changes = Changes(root)
    lines = text.split("\n")  # not splitlines(): a form feed in a changed line is no line end
    if lines and lines[-1] == "":
        lines.pop()
    current: FileChange | None = None
    git_header: tuple[str | None, str | None] = (None, None)
    i = 0

    def finish() -> None:
        nonlocal current
        if current is None:
            return
        if current.path is None and current.old_path is None:
            current = None
            return
        if current.deleted:
            changes.deleted.append(current.old_path)
        else:
            existing = changes.files.get(current.path)
            if existing is not None:  # the same file twice (concatenated diffs): merge
                existing.lines |= current.lines
                existing.hunks += current.hunks
                existing.binary = existing.binary or current.binary
            else:
                changes.files[current.path] = current
        current = None

    while i < len(lines):
        line = lines[i].rstrip("\r")
        if line.startswith("diff --git "):
            finish()
            git_header = _git_header_paths(line[len("diff --git ") :])
            current = FileChange(git_header[1], git_header[0])
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            old, new = _diff_path(line[4:], "a/"), _diff_path(lines[i + 1].rstrip("\r")[4:], "b/")
            if (
                current is None
                or current.hunks
                or current.path is None
                and current.old_path is None
            ):
                finish()
                current = FileChange(new, old)
            else:  # inside a git header: the ---/+++ names are the exact ones
                current.old_path, current.path = old, new
            i += 1
        elif current is not None and line.startswith("new file mode"):
            current.old_path = None
        elif current is not None and line.startswith("deleted file mode"):
            current.path = None
        elif current is not None and line.startswith(("rename from ", "copy from ")):
            current.old_path = _unquote(line.split(" ", 2)[2])
        elif current is not None and line.startswith(("rename to ", "copy to ")):
            current.path = _unquote(line.split(" ", 2)[2])
        elif current is not None and (line.startswith("GIT binary patch") or _BINARY.match(line)):
            match = _BINARY.match(line)
            if match and current.path is None and current.old_path is None:
                current.old_path = _diff_path(match.group(1), "a/")
                current.path = _diff_path(match.group(2), "b/")
            current.binary = True
        elif current is not None and (match := _HUNK.match(line)):
            old_count = 1 if match.group(2) is None else int(match.group(2))
            new_start = int(match.group(3))
            new_count = 1 if match.group(4) is None else int(match.group(4))
            current.hunks += 1
            i = _read_hunk(lines, i + 1, old_count, new_start, new_count, current.lines)
            continue
        i += 1
    finish()
    return changes


def _read_hunk(
    lines: list[str], i: int, old_left: int, new_line: int, new_left: int, added: set[int]
) -> int:
    """Consume one hunk's body by its counts (a removed line "-- x" looks like a header)."""
    while i < len(lines) and (old_left > 0 or new_left > 0):
        line = lines[i]
        tag = line[:1]
        if tag == "+":
            added.add(new_line)
            new_line += 1
            new_left -= 1
        elif tag == "-":
            old_left -= 1
        elif tag == " " or line in ("", "\r"):  # context (some tools drop an empty line's space)
            new_line += 1
            new_left -= 1
            old_left -= 1
        elif tag != "\\":  # "\ No newline at end of file" is a note; anything else ends it
            break
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        i += 1
    return i


def _git_header_paths(rest: str) -> tuple[str | None, str | None]:
    """The two names of ``diff --git a/X b/Y``: exact when quoted or when both are the
    same (the usual case); a rename's exact names come from its ``rename`` lines."""
    if rest.startswith('"'):
        old, end = _read_quoted(rest)
        new = rest[end:].lstrip()
        return _strip_prefix(old, "a/"), _strip_prefix(_unquote(new), "b/")
    if rest.endswith('"'):
        start = rest.rfind(' "')
        return _strip_prefix(rest[:start], "a/"), _strip_prefix(_unquote(rest[start + 1 :]), "b/")
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half] == " ":
        old, new = rest[:half], rest[half + 1 :]
        if old[2:] == new[2:] or old == new:
            return _strip_prefix(old, "a/"), _strip_prefix(new, "b/")
    parts = rest.split(" ")
    return _strip_prefix(parts[0], "a/"), _strip_prefix(parts[-1], "b/")


def _diff_path(name: str, prefix: str) -> str | None:
    """The name on a ``---``/``+++`` line: ``/dev/null`` is no file; a tab ends the name
    (git adds one after names with spaces; ``diff -u`` puts the date there)."""
    if name.startswith('"'):
        name = _unquote(name)
    else:
        name = name.split("\t", 1)[0]
    if name == "/dev/null":
        return None
    return _strip_prefix(name, prefix)


def _strip_prefix(name: str, prefix: str) -> str:
    return name.removeprefix(prefix)


def _unquote(name: str) -> str:
    name = name.rstrip("\t")
    if not name.startswith('"'):
        return name
    value, _ = _read_quoted(name)
    return value


def _read_quoted(text: str) -> tuple[str, int]:
    """Git's C-style quoting (``"a/t\\303\\251st.md"``): the name and where it ended."""
    out = bytearray()
    i = 1
    while i < len(text) and text[i] != '"':
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "01234567":
                out.append(int(text[i + 1 : i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out += ch.encode("utf-8", "surrogateescape")
        i += 1
    return out.decode("utf-8", "surrogateescape"), i + 1


# -- asking git ------------------------------------------------------------------------------


def _git(args: list[str], cwd: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise DiffError("--diff: git not found") from None


def git_root(cwd: str | None = None) -> str | None:
    """The top of the git work tree around ``cwd``, or ``None`` outside one."""
    try:
        done = _git(["rev-parse", "--show-toplevel"], cwd)
    except DiffError:
        return None
    if done.returncode != 0:
        return None
    return os.fsdecode(done.stdout.rstrip(b"\n")) or None


def from_git(base: str, paths: list[str] | None = None) -> Changes:
    """The changes of the working tree since ``base``: since the merge base of ``base`` and
    HEAD when there is one, so that commits made on ``base`` after the branch point are not
    taken for the branch's own."""
    root = git_root()
    if root is None:
        raise DiffError("--diff: not a git repository")
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}"])
    if done.returncode != 0:
        raise DiffError(f"--diff: unknown revision {base!r}")
    commit = done.stdout.decode().strip()
    merge_base = _git(["merge-base", commit, "HEAD"])
    if merge_base.returncode == 0 and merge_base.stdout.strip():
        commit = merge_base.stdout.decode().strip()
    done = _git(
        [
            "--literal-pathspecs",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--unified=0",
            "-M",
            commit,
            "--",
            *(paths or []),
        ],
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(
            f"--diff: git diff failed: {message[0] if message else 'exit ' + str(done.returncode)}"
        )
    return parse(done.stdout.decode("utf-8", "surrogateescape"), root)


def from_file(source: str, stdin=None) -> Changes:
    """A unified diff from a file (``-``: stdin). Its paths are taken as relative to the
    repository root when run inside a git work tree, else to the current directory."""
    try:
        if source == "-":
            import sys

            data = (stdin or sys.stdin.buffer).read()
        else:
            with open(source, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        raise DiffError(f"--diff-file: {source}: cannot read: {exc.strerror or exc}") from None
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    if text.strip() and not re.search(r"^(@@ |diff --git |--- |Binary files )", text, re.MULTILINE):
        raise DiffError(f"--diff-file: {source}: not a unified diff")
    return parse(text, git_root() or os.getcwd())


# -- filtering -------------------------------------------------------------------------------


def lint_targets(changes: Changes, include, exclude) -> list[str]:
    """The touched files that claimsafe reads (by the include and exclude globs), as paths
    relative to the current directory, in a stable order; files no longer there are skipped."""
    import fnmatch

    from linter.documents import DEFAULT_EXCLUDE, _excluded

    exclude = tuple(DEFAULT_EXCLUDE) + tuple(exclude)
    out = []
    for rel in sorted(changes.touched_paths()):
        name = rel.rsplit("/", 1)[-1]
        if not any(fnmatch.fnmatch(name, g) for g in include) or _excluded(rel, exclude):
            continue
        path = os.path.join(changes.root, *rel.split("/"))
        if os.path.isfile(path):
            out.append(os.path.relpath(path, os.path.realpath(os.getcwd())))
    return out


def in_change(finding, change: FileChange | None) -> bool:
    if change is None or not change.touched:
        return False
    if finding.is_problem or finding.category in DOCUMENT_CATEGORIES:
        return True
    return any(line in change.lines for line in range(finding.line, finding.end_line + 1))


def filter_report(report, changes: Changes):
    """The report with only what the change touched (see the module docstring)."""
    kept = [f for f in report.findings if in_change(f, changes.get(f.path))]
    return Report(kept, report.files)
