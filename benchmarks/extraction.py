#!/usr/bin/env python3
"""Main-content extraction for ``claimsafe audit``: claimsafe's own extractor against libraries.

Run from anywhere (usually the repo root)::

    python benchmarks/extraction.py              # table of recall, leak and time per page
    python benchmarks/extraction.py --pages      # also the figures for every page
    python benchmarks/extraction.py --repeat 50  # more timing repetitions (default 21)
    python benchmarks/extraction.py --misses     # list every missed and leaked snippet

Pages and labels: ``tests/fixtures/pages/*.html`` with ``labels.yaml`` beside them (the
development pages, on which claimsafe's rules were tuned) and ``tests/fixtures/pages/holdout``
(written after the rules were frozen); all written for claimsafe. For each page, ``main``
snippets are the page's own content and ``boilerplate`` snippets are not. An extractor's
output and the snippets are normalised the same way (runs of whitespace to one space); a
snippet counts as found if the output contains it.

- recall: share of ``main`` snippets found (higher is better);
- leak: share of ``boilerplate`` snippets found (lower is better): text that is not the
  page's copy, which the audit would lint on every page it appears on;
- ms/page: median over ``--repeat`` runs of one page, then the mean over the pages;
- offsets: whether the output maps back to source positions. Only claimsafe's does: a
  library returns plain text, so a finding would have to be found again in the source. The
  "re-found" row measures that: trafilatura's text, then claimsafe's segments that occur in
  it (both costs, and a segment is kept wherever its text occurs).

Last, the cost of ``main_content=True`` alone: claimsafe with and without it, alternating.

The libraries (trafilatura, readability-lxml, jusText) are measured only if installed; they
are not claimsafe dependencies (``pip install trafilatura readability-lxml justext``). The
exit code is 0 whatever the figures: this is a measurement, not a test. See
docs/main-content.md for a run and the decision it supports.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
sys.path.insert(0, str(ROOT))

from linter.markup.html import extract_html  # noqa: E402  (the checkout's own linter)

PAGE_SCOPES = ("title", "meta_description")  # not labelled: see labels.yaml


def norm(text: str) -> str:
    return " ".join(text.split())


def _segments_text(html: str, main_content: bool) -> str:
    extraction = extract_html(html, main_content=main_content)
    return "\n".join(s.text for s in extraction.segments if s.scope not in PAGE_SCOPES)


@dataclass
class Extractor:
    name: str
    run: Callable[[str], str]
    offsets: str
    version: str


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def extractors() -> list[Extractor]:
    out = [
        Extractor(
            "claimsafe main_content=True",
            lambda h: _segments_text(h, True),
            "yes",
            "this checkout",
        ),
        Extractor(
            "claimsafe main_content=False",
            lambda h: _segments_text(h, False),
            "yes",
            "this checkout",
        ),
    ]
    try:
        import trafilatura

        def traf(h: str, **options) -> str:
            return trafilatura.extract(h, include_comments=False, include_tables=True, **options)

        version = _version("trafilatura")
        out.append(Extractor("trafilatura", lambda h: traf(h) or "", "no", version))
        out.append(
            Extractor(
                "trafilatura favor_recall",
                lambda h: traf(h, favor_recall=True) or "",
                "no",
                version,
            )
        )

        def hybrid(h: str) -> str:
            # What using a library would take to keep positions: extract with claimsafe as
            # well, and keep the segments whose text the library kept (found again by
            # searching, so a short segment such as "Home" is kept wherever it occurs).
            kept = norm(traf(h, favor_recall=True) or "")
            segments = extract_html(h).segments
            return "\n".join(
                s.text for s in segments if s.scope not in PAGE_SCOPES and norm(s.text) in kept
            )

        out.append(
            Extractor(
                "trafilatura favor_recall, re-found in claimsafe segments",
                hybrid,
                "yes (re-found)",
                version,
            )
        )
    except ImportError:
        print("trafilatura not installed: skipped", file=sys.stderr)
    try:
        from readability import Document

        def readability(h: str) -> str:
            # The summary is HTML; read it with claimsafe's own extractor (all text) so the
            # text is made the same way as ours.
            return _segments_text(Document(h).summary(html_partial=True), False)

        out.append(Extractor("readability-lxml", readability, "no", _version("readability-lxml")))
    except ImportError:
        print("readability-lxml not installed: skipped", file=sys.stderr)
    try:
        import justext

        stoplist = justext.get_stoplist("English")

        def jt(h: str) -> str:
            paragraphs = justext.justext(h.encode("utf-8"), stoplist, encoding="utf-8")
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        def jt_short(h: str) -> str:
            # jusText's defaults want paragraphs of 200+ characters before it trusts any;
            # clinic copy is shorter. Thresholds chosen on the development pages.
            paragraphs = justext.justext(
                h.encode("utf-8"), stoplist, length_low=50, length_high=100, encoding="utf-8"
            )
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        version = _version("justext")
        out.append(Extractor("jusText", jt, "no", version))
        out.append(Extractor("jusText length 50/100", jt_short, "no", version))
    except ImportError:
        print("jusText not installed: skipped", file=sys.stderr)
    return out


@dataclass
class Score:
    found: int = 0
    main: int = 0
    leaked: int = 0
    boilerplate: int = 0
    ms: float = 0.0

    @property
    def recall(self) -> float:
        return self.found / self.main if self.main else 0.0

    @property
    def leak(self) -> float:
        return self.leaked / self.boilerplate if self.boilerplate else 0.0


def load(folder: Path) -> tuple[dict, dict[str, str]]:
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))
    return labels, {name: (folder / name).read_text(encoding="utf-8") for name in labels}


def score(
    extractor_list: list[Extractor], labels: dict, pages: dict[str, str], misses: bool
) -> dict[str, dict[str, Score]]:
    results: dict[str, dict[str, Score]] = {}
    for ex in extractor_list:
        per_page = results[ex.name] = {}
        for name, html in pages.items():
            text = norm(ex.run(html))
            s = per_page[name] = Score()
            for snippet in labels[name]["main"]:
                s.main += 1
                if norm(snippet) in text:
                    s.found += 1
                elif misses:
                    print(f"  MISS  {ex.name:30} {name:16} {snippet}")
            for snippet in labels[name]["boilerplate"]:
                s.boilerplate += 1
                if norm(snippet) in text:
                    s.leaked += 1
                    if misses:
                        print(f"  LEAK  {ex.name:30} {name:16} {snippet}")
    return results


def time_pages(
    extractor_list: list[Extractor],
    pages: dict[str, str],
    repeat: int,
    results: dict[str, dict[str, Score]],
) -> None:
    """Median ms per page and extractor; the extractors take turns on each page, so that a
    busy moment of the machine is shared out rather than landing on one of them."""
    for name, html in pages.items():
        times: dict[str, list[float]] = {ex.name: [] for ex in extractor_list}
        for _ in range(repeat):
            for ex in extractor_list:
                t0 = time.perf_counter()
                ex.run(html)
                times[ex.name].append(time.perf_counter() - t0)
        for ex in extractor_list:
            results[ex.name][name].ms = statistics.median(times[ex.name]) * 1000


def report(
    title: str,
    extractor_list: list[Extractor],
    labels: dict,
    pages: dict[str, str],
    results: dict[str, dict[str, Score]],
    per_page: bool,
) -> None:
    print()
    print(
        f"{title}: {len(pages)} pages, {sum(len(v['main']) for v in labels.values())} main "
        f"and {sum(len(v['boilerplate']) for v in labels.values())} boilerplate snippets"
    )
    print()
    print("| extractor | version | main recall | boilerplate leak | ms/page | offsets |")
    print("| --- | --- | --- | --- | --- | --- |")
    for ex in extractor_list:
        scores = results[ex.name].values()
        total = Score(
            found=sum(s.found for s in scores),
            main=sum(s.main for s in scores),
            leaked=sum(s.leaked for s in scores),
            boilerplate=sum(s.boilerplate for s in scores),
        )
        ms = statistics.mean(s.ms for s in scores)
        print(
            f"| {ex.name} | {ex.version} | {total.recall:.1%} ({total.found}/{total.main}) "
            f"| {total.leak:.1%} ({total.leaked}/{total.boilerplate}) | {ms:.2f} "
            f"| {ex.offsets} |"
        )
    if per_page:
        names = list(pages)
        print()
        print("Per page: main snippets found · boilerplate snippets leaked · ms")
        print()
        print("| extractor | " + " | ".join(n.removesuffix(".html") for n in names) + " |")
        print("| --- |" + " --- |" * len(names))
        for ex in extractor_list:
            cells = [
                f"{s.found}/{s.main} · {s.leaked}/{s.boilerplate} · {s.ms:.1f}"
                for s in (results[ex.name][n] for n in names)
            ]
            print(f"| {ex.name} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=21, help="timing runs per page")
    parser.add_argument("--pages", action="store_true", help="print per-page figures")
    parser.add_argument("--misses", action="store_true", help="list missed/leaked snippets")
    args = parser.parse_args(argv)

    extractor_list = extractors()
    print(
        f"Python {sys.version.split()[0]}; time: median of {args.repeat} runs per page, "
        "extractors taking turns"
    )
    sets = {
        "Development pages (the rules were tuned on these)": load(PAGES),
        "Held-out pages (written after the rules were frozen)": load(PAGES / "holdout"),
    }
    every_page: dict[str, str] = {}
    for title, (labels, pages) in sets.items():
        results = score(extractor_list, labels, pages, args.misses)
        time_pages(extractor_list, pages, args.repeat, results)
        report(title, extractor_list, labels, pages, results, args.pages)
        every_page.update(pages)

    # The cost of main_content on its own: the two runs alternate with nothing in between,
    # so that neither pays for the caches another extractor left cold.
    print()
    docs = list(every_page.values())
    for label, batch in (("each page", docs), ("all pages as one document", ["".join(docs)])):
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(max(args.repeat, 101)):
            for on in (False, True):
                t0 = time.perf_counter()
                for html in batch:
                    extract_html(html, main_content=on)
                times[on].append((time.perf_counter() - t0) / len(batch) * 1000)
        off, on = statistics.median(times[False]), statistics.median(times[True])
        size = sum(len(h) for h in batch) / len(batch) / 1000
        print(
            f"main_content cost, {label} ({size:.1f} kB): {on - off:+.3f} ms "
            f"({on:.3f} ms with it, {off:.3f} ms without, {(on / off - 1):+.1%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
