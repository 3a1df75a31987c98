"""Records to and from JSON-ready values, exactly: ``decode(cls, encode(r)) == r``.

Datetimes become ISO 8601 UTC strings ("2024-01-02T03:04:05Z"), enums their values, tuples
lists. Each record class gets a decoder compiled once from its type hints.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast

T = TypeVar("T")

Decoder = Callable[[Any], Any]


class DecodeError(ValueError):
    """A value that does not fit its record: ``field`` is the path to it inside the record
    ("kind", "policies[2]", "tool.name"), the message what is wrong and what was expected."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem

    def within(self, outer: str) -> DecodeError:
        """The same error seen from the enclosing field or list position."""
        if not self.field:
            return DecodeError(outer, self.problem)
        joint = "" if self.field.startswith("[") else "."
        return DecodeError(f"{outer}{joint}{self.field}", self.problem)


def iso(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, seconds precision kept as given."""
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    """Parse ISO 8601; a value without a zone is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"expected an ISO 8601 date-time such as 2024-01-02T03:04:05Z, got {value!r:.60}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


# Values encoded as they are, and the containers encoded item by item, told by their exact
# type first (most values of a large report's evidence and paths): no dataclass or Enum test
# for them. A subclass (an Enum of str, a mapping type) takes the general way below.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def encode(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k: encode(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encoder_for(type(value))(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: encode(v) for k, v in value.items()}
    return value


Encoder = Callable[[Any], Any]


@cache
def _encoder_for(cls: type[Any]) -> Encoder:
    """A record encoder compiled from the type hints: plain fields are copied, the rest encoded
    by the cheapest function that fits (this is the hot path of large reports)."""
    hints = typing.get_type_hints(cls)
    plan = [(f.name, _field_encoder(hints[f.name])) for f in dataclasses.fields(cls)]
    omitted = _omitted_defaults(cls)
    if not omitted:

        def run(record: Any) -> dict[str, Any]:
            out = {}
            for name, fn in plan:
                value = getattr(record, name)
                out[name] = value if fn is None or value is None else fn(value)
            return out

        return run

    def run_omitting(record: Any) -> dict[str, Any]:
        out = {}
        for name, fn in plan:
            value = getattr(record, name)
            if name in omitted and value == omitted[name]:
                continue
            out[name] = value if fn is None or value is None else fn(value)
        return out

    return run_omitting


def _omitted_defaults(cls: type[Any]) -> dict[str, Any]:
    """The fields marked ``omit: default`` (``model.OMIT_DEFAULT``) and their defaults: left
    out while they hold them (the decoder fills an absent optional field with its default)."""
    found = {}
    for f in dataclasses.fields(cls):
        if f.metadata.get("omit") != "default":
            continue
        if f.default is not dataclasses.MISSING:
            found[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            found[f.name] = f.default_factory()
        else:
            raise TypeError(f"{cls.__name__}.{f.name}: omitted when default, but has none")
    return found


def _field_encoder(tp: Any) -> Encoder | None:
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _field_encoder(inner[0]) if len(inner) == 1 else encode
    if tp in (str, int, float, bool):
        return None
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum_value
    if origin is tuple and typing.get_args(tp)[0] in (str, int):
        return list
    return encode


def _enum_value(value: Enum) -> Any:
    return value.value


def decode(cls: type[T], data: Any) -> T:
    """Build ``cls`` from ``data``; raises DecodeError naming the field on bad input."""
    try:
        result: T = _decoder_for(cast(Any, cls))(data)
    except DecodeError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise DecodeError("", _problem(exc)) from exc
    return result


def _problem(exc: Exception) -> str:
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


@cache
def _decoder_for(tp: Any) -> Decoder:
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _record_decoder(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {tp}")
        sub = _decoder_for(inner[0])
        return lambda v: None if v is None else sub(v)
    if origin is tuple:
        return _tuple_decoder(_decoder_for(args[0]))
    if isinstance(tp, type) and issubclass(tp, tuple) and hasattr(tp, "_fields"):
        return _named_tuple_decoder(tp)
    if origin in (Mapping, dict) or tp in (Mapping, dict):
        strings = args == (str, str)
        return lambda v: _mapping(_expect(v, dict), strings=strings)
    if tp is datetime:
        return lambda v: parse_time(_expect(v, str))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum_decoder(tp)
    if tp in (str, int, float, bool):
        return lambda v: _expect(v, tp)
    if tp is Any:
        return lambda v: v
    raise TypeError(f"no decoder for {tp!r}")


def _record_decoder(cls: type[Any]) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = [
        (f.name, _decoder_for(hints[f.name]), _is_required(f)) for f in dataclasses.fields(cls)
    ]

    known = {name for name, _, _ in fields}

    def build(data: Any) -> Any:
        data = _expect(data, dict)
        kwargs = {}
        for name, sub, required in fields:
            if name in data:
                kwargs[name] = _field(name, sub, data[name])
            elif required:
                raise DecodeError(name, f"is missing (required in every {cls.__name__})")
        unknown = set(data) - known
        if unknown:
            raise DecodeError(
                sorted(unknown)[0],
                f"{cls.__name__} has unknown fields: {', '.join(sorted(unknown))} "
                f"(expected only {', '.join(name for name, _, _ in fields)})",
            )
        return cls(**kwargs)

    return build


def _field(name: str, sub: Decoder, value: Any) -> Any:
    try:
        return sub(value)
    except DecodeError as exc:
        raise exc.within(name) from None
    except (TypeError, ValueError, KeyError) as exc:
        raise DecodeError(name, _problem(exc)) from exc


def _tuple_decoder(sub: Decoder) -> Decoder:
    def run(value: Any) -> tuple[Any, ...]:
        out = []
        for index, item in enumerate(_expect(value, list)):
            try:
                out.append(sub(item))
            except DecodeError as exc:
                raise exc.within(f"[{index}]") from None
            except (TypeError, ValueError, KeyError) as exc:
                raise DecodeError(f"[{index}]", _problem(exc)) from exc
        return tuple(out)

    return run


def _named_tuple_decoder(cls: type[Any]) -> Decoder:
    """A NamedTuple from the list ``encode`` makes of it, field by field in order."""
    hints = typing.get_type_hints(cls)
    subs = [(name, _decoder_for(hints[name])) for name in cls._fields]

    def run(value: Any) -> Any:
        items = _expect(value, list)
        if len(items) != len(subs):
            raise DecodeError("", f"expected {len(subs)} values ({', '.join(cls._fields)}), "
                              f"got {len(items)}")  # fmt: skip
        return cls(
            *(_field(name, sub, item) for (name, sub), item in zip(subs, items, strict=True))
        )

    return run


def _mapping(value: dict[Any, Any], *, strings: bool) -> dict[Any, Any]:
    if strings:
        for key, item in value.items():
            if not isinstance(item, str):
                raise DecodeError(str(key), f"expected a string, got {type(item).__name__}")
    return dict(value)


def _enum_decoder(tp: type[Enum]) -> Decoder:
    def run(value: Any) -> Enum:
        try:
            return tp(value)
        except (ValueError, TypeError):
            allowed = ", ".join(str(member.value) for member in tp)
            raise ValueError(f"expected one of {allowed}; got {value!r:.60}") from None

    return run


def _is_required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _expect(value: Any, tp: type[Any]) -> Any:
    if tp is int and isinstance(value, bool):
        raise TypeError(f"expected int, got {value!r}")
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp):
        raise TypeError(f"expected {_NAMES.get(tp, tp.__name__)}, got {_shown(value)}")
    return value


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
          list: "a list", dict: "an object"}  # fmt: skip


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    name = _KINDS.get(type(value), type(value).__name__)
    return f"{name} {value!r:.60}" if isinstance(value, str | int | float) else name


_KINDS = {str: "string", int: "integer", float: "number", bool: "boolean", list: "list",
          dict: "object"}  # fmt: skip
