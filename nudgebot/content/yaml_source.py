"""Reading one YAML file into plain values while remembering where each value was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nudgebot.content.problems import Problem

KeyPath = tuple[str | int, ...]


@dataclass
class YamlSource:
    """A parsed YAML document with the (line, column) of every key path, both 1-based."""

    file: str
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: KeyPath) -> tuple[int, int]:
        """Where `path` was written, or its nearest written ancestor (a missing key's mapping)."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found:
                return found
        return (1, 1)

    def problem(self, path: KeyPath, message: str, *, warning: bool = False) -> Problem:
        """A problem located at `path` in this file."""
        line, column = self.position(path)
        return Problem(
            self.file,
            line,
            column,
            format_path(path),
            message,
            "warning" if warning else "error",
        )


def format_path(path: KeyPath) -> str:
    """`("tips", 3, "title")` -> `tips[3].title`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read_yaml(path: Path, display_name: str) -> YamlSource | Problem:
    """Parse `path`; a syntax error comes back as a located Problem instead of raising."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Problem(display_name, 1, 1, "", f"cannot read the file: {error}")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or str(error)
        return Problem(display_name, line, column, "", f"YAML syntax error: {reason}")
    except yaml.YAMLError as error:
        return Problem(display_name, 1, 1, "", f"YAML error: {error}")
    except RecursionError:
        # PyYAML composes nested lists and mappings recursively: some hundreds of levels
        # exhaust Python's stack. No content needs more than a few.
        return Problem(display_name, 1, 1, "", "nested too deeply to read")
    finally:
        loader.dispose()
    source = YamlSource(display_name, data)
    if node is not None:
        _record_positions(node, (), source.positions)
    return source


def _record_positions(
    node: yaml.Node, path: KeyPath, positions: dict[KeyPath, tuple[int, int]]
) -> None:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            _record_positions(value_node, (*path, key), positions)
            # Point a key's problems at the key itself, where the admin reads them.
            positions[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_positions(item, (*path, index), positions)
