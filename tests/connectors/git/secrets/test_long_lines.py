"""Long lines are scanned in overlapping windows (nhiscan/connectors/git/secrets/windows.py): every
secret is found once, on its line, wherever it falls against the window boundaries; a huge
one-line file finishes (no timing assertion: a generous timeout only turns a hang into a
failure)."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nhiscan.connectors.git.secrets import windows
from nhiscan.connectors.git.secrets.engine import EngineOptions, Scanner
from nhiscan.connectors.git.secrets.windows import EDGE, OVERLAP, STRIDE, WINDOW
from tests.connectors.git.helpers import aws_key_id, slack_token

_WORDS = ("function", "return", "this", "var", "null", "0x1f", "e", "t", "n")
NAMES = ("apiKey", "token")  # secret-sounding names: detect-secrets' plugins read every window


def filler(size: int, seed: int = 7, *, names: bool = True) -> str:
    """Minified-code-like text: short words and punctuation, with secret-sounding names
    unless ``names`` is false."""
    rng = random.Random(seed)
    words = _WORDS + NAMES if names else _WORDS
    parts: list[str] = []
    total = 0
    while total < size:
        part = rng.choice(words) + rng.choice("(){};,.=+:[]")
        parts.append(part)
        total += len(part)
    return "".join(parts)[:size]


def planted(size: int, secrets: dict[int, str], *, names: bool = True) -> str:
    """``filler`` with each secret at its offset (the end: as near as it fits), a space on
    each side."""
    text = filler(size, names=names)
    for at, secret in sorted(secrets.items()):
        token = f" {secret} "
        offset = min(at, size - len(token))
        text = text[:offset] + token + text[offset + len(token) :]
    assert len(text) == size
    return text


def boundary_offsets(size: int) -> dict[str, int]:
    """Where a ~20-byte token starts to cross each kind of boundary, from the constants."""
    return {
        "start": 0,
        "second window's start": STRIDE - 10,
        "first window's end": WINDOW - 10,
        "owned parts' border": WINDOW - EDGE - 10,
        "a later window's end": 5 * STRIDE + WINDOW - 10,
        "middle": size // 2,
        "end": size,
    }


def test_the_owned_parts_of_the_windows_tile_the_line() -> None:
    for size in (WINDOW + 1, WINDOW + STRIDE, 3 * WINDOW + 17, 1_000_003):
        parts = [windows.window(size, i) for i in range(windows.count(size))]
        assert parts[0].lo == 0 and parts[-1].hi == parts[-1].end == size
        for before, after in itertools.pairwise(parts):
            assert before.hi == after.lo  # no gap, no overlap: a match is kept once
            assert after.start == before.start + STRIDE
            assert before.end - before.start == WINDOW
            assert after.start + OVERLAP == before.end
        for part in parts:  # a token of EDGE bytes starting in the owned part fits
            assert part.lo - part.start >= (EDGE if part.start else 0)
            assert part.hi <= part.end and (part.end - part.hi >= EDGE or part.end == size)
        for offset in (0, STRIDE, WINDOW - 1, size // 2, size - 1):
            assert all(
                parts[i].start <= offset < parts[i].end for i in windows.covering(size, offset)
            )


@pytest.mark.parametrize("path", ["bundle.min.js", "data.txt"])
def test_secrets_on_a_long_line_are_found_once_on_their_line(path: str) -> None:
    size = 3 * 1024 * 1024
    where = boundary_offsets(size)
    secrets = {offset: aws_key_id() for offset in where.values()}
    secrets[where["middle"] + 100] = slack_token()  # found by two engines: still one finding
    secrets[where["owned parts' border"] + 25 * STRIDE] = slack_token()
    first = aws_key_id()
    data = f"const first = '{first}';\n{planted(size, secrets)}\nreturn;\n".encode()

    scan = Scanner(EngineOptions(max_file_size=size * 2)).scan(data, path)

    for secret in [first, *secrets.values()]:
        found = [m for m in scan.matches if m.secret == secret]
        assert len(found) == 1, (secret[:4], len(found))
        assert found[0].line == (1 if secret == first else 2)
    slack = [m for m in scan.matches if m.secret.startswith("xoxb-")]
    assert all(len(m.detectors) == 2 for m in slack)  # nhiscan's and detect-secrets' detector
    assert len(scan.matches) == len(secrets) + 1


def test_a_long_line_is_never_kept_in_the_line_cache() -> None:
    scanner = Scanner(EngineOptions(max_file_size=10 << 20))
    key = aws_key_id()
    data = planted(WINDOW * 4, {WINDOW: key}).encode()
    for _ in range(2):  # the second scan reads no cache, and still finds it
        assert [m.secret for m in scanner.scan(data, "a.js").matches] == [key]
    assert all(len(line) <= WINDOW for cache in scanner._caches.values() for line in cache)


def test_progress_moves_within_one_long_line() -> None:
    size = 1024 * 1024
    told: list[int] = []
    Scanner(EngineOptions(max_file_size=size)).scan(filler(size).encode(), "a.js", told.append)
    assert len(set(told)) > 10  # many steps, not one at the end
    assert told == sorted(told) and 0 < told[0] < size // 4 and told[-1] == size


# Input that made a detector's regex backtrack catastrophically (the PEM pattern on a run of
# spaces after a BEGIN line), and detect-secrets' keyword plugin at its worst (keywords in a
# long run of word characters), each a few windows long, between ordinary minified text.
_HUGE = textwrap.dedent(
    """
    import sys
    from nhiscan.connectors.git.secrets.engine import EngineOptions, Scanner
    from tests.connectors.git.secrets.test_long_lines import filler, planted

    size = int(sys.argv[1])
    keys = sys.argv[2:]
    step = size // (len(keys) + 1)
    text = planted(size, {step * (i + 1): key for i, key in enumerate(keys)}, names=False)
    hostile = (
        "-----BEGIN PRIVATE KEY-----" + " A  " * 20000 + "!"
        + ("-----BEGIN PRIVATE KEY----- " + "A   " * 20) * 500
        + ("password_" + "a" * 40) * 1000
    )
    data = (hostile + text).encode()
    scan = Scanner(EngineOptions(max_file_size=len(data))).scan(data, "big.min.js")
    found = sorted(m.secret for m in scan.matches if m.line == 1 and m.secret in keys)
    print("found" if found == sorted(keys) else f"found {len(found)} of {len(keys)}")
    """
)


def test_a_huge_one_line_file_does_not_hang(tmp_path: Path) -> None:
    keys = [aws_key_id() for _ in range(4)]
    script = tmp_path / "huge.py"
    script.write_text(_HUGE)
    root = Path(__file__).resolve().parents[4]
    done = subprocess.run(
        [sys.executable, str(script), str(30 * 1024 * 1024), *keys],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails here instead of blocking CI; not a speed check
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "found"
