"""Cached findings: an unchanged file costs no NLP on the next run.

A pre-commit hook lints the same few files again and again. The findings of a document
are stored under a key made of its path, its text and the *engine fingerprint*: the
claimsafe version, the code of the package, every rule, fact and language-data file, and
the settings. Change any of them and the key changes, so a stale result is never served.
When every file is cached, spaCy is not even imported. Entries live under
``$XDG_CACHE_HOME/claimsafe/results`` (see :mod:`linter.cache`); ``--no-cache`` or
``CLAIMSAFE_NO_CACHE=1`` turns the cache off (``CLAIMSAFE_NO_RESULT_CACHE=1`` only this
one, keeping the parsed rules cached: a pre-commit run on a file just edited), and any
problem reading or writing an entry falls back to linting.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path

from linter import __version__
from linter.cache import cache_dir, enabled


def results_enabled() -> bool:
    return enabled() and not os.environ.get("CLAIMSAFE_NO_RESULT_CACHE")


def fingerprint(files: Iterable[Path], settings: object) -> str:
    """A digest of everything that decides a document's findings, except the document
    (empty when the cache is off: nothing reads it, and it stats every package file)."""
    if not results_enabled():
        return ""
    digest = hashlib.sha256(f"{__version__}\0{settings!r}".encode())
    package = Path(__file__).resolve().parent
    inputs = sorted({*package.rglob("*.py"), *package.rglob("*.yml"), *(Path(f) for f in files)})
    for path in inputs:
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class ResultCache:
    def __init__(self, engine_fingerprint: str) -> None:
        self.fingerprint = engine_fingerprint
        self.root = cache_dir() / "results"
        self.enabled = results_enabled()

    def _path(self, path: str, text: str) -> Path:
        key = hashlib.sha256(
            f"{self.fingerprint}\0{path}\0".encode() + text.encode("utf-8", "surrogatepass")
        )
        name = key.hexdigest()
        return self.root / name[:2] / f"{name}.pickle"

    def get(self, path: str, text: str):
        if not self.enabled:
            return None
        try:
            with open(self._path(path, text), "rb") as handle:
                return pickle.load(handle)
        except Exception:  # missing or unreadable entry: lint instead
            return None

    def put(self, path: str, text: str, findings: list) -> None:
        if not self.enabled:
            return
        target = self._path(path, text)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(findings, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except Exception:
            pass
