"""A loopback web site for the audit's tests and benchmarks: the far end of ``audit.fetch``.

The audit pipeline is sources -> fetch -> engine -> store; this module stands in for the
published site that ``sources`` expands and ``fetch`` reads, so those stages (and the whole
``claimsafe audit`` run) can be tested without the network. It serves only 127.0.0.1,
logs every request it receives (with arrival times, so politeness can be measured from
the server's side) and can misbehave on purpose: slow, flaky, rate-limited, redirect
loops, oversized chunked bodies. ``fixture_site()`` is a small clinic site that does all
of those at once.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A str body (or header value) containing this token gets the server's own base URL in its
# place when served: sitemaps need absolute URLs, and the port is only known once bound.
SITE_TOKEN = "{{site}}"
# Longer than any timeout the tests give the fetcher for /slow.
SLOW_DELAY = 5.0
_CHUNK = 64 * 1024
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    # Sent as given; a Content-Length here replaces the real one (to lie about the size).
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering
    chunked: bool = False  # stream the body with no Content-Length (Transfer-Encoding: chunked)
    # successive answers for successive requests (the last one repeats): 500-then-200 etc.
    sequence: list[Route] | None = None
    chunk_delay: float = 0.0  # seconds between 64 KiB chunks of a chunked body


@dataclass(frozen=True)
class Request:
    path: str  # as sent, query string included
    method: str
    headers: dict[str, str]  # names lower-cased
    time: float  # time.monotonic() on arrival


class _Server(ThreadingHTTPServer):
    # server_close() joins the handler threads, so nothing outlives the SiteServer; it
    # only tracks (and joins) threads that are not daemons.
    daemon_threads = False
    block_on_close = True

    def __init__(self, site: SiteServer) -> None:
        self.site = site
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request, client_address):
        # Registered here, in the accepting thread, so stop() sees every connection that
        # was accepted before shutdown() returned, and can unblock its handler thread.
        with self.site._lock:
            self.site._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.site._lock:
            self.site._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], _DISCONNECTS):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 for keep-alive and chunked bodies, as real servers speak it.
    protocol_version = "HTTP/1.1"
    server_version = "siteserver"
    server: _Server

    def log_message(self, format, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except OSError:
            # The client went away (or stop() shut the socket): nobody is left to answer.
            self.close_connection = True

    def do_GET(self):
        self.server.site._answer(self, send_body=True)

    def do_HEAD(self):
        self.server.site._answer(self, send_body=False)


class SiteServer:
    """``with SiteServer(routes) as site: site.url("/")`` (or ``start()``/``stop()``)."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[Request] = []
        # The most requests being answered at once since start (arrival to the last write).
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}  # route key -> requests answered (for sequences)
        self._in_flight = 0
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._base: str | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> SiteServer:
        if self._server is None:
            self._stopping.clear()
            self._server = _Server(self)
            self._base = f"http://127.0.0.1:{self._server.server_address[1]}"
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.02},  # shutdown() waits up to one poll
                name="siteserver",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        self._stopping.set()  # wakes handlers sleeping in a delay
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            # Idle keep-alive connections hold a handler thread in readline() until closed.
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if thread is not None:
            thread.join()

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``; still answers after stop(), for reading the log."""
        if self._base is None:
            raise RuntimeError("SiteServer has not been started")
        return self._base

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> None:
        with self._lock:
            self.routes[path] = route

    def hits(self, path: str) -> list[Request]:
        """Requests for ``path``; a path without "?" matches whatever query was sent."""
        with self._lock:
            log = list(self.requests)
        if "?" in path:
            return [r for r in log if r.path == path]
        return [r for r in log if r.path.split("?", 1)[0] == path]

    # The handler side, run in the server's threads.

    def _route(self, path: str) -> Route | None:
        with self._lock:
            key = path if path in self.routes else path.split("?", 1)[0]
            route = self.routes.get(key)
            if route is not None and route.sequence:
                served = self._served.get(key, 0)
                self._served[key] = served + 1
                route = route.sequence[min(served, len(route.sequence) - 1)]
        return route

    def _answer(self, handler: _Handler, send_body: bool) -> None:
        arrived = time.monotonic()
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(Request(handler.path, handler.command, headers, arrived))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        answering = [True]

        def done() -> None:
            # Called just before the write that completes the response: once the client has
            # it, it may send its next request before this thread runs again, and that
            # request must not be counted as overlapping this one.
            with self._lock:
                if answering:
                    answering.clear()
                    self._in_flight -= 1

        try:
            route = self._route(handler.path) or Route(
                "<!doctype html><title>Not found</title><h1>Not found</h1>", status=404
            )
            if route.delay and self._stopping.wait(route.delay):
                handler.close_connection = True
                return
            self._send(handler, route, send_body, done)
        finally:
            done()

    def _fill(self, value: str) -> str:
        return value.replace(SITE_TOKEN, self.base) if SITE_TOKEN in value else value

    def _send(self, handler: _Handler, route: Route, send_body: bool, done) -> None:
        body = route.body
        if isinstance(body, str):
            body = self._fill(body).encode("utf-8")
        handler.send_response(route.status)
        if route.content_type is not None:
            handler.send_header("Content-Type", route.content_type)
        lied_length = False
        for name, value in route.headers.items():
            handler.send_header(name, self._fill(value))
            lied_length = lied_length or name.lower() == "content-length"
        if route.chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        elif not lied_length:
            handler.send_header("Content-Length", str(len(body)))
        if not send_body or (not body and not route.chunked):
            done()
            handler.end_headers()
            return
        handler.end_headers()
        if not route.chunked:
            done()
            handler.wfile.write(body)
            return
        for start in range(0, len(body), _CHUNK):
            if start and route.chunk_delay and self._stopping.wait(route.chunk_delay):
                handler.close_connection = True
                return
            chunk = body[start : start + _CHUNK]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        done()
        handler.wfile.write(b"0\r\n\r\n")


# The fixture clinic site.

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Lumen Hair Clinic</title></head>
<body><nav><a href="/">Home</a> <a href="/treatments/mesotherapy">Mesotherapy</a>
<a href="/blog/what-to-expect">Blog</a></nav>
<main><h1>{title}</h1>
{body}
</main><footer>Lumen Hair Clinic, 12 Harley Row. Call 020 7946 0000.</footer></body></html>
"""


def _page(title: str, *paragraphs: str) -> str:
    return _PAGE.format(title=title, body="\n".join(f"<p>{p}</p>" for p in paragraphs))


def _urlset(*paths: str, namespaced: bool = True) -> str:
    ns = ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"' if namespaced else ""
    urls = "".join(f"  <url><loc>{SITE_TOKEN}{p}</loc></url>\n" for p in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset{ns}>\n{urls}</urlset>\n'


_HOME = _page(
    "Hair loss treatment in London",
    "Lumen Hair Clinic has treated thinning hair since 2009. Our doctors assess your scalp "
    "before recommending any treatment.",
    "Hair mesotherapy gives guaranteed results for every patient, with no side effects.",
    "Book a free consultation to find out whether mesotherapy suits you.",
)
_MESOTHERAPY = _page(
    "Hair mesotherapy",
    "Hair mesotherapy delivers vitamins, amino acids and hyaluronic acid into the scalp "
    "through a series of fine injections.",
    "It stops hair loss permanently and regrows hair in just three sessions.",
    "Sessions take about 30 minutes and are repeated every two weeks.",
)
_BLOG = _page(
    "What to expect at your first mesotherapy session",
    "Your practitioner cleans the scalp and may apply a numbing cream first.",
    "Most patients feel only slight pinpricks, and there is no downtime: you can go back to "
    "work the same day.",
    "Mesotherapy is completely safe for everyone, including during pregnancy.",
)
_STAFF = _page(
    "Staff rota",
    "Internal page: the rota for the Harley Row clinic. Not for patients.",
)
_HUGE = _page(
    "Our complete treatment archive",
    *["Mesotherapy is a proven cure for hair loss, clinically proven to work every time. " * 8]
    * 9000,
)
_PAYLOAD = _page(
    "Patient stories",
    "<script>document.title='pwned'</script>Our results speak for themselves.",
    "<img src=x onerror=\"document.body.innerHTML='pwned'\">Mesotherapy is 100% effective and "
    "guaranteed to regrow your hair.",
)


def fixture_site() -> dict[str, Route]:
    """A clinic site with a route for every behaviour the audit must survive."""
    html_404 = _page("Page not found", "Sorry, that page has moved or never existed.")
    html_500 = _page("Server error", "Something went wrong on our side.")
    return {
        # Disallows /private/ for every robot; names the sitemap index.
        "/robots.txt": Route(
            f"User-agent: *\nDisallow: /private/\n\nSitemap: {SITE_TOKEN}/sitemap.xml\n",
            content_type="text/plain; charset=utf-8",
        ),
        # Sitemap index pointing at the two sitemaps below.
        "/sitemap.xml": Route(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"  <sitemap><loc>{SITE_TOKEN}/sitemap-pages.xml</loc></sitemap>\n"
            f"  <sitemap>\n    <loc>\n      {SITE_TOKEN}/sitemap-blog.xml\n    </loc>\n"
            "  </sitemap>\n</sitemapindex>\n",
            content_type="application/xml",
        ),
        # Namespaced urlset: every page below except the blog post.
        "/sitemap-pages.xml": Route(
            _urlset(
                "/",
                "/treatments/mesotherapy",
                "/private/staff",
                "/slow",
                "/missing",
                "/broken",
                "/flaky",
                "/busy",
                "/loop-a",
                "/moved",
                "/brochure.pdf",
                "/huge",
                "/payload",
            ),
            content_type="application/xml",
        ),
        # Unnamespaced urlset served as text/xml: the blog post, and the home page again.
        "/sitemap-blog.xml": Route(
            _urlset("/blog/what-to-expect", "/#top", namespaced=False),
            content_type="text/xml",
        ),
        # Home page, with two claims.
        "/": Route(_HOME),
        # Treatment page, with claims.
        "/treatments/mesotherapy": Route(_MESOTHERAPY),
        # Blog post, with a safety claim.
        "/blog/what-to-expect": Route(_BLOG),
        # Disallowed by robots.txt: must never be requested.
        "/private/staff": Route(_STAFF),
        # Answers after SLOW_DELAY seconds, longer than any test's timeout.
        "/slow": Route(_page("Opening hours", "We are open six days a week."), delay=SLOW_DELAY),
        # Not found.
        "/missing": Route(html_404, status=404),
        # Always a server error.
        "/broken": Route(html_500, status=500),
        # A server error, then the page.
        "/flaky": Route(sequence=[Route(html_500, status=500), Route(_MESOTHERAPY)]),
        # 429 asking for a one-second wait, then the page.
        "/busy": Route(
            sequence=[
                Route("Too many requests", status=429, headers={"Retry-After": "1"}),
                Route(_BLOG),
            ]
        ),
        # Redirects to /loop-b, which redirects back here.
        "/loop-a": Route(status=302, headers={"Location": "/loop-b"}),
        # Redirects back to /loop-a (absolute Location).
        "/loop-b": Route(status=302, headers={"Location": f"{SITE_TOKEN}/loop-a"}),
        # Moved for good to the treatment page.
        "/moved": Route(status=301, headers={"Location": "/treatments/mesotherapy"}),
        # A PDF brochure: not a page the audit reads.
        "/brochure.pdf": Route(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            content_type="application/pdf",
        ),
        # About 6 MB (over the default 5 MB limit), chunked, no Content-Length.
        "/huge": Route(_HUGE, chunked=True),
        # Live markup in the copy (script, img onerror) around a claim: reports must escape it.
        "/payload": Route(_PAYLOAD),
    }
