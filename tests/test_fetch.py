"""The audit's fetch stage against a loopback site: outcomes, retries, redirects, politeness."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import socket
import time

import pytest

from linter import __version__
from linter.audit.fetch import Fetcher, FetchResult, FetchSettings
from tests.siteserver import Route, SiteServer, fixture_site

# Fast settings: no politeness pause unless a test asks, tiny backoff, short timeout.
FAST = {"per_host_delay": 0.0, "backoff": 0.02, "timeout": 2.0}


def settings(**overrides) -> FetchSettings:
    return FetchSettings(**{**FAST, **overrides})


def fetch_all(urls: list[str], xml: bool = False, **overrides) -> list[FetchResult]:
    """Fetch the URLs concurrently with one Fetcher."""

    async def go():
        async with Fetcher(settings(**overrides)) as fetcher:
            get = fetcher.fetch_xml if xml else fetcher.fetch
            return await asyncio.gather(*(get(url) for url in urls))

    return asyncio.run(go())


def fetch(url: str, **overrides) -> FetchResult:
    return fetch_all([url], **overrides)[0]


@pytest.fixture
def site():
    with SiteServer(fixture_site()) as server:
        yield server


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [b - a for a, b in zip(times, times[1:])]


def test_ok_page(site):
    result = fetch(site.url("/treatments/mesotherapy"))
    assert result.outcome == "ok" and result.ok
    assert result.detail == ""
    assert result.format == "html"
    assert "regrows hair in just three sessions" in result.text
    assert result.final_url == site.url("/treatments/mesotherapy")
    assert result.url == site.url("/treatments/mesotherapy")
    assert result.http_status == 200
    assert result.content_type == "text/html; charset=utf-8"
    assert result.attempts == 1
    assert result.elapsed > 0


def test_user_agent_on_every_request_including_robots(site):
    result = fetch(site.url("/"))
    assert result.ok
    agents = {r.path: r.headers.get("user-agent") for r in site.requests}
    assert set(agents) == {"/robots.txt", "/"}
    expected = FetchSettings().user_agent
    assert expected.startswith(f"claimsafe/{__version__} (")
    assert set(agents.values()) == {expected}


def test_custom_user_agent(site):
    fetch(site.url("/"), user_agent="clinic-bot/2")
    assert {r.headers["user-agent"] for r in site.requests} == {"clinic-bot/2"}


def test_404_is_not_retried(site):
    result = fetch(site.url("/missing"))
    assert result.outcome == "http-404"
    assert result.http_status == 404
    assert "404" in result.detail
    assert result.text is None
    assert result.attempts == 1
    assert len(site.hits("/missing")) == 1


def test_500_is_retried_then_given_up(site):
    result = fetch(site.url("/broken"), retries=3)
    assert result.outcome == "http-500"
    assert result.http_status == 500
    assert result.attempts == 4
    assert len(site.hits("/broken")) == 4
    assert "4 attempts" in result.detail


def test_flaky_page_succeeds_on_retry(site):
    result = fetch(site.url("/flaky"))
    assert result.outcome == "ok"
    assert result.attempts == 2
    assert [r.path for r in site.hits("/flaky")] == ["/flaky", "/flaky"]


def test_429_waits_for_retry_after(site):
    result = fetch(site.url("/busy"))
    assert result.outcome == "ok"
    assert "no downtime" in result.text
    first, second = site.hits("/busy")
    assert second.time - first.time >= 0.99


def test_retry_after_over_the_maximum_is_rate_limited(site):
    site.add("/closed", Route("slow down", status=429, headers={"Retry-After": "3600"}))
    result = fetch(site.url("/closed"), retries=3, max_retry_after=120)
    assert result.outcome == "rate-limited"
    assert "3600" in result.detail
    assert len(site.hits("/closed")) == 1
    assert result.elapsed < 1


def test_retry_after_as_http_date(site):
    # Were the date not understood, the backoff would retry and reach the 200.
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    site.add(
        "/later",
        Route(sequence=[Route("wait", status=503, headers={"Retry-After": later}), Route("ok")]),
    )
    result = fetch(site.url("/later"))
    assert result.outcome == "rate-limited"
    assert result.http_status == 503
    assert len(site.hits("/later")) == 1


def test_429_without_retry_after_backs_off_then_gives_up(site):
    site.add("/hammered", Route("no", status=429))
    result = fetch(site.url("/hammered"), retries=2, backoff=0.1)
    assert result.outcome == "http-429"
    assert result.attempts == 3
    hits = [r.time for r in site.hits("/hammered")]
    # Backoff doubles: 0.1 s, then 0.2 s.
    assert gaps(hits)[0] >= 0.1 and gaps(hits)[1] >= 0.2


def test_redirect_loop(site):
    result = fetch(site.url("/loop-a"))
    assert result.outcome == "redirect-loop"
    assert "loop-a" in result.detail
    assert result.http_status == 302
    assert len(site.hits("/loop-a")) == 1 and len(site.hits("/loop-b")) == 1


def chain(site, length: int) -> None:
    """/hop0 -> /hop1 -> ... -> /hop{length}, which is a page."""
    for i in range(length):
        site.add(f"/hop{i}", Route(status=302, headers={"Location": f"/hop{i + 1}"}))
    site.add(f"/hop{length}", Route("<p>Arrived.</p>"))


def test_redirects_up_to_the_limit_are_followed(site):
    chain(site, 5)
    result = fetch(site.url("/hop0"), max_redirects=5)
    assert result.outcome == "ok"
    assert result.final_url == site.url("/hop5")
    assert result.attempts == 1


def test_too_many_redirects(site):
    chain(site, 6)
    result = fetch(site.url("/hop0"), max_redirects=5)
    assert result.outcome == "too-many-redirects"
    assert site.hits("/hop5") and not site.hits("/hop6")


def test_301_is_followed(site):
    result = fetch(site.url("/moved"))
    assert result.outcome == "ok"
    assert result.url == site.url("/moved")
    assert result.final_url == site.url("/treatments/mesotherapy")
    assert result.http_status == 200
    assert "Hair mesotherapy" in result.text


def test_redirect_to_another_host_obeys_its_robots(site):
    with SiteServer(fixture_site()) as other:
        site.add("/away", Route(status=302, headers={"Location": other.url("/private/staff")}))
        result = fetch(site.url("/away"))
        assert result.outcome == "robots-disallowed"
        assert other.hits("/robots.txt")
        assert not other.hits("/private/staff")


def test_pdf_is_not_html(site):
    result = fetch(site.url("/brochure.pdf"))
    assert result.outcome == "not-html"
    assert "application/pdf" in result.detail
    assert result.content_type == "application/pdf"
    assert result.text is None and result.format is None


def test_huge_chunked_page_is_too_large(site):
    result = fetch(site.url("/huge"))  # the default limit, 5 MB
    assert result.outcome == "too-large"
    assert "5,000,000" in result.detail
    assert result.text is None


def test_too_large_stops_reading_mid_stream(site):
    # 40 chunks, 50 ms apart: reading it all would take 2 s.
    site.add("/drip", Route(b"x" * (40 * 64 * 1024), chunked=True, chunk_delay=0.05))
    result = fetch(site.url("/drip"), max_bytes=100_000)
    assert result.outcome == "too-large"
    assert result.elapsed < 1.0


def test_content_length_over_the_limit_is_refused_before_reading(site):
    # The header claims a gigabyte the server never sends: reading would hang to the timeout.
    site.add("/claims-big", Route("<p>tiny</p>", headers={"Content-Length": str(10**9)}))
    result = fetch(site.url("/claims-big"), max_bytes=1_000_000, timeout=3.0)
    assert result.outcome == "too-large"
    assert "Content-Length" in result.detail
    assert result.elapsed < 1.0


def test_honest_content_length_over_the_limit(site):
    site.add("/big", Route(b"<p>" + b"a" * 200_000 + b"</p>"))
    assert fetch(site.url("/big"), max_bytes=100_000).outcome == "too-large"
    assert fetch(site.url("/big"), max_bytes=300_000).outcome == "ok"


def test_slow_page_times_out(site):
    result = fetch(site.url("/slow"), timeout=0.3, retries=0)
    assert result.outcome == "timeout"
    assert result.http_status is None and result.final_url is None
    assert result.attempts == 1
    assert result.elapsed < 1.5


def test_timeouts_are_retried(site):
    result = fetch(site.url("/slow"), timeout=0.2, retries=1)
    assert result.outcome == "timeout"
    assert result.attempts == 2
    assert len(site.hits("/slow")) == 2


def test_dripping_page_times_out_as_a_whole(site):
    # Each 64 KiB chunk comes within the 0.2 s read timeout, but all of them would take 3 s:
    # an attempt gets 4 x timeout in all.
    site.add("/drip", Route(b"x" * (20 * 64 * 1024), chunked=True, chunk_delay=0.15))
    result = fetch(site.url("/drip"), timeout=0.2, retries=0)
    assert result.outcome == "timeout"
    assert "0.8" in result.detail
    assert result.elapsed < 1.5


def test_unknown_host_is_a_dns_error():
    # This machine's resolver answers "no such name" for .invalid at once (RFC 6761); a
    # machine with no resolver at all fails the lookup too, also a socket.gaierror.
    result = fetch("http://claimsafe-test.invalid/", timeout=1.0)
    assert result.outcome == "dns-error"
    assert "claimsafe-test.invalid" in result.detail
    assert result.final_url is None and result.http_status is None
    assert result.elapsed < 10


def test_closed_port_is_a_connect_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/", retries=1)
    assert result.outcome == "connect-error"
    assert result.attempts == 2
    assert "127.0.0.1" in result.detail


@pytest.mark.parametrize("url", ["ftp://x", "http://", "not a url", "http://[::1/"])
def test_invalid_url(url):
    result = fetch(url)
    assert result.outcome == "invalid-url"
    assert result.attempts == 0 and result.final_url is None
    assert result.detail


def test_robots_disallowed_path_is_never_requested(site):
    blocked, allowed, again = fetch_all(
        [site.url("/private/staff"), site.url("/"), site.url("/blog/what-to-expect")]
    )
    assert blocked.outcome == "robots-disallowed"
    assert blocked.attempts == 0
    assert allowed.ok and again.ok
    assert not site.hits("/private/staff")
    assert len(site.hits("/robots.txt")) == 1


def test_robots_can_be_ignored(site):
    assert fetch(site.url("/private/staff"), respect_robots=False).ok
    assert not site.hits("/robots.txt")


def test_robots_missing_or_failing_allows_everything():
    with SiteServer({"/page": Route("<p>hi</p>")}) as no_robots:
        assert fetch(no_robots.url("/page")).ok
        assert len(no_robots.hits("/robots.txt")) == 1
    routes = {"/robots.txt": Route("down", status=503), "/page": Route("<p>hi</p>")}
    with SiteServer(routes) as failing:
        assert fetch(failing.url("/page"), retries=1).ok


def test_robots_rules_for_our_user_agent():
    robots = "User-agent: claimsafe\nDisallow: /copy/\n\nUser-agent: *\nDisallow: /\n"
    routes = {
        "/robots.txt": Route(robots, content_type="text/plain"),
        "/copy/a": Route("<p>a</p>"),
        "/b": Route("<p>b</p>"),
    }
    with SiteServer(routes) as server:
        copy, other = fetch_all([server.url("/copy/a"), server.url("/b")])
        assert copy.outcome == "robots-disallowed"
        assert other.ok  # our group allows it, though "*" does not


def test_robots_crawl_delay_is_honoured():
    routes = {
        "/robots.txt": Route("User-agent: *\nCrawl-delay: 1\n", content_type="text/plain"),
        "/a": Route("<p>a</p>"),
        "/b": Route("<p>b</p>"),
    }
    with SiteServer(routes) as server:
        results = fetch_all([server.url("/a"), server.url("/b")], per_host_delay=0.0)
        assert all(r.ok for r in results)
        times = [r.time for r in server.requests]
        assert len(times) == 3  # robots.txt, /a, /b
        assert min(gaps(times)) >= 0.95


def test_per_host_delay_between_request_starts(site):
    urls = [site.url(p) for p in ("/", "/treatments/mesotherapy", "/blog/what-to-expect")]
    results = fetch_all(urls, per_host_delay=0.3, concurrency=8)
    assert all(r.ok for r in results)
    times = [r.time for r in site.requests]
    assert len(times) == 4  # robots.txt first
    # Arrivals are logged by server threads that share the GIL with the client: allow them
    # a few milliseconds of scheduling noise. Without the delay, the gaps are ~1 ms.
    assert min(gaps(times)) >= 0.27


def test_other_hosts_do_not_wait_for_each_other():
    routes = {"/": Route("<p>home</p>")}
    with SiteServer(routes) as one, SiteServer(routes) as two:
        urls = [one.url("/"), two.url("/"), one.url("/?again"), two.url("/?again")]
        started = time.monotonic()
        results = fetch_all(urls, per_host_delay=0.5, respect_robots=False)
        elapsed = time.monotonic() - started
        assert all(r.ok for r in results)
        # Each host: two requests 0.5 s apart; together, not one after the other (1.5 s).
        assert abs(one.requests[0].time - two.requests[0].time) < 0.3
        assert elapsed < 1.2


def test_concurrency_bound():
    routes = {f"/p{i}": Route(f"<p>page {i}</p>", delay=0.3) for i in range(6)}
    with SiteServer(routes) as server:
        started = time.monotonic()
        # Waiting for a slot is not part of a request's timeout: the third round waits 0.6 s.
        urls = [server.url(f"/p{i}") for i in range(6)]
        results = fetch_all(urls, concurrency=2, timeout=0.5)
        elapsed = time.monotonic() - started
        assert [r.outcome for r in results] == ["ok"] * 6
        assert server.max_in_flight == 2
        assert elapsed >= 0.85  # three rounds of two


def test_charset_from_content_type():
    body = "<p>Résultats garantis, sans effets secondaires.</p>".encode("latin-1")
    routes = {"/fr": Route(body, content_type="text/html; charset=ISO-8859-1")}
    with SiteServer(routes) as server:
        result = fetch(server.url("/fr"), respect_robots=False)
        assert result.text == "<p>Résultats garantis, sans effets secondaires.</p>"


def test_charset_from_meta_and_replacement():
    meta = '<html><head><meta charset="windows-1252"></head><p>“Guaranteed” results</p>'
    equiv = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
        "<p>Prix : 300 €</p>"
    )
    routes = {
        "/meta": Route(meta.encode("cp1252"), content_type="text/html"),
        "/equiv": Route(equiv.encode("iso-8859-15"), content_type="text/html"),
        "/bad": Route(b"<p>caf\xe9 au lait</p>", content_type="text/html"),
    }
    with SiteServer(routes) as server:
        got = fetch_all([server.url(p) for p in routes], respect_robots=False)
        assert "“Guaranteed” results" in got[0].text
        assert "300 €" in got[1].text
        assert got[2].text == "<p>caf\ufffd au lait</p>"  # UTF-8 by default, bad bytes replaced


def test_formats_by_content_type_and_sniffing():
    routes = {
        "/md": Route("# Mesotherapy\n\nNo side effects.", content_type="text/markdown"),
        "/xmd": Route("# Mesotherapy", content_type="text/x-markdown; charset=utf-8"),
        "/txt": Route("No side effects.", content_type="text/plain"),
        "/xhtml": Route("<html/>", content_type="application/xhtml+xml"),
        "/bare-html": Route("  <!DOCTYPE html><p>hi</p>", content_type=None),
        "/bare-text": Route("Just words.", content_type=None),
    }
    with SiteServer(routes) as server:
        got = fetch_all([server.url(p) for p in routes], respect_robots=False)
    assert [r.format for r in got] == ["markdown", "markdown", "text", "html", "html", "text"]
    assert got[0].text == "# Mesotherapy\n\nNo side effects."


def test_fetch_xml_accepts_sitemaps(site):
    xml = b'<?xml version="1.0"?><urlset><url><loc>http://x/</loc></url></urlset>'
    site.add("/s.xml.gz", Route(gzip.compress(xml), content_type="application/x-gzip"))
    plain, zipped, page = fetch_all(
        [site.url("/sitemap.xml"), site.url("/s.xml.gz"), site.url("/")], xml=True
    )
    assert plain.outcome == "ok" and plain.format == "xml"
    assert plain.text.startswith('<?xml version="1.0"')
    assert zipped.outcome == "ok" and zipped.text == xml.decode()
    assert page.outcome == "not-html" and "not XML" in page.detail


def test_fetch_xml_refuses_a_gzip_bomb(site):
    site.add(
        "/bomb.xml.gz", Route(gzip.compress(b" " * 3_000_000), content_type="application/gzip")
    )
    result = fetch_all([site.url("/bomb.xml.gz")], xml=True, max_bytes=1_000_000)[0]
    assert result.outcome == "too-large"


def test_server_stops_cleanly_with_requests_in_flight():
    import threading

    before = set(threading.enumerate())
    with SiteServer({"/slow": Route("late", delay=5.0)}) as server:
        result = fetch(server.url("/slow"), timeout=0.2, retries=0, respect_robots=False)
        assert result.outcome == "timeout"
        started = time.monotonic()
    assert time.monotonic() - started < 1.0  # the delay is cut short, not waited out
    # The server's own threads (asyncio.run may still be ending an executor thread of its own).
    leftover = [
        t.name
        for t in set(threading.enumerate()) - before
        if "siteserver" in t.name or "process_request" in t.name
    ]
    assert leftover == []
