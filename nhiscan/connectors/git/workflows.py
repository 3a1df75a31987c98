"""CI workflow files in a scanned repository: the GitHub Actions steps that exchange the
workflow's OIDC token for a cloud identity (issue #20), as ``WorkflowCredential`` records.

Read from the files (worktree mode) or from HEAD's tree (history, since, a bare repository):
``.github/workflows/*.yml`` and ``*.yaml``, the only place GitHub reads workflows from
(docs.github.com/actions/reference/workflows-and-actions/workflow-syntax: "Workflow files use
YAML syntax ... stored in the .github/workflows directory"). A file that cannot be read or
parsed is a gap naming it, never skipped in silence. The parsing is in ``workflow_parse``; this
module finds the files and the repository's GitHub slug.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from nhiscan.connectors.git.config import ScanMode
from nhiscan.connectors.git.gitcmd import Git, GitCommandError
from nhiscan.connectors.git.plan import gap
from nhiscan.connectors.git.source import Layout, Source
from nhiscan.connectors.git.workflow_parse import WorkflowError, parse_workflow
from nhiscan.scanner.model import Record

WORKFLOW_DIR = ".github/workflows"
MAX_WORKFLOW_BYTES = 1 << 20  # a workflow file past this is not a workflow anyone wrote by hand
_SUFFIXES = (".yml", ".yaml")
PARSE_OPERATION = "read GitHub Actions workflow"

# https://github.com/O/R(.git), ssh://git@github.com/O/R.git, git@github.com:O/R.git
_GITHUB = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?github\.com(?::\d+)?/|[^@\s]+@github\.com:)"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<name>[A-Za-z0-9._-]+?)(?:\.git)?/?$",
    re.IGNORECASE,
)


def github_slug(url: str) -> str | None:
    """``owner/name`` of a github.com clone URL (https, ssh or scp-like); None otherwise."""
    found = _GITHUB.match(url.strip())
    return None if found is None else f"{found['owner']}/{found['name']}"


def origin_slug(git: Git | None, spec: str | None = None) -> str | None:
    """The repository's slug from its ``origin`` remote, else from the URL it was cloned from."""
    if git is not None:
        url = git.run("config", "--get", "remote.origin.url", check=False).decode().strip()
        if url:
            return github_slug(url)
    return github_slug(spec) if spec else None


def collect_workflows(source: Source, mode: ScanMode, slug: str | None) -> Iterator[Record]:
    """The credential requests of ``source``'s workflows (none in staged mode: a pre-commit
    check of changes), and a gap for each file that could not be read or parsed; ``slug``:
    the repository's on GitHub (``origin_slug``)."""
    if mode is ScanMode.STAGED:
        return
    for path, content in _files(source, mode):
        if isinstance(content, str):
            yield gap(source.label, PARSE_OPERATION, content, path)
            continue
        try:
            yield from parse_workflow(content, repository=source.label, slug=slug, path=path)
        except WorkflowError as exc:
            yield gap(source.label, PARSE_OPERATION, str(exc), path)


def _files(source: Source, mode: ScanMode) -> Iterator[tuple[str, bytes | str]]:
    """Each workflow file's path and content, or why it could not be read."""
    on_disk = mode is ScanMode.WORKTREE and source.layout is not Layout.BARE
    if on_disk:
        yield from _disk_files(source.root)
    elif source.git is not None:
        yield from _tree_files(source.git)


def _disk_files(root: str) -> Iterator[tuple[str, bytes | str]]:
    folder = os.path.join(root, *WORKFLOW_DIR.split("/"))
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return  # no workflows folder: nothing to read
    for name in names:
        full = os.path.join(folder, name)
        if not name.endswith(_SUFFIXES) or os.path.islink(full) or not os.path.isfile(full):
            continue
        path = f"{WORKFLOW_DIR}/{name}"
        try:
            if os.path.getsize(full) > MAX_WORKFLOW_BYTES:
                yield path, f"larger than {MAX_WORKFLOW_BYTES} bytes: not read"
                continue
            with open(full, "rb") as handle:
                yield path, handle.read()
        except OSError as exc:
            yield path, exc.strerror or type(exc).__name__


def _tree_files(git: Git) -> Iterator[tuple[str, bytes | str]]:
    """The workflow files of HEAD's tree (none when HEAD is unborn)."""
    listing = git.run("ls-tree", "-z", "-l", "HEAD", f"{WORKFLOW_DIR}/", check=False)
    for record in sorted(listing.split(b"\0")):
        meta, _, raw = record.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[1] != b"blob":
            continue
        path = os.fsdecode(raw)
        if not path.endswith(_SUFFIXES):
            continue
        size = int(parts[3]) if parts[3].isdigit() else 0
        if size > MAX_WORKFLOW_BYTES:
            yield path, f"larger than {MAX_WORKFLOW_BYTES} bytes: not read"
            continue
        try:
            yield path, git.run("cat-file", "blob", parts[2].decode())
        except GitCommandError as exc:
            yield path, exc.detail
