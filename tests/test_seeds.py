"""Golden test over the five seed documents (sources/documents/): the claims they make are
flagged, and their negated, hedged and sceptical statements are not.

Each expectation says why. The full set of findings is also pinned in
tests/golden/seeds.json; after a deliberate rule change, regenerate it with
``CLAIMSAFE_UPDATE_GOLDEN=1 python -m pytest tests/test_seeds.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from linter.rulebook import EVIDENCE_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
DOCS = {p.name[:3]: p for p in (ROOT / "sources" / "documents").glob("*.txt")}
GOLDEN = Path(__file__).parent / "golden" / "seeds.json"

# (document, category, matched text, why it must be flagged)
MUST_FIRE = [
    (
        "002",
        "safety-absolute",
        "almost no side effects",
        "opening line minimises risk; 'almost no' still tells readers there is nothing to weigh (CAP 12.9, 1.3)",
    ),
    (
        "002",
        "safety-absolute",
        "no risk",
        "'involving no risk to our health': an absolute safety claim about injections",
    ),
    (
        "002",
        "proven",
        "been proven",
        "'has been proven to be very effective' with no study named (CAP 12.1, 3.7)",
    ),
    (
        "002",
        "efficacy",
        "restores hormonal balance",
        "a medicinal effect on the body stated as fact",
    ),
    ("002", "efficacy", "eliminates infections", "a medicinal effect on the body stated as fact"),
    (
        "002",
        "efficacy",
        "stimulates hair growth",
        "'Mesotherapy stimulates hair growth and is therefore used as prevention against baldness'",
    ),
    (
        "001",
        "safety-absolute",
        "Safe technology",
        "a feature list item calling the treatment safe without qualification (ASA: 'safe' = no detriment)",
    ),
    (
        "001",
        "efficacy",
        "prevent hair loss",
        "'normal hair growth is stimulated ... to prevent hair loss': unhedged medicinal claim",
    ),
    (
        "001",
        "efficacy",
        "loss begins to stop",
        "'Hair loss begins to stop gradually' under 'Results': a promise of effect",
    ),
    (
        "003",
        "safety-absolute",
        "is safe",
        "'The treatment is safe as the injected ingredient usually contains vitamins': safe because 'natural' (CAP 12.10)",
    ),
    (
        "003",
        "efficacy",
        "effectively treat hair loss",
        "'can ... effectively treat hair loss in both men and women': the intensifier outweighs 'can'",
    ),
    (
        "003",
        "efficacy",
        "reduces hair loss",
        "'Mesotherapy reduces hair loss, aids hair growth': unhedged medicinal claims",
    ),
    (
        "003",
        "superlative",
        "most popular",
        "'the most popular treatment performed throughout Europe': an unsubstantiated ranking",
    ),
    (
        "000",
        "efficacy",
        "strengthens hair follicles",
        "'Mesotherapy, which strengthens hair follicles by feeding hair follicles': unhedged effect",
    ),
    (
        "000",
        "superlative",
        "most effective",
        "'Hair transplantation is the most effective solution' on a clinic page: an unqualified ranking",
    ),
]

# (document, sentence fragment, why nothing in it may be flagged)
MUST_NOT_FIRE = [
    ("002", "mesotherapy does not cure male pattern baldness", "outer negation of a cure claim"),
    ("002", "Is hair mesotherapy permanent?", "a question readers ask, quoted"),
    ("002", "it is not recommended for pregnant women", "a contraindication, negated suitability"),
    (
        "002",
        "some side effects of hair mesotherapy may be mild pain",
        "an honest, hedged risk statement",
    ),
    ("003", "almost painless", "'almost painless' is qualified, by design not a painless claim"),
    ("003", "the patient may feel mild discomfort or pain", "an honest pain statement"),
    (
        "001",
        "mesotherapy is not suitable in the case of male alopecia",
        "negated suitability, reported study",
    ),
    ("001", "The pain is very mild", "honest pain statement"),
    ("000", "can only slow down hair loss", "hedged and limiting"),
    ("000", "Does Hair Mesotherapy Really Work?", "a question heading"),
    (
        "004",
        "there is a lack of scientific evidence to support the effectiveness",
        "sceptical, attributed to experts",
    ),
    (
        "004",
        "the overall scientific research on mesotherapy for hair growth is limited",
        "sceptical statement of limited evidence",
    ),
    ("004", "mesotherapy is not recommended for everyone", "negated suitability"),
    ("004", "mesotherapy aims to stimulate the natural growth of new hair", "hedged ('aims to')"),
    ("004", "Some individuals report visible improvements in hair growth", "hedged and attributed"),
    ("004", "Zetulo is your ultimate guide", "a superlative about a website, not a treatment"),
]


@pytest.fixture(scope="module")
def seed_findings(engine):
    out = {}
    for doc_id, path in DOCS.items():
        text = path.read_text(encoding="utf-8")
        out[doc_id] = (
            text,
            [f for f in engine.lint_text(text, path.name, "text") if not f.is_problem],
        )
    return out


def test_all_five_seeds_are_present():
    assert sorted(DOCS) == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize(
    "doc_id,category,text,why", MUST_FIRE, ids=[f"{d}:{t}" for d, _, t, _ in MUST_FIRE]
)
def test_seed_claim_is_flagged(seed_findings, doc_id, category, text, why):
    _, findings = seed_findings[doc_id]
    assert (category, text) in {(f.category, f.text) for f in findings}, why


@pytest.mark.parametrize(
    "doc_id,fragment,why", MUST_NOT_FIRE, ids=[f"{d}:{f[:30]}" for d, f, _ in MUST_NOT_FIRE]
)
def test_seed_statement_is_not_flagged(seed_findings, doc_id, fragment, why):
    text, findings = seed_findings[doc_id]
    start = text.index(fragment)
    end = start + len(fragment)
    inside = [f for f in findings if f.start < end and start < f.end]
    assert not inside, f"{why}: {[(f.rule, f.text) for f in inside]}"


def test_the_sceptical_information_page_is_silent(seed_findings):
    # 004 informs and doubts; it promotes nothing. Its one line about medications "known to
    # promote hair regrowth" is about licensed drugs, not the treatment (a CS211 exception).
    _, findings = seed_findings["004"]
    assert findings == [], [(f.rule, f.text) for f in findings]


def test_seed_findings_match_the_golden_snapshot(seed_findings):
    snapshot = {
        doc_id: [[f.line, f.column, f.rule, f.text] for f in findings]
        for doc_id, (_, findings) in sorted(seed_findings.items())
    }
    if os.environ.get("CLAIMSAFE_UPDATE_GOLDEN"):
        GOLDEN.write_text(
            json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert snapshot == json.loads(GOLDEN.read_text(encoding="utf-8"))


# Document-level disclosure findings: (document, rule, severity, why).
DISCLOSURE = [
    (
        "000",
        "CS401",
        "error",
        "a clinic page that recommends the treatment ('can be recommended 2 – 3 times a year') and names no contraindication",
    ),
    ("000", "CS402", "error", "...and no side effect or risk at all"),
    (
        "001",
        "CS401",
        "warning",
        "lists contraindications, but not bleeding disorders or blood thinners",
    ),
    (
        "002",
        "CS401",
        "warning",
        "promotes a 'specialist centre'; names pregnancy, diabetes and more, not bleeding disorders or allergy",
    ),
    (
        "003",
        "CS401",
        "warning",
        "'we at Clear Skin & Hair Rich Centre perform ...'; names most key contraindications, not allergy or active infection",
    ),
]


def test_disclosure_findings_on_the_seeds(seed_findings):
    found = {
        (doc_id, f.rule, f.severity)
        for doc_id, (_, findings) in seed_findings.items()
        for f in findings
        if f.category in ("missing-contraindications", "missing-risks")
    }
    assert found == {(d, r, s) for d, r, s, _ in DISCLOSURE}
    # 004 informs and doubts, promotes nothing: no disclosure finding. 001-003 state risks.


def test_the_sources_do_not_contradict_themselves(seed_findings):
    # The facts were curated from these documents: their figures are the facts' values.
    assert not [
        f
        for _, findings in seed_findings.values()
        for f in findings
        if f.category == "contradiction"
    ]


def test_every_seed_finding_of_an_evidence_category_quotes_its_sources(seed_findings, engine):
    checked = 0
    for _, findings in seed_findings.values():
        for f in findings:
            if f.category in EVIDENCE_CATEGORIES:
                assert f.evidence, (f.rule, f.text)
                for e in f.evidence:
                    document = engine.factbase.documents[e.document].text()
                    assert " ".join(e.quote.split()) in " ".join(document.split())
                checked += 1
    assert checked > 20


def test_the_no_side_effects_claim_is_answered_by_the_side_effect_lists(seed_findings):
    _, findings = seed_findings["002"]
    (finding,) = [f for f in findings if f.text == "almost no side effects" and f.line == 1]
    quotes = " ".join(e.quote for e in finding.evidence)
    assert "bruising" in quotes  # the other sources list the side effects 002 denies
