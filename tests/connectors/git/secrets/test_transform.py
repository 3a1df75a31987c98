"""The cheap checks that skip detect-secrets' whole-file transformers (transform.py) only skip
files the transformers would have yielded nothing for: every file a check turns away is run
through detect-secrets' own transformer here and must give None."""

from __future__ import annotations

import pytest

from nhiscan.connectors.git.secrets import plugins
from nhiscan.connectors.git.secrets.transform import maybe_config, maybe_first, transformed

# Files of no known type (detect-secrets' eager INI transformer applies to them).
_CONFIG_YIELDS = {
    "env": b"DB_PASSWORD=Zq8vLr2mXw9TkB4s\nUSER=svc\n",
    "colon": b"token: 9fQ2xLmW8vTz4RkN\n",
    "comment first": b"# settings\n; more\n\napi_key = 'u7Yt3ReWq9Lk2Mn8'\n",
    "section first": b"[prod]\npassword = h7Gf4DsA9Lk2Mn8q\n",
    "indented first": b"   secret = b3Nm8Vc6Xz1Lk9Jh\n",
}
_CONFIG_NOTHING = {
    "json object": b'{\n  "password": "h7Gf4DsA9Lk2Mn8q",\n  "user": "svc"\n}\n',
    "json array": b'[\n  {"token": "9fQ2xLmW8vTz4RkN"}\n]\n',
    "json after comments": b'# generated\n\n{"secret": "b3Nm8Vc6Xz1Lk9Jh"}\n',
    "prose then pairs": b"Settings for the service\npassword = h7Gf4DsA9Lk2Mn8q\n",
    "indented prose": b"  see below\nkey = u7Yt3ReWq9Lk2Mn8\n",
    "blank only": b"\n   \n# only: a comment\n",
    "no delimiter": b"nothing here\n",
}


@pytest.fixture(scope="module", autouse=True)
def _configured() -> None:
    plugins.configure()


@pytest.mark.parametrize("name", sorted(_CONFIG_YIELDS))
def test_config_files_the_transformer_reads_are_kept(name: str) -> None:
    data = _CONFIG_YIELDS[name]
    assert transformed(data, "settings", eager=True)  # the example is what it says
    assert maybe_config(data, "settings")


@pytest.mark.parametrize("name", sorted(_CONFIG_NOTHING))
def test_files_turned_away_give_nothing_when_parsed(name: str) -> None:
    data = _CONFIG_NOTHING[name]
    if not maybe_config(data, "data.json"):
        assert transformed(data, "data.json", eager=True) is None


def test_json_documents_are_turned_away() -> None:
    assert not maybe_config(_CONFIG_NOTHING["json object"], "service-2.json")


def test_known_file_types_never_go_through_the_eager_transformer() -> None:
    assert not maybe_config(_CONFIG_YIELDS["env"], "settings.py")


def test_a_section_header_first_may_start_the_first_pass() -> None:
    data = _CONFIG_YIELDS["section first"]
    assert maybe_first(data, "app.cfg.in")
    assert transformed(data, "app.cfg.in", eager=False)
    assert not maybe_first(_CONFIG_NOTHING["json object"], "data.json")


_PIECES = (
    b"",
    b"   ",
    b"# note",
    b"; note",
    b"{",
    b"}",
    b"[",
    b"[global]",
    b"[]",
    b"  indented text",
    b"key = Zq8vLr2mXw9TkB4s",
    b"secret: 'u7Yt3ReWq9Lk2Mn8'",
    b'"password": "h7Gf4DsA9Lk2Mn8q",',
    b"plain words",
    b"\t= value",
    b"\xc3\xa9t\xc3\xa9 = 9fQ2xLmW8vTz4RkN",
    b"\xff\xfe",
)


def test_random_files_turned_away_give_nothing() -> None:
    """Files of random lines (JSON, INI, prose, comments, bad UTF-8): whenever the check
    turns one away, detect-secrets' eager transformer yields nothing for it."""
    import random

    rng = random.Random(17)
    turned_away = 0
    for _ in range(3000):
        data = b"\n".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 7)))
        if not maybe_config(data, "data"):
            turned_away += 1
            assert transformed(data, "data", eager=True) is None, data
    assert turned_away > 500
