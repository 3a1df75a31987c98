"""Parsing git's ``--raw -z`` output (``git log``, ``git diff``) as it streams.

A commit header is ``\\x01<commit id>``; each change is a meta token
``:<modes...> <blob ids...> <status>`` followed by its path. A merge shown with ``-c`` has one
colon, one mode and one blob id per parent plus the result's: the result's are what count.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

COMMIT_MARK = "%x01%H"  # the --format that starts each commit in the stream


@dataclass(frozen=True, slots=True)
class Change:
    commit: int  # index of the commit in the stream (0 first); -1 outside ``git log``
    mode: str  # the new mode ("000000": deleted)
    blob: str  # the new blob id (zeros: deleted)
    path: str  # exact (os.fsdecode)
    old: str = ""  # the first parent's blob id at this path (zeros: there was none)

    @property
    def deleted(self) -> bool:
        return self.blob.strip("0") == ""


class RawParser:
    """Feed chunks, get changes; ``commits`` lists the commit ids seen, in order."""

    def __init__(self) -> None:
        self.commits: list[str] = []
        self._rest = b""
        self._meta: tuple[str, str, str] | None = None  # waiting for its path

    def parse(self, chunks: Iterable[bytes]) -> Iterator[Change]:
        for chunk in chunks:
            tokens = (self._rest + chunk).split(b"\0")
            self._rest = tokens.pop()
            for token in tokens:
                change = self._token(token)
                if change is not None:
                    yield change
        if self._rest:
            change = self._token(self._rest)
            self._rest = b""
            if change is not None:
                yield change

    def _token(self, token: bytes) -> Change | None:
        if self._meta is not None:
            mode, blob, old = self._meta
            self._meta = None
            return Change(len(self.commits) - 1, mode, blob, os.fsdecode(token), old)
        token = token.lstrip(b"\n")
        if not token:
            return None
        if token.startswith(b"\x01"):
            self.commits.append(token[1:].decode("ascii").strip())
        elif token.startswith(b":"):
            self._meta = _meta(token)
        return None


def _meta(token: bytes) -> tuple[str, str, str]:
    """(new mode, new blob id, first parent's blob id) of ``:100644 100644 <old> <new> M`` or
    its ``::`` merge form."""
    parents = len(token) - len(token.lstrip(b":"))
    fields = token.lstrip(b":").split(b" ")
    new_mode, new, old = fields[parents], fields[2 * parents + 1], fields[parents + 1]
    return new_mode.decode("ascii"), new.decode("ascii"), old.decode("ascii")
