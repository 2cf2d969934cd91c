"""Precision and recall of the shipped rules on the labelled development corpus.

Run ``python tests/corpus/evaluate.py [dev|holdout] [-v]`` for the per-category table and the misses;
``tests/test_corpus.py`` asserts the floors. Each entry is linted on its own as plain
text; a category counts as predicted when any finding of that category fires.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from linter.rulebook import CLAIM_CATEGORIES as CATEGORIES  # noqa: E402


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    misses: list = field(default_factory=list)

    def precision(self, category: str | None = None) -> float:
        tp, fp = self._sum(self.tp, category), self._sum(self.fp, category)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, category: str | None = None) -> float:
        tp, fn = self._sum(self.tp, category), self._sum(self.fn, category)
        return tp / (tp + fn) if tp + fn else 1.0

    @staticmethod
    def _sum(counter: Counter, category: str | None) -> int:
        return counter[category] if category else sum(counter.values())


def load(path: Path = HERE / "dev.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(engine, entries: list[dict]) -> Scores:
    scores = Scores()
    for entry in entries:
        expected = set(entry["expect"])
        found = engine.lint_text(entry["text"], "corpus.txt", "text")
        predicted = {f.category for f in found if f.category in CATEGORIES}
        for category in CATEGORIES:
            if category in expected and category in predicted:
                scores.tp[category] += 1
            elif category in predicted:
                scores.fp[category] += 1
                scores.misses.append(
                    (
                        "FP",
                        category,
                        entry["text"],
                        [f.text for f in found if f.category == category],
                    )
                )
            elif category in expected:
                scores.fn[category] += 1
                scores.misses.append(("FN", category, entry["text"], []))
    return scores


DOCUMENT_CATEGORIES = ("missing-contraindications", "missing-risks")


def evaluate_facts(engine, data: dict) -> Scores:
    """Contradictions over single sentences, disclosure findings over whole documents."""
    scores = Scores()
    cases = [
        (e["text"], "text", set(e["expect"]), ("contradiction",)) for e in data.get("sentences", [])
    ]
    cases += [
        (d["text"], d.get("format", "markdown"), set(d["expect"]), DOCUMENT_CATEGORIES)
        for d in data.get("documents", [])
    ]
    for text, fmt, expected, categories in cases:
        found = engine.lint_text(text, f"corpus.{fmt}", fmt)
        predicted = {f.category for f in found}
        for category in categories:
            label = (text[:70] + "…") if len(text) > 70 else text
            if category in expected and category in predicted:
                scores.tp[category] += 1
            elif category in predicted:
                scores.fp[category] += 1
                scores.misses.append(
                    ("FP", category, label, [f.text for f in found if f.category == category])
                )
            elif category in expected:
                scores.fn[category] += 1
                scores.misses.append(("FN", category, label, []))
    return scores


def main() -> None:
    from linter.engine import Engine

    names = [a for a in sys.argv[1:] if not a.startswith("-")] or ["dev"]
    if names == ["facts"]:
        entries = load(HERE / "facts.yaml")
        scores, categories = (
            evaluate_facts(Engine(), entries),
            ("contradiction", *DOCUMENT_CATEGORIES),
        )
        entries = entries["sentences"] + entries["documents"]
    else:
        entries = [e for name in names for e in load(HERE / f"{name}.yaml")]
        scores, categories = evaluate(Engine(), entries), CATEGORIES
    print(f"{'category':26} {'P':>6} {'R':>6}  tp  fp  fn")
    for category in categories:
        print(
            f"{category:26} {scores.precision(category):6.3f} {scores.recall(category):6.3f} "
            f"{scores.tp[category]:3} {scores.fp[category]:3} {scores.fn[category]:3}"
        )
    print(
        f"{'overall':26} {scores.precision():6.3f} {scores.recall():6.3f}  ({len(entries)} entries)"
    )
    if "-v" in sys.argv:
        for kind, category, text, matched in scores.misses:
            print(f"{kind} {category:16} {text!r} {matched if matched else ''}")


if __name__ == "__main__":
    main()
