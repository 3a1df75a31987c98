"""What one repository scan reads: the items, where their content is now, what was skipped.

A plan is built by listing (files, trees, the log, the index) and checking sizes; nothing is
read yet. ``files_plan`` and ``tree_plan`` are worktree mode; history.py has the rest.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from nhiscan.connectors.git.gitcmd import Git, GitCommandError, display, operation
from nhiscan.connectors.git.objects import (
    CHECK_OPERATION,
    batch_check,
    head_commit,
    head_paths,
    tree_files,
)
from nhiscan.connectors.git.work import Item, Reading
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, SkippedFile, SkipReason

# blob id -> (index of the commit that introduced it, or None; the exact path it had there)
Intro = Mapping[str, tuple[int | None, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    label: str  # the repository as records name it
    mode: str  # as the Repository record says it
    reading: Reading
    items: Sequence[Item]  # ``prior`` items first
    # key -> the paths its content has now (HEAD, the index); None: each item's own path
    here: Mapping[str, tuple[str, ...]] | None = None
    head: str | None = None
    git: Git | None = None
    commits: Sequence[str] | None = None  # commit ids by index, in history modes
    skipped: Sequence[SkippedFile] = ()
    gaps: Sequence[CollectionGap] = ()
    read_operation: str = "read"  # what a failed read is called in its gap
    noun: str = "files"

    def here_of(self, item: Item) -> Sequence[str]:
        if self.here is None:
            return (item.path,)
        return self.here.get(item.key, ())


@dataclass(slots=True)
class Found:
    """What a listing step gathered: its items, skips and gaps."""

    items: list[Item] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    gaps: list[CollectionGap] = field(default_factory=list)


def gap(label: str, op: str, detail: str, subject: str | None = None) -> CollectionGap:
    return CollectionGap(
        provider=Provider.GIT,
        scope=label,
        operation=op,
        reason=GapReason.FAILED,
        detail=detail,
        subject=subject,
    )


# -- worktree mode: the files ----------------------------------------------------------------


def files_plan(label: str, root: str, git: Git | None, max_file_size: int) -> Plan:
    """The files git tracks or would track (untracked, not ignored); every regular file under
    ``root`` when git does not know it (``.git`` directories and symlinks left out)."""
    found = Found()
    head = None
    if git is not None:
        head = head_commit(git)
        names = _git_files(git, label, found)
    else:
        names = _walk(root, label, found)
    for name in names:
        try:
            info = os.lstat(os.path.join(root, name))
        except FileNotFoundError:
            continue  # tracked, deleted from the work tree
        except OSError as exc:
            found.gaps.append(gap(label, "lstat", exc.strerror or str(exc), display(name)))
            continue
        if not stat.S_ISREG(info.st_mode):
            continue  # a symlink, a submodule's directory, a socket
        if info.st_size > max_file_size:
            found.skipped.append(_too_large(label, display(name), info.st_size))
            continue
        seq = len(found.items)
        found.items.append(Item(key=name, path=display(name), size=info.st_size, seq=seq))
    return Plan(
        label=label,
        mode="worktree",
        reading=Reading(root=root),
        items=found.items,
        head=head,
        skipped=found.skipped,
        gaps=found.gaps,
    )


def _git_files(git: Git, label: str, found: Found) -> list[str]:
    args = ("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    try:
        out = git.run(*args)
    except GitCommandError as exc:
        found.gaps.append(gap(label, operation(*args), exc.detail))
        return []
    return sorted({os.fsdecode(name) for name in out.split(b"\0") if name})


def _walk(root: str, label: str, found: Found) -> list[str]:
    def failed(exc: OSError) -> None:
        where = os.path.relpath(exc.filename, root) if exc.filename else None
        found.gaps.append(gap(label, "walk", exc.strerror or str(exc), where))

    names: list[str] = []
    for folder, dirs, files in os.walk(root, onerror=failed, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        base = os.path.relpath(folder, root)
        names.extend(f if base == "." else os.path.join(base, f) for f in sorted(files))
    return names


def tree_plan(label: str, git: Git, max_file_size: int) -> Plan:
    """Worktree mode on a repository without a work tree (a bare one, a clone): HEAD's files."""
    found = Found()
    head = head_commit(git)
    entries = []
    if head is not None:
        try:
            entries = tree_files(git, head)
        except GitCommandError as exc:
            found.gaps.append(gap(label, exc.operation, exc.detail))
    intro: dict[str, tuple[int | None, str]] = {}
    for entry in entries:
        intro.setdefault(entry.blob, (None, entry.path))
    blob_items(git, intro, label, max_file_size, found)
    return Plan(
        label=label,
        mode="worktree",
        reading=Reading(git=git),
        items=found.items,
        here=head_paths(entries),
        head=head,
        git=git,
        skipped=found.skipped,
        gaps=found.gaps,
        read_operation="git cat-file --batch",
        noun="blobs",
    )


# -- blobs -----------------------------------------------------------------------------------


def blob_items(
    git: Git,
    intro: Intro,
    label: str,
    max_file_size: int,
    found: Found,
    bases: Mapping[str, str] | None = None,
) -> None:
    """An item per blob, in ``intro``'s order, sized by ``cat-file --batch-check``: a missing
    object is a gap, one over the limit a skip. ``bases``: blob id -> the previous version of
    its file; kept as the item's ``base`` when that version is an earlier item at the same
    path (what a line yields depends on the file's kind)."""
    seq = len(found.items)
    bases = bases or {}
    paths: dict[str, str] = {}  # blob id -> path, of the items made here
    try:
        for checked in batch_check(git, intro):
            commit, path = intro[checked.name]
            shown = display(path)
            if checked.blob is None or checked.size is None:
                detail = f"object {checked.name} ({shown}) is {checked.problem}"
                found.gaps.append(gap(label, CHECK_OPERATION, detail, shown))
            elif checked.size > max_file_size:
                found.skipped.append(_too_large(label, shown, checked.size, checked.blob))
            else:
                base = bases.get(checked.name)
                if base is not None and paths.get(base) != shown:
                    base = None
                item = Item(
                    key=checked.blob,
                    path=shown,
                    size=checked.size,
                    seq=seq,
                    commit=commit,
                    base=base,
                )
                found.items.append(item)
                paths[checked.blob] = shown
                seq += 1
    except GitCommandError as exc:
        found.gaps.append(gap(label, exc.operation, exc.detail))


def prior_items(git: Git, rev: str, paths: Iterable[str], max_file_size: int) -> list[Item]:
    """The blobs ``paths`` had at ``rev`` (those it had): secrets in them are not new."""
    items: dict[str, Item] = {}
    names = [f"{rev}:{path}" for path in paths]
    for checked in batch_check(git, names):
        blob, size = checked.blob, checked.size
        if blob is None or size is None or size > max_file_size or blob in items:
            continue
        path = display(checked.name.partition(":")[2])
        items[blob] = Item(key=blob, path=path, size=size, seq=-1, prior=True)
    return list(items.values())


def _too_large(label: str, path: str, size: int, blob: str | None = None) -> SkippedFile:
    return SkippedFile(
        repository=label, path=path, reason=SkipReason.TOO_LARGE, size=size, blob=blob
    )
