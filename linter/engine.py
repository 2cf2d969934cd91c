"""Stage 7 of the pipeline: the only module that wires the stages together.

One document flows through: extract segments from its markup, read its suppression
directives, analyse the segments with the NLP pipeline, match the rules with context,
find the claims made by answering a question, check the copy against the fact base
(quantities, then the page's disclosures), map every hit from segment characters back to
source offsets with the cited facts' evidence, and pass the findings through small
filters (per-path selection and severity, suppression, de-duplication, ordering, unused
suppressions). A file whose findings are cached costs no
NLP, and spaCy is imported only when the first document actually needs analysing. Files
are linted in groups whose small documents share spaCy Docs (``lint_documents``), each
still getting exactly the findings it gets alone.
"""

from __future__ import annotations

import fnmatch
import gc
import os
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import TYPE_CHECKING

from linter import directives
from linter.config import Settings
from linter.documents import (
    Document,
    LineIndex,
    ReadProblem,
    discover,
    read_path,
    read_stdin,
    sentence,
)
from linter.factbase import FactBase, default_sources_dir, load_factbase
from linter.findings import (
    PROBLEM_CATEGORY,
    PROBLEMS,
    SEVERITY_RANK,
    SITE_CHROME,
    Evidence,
    Finding,
)
from linter.markup import Segment, extract
from linter.rulebook import Rulebook, default_rules_dir, load_rulebook

if TYPE_CHECKING:
    from linter.checks import Hit, RuleMatcher
    from linter.resultcache import ResultCache


class Report:
    """The findings of a run, file after file in input order.

    Files linted by workers arrive while the report is being written: ``stream()`` gives
    each finding as soon as its file is done, so a reporter writes the first files while
    the workers lint the last ones instead of after them. ``findings`` and ``files``
    always hold the whole run: reading them waits for every file.
    """

    def __init__(
        self,
        findings: Iterable[Finding] = (),
        files: int = 0,
        pending: Iterator[list[Finding]] | None = None,
    ) -> None:
        self._findings = list(findings)
        self._files = files
        self._pending = pending  # each remaining file's findings, as they come

    @property
    def findings(self) -> list[Finding]:
        for _ in self.stream():
            pass
        return self._findings

    @property
    def files(self) -> int:
        for _ in self.stream():
            pass
        return self._files

    def stream(self) -> Iterator[Finding]:
        """Every finding of the run, each as soon as its file is done."""
        yield from self._findings[:]  # any a previous stream already took
        while self._pending is not None:
            findings = next(self._pending, None)
            if findings is None:
                self._pending = None
                break
            self._files += 1
            self._findings.extend(findings)
            yield from findings

    def failed(self, fail_on: str) -> bool:
        threshold = SEVERITY_RANK[fail_on]
        return any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)


class Engine:
    def __init__(self, settings: Settings | None = None, rulebook: Rulebook | None = None) -> None:
        self.settings = settings or Settings()
        if rulebook is None:
            rulebook = load_rulebook([default_rules_dir(), *self.settings.rule_dirs])
        self.all_rules = rulebook
        self.rulebook = rulebook.select(self.settings.select, self.settings.ignore)
        self.factbase = load_factbase([default_sources_dir(), *self.settings.fact_dirs])
        self._matcher: RuleMatcher | None = None
        self._results: ResultCache | None = None
        self._evidence: dict[tuple[str, ...], tuple[Evidence, ...]] = {}

    @property
    def matcher(self) -> RuleMatcher:
        if self._matcher is None:
            from linter.answers import AnswerCheck
            from linter.checks import RuleMatcher
            from linter.factcheck import DisclosureCheck, FactChecker
            from linter.nlp import pipeline

            self._matcher = RuleMatcher(self.rulebook, pipeline())
            self._facts = FactChecker(self.rulebook.rules, self.factbase, self._matcher.context)
            self._answers = AnswerCheck(self.rulebook.rules)
            self._disclosure = DisclosureCheck(self.rulebook.rules, self.factbase)
        return self._matcher

    # -- entry points ---------------------------------------------------------------------

    def lint_paths(
        self, paths: Iterable[str], stdin_filename: str | None = None, jobs: int = 1
    ) -> Report:
        """Lint files and directories (``-`` is stdin); a missing path raises UsageError.

        ``jobs`` > 1 lints files in that many forked worker processes (``0``: one per CPU
        when the input is large enough to repay it). Findings come back in input order.
        """
        paths = list(paths)
        files = [p for p in paths if p != "-"]
        targets = list(discover(files, self.settings.include, self.settings.exclude))
        if "-" in paths:
            targets.insert(paths.index("-"), "-")
        workers = _workers(jobs, [t for t in targets if t != "-"])
        if workers > 1:
            _ = self.matcher  # a rule error is raised here, not while the report is written
            return Report(pending=_parallel(self, targets, stdin_filename, workers))
        report = Report(
            pending=(
                findings
                for group in _groups(targets)
                for findings in self.lint_files(group, stdin_filename)
            )
        )
        report.findings  # noqa: B018 - one process: nothing to overlap, lint it all now
        return report

    def lint_file(self, target: str, stdin_filename: str | None = None) -> list[Finding]:
        """One file (``-``: stdin), its read problems included; cached when unchanged."""
        document, problems = read_stdin(stdin_filename) if target == "-" else read_path(target)
        findings = [self._read_problem(p) for p in problems]
        if document is not None:
            cached = None if target == "-" else self.results.get(document.path, document.text)
            if cached is None:
                cached = self.lint_document(document)
                if target != "-":
                    self.results.put(document.path, document.text, cached)
            findings.extend(cached)
        return findings

    @property
    def results(self) -> ResultCache:
        """Cached findings of unchanged files (built on first use)."""
        if self._results is None:
            from linter.resultcache import ResultCache, fingerprint

            inputs = [r.path for r in self.all_rules] + [
                f.path for f in self.factbase.facts.values()
            ]
            inputs += [d.path for d in self.factbase.documents.values()]
            self._results = ResultCache(fingerprint(inputs, self.settings))
        return self._results

    def lint_text(self, text: str, path: str = "-", format: str = "text") -> list[Finding]:
        return self.lint_document(Document(path, text, format))

    def lint_document(self, document: Document) -> list[Finding]:
        return self.lint_documents([document])[0]

    def lint_files(
        self, targets: Sequence[str], stdin_filename: str | None = None
    ) -> list[list[Finding]]:
        """:meth:`lint_file` for each target (a list of findings each), with the documents
        not in the result cache linted together by :meth:`lint_documents`."""
        out: list[list[Finding]] = []
        todo: list[tuple[list[Finding], Document, bool]] = []
        for target in targets:
            document, problems = read_stdin(stdin_filename) if target == "-" else read_path(target)
            findings = [self._read_problem(p) for p in problems]
            out.append(findings)
            if document is not None:
                cached = None if target == "-" else self.results.get(document.path, document.text)
                if cached is None:
                    todo.append((findings, document, target != "-"))
                else:
                    findings.extend(cached)
        linted = self.lint_documents([document for _, document, _ in todo])
        for (findings, document, keep), found in zip(todo, linted):
            if keep:
                self.results.put(document.path, document.text, found)
            findings.extend(found)
        return out

    def lint_documents(self, documents: Sequence[Document]) -> list[list[Finding]]:
        """The findings of each document: each is linted on its own, except that small
        documents share spaCy Docs (see ``Pipeline.analyse_documents``), which gives the
        same findings as one at a time at a fraction of the fixed cost per Doc."""
        # Linting makes hundreds of thousands of short-lived objects (markup tokens, spans,
        # hits), freed by reference counting: the cyclic collector's passes over them would
        # cost a few percent of the time. It runs between batches (any cycle waits a batch).
        collecting = gc.isenabled()
        gc.disable()
        try:
            pages = [self._page(document) for document in documents]
            analysed = [page for page in pages if page.segments and len(self.rulebook)]
            if analysed:
                from linter.nlp import pipeline

                matcher = self.matcher
                for analysis in pipeline().analyse_documents([p.segments for p in analysed]):
                    owner = {id(s): i for s, i in zip(analysis.segments, analysis.documents)}
                    hits = (
                        *matcher.hits(analysis),
                        *self._facts.hits(analysis),
                        *self._answers.hits(analysis),
                    )
                    for hit in hits:
                        analysed[owner[id(hit.segment)]].hits.append(hit)
            return [self._findings(page) for page in pages]
        finally:
            if collecting:
                gc.enable()

    def _page(self, document: Document) -> _Page:
        """A document read up to the NLP: its segments, chrome, directives and problems."""
        text = document.text
        lines = LineIndex(text)
        extraction = extract(text, document.format)
        segments, chrome = extraction.segments, frozenset()
        if self.settings.main_content and document.format == "html":
            segments, chrome = _main_and_chrome(text, segments)
        suppressions, bad_directives = directives.parse(
            extraction.comments, text, lines, self.all_rules.known_selector
        )
        make = _FindingMaker(document.path, text, lines, self.factbase, self._evidence)
        findings = [
            make.problem("markup", p.offset, p.offset, p.message) for p in extraction.problems
        ]
        findings += [
            make.problem("invalid-suppression", d.comment.start, d.comment.end, d.message)
            for d in bad_directives
        ]
        return _Page(document, segments, chrome, suppressions, make, findings)

    def _findings(self, page: _Page) -> list[Finding]:
        """A page's findings from its rule and fact hits: disclosures, then the filters."""
        document, chrome, make = page.document, page.chrome, page.make
        suppressions, findings, hits = page.suppressions, page.findings, page.hits
        if page.segments and len(self.rulebook):
            # What a page discloses is read from its own content, not from the site's chrome.
            segments = [s for s in page.segments if id(s) not in chrome]
            hits += self._disclosure.hits(
                segments, [h for h in hits if id(h.segment) not in chrome]
            )
            for hit in hits:
                start, end = hit.segment.source_span(hit.start, hit.end)
                finding = make.claim(hit, start, end)
                if id(hit.segment) in chrome:
                    finding = replace(finding, context=(*finding.context, SITE_CHROME))
                findings.append(finding)
        findings = self._per_path(document.path, findings)
        findings = self._suppress(findings, suppressions)
        findings = _dedupe(findings)
        active = {r.code for r in self.rulebook}
        for sup in suppressions:
            targets = [r for r in self.all_rules if any(r.selected_by(s) for s in sup.selectors)]
            if not sup.used and all(r.code in active for r in targets):
                findings.append(
                    make.problem(
                        "unused-suppression",
                        sup.comment.start,
                        sup.comment.end,
                        f"suppression of {', '.join(sup.selectors)} matched no finding; remove it",
                    )
                )
        return sorted(findings, key=Finding.sort_key)

    # -- filters --------------------------------------------------------------------------

    def _per_path(self, path: str, findings: list[Finding]) -> list[Finding]:
        settings = self.settings
        severity = dict(settings.severity)
        ignore: list[str] = []
        posix = path.replace("\\", "/")
        for override in settings.per_path:
            if any(
                fnmatch.fnmatch(posix, g) or fnmatch.fnmatch(posix, f"*/{g}")
                for g in override.paths
            ):
                ignore.extend(override.ignore)
                severity.update(override.severity)
        out = []
        for f in findings:
            if f.is_problem:
                if any(s in (f.rule, f.name, PROBLEM_CATEGORY) for s in settings.ignore + ignore):
                    continue
                out.append(f)
                continue
            rule = self.rulebook.get(f.rule)
            if rule is None or any(rule.selected_by(s) for s in ignore):
                continue
            for selector, level in severity.items():
                if rule.selected_by(selector):
                    f = replace(f, severity=level)
            out.append(f)
        return out

    def _suppress(
        self, findings: list[Finding], suppressions: list[directives.Suppression]
    ) -> list[Finding]:
        kept = []
        for f in findings:
            rule = None if f.is_problem else self.all_rules.get(f.rule)
            sup = rule and next(
                (
                    s
                    for s in suppressions
                    if s.covers(f.start) and any(rule.selected_by(x) for x in s.selectors)
                ),
                None,
            )
            if sup:
                sup.used += 1
            else:
                kept.append(f)
        return kept

    @staticmethod
    def _read_problem(problem: ReadProblem) -> Finding:
        return _FindingMaker(problem.path, "", LineIndex("")).problem(
            problem.code, 0, 0, problem.message
        )


# Quotes per cited fact on a finding: enough to show the weight of evidence, few enough
# to read in a terminal.
EVIDENCE_PER_FACT = 2
# Below this much input, starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 1_000_000
# Files linted together (their small documents share spaCy Docs), and a worker's task.
GROUP_FILES = 32
_WORKER_ENGINE: Engine | None = None


def _workers(jobs: int, files: list[str]) -> int:
    import multiprocessing

    if jobs == 1 or len(files) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs <= 0:
        size = 0
        for path in files:
            try:
                size += os.path.getsize(path)
            except OSError:
                pass
            if size >= PARALLEL_MIN_BYTES:
                break
        if size < PARALLEL_MIN_BYTES:
            return 1
        jobs = os.cpu_count() or 1
    return max(1, min(jobs, len(files)))


def _parallel(engine: Engine, targets: list[str], stdin_filename: str | None, workers: int):
    """Lint in forked workers that inherit the engine with its compiled rules and spaCy
    pipeline, so no worker pays the start-up again; stdin is read here, in the parent."""
    import multiprocessing

    global _WORKER_ENGINE
    _ = engine.matcher  # built once in the parent, before forking
    _WORKER_ENGINE = engine
    context = multiprocessing.get_context("fork")
    files = [t for t in targets if t != "-"]
    with context.Pool(workers) as pool:
        done = (f for group in pool.imap(_lint_in_worker, _groups(files, workers)) for f in group)
        for target in targets:
            yield engine.lint_file(target, stdin_filename) if target == "-" else next(done)


def _groups(targets: list[str], workers: int = 1) -> Iterator[list[str]]:
    """Groups of ``GROUP_FILES`` files; for workers, the last few groups are smaller, so
    that a worker left without work waits a small group, not a full one, for the other."""
    i, total = 0, len(targets)
    while i < total:
        tail = workers > 1 and total - i <= 2 * workers * GROUP_FILES
        size = GROUP_FILES // 4 if tail else GROUP_FILES
        yield targets[i : i + size]
        i += size


def _lint_in_worker(paths: list[str]) -> list[list[Finding]]:
    assert _WORKER_ENGINE is not None
    return _WORKER_ENGINE.lint_files(paths)


@dataclass
class _Page:
    """One document between reading and findings (see ``Engine.lint_documents``)."""

    document: Document
    segments: list[Segment]
    chrome: frozenset[int]
    suppressions: list[directives.Suppression]
    make: _FindingMaker
    findings: list[Finding]
    hits: list[Hit] = field(default_factory=list)


class _FindingMaker:
    """Builds findings for one document: offsets in, line/column and text out."""

    def __init__(
        self,
        path: str,
        text: str,
        lines: LineIndex,
        factbase: FactBase | None = None,
        evidence: dict[tuple[str, ...], tuple[Evidence, ...]] | None = None,
    ) -> None:
        self.path, self.text, self.lines, self.factbase = path, text, lines, factbase
        # Evidence by cited facts, shared by the findings of every document: one tuple per
        # set of facts, so a worker pickles (and the parent unpickles) each quote once per
        # batch instead of once per finding.
        self.evidence = {} if evidence is None else evidence

    def _make(self, start: int, end: int, **fields) -> Finding:
        line, column = self.lines.position(start)
        end_line, end_column = self.lines.position(end)
        return Finding(
            path=self.path,
            start=start,
            end=end,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            text=self.text[start:end],
            **fields,
        )

    def claim(self, hit: Hit, start: int, end: int) -> Finding:
        rule = hit.rule
        matched = " ".join(self.text[start:end].split())
        message = rule.message.replace("{text}", matched).replace("{expected}", hit.detail)
        return self._make(
            start,
            end,
            rule=rule.code,
            name=rule.name,
            category=rule.category,
            severity=hit.severity,
            message=message.replace("{missing}", hit.detail),
            suggestion=rule.suggestion,
            context=tuple(sorted(hit.context)),
            evidence=self._evidence(hit.facts or rule.facts),
            sentence=" ".join(sentence(hit.segment.text, hit.start, hit.end).split()),
        )

    def _evidence(self, fact_ids: tuple[str, ...]) -> tuple[Evidence, ...]:
        """Quotes that show where the evidence lies (a few per cited fact): a fact's
        supporting quotes, or, for a claim the weight of evidence goes against (status
        ``contradicted``), the quotes that contradict it."""
        found = self.evidence.get(fact_ids)
        if found is None:
            found = self.evidence[fact_ids] = self._quotes(fact_ids)
        return found

    def _quotes(self, fact_ids: tuple[str, ...]) -> tuple[Evidence, ...]:
        out = []
        for fact_id in fact_ids:
            fact = self.factbase.get(fact_id) if self.factbase else None
            if fact is not None:
                stance = "contradicts" if fact.status == "contradicted" else "supports"
                out += [
                    Evidence(fact.id, q.document, q.quote)
                    for q in fact.quotes(stance)[:EVIDENCE_PER_FACT]
                ]
        return tuple(out)

    def problem(self, kind: str, start: int, end: int, message: str) -> Finding:
        code, name, severity = PROBLEMS[kind]
        return self._make(
            start,
            end,
            rule=code,
            name=name,
            category=PROBLEM_CATEGORY,
            severity=severity,
            message=message,
        )


def _main_and_chrome(text: str, segments: list[Segment]) -> tuple[list[Segment], frozenset[int]]:
    """A page's main content (see ``markup.html``) and the segments of its chrome: the
    navigation, header, footer and banners every page of the site repeats. The chrome is
    still linted (a footer's "guaranteed results" is the site's claim), and its findings
    carry the ``SITE_CHROME`` context so that an audit reports each once per site."""
    main = extract(text, "html", main_content=True).segments
    spans = sorted(_source_range(s) for s in main)
    starts = [start for start, _ in spans]
    reach = list(accumulate((end for _, end in spans), max))  # furthest end so far
    chrome = []
    for segment in segments:
        start, end = _source_range(segment)
        i = bisect_left(starts, end) - 1  # the last main span that starts before this ends
        if i < 0 or reach[i] <= start:
            chrome.append(segment)
    merged = sorted([*main, *chrome], key=lambda s: s.offsets.source_start(0))
    return merged, frozenset(id(s) for s in chrome)


def _source_range(segment: Segment) -> tuple[int, int]:
    return segment.offsets.source_start(0), segment.offsets.source_end(len(segment.text) - 1)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in findings:
        key = (f.rule, f.start, f.end)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
