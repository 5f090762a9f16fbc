"""Records to JSON and back, led by their type annotations: how the judged result (aeo/judge.py)
and the site facts in it are saved in the run database and read back for a later render. A
record with its own to_json/from_json is written and read by them; sets come back as sets,
tuples as tuples, integer keys as integers."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import sys
import types
import typing
from collections import Counter
from collections.abc import Mapping
from typing import Any


def encode(value: Any, only: tuple[str, ...] | None = None) -> Any:
    """value in JSON's terms; only: of a record, the fields to keep (the others read back as
    their defaults)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "to_json") and hasattr(type(value), "from_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.name.startswith("_") and (only is None or f.name in only)}
    if isinstance(value, Mapping):
        return {_key(k): encode(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((encode(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise TypeError(f"cannot save a {type(value).__name__}")


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, (int, float)) and not isinstance(k, bool):
        return str(k)
    raise TypeError(f"cannot save a mapping key of type {type(k).__name__}")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))


def decode(tp: Any, data: Any) -> Any:
    """data (encode's form) as a value of type tp."""
    if data is None or tp is Any:
        return data
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        arms = [a for a in args if a is not type(None)]
        for arm in arms:     # a record where the data is a mapping, else the first that fits
            if isinstance(data, dict) and (dataclasses.is_dataclass(arm)
                                           or typing.get_origin(arm) in (dict, Mapping)):
                return decode(arm, data)
        for arm in arms:
            if isinstance(arm, type) and isinstance(data, arm):
                return data
        return decode(arms[0], data) if len(arms) == 1 else data
    if isinstance(tp, type) and hasattr(tp, "from_json") and hasattr(tp, "to_json"):
        return tp.from_json(data)
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: decode(hints.get(f.name, Any), data[f.name])
                     for f in dataclasses.fields(tp) if f.name in data})
    if origin is tuple or tp is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], v) for v in data)
        if args:
            return tuple(decode(a, v) for a, v in zip(args, data, strict=True))
        return tuple(_plain(v) for v in data)
    if origin in (frozenset, set) or tp in (frozenset, set):
        inner = args[0] if args else Any
        return (frozenset if frozenset in (origin, tp) else set)(decode(inner, v) for v in data)
    if origin is list or tp is list:
        inner = args[0] if args else Any
        return [decode(inner, v) for v in data]
    if origin in (dict, Mapping, Counter) or tp in (dict, Counter):
        key, inner = args if len(args) == 2 else (str, Any)
        made = {_unkey(key, k): decode(inner, v) for k, v in data.items()}
        return Counter(made) if Counter in (origin, tp) else made
    return data


def shape(tp: Any, seen: frozenset = frozenset()) -> str:
    """A type's shape as text: its records' fields and their types, all the way down."""
    origin = typing.get_origin(tp)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{','.join(shape(a, seen) for a in typing.get_args(tp))}]"
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if tp in seen:
            return tp.__name__
        hints = _hints(tp)
        return tp.__name__ + "{" + ",".join(
            f"{f.name}:{shape(hints.get(f.name, Any), seen | {tp})}"
            for f in dataclasses.fields(tp)) + "}"
    return getattr(tp, "__name__", repr(tp))


def shape_hash(*parts: Any) -> str:
    """A short digest of the shapes of types (a mapping of name -> type counts as its types)
    and of any other values given (the names of the fields kept, say)."""
    text = []
    for part in parts:
        if isinstance(part, Mapping):
            text += [f"{k}={shape(v)}" for k, v in part.items()]
        else:
            text.append(repr(part))
    return hashlib.sha256("\n".join(text).encode()).hexdigest()[:12]


def _plain(v: Any) -> Any:
    return tuple(_plain(x) for x in v) if isinstance(v, list) else v


def _unkey(tp: Any, k: str) -> Any:
    if tp is int:
        return int(k)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and int in typing.get_args(tp):
        return int(k) if k.lstrip("-").isdigit() else k
    return k
