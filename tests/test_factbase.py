"""The fact base: the shipped one verifies; broken ones fail with the right message; a
second treatment is added with data only."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import pytest

from linter.cli import main
from linter.factbase import FactError, load_factbase, verify
from linter.rulebook import load_rulebook

DOC = "Laser combs are handheld devices. Results vary and some users see no change at all.\n"


def make_factbase(root: Path, facts: str, doc: str = DOC, digest: str | None = None) -> Path:
    (root / "documents").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "documents" / "a.txt").write_text(doc, encoding="utf-8")
    digest = digest or hashlib.sha256(doc.encode()).hexdigest()
    (root / "documents" / "index.yaml").write_text(
        f'documents:\n  - id: "100"\n    title: Laser comb leaflet\n    file: a.txt\n    sha256: {digest}\n',
        encoding="utf-8",
    )
    (root / "facts" / "laser-comb.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return root


FACTS = """\
treatment:
  id: laser-comb
  name: Laser comb
  aliases: [laser comb, laser combs]
facts:
  - id: comb-results-vary
    kind: efficacy-evidence
    statement: Results differ between people; some see no change.
    status: limited-evidence
    evidence:
      - document: "100"
        quote: "Results vary and some users see no change at all."
        stance: supports
"""


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_shipped_fact_base_verifies(capsys):
    code, out, err = run(capsys, "facts", "verify", "--no-config")
    assert code == 0, err
    assert "all verified" in out


def test_every_quote_is_verbatim_in_its_document():
    base = load_factbase()
    assert base.facts, "the shipped fact base has facts"
    assert verify(base, load_rulebook()) == []


def test_paraphrased_quote_fails_with_file_and_line(tmp_path, capsys):
    root = make_factbase(
        tmp_path / "kb", FACTS.replace("some users see no change", "some people see no change")
    )
    code, _, err = run(capsys, "facts", "verify", "--no-config", "--facts", str(root))
    assert code == 2
    assert (
        "laser-comb.yaml:12: fact comb-results-vary: quote not found verbatim in document 100"
        in err
    )


def test_whitespace_in_quotes_is_normalised(tmp_path):
    root = make_factbase(
        tmp_path / "kb",
        FACTS.replace("some users see", "some  users\\n see").replace('"Results', '"Results'),
    )
    assert verify(load_factbase([root])) == []


def test_duplicate_id_fails(tmp_path, capsys):
    facts = FACTS + FACTS[FACTS.index("  - id: comb-results-vary") :]
    root = make_factbase(tmp_path / "kb", facts)
    code, _, err = run(capsys, "facts", "verify", "--no-config", "--facts", str(root))
    assert code == 2 and "fact id 'comb-results-vary' is defined twice" in err
    assert "laser-comb.yaml:14" in err


def test_dangling_rule_reference_fails(tmp_path, capsys):
    root = make_factbase(tmp_path / "kb", FACTS)
    rules = tmp_path / "rules" / "efficacy"
    rules.mkdir(parents=True)
    (rules / "CS299-comb-regrows.yml").write_text(
        RULE.replace("comb-results-vary", "no-such-fact"), encoding="utf-8"
    )
    code, _, err = run(
        capsys,
        "facts",
        "verify",
        "--no-config",
        "--facts",
        str(root),
        "--rules",
        str(tmp_path / "rules"),
    )
    assert code == 2 and "rule CS299 cites unknown fact 'no-such-fact'" in err


def test_changed_document_fails_the_hash_check(tmp_path, capsys):
    root = make_factbase(tmp_path / "kb", FACTS, digest="0" * 64)
    code, _, err = run(capsys, "facts", "verify", "--no-config", "--facts", str(root))
    assert code == 2 and "document 100 (a.txt) changed" in err


@pytest.mark.parametrize(
    "change,message",
    [
        (("status: limited-evidence", "status: likely"), "status must be one of"),
        (("kind: efficacy-evidence", "kind: efficacy"), "kind must be one of"),
        (("stance: supports", "stance: agrees"), "stance must be one of"),
        (("    statement:", "    colour: red\n    statement:"), "unknown key 'colour'"),
    ],
)
def test_malformed_fact_is_a_load_error_naming_file_and_line(tmp_path, change, message):
    root = make_factbase(tmp_path / "kb", FACTS.replace(*change))
    with pytest.raises(FactError) as info:
        load_factbase([root])
    assert (
        info.value.path.endswith("laser-comb.yaml")
        and info.value.line
        and message in info.value.reason
    )


RULE = """\
code: CS299
name: comb-regrows
category: efficacy
severity: error
message: "'{text}' promises regrowth from a laser comb."
rationale: Laser comb results vary; some users see no change.
suggestion: Results vary; some people see no change at all.
references: ["CAP Code 12.1"]
facts: [comb-results-vary]
patterns:
  - "laser comb regrows hair"
examples:
  fire: [{text: "Our laser comb regrows hair.", match: "laser comb regrows hair"}]
  pass: ["Our laser comb does not regrow hair."]
"""


def test_a_second_treatment_is_data_only(tmp_path, capsys, monkeypatch):
    make_factbase(tmp_path / "kb", FACTS)
    rules = tmp_path / "house" / "efficacy"
    rules.mkdir(parents=True)
    (rules / "CS299-comb-regrows.yml").write_text(RULE, encoding="utf-8")
    (tmp_path / ".claimsafe.yaml").write_text(
        "rule-dirs: [house]\nfact-dirs: [kb]\n", encoding="utf-8"
    )
    (tmp_path / "page.md").write_text(
        "# Offer\n\nThe Lumina laser comb regrows hair in weeks.\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "page.md", "--format", "json", "--select", "CS299")
    (finding,) = json.loads(out)["findings"]
    assert code == 1 and finding["rule"] == "CS299"
    assert finding["evidence"] == [
        {
            "fact": "comb-results-vary",
            "document": "100",
            "quote": "Results vary and some users see no change at all.",
        }
    ]
    code, out, _ = run(capsys, "explain", "comb-results-vary")
    assert (
        code == 0
        and "Laser comb leaflet" in out
        and "Results vary and some users see no change at all." in out
    )
