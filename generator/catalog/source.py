"""Read YAML keeping every node's line and column, and report duplicate keys.

PyYAML silently keeps the last of two equal mapping keys; a catalog must not lose a
contributor's data that way, so duplicates are collected as problems here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at a place in it."""

    file: str
    line: int
    col: int
    where: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        level = "warning: " if self.level == "warning" else ""
        return f"{self.file}:{self.line}:{self.col}: {level}{where}{self.message}"


@dataclass
class Positions:
    """Where each value (and each mapping key) of a YAML document starts."""

    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        if path in self.values:
            return self.values[path]
        probe = path[:-1]
        while probe:  # an absent field: point at the key of the nearest ancestor
            if probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


def format_path(path: PathKey) -> str:
    """('families', 0, 'models', 3, 'id') -> 'families[0].models[3].id'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Document:
    """A parsed YAML file: its data, where each value is, and what was wrong."""

    file: str
    data: Any
    positions: Positions
    problems: list[Problem]

    def problem(
        self, path: PathKey, message: str, *, key: bool = False, level: str = "error"
    ) -> Problem:
        line, col = self.positions.of(path, key=key)
        return Problem(self.file, line, col, format_path(path), message, level)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.loader = yaml.SafeLoader("")
        self.positions = Positions()
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.positions.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):
            # e.g. 2024-13-02 looks like a timestamp but is no date: keep the text and let
            # the schema say what is wrong with it, at its place.
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                line, col = _mark(key_node)
                self.problems.append(
                    Problem(self.file, line, col, format_path(path), f"key {key!r} is not a string")
                )
                continue
            child = (*path, key)
            if key in out:
                line, col = _mark(key_node)
                first = self.positions.keys[child][0]
                self.problems.append(
                    Problem(
                        self.file, line, col, format_path(child),
                        f"duplicate key {key!r} (first defined on line {first}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            self.positions.keys[child] = _mark(key_node)
            out[key] = self.build(value_node, child)
        return out


def parse(text: str, file: str) -> Document:
    """Parse YAML text; syntax errors and duplicate keys become problems, never exceptions."""
    builder = _Builder(file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {exc.problem or exc}"
        if exc.context:
            message += f" ({exc.context})"
        return Document(file, None, builder.positions, [Problem(file, line, col, "", message)])
    except yaml.YAMLError as exc:
        return Document(file, None, builder.positions, [Problem(file, 1, 1, "", f"YAML error: {exc}")])
    if node is None:
        return Document(file, None, builder.positions, [])
    try:
        data = builder.build(node, ())
    except yaml.YAMLError as exc:
        return Document(file, None, builder.positions, [Problem(file, 1, 1, "", f"YAML error: {exc}")])
    return Document(file, data, builder.positions, builder.problems)


def read(path: Path) -> Document:
    """Read and parse a YAML file; an unreadable file is a problem too."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Document(str(path), None, Positions(), [Problem(str(path), 1, 1, "", f"cannot read: {exc}")])
    return parse(text, str(path))
