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
    options = [_click_option(option) for spec in specs for option in spec.options]
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


def sources_of(kw: dict[str, Any]) -> SourceOptions:
    """The sources of a command's options (popped from ``kw``); a command without some
    connector's options has their defaults. A connector's plan (--verify --dry-run) is printed
    instead of running."""
    from nhiscan.app.options import SourceOptions

    values: dict[str, dict[str, Any]] = {}
    for spec in connector_specs():
        values[spec.name] = {o.dest: kw.pop(o.dest, o.default) for o in spec.options}
    for spec in connector_specs():
        _check_requires(spec, values[spec.name])
    for spec in connector_specs():
        plan = spec.plan(values[spec.name]) if spec.plan is not None else None
        if plan is not None:
            click.echo(plan, nl=False)
            raise click.exceptions.Exit(0)
    return SourceOptions(values=values)


def _check_requires(spec: ConnectorSpec, values: dict[str, Any]) -> None:
    flags = {option.dest: option.flag for option in spec.options}
    for option in spec.options:
        if option.requires is None or values[option.dest] == option.default:
            continue
        if not values.get(option.requires):
            raise click.UsageError(f"{option.flag} goes with {flags[option.requires]}")
