"""claimsafe: lint health and aesthetic-clinic marketing copy for unsupported claims.

The pipeline, top-down (each module's docstring names its stage):
cli -> config -> documents -> markup -> directives -> nlp -> rulebook + checks/context
-> engine -> findings -> reporters. Importing this package imports nothing heavy; spaCy
loads only when the first document needs analysing.
"""

__version__ = "0.1.0"


def shipped_data(name: str):
    """``rules/`` or ``sources/``: inside the installed wheel (``linter/_data``), or at the
    root of a source checkout."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    packaged = here / "_data" / name
    return packaged if packaged.is_dir() else here.parent / name


def lint_text(text: str, path: str = "-", format: str = "text"):
    """Lint a string with the shipped rules and default settings; returns findings."""
    from linter.engine import Engine

    return Engine().lint_text(text, path, format)
