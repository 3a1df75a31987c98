"""History, since and staged plans: the blobs commits (or the index) introduce, each once.

One ``git log --all --reverse --date-order -c --raw`` pass lists, oldest first (parents before
children, otherwise by commit date), the blobs each commit adds or changes against its parents
(a merge: those that differ from every parent, so a conflict resolution counts). The first
commit that lists a blob introduced it; later listings (a rename keeps the blob, a revert
brings it back) are the same content and are not scanned again. A blob that changes a file
also names the file's previous version (its first parent's blob at that path) as its base:
the engine then pre-filters only the lines the base did not have (``secrets.delta``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from nhiscan.connectors.git.collate import CommitInfo
from nhiscan.connectors.git.gitcmd import Git, GitCommandError, display
from nhiscan.connectors.git.objects import head_commit, head_paths, is_file_mode, tree_files
from nhiscan.connectors.git.plan import Found, Plan, blob_items, gap, prior_items
from nhiscan.connectors.git.rawdiff import COMMIT_MARK, Change, RawParser
from nhiscan.connectors.git.work import Item, Reading
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap

_LOG = (
    "log",
    "--reverse",
    "--date-order",
    "-c",
    "--raw",
    "-z",
    "--root",
    "--no-renames",
    "--no-abbrev",
    "--no-color",
    "--no-show-signature",
    f"--format={COMMIT_MARK}",
)
_READ = "git cat-file --batch"
_DESCRIBE = "--format=%H%x00%an <%ae>%x00%ct%x00"


def resolve_rev(git: Git, rev: str, label: str) -> str:
    """``rev``'s commit id; ConnectorError when the repository has no such commit."""
    args = ("rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}")
    out = git.run(*args, check=False)
    if not out.strip():
        raise ConnectorError(f"{label}: no commit {rev!r} to scan since (a branch, tag or id)")
    return out.decode().strip()


def history_plan(label: str, git: Git, max_file_size: int, since: str | None = None) -> Plan:
    """Every commit on every ref, or only ``since..HEAD`` (secrets already in the files those
    commits touch, as they were at ``since``, are not new)."""
    found = Found()
    head = head_commit(git)
    base = resolve_rev(git, since, label) if since is not None else None
    revs = ("--all",) if base is None else (f"{base}..HEAD",)
    parser = RawParser()
    intro: dict[str, tuple[int | None, str]] = {}
    bases: dict[str, str] = {}
    touched: dict[str, None] = {}
    try:
        for change in parser.parse(git.stream(*_LOG, *revs)):
            if base is not None:
                touched[change.path] = None
            if _added(change) and change.blob not in intro:
                intro[change.blob] = (change.commit, change.path)
                if change.old.strip("0"):
                    bases[change.blob] = change.old
    except GitCommandError as exc:
        found.gaps.append(gap(label, exc.operation, exc.detail))  # go on with what it listed
    if base is not None:
        found.items.extend(_prior(git, base, touched, label, max_file_size, found))
    blob_items(git, intro, label, max_file_size, found, bases)
    return Plan(
        label=label,
        mode="history" if since is None else f"since {since}",
        reading=Reading(git=git),
        items=found.items,
        here=_at_head(git, head, label, found),
        head=head,
        git=git,
        commits=parser.commits,
        skipped=found.skipped,
        gaps=found.gaps,
        read_operation=_READ,
        noun="blobs",
    )


def staged_plan(label: str, git: Git, max_file_size: int) -> Plan:
    """The index's new content against HEAD (what the next commit adds): no history walk."""
    found = Found()
    head = head_commit(git)
    args = ("diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", "--no-color")
    try:
        changes = list(RawParser().parse([git.run(*args)]))
    except GitCommandError as exc:
        found.gaps.append(gap(label, exc.operation, exc.detail))
        changes = []
    paths: dict[str, list[str]] = {}
    for change in changes:
        if _added(change):
            paths.setdefault(change.blob, []).append(change.path)
    if head is not None:
        touched = dict.fromkeys(change.path for change in changes)
        found.items.extend(_prior(git, head, touched, label, max_file_size, found))
    intro = {blob: (None, where[0]) for blob, where in paths.items()}
    blob_items(git, intro, label, max_file_size, found)
    here = {blob: tuple(display(p) for p in where) for blob, where in paths.items()}
    return Plan(
        label=label,
        mode="staged",
        reading=Reading(git=git),
        items=found.items,
        here=here,
        head=head,
        git=git,
        skipped=found.skipped,
        gaps=found.gaps,
        read_operation=_READ,
        noun="blobs",
    )


def describe(
    git: Git, label: str, commits: Sequence[str], wanted: set[int]
) -> tuple[Mapping[int, CommitInfo], list[CollectionGap]]:
    """Author and date of the commits that introduced a secret, in one ``git log --stdin``."""
    if not wanted:
        return {}, []
    order = sorted(wanted)
    args = ("log", "--no-walk=unsorted", "--stdin", "--no-show-signature", _DESCRIBE)
    stdin = "".join(f"{commits[i]}\n" for i in order).encode()
    try:
        out = git.run(*args, stdin=stdin)
    except GitCommandError as exc:
        return {}, [gap(label, exc.operation, exc.detail)]
    fields = [f.lstrip(b"\n").decode("utf-8", "replace") for f in out.split(b"\0")]
    by_id = {
        fields[i]: CommitInfo(
            fields[i], fields[i + 1] or None, datetime.fromtimestamp(int(fields[i + 2]), UTC)
        )
        for i in range(0, len(fields) - 2, 3)
    }
    return {i: by_id.get(commits[i], CommitInfo(commits[i], None, None)) for i in order}, []


def _added(change: Change) -> bool:
    return not change.deleted and is_file_mode(change.mode)


def _prior(
    git: Git, rev: str, touched: Mapping[str, None], label: str, max_file_size: int, found: Found
) -> list[Item]:
    try:
        return prior_items(git, rev, touched, max_file_size)
    except GitCommandError as exc:
        found.gaps.append(gap(label, exc.operation, exc.detail))
        return []


def _at_head(git: Git, head: str | None, label: str, found: Found) -> dict[str, tuple[str, ...]]:
    if head is None:
        return {}
    try:
        return head_paths(tree_files(git, head))
    except GitCommandError as exc:
        found.gaps.append(gap(label, exc.operation, exc.detail))
        return {}
