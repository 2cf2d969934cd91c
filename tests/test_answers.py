"""Claims made by answering a question ("Does it hurt? Not at all."): the answer check
finds them across the two sentences, in the question's own document only."""

from __future__ import annotations

import pytest

from linter.documents import Document

FAQ = """\
# Your questions

## Does scalp mesotherapy hurt?

Not at all. You will barely feel the needle.

## Are there any side effects?

None whatsoever, it is just vitamins.

## Is there any downtime?

No, you can go straight back to work.
"""


def claims(lint, text, format="markdown"):
    return [
        (f.rule, f.line, f.column, f.text) for f in lint(text, format, "faq.md") if not f.is_problem
    ]


def test_a_faq_that_answers_pain_and_risk_questions_no_makes_both_claims(lint):
    found = claims(lint, FAQ)
    assert ("CS123", 5, 1, "Not at all") in found
    assert ("CS104", 9, 1, "None whatsoever") in found
    # Downtime is neither pain nor risk: its "No" is no claim of these rules.
    assert not [f for f in found if f[1] == 13]


@pytest.mark.parametrize(
    "text",
    [
        "Does it hurt? A little: most people feel a sting for a few seconds.",
        "Does it hurt? No, not usually, and we can apply numbing cream first.",
        "Are there any side effects? Yes: bruising and swelling are common.",
        "Are there any side effects? No serious ones, but bruising is common.",
        "Is it true there are no side effects? No: every injection carries some risk.",
        "Is there a risk of infection? No more than with any injection.",
        "Does it hurt.\n\nNot at all.",  # no question mark: no question
        "Not at all. Does it hurt?",  # the answer must follow the question
    ],
)
def test_honest_answers_and_non_answers_make_no_claim(lint, text):
    assert not [f for f in claims(lint, text, "text") if f[0] in ("CS104", "CS123")]


def test_the_answer_is_read_only_in_the_questions_own_document(engine):
    question = Document("faq.md", "## Does scalp mesotherapy hurt?\n", "markdown")
    other = Document("news.md", "No. The clinic has moved to a new address.\n", "markdown")
    alone, shared = engine.lint_document(question), engine.lint_documents([question, other])[0]
    assert not [f for f in alone if f.rule == "CS123"]
    assert shared == alone


def test_an_answer_in_html_points_at_its_source(lint):
    html = "<h2>Is mesotherapy dangerous?</h2>\n<p>Absolutely not!</p>\n"
    (finding,) = [f for f in lint(html, "html", "faq.html") if f.rule == "CS104"]
    assert (finding.line, finding.column, finding.text) == (2, 4, "Absolutely not")
