"""Stage 8 of the pipeline: reporters render findings; they never compute positions.

Each reporter is a pure function ``render(report, rulebook, **options) -> str`` over the
one :class:`~linter.findings.Finding` type. The registry below is the list of formats the
CLI offers.
"""

from __future__ import annotations

from collections.abc import Callable

from linter.reporters import github as github_reporter
from linter.reporters import json as json_reporter
from linter.reporters import sarif as sarif_reporter
from linter.reporters import text as text_reporter

FORMATS: dict[str, Callable[..., str]] = {
    "text": text_reporter.render,
    "json": json_reporter.render,
    "sarif": sarif_reporter.render,
    "github": github_reporter.render,
}
