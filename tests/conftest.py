"""Shared fixtures: one engine per test session (building the spaCy pipeline is the cost)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pytest_configure(config):
    # The tests must never read or write a developer's own claimsafe cache.
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="claimsafe-test-cache-")


@pytest.fixture(scope="session")
def engine():
    from linter.engine import Engine

    return Engine()


@pytest.fixture(scope="session")
def rulebook(engine):
    return engine.all_rules


@pytest.fixture
def lint(engine):
    """Lint a string as plain text (or another format) with every shipped rule."""

    def run(text: str, format: str = "text", path: str = "copy.txt"):
        return engine.lint_text(text, path, format)

    return run


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch, tmp_path_factory):
    # Tests must not pick up a developer's XDG/cache settings.
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield
