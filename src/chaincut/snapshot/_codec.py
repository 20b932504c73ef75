"""Dataclasses to JSON values and back, checking shapes on the way in."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from chaincut.snapshot._model import PolicyDocument

_T = TypeVar("_T")


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


def _decode(kind: type[_T], data: Any) -> _T:
    """Build ``kind`` from JSON values, checking shapes on the way."""
    return typing.cast(_T, _decode_as(kind, data))


def _decode_as(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _decode_as(inner, data)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        _expect(data, list, hint)
        return tuple(_decode_as(inner, item) for item in data)
    if origin in (dict, Mapping) or hint is PolicyDocument:
        _expect(data, dict, hint)
        return dict(data)
    if hint is Any:
        return data
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        _expect(data, dict, hint)
        hints = typing.get_type_hints(hint)
        known = {f.name for f in dataclasses.fields(hint)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)} in {hint.__name__}")
        return hint(
            **{name: _decode_as(hints[name], item) for name, item in data.items()}
        )
    if hint is float and isinstance(data, int | float):
        return float(data)
    if isinstance(hint, type):
        _expect(data, hint, hint)
    return data


def _expect(data: Any, kind: type, hint: Any) -> None:
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise TypeError(
            f"expected {getattr(hint, '__name__', hint)}, got {type(data).__name__}"
        )
