"""Stage 1 of the pipeline: configuration.

Settings come from ``[tool.claimsafe]`` in ``pyproject.toml`` or from ``.claimsafe.yaml``,
whichever is found first walking up from the working directory (both in one directory is
an error: one source of truth). Validation is strict: an unknown key or a bad value is a
:class:`ConfigError` naming the file and the key path. Command-line options are applied
on top by the CLI. Relative paths in a config file are relative to that file.

Keys (YAML spelling; TOML uses the same names)::

    select: [ALL]               # codes, code prefixes, names or categories
    ignore: []
    fail-on: warning            # info | warning | error
    include: ["*.md", ...]      # file globs when walking directories
    exclude: ["drafts/**"]      # paths or globs to skip when walking directories
    rule-dirs: [house-rules]    # extra rule directories, added to the shipped rules
    fact-dirs: [our-facts]      # extra fact bases (documents/ + facts/), added to the shipped one
    severity: {CS801: info}     # severity overrides by code, name or category
    per-path:                   # overrides for matching paths (globs)
      - paths: ["legal/**"]
        ignore: [regulatory]
        severity: {superlative: info}
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from linter.documents import DEFAULT_INCLUDE
from linter.findings import SEVERITY_RANK
from linter.yamlutil import YAMLError, load_yaml_file

CONFIG_FILES = ("pyproject.toml", ".claimsafe.yaml", ".claimsafe.yml")


class ConfigError(Exception):
    """An unusable configuration (exit code 2)."""


@dataclass(frozen=True)
class PathOverride:
    paths: tuple[str, ...]
    ignore: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    rule_dirs: tuple[str, ...] = ()
    fact_dirs: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)
    per_path: tuple[PathOverride, ...] = ()
    # HTML: only the page's main content, not its navigation, footer or banners (the
    # audit's default for published pages; see docs/main-content.md).
    main_content: bool = False
    source: str | None = None  # the file these settings came from


def find_config(start: str | os.PathLike | None = None) -> Path | None:
    """The nearest config file from ``start`` (default: the working directory) upwards."""
    directory = Path(start or os.getcwd()).resolve()
    for folder in (directory, *directory.parents):
        found = []
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_section(pyproject):
            found.append(pyproject)
        found += [folder / name for name in CONFIG_FILES[1:] if (folder / name).is_file()]
        if len(found) > 1:
            raise ConfigError(
                f"{folder}: both {found[0].name} and {found[1].name} configure claimsafe; keep one"
            )
        if found:
            return found[0]
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        return "claimsafe" in _read_toml(path).get("tool", {})
    except ConfigError:
        # A broken pyproject.toml that mentions us is our problem to report.
        return "[tool.claimsafe" in path.read_text(encoding="utf-8", errors="replace")


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read TOML: {exc}") from None


def load_settings(path: str | os.PathLike | None) -> Settings:
    """Settings from a config file (``None``: defaults)."""
    if path is None:
        return Settings()
    path = Path(path)
    if path.name == "pyproject.toml":
        data = _read_toml(path).get("tool", {}).get("claimsafe", {})
        prefix = "tool.claimsafe"
    else:
        try:
            data = load_yaml_file(str(path))
        except YAMLError as exc:
            raise ConfigError(str(exc)) from None
        data = {} if data is None else data
        prefix = ""
    return parse_settings(data, path, prefix)


def parse_settings(data: object, path: Path, prefix: str = "") -> Settings:
    where = _Where(path, prefix)
    if not isinstance(data, dict):
        where.fail("", "must be a table/mapping of settings")
    known = {
        "select",
        "ignore",
        "fail-on",
        "include",
        "exclude",
        "rule-dirs",
        "fact-dirs",
        "severity",
        "per-path",
    }
    for key in data:
        if key not in known:
            where.fail(key, f"unknown key (known: {', '.join(sorted(known))})")
    base = path.parent
    per_path = []
    for i, item in enumerate(_list(data, "per-path", where, of=dict)):
        sub = where.child(f"per-path[{i}]")
        for key in item:
            if key not in {"paths", "ignore", "severity"}:
                sub.fail(key, "unknown key (known: ignore, paths, severity)")
        paths = _strings(item, "paths", sub)
        if not paths:
            sub.fail("paths", "must list at least one path glob")
        per_path.append(
            PathOverride(tuple(paths), tuple(_strings(item, "ignore", sub)), _severity(item, sub))
        )
    fail_on = data.get("fail-on", "warning")
    if fail_on not in SEVERITY_RANK:
        where.fail("fail-on", f"must be one of: {', '.join(SEVERITY_RANK)} (got {fail_on!r})")
    dirs = {}
    for key in ("rule-dirs", "fact-dirs"):
        dirs[key] = tuple(str((base / d).resolve()) for d in _strings(data, key, where))
        for directory in dirs[key]:
            if not os.path.isdir(directory):
                where.fail(key, f"no such directory: {directory}")
    return Settings(
        select=_strings(data, "select", where) or ["ALL"],
        ignore=_strings(data, "ignore", where),
        fail_on=fail_on,
        include=tuple(_strings(data, "include", where)) or DEFAULT_INCLUDE,
        exclude=tuple(_strings(data, "exclude", where)),
        rule_dirs=dirs["rule-dirs"],
        fact_dirs=dirs["fact-dirs"],
        severity=_severity(data, where),
        per_path=tuple(per_path),
        source=str(path),
    )


class _Where:
    def __init__(self, path: Path, prefix: str) -> None:
        self.path, self.prefix = path, prefix

    def child(self, key: str) -> _Where:
        return _Where(self.path, f"{self.prefix}.{key}" if self.prefix else key)

    def fail(self, key: str, reason: str):
        dotted = ".".join(p for p in (self.prefix, key) if p)
        raise ConfigError(f"{self.path}: {dotted or '(top level)'}: {reason}")


def _list(data: dict, key: str, where: _Where, of: type = str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, of) for v in value):
        where.fail(key, f"must be a list of {'strings' if of is str else 'tables'}")
    return value


def _strings(data: dict, key: str, where: _Where) -> list[str]:
    return list(_list(data, key, where))


def _severity(data: dict, where: _Where) -> dict:
    value = data.get("severity", {})
    if not isinstance(value, dict):
        where.fail("severity", "must map rule codes, names or categories to a severity")
    for key, level in value.items():
        if level not in SEVERITY_RANK:
            where.child("severity").fail(
                str(key), f"must be one of: {', '.join(SEVERITY_RANK)} (got {level!r})"
            )
    return dict(value)
