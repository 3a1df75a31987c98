"""The source options, built from the connectors' specs (``nhiscan.connectors``), and how
their values become a ``SourceOptions``. A connector registered before the commands are
defined adds its options to every command that collects."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from nhiscan.connectors import connector_specs
from nhiscan.connectors.base import ConnectorSpec, OptionKind, OptionSpec

if TYPE_CHECKING:
    from nhiscan.app.options import SourceOptions

F = TypeVar("F", bound=Callable[..., Any])


def _click_option(spec: OptionSpec) -> Callable[[F], F]:
    kwargs: dict[str, Any] = {"help": spec.help}
    if spec.kind is OptionKind.FLAG:
        kwargs["is_flag"] = True
    elif spec.kind is OptionKind.FILE:
        kwargs["type"] = click.Path(path_type=Path, dir_okay=False)
    elif spec.kind is OptionKind.POSITIVE:
        kwargs["type"] = click.IntRange(min=1)
    if spec.multiple:
        kwargs["multiple"] = True
    if spec.metavar is not None:
        kwargs["metavar"] = spec.metavar
    option: Callable[[F], F] = click.option(spec.flag, spec.dest, **kwargs)
    return option


def _with_options(func: F, specs: Iterable[ConnectorSpec]) -> F:
    options = [_click_option(option) for option in _declared(specs)]
    for option in reversed(options):
        func = option(func)
    return func


def cloud_source_options(func: F) -> F:
    """The estate to collect (the commands that read identities only): the options of the
    connectors that yield identities."""
    return _with_options(func, (spec for spec in connector_specs() if spec.identities))


def source_options(func: F) -> F:
    """Every source: the estate and the repositories."""
    return _with_options(func, connector_specs())


def _declared(specs: Iterable[ConnectorSpec]) -> list[OptionSpec]:
    """The options of ``specs`` in order, a shared option once (where it is first declared)."""
    seen: set[str] = set()
    found = []
    for spec in specs:
        for option in spec.options:
            if option.shared and option.dest in seen:
                continue
            seen.add(option.dest)
            found.append(option)
    return found


def sources_of(kw: dict[str, Any]) -> SourceOptions:
    """The sources of a command's options (popped from ``kw``); a command without some
    connector's options has their defaults. A connector's plan (--verify --dry-run) is printed
    instead of running."""
    from nhiscan.app.options import SourceOptions

    values: dict[str, dict[str, Any]] = {}
    given: dict[str, Any] = {}
    for spec in connector_specs():
        for o in spec.options:
            if o.dest not in given:
                given[o.dest] = kw.pop(o.dest, o.default)
        values[spec.name] = {o.dest: given[o.dest] for o in spec.options}
    _check_requires(connector_specs(), values)
    for spec in connector_specs():
        plan = spec.plan(values[spec.name]) if spec.plan is not None else None
        if plan is not None:
            click.echo(plan, nl=False)
            raise click.exceptions.Exit(0)
    return SourceOptions(values=values)


def _check_requires(specs: Iterable[ConnectorSpec], values: dict[str, dict[str, Any]]) -> None:
    """UsageError for an option given without the one it goes with (a shared option: without
    any of those its declaring connectors name)."""
    met: set[str] = set()
    unmet: dict[str, list[str]] = {}
    for spec in specs:
        flags = {option.dest: option.flag for option in spec.options}
        mine = values[spec.name]
        for option in spec.options:
            if option.requires is None or mine[option.dest] == option.default:
                continue
            wanted = (option.requires,) if isinstance(option.requires, str) else option.requires
            if any(mine.get(dest) for dest in wanted):
                met.add(option.flag)
            else:
                unmet.setdefault(option.flag, []).extend(flags[dest] for dest in wanted)
    for flag, others in unmet.items():
        if flag not in met:
            raise click.UsageError(f"{flag} goes with {' or '.join(others)}")
