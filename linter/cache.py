"""A small on-disk cache for work that only changes when its input files change.

Used by the rulebook: parsing and validating some forty YAML rule files costs more than
a tenth of a second at every start-up, which a pre-commit hook run on one file feels.
Entries are keyed by each file's path, size and modification time, and the cache file's
name carries the claimsafe version and the code that produced it, so an upgrade or an
edited rule is never served stale. The cache lives under ``$XDG_CACHE_HOME/claimsafe``
(default ``~/.cache/claimsafe``); ``CLAIMSAFE_NO_CACHE=1`` or ``--no-cache`` turns it
off, and any problem reading or writing it silently falls back to doing the work.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from linter import __version__

T = TypeVar("T")


def enabled() -> bool:
    return not os.environ.get("CLAIMSAFE_NO_CACHE")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "claimsafe"


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class FileCache:
    """Values computed from single files, stored together in one pickle."""

    def __init__(self, name: str, code_files: tuple[str, ...] = ()) -> None:
        digest = hashlib.sha256(__version__.encode())
        for code in code_files:
            digest.update(repr((code, _stamp(code))).encode())
        self.path = cache_dir() / f"{name}-{digest.hexdigest()[:16]}.pickle"
        self._entries: dict[str, tuple] = {}
        self._dirty = False
        if enabled():
            try:
                with open(self.path, "rb") as handle:
                    self._entries = pickle.load(handle)
            except Exception:  # a missing, partial or foreign cache file is just a miss
                self._entries = {}

    def get(self, path: str, compute: Callable[[str], T]) -> T:
        stamp = _stamp(path)
        entry = self._entries.get(path)
        if entry is not None and stamp is not None and entry[0] == stamp:
            return entry[1]
        value = compute(path)
        if stamp is not None:
            self._entries[path] = (stamp, value)
            self._dirty = True
        return value

    def save(self) -> None:
        if not (self._dirty and enabled()):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self._entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            # Older caches of the same kind (another version or code) are dead weight.
            prefix = self.path.name.rsplit("-", 1)[0]
            for old in self.path.parent.glob(f"{prefix}-*.pickle"):
                if old != self.path:
                    old.unlink(missing_ok=True)
        except Exception:
            pass
