"""Decoding a Bot API request's parameters by their declared Bot API types.

Form and query values arrive as strings (PTB JSON-encodes objects, arrays and booleans
into form fields); JSON bodies arrive already typed. Both are turned into the same
Python values here, driven by the `ParamSpec` table in `methods.py`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from nudgebot.sandbox.errors import BotApiError, bad_request
from nudgebot.sandbox.methods import MethodSpec, ParamSpec

_INTEGER = re.compile(r"-?\d+")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_ATTACH_PREFIX = "attach://"
_SCALARS = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
# A sentinel distinct from every decodable value, None included.
_NO_MATCH: Any = object()


@dataclass(frozen=True)
class UploadedFile:
    """A file that came in a multipart part."""

    filename: str
    content_type: str
    body: bytes

    def summary(self) -> dict[str, Any]:
        """What the calls log shows instead of the raw bytes."""
        return {"filename": self.filename, "size": len(self.body)}


class Params:
    """Decoded parameters of one request, with typed accessors."""

    def __init__(self, values: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        self._values = values
        self._extra = extra or {}

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def integer(self, name: str) -> int | None:
        """An Integer parameter, or None when absent."""
        value = self._values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def string(self, name: str) -> str | None:
        """A String parameter, or None when absent."""
        value = self._values.get(name)
        return value if isinstance(value, str) else None

    def boolean(self, name: str) -> bool:
        """A Boolean parameter; absent means False, as in the Bot API."""
        return self._values.get(name) is True

    def mapping(self, name: str) -> dict[str, Any] | None:
        """An object parameter (keyboard, scope, options...), or None when absent."""
        value = self._values.get(name)
        return value if isinstance(value, dict) else None

    def array(self, name: str) -> list[Any] | None:
        """An `Array of ...` parameter, or None when absent."""
        value = self._values.get(name)
        return value if isinstance(value, list) else None

    def upload(self, name: str) -> UploadedFile | None:
        """An InputFile parameter sent as a multipart upload, or None."""
        value = self._values.get(name)
        return value if isinstance(value, UploadedFile) else None

    def raw(self, name: str) -> Any:
        """The decoded value whatever its type (for Integer-or-String parameters)."""
        return self._values.get(name)

    def for_log(self) -> dict[str, Any]:
        """The parameters as the calls log shows them: uploads summarised, never raw bytes."""
        shown = {**self._extra, **self._values}
        return {
            name: value.summary() if isinstance(value, UploadedFile) else value
            for name, value in shown.items()
        }


def decode_params(
    spec: MethodSpec,
    raw: dict[str, Any],
    files: dict[str, UploadedFile],
    *,
    missing_text: str | None = None,
) -> Params:
    """Decode and check `raw` against `spec`; undeclared parameters are kept for the log only.

    `missing_text` replaces the generic wording when a required `text` is absent, because
    Telegram answers that case as it answers an empty text.
    """
    values: dict[str, Any] = {}
    for param in spec.params:
        value: Any = raw.get(param.name)
        if value is None and param.name in files:
            value = files[param.name]
        if value is None:
            if param.required:
                if param.name == "text" and missing_text is not None:
                    raise bad_request(missing_text)
                raise bad_request(f"parameter {param.name!r} is required")
            continue
        values[param.name] = _decode(param, value, files)
    undeclared = {**files, **raw}
    return Params(values, {k: v for k, v in undeclared.items() if spec.param(k) is None})


def _decode(param: ParamSpec, value: Any, files: dict[str, UploadedFile]) -> Any:
    for kind in param.types:
        decoded = _decode_as(kind, value, files)
        if decoded is not _NO_MATCH:
            return decoded
    raise _wrong_type(param)


def _decode_as(kind: str, value: Any, files: dict[str, UploadedFile]) -> Any:
    if kind == "InputFile":
        return _decode_file(value, files)
    if kind == "Integer":
        return _decode_integer(value)
    if kind == "Float":
        return _decode_float(value)
    if kind == "Boolean":
        return _decode_boolean(value)
    if kind == "String":
        return _decode_string(value)
    if kind.startswith("Array of "):
        items = _decode_json(value, list)
        element = kind.removeprefix("Array of ")
        if items is _NO_MATCH or not all(_is_element(element, item) for item in items):
            return _NO_MATCH
        return items
    return _decode_json(value, dict)


def _is_element(kind: str, item: Any) -> bool:
    if kind == "String":
        return isinstance(item, str)
    if kind in _SCALARS:
        return not isinstance(item, dict | list)
    if kind.startswith("Array of "):
        return isinstance(item, list)
    return isinstance(item, dict)


def _decode_file(value: Any, files: dict[str, UploadedFile]) -> Any:
    if isinstance(value, UploadedFile):
        return value
    if isinstance(value, str) and value.startswith(_ATTACH_PREFIX):
        return files.get(value.removeprefix(_ATTACH_PREFIX), _NO_MATCH)
    return _NO_MATCH


def _decode_integer(value: Any) -> Any:
    if isinstance(value, bool):
        return _NO_MATCH
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return _NO_MATCH


def _decode_float(value: Any) -> Any:
    if isinstance(value, bool):
        return _NO_MATCH
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _NO_MATCH
    return _NO_MATCH


def _decode_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return _NO_MATCH


def _decode_string(value: Any) -> Any:
    if isinstance(value, str):
        return value
    # JSON bodies may carry numbers where the API wants strings; Telegram accepts them.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _NO_MATCH


def _decode_json(value: Any, shape: type) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return _NO_MATCH
    return value if isinstance(value, shape) else _NO_MATCH


def _wrong_type(param: ParamSpec) -> BotApiError:
    if all(kind not in _SCALARS for kind in param.types):
        return bad_request(f"can't parse {param.name} JSON object")
    expected = " or ".join(param.types)
    return bad_request(f"invalid parameter {param.name!r}: expected {expected}")
