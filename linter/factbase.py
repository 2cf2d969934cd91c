"""Stage 6 of the pipeline: the fact base, loaded from ``sources/``.

The fact base is data (see ``sources/README.md``): an index of source documents with the
hash of each, and YAML facts about treatments, each with verbatim evidence quotes. This
module loads and validates the structure (a malformed file is a :class:`FactError` naming
the file and line), and :func:`verify` checks what structure cannot: that every quote
occurs in its document, that documents still match their hashes, that ids are unique and
that every fact a rule cites exists. Rules cite facts; the engine attaches their evidence
to findings; the fact checks compare copy with their typed values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from linter import shipped_data, yamlutil
from linter.yamlutil import FileError, LineDict, LineList, YAMLError, load_yaml_file

KINDS = (
    "side-effect",
    "contraindication",
    "precaution",
    "efficacy-evidence",
    "procedure",
    "results-timeline",
    "practitioner",
    "history",
    "aftercare",
    "composition",
    "mechanism",
)
STATUSES = ("established", "supported", "contested", "contradicted", "limited-evidence")
STANCES = ("supports", "contradicts")
UNITS = (
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "millimetre",
    "centimetre",
    "session",
    "injection",
    "per-year",
    "calendar-year",
)
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def default_sources_dir() -> Path:
    return shipped_data("sources")


class FactError(FileError):
    """A fact base file that cannot be used (exit code 2)."""


@dataclass(frozen=True)
class SourceDocument:
    id: str
    title: str
    path: Path
    sha256: str
    line: int

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8-sig")


@dataclass(frozen=True)
class Quote:
    document: str
    quote: str
    stance: str
    line: int


@dataclass(frozen=True)
class Value:
    quantity: str
    min: float
    max: float
    unit: str
    condition: tuple[str, ...] = ()


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    id: str
    treatment: str
    kind: str
    statement: str
    status: str
    evidence: tuple[Quote, ...]
    values: tuple[Value, ...] = ()
    key: bool = False
    terms: tuple[str, ...] = ()
    label: str = ""  # a short name for messages ("pregnancy and breastfeeding")
    path: str = ""
    line: int = 0

    def quotes(self, stance: str = "supports") -> tuple[Quote, ...]:
        return tuple(q for q in self.evidence if q.stance == stance)


@dataclass
class FactBase:
    documents: dict[str, SourceDocument] = field(default_factory=dict)
    treatments: dict[str, Treatment] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)

    def get(self, fact_id: str) -> Fact | None:
        return self.facts.get(fact_id)

    def values(self, quantity: str) -> list[tuple[Fact, Value]]:
        return [(f, v) for f in self.facts.values() for v in f.values if v.quantity == quantity]


def load_factbase(directories: Iterable[str | Path] | None = None) -> FactBase:
    """Load the fact bases under the given directories (default: the shipped ``sources/``)."""
    from linter.cache import FileCache

    global _cache
    base = FactBase()
    duplicates: list[FactError] = []
    _cache = FileCache("facts", (__file__, yamlutil.__file__))
    try:
        for directory in [Path(d) for d in (directories or [default_sources_dir()])]:
            if not directory.is_dir():
                raise FactError(str(directory), None, "fact base directory does not exist")
            _load_index(directory / "documents" / "index.yaml", base)
            for path in sorted((directory / "facts").glob("*.y*ml")):
                _load_facts(path, base, duplicates)
    finally:
        _cache.save()
        _cache = None
    if duplicates:
        raise duplicates[0]
    return base


_cache = None


def _parse(path: str):
    try:
        return load_yaml_file(path)
    except YAMLError as exc:
        raise FactError(exc.path, exc.line, exc.reason) from None


def _load(path: Path):
    """Parsed YAML of a fact base file (from the on-disk cache when it is unchanged)."""
    return _cache.get(str(path), _parse) if _cache is not None else _parse(str(path))


def _load_index(path: Path, base: FactBase) -> None:
    if not path.is_file():
        raise FactError(str(path), None, "missing document index")
    data = _load(path)
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, LineList):
        raise FactError(str(path), 1, "the index must have a 'documents' list")
    for i, entry in enumerate(entries):
        line = entries.line_of(i)
        if not isinstance(entry, LineDict) or set(entry) != {"id", "title", "file", "sha256"}:
            raise FactError(str(path), line, "each document needs exactly: id, title, file, sha256")
        doc_id = str(entry["id"])
        if doc_id in base.documents:
            raise FactError(str(path), line, f"document id {doc_id!r} is used twice")
        doc_path = path.parent / str(entry["file"])
        if not doc_path.is_file():
            raise FactError(
                str(path), entry.line_of("file"), f"no such document file: {entry['file']}"
            )
        base.documents[doc_id] = SourceDocument(
            doc_id, str(entry["title"]), doc_path, str(entry["sha256"]), line
        )


class _Fields:
    def __init__(self, path: Path, data: LineDict, where: str) -> None:
        self.path, self.data, self.where = str(path), data, where

    def fail(self, key: str | None, reason: str):
        line = self.data.line_of(key) if key else self.data.line
        raise FactError(self.path, line, f"{self.where}: {reason}")

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"{key} must be a non-empty string")
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self.data.get(key)
        if value not in choices:
            self.fail(key, f"{key} must be one of: {', '.join(choices)} (got {value!r})")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, f"{key} must be a list of strings")
        return tuple(v.strip() for v in value)

    def only(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(key, f"unknown key {key!r} (known: {', '.join(sorted(allowed))})")


def _load_facts(path: Path, base: FactBase, duplicates: list[FactError]) -> None:
    data = _load(path)
    if not isinstance(data, LineDict):
        raise FactError(str(path), 1, "a facts file is a mapping with 'treatment' and 'facts'")
    top = _Fields(path, data, "file")
    top.only({"treatment", "facts"})
    treatment_data = data.get("treatment")
    if not isinstance(treatment_data, LineDict):
        top.fail("treatment", "'treatment' must be a mapping with id, name, aliases")
    t = _Fields(path, treatment_data, "treatment")
    t.only({"id", "name", "aliases"})
    treatment = Treatment(t.text("id"), t.text("name"), t.strings("aliases"))
    if not _ID.match(treatment.id):
        t.fail("id", f"treatment id {treatment.id!r} is not kebab-case")
    base.treatments[treatment.id] = treatment
    facts = data.get("facts")
    if not isinstance(facts, LineList) or not facts:
        top.fail("facts", "'facts' must be a non-empty list")
    for item in facts:
        if not isinstance(item, LineDict):
            raise FactError(str(path), facts.line, "each fact is a mapping")
        fact = _fact(path, item, treatment.id)
        if fact.id in base.facts:
            duplicates.append(
                FactError(str(path), item.line, f"fact id {fact.id!r} is defined twice")
            )
        base.facts[fact.id] = fact


def _fact(path: Path, data: LineDict, treatment: str) -> Fact:
    f = _Fields(path, data, f"fact {data.get('id', '?')}")
    f.only({"id", "kind", "statement", "status", "values", "evidence", "key", "terms", "label"})
    fact_id = f.text("id")
    if not _ID.match(fact_id):
        f.fail("id", f"fact id {fact_id!r} is not kebab-case")
    key = data.get("key", False)
    if not isinstance(key, bool):
        f.fail("key", "key must be true or false")
    evidence_data = data.get("evidence")
    if not isinstance(evidence_data, LineList) or not evidence_data:
        f.fail("evidence", "evidence must be a non-empty list of {document, quote, stance}")
    evidence = []
    for item in evidence_data:
        if not isinstance(item, LineDict):
            f.fail("evidence", "each evidence item is {document, quote, stance}")
        e = _Fields(path, item, f"fact {fact_id} evidence")
        e.only({"document", "quote", "stance"})
        evidence.append(
            Quote(
                str(item.get("document", "")),
                e.text("quote"),
                e.choice("stance", STANCES),
                item.line_of("quote"),
            )
        )
    values = []
    for item in data.get("values") or []:
        if not isinstance(item, LineDict):
            f.fail("values", "each value is {quantity, min, max, unit, condition}")
        v = _Fields(path, item, f"fact {fact_id} value")
        v.only({"quantity", "min", "max", "unit", "condition"})
        quantity = v.text("quantity")
        if not _ID.match(quantity):
            v.fail("quantity", f"quantity {quantity!r} is not kebab-case")
        low, high = item.get("min"), item.get("max")
        if not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in (low, high)):
            v.fail("min", "min and max must be numbers")
        if low > high:
            v.fail("min", f"min {low} is greater than max {high}")
        values.append(
            Value(
                quantity, float(low), float(high), v.choice("unit", UNITS), v.strings("condition")
            )
        )
    return Fact(
        id=fact_id,
        treatment=treatment,
        kind=f.choice("kind", KINDS),
        statement=f.text("statement"),
        status=f.choice("status", STATUSES),
        evidence=tuple(evidence),
        values=tuple(values),
        key=key,
        terms=f.strings("terms"),
        label=str(data.get("label") or (f.strings("terms") or (fact_id,))[0]),
        path=str(path),
        line=data.line,
    )


def normalise(text: str) -> str:
    """Whitespace-normalised text, the form in which quotes are compared."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


def verify(base: FactBase, rulebook=None) -> list[Problem]:
    """Everything structure alone cannot check; an empty list means the fact base is sound."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for doc in base.documents.values():
        data = doc.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        index = str(doc.path.parent / "index.yaml")
        if digest != doc.sha256:
            problems.append(
                Problem(
                    index,
                    doc.line,
                    f"document {doc.id} ({doc.path.name}) changed: sha256 is {digest}, the index says {doc.sha256}",
                )
            )
        texts[doc.id] = normalise(data.decode("utf-8-sig", errors="replace"))
    for fact in base.facts.values():
        for q in fact.evidence:
            if q.document not in texts:
                problems.append(
                    Problem(fact.path, q.line, f"fact {fact.id}: unknown document {q.document!r}")
                )
            elif normalise(q.quote) not in texts[q.document]:
                problems.append(
                    Problem(
                        fact.path,
                        q.line,
                        f"fact {fact.id}: quote not found verbatim in document {q.document}: {q.quote!r}",
                    )
                )
        if fact.key and fact.kind in ("side-effect", "contraindication") and not fact.terms:
            problems.append(
                Problem(
                    fact.path, fact.line, f"fact {fact.id}: a key fact needs terms that mention it"
                )
            )
    if rulebook is not None:
        for rule in rulebook:
            for fact_id in rule.facts:
                if fact_id not in base.facts:
                    problems.append(
                        Problem(
                            rule.path, rule.line, f"rule {rule.code} cites unknown fact {fact_id!r}"
                        )
                    )
    return problems
