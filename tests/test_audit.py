"""``claimsafe audit`` end to end: pages served by a real HTTP server on loopback, fetched,
linted, stored in SQLite, resumed after a kill, compared across runs, and reported."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from linter.audit.fetch import FetchSettings
from linter.audit.run import AuditOptions, Progress, audit
from linter.cli import main
from linter.config import Settings
from linter.engine import Engine
from tests.siteserver import Route, SiteServer, fixture_site

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "sources" / "documents").glob("*.txt"))
# No politeness delay against our own loopback server; short timeouts so failures are quick.
FAST = ["--delay", "0", "--timeout", "2", "--retries", "1", "--no-config", "--no-progress"]


def run_audit(capsys, tmp_path, *args, fmt="json"):
    code = main(["audit", *args, "--db", str(tmp_path / "audit.db"), "--format", fmt, *FAST])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if fmt == "json" and out else out), err


def positions(findings):
    return sorted(
        (f["rule"], f["line"], f["column"], f["end_line"], f["end_column"], f["text"])
        for f in findings
    )


def test_an_audit_of_the_seeds_served_over_http_finds_what_check_finds(capsys, tmp_path):
    routes = {f"/seeds/{p.name}": Route(p.read_bytes(), content_type="text/plain") for p in SEEDS}
    with SiteServer(routes) as server:
        urls = {seed.name: server.url(f"/seeds/{seed.name}") for seed in SEEDS}
        listing = tmp_path / "urls.txt"
        listing.write_text("# the five seeds\n" + "".join(u + "\n" for u in urls.values()))
        report = tmp_path / "r.html"
        code, audited, err = run_audit(capsys, tmp_path, str(listing), "--report", str(report))
    assert code == 1, err
    assert [p["outcome"] for p in audited["pages"]] == ["ok"] * 5
    assert main(["check", "--no-config", "--format", "json", *map(str, SEEDS)]) == 1
    checked = json.loads(capsys.readouterr().out)["findings"]
    for seed in SEEDS:
        mine = [f for f in audited["findings"] if f["url"] == urls[seed.name]]
        theirs = [f for f in checked if Path(f["path"]).name == seed.name]
        assert positions(mine) == positions(theirs), seed.name
    assert audited["summary"]["findings"] == len(checked) > 0
    html = report.read_text(encoding="utf-8")
    assert 'id="headline-findings"' in html and f">{len(checked)}<" in html


def test_a_sitemap_index_is_followed_and_every_failure_is_recorded_per_page(capsys, tmp_path):
    with SiteServer(fixture_site()) as server:
        base = server.url("")
        code, audited, err = run_audit(
            capsys, tmp_path, server.url("/sitemap.xml"), "--max-bytes", "1000000"
        )
    outcomes = {p["url"].removeprefix(base): p["outcome"] for p in audited["pages"]}
    assert outcomes["/"] == "ok"
    assert outcomes["/treatments/mesotherapy"] == "ok"
    assert outcomes["/blog/what-to-expect"] == "ok"
    # Every kind of failure the site serves is recorded for its page, and the audit went on.
    failures = {url: outcome for url, outcome in outcomes.items() if outcome != "ok"}
    assert failures.get("/missing") == "http-404"
    assert failures.get("/private/staff") == "robots-disallowed"
    assert failures.get("/loop-a") == "redirect-loop"
    assert failures.get("/brochure.pdf") == "not-html"
    assert failures.get("/huge") == "too-large"
    assert failures.get("/slow") == "timeout"
    assert failures.get("/broken") == "http-500"
    # Retried until they answered: a flaky page and a page that asked us to wait.
    assert outcomes["/flaky"] == outcomes["/busy"] == "ok"
    assert not any(r.path == "/private/staff" for r in server.requests)
    assert code == 1  # findings, and pages that could not be audited


def test_the_report_escapes_a_page_that_carries_a_script(capsys, tmp_path):
    with SiteServer(fixture_site()) as server:
        report = tmp_path / "report.html"
        run_audit(capsys, tmp_path, server.url("/payload"), "--report", str(report))
    html = report.read_text(encoding="utf-8")
    assert "<script>document.title" not in html
    assert "&lt;script&gt;" in html or "document.title" not in html


def test_json_findings_carry_checks_fields_plus_the_page_url_and_outcome(capsys, tmp_path):
    page = "<html><body><main><p>Our mesotherapy is completely painless.</p></main></body></html>"
    with SiteServer({"/p": Route(page)}) as server:
        url = server.url("/p")
        code, audited, _ = run_audit(capsys, tmp_path, url)
    assert code == 1
    [finding] = [f for f in audited["findings"] if f["category"] == "painless"]
    assert finding["url"] == url and finding["outcome"] == "ok"
    assert set(finding) >= {"path", "line", "column", "end_line", "end_column", "rule", "name"}
    assert page[finding["column"] - 1 :].startswith(finding["text"])
    assert audited["pages"][0]["outcome"] == "ok"
    assert audited["pages"][0]["http_status"] == 200


def test_a_page_is_linted_for_its_main_content_and_the_sites_chrome_once(capsys, tmp_path):
    def page(body: str) -> Route:
        return Route(
            "<html><body><nav><a href='/'>Painless treatments, guaranteed results</a></nav>"
            f"<main><p>{body}</p></main>"
            "<footer>Painless treatments, guaranteed results.</footer></body></html>"
        )

    pages = {
        "/a": page("Mesotherapy involves small injections into the scalp."),
        "/b": page("Mesotherapy has no side effects."),
        "/c": page("Book a consultation with our nurse."),
    }
    with SiteServer(pages) as server:
        urls = [server.url(p) for p in pages]
        _, audited, _ = run_audit(capsys, tmp_path, *urls)
        _, everything, _ = run_audit(capsys, tmp_path, *urls, "--all-content")
    # The page's own claim, on its page; the navigation's and footer's claims are the
    # site's: reported once, marked site-wide, whatever page they were first seen on.
    own = [(f["url"], f["category"]) for f in audited["findings"] if not f["site_wide"]]
    assert own == [(urls[1], "safety-absolute")]
    site = sorted(f["category"] for f in audited["findings"] if f["site_wide"])
    assert site == ["guarantee", "painless"]
    # --all-content: everything on every page, as check reads it.
    per_page = Counter(f["url"] for f in everything["findings"] if f["category"] == "painless")
    assert per_page == {url: 2 for url in urls}
    assert not any(f["site_wide"] for f in everything["findings"])


def test_csv_has_a_row_per_finding_and_a_row_per_page_without_one(capsys, tmp_path):
    pages = {
        "/claim": Route("<p>Guaranteed regrowth after one session of mesotherapy.</p>"),
        "/clean": Route("<p>Book a consultation with our nurse.</p>"),
        "/gone": Route("gone", status=404),
    }
    with SiteServer(pages) as server:
        base = server.url("")
        code, out, _ = run_audit(capsys, tmp_path, *(server.url(p) for p in pages), fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    by_url = {}
    for row in rows:
        by_url.setdefault(row["url"].removeprefix(base), []).append(row)
    assert by_url["/claim"][0]["category"] == "guarantee"
    assert [r["rule"] for r in by_url["/clean"]] == [""]
    assert by_url["/gone"][0]["outcome"] == "http-404"
    assert code == 1


def test_a_clean_site_exits_0_and_a_missing_source_or_bad_database_exits_2(capsys, tmp_path):
    with SiteServer({"/ok": Route("<p>Book a consultation.</p>")}) as server:
        assert run_audit(capsys, tmp_path, server.url("/ok"))[0] == 0
    code, _, err = run_audit(capsys, tmp_path, str(tmp_path / "nope"))
    assert code == 2 and "nope" in err and err.count("\n") == 1
    bad = tmp_path / "bad.db"
    bad.write_text("not a database\n" * 100)
    code = main(["audit", str(tmp_path), "--db", str(bad), "--no-progress", "--no-config"])
    err = capsys.readouterr().err
    assert code == 2 and "bad.db" in err and "Traceback" not in err


def test_a_second_audit_shows_what_is_new_fixed_and_remaining(capsys, tmp_path):
    before = "<p>Mesotherapy has no side effects. Results are guaranteed.</p>"
    after = "<p>Results are guaranteed. It is completely painless.</p>"
    with SiteServer({"/p": Route(before)}) as server:
        _, first, _ = run_audit(capsys, tmp_path, server.url("/p"))
        server.add("/p", Route(after))
        _, second, _ = run_audit(
            capsys, tmp_path, server.url("/p"), "--report", str(tmp_path / "r.html")
        )
    assert "trend" not in first
    trend = second["trend"]
    assert trend["previous_run"] == first["run"]["id"]
    assert (trend["new"], trend["fixed"], trend["remaining"]) == (1, 1, 1)
    tags = {f["category"]: f["trend"] for f in second["findings"]}
    assert tags == {"guarantee": "remaining", "painless": "new"}
    # The history: every run of these sources, with its counts.
    history = [(r["run"], r["pages"], r["findings"]) for r in second["history"]]
    assert history == [(first["run"]["id"], 1, 2), (second["run"]["id"], 1, 2)]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="history-table"' in html and 'id="chart-history"' in html


def test_progress_counts_pages_failures_and_findings(tmp_path):
    pages = {
        "/a": Route("<p>Guaranteed results.</p>"),
        "/b": Route("<p>No side effects at all.</p>"),
        "/c": Route("x", status=500),
    }
    seen = []
    with SiteServer(pages) as server:
        options = AuditOptions(
            [server.url(p) for p in pages],
            str(tmp_path / "a.db"),
            jobs=1,
            fetch=FetchSettings(per_host_delay=0, retries=0, timeout=2),
        )
        report = audit(
            Engine(Settings(main_content=True)),
            options,
            Progress(update=lambda p: seen.append((p.done, p.failed, p.findings))),
        )
    assert seen[-1] == (3, 1, len(report.findings)) and len(report.findings) >= 2
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)


# -- kill and resume ------------------------------------------------------------------


def _pages(n: int) -> dict[str, Route]:
    return {
        f"/page-{i:03d}": Route(
            f"<html><body><main><h1>Page {i}</h1><p>Mesotherapy session {i}: results are "
            f"guaranteed.</p></main></body></html>",
            delay=0.05,
        )
        for i in range(n)
    }


def _audit_process(sources: str, db: Path, *extra: str, session: bool = False) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "linter",
        "audit",
        sources,
        "--db",
        str(db),
        "--format",
        "json",
    ]
    return subprocess.Popen(
        [*command, *FAST, "--concurrency", "2", "--jobs", "1", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CLAIMSAFE_NO_CACHE": "1"},
        start_new_session=session,
    )


def _stored(db: Path) -> list[str]:
    try:
        with sqlite3.connect(db) as conn:
            return [u for (u,) in conn.execute("SELECT url FROM pages")]
    except sqlite3.OperationalError:  # the audit has created the file, not yet its tables
        return []


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads processes from /proc")
def test_an_audit_killed_midway_resumes_without_losing_or_redoing_a_page(tmp_path):
    pages = _pages(60)
    db = tmp_path / "audit.db"
    with SiteServer(pages) as server:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(server.url(p) + "\n" for p in pages))
        victim = _audit_process(str(urls), db)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists() and len(_stored(db)) >= 10:
                break
            time.sleep(0.05)
        workers = _children(victim.pid)
        assert workers, "the audit should lint in worker processes"
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        finished_before = _stored(db)
        assert 10 <= len(finished_before) < len(pages), "the kill came too late to test resume"
        hits_before = len(server.requests)

        resumed = _audit_process(str(urls), db, "--resume")
        out, err = resumed.communicate(timeout=120)
        base, requests = server.url(""), list(server.requests)
    assert resumed.returncode == 1, err.decode()
    report = json.loads(out)
    # Nothing lost: every page is in the run, exactly once.
    assert sorted(p["url"] for p in report["pages"]) == sorted(base + p for p in pages)
    # Nothing redone: no page finished before the kill was fetched again.
    again = {base + r.path for r in requests[hits_before:]}
    assert not again & set(finished_before)
    assert len(report["findings"]) == len(pages)
    # The killed audit's workers did not outlive it.
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_ctrl_c_saves_what_is_finished_and_says_how_to_resume(tmp_path):
    pages = _pages(60)
    db = tmp_path / "audit.db"
    with SiteServer(pages) as server:
        urls = tmp_path / "urls.txt"
        urls.write_text("".join(server.url(p) + "\n" for p in pages))
        audit = _audit_process(str(urls), db, session=True)
        deadline = time.monotonic() + 60
        while len(_stored(db) if db.exists() else []) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(audit.pid, signal.SIGINT)  # as a terminal does: every process of the group
        _, err = audit.communicate(timeout=60)
    err = err.decode()
    assert audit.returncode == 130
    assert "--resume" in err and "Traceback" not in err and err.count("\n") == 1
    assert len(_stored(db)) >= 5


def test_the_progress_bar_shows_pages_failures_findings_and_rate(capsys):
    from linter.cli import _progress_bar

    with _progress_bar(True) as progress:
        progress.done, progress.failed, progress.findings, progress.total = 3, 1, 7, 4
        progress.update(progress)
    err = capsys.readouterr().err
    assert "3/4" in err and "1 failed" in err and "7 findings" in err and "pages/s" in err


def test_a_folder_of_exported_pages_is_audited_like_check_lints_it(capsys, tmp_path):
    site = tmp_path / "site"
    (site / "blog").mkdir(parents=True)
    (site / "index.md").write_text("# Hair clinic\n\nMesotherapy is completely painless.\n")
    (site / "blog" / "post.html").write_text("<p>Results are guaranteed for every patient.</p>")
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    code, audited, _ = run_audit(capsys, tmp_path, str(site))
    assert code == 1
    assert sorted(p["url"] for p in audited["pages"]) == sorted(
        [str(site / "index.md"), str(site / "blog" / "post.html")]
    )
    assert main(["check", "--no-config", "--format", "json", str(site)]) == 1
    checked = json.loads(capsys.readouterr().out)["findings"]
    assert positions(audited["findings"]) == positions(checked) != []


@pytest.mark.parametrize(
    "option, value, says",
    [
        ("--concurrency", "0", "--concurrency: must be at least 1"),
        ("--jobs", "-1", "--jobs: must be at least 0"),
        ("--retries", "-2", "--retries: must be at least 0"),
        ("--max-bytes", "0", "--max-bytes: must be at least 1"),
        ("--delay", "-1", "--delay: must be at least 0"),
        ("--timeout", "0", "--timeout: must be a positive number of seconds"),
    ],
)
def test_a_bad_audit_option_is_a_one_line_usage_error(capsys, tmp_path, option, value, says):
    code = main(
        ["audit", str(tmp_path), option, value, "--no-config", "--db", str(tmp_path / "a.db")]
    )
    err = capsys.readouterr().err
    assert code == 2 and err == f"claimsafe: error: {says}\n"
    assert not (tmp_path / "a.db").exists()  # nothing was started
