"""UTF-16 text files (Windows PowerShell's Out-File, .reg exports) are read as text, in a
work tree and in history; binary files that merely start like them stay binary."""

from __future__ import annotations

import codecs

import pytest

from nhiscan.connectors.git.secrets import utf16
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.scanner.model import SkipReason
from tests.connectors.git.helpers import (
    Repo,
    aws_key_id,
    collect,
    exposures_of,
    skipped,
    slack_token,
)

pytestmark = pytest.mark.usefixtures("isolated_git")

SCRIPT = '# deploy\r\n$env:SLACK_TOKEN = "{token}"\r\nInvoke-Deploy\r\n'


def test_a_utf16_file_with_its_mark_decodes_to_utf8_in_either_byte_order() -> None:
    text = "línea 1\n$key = 'value'\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        mark = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        assert utf16.decoded(mark + text.encode(encoding)) == text.encode("utf-8")


@pytest.mark.parametrize(
    "data",
    [
        "no mark at all\n".encode("utf-16-le"),  # UTF-16 without a mark: not told from data
        codecs.BOM_UTF16_LE + b"\x00\x00\x01\x02" * 40,  # NUL characters: binary
        codecs.BOM_UTF16_LE + "abc".encode("utf-16-le") + b"\x00",  # odd length
        codecs.BOM_UTF16_LE + b"\x00\xd8a\x00",  # an unpaired surrogate
        codecs.BOM_UTF16_LE + "\x01\x02\x03\x04text".encode("utf-16-le"),  # control characters
        b"GIF89a\x00\x00",
    ],
)
def test_what_is_not_marked_utf16_text_is_not_decoded(data: bytes) -> None:
    assert utf16.decoded(data) is None


def test_the_engine_finds_a_token_in_a_utf16_script_on_its_line() -> None:
    token = slack_token()
    data = codecs.BOM_UTF16_LE + SCRIPT.format(token=token).encode("utf-16-le")

    scan = Scanner().scan(data, "deploy.ps1")

    assert scan.skipped is None
    assert [(m.secret, m.line) for m in scan.matches if m.secret == token] == [(token, 2)]


def test_a_binary_file_starting_with_a_mark_is_still_skipped_as_binary() -> None:
    data = codecs.BOM_UTF16_LE + b"\x00\x00" * 10 + aws_key_id().encode()
    assert Scanner().scan(data, "blob.bin").skipped is SkipReason.BINARY


def test_a_utf16_file_is_scanned_in_the_work_tree_and_in_history(repo: Repo) -> None:
    token = slack_token()
    repo.write("deploy.ps1", codecs.BOM_UTF16_LE + SCRIPT.format(token=token).encode("utf-16-le"))
    repo.commit("deploy script")
    repo.write("deploy.ps1", "# moved to the vault\n")
    repo.commit("remove the token")
    repo.write("deploy.ps1", codecs.BOM_UTF16_LE + SCRIPT.format(token=token).encode("utf-16-le"))

    in_tree = collect(repo.path)
    in_history = collect(repo.path, mode="history")

    (found,) = exposures_of(in_tree, token)
    assert (found.path, found.line) == ("deploy.ps1", 2)
    assert skipped(in_tree) == []
    (found,) = exposures_of(in_history, token)
    assert (found.path, found.line, found.commit) == (
        "deploy.ps1",
        2,
        repo.git("rev-parse", "HEAD~1"),
    )
