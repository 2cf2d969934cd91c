"""Helpers shared by the CLI tests."""

from __future__ import annotations

import json

from linter.cli import main


def check(capsys, *args):
    """Run ``claimsafe check`` with JSON output: (exit code, [(path, line, rule)], stderr)."""
    code = main(["check", "--no-config", "--format", "json", *args])
    out, err = capsys.readouterr()
    found = [(f["path"], f["line"], f["rule"]) for f in json.loads(out)["findings"]] if out else []
    return code, found, err
