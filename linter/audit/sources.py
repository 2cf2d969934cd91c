"""The audit's first stage: what the user listed, expanded into pages to audit.

**sources** -> fetch -> engine -> store. The command line names URLs, sitemaps (files or
URLs), URL lists and folders; :func:`classify` says which each is (a usage error if it is
none), and :func:`expand` turns them into :class:`Target` values, each page once, in the
order given. Sitemaps are fetched here, through the same polite :class:`Fetcher` that
``run`` uses for pages; a sitemap that cannot be fetched or read is reported as a
:class:`FetchResult` for the sitemap itself and the other sources are still expanded.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from urllib.parse import urldefrag, urljoin, urlsplit

from linter.audit.fetch import Fetcher, FetchResult
from linter.documents import DEFAULT_INCLUDE, UsageError, discover

# The sitemap protocol's limits for one sitemap file (sitemaps.org): larger ones are refused.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_SITEMAP_ENTRIES = 50_000
# Sitemap indexes nest; deeper than this is a mistake (or a trap), not a site.
MAX_SITEMAP_DEPTH = 5
URL_LIST_SUFFIXES = (".txt", ".list", ".urls")
SITEMAP_SUFFIXES = (".xml", ".xml.gz")

__all__ = [
    "DEFAULT_INCLUDE",
    "SitemapError",
    "Source",
    "Target",
    "classify",
    "expand",
    "parse_sitemap",
    "read_url_list",
]


class SitemapError(ValueError):
    """A sitemap that cannot be read; the message is one line saying why."""


@dataclass(frozen=True)
class Source:
    kind: str  # "url" | "sitemap-file" | "url-list" | "folder" | "file"
    location: str  # as the user gave it


@dataclass(frozen=True)
class Target:
    location: str  # URL (fragment removed) or local file path
    is_url: bool
    source: str  # the Source.location it came from


def _is_http_url(text: str) -> bool:
    if any(c.isspace() for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _is_sitemap_url(url: str) -> bool:
    try:
        path = urlsplit(url).path.lower()
    except ValueError:
        return False
    return path.endswith(SITEMAP_SUFFIXES)


def classify(arg: str) -> Source:
    """What one command-line argument is; a UsageError if it is nothing we can read.

    A ``.list``/``.urls`` file is always a URL list, so a bad line in it is reported (with
    its line number) now, before anything is fetched; a ``.txt`` file is a URL list only if
    every line that is not blank or a comment is a URL, and otherwise copy to lint.
    """
    if arg[:8].lower().startswith(("http://", "https://")):
        return Source("url", arg)
    if os.path.isdir(arg):
        return Source("folder", arg)
    if os.path.isfile(arg):
        name = arg.lower()
        if name.endswith(SITEMAP_SUFFIXES):
            return Source("sitemap-file", arg)
        if name.endswith((".list", ".urls")):
            read_url_list(arg)
            return Source("url-list", arg)
        if name.endswith(".txt") and _looks_like_url_list(arg):
            return Source("url-list", arg)
        return Source("file", arg)
    raise UsageError(f"{arg}: no such file, folder or URL")


def _looks_like_url_list(path: str) -> bool:
    try:
        lines = _list_lines(path)
    except UsageError:
        return False  # unreadable: linted as a file, which reports why
    return bool(lines) and all(_is_http_url(line) for _, line in lines)


def _list_lines(path: str) -> list[tuple[int, str]]:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            text = handle.read()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read URL list: {exc.strerror or exc}") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            found.append((number, line))
    return found


def read_url_list(path: str) -> list[str]:
    """One http(s) URL per line; blank lines and lines starting with "#" are skipped."""
    urls = []
    for number, line in _list_lines(path):
        if not _is_http_url(line):
            shown = line if len(line) <= 80 else line[:77] + "..."
            raise UsageError(f"{path}:{number}: not an http(s) URL: {shown!r}")
        urls.append(line)
    return urls


class _NoDoctype(ET.TreeBuilder):
    # Sitemaps have no DTD; refusing one means no entity is ever declared, so neither
    # "billion laughs" expansion nor external entities can happen (expat reads no
    # external entities anyway).
    def doctype(self, name, pubid, system):
        raise SitemapError("has a DOCTYPE declaration, which sitemaps never need")


def _split_tag(tag) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""  # comments and processing instructions
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_SITEMAP_BYTES + 1)
    except zlib.error as exc:
        raise SitemapError(f"not valid gzip: {exc}") from None
    if len(out) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"larger than {MAX_SITEMAP_BYTES:,} bytes once decompressed")
    if not inflater.eof:
        raise SitemapError("truncated gzip data")
    return out


def parse_sitemap(data: bytes | str, base_url: str | None) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) listed by a ``<urlset>`` or ``<sitemapindex>``.

    Bytes may be gzipped and carry their own encoding declaration; text (as
    ``Fetcher.fetch_xml`` returns it) is already decoded. Relative ``<loc>`` values are
    resolved against ``base_url``; entries that are still not http(s) URLs are skipped.
    """
    if isinstance(data, bytes) and data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
    if len(data) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"larger than {MAX_SITEMAP_BYTES:,} bytes")
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        raise SitemapError(f"not well-formed XML ({exc})") from None
    ns, name = _split_tag(root.tag)
    if name == "urlset":
        entry = "url"
    elif name == "sitemapindex":
        entry = "sitemap"
    else:
        raise SitemapError(f"root element is <{name}>, not <urlset> or <sitemapindex>")
    locs: list[str] = []
    for child in root:
        if _split_tag(child.tag) != (ns, entry):
            continue
        # Only the entry's own <loc>: extensions (image:loc, video:...) use other namespaces.
        loc = next((el.text or "" for el in child if _split_tag(el.tag) == (ns, "loc")), "")
        loc = loc.strip()
        if not loc:
            continue
        if base_url:
            loc = urljoin(base_url, loc)
        if not _is_http_url(loc):
            continue
        if len(locs) >= MAX_SITEMAP_ENTRIES:
            raise SitemapError(f"more than {MAX_SITEMAP_ENTRIES:,} entries")
        locs.append(loc)
    return (locs, []) if entry == "url" else ([], locs)


def _failure(location: str, outcome: str, detail: str) -> FetchResult:
    return FetchResult(
        url=location,
        final_url=None,
        outcome=outcome,
        detail=" ".join(detail.split()),
        http_status=None,
        content_type=None,
        format=None,
        text=None,
        attempts=0,
        elapsed=0.0,
    )


@dataclass
class _Expansion:
    fetcher: Fetcher
    include: tuple[str, ...]
    seen: set[str] = field(default_factory=set)  # targets yielded: URLs and real paths
    sitemaps: set[str] = field(default_factory=set)  # sitemap URLs and paths already read

    def page(self, location: str, is_url: bool, source: str) -> Target | None:
        if is_url:
            location = urldefrag(location).url
            key = location
        else:
            key = os.path.realpath(location)
        if key in self.seen:
            return None
        self.seen.add(key)
        return Target(location, is_url, source)

    async def url(self, url: str, source: str) -> AsyncIterator[Target | FetchResult]:
        if _is_sitemap_url(url):
            async for item in self.sitemap_url(url, source, 0):
                yield item
        elif (target := self.page(url, True, source)) is not None:
            yield target

    async def sitemap_url(
        self, url: str, source: str, depth: int
    ) -> AsyncIterator[Target | FetchResult]:
        key = urldefrag(url).url
        if key in self.sitemaps:
            return  # listed twice, or an index loop
        self.sitemaps.add(key)
        if depth > MAX_SITEMAP_DEPTH:
            yield _failure(
                url,
                "bad-sitemap",
                f"sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep; not fetched",
            )
            return
        result = await self.fetcher.fetch_xml(url)
        if result.outcome == "not-html":
            yield replace(result, outcome="bad-sitemap")
            return
        if not result.ok:
            yield result
            return
        try:
            pages, nested = parse_sitemap(result.text or "", result.final_url or url)
        except SitemapError as exc:
            yield replace(result, outcome="bad-sitemap", detail=str(exc), format=None, text=None)
            return
        async for item in self.listed(pages, nested, source, depth):
            yield item

    async def sitemap_file(self, path: str, source: str) -> AsyncIterator[Target | FetchResult]:
        key = os.path.realpath(path)
        if key in self.sitemaps:
            return
        self.sitemaps.add(key)
        try:
            if os.path.getsize(path) > MAX_SITEMAP_BYTES:
                raise SitemapError(f"larger than {MAX_SITEMAP_BYTES:,} bytes")
            with open(path, "rb") as handle:
                data = handle.read()
            pages, nested = parse_sitemap(data, None)
        except OSError as exc:
            yield _failure(path, "bad-sitemap", f"cannot read: {exc.strerror or exc}")
            return
        except SitemapError as exc:
            yield _failure(path, "bad-sitemap", str(exc))
            return
        async for item in self.listed(pages, nested, source, 0):
            yield item

    async def listed(
        self, pages: list[str], nested: list[str], source: str, depth: int
    ) -> AsyncIterator[Target | FetchResult]:
        # A urlset's <loc>s are pages even when they end in .xml: only an index nests.
        for url in pages:
            if (target := self.page(url, True, source)) is not None:
                yield target
        for url in nested:
            async for item in self.sitemap_url(url, source, depth + 1):
                yield item


async def expand(
    sources: list[Source],
    fetcher: Fetcher,
    include: tuple[str, ...] = DEFAULT_INCLUDE,
) -> AsyncIterator[Target | FetchResult]:
    """Each distinct page of the sources once, in order; failed sitemaps as FetchResults.

    A URL (given directly or in a URL list) whose path ends in ``.xml`` or ``.xml.gz`` is
    read as a sitemap; any other URL is a page, fetched later by ``run``, not here.
    """
    state = _Expansion(fetcher, tuple(include))
    for source in sources:
        kind, location = source.kind, source.location
        if kind == "url":
            async for item in state.url(location.strip(), location):
                yield item
        elif kind == "url-list":
            for url in read_url_list(location):
                async for item in state.url(url, location):
                    yield item
        elif kind == "sitemap-file":
            async for item in state.sitemap_file(location, location):
                yield item
        elif kind == "folder":
            for path in discover([location], state.include):
                if (target := state.page(path, False, location)) is not None:
                    yield target
        elif kind == "file":
            if (target := state.page(location, False, location)) is not None:
                yield target
        else:
            raise ValueError(f"unknown source kind {kind!r}")
