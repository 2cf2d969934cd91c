"""``python -m linter``: the same as the ``claimsafe`` command."""

from linter.cli import main

raise SystemExit(main())
