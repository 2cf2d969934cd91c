"""Stage 8 reporter: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run whose ``tool.driver.rules`` lists every rule of the engine's selected rulebook (in
code order, so a rule's ``ruleIndex`` does not depend on what was found), followed, in code
order, by the codes that occur in the findings but are not in the rulebook: the reserved
problem codes (CS9xx) and, without a rulebook (tests, library use), every code, described
from the findings alone. Each
descriptor carries the rule's kebab name, its message as the short description (``{text}``
and the other placeholders become "…"), its rationale as the full description, help (text
and Markdown) with the suggested rewording and the references, the default level and, in
``properties``, the category (also its only tag) and the facts it cites.

Each finding is one result with the result's own level (a hedged claim may be reported
below its rule's default), the message, one physical location and, in ``properties``, the
category, the evidence quotes and the suggestion.

Positions. SARIF lines and columns are 1-based, as claimsafe's are, and SARIF's
``endColumn`` is exclusive ("the column following the end of the region"), as claimsafe's
``end_column`` is, so they are copied unchanged. claimsafe counts columns in characters
(Python ``str`` indices, i.e. Unicode code points), so the run declares
``columnKind: "unicodeCodePoints"``; a viewer that counts UTF-16 code units will be off by
one per astral character (emoji) before the column on that line. A finding with an empty
span (a file-level problem such as a binary file) gets a region with only ``startLine``
and ``startColumn``; any other gets the full region and ``snippet.text``, the matched
source text exactly.

Paths. ``artifactLocation.uri`` is the path as the engine reported it, with the platform's
separators turned into ``/``, ``.`` and ``..`` segments resolved, and characters a URI
cannot hold percent-encoded. A relative path gets ``uriBaseId: "%SRCROOT%"`` (GitHub
resolves it against the repository checkout); an absolute path becomes a ``file://`` URI.

Fingerprints. ``partialFingerprints["claimsafe/v1"]`` is the SHA-256 of the path, the rule
code and the matched text (lower-cased, whitespace collapsed), so an alert survives lines
moving. When the same text triggers the same rule more than once in a file, the second and
later occurrences also hash their occurrence number (the first keeps the plain hash), so
GitHub does not merge distinct results into one alert.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections import Counter
from pathlib import PurePath
from urllib.parse import quote

from linter import __version__
from linter.findings import PROBLEM_CATEGORY, PROBLEMS

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/claimsafe/"
FINGERPRINT_KEY = "claimsafe/v1"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

# What each reserved problem code means, for its rule descriptor: (short, help).
PROBLEM_HELP = {
    "CS900": (
        "A file could not be read, so it was not checked.",
        "Check that the file exists and is readable by the user running claimsafe.",
    ),
    "CS901": (
        "A file looks binary (it contains NUL bytes), so it was not checked.",
        "Exclude the file, or save it as UTF-8 text if it is copy.",
    ),
    "CS902": (
        "A file is not valid UTF-8; it was decoded with a fallback and some characters may be wrong.",
        "Save the file as UTF-8.",
    ),
    "CS903": (
        "The markup could not be fully parsed, so some text may not have been checked.",
        "Fix the markup near the reported position.",
    ),
    "CS904": (
        "A suppression comment is malformed or gives no reason, so it suppresses nothing.",
        "Name the rule(s) to suppress and give a reason in the comment.",
    ),
    "CS905": (
        "A suppression comment suppresses no finding.",
        "Remove the suppression comment, or move it to the claim it is meant for.",
    ),
}
_PROBLEMS_ARE_RESULTS = (
    "claimsafe reports problems with its input as results so that nothing is skipped silently."
)
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def render(report, rulebook=None, **_options) -> str:
    descriptors = _descriptors(report.findings, rulebook)
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    seen: Counter = Counter()
    results = []
    for f in report.findings:
        key = (_norm_path(f.path), f.rule, _norm_text(f.text))
        occurrence = seen[key]
        seen[key] += 1
        results.append(_result(f, index[f.rule], _fingerprint(key, occurrence)))
    payload = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "claimsafe",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


# -- rules --------------------------------------------------------------------------------


def _descriptors(findings, rulebook) -> list[dict]:
    out: list[dict] = []
    ids: set[str] = set()

    def add(descriptor: dict) -> None:
        if descriptor["id"] not in ids:
            ids.add(descriptor["id"])
            out.append(descriptor)

    for rule in rulebook or ():
        add(_rule_descriptor(rule))
    occurring = {f.rule: f for f in findings}
    problem_codes = {code for code, _, _ in PROBLEMS.values()}
    for code in sorted(occurring):
        if code not in ids:
            add(
                _problem_descriptor(code)
                if code in problem_codes
                else _finding_descriptor(occurring[code])
            )
    return out


def _rule_descriptor(rule) -> dict:
    short = " ".join(_PLACEHOLDER.sub("…", rule.message).split())
    suggestion = " ".join(rule.suggestion.split())
    text = f"Suggested rewording (display only): {suggestion}\n\nReferences:\n"
    text += "".join(f"- {r}\n" for r in rule.references)
    markdown = f"**Suggested rewording** (display only): {_md(suggestion)}\n\n**References**\n\n"
    markdown += "".join(f"- {_md(r)}\n" for r in rule.references)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": " ".join(rule.rationale.split())},
        "help": {"text": text.rstrip("\n"), "markdown": markdown.rstrip("\n")},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "category": rule.category,
            "tags": [rule.category],
            "facts": list(rule.facts),
        },
    }


def _problem_descriptor(code: str) -> dict:
    name, severity = next((n, s) for c, n, s in PROBLEMS.values() if c == code)
    short, help_text = PROBLEM_HELP.get(code, (_humanise(name) + ".", "See the result's message."))
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": f"{short} {_PROBLEMS_ARE_RESULTS}"},
        "help": {"text": help_text, "markdown": _md(help_text)},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"category": PROBLEM_CATEGORY, "tags": [PROBLEM_CATEGORY], "facts": []},
    }


def _finding_descriptor(f) -> dict:
    """A rule known only from a finding (no rulebook): what the finding itself says."""
    short = _humanise(f.name) + "."
    descriptor: dict = {"id": f.rule, "name": f.name, "shortDescription": {"text": short}}
    if f.suggestion:
        suggestion = " ".join(f.suggestion.split())
        descriptor["help"] = {
            "text": f"Suggested rewording (display only): {suggestion}",
            "markdown": f"**Suggested rewording** (display only): {_md(suggestion)}",
        }
    descriptor["defaultConfiguration"] = {"level": LEVELS[f.severity]}
    descriptor["properties"] = {
        "category": f.category,
        "tags": [f.category],
        "facts": sorted({e.fact for e in f.evidence}),
    }
    return descriptor


def _humanise(name: str) -> str:
    words = name.replace("-", " ")
    return words[:1].upper() + words[1:]


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# -- results ------------------------------------------------------------------------------


def _result(f, rule_index: int, fingerprint: str) -> dict:
    region: dict = {"startLine": f.line, "startColumn": f.column}
    if f.end > f.start:
        region.update(endLine=f.end_line, endColumn=f.end_column, snippet={"text": f.text})
    properties: dict = {
        "category": f.category,
        "evidence": [
            {"fact": e.fact, "document": e.document, "quote": e.quote} for e in f.evidence
        ],
    }
    if f.suggestion:
        properties["suggestion"] = " ".join(f.suggestion.split())
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact_location(f.path), "region": region}}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": properties,
    }


def _norm_path(path: str) -> str:
    """The path with ``/`` separators and dot segments resolved (used for URI and hash)."""
    for sep in (os.sep, os.altsep):
        if sep and sep != "/":
            path = path.replace(sep, "/")
    return posixpath.normpath(path) if path else path


def _artifact_location(path: str) -> dict:
    if PurePath(path).is_absolute():
        return {"uri": PurePath(path).as_uri()}
    return {
        "uri": quote(_norm_path(path), safe="/", errors="surrogateescape"),
        "uriBaseId": SRCROOT,
    }


def _norm_text(text: str) -> str:
    return " ".join(text.lower().split())


def _fingerprint(key: tuple[str, str, str], occurrence: int) -> str:
    parts = list(key) + ([str(occurrence)] if occurrence else [])
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
