"""GAAD documents: merging pages, the accounts in them, and walking their lists with errors
that say which entry is malformed.

``GaadEntryError`` names the list, the index and (when the entry has one) the ARN, so that
a bad export can be fixed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from nhiscan.connectors.aws.wire import arn_parts

GAAD_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

Entry = Mapping[str, Any]
T = TypeVar("T")


class GaadEntryError(ValueError):
    """An entry of a GAAD document that is not shaped as AWS documents it."""


def checked_list(entries: Any, list_name: str) -> list[Entry]:
    """``entries`` itself when it is a list; None is an empty list."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise GaadEntryError(f"{list_name} must be a list, got {type(entries).__name__}")
    return entries


def one_entry(entry: Any, list_name: str, transform: Callable[[Entry], T], index: int = -1) -> T:
    """``transform(entry)``; a KeyError/TypeError/ValueError in it is a GaadEntryError."""
    try:
        if not isinstance(entry, Mapping):
            raise TypeError(f"expected an object, got {type(entry).__name__}")
        return transform(entry)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        where = f"{list_name}[{index}]" if index >= 0 else list_name
        arn = entry.get("Arn") if isinstance(entry, Mapping) else None
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        named = f"{where} ({arn})" if arn else where
        raise GaadEntryError(f"{named}: malformed entry: {what}") from exc


def each_entry(entries: Any, list_name: str, transform: Callable[[Entry], T]) -> list[T]:
    items = checked_list(entries, list_name)
    return [one_entry(e, list_name, transform, i) for i, e in enumerate(items)]


def merge_pages(pages: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """One GAAD document from several pages (API pages, or pages the CLI wrote one by one)."""
    merged: dict[str, list[Any]] = {name: [] for name in GAAD_LISTS}
    for page in pages:
        for name in GAAD_LISTS:
            merged[name].extend(page.get(name) or ())
    return merged


def accounts_in(gaad: Mapping[str, Any]) -> list[str]:
    """The account ids in the ARNs of a GAAD document's users, groups, roles and own policies."""
    found: dict[str, None] = {}
    for name in GAAD_LISTS:
        for entry in gaad.get(name) or ():
            account = _account_or_none(entry.get("Arn") if isinstance(entry, Mapping) else None)
            if account is not None:
                found.setdefault(account, None)
    return list(found)


def _account_or_none(arn: Any) -> str | None:
    if not isinstance(arn, str):
        return None
    try:
        account = arn_parts(arn)[3]
    except ValueError:
        return None
    return account if account and account != "aws" else None
