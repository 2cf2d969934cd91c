"""``main_content=True``: the audit lints a published page's main content, not its navigation,
header, footer, consent banner or sidebars (docs/main-content.md).

The fixture pages in ``tests/fixtures/pages`` are labelled in ``labels.yaml``; those in
``holdout/`` were written after the rules were frozen and hold the two cases the rules are
known to get wrong (see ``KNOWN_MISSES``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.markup import extract
from linter.markup.html import extract_html
from tests.test_markup import HTML_PIECES, assert_offsets
from tests.test_positions import slice_by_line_column

PAGES = Path(__file__).parent / "fixtures" / "pages"
PAGE_SCOPES = ("title", "meta_description")
PAGE_LEVEL = ("missing-contraindications", "missing-risks")


def labelled(folder: Path) -> list[tuple[Path, dict]]:
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))
    return [(folder / name, label) for name, label in labels.items()]


DEV = labelled(PAGES)
HOLDOUT = labelled(PAGES / "holdout")
ALL_PAGES = sorted(PAGES.rglob("*.html"))

# Main content the rules drop, on purpose (docs/main-content.md, "Known misses"): a
# Bootstrap one-page site puts its hero in <header class="masthead">, which is the page
# banner by the ARIA mapping, and Bootstrap's "card-footer" reads as a footer.
KNOWN_MISSES = {
    "bootstrap.html": {
        "Nottingham’s specialist hair loss clinic",
        "Regrow your hair with guaranteed results",
        "Results vary. Some clients see no improvement.",
        "Not suitable during pregnancy or breastfeeding.",
    }
}


def norm(text: str) -> str:
    return " ".join(text.split())


def body(source: str, **options) -> str:
    """The extracted text a reader sees in the page body, whitespace normalised."""
    segments = extract_html(source, **options).segments
    return norm("\n".join(s.text for s in segments if s.scope not in PAGE_SCOPES))


def main_text(source: str) -> str:
    return body(source, main_content=True)


# -- the labelled pages -----------------------------------------------------------------------


def test_labels_are_enough_and_every_snippet_is_on_its_page():
    assert len(DEV) >= 8
    assert sum(len(label["main"]) for _, label in DEV) >= 80
    assert sum(len(label["boilerplate"]) for _, label in DEV) >= 60
    for path, label in DEV + HOLDOUT:
        everything = body(path.read_text(encoding="utf-8"))
        for snippet in label["main"] + label["boilerplate"]:
            assert everything.count(norm(snippet)) == 1, (path.name, snippet)


@pytest.mark.parametrize("path, label", DEV + HOLDOUT, ids=lambda v: getattr(v, "name", ""))
def test_main_content_keeps_main_snippets_and_drops_boilerplate(path, label):
    text = main_text(path.read_text(encoding="utf-8"))
    missed = {s for s in label["main"] if norm(s) not in text}
    assert missed <= KNOWN_MISSES.get(path.name, set()), missed
    leaked = [s for s in label["boilerplate"] if norm(s) in text]
    assert not leaked


@pytest.mark.parametrize("path, label", DEV + HOLDOUT, ids=lambda v: getattr(v, "name", ""))
def test_main_content_off_keeps_everything(path, label):
    text = body(path.read_text(encoding="utf-8"))
    assert all(norm(s) in text for s in label["main"] + label["boilerplate"])


@pytest.mark.parametrize("path", ALL_PAGES, ids=lambda p: p.name)
def test_positions_stay_exact(path):
    source = path.read_text(encoding="utf-8")
    assert_offsets(source, extract_html(source, main_content=True))
    crlf = source.replace("\n", "\r\n")
    assert_offsets(crlf, extract_html(crlf, main_content=True))


@pytest.mark.parametrize("path", ALL_PAGES, ids=lambda p: p.name)
def test_main_segments_are_segments_of_the_whole_page(path):
    """On these pages (no boilerplate inside a sentence) main content only leaves segments
    out: every one it keeps is the very segment extracted without it, same offsets."""

    def key(segment):
        spans = [segment.source_span(i, i + 1) for i in range(len(segment.text))]
        return segment.text, segment.scope, tuple(spans)

    source = path.read_text(encoding="utf-8")
    everything = {key(s) for s in extract_html(source).segments}
    kept = extract_html(source, main_content=True).segments
    assert kept and all(key(s) in everything for s in kept)


@pytest.fixture(scope="module")
def main_engine():
    from linter.config import Settings
    from linter.engine import Engine

    return Engine(replace(Settings(), main_content=True))


@pytest.mark.parametrize("path", ALL_PAGES, ids=lambda p: p.name)
def test_findings_on_main_content_are_the_source_slice_at_their_range(main_engine, engine, path):
    text = path.read_text(encoding="utf-8")
    findings = [f for f in main_engine.lint_text(text, str(path), "html") if not f.is_problem]
    assert findings
    for f in findings:
        assert f.text == text[f.start : f.end]
        assert slice_by_line_column(text, f) == f.text, f
    # Claims (not the page-level disclosure checks, whose anchor is the first mention of
    # the treatment) are the same findings as without main_content, minus the chrome's.
    claims = {(f.start, f.end, f.rule) for f in findings if f.category not in PAGE_LEVEL}
    everything = {(f.start, f.end, f.rule) for f in engine.lint_text(text, str(path), "html")}
    assert claims <= everything


# -- the API --------------------------------------------------------------------------------

NAV_PAGE = "<nav><a href='/'>Cure hair loss</a></nav><main><p>Our copy.</p></main>"


def test_off_by_default_and_the_same_as_before():
    assert body(NAV_PAGE) == "Cure hair loss Our copy."
    assert body(NAV_PAGE, main_content=False) == body(NAV_PAGE)
    assert main_text(NAV_PAGE) == "Our copy."


def test_extract_passes_the_flag_to_html_only():
    texts = [s.text for s in extract(NAV_PAGE, "html", main_content=True).segments]
    assert texts == ["Our copy."]
    assert len(extract(NAV_PAGE, "html").segments) == 2
    markdown = "# Title\n\n<nav>Menu</nav>\n\nCopy.\n"
    for fmt in ("markdown", "text"):
        with_flag = [s.text for s in extract(markdown, fmt, main_content=True).segments]
        assert with_flag == [s.text for s in extract(markdown, fmt).segments]


def test_title_and_meta_description_stay():
    page = (
        "<html><head><title>Painless hair clinic</title>"
        "<meta name='description' content='No side effects'></head>"
        "<body><nav>Menu</nav><main><p>Copy.</p></main></body></html>"
    )
    kept = {(s.scope, s.text) for s in extract_html(page, main_content=True).segments}
    assert kept == {
        ("title", "Painless hair clinic"),
        ("meta_description", "No side effects"),
        ("paragraph", "Copy."),
    }


def test_an_svg_title_in_the_body_is_not_the_page_title():
    page = (
        "<html><body><nav><svg><title>Menu icon</title></svg></nav>"
        "<div class='x'><svg><title>Star rating</title></svg></div>"
        "<main><p>Copy.</p></main></body></html>"
    )
    assert main_text(page) == "Copy."


def test_alt_text_only_inside_kept_content():
    page = (
        "<header><img alt='Guaranteed results logo'></header>"
        "<main><img alt='Before and after six sessions'><p>Copy.</p></main>"
        "<footer><img alt='Award 2012'></footer>"
    )
    alts = [s.text for s in extract_html(page, main_content=True).segments if s.scope == "alt_text"]
    assert alts == ["Before and after six sessions"]


# -- mechanisms -----------------------------------------------------------------------------


def test_nav_is_dropped_even_inside_main():
    page = "<main><nav class='toc'>Contents</nav><p>Copy.</p><nav>Next post</nav></main>"
    assert main_text(page) == "Copy."


def test_main_restricts_to_its_content():
    page = (
        "<div class='hero'><p>Outside main.</p></div>"
        "<main><h1>Inside</h1><p>Copy.</p></main><div><p>After main.</p></div>"
    )
    assert main_text(page) == "Inside Copy."


def test_nested_and_repeated_main_keep_all_of_them():
    page = "<main><p>One.</p><main><p>Two.</p></main></main><p>Out.</p><main><p>Three.</p></main>"
    assert main_text(page) == "One. Two. Three."


@pytest.mark.parametrize("tag", ["header", "footer"])
def test_page_header_and_footer_dropped_but_not_those_of_an_article_or_main(tag):
    page = (
        f"<{tag}>Page {tag}.</{tag}>"
        f"<main><{tag}>Main {tag}.</{tag}><article><{tag}>Article {tag}.</{tag}>"
        f"<p>Copy.</p></article></main>"
    )
    assert main_text(page) == f"Main {tag}. Article {tag}. Copy."


def test_aside_is_a_sidebar_except_inside_an_article():
    page = (
        "<main><article><p>Copy.</p><aside>Results vary.</aside></article>"
        "<aside>Sidebar offer.</aside></main>"
    )
    assert main_text(page) == "Copy. Results vary."


@pytest.mark.parametrize(
    "role", ["navigation", "banner", "contentinfo", "complementary", "search", "dialog"]
)
def test_landmark_roles_are_dropped(role):
    page = f"<div role='{role}'>Chrome.</div><div role='main'><p>Copy.</p></div>"
    assert main_text(page) == "Copy."


def test_role_main_restricts_like_main_and_a_role_list_takes_the_first():
    page = "<div>Banner text.</div><div role='main region'><p>Copy.</p></div>"
    assert main_text(page) == "Copy."
    assert main_text("<div role='navigation main'>Menu</div><p>Copy.</p>") == "Copy."


@pytest.mark.parametrize(
    "attribute",
    [
        "id='cookie-notice'",
        "id='cookieConsent'",
        "class='cmp-banner cmp-banner--bottom'",
        "id='CybotCookiebotDialog'",
        "class='cc-window' role='alertdialog'",
        "id='gdpr-consent'",
        "class='sqs-cookie-banner-v2'",
    ],
)
def test_consent_banners_are_dropped_at_the_top_or_the_end(attribute):
    banner = f"<div {attribute}><p>We use cookies.</p><button>Accept</button></div>"
    copy = "<div><p>Hair mesotherapy copy.</p></div>"
    assert main_text(banner + copy) == "Hair mesotherapy copy."
    assert main_text(copy + banner) == "Hair mesotherapy copy."


@pytest.mark.parametrize(
    "names, kept",
    [
        # boilerplate words anywhere in a name, split at - _ and camelCase
        ("site-footer", False),
        ("main-navigation", False),
        ("navbar__list", False),
        ("sd-sharing", False),
        ("related-posts", False),
        ("newsletter-signup", False),
        ("comments-area", False),
        ("skip-link", False),
        ("widget-area", False),
        ("widget widget_text", False),
        ("cookies-policy-text", False),  # any word starting "cookie": cookiebot, cookies...
        ("header", False),
        ("site-header", False),
        # a name ending in "content" is the body of what it names
        ("menu-of-treatments-content", True),
        # not boilerplate: whole words only, and words that name content as often
        ("page-header", True),
        ("entry-header", True),
        ("hero-banner", True),
        ("social-proof", True),
        ("elementor-widget elementor-widget-text-editor", True),
        ("research-findings", True),
        ("navigator-tips", True),
        # a state of the layout, not the element's role
        ("has-sidebar", True),
        ("no-nav", True),
    ],
)
def test_class_names(names, kept):
    page = f"<div><p>Lead paragraph of copy.</p><div class='{names}'><p>Named.</p></div></div>"
    assert ("Named." in main_text(page)) is kept


def test_classes_of_body_and_article_are_the_cms_not_a_description():
    page = (
        "<body class='page cookies-not-set has-sidebar menu-open'>"
        "<article class='post tag-social-media category-related'><p>Copy.</p></article>"
        "</body>"
    )
    assert main_text(page) == "Copy."


def test_main_inside_a_wrapper_named_like_boilerplate_is_still_read():
    page = "<div class='sidebar-layout'><div>Chrome.</div><main><p>Copy.</p></main></div>"
    assert main_text(page) == "Copy."
    # but markup that says "not content" wins: a <main> inside <nav> stays out
    assert main_text("<nav><main>Menu.</main></nav><p>Copy.</p>") == "Copy."


def test_aria_hidden_is_dropped_but_hidden_is_kept():
    page = (
        "<main><div class='lightbox' aria-hidden='true'>Full regrowth in 6 weeks</div>"
        "<h3>Is there downtime?</h3><div role='region' hidden><p>No downtime at all.</p></div>"
        "</main>"
    )
    assert main_text(page) == "Is there downtime? No downtime at all."


def test_forms_are_kept_unless_named_or_roled_otherwise():
    # ASP.NET WebForms wraps the whole page in one <form>.
    page = (
        "<form id='aspnetForm'><div><p>Prices from £150.</p></div>"
        "<form role='search'><label>Search the site</label></form>"
        "<div class='newsletter-form'>Sign up</div></form>"
    )
    assert main_text(page) == "Prices from £150."


def test_one_article_is_the_main_content():
    page = (
        "<div class='x'><p>Outside text.</p></div><article><h1>Post</h1><p>Copy of the post, "
        "long enough to be the page.</p></article><div><p>After.</p></div>"
    )
    assert main_text(page) == "Post Copy of the post, long enough to be the page."


def test_several_articles_are_not_one_main():
    page = "<article><p>First card.</p></article><article><p>Second card.</p></article>"
    assert main_text(page) == "First card. Second card."


def test_an_article_inside_an_aside_is_not_the_main_content():
    page = (
        "<div id='content'><p>About the clinic, the page's own copy.</p></div>"
        "<aside><article><p>A miracle!</p></article></aside>"
    )
    assert main_text(page) == "About the clinic, the page's own copy."


def test_a_lone_teaser_article_is_not_the_page():
    copy = "".join(
        f"<section><p>Paragraph {i} of the landing page copy.</p></section>" for i in range(6)
    )
    page = copy + "<article><p>Teaser.</p></article>"
    assert "Paragraph 5" in main_text(page) and "Teaser." in main_text(page)


def test_content_names_restrict_when_there_is_no_main_or_article():
    page = (
        "<div id='top'><p>Top strap line.</p></div>"
        "<div id='content'><h1>About us</h1><p>Our story.</p></div>"
        "<div id='bottom'><p>Address.</p></div>"
    )
    assert main_text(page) == "About us Our story."


def test_without_any_container_link_lists_and_outlying_blocks_are_dropped():
    page = (
        "<table><tr><td><a href='/'>HOME</a> | <a href='/p'>PRICES</a> | "
        "<a href='/c'>CONTACT</a></td></tr>"
        "<tr><td><div><h1>Our prices</h1>"
        + "".join(f"<p>Treatment {i} costs £{i}50 a session, course of six.</p>" for i in range(6))
        + "</div></td></tr><tr><td>Clinic address. Safe, painless results.</td></tr></table>"
    )
    text = main_text(page)
    assert text.startswith("Our prices Treatment 0") and text.endswith("course of six.")


def test_without_a_container_a_page_with_landmarks_keeps_all_the_rest():
    # No guessing by text density when the markup shows the layout: a long FAQ section
    # must not push out the hero.
    page = (
        "<header><nav><a href='/'>Home</a></nav></header>"
        "<section class='hero'><h1>Guaranteed regrowth</h1></section>"
        "<section class='faq'>"
        + "".join(f"<p>Question {i}: a long and detailed answer to it.</p>" for i in range(8))
        + "</section><footer>Address.</footer>"
    )
    text = main_text(page)
    assert text.startswith("Guaranteed regrowth Question 0") and "Address" not in text


def test_without_any_container_a_page_that_is_all_content_is_kept_whole():
    page = "<p>One paragraph.</p><p>Another paragraph.</p><div>A third block.</div>"
    assert main_text(page) == "One paragraph. Another paragraph. A third block."


def test_boilerplate_inside_a_sentence_is_cut_out_with_exact_offsets():
    source = "<main><p>No side <span class='share-inline'>Share</span>effects.</p></main>"
    (segment,) = extract_html(source, main_content=True).segments
    assert segment.text == "No side effects."
    start, end = segment.source_span(0, len(segment.text))
    assert source[start:end] == "No side <span class='share-inline'>Share</span>effects."
    assert_offsets(source, extract_html(source, main_content=True))


def test_an_unclosed_boilerplate_element_drops_to_its_parent_end():
    page = "<div><div class='menu'><a href='/'>Home</a></div><p>Copy.</p>"
    assert main_text(page) == "Copy."
    assert main_text("<main><nav>Menu<p>Copy.</p></main>") == ""


MAIN_PIECES = st.one_of(
    HTML_PIECES,
    st.sampled_from(
        [
            "<main>",
            "</main>",
            "<article>",
            "</article>",
            "<nav>",
            "</nav>",
            "<header>",
            "</header>",
            "<footer>",
            "</footer>",
            "<aside>",
            "</aside>",
            "<div class='cookie-notice'>",
            "<div id=content>",
            "<div role=main>",
            "<span aria-hidden=true>",
            "</span>",
            "<a href=x>",
            "</a>",
            "<body class='menu-open'>",
            "<svg><title>icon</title></svg>",
        ]
    ),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(MAIN_PIECES, max_size=40).map("".join), st.integers(0, 50))
def test_random_html_keeps_the_invariant_with_main_content(source: str, base: int) -> None:
    assert_offsets(source, extract_html(source, main_content=True))
    assert_offsets(" " * base + source, extract_html(source, base=base, main_content=True))
