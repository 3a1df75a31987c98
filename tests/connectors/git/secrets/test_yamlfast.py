"""detect-secrets' YAML transformer on libyaml (yamlfast.py) gives exactly detect-secrets' own
lines (or None, or the same exception) on every document: hand-written edge cases, the YAML
files of the installed packages and of the corpora's git histories, and broken variants of
them. The fast path must also really be taken on ordinary documents (a fast path that always
gave up would pass the comparison)."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from nhiscan.connectors.git.secrets import yamlfast
from nhiscan.connectors.git.secrets.transform import transformed

# The public histories beside the checkout (``../shared/corpora``), when they are there.
CORPORA = Path(__file__).resolve().parents[5] / "shared" / "corpora"

# Documents the fast path must answer itself (no fallback), with what matters in each.
_FAST = {
    "block mapping": 'a: 1\npassword: "hunter2-secret"\nuser: svc  # owner\n',
    "nested": "spec:\n  template:\n    env:\n      - name: TOKEN\n        value: abc123xyz\n",
    "value on the next line": "key:\n  long value on the next line\nother: x\n",
    "quotes inside": 'q: \'it\'\'s "quoted"\'\nr: "a \\"b\\" c"\n',
    "block scalars": "lit: |\n  line one\n  line two\nfold: >-\n  folded\n  text\nk: v\n",
    "plain multi-line": "desc: this plain scalar\n  goes on and on\n  over lines\nnext: 1\n",
    "flow one line": 'env: {A: "x", B: y, C: 3}\nlist: [a, "b", {k: v}]\n',
    "flow at top": '{a: "1", b: two, c: {d: "e"}}\n',
    "anchors and merge": (
        "base: &base\n  user: admin\n  pass: s3cr3tpass\nprod:\n  <<: *base\n  host: db\n"
    ),
    "alias of a scalar": "a: &x shared-secret-value\nb: *x\nc: *x\n",
    "alias of a mapping twice": "d: &m {k: v1}\ne: *m\nf:\n  g: *m\n",
    "duplicate keys": "k: first\nk: second\nother: x\nk: third\n",
    "non-string keys": "1: one\ntrue: yes-string\n1.5: x\nnull: n\n~: tilde\n",
    "binary": (
        "blob: !!binary |\n  R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5\n"
        "  OTk6enp56enmleECcgggoBADs=\nbad: !!binary abc\n"
    ),
    "binary alone": (
        "blob: !!binary |\n  R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5\n"
        "  OTk6enp56enmleECcgggoBADs=\n"
    ),
    "explicit str tag": "n: !!str 123\nm: !!int 7\n",
    "comments": "# head\nkey: value # trailing\n# between\nk2: 'v # not a comment'\n",
    "sequence of mappings": "- a: 1\n  b: two\n- c: three\n",
    "empty": "",
    "comments only": "# nothing\n# here\n",
    "scalar document": "just a string\n",
    "unicode": 'clé: "valeur é"\n名前: 値\n',
    "document markers": "---\na: b\n...\n",
    "empty values": "a:\nb: ''\nc: \"\"\nd: ~\n",
    "special line values": "path: /usr/bin\nurl: http://example.com:8080/x\ntime: 12:30:00\n",
    "several documents": "a: 1\n---\nb: 2\n",
    "invalid indentation": "a: 1\n  b: 2\nc: 3\n",
    "invalid mapping in value": "a: b: c\n",
    "unclosed quote": 'a: "unclosed\nb: 2\n',
    "undefined alias": "a: *nope\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "unknown tag": "a: !custom value\n",
    "control character": "a: b\x07c\n",
}
# Documents the fast path may hand to detect-secrets' transformer; the result must still agree.
_ANY = {
    "tabs": "a:\tvalue\nb: 'x\ty'\n",
    "byte-order mark": "\ufeffkey: value\n",
    "carriage returns": "a: 1\r\nb: two\r\n",
    "directive": "%YAML 1.1\n---\na: b\n",
    "multi-line flow mapping": '{\n  a: "x",\n  b: "y"\n}\n',
    "flow mapping continued": 'm: {a: "x",\n  b: "y"}\n',
    "comma first": '- {a: 1\n  , b: "s"}\n',
    "pair in a flow sequence": 'l: [a: "x", b: "y"]\n',
    "explicit key": "? key\n: value\n",
    "alias in a sequence": "a: &x s\nb:\n  - *x\nc: 1\n",
    "alias as a key": "a: &k name\n*k : value\n",
    "alias before its mapping ends": "m:\n  a: &x s\n  l: [*x]\n  z: 1\n",
    "surrogate escape": 'note: "\\ud83c\\udf89 done"\n',
    "line separator": "a: b\u2028c\n",
    "form feed": "a: b\x0cc\n",
    "deep flow": "x: " + "[" * 200 + "]" * 200 + "\n",
    "deep block": "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v: 1\n",
    "very deep flow": "x: " + "[" * 1100 + "\n",
    "string __line__ in a list": "l: [__line__]\n",
    "key __line__": "__line__: 5\n",
    "long key": "k" * 1100 + ": v\n",
    "bad timestamp": "when: 2001-13-45\n",
    "unhashable key": "? [a, b]\n: value\n",
    "unhashable flow key": "{[a]: value}\n",
}


def _outcome(function: Any, text: str) -> tuple[str, Any]:
    try:
        return "lines", function(text)
    except Exception as error:  # the same exception type detect-secrets raises
        return "raises", type(error).__name__


def _agrees(text: str) -> None:
    assert _outcome(yamlfast.yaml_lines, text) == _outcome(yamlfast.slow_lines, text)


@pytest.mark.parametrize("name", sorted(_FAST))
def test_the_fast_path_answers_ordinary_documents_exactly(name: str) -> None:
    text = _FAST[name]
    assert yamlfast.fast_lines(text) == yamlfast.slow_lines(text)
    _agrees(text)


@pytest.mark.parametrize("name", sorted(_ANY))
def test_documents_the_fast_path_may_give_up_on_agree(name: str) -> None:
    _agrees(_ANY[name])


def test_the_edge_cases_are_what_they_claim() -> None:
    """A few of the cases above must be the interesting kind, or the test proves little."""
    assert yamlfast.slow_lines(_FAST["several documents"]) is None
    assert yamlfast.slow_lines(_FAST["invalid indentation"]) is None
    # each alias reassigns the line of the node it names: detect-secrets writes all three
    # values at the line of the last alias, one after the other
    assert yamlfast.slow_lines(_FAST["alias of a scalar"]) == [
        "",
        "",
        'a: "shared-secret-value"',
        'b: "shared-secret-value"',
        'c: "shared-secret-value"',
    ]
    assert yamlfast.slow_lines(_FAST["binary"]) is None  # one bad value fails the document
    assert (yamlfast.slow_lines(_FAST["binary alone"]) or [""])[0].startswith('blob: "R0lGOD')
    with pytest.raises(ValueError):  # not a YAMLError: detect-secrets lets it through
        yamlfast.slow_lines(_ANY["bad timestamp"])


@pytest.mark.parametrize("text", ["a: &a [b, *a]\n", "a: &a {b: *a}\n", "- &a [[*a]]\n"])
def test_a_collection_that_holds_itself_gives_nothing(text: str) -> None:
    """detect-secrets' walk of such a document never ends; here the file is scanned as text."""
    assert yamlfast.yaml_lines(text) is None


def test_without_libyaml_the_transformer_is_detect_secrets_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    text = _FAST["anchors and merge"]
    with pytest.raises(yamlfast._Unsure):
        yamlfast.fast_lines(text)
    assert yamlfast.yaml_lines(text) == yamlfast.slow_lines(text)


def test_the_engine_reads_yaml_files_through_it() -> None:
    data = _FAST["block mapping"].encode()
    assert transformed(data, "deploy/values.yaml", eager=False) == [
        "",
        'password: "hunter2-secret"',
        'user: "svc"  # owner',
    ]
    assert transformed(b"[section]\npassword = x\n", "odd.yaml", eager=False) == [
        "",
        'password = "x"',
    ]


def _installed_documents() -> Iterator[tuple[str, str]]:
    site = Path(yaml.__file__).resolve().parents[1]
    for path in sorted([*site.rglob("*.yaml"), *site.rglob("*.yml")]):
        try:
            yield str(path), path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def _history_documents(bundle: Path, work: Path) -> Iterator[tuple[str, str]]:
    """Every distinct YAML blob in a bundle's history."""
    repo = work / bundle.stem
    subprocess.run(["git", "clone", "-q", "--mirror", str(bundle), str(repo)], check=True)
    listing = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--objects", "--all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seen: set[str] = set()
    for row in listing.splitlines():
        sha, _, path = row.partition(" ")
        if path.endswith((".yaml", ".yml")) and sha not in seen:
            seen.add(sha)
            blob = subprocess.run(
                ["git", "-C", str(repo), "cat-file", "blob", sha], check=True, capture_output=True
            ).stdout
            try:
                yield f"{bundle.stem}:{path}@{sha[:8]}", blob.decode("utf-8")
            except UnicodeDecodeError:
                continue


def _broken(text: str, rng: random.Random) -> list[str]:
    """Variants of a document as edits leave them half-way: a line indented, a line gone, the
    text cut short, a YAML indicator inserted."""
    lines = text.split("\n")
    at = rng.randrange(len(lines))
    indented = [*lines[:at], " " * rng.randrange(1, 4) + lines[at], *lines[at + 1 :]]
    cut = rng.randrange(len(text) + 1)
    where = rng.randrange(len(text) + 1)
    return [
        "\n".join(indented),
        "\n".join(lines[:at] + lines[at + 1 :]),
        text[:cut],
        text[:where] + rng.choice("{}[],:&*!|>\"'#-? ") + text[where:],
    ]


def _corpus(tmp_path: Path) -> list[tuple[str, str]]:
    documents = list(_installed_documents())
    for name in ("flask", "requests"):
        bundle = CORPORA / f"{name}.bundle"
        if bundle.exists():
            documents.extend(_history_documents(bundle, tmp_path))
    return documents


def test_real_documents_and_broken_variants_agree(tmp_path: Path) -> None:
    documents = _corpus(tmp_path)
    rng = random.Random(17)
    texts = [text for _, text in documents]
    for text in texts[:]:
        texts.extend(_broken(text, rng) if text else [])
    fast = 0
    for text in texts:
        _agrees(text)
        try:
            yamlfast.fast_lines(text)
            fast += 1
        except yamlfast._Unsure:
            pass
    assert len(texts) >= 20
    assert fast >= 0.8 * len(texts)
