"""Read YAML keeping every node's line and column, and report duplicate keys.

PyYAML silently keeps the last of two equal mapping keys; a catalog must not lose a
contributor's data that way, so duplicates are collected as problems here.

The catalog comes from strangers' pull requests, so reading it is bounded: every limit
below turns into one `Problem` with its file:line:col, never a traceback, a hang or an
exhausted memory. A byte-order mark is dropped and CRLF line ends are read as line ends
(both keep line numbers right); bytes that are not UTF-8 are reported at their line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]

# Limits, stated once (the catalog is ~0.3 MB, ~13,000 YAML values, 8 levels deep):
MAX_BYTES = 4 * 1024 * 1024  # refused before parsing (pure-Python YAML reads ~0.15 MB/s)
MAX_DEPTH = 64  # nested mappings/lists; deeper input is refused while it is composed
MAX_NODES = 250_000  # values after aliases are expanded (an alias bomb stops here)
# Scalar tags a catalog may use: anything else (!!binary, !!set, !custom) is refused.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class LimitError(yaml.MarkedYAMLError):
    """Input past one of the limits above, at the place where it was noticed."""


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
        text = f"{self.file}:{self.line}:{self.col}: {level}{where}{self.message}"
        # One line, and no terminal escape sequences: messages quote catalog and Hub text.
        return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than MAX_DEPTH (PyYAML composes
    recursively: 5,000 nested lists would otherwise end in a RecursionError)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise LimitError(
                    None,
                    None,
                    f"nesting deeper than {MAX_DEPTH} levels is not allowed in the catalog",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.loader = yaml.SafeLoader("")
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.nodes = 0

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:  # each alias is counted again: expansion is bounded
            raise LimitError(
                format_path(path),
                None,
                f"the document has more than "
                f"{MAX_NODES:,} values once its aliases (*name) are expanded",
                node.start_mark,
            )
        self.positions.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag not in _PLAIN_TAGS:
            line, col = _mark(node)
            self.problems.append(
                Problem(
                    self.file,
                    line,
                    col,
                    format_path(path),
                    f"YAML tag {node.tag!r} is not allowed here: write "
                    "plain text, numbers, dates or true/false",
                )
            )
            return node.value if isinstance(node, yaml.ScalarNode) else None
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):
            # e.g. 2024-13-02 looks like a timestamp but is no date: keep the text and let
            # the schema say what is wrong with it, at its place.
            return node.value

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if not isinstance(key, (str, int)):
                line, col = _mark(key_node)
                self.problems.append(
                    Problem(
                        self.file,
                        line,
                        col,
                        format_path(path),
                        f"key {_describe(key)} is not a string",
                    )
                )
                continue
            child = (*path, key)
            if key in out:
                line, col = _mark(key_node)
                first = self.positions.keys[child][0]
                self.problems.append(
                    Problem(
                        self.file,
                        line,
                        col,
                        format_path(child),
                        f"duplicate key {key!r} (first defined on line {first}); "
                        "YAML would silently keep only the last one",
                    )
                )
                continue
            self.positions.keys[child] = _mark(key_node)
            out[key] = self.build(value_node, child)
        return out

    def _key(self, node: yaml.Node) -> Any:
        """A mapping key: only a plain scalar can be one (a list or mapping as a key is
        reported by the caller; it is never constructed, so it cannot expand)."""
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _PLAIN_TAGS:
            return node
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):
            return node.value


def _describe(key: Any) -> str:
    if isinstance(key, yaml.Node):
        return "(a list or mapping)" if not isinstance(key, yaml.ScalarNode) else repr(key.value)
    return repr(key)


def _code(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character[:1] or "\0")


def _failed(file: str, line: int, col: int, message: str) -> Document:
    return Document(file, None, Positions(), [Problem(file, line, col, "", message)])


def _text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index (CRLF and CR count as one break)."""
    before = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def parse(text: str, file: str) -> Document:
    """Parse YAML text; syntax errors, duplicate keys and input past the limits become
    problems, never exceptions."""
    text = text.removeprefix("\ufeff")  # a BOM: not content, and it would shift column 1
    builder = _Builder(file)
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text)  # its reader rejects control characters at once
        node = loader.get_single_node()
        data = None if node is None else builder.build(node, ())
    except LimitError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Document(
            file,
            None,
            Positions(),
            [Problem(file, line, col, exc.context or "", f"refused: {exc.problem}")],
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {exc.problem or exc}"
        if exc.context:
            message += f" ({exc.context}"
            started = exc.context_mark
            if started is not None and mark is not None and started.line != mark.line:
                message += f" that starts on line {started.line + 1}"
            message += ")"
        return _failed(file, line, col, message)
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        line, col = _text_position(text, exc.position)
        return _failed(
            file,
            line,
            col,
            f"character U+{_code(exc.character):04X} is not allowed in "
            "YAML (a control character: remove it)",
        )
    except yaml.YAMLError as exc:
        return _failed(file, 1, 1, f"YAML error: {exc}")
    except RecursionError:  # not reached within MAX_DEPTH; a last guard, never a traceback
        return _failed(file, 1, 1, "refused: the document is nested too deeply")
    finally:
        if loader is not None:
            loader.dispose()
    return Document(file, data, builder.positions, builder.problems)


def decode(raw: bytes, file: str) -> str | Document:
    """UTF-8 text (a BOM allowed), or a Document whose problem names the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return _failed(
            file, line, col, f"byte 0x{raw[exc.start]:02x} is not UTF-8: save the file as UTF-8"
        )


_BRACKETS = re.compile(r"[\[\]{}]")
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def flow_depth(text: str) -> int:
    """An upper bound of the flow nesting ([ and {) of a text: libyaml's Python binding
    composes recursively in C, and a million '[' crash the interpreter (not an exception)."""
    depth = deepest = 0
    for char in _BRACKETS.findall(text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif char in "]}" and depth:
            depth -= 1
    return deepest


def within_limits(data: Any, limit: int, max_depth: int) -> bool:
    """True when the data (aliases counted every time they are used) stays within `limit`
    values and `max_depth` levels; stops counting as soon as it does not."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > limit or depth > max_depth:
            return False
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return True


def load_fast(text: str) -> Any:
    """The data of a catalog version, read by libyaml (5x faster, no line numbers), under
    the same limits as `parse`; None when it is not YAML or breaks a limit. For reading
    many old versions (the changelog), where a place in the file is not needed."""
    if len(text) > MAX_BYTES or flow_depth(text) > MAX_DEPTH:
        return None
    try:
        data = yaml.load(text.removeprefix("\ufeff"), Loader=FAST_LOADER)  # a safe loader
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return None
    return data if within_limits(data, MAX_NODES, MAX_DEPTH) else None


def read(path: Path) -> Document:
    """Read and parse a YAML file; an unreadable, oversized or non-UTF-8 file is a problem
    too (the size is checked before the file is read, and the read stops past the limit)."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return _failed(file, 1, 1, f"cannot read: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        return _failed(file, 1, 1, f"refused: the file is larger than {MAX_BYTES // 2**20} MiB")
    text = decode(raw, file)
    if isinstance(text, Document):
        return text
    return parse(text, file)
