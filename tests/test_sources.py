"""The audit's sources stage: classifying arguments, reading sitemaps and URL lists, expanding."""

from __future__ import annotations

import asyncio
import gzip
import os

import pytest

from linter.audit.fetch import Fetcher, FetchResult, FetchSettings
from linter.audit.sources import (
    SitemapError,
    Source,
    Target,
    classify,
    expand,
    parse_sitemap,
    read_url_list,
)
from linter.documents import UsageError
from tests.siteserver import Route, SiteServer, fixture_site

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str, ns: str = NS) -> str:
    urls = "".join(f"<url><loc>{loc}</loc><lastmod>2024-05-01</lastmod></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}>{urls}</urlset>'


def index(*locs: str, ns: str = NS) -> str:
    maps = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {ns}>{maps}</sitemapindex>'


def expand_all(sources: list[Source], **include) -> list[Target | FetchResult]:
    async def go():
        settings = FetchSettings(per_host_delay=0.0, backoff=0.02, timeout=2.0, retries=1)
        async with Fetcher(settings) as fetcher:
            return [item async for item in expand(sources, fetcher, **include)]

    return asyncio.run(go())


def locations(items) -> list[str]:
    return [item.location for item in items]


# classify


def test_classify_urls_and_paths(tmp_path):
    (tmp_path / "site").mkdir()
    files = {
        "sitemap.xml": "<urlset/>",
        "sitemap.xml.gz": "",
        "urls.txt": "# our pages\nhttps://clinic.example/\n\nhttp://clinic.example/a\n",
        "pages.urls": "https://clinic.example/\n",
        "pages.list": "",
        "copy.txt": "Mesotherapy regrows hair.\nhttps://clinic.example/\n",
        "empty.txt": "",
        "page.md": "# Mesotherapy",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    def kind(arg):
        source = classify(arg)
        assert source.location == arg
        return source.kind

    assert kind("https://clinic.example/") == "url"
    assert kind("HTTP://clinic.example/sitemap.xml") == "url"
    assert kind(str(tmp_path / "site")) == "folder"
    assert kind(str(tmp_path / "sitemap.xml")) == "sitemap-file"
    assert kind(str(tmp_path / "sitemap.xml.gz")) == "sitemap-file"
    assert kind(str(tmp_path / "urls.txt")) == "url-list"
    assert kind(str(tmp_path / "pages.urls")) == "url-list"
    assert kind(str(tmp_path / "pages.list")) == "url-list"
    assert kind(str(tmp_path / "copy.txt")) == "file"
    assert kind(str(tmp_path / "empty.txt")) == "file"
    assert kind(str(tmp_path / "page.md")) == "file"


def test_classify_nothing_is_a_usage_error(tmp_path):
    missing = str(tmp_path / "nope.md")
    with pytest.raises(UsageError) as err:
        classify(missing)
    assert str(err.value) == f"{missing}: no such file, folder or URL"
    with pytest.raises(UsageError, match="ftp://clinic.example/: no such file, folder or URL"):
        classify("ftp://clinic.example/")


def test_classify_reports_a_bad_line_of_a_url_file_at_once(tmp_path):
    path = tmp_path / "pages.urls"
    path.write_text("https://clinic.example/\nclinic.example/prices\n")
    with pytest.raises(UsageError, match=r"pages\.urls:2: not an http\(s\) URL"):
        classify(str(path))


# read_url_list


def test_read_url_list(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text(
        "\ufeff# clinic pages\n\nhttps://clinic.example/\n  http://clinic.example/a#team  \n"
        "# https://clinic.example/old\n"
    )
    assert read_url_list(str(path)) == ["https://clinic.example/", "http://clinic.example/a#team"]


def test_read_url_list_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text("# pages\nhttps://clinic.example/\n\nmailto:info@clinic.example\n")
    with pytest.raises(UsageError) as err:
        read_url_list(str(path))
    message = str(err.value)
    assert message.startswith(f"{path}:4: ")
    assert "mailto:info@clinic.example" in message
    assert "\n" not in message


def test_read_url_list_missing_file(tmp_path):
    with pytest.raises(UsageError, match="gone.txt"):
        read_url_list(str(tmp_path / "gone.txt"))


# parse_sitemap


def test_parse_urlset_namespaced():
    data = urlset("https://clinic.example/", "https://clinic.example/mesotherapy").encode()
    assert parse_sitemap(data, None) == (
        ["https://clinic.example/", "https://clinic.example/mesotherapy"],
        [],
    )


def test_parse_urlset_without_namespace_and_whitespace():
    data = "<urlset>\n <url>\n  <loc>\n    https://clinic.example/a\n  </loc>\n </url>\n</urlset>"
    assert parse_sitemap(data.encode(), None) == (["https://clinic.example/a"], [])


def test_parse_sitemap_index():
    data = index("https://clinic.example/pages.xml", "https://clinic.example/blog.xml.gz")
    assert parse_sitemap(data.encode(), None) == (
        [],
        ["https://clinic.example/pages.xml", "https://clinic.example/blog.xml.gz"],
    )
    assert parse_sitemap(index("https://clinic.example/p.xml", ns=""), None) == (
        [],
        ["https://clinic.example/p.xml"],
    )


def test_parse_sitemap_resolves_relative_locs():
    data = urlset("/treatments", "blog/post", "https://other.example/x").encode()
    pages, _ = parse_sitemap(data, "https://clinic.example/maps/sitemap.xml")
    assert pages == [
        "https://clinic.example/treatments",
        "https://clinic.example/maps/blog/post",
        "https://other.example/x",
    ]
    # Without a base, a relative loc cannot be fetched: it is left out.
    assert parse_sitemap(data, None) == (["https://other.example/x"], [])


def test_parse_sitemap_ignores_extension_locs_and_empty_entries():
    data = (
        f'<urlset {NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        "<url><loc>https://clinic.example/</loc>"
        "<image:image><image:loc>https://clinic.example/a.jpg</image:loc></image:image></url>"
        "<url><loc>   </loc></url><url><lastmod>2024-01-01</lastmod></url>"
        "<url><loc>mailto:x@clinic.example</loc></url></urlset>"
    )
    assert parse_sitemap(data.encode(), None) == (["https://clinic.example/"], [])


def test_parse_sitemap_encodings_and_gzip():
    latin = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        "<urlset><url><loc>https://x/é</loc></url></urlset>"
    )
    assert parse_sitemap(latin.encode("latin-1"), None) == (["https://x/é"], [])
    assert parse_sitemap(latin, None) == (["https://x/é"], [])  # text: already decoded
    assert parse_sitemap(gzip.compress(urlset("https://x/").encode()), None) == (["https://x/"], [])


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"<urlset><url><loc>https://x/</loc></url>", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<html><body>Not a sitemap</body></html>", "root element is <html>"),
        (b'<rss version="2.0"><channel/></rss>', "root element is <rss>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><urlset>&b;</urlset>',
            "DOCTYPE",
        ),
        (b"\x1f\x8bnot gzip at all", "gzip"),
    ],
)
def test_parse_sitemap_errors(data, reason):
    with pytest.raises(SitemapError) as err:
        parse_sitemap(data, None)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_parse_sitemap_caps_size():
    huge = gzip.compress(b"<urlset>" + b" " * (50 * 1024 * 1024 + 1) + b"</urlset>", 1)
    with pytest.raises(SitemapError, match="larger than"):
        parse_sitemap(huge, None)


# expand


def test_expand_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.html", "a.md", "notes.txt", "photo.png", "sub/c.html"):
        (tmp_path / name).write_text("Mesotherapy regrows hair.")
    folder = str(tmp_path)
    items = expand_all([Source("folder", folder)])
    assert items == [
        Target(os.path.join(folder, "a.md"), False, folder),
        Target(os.path.join(folder, "b.html"), False, folder),
        Target(os.path.join(folder, "notes.txt"), False, folder),
        Target(os.path.join(folder, "sub", "c.html"), False, folder),
    ]
    only_html = expand_all([Source("folder", folder)], include=("*.html",))
    assert [os.path.basename(t.location) for t in only_html] == ["b.html", "c.html"]


def test_expand_files_once(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("copy")
    items = expand_all([Source("file", str(page)), Source("folder", str(tmp_path))])
    assert items == [Target(str(page), False, str(page))]


def test_expand_url_list_in_order_without_duplicates(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text(
        "https://clinic.example/b\nhttps://clinic.example/a\n"
        "https://clinic.example/b#prices\nhttps://clinic.example/a\n"
    )
    source = str(path)
    items = expand_all([Source("url-list", source), Source("url", "https://clinic.example/a#x")])
    assert items == [
        Target("https://clinic.example/b", True, source),
        Target("https://clinic.example/a", True, source),
    ]


def test_expand_page_url_is_not_fetched():
    with SiteServer(fixture_site()) as site:
        items = expand_all([Source("url", site.url("/treatments/mesotherapy"))])
        assert items == [Target(site.url("/treatments/mesotherapy"), True, items[0].source)]
        assert site.requests == []


def test_expand_local_sitemap_file(tmp_path):
    path = tmp_path / "sitemap.xml"
    path.write_text(urlset("https://clinic.example/", "https://clinic.example/meso"))
    zipped = tmp_path / "more.xml.gz"
    zipped.write_bytes(gzip.compress(urlset("https://clinic.example/", "https://x/y").encode()))
    items = expand_all([Source("sitemap-file", str(path)), Source("sitemap-file", str(zipped))])
    assert items == [
        Target("https://clinic.example/", True, str(path)),
        Target("https://clinic.example/meso", True, str(path)),
        Target("https://x/y", True, str(zipped)),
    ]


def test_expand_bad_local_sitemap_continues(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<html>not a sitemap</html>")
    items = expand_all([Source("sitemap-file", str(bad)), Source("url", "https://clinic.example/")])
    assert isinstance(items[0], FetchResult)
    assert items[0].url == str(bad)
    assert items[0].outcome == "bad-sitemap"
    assert "root element is <html>" in items[0].detail
    assert items[1] == Target("https://clinic.example/", True, "https://clinic.example/")


def test_expand_sitemap_index_from_the_site():
    with SiteServer(fixture_site()) as site:
        index_url = site.url("/sitemap.xml")
        items = expand_all([Source("url", index_url)])
        assert all(isinstance(t, Target) and t.is_url and t.source == index_url for t in items)
        expected = [
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
            "/blog/what-to-expect",  # from the blog sitemap, whose "/#top" is a duplicate
        ]
        assert locations(items) == [site.url(p) for p in expected]
        for path in ("/sitemap.xml", "/sitemap-pages.xml", "/sitemap-blog.xml"):
            assert len(site.hits(path)) == 1
        assert not site.hits("/")  # pages are the orchestrator's to fetch


def test_expand_index_loop_terminates():
    routes = {
        "/a.xml": Route(index("{{site}}/b.xml", "{{site}}/pages.xml"), content_type="text/xml"),
        "/b.xml": Route(index("{{site}}/a.xml", "/b.xml"), content_type="text/xml"),
        "/pages.xml": Route(urlset("{{site}}/"), content_type="text/xml"),
    }
    with SiteServer(routes) as site:
        items = expand_all([Source("url", site.url("/a.xml")), Source("url", site.url("/b.xml"))])
        assert items == [Target(site.url("/"), True, site.url("/a.xml"))]
        assert [len(site.hits(p)) for p in ("/a.xml", "/b.xml", "/pages.xml")] == [1, 1, 1]


def test_expand_depth_limit():
    routes = {f"/d{i}.xml": Route(index(f"{{{{site}}}}/d{i + 1}.xml")) for i in range(8)}
    for route in routes.values():
        route.content_type = "application/xml"
    with SiteServer(routes) as site:
        items = expand_all([Source("url", site.url("/d0.xml"))])
        assert len(items) == 1 and items[0].outcome == "bad-sitemap"
        assert items[0].url == site.url("/d6.xml")
        assert "nested" in items[0].detail
        assert site.hits("/d5.xml") and not site.hits("/d6.xml")


def test_expand_broken_sitemaps_are_reported_and_the_rest_continues(tmp_path):
    routes = {
        "/broken.xml": Route("oops", status=500),
        "/html.xml": Route("<html><p>Welcome</p></html>", content_type="text/html"),
        "/torn.xml": Route("<urlset><url><loc>https://x/", content_type="application/xml"),
        "/good.xml": Route(urlset("{{site}}/"), content_type="application/xml"),
    }
    urls = tmp_path / "more.urls"
    with SiteServer(routes) as site:
        # A sitemap URL inside a URL list is expanded like one on the command line.
        urls.write_text(f"{site.url('/good.xml')}\n{site.url('/missing.xml')}\n")
        items = expand_all(
            [
                Source("url", site.url("/broken.xml")),
                Source("url", site.url("/html.xml")),
                Source("url", site.url("/torn.xml")),
                Source("url-list", str(urls)),
            ]
        )
        outcomes = [
            (item.url, item.outcome) if isinstance(item, FetchResult) else item for item in items
        ]
        assert outcomes == [
            (site.url("/broken.xml"), "http-500"),
            (site.url("/html.xml"), "bad-sitemap"),
            (site.url("/torn.xml"), "bad-sitemap"),
            Target(site.url("/"), True, str(urls)),
            (site.url("/missing.xml"), "http-404"),
        ]
        assert "not well-formed XML" in items[2].detail
        assert items[2].text is None
        assert items[0].attempts == 2  # retries=1
