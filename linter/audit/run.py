"""The audit's wiring, as ``engine`` is the check's: sources -> fetch -> lint -> store.

One asyncio loop in the main process expands the sources into pages and fetches them
(bounded, polite: see ``fetch``); the pages' text goes to a pool of ``jobs`` forked lint
processes, each with the engine the main process built before forking (so no worker pays
for loading spaCy and the rules again); every finished page is written to the store at
once, with its findings or its fetch outcome. At most ``concurrency + 2 * jobs`` pages are
in memory at any moment, whatever the size of the site, so memory stays flat.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from linter.audit.fetch import Fetcher, FetchResult, FetchSettings
from linter.audit.model import AuditReport
from linter.audit.sources import Source, Target, classify, expand
from linter.audit.store import PageRecord, Store, fingerprint
from linter.documents import Document
from linter.findings import SITE_CHROME, Finding


@dataclass
class AuditOptions:
    sources: list[str]
    db: str
    resume: bool = False
    jobs: int = 0  # lint processes; 0: one per CPU
    fetch: FetchSettings = field(default_factory=FetchSettings)


@dataclass
class Progress:
    """What the progress bar shows; ``update`` is called after every page."""

    done: int = 0
    failed: int = 0
    findings: int = 0
    skipped: int = 0  # already in the run being resumed
    total: int | None = None  # known once every source has been expanded
    started: float = field(default_factory=time.monotonic)
    update: Callable[[Progress], None] = lambda progress: None

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


def jobs_for(jobs: int) -> int:
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def audit(engine, options: AuditOptions, progress: Progress | None = None) -> AuditReport:
    """Run (or resume) an audit and return its report. Raises ``UsageError`` for a source
    that does not exist and ``StoreError`` for a database that cannot be used."""
    sources = [classify(s) for s in options.sources]
    store = Store(options.db)
    try:
        run, done = store.begin(options.sources, options.resume)
        progress = progress or Progress()
        progress.skipped = len(done)
        pool = _start_pool(engine, jobs_for(options.jobs))
        try:
            asyncio.run(_Audit(store, run, done, pool, options, progress).run(sources))
        finally:
            pool.shutdown(cancel_futures=True)
        store.finish(run)
        return store.report(run)
    finally:
        store.close()


# -- lint processes -------------------------------------------------------------------

_ENGINE = None  # the engine each forked worker inherits


def _start_pool(engine, jobs: int) -> ProcessPoolExecutor:
    global _ENGINE
    # Built here, before forking, so the workers share the compiled rules and the spaCy
    # pipeline instead of each building its own.
    engine.matcher  # noqa: B018
    from linter.nlp import pipeline

    pipeline()
    _ENGINE = engine
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )
    # With fork, every worker starts on the first submit: do it now, before the event
    # loop and its resolver threads exist, since forking a threaded process is unsafe.
    pool.submit(int).result()
    return pool


def _exit_with_parent(parent: int) -> None:
    """A worker whose audit was killed (SIGKILL, OOM) would wait for work forever: it
    watches its parent and leaves when the parent is gone. Ctrl-C is the parent's to
    handle (it saves what is finished and shuts the pool down); a worker interrupted
    mid-page would only print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _lint_page(url: str, text: str, format: str) -> list[Finding]:
    return _ENGINE.lint_document(Document(url, text, format))


def _lint_file(path: str) -> list[Finding]:
    return _ENGINE.lint_file(path)


# -- the loop -------------------------------------------------------------------------


class _Audit:
    def __init__(self, store, run, done, pool, options: AuditOptions, progress: Progress):
        self.store, self.run_id, self.done = store, run, done
        self.pool, self.options, self.progress = pool, options, progress
        self.workers = options.fetch.concurrency + 2 * jobs_for(options.jobs)
        self.chrome = store.site_chrome(run)  # fingerprints of site-wide findings reported

    async def run(self, sources: list[Source]) -> None:
        queue: asyncio.Queue = asyncio.Queue(maxsize=self.workers)
        async with Fetcher(self.options.fetch) as fetcher:
            workers = [asyncio.create_task(self._work(queue, fetcher)) for _ in range(self.workers)]
            seen = 0
            async for target in expand(sources, fetcher):
                seen += 1
                await queue.put(target)
            self.progress.total = seen - self.progress.skipped
            self.progress.update(self.progress)
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)

    async def _work(self, queue: asyncio.Queue, fetcher: Fetcher) -> None:
        loop = asyncio.get_running_loop()
        while (target := await queue.get()) is not None:
            if isinstance(target, FetchResult):  # a sitemap that could not be read
                if target.url not in self.done:
                    self._record(_failed(target))
                continue
            if target.location in self.done:
                continue
            self._record(self._once_per_site(await self._page(target, fetcher, loop)))

    async def _page(self, target: Target, fetcher: Fetcher, loop) -> PageRecord:
        url = target.location
        final = status = None
        try:
            if target.is_url:
                fetched = await fetcher.fetch(url)
                if fetched.outcome != "ok":
                    return _failed(fetched)
                final, status = fetched.final_url, fetched.http_status
                job = (_lint_page, url, fetched.text, fetched.format)
            else:
                job = (_lint_file, url)
            findings = await loop.run_in_executor(self.pool, *job)
        except Exception as exc:  # a bug or a dead worker: this page is lost, not the audit
            detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
            return PageRecord(url, final, "error", detail, status)
        return PageRecord(
            url, final, "ok", "", status, tuple((f, fingerprint(url, f)) for f in findings)
        )

    def _once_per_site(self, page: PageRecord) -> PageRecord:
        """Keep a finding in the site's chrome (navigation, footer, ...) only on the first
        page it is seen on: it is one claim of the site, not one per page."""
        kept = []
        for finding, fp in page.findings:
            if SITE_CHROME in finding.context:
                if fp in self.chrome:
                    continue
                self.chrome.add(fp)
            kept.append((finding, fp))
        return replace(page, findings=tuple(kept))

    def _record(self, page: PageRecord) -> None:
        self.store.record(self.run_id, page)
        progress = self.progress
        progress.done += 1
        progress.failed += page.outcome != "ok"
        progress.findings += len(page.findings)
        progress.update(progress)


def _failed(fetched: FetchResult) -> PageRecord:
    return PageRecord(
        fetched.url, fetched.final_url, fetched.outcome, fetched.detail, fetched.http_status
    )
