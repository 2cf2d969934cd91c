"""Where an audit's results live: an SQLite database, written as each page finishes.

One audit run is one row of ``runs``; each page it finished is one row of ``pages`` with
its fetch outcome, and its findings are rows of ``findings``, written together in one
transaction, so a run killed at any moment has every page it finished and no half page.
``--resume`` continues the newest unfinished run of the same sources and skips the pages
it already has. Runs of the same sources (the same list, in any order) form a history:
each report compares its run with the newest finished run before it (what is new, what was
fixed, what remains), matching findings by fingerprint, as ``baseline`` does for files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from linter import __version__
from linter.audit.model import (
    DISCLOSURE_CATEGORIES,
    AuditReport,
    FixedFinding,
    Page,
    PageFinding,
    RunSummary,
    Trend,
    rank,
)
from linter.findings import SITE_CHROME, Evidence, Finding

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    sources_key TEXT NOT NULL,   -- sha256 of the sorted source list: one history per site
    sources TEXT NOT NULL,       -- JSON list, as given
    started TEXT NOT NULL,
    finished TEXT,               -- NULL until the run completes
    tool_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    run INTEGER NOT NULL REFERENCES runs(id),
    url TEXT NOT NULL,
    final_url TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    http_status INTEGER,
    PRIMARY KEY (run, url)
);
CREATE TABLE IF NOT EXISTS findings (
    run INTEGER NOT NULL,
    url TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    finding TEXT NOT NULL        -- JSON: every Finding field
);
CREATE INDEX IF NOT EXISTS findings_by_page ON findings (run, url);
"""


class StoreError(Exception):
    """The database cannot be used (exit code 2)."""


@dataclass(frozen=True)
class PageRecord:
    """One finished page, as the run hands it to the store."""

    url: str
    final_url: str | None
    outcome: str
    detail: str
    http_status: int | None
    findings: tuple[tuple[Finding, str], ...] = ()  # (finding, fingerprint)


def now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def sources_key(sources) -> str:
    return hashlib.sha256(json.dumps(sorted(sources)).encode()).hexdigest()


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            # The run's coroutines and the store share one thread; the check would only get
            # in the way of closing the store from a signal handler's thread.
            self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            # WAL: a page's transaction is durable on commit, and readers never block it.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise StoreError(
                    f"{path}: audit database schema {row[0]}, expected {SCHEMA_VERSION}"
                )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable audit database ({exc})") from None

    def close(self) -> None:
        self.db.close()

    # -- runs ---------------------------------------------------------------------------

    def begin(self, sources: list[str], resume: bool = False) -> tuple[int, set[str]]:
        """A run to record into, and the pages it already has (empty unless resuming)."""
        key = sources_key(sources)
        if resume:
            row = self.db.execute(
                "SELECT id FROM runs WHERE sources_key=? AND finished IS NULL "
                "ORDER BY id DESC LIMIT 1",
                (key,),
            ).fetchone()
            if row is not None:
                done = {u for (u,) in self.db.execute("SELECT url FROM pages WHERE run=?", row)}
                return row[0], done
        cursor = self.db.execute(
            "INSERT INTO runs (sources_key, sources, started, tool_version) VALUES (?,?,?,?)",
            (key, json.dumps(sources), now(), __version__),
        )
        return cursor.lastrowid, set()

    def finish(self, run: int) -> None:
        self.db.execute("UPDATE runs SET finished=? WHERE id=?", (now(), run))

    def record(self, run: int, page: PageRecord) -> None:
        """Write one finished page and its findings atomically."""
        db = self.db
        db.execute("BEGIN")
        try:
            db.execute(
                "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?)",
                (run, page.url, page.final_url, page.outcome, page.detail, page.http_status),
            )
            db.execute("DELETE FROM findings WHERE run=? AND url=?", (run, page.url))
            db.executemany(
                "INSERT INTO findings VALUES (?,?,?,?)",
                [(run, page.url, fp, _dump(f)) for f, fp in page.findings],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def runs(self, sources: list[str] | None = None) -> list[tuple[int, str, str | None]]:
        """(id, started, finished) of every run, or of the runs of these sources."""
        if sources is None:
            query, args = "SELECT id, started, finished FROM runs ORDER BY id", ()
        else:
            query = "SELECT id, started, finished FROM runs WHERE sources_key=? ORDER BY id"
            args = (sources_key(sources),)
        return list(self.db.execute(query, args))

    # -- reading back -------------------------------------------------------------------

    def pages_done(self, run: int) -> int:
        return self.db.execute("SELECT COUNT(*) FROM pages WHERE run=?", (run,)).fetchone()[0]

    def report(self, run: int) -> AuditReport:
        row = self.db.execute(
            "SELECT sources_key, sources, started, finished, tool_version FROM runs WHERE id=?",
            (run,),
        ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no audit run {run}")
        key, sources, started, finished, version = row
        previous = self.db.execute(
            "SELECT id, started FROM runs WHERE sources_key=? AND id<? AND finished IS NOT NULL "
            "ORDER BY id DESC LIMIT 1",
            (key, run),
        ).fetchone()
        before = self._fingerprints(previous[0]) if previous else {}
        seen: Counter[str] = Counter()
        findings: dict[str, list[PageFinding]] = {}
        shared: dict = {}
        for url, fp, data in self.db.execute(
            "SELECT url, fingerprint, finding FROM findings WHERE run=? ORDER BY rowid", (run,)
        ):
            finding = _load(data, shared)
            trend = ""
            if previous:
                seen[fp] += 1
                trend = "remaining" if seen[fp] <= len(before.get(fp, ())) else "new"
            findings.setdefault(url, []).append(PageFinding(finding, finding.sentence, trend))
        pages = [
            Page(url, final_url, outcome, detail, status, tuple(findings.get(url, ())))
            for url, final_url, outcome, detail, status in self.db.execute(
                "SELECT url, final_url, outcome, detail, http_status FROM pages WHERE run=? "
                "ORDER BY rowid",
                (run,),
            )
        ]
        trend = None
        if previous:
            trend = self._trend(previous, pages, before, seen)
        return AuditReport(
            run_id=run,
            started=started,
            finished=finished,
            sources=tuple(json.loads(sources)),
            tool_version=version,
            pages=rank(pages),
            trend=trend,
            history=self._history(key, run),
        )

    def _history(self, key: str, run: int) -> tuple[RunSummary, ...]:
        """The finished runs of these sources before ``run``, and ``run`` itself."""
        rows = self.db.execute(
            """
            SELECT r.id, r.started, r.finished,
                (SELECT COUNT(*) FROM pages p WHERE p.run = r.id),
                (SELECT COUNT(*) FROM pages p WHERE p.run = r.id AND p.outcome != 'ok'),
                (SELECT COUNT(*) FROM findings f WHERE f.run = r.id),
                (SELECT COUNT(*) FROM findings f
                    WHERE f.run = r.id AND json_extract(f.finding, '$.severity') = 'error')
            FROM runs r
            WHERE r.sources_key = ? AND (r.id = ? OR (r.id < ? AND r.finished IS NOT NULL))
            ORDER BY r.id
            """,
            (key, run, run),
        )
        return tuple(RunSummary(*row) for row in rows)

    def _fingerprints(self, run: int) -> dict[str, list[tuple[str, Finding]]]:
        out: dict[str, list[tuple[str, Finding]]] = {}
        for url, fp, data in self.db.execute(
            "SELECT url, fingerprint, finding FROM findings WHERE run=?", (run,)
        ):
            out.setdefault(fp, []).append((url, _load(data)))
        return out

    def site_chrome(self, run: int) -> set[str]:
        """Fingerprints of the site-wide findings a run has reported (for ``--resume``)."""
        return {
            fp
            for fp, data in self.db.execute(
                "SELECT fingerprint, finding FROM findings WHERE run=? AND finding LIKE ?",
                (run, f'%"{SITE_CHROME}"%'),
            )
            if SITE_CHROME in _load(data).context
        }

    @staticmethod
    def _trend(previous, pages: list[Page], before, seen: Counter) -> Trend:
        # A page that could not be read this time proves nothing: its old findings are
        # neither fixed nor remaining, so they are left out of the comparison (a site-wide
        # finding is left out only when no page of its site could be read).
        audited = {p.url for p in pages if p.ok} | {site_of(p.url) for p in pages if p.ok}
        fixed = []
        for fp, old in before.items():
            for url, f in old[seen[fp] :]:
                if (site_of(url) if SITE_CHROME in f.context else url) in audited:
                    fixed.append(FixedFinding(url, f.rule, f.name, f.category, f.severity, f.text))
        remaining = sum(min(n, len(before.get(fp, ()))) for fp, n in seen.items())
        new = sum(seen.values()) - remaining
        return Trend(previous[0], previous[1], new, remaining, tuple(fixed))


def site_of(url: str) -> str:
    """The site a page belongs to: scheme and host of a URL; "" for local files (the
    folder audited is one site)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def fingerprint(url: str, finding: Finding) -> str:
    """A finding's identity across runs: the page, the rule, the matched words and the
    sentence around them (page-level findings: the page and the rule). For a finding in
    the site's chrome, the site and the words: it is the same claim wherever it appears."""
    text = context = ""
    if finding.category not in DISCLOSURE_CATEGORIES:
        text = " ".join(finding.text.split()).lower()
        context = " ".join(finding.sentence.split()).lower()
    if SITE_CHROME in finding.context:  # the menu item and the footer line are one claim
        url, context = site_of(url), ""
    key = "\0".join((url, finding.rule, text, context))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _dump(f: Finding) -> str:
    data = {k: getattr(f, k) for k in Finding.__dataclass_fields__}
    data["evidence"] = [[e.fact, e.document, e.quote] for e in f.evidence]
    return json.dumps(data, ensure_ascii=False)


def _load(data: str, shared: dict | None = None) -> Finding:
    """A stored finding. ``shared`` (one dict per report) makes findings share their
    evidence, suggestion and other repeated values: a rule's quotes and rewording are the
    same on every page, and a large audit holds tens of thousands of findings."""
    d = json.loads(data)
    if shared is None:
        shared = {}
    evidence = tuple(tuple(e) for e in d["evidence"])
    d["evidence"] = shared.get(evidence) or shared.setdefault(
        evidence, tuple(Evidence(*e) for e in evidence)
    )
    d["context"] = tuple(d["context"])
    d["context"] = shared.setdefault(d["context"], d["context"])
    for key in ("path", "rule", "name", "category", "severity", "suggestion"):
        if d[key] is not None:
            d[key] = shared.setdefault(d[key], d[key])
    return Finding(**d)
