"""Where a repository is: a local directory as it is, or a clone URL cloned to a temporary
directory (a full mirror: every ref) that is removed when the scan of it ends."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from nhiscan.connectors.git.config import ScanMode
from nhiscan.connectors.git.gitcmd import Git, GitCommandError, git_env
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"^[^\s/@:]+@[^\s/:]+:")  # git@github.com:owner/repo.git


class Layout(StrEnum):
    WORKTREE = "worktree"  # a git work tree (its top, or a directory inside it)
    BARE = "bare"  # a repository without a work tree: bare, a mirror clone, a .git directory
    PLAIN = "plain"  # a directory git does not track


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A repository as given, checked before anything is scanned."""

    spec: str  # as given
    label: str  # as records name it: a URL without its password
    path: str | None  # the local directory; None: a URL to clone
    layout: Layout | None  # None until cloned


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    label: str
    root: str  # a local directory
    layout: Layout
    git: Git | None  # None: not a git repository


def resolve(spec: str, mode: ScanMode) -> Target:
    """Check ``spec`` for ``mode``; ConnectorError saying what is wrong when it cannot do."""
    label = redact_url(spec)
    if os.path.isdir(spec):
        layout = _probe(spec, mode)
        if layout is Layout.PLAIN and mode is not ScanMode.WORKTREE:
            raise ConnectorError(
                f"{spec} is not a git repository: git mode {mode} needs one "
                "(scan a plain directory in worktree mode)"
            )
        if layout is not Layout.WORKTREE and mode is ScanMode.STAGED:
            raise ConnectorError(f"{spec} has no work tree and index: staged mode needs one")
        return Target(spec=spec, label=label, path=spec, layout=layout)
    if os.path.exists(spec):
        raise ConnectorError(f"{spec} is a file, not a directory or a git repository")
    if not is_url(spec):
        raise ConnectorError(f"{spec} does not exist (give a directory or a clone URL)")
    if mode is ScanMode.STAGED:
        raise ConnectorError(f"{label} is a clone URL: staged mode needs a local work tree")
    return Target(spec=spec, label=label, path=None, layout=None)


def is_url(spec: str) -> bool:
    return bool(_URL.match(spec) or _SCP.match(spec))


def redact_url(spec: str) -> str:
    """``https://user:TOKEN@host/x`` -> ``https://user:***@host/x``: records never hold it."""
    if not _URL.match(spec):
        return spec
    parts = urlsplit(spec)
    if parts.password is None:
        return spec
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def _probe(path: str, mode: ScanMode) -> Layout:
    git = Git(path, git_env(keep_index=mode is ScanMode.STAGED))
    try:
        inside = git.run("rev-parse", "--is-inside-work-tree").strip()
    except GitCommandError as exc:
        if "not a git repository" in exc.detail:
            return Layout.PLAIN
        raise ConnectorError(f"{path}: git cannot read this repository: {exc.detail}") from exc
    if inside != b"true":
        return Layout.BARE
    # A directory inside a work tree that git ignores (a virtualenv, a build output): git lists
    # none of its files, so it is scanned as a plain directory.
    inner = mode is ScanMode.WORKTREE and git.run("rev-parse", "--show-prefix").strip()
    if inner and git.ok("check-ignore", "-q", "."):
        return Layout.PLAIN
    return Layout.WORKTREE


@contextmanager
def opened(target: Target, mode: ScanMode) -> Iterator[Source | CollectionGap]:
    """The target as a local directory, cloned first when it is a URL (a gap when the clone
    fails); a clone's temporary directory is removed on exit."""
    if target.path is not None:
        assert target.layout is not None
        git = None
        if target.layout is not Layout.PLAIN:
            git = Git(target.path, git_env(keep_index=mode is ScanMode.STAGED))
        yield Source(label=target.label, root=target.path, layout=target.layout, git=git)
        return
    with tempfile.TemporaryDirectory(prefix="nhiscan-git-") as tmp:
        dest = os.path.join(tmp, "repo.git")
        args = ("-c", "protocol.ext.allow=never", "clone", "--mirror", "--quiet", "--")
        try:
            Git(tmp).run(*args, target.spec, dest)
        except GitCommandError as exc:
            detail = exc.detail.replace(target.spec, target.label)
            password = urlsplit(target.spec).password if _URL.match(target.spec) else None
            if password:
                detail = detail.replace(password, "***")
            yield CollectionGap(
                provider=Provider.GIT,
                scope=target.label,
                operation="git clone --mirror",
                reason=GapReason.FAILED,
                detail=detail,
            )
            return
        yield Source(label=target.label, root=dest, layout=Layout.BARE, git=Git(dest))
