"""The audit database: pages written as they finish, resume, and the trend across runs."""

from __future__ import annotations

import sqlite3

import pytest

from linter.audit.store import PageRecord, Store, StoreError, fingerprint
from linter.findings import SITE_CHROME, Finding

SITE = ["https://clinic.example/sitemap.xml"]


def finding(
    url: str, rule="CS101", category="safety-absolute", text="no side effects", sentence=""
):
    return Finding(
        path=url, start=0, end=len(text), line=1, column=1, end_line=1,
        end_column=len(text) + 1, rule=rule, name="x", category=category, severity="error",
        message="m", text=text, sentence=sentence or f"It has {text}.",
    )  # fmt: skip


def page(url: str, *findings: Finding, outcome="ok") -> PageRecord:
    return PageRecord(url, url, outcome, "", 200, tuple((f, fingerprint(url, f)) for f in findings))


def test_a_page_and_its_findings_are_stored_together_and_read_back(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    run, done = store.begin(SITE)
    assert done == set()
    f = finding("https://clinic.example/a")
    store.record(run, page("https://clinic.example/a", f, f))
    store.record(run, page("https://clinic.example/b", outcome="timeout"))
    report = store.report(run)
    assert [p.url for p in report.pages] == ["https://clinic.example/a", "https://clinic.example/b"]
    assert [pf.finding for pf in report.pages[0].findings] == [f, f]
    assert report.pages[0].findings[0].sentence == "It has no side effects."
    assert report.finished is None and report.trend is None
    store.finish(run)
    assert store.report(run).finished is not None


def test_resume_continues_the_unfinished_run_of_the_same_sources(tmp_path):
    db = str(tmp_path / "a.db")
    store = Store(db)
    run, _ = store.begin(SITE)
    store.record(run, page("https://clinic.example/a"))
    store.close()
    store = Store(db)
    again, done = store.begin(list(reversed(SITE)), resume=True)
    assert (again, done) == (run, {"https://clinic.example/a"})
    # Other sources, or no --resume, start a new run.
    assert store.begin(["https://other.example/"], resume=True)[0] != run
    assert store.begin(SITE)[0] != run


def test_a_finished_run_is_not_resumed(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    run, _ = store.begin(SITE)
    store.finish(run)
    assert store.begin(SITE, resume=True) == (run + 1, set())


def test_a_failed_write_leaves_no_half_page(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    run, _ = store.begin(SITE)
    bad = PageRecord("https://clinic.example/a", None, "ok", "", 200, ((finding("u"), None),))
    with pytest.raises(sqlite3.IntegrityError):
        store.record(run, bad)
    assert store.pages_done(run) == 0
    assert store.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0


def test_the_trend_counts_new_fixed_and_remaining_and_ignores_unreadable_pages(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    a, b, c = (f"https://clinic.example/{x}" for x in "abc")
    first, _ = store.begin(SITE)
    store.record(first, page(a, finding(a), finding(a, "CS201", "guarantee", "guaranteed")))
    store.record(first, page(b, finding(b)))
    store.record(first, page(c, finding(c)))
    store.finish(first)
    second, _ = store.begin(SITE)
    # a: one fixed, one remaining, one new; b: fixed; c: could not be fetched this time.
    store.record(second, page(a, finding(a), finding(a, "CS301", "painless", "painless")))
    store.record(second, page(b))
    store.record(second, page(c, outcome="timeout"))
    store.finish(second)
    trend = store.report(second).trend
    assert trend.previous_run == first
    assert (trend.new, trend.remaining) == (1, 1)
    assert sorted((f.url, f.rule) for f in trend.fixed) == [(a, "CS201"), (b, "CS101")]
    tags = {pf.finding.rule: pf.trend for pf in store.report(second).pages[0].findings}
    assert tags == {"CS101": "remaining", "CS301": "new"}


def test_a_finding_is_matched_across_runs_by_its_words_not_its_position(tmp_path):
    url = "https://clinic.example/a"
    moved = finding(url)
    moved = Finding(**{**moved.__dict__, "line": 40, "start": 900, "end": 915})
    assert fingerprint(url, moved) == fingerprint(url, finding(url))
    assert fingerprint(url, finding(url, sentence="Edited: no side effects.")) != fingerprint(
        url, finding(url)
    )


def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path):
    bad = tmp_path / "audit.db"
    bad.write_bytes(b"hello, this is not SQLite" * 100)
    with pytest.raises(StoreError, match="audit.db: not a usable audit database"):
        Store(str(bad))


def chrome(url: str, text="guaranteed results", sentence="Painless, guaranteed results."):
    f = finding(url, "CS141", "guarantee", text, sentence)
    return Finding(**{**f.__dict__, "context": (SITE_CHROME,)})


def test_a_site_wide_finding_is_one_claim_of_the_site_whatever_page_shows_it(tmp_path):
    a, b = "https://clinic.example/a", "https://clinic.example/b"
    assert fingerprint(a, chrome(a)) == fingerprint(b, chrome(b, sentence="Guaranteed results!"))
    assert fingerprint(a, chrome(a)) != fingerprint("https://other.example/a", chrome(a))
    store = Store(str(tmp_path / "a.db"))
    first, _ = store.begin(SITE)
    store.record(first, page(a, chrome(a)))
    store.record(first, page(b))
    store.finish(first)
    # Next time it is first seen on another page: it remains, it was not fixed.
    second, _ = store.begin(SITE)
    store.record(second, page(b, chrome(b)))
    assert store.site_chrome(second) == {fingerprint(b, chrome(b))}
    store.record(second, page(a))
    store.finish(second)
    trend = store.report(second).trend
    assert (trend.new, trend.remaining, trend.fixed) == (0, 1, ())


def test_the_history_lists_the_finished_runs_of_these_sources_and_this_one(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    a = "https://clinic.example/a"
    first, _ = store.begin(SITE)
    store.record(first, page(a, finding(a), finding(a, "CS201", "guarantee", "guaranteed")))
    store.record(first, page("https://clinic.example/b", outcome="timeout"))
    store.finish(first)
    killed, _ = store.begin(SITE)  # never finished: not part of the history
    store.begin(["https://other.example/"])  # other sources: another history
    third, _ = store.begin(SITE)
    store.record(third, page(a, finding(a)))
    history = [
        (r.run_id, r.pages, r.failed, r.findings, r.errors) for r in store.report(third).history
    ]
    assert history == [(first, 2, 1, 2, 2), (third, 1, 0, 1, 1)]
    assert killed not in [r.run_id for r in store.report(third).history]
