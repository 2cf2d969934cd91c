"""The HTML audit report in a real browser: headless Chromium opens it from a file.

What only a browser can show: the file renders offline (a screenshot with content), the
headline figures are what the reader sees, and page text carrying scripts runs none of them
(the DOM after loading is unchanged, the title is ours). Skipped when Chromium is missing,
unless ``CLAIMSAFE_REQUIRE_BROWSER=1`` (CI), where a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import pytest

from linter.audit.model import AuditReport, Page, PageFinding
from linter.findings import Evidence, Finding
from linter.reporters.html import render_audit

SCRIPT = (
    "<script>document.title='pwned';"
    "document.documentElement.setAttribute('data-pwned','1')</script>"
)
IMG = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','2')\">"
TITLE = "claimsafe audit report: run 12"
TIMEOUT = 60


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CLAIMSAFE_REQUIRE_BROWSER") == "1":
        pytest.fail(
            "CLAIMSAFE_REQUIRE_BROWSER=1 but no chromium or chromium-browser on PATH: "
            "install it (Debian: apt-get install -y chromium)"
        )
    pytest.skip("chromium is not installed (set CLAIMSAFE_REQUIRE_BROWSER=1 to require it)")


def finding(url: str, text: str, severity: str, line: int, evidence=()) -> Finding:
    return Finding(
        path=url,
        start=0,
        end=len(text),
        line=line,
        column=1,
        end_line=line,
        end_column=1 + len(text),
        rule="CS111",
        name="cures-hair-loss",
        category="cure",
        severity=severity,
        message="Claims to cure hair loss: " + IMG,
        text=text,
        suggestion="May help some people with some kinds of hair loss.",
        evidence=evidence,
    )


def hostile_report() -> AuditReport:
    url = "https://clinic.example/prp?q=" + SCRIPT
    quote = Evidence("prp-efficacy", "002", "No treatment cures hair loss. " + SCRIPT)
    pages = (
        Page(
            url,
            url,
            "ok",
            "",
            200,
            (
                PageFinding(finding(url, SCRIPT, "error", 3, (quote,)), "We " + SCRIPT + " cure."),
                PageFinding(finding(url, IMG, "warning", 4), "Results " + IMG + " guaranteed."),
            ),
        ),
        Page(
            "https://clinic.example/meso",
            "https://clinic.example/meso",
            "ok",
            "",
            200,
            (PageFinding(finding("https://clinic.example/meso", "cures", "info", 1), "It cures."),),
        ),
        Page("https://clinic.example/about", "https://clinic.example/about", "ok", "", 200),
        Page(IMG, None, "http-404", "Not found: " + SCRIPT, 404),
    )
    return AuditReport(
        run_id=12,
        started="2024-05-02T09:15:00+00:00",
        finished="2024-05-02T09:20:00+00:00",
        sources=("https://clinic.example/sitemap.xml",),
        tool_version="0.1.0",
        pages=pages,
        trend=None,
    )


def run_chromium(chromium: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    report = tmp_path / "report.html"
    if not report.exists():
        report.write_text(render_audit(hostile_report()), encoding="utf-8")
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,2400",
        *args,
        report.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class DOM(HTMLParser):
    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.tags: list[str] = []
        self.by_id: dict[str, str] = {}
        self.text: list[str] = []
        self._current: str | None = None
        self._title: list[str] = []
        self._in_title = False
        self.feed(markup)
        self.close()

    @property
    def title(self) -> str:
        return "".join(self._title)

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, k, v or "") for k, v in attrs]
        # Only the document's title: the charts' SVG <title>s are in the body.
        self._in_title = tag == "title" and "body" not in self.tags
        self.tags.append(tag)
        ids = [v for k, v in attrs if k == "id"]
        self._current = ids[0] if ids and ids[0].startswith("headline-") else None

    def handle_endtag(self, tag):
        self._in_title = False
        self._current = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self._title.append(data)
        if self._current:
            self.by_id[self._current] = self.by_id.get(self._current, "") + data


def test_report_renders_offline_in_chromium(chromium, tmp_path):
    png = tmp_path / "report.png"
    run_chromium(chromium, tmp_path, f"--screenshot={png}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2400)
    # A blank page compresses to a few kilobytes; the report's text and charts do not.
    assert len(data) > 40_000, len(data)


def test_page_scripts_never_run_and_figures_are_right(chromium, tmp_path):
    dom = DOM(run_chromium(chromium, tmp_path, "--dump-dom").stdout)
    assert dom.title == TITLE
    assert [a for a in dom.attributes if a[1] == "data-pwned"] == []
    assert [a for a in dom.attributes if a[1].startswith("on")] == []
    assert "script" not in dom.tags and "img" not in dom.tags
    text = "".join(dom.text)
    assert "We " + SCRIPT + " cure." in text
    assert "Results " + IMG + " guaranteed." in text
    assert "Not found: " + SCRIPT in text
    assert dom.by_id == {
        "headline-pages": "4",
        "headline-pages-with-findings": "2",
        "headline-disclosures": "0",
        "headline-failures": "1",
        "headline-findings": "3",
        "headline-errors": "1",
        "headline-warnings": "1",
        "headline-infos": "1",
    }
