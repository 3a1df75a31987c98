"""A version scanned against its base (``secrets/delta.py``: only the paragraphs the base lacks
are pre-filtered, the other lines' entries come from the base) reports exactly what a whole
scan of it reports, line numbers, detectors and silenced counts alike."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from nhiscan.connectors.git.secrets import delta
from nhiscan.connectors.git.secrets.engine import BlobScan, Scanner
from tests.connectors.git.helpers import aws_key_id, aws_secret_key, slack_token
from tests.connectors.git.secrets.test_engine_cache import _key
from tests.connectors.git.secrets.test_prefilter import (
    ENGINE_EDGE_CASES,
    MAIN_FAMILIES,
    write_corpus,
)


def _edited(lines: list[bytes], rng: random.Random, donors: list[bytes]) -> list[bytes]:
    """Edits as history makes them, paragraphs included: lines and blank lines inserted,
    deleted, duplicated and moved, secret-holding lines of other files brought in, a pragma
    above a line, a line silenced, now and then a long line."""
    edited = list(lines)
    for _ in range(rng.randrange(1, 5)):
        at = rng.randrange(len(edited) + 1)
        choice = rng.random()
        if choice < 0.15 and edited:
            del edited[min(at, len(edited) - 1)]
        elif choice < 0.3:
            edited.insert(at, b"")
        elif choice < 0.45 and edited:
            edited.insert(at, edited[rng.randrange(len(edited))])
        elif choice < 0.7:
            edited.insert(at, rng.choice(donors))
        elif choice < 0.78:
            edited.insert(at, b"# pragma: allowlist nextline secret")
        elif choice < 0.86 and edited:
            i = min(at, len(edited) - 1)
            edited[i] = edited[i] + b"  # nhiscan:ignore"
        elif choice < 0.9:
            edited.insert(at, b"x = '" + b"ab1/" * 9000 + b"'")
        else:
            edited[at:at] = [b"", f"token = '{slack_token()}'".encode(), b""]
    return edited


def _chain(scanner: Scanner, versions: list[bytes], path: str) -> list[BlobScan]:
    """Each version scanned against the one before it, as a history's worker scans them."""
    results = []
    base = None
    for data in versions:
        result = scanner.scan(data, path, base=base, keep=True)
        base = result.lines
        results.append(result)
    return results


def test_versions_scanned_against_their_base_report_what_whole_scans_do(tmp_path: Path) -> None:
    files = write_corpus(
        tmp_path, {**MAIN_FAMILIES, **{k: f for k, (_, f) in ENGINE_EDGE_CASES.items()}}
    )
    rng = random.Random(17)
    donors = [line for data in files.values() for line in data.split(b"\n") if b"=" in line]
    scanner = Scanner()
    against = 0
    for path, data in sorted(files.items()):
        versions = [data]
        for _ in range(5):
            lines = _edited(versions[-1].split(b"\n"), rng, donors)
            versions.append(b"\n".join(lines))
        results = _chain(scanner, versions, path)
        for number, (version, result) in enumerate(zip(versions, results, strict=True)):
            assert _key(result) == _key(Scanner().scan(version, path)), (path, number)
        for before, after in zip(results, versions[1:], strict=False):
            if before.lines is not None and b"\r" not in after:
                against += delta.fresh(after, before.lines, scanner._hits) is not None
    assert against > 200  # most versions were really scanned against their base


def test_a_secret_moves_with_its_paragraph_and_a_new_one_is_found() -> None:
    scanner = Scanner()
    old, new = slack_token(), slack_token()
    paragraphs = [[f"def f{i}(x):", f"    return x + {i}"] for i in range(40)]
    paragraphs[30].append(f'OLD = "{old}"')
    before = "\n\n".join("\n".join(p) for p in paragraphs).encode()
    paragraphs[2:2] = [["def g():", "    pass"]]
    paragraphs[5].insert(1, f'NEW = "{new}"')
    after = "\n\n".join("\n".join(p) for p in paragraphs).encode()

    base = scanner.scan(before, "a.py", keep=True).lines
    assert base is not None
    found = scanner.scan(after, "a.py", base=base, keep=True)

    assert _key(found) == _key(Scanner().scan(after, "a.py"))
    assert [(m.secret, m.line) for m in found.matches] == [(new, 17), (old, 97)]


def test_an_aws_key_id_in_an_old_paragraph_pairs_with_a_secret_in_a_new_one() -> None:
    """The file rules run on every version whole: a pair split between the base's lines and
    the new ones is a pair."""
    scanner = Scanner()
    key_id, secret = aws_key_id(), aws_secret_key()
    before = f"import os\n\naws_access_key_id = {key_id}\n\nx = 1\n".encode()
    after = before + f"\naws_secret_access_key = {secret}\n".encode()
    base = scanner.scan(before, "a.txt", keep=True).lines
    assert base is not None

    found = scanner.scan(after, "a.txt", base=base)

    assert _key(found) == _key(Scanner().scan(after, "a.txt"))
    (paired,) = [m for m in found.matches if m.secret == key_id]
    assert paired.paired_secret == secret


def test_the_lines_of_old_paragraphs_come_from_the_base() -> None:
    """What a base says its paragraphs yield is what the version reports for them (so the
    equality above is the path's own, not a whole scan's): a base told that a paragraph holds
    nothing hides its secret."""
    scanner = Scanner()
    token = slack_token()
    before = f"a = 1\n\nT = '{token}'\n\nb = 2\n".encode()
    after = before + b"\nc = 3\n"
    base = scanner.scan(before, "a.py", keep=True).lines
    assert base is not None and base.yielding

    assert [m.secret for m in scanner.scan(after, "a.py", base=base).matches] == [token]
    emptied = replace(base, yielding={})
    assert scanner.scan(after, "a.py", base=emptied).matches == ()


def test_no_base_is_kept_where_a_line_depends_on_the_line_before_or_is_long() -> None:
    scanner = Scanner()
    pragma = b"a = 1\n# pragma: allowlist nextline secret\nb = 2\n"
    long_line = b"a = 1\nx = '" + b"ab1/" * 9000 + b"'\n"
    assert scanner.scan(pragma, "a.py", keep=True).lines is None
    assert scanner.scan(long_line, "a.py", keep=True).lines is None
    assert scanner.scan(b"a = 1\n", "a.py", keep=True).lines is not None
    assert scanner.scan(b"a = 1\n", "a.py").lines is None  # only when asked


def test_a_base_of_another_kind_is_not_used() -> None:
    """What a line yields depends on the file's extension: a base is for its own kind."""
    scanner = Scanner()
    base = scanner.scan(b"a = 1\n", "a.py", keep=True).lines
    assert base is not None
    data = b"a = 1\n\npassword = 'hunter2hunter2'\n"
    assert _key(scanner.scan(data, "a.txt", base=base)) == _key(Scanner().scan(data, "a.txt"))


def test_paragraphs_read_as_lines_are_the_blob_split_on_newlines() -> None:
    rng = random.Random(3)
    pieces = [b"\n", b"\n\n", b"\n\n\n", b"a", b"key = 'x'", b"\xe2\x82", b""]
    for _ in range(300):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 25)))
        other = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 25)))
        whole = data.split(b"\n")
        for blocks in (delta.Blocks(data), delta.Blocks(data, delta.Blocks(other).distinct)):
            assert len(blocks) == len(whole)
            assert [blocks[i] for i in range(len(blocks))] == whole
            assert blocks[-1] == whole[-1]
            assert blocks[1:4] == whole[1:4]
            assert all(
                blocks.starts[blocks.block_of(i)] <= i < blocks.starts[blocks.block_of(i) + 1]
                for i in range(len(whole))
            )
            assert blocks.distinct == {t: t.count(b"\n") for t in data.split(delta.BLOCK)}


def test_a_mark_is_its_line_own(tmp_path: Path) -> None:
    """The premise: the pre-filter marks a line as it marks that line alone (no expression
    matches a newline or is anchored), so a paragraph's lines are marked the same wherever
    it is."""
    files = write_corpus(tmp_path, MAIN_FAMILIES)
    marker = Scanner()._marker
    for path, data in files.items():
        whole = set()
        for position, keys in marker.marks(data):
            line = data.count(b"\n", 0, position)
            whole.update((line, key) for key in keys)
        alone = set()
        for number, line in enumerate(data.split(b"\n")):
            alone.update((number, key) for _, keys in marker.marks(line) for key in keys)
        assert whole == alone, path
