"""``python -m linter``: the same as the ``claimsafe`` command."""

from linter.cli import run

run()
