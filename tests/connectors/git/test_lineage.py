"""History scans hand each file's versions to the workers together, each naming its base (the
file's previous version): on a real repository with edits, renames, reverts, merges, deletions
and secrets that come and go, every blob's outcome and the exposures are those of a scan that
reads every blob whole (``secrets/delta.py``)."""

from __future__ import annotations

import base64
import dataclasses
import random
from collections.abc import Sequence

import pytest

from nhiscan.connectors.base import CollectContext
from nhiscan.connectors.git import GitConfig
from nhiscan.connectors.git.connector import make_plan, scan_plan
from nhiscan.connectors.git.gitcmd import Git
from nhiscan.connectors.git.lineage import Bases
from nhiscan.connectors.git.plan import Plan
from nhiscan.connectors.git.secrets.delta import Lines
from nhiscan.connectors.git.source import Layout, Source
from nhiscan.connectors.git.work import Item, Outcome, in_lineages, scan_all, scanner_for
from nhiscan.scanner.model import Exposure, Record
from tests.connectors.git.helpers import (
    NOW,
    Repo,
    aws_key_id,
    aws_secret_key,
    exposures_of,
    slack_token,
)

pytestmark = pytest.mark.usefixtures("isolated_git")

SIZE = 5 << 20


def _filler(rng: random.Random, n: int) -> list[str]:
    """Plain code lines: nothing in them looks like a secret."""
    verbs = ("load", "store", "merge", "split", "render", "count")
    return [
        f"    result_{rng.randrange(10_000)} = {rng.choice(verbs)}(items, {rng.randrange(99)})"
        for _ in range(n)
    ]


def _pem_body(rng: random.Random) -> list[str]:
    raw = base64.b64encode(rng.randbytes(600)).decode()
    return [raw[i : i + 64] for i in range(0, len(raw), 64)]


def _edit(rng: random.Random, lines: list[str], extra: Sequence[str] = ()) -> list[str]:
    lines = list(lines)
    at = rng.randrange(len(lines))
    lines[at : at + rng.randrange(3)] = _filler(rng, rng.randrange(1, 4))
    lines[at:at] = extra
    return lines


def _write(repo: Repo, name: str, lines: list[str]) -> None:
    repo.write(name, "\n".join(lines) + "\n")


def _history(repo: Repo) -> dict[str, str]:
    """A history that exercises every way a blob and its base can differ; the secrets."""
    rng = random.Random(17)
    key_id, secret_key, token = aws_key_id(), aws_secret_key(), slack_token()
    files = {f"src/mod_{i}.py": _filler(rng, 120) for i in range(4)}
    files["config/app.txt"] = _filler(rng, 80)
    files["keys/deploy.py"] = [*_filler(rng, 150), "-----BEGIN RSA PRIVATE KEY-----", "x = 1"]
    for name, lines in files.items():
        _write(repo, name, lines)
    repo.commit("initial")
    for step in range(12):
        name = f"src/mod_{step % 4}.py"
        files[name] = _edit(rng, files[name])
        _write(repo, name, files[name])
        repo.commit(f"edit {step}")
    # A secret added to a clean file, then removed; the AWS pair split over two commits.
    files["src/mod_1.py"] = _edit(rng, files["src/mod_1.py"], [f'TOKEN = "{token}"'])
    _write(repo, "src/mod_1.py", files["src/mod_1.py"])
    repo.commit("add a token")
    for step in range(3):  # edits around the token: its line moves
        files["src/mod_1.py"] = _edit(rng, files["src/mod_1.py"])
        _write(repo, "src/mod_1.py", files["src/mod_1.py"])
        repo.commit(f"edit near the token {step}")
    files["config/app.txt"] = _edit(rng, files["config/app.txt"], [f"aws_key_id = {key_id}"])
    _write(repo, "config/app.txt", files["config/app.txt"])
    repo.commit("key id")
    lines = _edit(rng, files["config/app.txt"], [f"aws_secret_access_key = {secret_key}"])
    files["config/app.txt"] = lines
    _write(repo, "config/app.txt", lines)
    repo.commit("its secret")
    files["src/mod_1.py"] = [line for line in files["src/mod_1.py"] if token not in line]
    _write(repo, "src/mod_1.py", files["src/mod_1.py"])
    repo.commit("remove the token")
    # An old BEGIN line becomes a key when its body comes (a whole-file rule).
    deploy = files["keys/deploy.py"]
    files["keys/deploy.py"] = [*deploy[:-1], *_pem_body(rng), "-----END RSA PRIVATE KEY-----"]
    _write(repo, "keys/deploy.py", files["keys/deploy.py"])
    repo.commit("the key")
    # A branch with edits, merged back; a revert; a rename; a deletion.
    repo.git("checkout", "-q", "-b", "feature")
    for step in range(3):
        files["src/mod_2.py"] = _edit(rng, files["src/mod_2.py"])
        _write(repo, "src/mod_2.py", files["src/mod_2.py"])
        repo.commit(f"feature {step}")
    repo.git("checkout", "-q", "main")
    files["src/mod_3.py"] = _edit(rng, files["src/mod_3.py"])
    _write(repo, "src/mod_3.py", files["src/mod_3.py"])
    repo.commit("main moves on")
    repo.git("merge", "-q", "--no-edit", "--no-ff", "feature")
    repo.git("revert", "--no-edit", "HEAD~1")
    repo.git("mv", "src/mod_0.py", "src/renamed.py")
    files["src/renamed.py"] = _edit(rng, files.pop("src/mod_0.py"))
    _write(repo, "src/renamed.py", files["src/renamed.py"])
    repo.commit("rename and edit")
    repo.git("rm", "-q", "src/mod_3.py")
    repo.commit("delete")
    return {"token": token, "key_id": key_id, "secret_key": secret_key}


def _plan(repo: Repo) -> Plan:
    source = Source(label=str(repo.path), root=str(repo.path), layout=Layout.WORKTREE,
                    git=Git(str(repo.path)))  # fmt: skip
    return make_plan(source, _config(repo, 1))


def _config(repo: Repo, workers: int) -> GitConfig:
    return GitConfig(repos=(str(repo.path),), mode="history", workers=workers,  # type: ignore[arg-type]
                     pool_min_bytes=0, pool_min_files=0)  # fmt: skip


def _whole(items: Sequence[Item]) -> list[Item]:
    return [dataclasses.replace(item, base=None) for item in items]


def _outcomes(plan: Plan, items: Sequence[Item]) -> dict[str, Outcome]:
    reader = plan.reading.open()
    try:
        found = scan_all(scanner_for(SIZE), reader, in_lineages(items), None, Bases())
        return {outcome.item.key: outcome for outcome in found}
    finally:
        reader.close()


def _scan(plan: Plan, repo: Repo, workers: int) -> list[Record]:
    return list(scan_plan(plan, _config(repo, workers), CollectContext(now=NOW)))


def test_a_blob_names_the_previous_version_of_its_file(repo: Repo) -> None:
    _history(repo)
    plan = _plan(repo)
    by_key = {item.key: item for item in plan.items}
    named = [item for item in plan.items if item.base is not None]
    assert len(named) > 20
    for item in named:
        base = by_key[item.base]  # type: ignore[index]
        assert base.path == item.path and base.seq < item.seq
    renamed = [item for item in plan.items if item.path == "src/renamed.py"]
    assert renamed and all(item.base is None for item in renamed[:1])  # a new path: no base
    ordered = in_lineages(plan.items)
    position = {item.key: at for at, item in enumerate(ordered)}
    for item in ordered:
        assert item.named == any(other.base == item.key for other in plan.items)
        if item.base is not None:
            assert position[item.base] < position[item.key]


def test_every_blob_has_the_outcome_of_a_whole_scan(repo: Repo) -> None:
    _history(repo)
    plan = _plan(repo)

    against = _outcomes(plan, plan.items)
    whole = _outcomes(plan, _whole(plan.items))

    assert against.keys() == whole.keys()
    for key, outcome in whole.items():
        assert dataclasses.replace(against[key], item=outcome.item) == outcome, outcome.item.path


@pytest.mark.parametrize("workers", [1, 2])
def test_exposures_are_those_of_a_whole_scan(repo: Repo, workers: int) -> None:
    found = _history(repo)
    plan = _plan(repo)

    records = _scan(plan, repo, workers)
    whole = _scan(dataclasses.replace(plan, items=_whole(plan.items)), repo, 1)

    assert records == whole
    (token,) = exposures_of(records, found["token"])
    assert token.at_head is False and token.path == "src/mod_1.py"
    (key_id,) = exposures_of(records, found["key_id"])
    (secret_key,) = exposures_of(records, found["secret_key"])
    assert key_id.commit is not None and secret_key.commit is not None
    assert key_id.commit != secret_key.commit  # each from the commit that added it
    keys = [r for r in records if isinstance(r, Exposure) and r.path == "keys/deploy.py"]
    assert keys  # the old BEGIN line, once its body came


def test_bases_keep_a_bounded_amount() -> None:
    bases = Bases(budget=2_000)
    for key in ("a", "b", "c"):
        bases.keep(key, Lines((".py", True), {}, {}, 900))
    assert bases.get("a") is None and bases.get("b") is not None and bases.get("c") is not None
    assert bases.get(None) is None
