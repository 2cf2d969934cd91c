"""Legacy content: record today's findings in a baseline file, then report only new ones.

``claimsafe baseline write FILE PATH...`` records every finding; ``claimsafe check
--baseline FILE`` hides the findings the baseline knows and counts the entries that no
longer match anything (stale), so the baseline can shrink.

Identity is a fingerprint, not a line number (as detect-secrets and semgrep do): the
sha256 of the path (POSIX, relative to the baseline file's directory), the rule code, the
matched text (lower-case, whitespace collapsed) and a little context read from the source:
the sentence around the match, normalised the same way. A finding keeps its fingerprint
when lines move above or below it, and loses it when its sentence is edited (the edited
claim is new; its old entry is stale). Document-level findings (a page missing its risks)
are identified by path and rule alone: they are about the page, not about the words that
first name the treatment (the text they point at).
Identical findings in one file are matched by count. A renamed file's entries go stale and
its findings come back as new: run ``baseline write`` again after a rename.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field

from linter.diffs import DOCUMENT_CATEGORIES, relative
from linter.documents import sentence
from linter.engine import Report

VERSION = 1
TOOL = "claimsafe"


class BaselineError(Exception):
    """The baseline file cannot be read or written (exit code 2)."""


@dataclass
class Baseline:
    path: str
    entries: list[dict] = field(default_factory=list)

    @property
    def base_dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


@dataclass
class Outcome:
    """What the baseline did to one run: findings it hid, entries nothing matched."""

    known: int = 0
    stale: list[dict] = field(default_factory=list)


class Sources:
    """Source texts by path, read once (stdin's text is given, since it can't be re-read)."""

    def __init__(self, given: dict[str, str] | None = None) -> None:
        self._texts: dict[str, str | None] = dict(given or {})

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            from linter.documents import read_path

            document, _ = read_path(path) if path != "-" else (None, [])
            self._texts[path] = document.text if document is not None else None
        return self._texts[path]


class Scope:
    """The files a run looked at: named files, and everything under named directories.
    Baseline entries outside it are neither matched nor stale."""

    def __init__(self, files=(), dirs=()) -> None:
        self.stdin = "-" in files
        self.files = {_absolute(p) for p in files if p != "-"}
        self.dirs = [_absolute(d) for d in dirs]

    @classmethod
    def of(cls, paths, stdin_path: str | None = None) -> Scope:
        paths = [stdin_path or "-" if p == "-" else p for p in paths]
        return cls(
            [p for p in paths if not os.path.isdir(p)], [p for p in paths if os.path.isdir(p)]
        )

    def covers_entry(self, path: str, base_dir: str) -> bool:
        return self.stdin if path == "-" else self.covers(os.path.join(base_dir, *path.split("/")))

    def covers(self, path: str) -> bool:
        path = _absolute(path)
        return path in self.files or any(
            path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in self.dirs
        )


def _absolute(path: str) -> str:
    path = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def fingerprint(finding, base_dir: str, sources: Sources) -> str:
    text = context = ""
    if finding.category not in DOCUMENT_CATEGORIES:
        text = normalise(finding.text)
        source = sources.text(finding.path)
        if source is not None and finding.end <= len(source):
            context = normalise(sentence(source, finding.start, finding.end))
    key = "\0".join((_entry_path(finding.path, base_dir), finding.rule, text, context))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _entry_path(path: str, base_dir: str) -> str:
    return path if path == "-" else relative(path, base_dir)


def entries(findings, base_dir: str, sources: Sources | None = None) -> list[dict]:
    sources = sources or Sources()
    out = [
        {
            "path": _entry_path(f.path, base_dir),
            "rule": f.rule,
            "fingerprint": fingerprint(f, base_dir, sources),
            "text": " ".join(f.text.split()),
            "line": f.line,
        }
        for f in findings
    ]
    return sorted(out, key=lambda e: (e["path"], e["line"], e["rule"], e["fingerprint"], e["text"]))


def write(path: str, report, sources: Sources | None = None) -> int:
    """Write the baseline of ``report`` to ``path``; the number of entries written."""
    base_dir = os.path.dirname(os.path.abspath(path))
    data = {
        "version": VERSION,
        "tool": TOOL,
        "entries": entries(report.findings, base_dir, sources),
    }
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    return len(data["entries"])


def read(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: not a claimsafe baseline (invalid JSON: {exc})") from None
    if (
        not isinstance(data, dict)
        or data.get("tool") != TOOL
        or not isinstance(data.get("entries"), list)
    ):
        raise BaselineError(
            f"{path}: not a claimsafe baseline (run `claimsafe baseline write {path}`)"
        )
    if data.get("version") != VERSION:
        raise BaselineError(
            f"{path}: unsupported baseline version {data.get('version')!r} (this claimsafe reads {VERSION})"
        )
    for number, entry in enumerate(data["entries"], 1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("path", "rule", "fingerprint")
        ):
            raise BaselineError(f"{path}: entry {number} needs string path, rule and fingerprint")
    return Baseline(path, data["entries"])


def filter_report(
    report,
    baseline: Baseline,
    scope: Scope | None = None,
    sources: Sources | None = None,
    rules: set[str] | None = None,
):
    """The report without the findings the baseline knows, and what it did (:class:`Outcome`).

    Entries are matched by fingerprint, as many findings per entry as the baseline holds
    of that fingerprint. Unmatched entries are stale when this run looked at their file
    (``scope``; every file when ``None``) with their rule (``rules``: codes; all if ``None``).
    """
    sources = sources or Sources()
    base_dir = baseline.base_dir
    left = Counter(entry["fingerprint"] for entry in baseline.entries)
    kept = []
    for finding in report.findings:
        mark = fingerprint(finding, base_dir, sources)
        if left[mark] > 0:
            left[mark] -= 1
        else:
            kept.append(finding)
    stale = []
    for entry in baseline.entries:  # entries of one fingerprint are alike: any of them will do
        mark = entry["fingerprint"]
        if left[mark] > 0:
            left[mark] -= 1
            looked = scope is None or scope.covers_entry(entry["path"], base_dir)
            if looked and (rules is None or entry["rule"] in rules):
                stale.append(entry)
    return Report(kept, report.files), Outcome(len(report.findings) - len(kept), stale)


def stale_message(count: int) -> str:
    entries_ = "entry no longer matches" if count == 1 else "entries no longer match"
    return f"{count} baseline {entries_}; run `claimsafe baseline write` to shrink it"
