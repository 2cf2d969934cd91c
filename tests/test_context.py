"""Context kinds, each with real-looking sentences: a claim's context is detected, not
guessed from one word. Each case names the category that must (or must not) fire."""

from __future__ import annotations

import pytest


def categories(lint, text):
    return {f.category for f in lint(text) if not f.is_problem}


def fires(lint, text, category):
    return category in categories(lint, text)


# -- outer negation clears; the negation inside the claim is the claim ---------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("Mesotherapy does not cure baldness.", "cure"),
        ("We should not forget that mesotherapy does not cure male pattern baldness.", "cure"),
        ("No treatment can cure genetic hair loss, including ours.", "cure"),
        ("Mesotherapy is not risk-free.", "safety-absolute"),
        ("Hair mesotherapy is never completely painless.", "painless"),
        ("Results are not guaranteed.", "guarantee"),
        ("It is not true that there are no side effects.", "safety-absolute"),
        ("Our cocktails are not FDA approved.", "regulatory"),
        ("Mesotherapy is not suitable for everyone.", "suitability"),
        ("The claim that mesotherapy cures baldness is a myth.", "cure"),
    ],
)
def test_outer_negation_clears(lint, text, category):
    assert not fires(lint, text, category)


@pytest.mark.parametrize(
    "text,category",
    [
        ("There are no side effects.", "safety-absolute"),
        ("It won't cause any side effects.", "safety-absolute"),
        ("A treatment with zero risk.", "safety-absolute"),
        ("The injections are pain-free.", "painless"),
        ("Not only does it stop hair loss, it cures baldness.", "cure"),
    ],
)
def test_negation_inside_the_claim_or_pseudo_negation_still_fires(lint, text, category):
    assert fires(lint, text, category)


# -- hedges ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("Mesotherapy may help reduce shedding in some patients.", "efficacy"),
        ("The vitamins can help strengthen hair follicles.", "efficacy"),
        ("Some patients notice thicker hair after a course.", "efficacy"),
        ("The injected substances are believed to stimulate hair growth.", "efficacy"),
    ],
)
def test_hedges_clear_efficacy(lint, text, category):
    assert not fires(lint, text, category)


def test_an_intensifier_outweighs_a_hedge(lint):
    assert fires(lint, "Mesotherapy can completely cure baldness.", "cure")


# -- questions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("Does mesotherapy cure baldness?", "cure"),
        ("Is hair mesotherapy painless?", "painless"),
        ("Are the results permanent?", "permanence"),
    ],
)
def test_questions_clear(lint, text, category):
    assert not fires(lint, text, category)


def test_a_rhetorical_question_does_not_clear(lint):
    assert fires(lint, "Want guaranteed results? Book today.", "guarantee")


@pytest.mark.parametrize(
    "text,category",
    [
        (
            "## Is scalp mesotherapy painless?\n\nYes. Most clients feel a light scratch.\n",
            "painless",
        ),
        ("Does mesotherapy cure baldness? Absolutely, in as few as six sessions.", "cure"),
        (
            "### Is the treatment safe?\n\n**Of course!** Our nurses are fully trained.\n",
            "safety-absolute",
        ),
        ("Are the results permanent? Definitely: once the hair is back, it stays.", "permanence"),
        ("Is it FDA approved? Yes!", "regulatory"),
        ("Are results guaranteed? 100%. Ask about our promise.", "guarantee"),
    ],
)
def test_a_question_the_copy_answers_yes_is_its_claim(lint, text, category):
    found = [f for f in lint(text, "markdown", "faq.md") if f.category == category]
    assert found, text
    assert "answered" in found[0].context and "question" not in found[0].context


@pytest.mark.parametrize(
    "text,category",
    [
        ("Does mesotherapy cure baldness? No. It can slow shedding in some people.", "cure"),
        ("## Is scalp mesotherapy painless?\n\nNot quite: most people feel a sting.\n", "painless"),
        ("Is hair mesotherapy painless? Yes and no: it stings for a minute.", "painless"),
        ("Are the results permanent? Sadly, hair loss usually carries on.", "permanence"),
        ("Is the treatment safe?", "safety-absolute"),
        ("Is it safe? Yesterday's patient asked the same thing.", "safety-absolute"),
    ],
)
def test_a_question_answered_otherwise_still_clears(lint, text, category):
    assert not fires(lint, text, category)


def test_the_answer_is_read_only_in_the_questions_own_document(engine):
    from linter.documents import Document

    question = Document("faq.md", "## Is scalp mesotherapy painless?\n", "markdown")
    other = Document("news.md", "Yes, the clinic has moved to a new address.\n", "markdown")
    alone, shared = engine.lint_document(question), engine.lint_documents([question, other])[0]
    assert not [f for f in alone if f.category == "painless"]
    assert shared == alone


# -- attribution -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("Some clinics claim it cures hair loss, but the evidence does not support this.", "cure"),
        ("According to some websites, mesotherapy is completely painless.", "painless"),
        ("Avoid phrases like “guaranteed results” in your adverts.", "guarantee"),
    ],
)
def test_attribution_clears(lint, text, category):
    assert not fires(lint, text, category)


def test_own_voice_reporting_does_not_clear(lint):
    assert fires(lint, "We say it plainly: our treatment cures hair loss.", "cure")


# -- conditionals and disclaimers -------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("If a clinic promises guaranteed results, walk away.", "guarantee"),
        ("Be wary if anyone tells you the treatment is risk-free.", "safety-absolute"),
    ],
)
def test_conditionals_clear(lint, text, category):
    assert not fires(lint, text, category)


def test_the_condition_does_not_reach_past_its_clause(lint):
    assert fires(lint, "If you are ready, our treatment cures hair loss.", "cure")


def test_disclaimer_clears(lint):
    text = "This treatment is not intended to diagnose, treat, cure or prevent any disease."
    assert categories(lint, text) == set()


# -- testimonials still count ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,category",
    [
        ("“Zero pain and my bald patch is gone for good!” — Mark, 42", "painless"),
        ("“The treatment cured my hair loss.” — Sarah, Leeds", "cure"),
        ("Before and after: hair loss stopped for good after four sessions", "permanence"),
        ("Patients say it cured their alopecia.", "cure"),
    ],
)
def test_testimonials_and_captions_still_fire(lint, text, category):
    found = [f for f in lint(text) if f.category == category]
    assert found
    assert "testimonial" in found[0].context or text.startswith("Patients")


@pytest.mark.parametrize(
    "text,category",
    [
        ("No side effects? No such thing. Every injection carries some risk.", "safety-absolute"),
        ("Completely painless? Not quite: expect a few seconds of stinging.", "painless"),
        ("## Permanent results?\n\nThat's a myth. Hair loss usually carries on.\n", "permanence"),
        ("Guaranteed results? Far from it, and anyone who promises them is guessing.", "guarantee"),
    ],
)
def test_a_claim_asked_about_and_denied_by_the_next_sentence_is_negated(lint, text, category):
    assert not fires(lint, text, category)


def test_a_rhetorical_question_answered_with_more_copy_still_fires(lint):
    assert fires(
        lint, "No side effects? No downtime? Book your first session today.", "safety-absolute"
    )
    assert fires(lint, "Want guaranteed results? Not sure yet? Call us.", "guarantee")
