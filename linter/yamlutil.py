"""Safe YAML loading that remembers line numbers, for errors that name file and line.

Used by the rulebook and the configuration: both validate strictly and must point the user
at the offending key. Mappings load as :class:`LineDict` and sequences as
:class:`LineList`; duplicate keys are an error (plain PyYAML silently keeps the last).
"""

from __future__ import annotations

import re

import yaml


class FileError(Exception):
    """A data file that cannot be used, told as ``path:line: reason`` (exit code 2)."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


class YAMLError(FileError):
    """A YAML file that cannot be loaded."""


class LineDict(dict):
    """A mapping with the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence with the 1-based line of itself and of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# The C parser when PyYAML has it (rule files are read at every start-up), with our own
# constructors either way.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


# YAML 1.2 booleans only: in rule patterns "no", "on" and "off" are words, not booleans.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


_STR = "tag:yaml.org,2002:str"
_SEQ = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_MAP = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG


class _Builder:
    """Builds the Python values of a composed document, as ``_Loader``'s constructors do
    (same values, same errors, an alias is the same object), by walking the nodes
    directly: PyYAML's generic construction (a generator per node, deep-construction
    bookkeeping) costs as much as parsing, and rule files are read at every start-up.
    Nodes of any other tag go to the loader's own constructors."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.built: dict[int, object] = {}
        self.building: set[int] = set()

    def value(self, node: yaml.Node):
        tag = node.tag
        if tag == _STR and type(node) is yaml.ScalarNode:
            return node.value
        key = id(node)
        if key in self.built:
            return self.built[key]
        if key in self.building:
            raise yaml.constructor.ConstructorError(
                None, None, "found unconstructable recursive node", node.start_mark
            )
        self.building.add(key)
        if tag == _MAP and type(node) is yaml.MappingNode:
            value = self._mapping(node)
        elif tag == _SEQ and type(node) is yaml.SequenceNode:
            value = LineList(self.value(child) for child in node.value)
            value.line = node.start_mark.line + 1
            value.item_lines = [child.start_mark.line + 1 for child in node.value]
        else:
            value = self.loader.construct_object(node, deep=True)
        self.building.discard(key)
        self.built[key] = value
        return value

    def _mapping(self, node: yaml.MappingNode) -> LineDict:
        self.loader.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.value(value_node)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result


def _load(text: str):
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _Builder(loader).value(node)
    finally:
        loader.dispose()


def load_yaml(text: str, path: str):
    """Parse ``text`` safely; any YAML problem becomes a :class:`YAMLError` naming ``path``."""
    try:
        return _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YAMLError(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YAMLError(path, None, f"invalid YAML: {exc}") from None


def load_yaml_file(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise YAMLError(path, None, f"cannot read: {exc}") from None
    return load_yaml(text, path)
