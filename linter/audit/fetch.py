"""The audit's fetch stage: one published page in, one :class:`FetchResult` out.

sources -> **fetch** -> engine -> store. ``sources`` also uses :meth:`Fetcher.fetch_xml` for
sitemaps. Like ``documents`` for files, this stage never raises for a page that cannot be
used: every failure becomes an ``outcome`` (a short kind the reports group by) and a
one-line ``detail``, so the other pages are still audited.

Being a good citizen on sites we do not own:

- one ``asyncio.Semaphore`` bounds the requests in flight, all hosts together;
- each host (host and port) has a lock and a next-allowed time, so two requests to one host
  start at least ``per_host_delay`` apart (or the robots.txt ``Crawl-delay``, if longer),
  while requests to other hosts go ahead; waiting for a host never holds a semaphore slot;
- robots.txt is read once per origin, with our own user agent, and a disallowed URL is
  never requested, even when a redirect leads to it;
- 429, 5xx, timeouts and connection failures are retried with exponential backoff, or after
  the server's ``Retry-After``, which also holds back every other request to that host.

robots.txt that answers 4xx means "no rules" (RFC 9309). One that answers 5xx or cannot be
reached is *also* taken as allowing everything, although RFC 9309 tells crawlers to assume
a full disallow: the audit is not a crawler. It requests only the pages its user listed
(usually their own or their client's site), never follows links, and stays within the
politeness limits above; the pages themselves are retried and, if the host is really down,
get their own honest outcome ("http-503", "connect-error") instead of a misleading
"robots-disallowed". A robots.txt larger than 512 KB (the RFC's minimum parse limit) is also
treated as absent.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import os
import random
import re
import socket
import time
import zlib
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from linter import __version__

USER_AGENT = (
    f"claimsafe/{__version__} "
    "(health-claims compliance audit; +https://github.com/claimsafe/claimsafe)"
)

# Accepted page types and the markup format each is linted as.
PAGE_FORMATS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
XML_TYPES = ("application/xml", "text/xml")
# Gzipped sitemaps come labelled any of these ways; text/plain is a common misconfiguration.
XML_LOOSE_TYPES = (
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "text/plain",
)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_BACKOFF = 30.0
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512_000
# httpx's timeouts are per operation: a server dripping a byte a second would never time
# out. One attempt (headers and body) gets at most this many times ``timeout`` in all.
ATTEMPT_TIMEOUT_FACTOR = 4

_ACCEPT = {
    "page": "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.1",
    "xml": "application/xml,text/xml;q=0.9,*/*;q=0.1",
    "robots": "text/plain,*/*;q=0.1",
}
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.I)
# Both <meta charset="x"> and <meta http-equiv="Content-Type" content="...; charset=x">.
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = USER_AGENT
    timeout: float = 15.0  # seconds, per request (connect/read/write/pool)
    concurrency: int = 8  # requests in flight at once, all hosts together
    per_host_delay: float = 1.0  # minimum seconds between the starts of two requests to one host
    retries: int = 3  # extra attempts after a 429/5xx/timeout/connect error
    backoff: float = 1.0  # first retry wait; doubles each retry (with small jitter), capped 30 s
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for: "rate-limited"
    max_redirects: int = 5
    max_bytes: int = 5_000_000  # enforced while streaming, whatever Content-Length says
    respect_robots: bool = True


@dataclass(frozen=True)
class FetchResult:
    url: str  # as requested
    final_url: str | None  # the last URL that answered, after redirects; None if none did
    # "ok", "http-<status>", "timeout", "dns-error", "connect-error", "too-large",
    # "not-html", "redirect-loop", "too-many-redirects", "robots-disallowed", "invalid-url",
    # "rate-limited" or "error"
    outcome: str
    detail: str  # one human line; "" when ok
    http_status: int | None
    content_type: str | None
    format: str | None  # "html" | "markdown" | "text" ("xml" from fetch_xml) when ok
    text: str | None  # decoded body when outcome == "ok"
    # 1 + the retries used (one budget for the whole redirect chain; hops are not attempts);
    # 0 when nothing was sent (invalid-url, robots-disallowed)
    attempts: int
    elapsed: float  # seconds, all attempts and waits included

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass
class _Answer:
    """What one attempt got: a response's status and headers, a body, or a failure."""

    status: int | None = None
    content_type: str | None = None
    location: str | None = None
    retry_after: float | None = None
    body: bytes | None = None
    failure: str | None = None  # an outcome decided during the attempt
    detail: str = ""
    retryable: bool = False


@dataclass
class _Host:
    gap: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float = float("-inf")
    next_at: float = 0.0

    def started(self, when: float) -> None:
        self.last_start = when
        self.next_at = max(self.next_at, when + self.gap)


class Fetcher:
    """Fetches pages politely; use as ``async with Fetcher(settings) as fetcher``."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._client: httpx.AsyncClient | None = None
        self._slots = asyncio.Semaphore(max(1, self.settings.concurrency))
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, RobotFileParser] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        self._open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def fetch(self, url: str) -> FetchResult:
        """Fetch one page (HTML, Markdown or plain text). Never raises but CancelledError."""
        return await self._get(url, "page")

    async def fetch_xml(self, url: str) -> FetchResult:
        """Fetch a sitemap: XML, gzipped or not, decoded to text with format "xml"."""
        return await self._get(url, "xml")

    # The fetch loop: retries, redirects and robots.txt, one attempt at a time.

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            n = max(1, self.settings.concurrency)
            self._client = httpx.AsyncClient(
                headers={"User-Agent": self.settings.user_agent},
                timeout=httpx.Timeout(self.settings.timeout),
                # No more connections than requests allowed in flight; keep them all alive.
                limits=httpx.Limits(max_connections=n, max_keepalive_connections=n),
                follow_redirects=False,
            )
        return self._client

    async def _get(
        self,
        url: str,
        mode: str,
        *,
        check_robots: bool = True,
        retries: int | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        s = self.settings
        retries = s.retries if retries is None else retries
        max_bytes = s.max_bytes if max_bytes is None else max_bytes
        started = time.monotonic()
        retried = redirects = 0
        sent = False
        final_url: str | None = None
        last = _Answer()

        def result(outcome: str, detail: str = "", fmt=None, text=None) -> FetchResult:
            return FetchResult(
                url=url,
                final_url=final_url,
                outcome=outcome,
                detail=_one_line(detail),
                http_status=last.status,
                content_type=last.content_type,
                format=fmt,
                text=text,
                attempts=retried + 1 if sent else 0,
                elapsed=time.monotonic() - started,
            )

        try:
            current = url.strip()
            visited: set[str] = set()
            while True:
                problem = _url_problem(current)
                if problem:
                    return result("invalid-url", problem)
                current = urldefrag(current).url
                visited.add(current)
                if check_robots and s.respect_robots and not await self._allowed(current):
                    return result("robots-disallowed", f"{current} is disallowed by robots.txt")
                sent = True
                last = await self._attempt(current, mode, max_bytes)
                if last.status is not None:
                    final_url = current
                if last.retryable:
                    outcome = last.failure or f"http-{last.status}"
                    detail = last.detail or _status_detail(last.status)
                    wait = last.retry_after
                    if wait is not None and wait > s.max_retry_after:
                        return result(
                            "rate-limited",
                            f"{detail}; Retry-After asks for {wait:.0f} s, "
                            f"more than the {s.max_retry_after:g} s allowed",
                        )
                    if retried >= retries:
                        if retried:
                            detail += f" (after {retried + 1} attempts)"
                        return result(outcome, detail)
                    retried += 1
                    if wait is not None:
                        # The whole host asked for a pause, not just this URL.
                        self._hold(current, wait)
                    else:
                        await asyncio.sleep(self._backoff(retried))
                    continue
                if last.status in REDIRECT_STATUSES and last.location:
                    target = urldefrag(urljoin(current, last.location.strip())).url
                    if target in visited:
                        return result("redirect-loop", f"{current} redirects back to {target}")
                    redirects += 1
                    if redirects > s.max_redirects:
                        return result(
                            "too-many-redirects",
                            f"more than {s.max_redirects} redirects (next was {target})",
                        )
                    current = target
                    continue
                if last.failure:
                    return result(last.failure, last.detail)
                if last.status is None or not 200 <= last.status < 300:
                    return result(f"http-{last.status}", _status_detail(last.status))
                return self._accept(result, mode, last, max_bytes)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not end the audit of the other pages
            return result("error", f"{type(exc).__name__}: {exc}")

    def _accept(self, result, mode: str, answer: _Answer, max_bytes: int) -> FetchResult:
        body = answer.body or b""
        mime = _mime(answer.content_type)
        if mode == "robots":
            return result("ok", "", "text", _decode(body, answer.content_type, "text"))
        if mode == "xml":
            if body[:2] == _GZIP_MAGIC:
                try:
                    body = _gunzip(body, max_bytes)
                except ValueError as exc:
                    return result("too-large", str(exc))
                except (zlib.error, EOFError) as exc:
                    return result("error", f"not valid gzip: {exc}")
            text = _decode(body, answer.content_type, "xml")
            if not text.lstrip().startswith("<"):
                return result("not-html", f"content ({mime or 'no content type'}) is not XML")
            return result("ok", "", "xml", text)
        fmt = PAGE_FORMATS.get(mime) if mime else _sniff(body)
        return result("ok", "", fmt, _decode(body, answer.content_type, fmt))

    # One attempt.

    async def _attempt(self, url: str, mode: str, max_bytes: int) -> _Answer:
        timeout = self.settings.timeout
        async with self._turn(url) as host:
            try:
                async with asyncio.timeout(timeout * ATTEMPT_TIMEOUT_FACTOR):
                    return await self._exchange(url, mode, max_bytes, host)
            except httpx.TimeoutException as exc:
                return _Answer(
                    failure="timeout",
                    detail=f"no answer within {timeout:g} s ({type(exc).__name__})",
                    retryable=True,
                )
            except TimeoutError:
                return _Answer(
                    failure="timeout",
                    detail=f"answer not complete within {timeout * ATTEMPT_TIMEOUT_FACTOR:g} s",
                    retryable=True,
                )
            except httpx.ConnectError as exc:
                gai = _gaierror(exc)
                name = urlsplit(url).hostname
                if gai is not None:
                    return _Answer(
                        failure="dns-error",
                        detail=f"cannot resolve {name}: {gai.strerror or gai}",
                        # Only a temporary resolver failure is worth another try.
                        retryable=gai.errno == socket.EAI_AGAIN,
                    )
                return _Answer(
                    failure="connect-error",
                    detail=f"cannot connect to {name}: {_os_reason(exc)}",
                    retryable=True,
                )
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                return _Answer(failure="invalid-url", detail=_reason(exc))
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                # The connection broke mid-answer: as transient as a failed connect.
                return _Answer(
                    failure="error", detail=f"{type(exc).__name__}: {_reason(exc)}", retryable=True
                )
            except httpx.HTTPError as exc:
                return _Answer(failure="error", detail=f"{type(exc).__name__}: {_reason(exc)}")

    async def _exchange(self, url: str, mode: str, max_bytes: int, host: _Host) -> _Answer:
        async def trace(event: str, info: dict) -> None:
            # The request really starts when its headers go out, after any new connection
            # (TCP, TLS) is made: the host's delay counts from then, as the server sees it.
            if event.endswith("send_request_headers.started"):
                host.started(time.monotonic())

        client = self._open()
        async with client.stream(
            "GET", url, headers={"Accept": _ACCEPT[mode]}, extensions={"trace": trace}
        ) as response:
            status = response.status_code
            headers = response.headers
            answer = _Answer(status=status, content_type=headers.get("content-type"))
            if 300 <= status < 400:
                answer.location = headers.get("location")
                return answer
            if not 200 <= status < 300:
                # Error bodies are not read: closing the stream drops the connection.
                answer.retryable = status == 429 or status >= 500
                answer.retry_after = _retry_after(headers.get("retry-after"))
                return answer
            declared = _content_length(headers.get("content-length"))
            if declared is not None and declared > max_bytes:
                answer.failure = "too-large"
                answer.detail = f"Content-Length {declared:,} bytes, over the {max_bytes:,} limit"
                return answer
            refusal = _refuse(mode, _mime(answer.content_type))
            if refusal:
                answer.failure, answer.detail = "not-html", refusal
                return answer
            body = bytearray()
            # aiter_bytes() yields decompressed bytes, so the limit also stops gzip bombs.
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    answer.failure = "too-large"
                    answer.detail = f"more than {max_bytes:,} bytes; stopped reading"
                    return answer
            answer.body = bytes(body)
            return answer

    # Politeness.

    def _host(self, url: str) -> _Host:
        key = _host_key(url)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(gap=max(0.0, self.settings.per_host_delay))
        return host

    @asynccontextmanager
    async def _turn(self, url: str):
        """Wait for the host's turn, then for a slot; hold the slot for one request."""
        host = self._host(url)
        async with host.lock:
            while True:
                wait = host.next_at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                # Taken while holding the host's lock, so the start recorded below is the
                # real one; a request waiting for its host's turn holds no slot.
                await self._slots.acquire()
                if host.next_at <= time.monotonic():
                    break
                self._slots.release()  # the previous request started late: wait again
            host.started(time.monotonic())
        try:
            yield host
        finally:
            self._slots.release()

    def _hold(self, url: str, seconds: float) -> None:
        host = self._host(url)
        host.next_at = max(host.next_at, time.monotonic() + seconds)

    def _backoff(self, retry: int) -> float:
        wait = min(self.settings.backoff * 2 ** (retry - 1), MAX_BACKOFF)
        # Jitter, so pages that failed together do not all come back at the same instant.
        return wait * random.uniform(1.0, 1.1)

    async def _allowed(self, url: str) -> bool:
        origin = _origin(url)
        rules = self._robots.get(origin)
        if rules is None:
            lock = self._robots_locks.setdefault(origin, asyncio.Lock())
            async with lock:
                rules = self._robots.get(origin)
                if rules is None:
                    rules = self._robots[origin] = await self._load_robots(origin, url)
        return rules.can_fetch(self.settings.user_agent, url)

    async def _load_robots(self, origin: str, url: str) -> RobotFileParser:
        rules = RobotFileParser(origin + "/robots.txt")
        fetched = await self._get(
            origin + "/robots.txt",
            "robots",
            check_robots=False,
            retries=min(1, self.settings.retries),
            max_bytes=ROBOTS_MAX_BYTES,
        )
        if not fetched.ok:
            # 4xx: no rules. 5xx or unreachable: allowed too, see the module docstring.
            rules.allow_all = True
            return rules
        rules.parse((fetched.text or "").splitlines())
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            host = self._host(url)
            gap = max(host.gap, min(float(delay), MAX_CRAWL_DELAY))
            if gap > host.gap:
                host.gap = gap
                host.next_at = max(host.next_at, host.last_start + gap)
        return rules


# Helpers.


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _status_detail(status: int | None) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"cannot parse URL {url!r}: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) URL: {url!r}"
    if not parts.hostname:
        return f"no host in URL {url!r}"
    return None


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{scheme}://{host}{port}"


def _causes(exc: BaseException | None):
    """The exception, what caused it, and (for exception groups) their members."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        exc = todo.pop(0)
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        todo.extend(getattr(exc, "exceptions", ()))
        todo.extend((exc.__cause__, exc.__context__))


def _os_reason(exc: BaseException) -> str:
    # anyio reports "All connection attempts failed"; the socket's own words are more useful.
    for cause in _causes(exc):
        if isinstance(cause, OSError) and isinstance(cause.errno, int) and cause.errno > 0:
            return os.strerror(cause.errno)
    return _reason(exc)


def _gaierror(exc: BaseException) -> socket.gaierror | None:
    return next((cause for cause in _causes(exc) if isinstance(cause, socket.gaierror)), None)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait, from delta-seconds or an HTTP-date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _content_length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _mime(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _refuse(mode: str, mime: str | None) -> str:
    """Why a response of this type is not read ("" if it is read)."""
    if mime is None or mode == "robots":
        return ""
    if mode == "xml":
        if mime in XML_TYPES or mime.endswith("+xml") or mime in XML_LOOSE_TYPES:
            return ""
        return f"content type {mime} is not XML"
    if mime in PAGE_FORMATS:
        return ""
    return f"content type {mime} is not a page (HTML, Markdown or plain text)"


def _sniff(body: bytes) -> str:
    head = body[:1024].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    return "html" if head.startswith(b"<") else "text"


def _codec(label: str | bytes | None, from_markup: bool = False) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    # Browsers read latin-1 and ASCII labels as windows-1252 (WHATWG Encoding), and pages so
    # labelled routinely contain its curly quotes.
    if name in ("iso8859-1", "ascii"):
        return "cp1252"
    # A UTF-16 label found by reading the bytes as ASCII cannot be right.
    if from_markup and name.startswith("utf-16"):
        return "utf-8"
    return name


def _decode(body: bytes, content_type: str | None, fmt: str | None) -> str:
    """Charset from a BOM, else Content-Type, else the markup's own declaration, else UTF-8."""
    encoding = next((enc for bom, enc in _BOMS if body.startswith(bom)), None)
    if encoding is None and content_type:
        match = _CHARSET_PARAM.search(content_type)
        encoding = _codec(match.group(1)) if match else None
    if encoding is None and fmt == "html":
        match = _META_CHARSET.search(body[:2048])
        encoding = _codec(match.group(1), from_markup=True) if match else None
    if encoding is None and fmt == "xml":
        match = _XML_ENCODING.match(body[:200])
        encoding = _codec(match.group(1), from_markup=True) if match else None
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    return body.decode(encoding or "utf-8-sig", errors="replace")


def _gunzip(data: bytes, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise ValueError(f"more than {limit:,} bytes once decompressed; stopped")
    if not inflater.eof:
        raise EOFError("truncated gzip data")
    return out
