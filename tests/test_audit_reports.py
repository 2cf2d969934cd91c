"""The audit's HTML report and CSV export, on hand-built audit reports.

The HTML report is read and forwarded by people who did not run the tool, and built from
pages anyone could have written: these tests parse it (``html.parser``) to check what a
reader sees, that nothing from a page turns into markup or a script, and that the file
needs nothing from the network. ``test_report_browser.py`` opens it in a real browser.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from html.parser import HTMLParser

import pytest

from linter.audit.model import AuditReport, FixedFinding, Page, PageFinding, Trend
from linter.findings import Evidence, Finding
from linter.reporters import csv as csv_reporter
from linter.reporters import html as html_reporter

SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = SCRIPT + IMG


# -- factories ---------------------------------------------------------------------------


def finding(
    url: str,
    rule: str = "CS101",
    name: str = "no-side-effects",
    category: str = "safety-absolute",
    severity: str = "error",
    text: str = "no side effects",
    line: int = 1,
    column: int = 1,
    message: str = "'no side effects' denies that the treatment has side effects or risks.",
    suggestion: str | None = "Side effects are usually mild, such as redness or bruising.",
    evidence: tuple[Evidence, ...] = (),
) -> Finding:
    return Finding(
        path=url,
        start=0,
        end=len(text),
        line=line,
        column=column,
        end_line=line,
        end_column=column + len(text),
        rule=rule,
        name=name,
        category=category,
        severity=severity,
        message=message,
        text=text,
        suggestion=suggestion,
        evidence=evidence,
    )


def pf(url: str, sentence: str | None = None, trend: str = "", **kwargs) -> PageFinding:
    f = finding(url, **kwargs)
    return PageFinding(
        f, f"Our treatment has {f.text} at all." if sentence is None else sentence, trend
    )


def page(
    url: str,
    *findings: PageFinding,
    outcome: str = "ok",
    detail: str = "",
    status: int | None = 200,
    final_url: str | None = None,
) -> Page:
    fetched = outcome == "ok"
    return Page(url, final_url or (url if fetched else None), outcome, detail, status, findings)


def audit(*pages: Page, finished: str | None = "2024-05-02T09:18:41+00:00", trend=None):
    return AuditReport(
        run_id=7,
        started="2024-05-02T09:15:00+00:00",
        finished=finished,
        sources=("https://clinic.example/sitemap.xml",),
        tool_version="0.1.0",
        pages=tuple(pages),
        trend=trend,
    )


def missing_risks(url: str) -> PageFinding:
    return pf(
        url,
        rule="CS402",
        name="missing-risks",
        category="missing-risks",
        severity="warning",
        text="",
        message="The page promotes mesotherapy but never mentions its risks.",
        suggestion=None,
        sentence="",
    )


A = "https://clinic.example/mesotherapy"
B = "https://clinic.example/prp"
C = "https://clinic.example/about"


def known_report(**kwargs) -> AuditReport:
    """5 pages: 2 with findings (3 errors, 2 warnings, 1 info; 1 missing disclosure),
    1 clean, 2 fetch failures. Deliberately not in ranked order."""
    return audit(
        page(C),
        page(B, pf(B, severity="info", rule="CS121", name="painless", category="painless")),
        page(
            A,
            pf(A, line=3),
            pf(A, line=4, rule="CS111", name="cures-hair-loss", category="cure", text="cures"),
            pf(A, line=5, rule="CS112", name="reverses-hair-loss", category="cure"),
            pf(A, line=6, severity="warning", category="suitability", rule="CS171"),
            missing_risks(A),
        ),
        page("https://clinic.example/gone", outcome="http-404", detail="404 Not Found", status=404),
        page(
            "https://clinic.example/slow",
            outcome="timeout",
            detail="No answer in 20 s",
            status=None,
        ),
        **kwargs,
    )


# -- reading the HTML the way a reader does ------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Doc(HTMLParser):
    """The parsed report: every element with its attributes and ancestors' ids, the text of
    every element that has an id, and the visible text."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, tuple[str, ...]]] = []
        self._open: list[tuple[str, str | None]] = []
        self._by_id: dict[str, list[str]] = {}
        self.texts: list[tuple[str, tuple[str, ...], str]] = []  # (tag, ancestor ids, data)
        self.feed(markup)
        self.close()

    def _ancestors(self) -> tuple[str, ...]:
        return tuple(i for _, i in self._open if i)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a, self._ancestors()))
        if tag in VOID:
            return
        self._open.append((tag, a.get("id")))
        if a.get("id"):
            self._by_id[a["id"]] = []

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}, self._ancestors()))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                return

    def handle_data(self, data):
        tag = self._open[-1][0] if self._open else ""
        self.texts.append((tag, self._ancestors(), data))
        for _, i in self._open:
            if i:
                self._by_id[i].append(data)

    def text(self, element_id: str) -> str:
        # Parts joined with spaces: table cells and list items read as separate words.
        return " ".join(" ".join(self._by_id[element_id]).split())

    def has_id(self, element_id: str) -> bool:
        return element_id in self._by_id

    @property
    def visible_text(self) -> str:
        return "".join(d for tag, _, d in self.texts if tag not in ("style", "title"))

    def find(self, tag: str, within: str | None = None):
        return [a for t, a, anc in self.elements if t == tag and (within is None or within in anc)]

    def texts_in(self, tag: str, within: str) -> list[str]:
        return [d.strip() for t, anc, d in self.texts if t == tag and within in anc and d.strip()]


def render(report: AuditReport) -> Doc:
    return Doc(html_reporter.render_audit(report))


def number(doc: Doc, element_id: str) -> int:
    return int(doc.text(element_id).replace(",", ""))


# -- HTML: what the reader sees ------------------------------------------------------------


def test_headline_numbers_of_a_known_report():
    doc = render(known_report())
    assert number(doc, "headline-pages") == 5
    assert number(doc, "headline-pages-with-findings") == 2
    assert number(doc, "headline-findings") == 6
    assert number(doc, "headline-errors") == 3
    assert number(doc, "headline-warnings") == 2
    assert number(doc, "headline-infos") == 1
    assert number(doc, "headline-disclosures") == 1
    assert number(doc, "headline-failures") == 2


def test_run_metadata_is_shown():
    doc = render(known_report())
    assert "https://clinic.example/sitemap.xml" in doc.text("meta-sources")
    assert doc.text("meta-started") == "2024-05-02 09:15:00 UTC"
    assert doc.text("meta-finished").startswith("2024-05-02 09:18:41 UTC")
    assert "0.1.0" in doc.text("meta-tool")
    assert doc.text("meta-run") == "7"


def test_charts_count_findings_by_category_and_severity_with_text_labels():
    doc = render(known_report())
    for chart in ("chart-categories", "chart-severities"):
        (svg,) = [a for a in doc.find("svg") if a.get("id") == chart]
        assert svg["role"] == "img"
        assert doc.texts_in("title", chart), "the chart has a <title> for screen readers"
    labels = doc.texts_in("text", "chart-categories")
    # Label then count for every bar: readable without colour. Zero categories are omitted.
    bars = dict(zip(labels[::2], labels[1::2]))
    assert bars == {
        "cure": "2",
        "safety-absolute": "1",
        "suitability": "1",
        "painless": "1",
        "missing-risks": "1",
    }
    assert labels[:2] == ["cure", "2"], "the biggest category comes first"
    severities = doc.texts_in("text", "chart-severities")
    assert dict(zip(severities[::2], severities[1::2])) == {
        "error": "3",
        "warning": "2",
        "info": "1",
    }


def test_no_findings_means_no_charts_and_says_so():
    doc = render(audit(page(C)))
    assert not doc.find("svg")
    assert "No findings" in doc.visible_text
    assert number(doc, "headline-findings") == 0


def ranking_urls(doc: Doc) -> list[str]:
    return doc.texts_in("a", "ranking-table")


def test_pages_are_ranked_by_risk_and_link_to_their_sections():
    doc = render(known_report())
    assert ranking_urls(doc) == [A, B]  # A: 3 errors + 2 warnings; B: 1 info; C: none
    links = doc.find("a", within="ranking-table")
    sections = [a["id"] for a in doc.find("section", within="findings") if a.get("class") == "page"]
    assert [a["href"] for a in links] == [f"#{s}" for s in sections]
    # The per-page sections follow the same order and carry the page's URL as a link.
    assert [a["href"] for a in doc.find("a", within=sections[0])][0] == A
    assert [a["href"] for a in doc.find("a", within=sections[1])][0] == B


def test_one_error_outranks_three_warnings():
    warnings = [pf("https://a.example/", severity="warning", line=i) for i in range(3)]
    doc = render(
        audit(
            page("https://a.example/", *warnings),
            page("https://b.example/", pf("https://b.example/")),
        )
    )
    assert ranking_urls(doc) == ["https://b.example/", "https://a.example/"]


def test_ranking_table_is_capped_with_a_note():
    pages = [page(f"https://c.example/{i:03}", pf(f"https://c.example/{i:03}")) for i in range(105)]
    doc = render(audit(*pages))
    assert len(ranking_urls(doc)) == 100
    assert doc.text("ranking-more").startswith("5 more pages")
    # Every page still has its findings section.
    assert len([a for a in doc.find("section") if a.get("class") == "page"]) == 105


def test_a_finding_shows_location_rule_message_highlight_evidence_and_suggestion():
    quote = "Common side effects may include bruising"
    report = audit(
        page(
            A,
            pf(
                A,
                line=12,
                column=5,
                text="no side\n   effects",
                sentence="Mesotherapy has no side effects  at all.",
                evidence=(Evidence("meso-side-effects", "004", quote),),
                trend="new",
            ),
        )
    )
    markup = html_reporter.render_audit(report)
    doc = Doc(markup)
    text = " ".join(doc.visible_text.split())
    assert "line 12:5" in text
    assert "CS101 no-side-effects" in text
    assert "'no side effects' denies that the treatment has side effects or risks." in text
    # The match is found across different whitespace and highlighted inside its sentence.
    assert "Mesotherapy has no side effects at all." in text
    assert doc.texts_in("mark", "page-1") == ["no side effects"]
    assert doc.texts_in("p", "page-1").count("“" + quote + "”") == 1
    assert doc.find("blockquote", within="page-1")
    assert "Fact meso-side-effects · document 004" in text
    assert "Suggested wording: Side effects are usually mild, such as redness or bruising." in text
    assert doc.texts_in("span", "page-1")[-1] == "new"


def test_matched_text_not_in_the_sentence_is_still_shown():
    report = audit(page(A, pf(A, text="pain-free", sentence="The session is comfortable.")))
    doc = render(report)
    text = " ".join(doc.visible_text.split())
    assert "The session is comfortable." in text
    assert "Matched text: pain-free" in text


@pytest.mark.parametrize(
    ("sentence", "text", "expected"),
    [
        ("We cure  hair\nloss.", "cure hair loss", ("We ", "cure hair loss", ".", "")),
        ("Totally PAIN-FREE.", "pain-free", ("Totally ", "PAIN-FREE", ".", "")),
        ("Nothing here.", "cure", ("Nothing here.", "", "", "cure")),
        ("", "cure", ("", "cure", "", "")),
        ("A sentence.", "", ("A sentence.", "", "", "")),
    ],
)
def test_highlight(sentence, text, expected):
    assert html_reporter.highlight(sentence, text) == expected


def test_incomplete_run_has_a_banner():
    assert "Incomplete run" in render(known_report(finished=None)).text("incomplete-banner")
    assert not render(known_report()).has_id("incomplete-banner")


def test_trend_shows_counts_previous_run_and_fixed_findings():
    trend = Trend(
        previous_run=6,
        previous_started="2024-04-25T09:00:00+00:00",
        new=4,
        remaining=9,
        fixed=(
            FixedFinding(A, "CS141", "guaranteed-results", "guarantee", "error", "guaranteed"),
            FixedFinding(B, "CS191", "best-number-one", "superlative", "info", "the best"),
        ),
    )
    doc = render(known_report(trend=trend))
    assert number(doc, "trend-new") == 4
    assert number(doc, "trend-fixed") == 2
    assert number(doc, "trend-remaining") == 9
    assert doc.text("trend-previous") == "Compared with run 6, started 2024-04-25 09:00:00 UTC."
    fixed = doc.text("fixed-table")
    assert "CS141 guaranteed-results" in fixed and "guaranteed" in fixed
    assert "CS191 best-number-one" in fixed and "the best" in fixed
    assert not doc.has_id("trend-first")


def test_first_run_says_there_is_nothing_to_compare():
    doc = render(known_report())
    assert "first audit run of these sources" in doc.text("trend-first")
    assert not doc.has_id("trend-new")


def test_fetch_failures_table_lists_every_page_not_fetched():
    doc = render(known_report())
    rows = doc.text("failures-table")
    assert "https://clinic.example/gone http-404 404 404 Not Found" in rows
    assert "https://clinic.example/slow timeout – No answer in 20 s" in rows
    assert A not in rows and C not in rows


def test_missing_disclosures_lists_pages_and_what_is_missing():
    doc = render(known_report())
    table = doc.text("disclosures-table")
    assert f"{A} The page promotes mesotherapy but never mentions its risks." in table
    assert B not in table


def test_no_missing_disclosures_or_failures_says_so():
    doc = render(audit(page(A, pf(A))))
    assert not doc.has_id("disclosures-table") and not doc.has_id("failures-table")
    assert "No page is missing a required disclosure." in doc.visible_text
    assert "Every page was fetched." in doc.visible_text


# -- HTML: safety --------------------------------------------------------------------------


def hostile_report() -> AuditReport:
    url = "https://evil.example/?q=" + PAYLOAD
    quote = Evidence("fact" + PAYLOAD, "doc" + PAYLOAD, "quote " + PAYLOAD)
    return AuditReport(
        run_id=1,
        started="2024-05-02T09:15:00+00:00",
        finished=None,
        sources=("source" + PAYLOAD,),
        tool_version="0.1.0",
        pages=(
            page(
                url,
                pf(
                    url,
                    text=PAYLOAD,
                    sentence="We " + PAYLOAD + " cure",
                    message="message " + PAYLOAD,
                    suggestion="suggestion " + PAYLOAD,
                    evidence=(quote,),
                ),
                missing_risks(url),
                final_url="https://evil.example/final" + PAYLOAD,
            ),
            page(PAYLOAD, pf(PAYLOAD, sentence="Sentence without the match.", text=PAYLOAD)),
            page("javascript:alert(1)", pf("javascript:alert(1)")),
            page('https://evil.example/"><script>alert(1)</script>', pf("https://evil.example/")),
            page("JaVaScRiPt:alert(2)", outcome="http-500", detail=PAYLOAD, status=500),
            page(" javascript:alert(3)", outcome="timeout", detail="", status=None),
            page("data:text/html,<b>x</b>", outcome="timeout", detail="", status=None),
        ),
        trend=Trend(
            1,
            "2024-04-01T00:00:00+00:00",
            0,
            0,
            (FixedFinding("java\tscript:alert(4)", "CS101", "n", "cure", "error", PAYLOAD),),
        ),
    )


def test_page_text_never_becomes_markup():
    markup = html_reporter.render_audit(hostile_report())
    doc = Doc(markup)
    assert not doc.find("script")
    assert not doc.find("img")
    handlers = [(t, k) for t, a, _ in doc.elements for k in a if k.lower().startswith("on")]
    assert handlers == []
    visible = doc.visible_text
    # The payload is shown to the reader as the text it is, wherever a page put it.
    assert visible.count(PAYLOAD) >= 10
    for where in ("quote ", "message ", "suggestion ", "fact", "doc", "source", "We "):
        assert where + PAYLOAD in visible
    assert "<title>claimsafe audit report: run 1</title>" in markup


def test_only_http_and_relative_urls_become_links():
    doc = render(hostile_report())
    hrefs = [a["href"] for a in doc.find("a")]
    assert hrefs
    for href in hrefs:
        assert href.startswith(("#", "https://", "http://")), href
    visible = doc.visible_text
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(2)", "data:text/html,<b>x</b>"):
        assert url in visible


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://clinic.example/a?b=c#d", True),
        ("HTTP://clinic.example/", True),
        ("site/landing.html", True),
        ("/pages/prp", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("vbscript:msgbox(1)", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("//evil.example/x", False),
        ("\\\\evil.example\\x", False),
        ("https:evil", False),
        ("", False),
    ],
)
def test_safe_href(url, linked):
    assert (html_reporter.safe_href(url) == url) is linked
    if not linked:
        assert html_reporter.safe_href(url) is None


def test_report_needs_nothing_from_outside_the_file():
    markup = html_reporter.render_audit(hostile_report())
    doc = Doc(markup)
    assert not doc.find("link") and not doc.find("script") and not doc.find("iframe")
    for tag, attrs, _ in doc.elements:
        assert "src" not in attrs or attrs["src"].startswith("data:"), tag
        assert "srcset" not in attrs and "xlink:href" not in attrs, tag
        if tag not in ("a",):
            assert "href" not in attrs, tag
    css = "".join(d for tag, _, d in doc.texts if tag == "style")
    assert css and "url(" not in css and "@import" not in css
    (csp,) = [a for a in doc.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp["content"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# -- CSV -----------------------------------------------------------------------------------

CSV_COLUMNS = [
    "url",
    "final_url",
    "outcome",
    "http_status",
    "line",
    "column",
    "end_line",
    "end_column",
    "rule",
    "name",
    "category",
    "severity",
    "message",
    "text",
    "sentence",
    "suggestion",
    "evidence_facts",
    "trend",
    "site_wide",
]


def csv_rows(report: AuditReport) -> list[dict[str, str]]:
    out = csv_reporter.render_audit(report)
    assert "\r\n" not in out and out.endswith("\n")
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header == CSV_COLUMNS
    assert all(len(r) == len(header) for r in rows)
    return [dict(zip(header, r)) for r in rows]


def test_csv_has_one_row_per_finding_and_one_per_page_without_findings():
    report = audit(
        page(
            A,
            pf(
                A,
                line=3,
                column=9,
                text="no side\neffects",
                sentence="It has no side effects.",
                evidence=(Evidence("f1", "004", "q1"), Evidence("f2", "002", "q2")),
                trend="remaining",
            ),
            missing_risks(A),
            final_url="https://clinic.example/mesotherapy/",
        ),
        page(C),
        page("https://clinic.example/gone", outcome="http-404", detail="404 Not Found", status=404),
    )
    rows = csv_rows(report)
    assert len(rows) == 2 + 1 + 1
    first = rows[0]
    assert first == {
        "url": A,
        "final_url": "https://clinic.example/mesotherapy/",
        "outcome": "ok",
        "http_status": "200",
        "line": "3",
        "column": "9",
        "end_line": "3",
        "end_column": str(9 + len("no side\neffects")),
        "rule": "CS101",
        "name": "no-side-effects",
        "category": "safety-absolute",
        "severity": "error",
        "message": "'no side effects' denies that the treatment has side effects or risks.",
        "text": "no side\neffects",
        "sentence": "It has no side effects.",
        "suggestion": "Side effects are usually mild, such as redness or bruising.",
        "evidence_facts": "f1; f2",
        "trend": "remaining",
        "site_wide": "",
    }
    assert rows[1]["category"] == "missing-risks" and rows[1]["suggestion"] == ""
    clean, failed = rows[2], rows[3]
    assert clean["url"] == C and clean["outcome"] == "ok" and clean["rule"] == ""
    assert failed["outcome"] == "http-404" and failed["http_status"] == "404"
    assert failed["message"] == "404 Not Found" and failed["final_url"] == ""
    assert {r["url"] for r in rows} == {A, C, "https://clinic.example/gone"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_start_a_formula(start):
    cell = start + 'HYPERLINK("https://evil.example","click")'
    url = start + "evil"
    report = audit(
        page(url, pf(url, text=cell, sentence=cell, message=cell, suggestion=cell)),
        page("https://x.example/", outcome="timeout", detail=cell, status=None),
    )
    rows = csv_rows(report)
    for column in ("url", "text", "sentence", "message", "suggestion"):
        assert rows[0][column] == "'" + (url if column == "url" else cell)
    assert rows[1]["message"] == "'" + cell
    # Ordinary cells are left alone.
    assert rows[1]["url"] == "https://x.example/" and rows[0]["line"] == "1"


# -- scale ---------------------------------------------------------------------------------


def test_a_big_audit_renders():
    """10,000 pages with 50,000 findings: both formats complete (a few seconds at most)."""
    pages = []
    for i in range(10_000):
        url = f"https://clinic.example/p/{i}"
        pages.append(
            page(
                url,
                *(
                    pf(url, line=j + 1, sentence="We cure hair loss for good.", text="cure")
                    for j in range(5)
                ),
            )
        )
    report = audit(*pages)
    started = time.perf_counter()
    markup = html_reporter.render_audit(report)
    out = csv_reporter.render_audit(report)
    elapsed = time.perf_counter() - started
    assert re.search(r'id="headline-findings">50,000<', markup)
    assert re.search(r'id="headline-pages">10,000<', markup)
    assert markup.count("<mark>cure</mark>") == 50_000
    assert out.count("\n") == 50_001
    assert elapsed < 60, f"rendering took {elapsed:.1f} s"


# -- JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["known", "empty", "hostile"])
def test_audit_json_is_written_in_pieces_exactly_as_one_json_dump(which):
    """Streamed so that a large audit's JSON need not be in memory whole, yet the same
    text, byte for byte, as ``json.dumps(indent=2)`` of the whole document."""
    from linter.reporters import json as json_reporter

    report = {"known": known_report, "empty": audit, "hostile": hostile_report}[which]()
    pieces = list(json_reporter.stream_audit(report))
    text = "".join(pieces)
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert len(data["findings"]) == len(report.findings) == data["summary"]["findings"]
    assert [p["url"] for p in data["pages"]] == [p.url for p in report.pages]
    assert len(pieces) > 2 * len(report.findings)
