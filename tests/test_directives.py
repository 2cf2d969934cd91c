"""Suppression comments in Markdown and HTML: next-line, range and file forms, a reason
required, unused suppressions reported."""

from __future__ import annotations


def rules_of(findings):
    return [(f.rule, f.line) for f in findings]


def test_disable_next_line_with_reason_suppresses_that_line_only(lint):
    text = (
        "Intro paragraph.\n\n"
        '<!-- claimsafe: disable-next-line safety-absolute reason="quoting the regulator" -->\n'
        "Our 2019 leaflet headline read: No side effects!\n\n"
        "Our treatment has no side effects.\n"
    )
    assert rules_of(lint(text, "markdown", "page.md")) == [("CS101", 6)]


def test_a_suppression_without_reason_is_reported_and_ignored(lint):
    text = "<!-- claimsafe: disable-next-line CS101 -->\nIt has no side effects.\n"
    found = lint(text, "markdown", "page.md")
    assert rules_of(found) == [("CS904", 1), ("CS101", 2)]
    assert "needs a reason" in found[0].message


def test_unknown_rule_in_a_suppression_is_reported(lint):
    text = (
        '<!-- claimsafe: disable-next-line no-such-rule reason="x" -->\nIt has no side effects.\n'
    )
    found = lint(text, "markdown", "page.md")
    assert rules_of(found) == [("CS904", 1), ("CS101", 2)]
    assert "unknown rule 'no-such-rule'" in found[0].message


def test_range_form_ends_at_enable(lint):
    text = (
        '<!-- claimsafe: disable no-side-effects reason="legacy page under legal review" -->\n\n'
        "It has no side effects.\n\n"
        "<!-- claimsafe: enable no-side-effects -->\n\n"
        "It is risk-free.\n"
    )
    assert rules_of(lint(text, "markdown", "page.md")) == [("CS101", 7)]


def test_file_form_covers_the_whole_document(lint):
    text = (
        "It has no side effects.\n\n"
        '<!-- claimsafe: disable-file CS101 reason="regulator guidance page quoting banned phrases" -->\n\n'
        "It is risk-free.\n"
    )
    assert rules_of(lint(text, "markdown", "page.md")) == []


def test_unused_suppression_is_reported(lint):
    text = '<!-- claimsafe: disable-next-line CS101 reason="was a claim once" -->\nBruising is common.\n'
    found = lint(text, "markdown", "page.md")
    assert rules_of(found) == [("CS905", 1)]
    assert found[0].severity == "warning" and found[0].text.startswith("<!--")


def test_html_comments_work_the_same(lint):
    text = (
        "<html><body>\n"
        '<!-- claimsafe: disable-next-line CS101 reason="quoted complaint" -->\n'
        "<p>A patient complained we said no side effects.</p>\n"
        "<p>It has no side effects.</p>\n"
        "</body></html>\n"
    )
    assert rules_of(lint(text, "html", "page.html")) == [("CS101", 4)]


def test_comment_inside_code_is_not_a_directive(lint):
    text = (
        '```html\n<!-- claimsafe: disable-file CS101 reason="example" -->\n```\n\n'
        "It has no side effects.\n"
    )
    assert rules_of(lint(text, "markdown", "page.md")) == [("CS101", 5)]
