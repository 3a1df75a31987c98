"""detect-secrets' YAML transformer (its first pass over YAML files) on libyaml's parser.

detect-secrets parses a YAML file with PyYAML's pure-Python loader and two shims
(``YAMLFileParser``) that give each string value of a mapping the line PyYAML's reader had
reached when the value's node was composed, then writes one ``key: "value"`` line per value.
Parsing a blob character by character in Python was the largest cost of a history scan. Here
libyaml (PyYAML's C parser) produces the events; PyYAML's own composer, detect-secrets' own
node tagging (``_tag_dict_values``), PyYAML's safe constructor and detect-secrets' own walk of
the result (``YAMLFileParser.__iter__``) do the rest. Only the line of each value is computed
differently, from the marks of its key:

- a value of a block mapping whose key is a simple key (one line, its ":" after it on that
  line): the key's line. When the value is composed, PyYAML's scanner has fetched the tokens
  up to that ":" and no further (the ":" resolves the key, and nothing is pending after it),
  whatever it looked ahead before;
- a value of a flow mapping ``{...}`` whose key is on the line of the ``{``: that line (the
  shim takes the ``{``'s line or the reader's; they agree there). A single pair in a flow
  sequence (``[a: b]``) is a mapping with no ``{``: unknown;
- any other value's line is unknown. Aliases reassign the line of the node they name, as the
  shim does; a string value whose line is unknown when detect-secrets would read it makes the
  fast path give up, and detect-secrets' own transformer decides (``_Unsure``).

A text libyaml rejects, or that holds more than one document, gives None (detect-secrets'
``ParsingError``): PyYAML's scanner and parser are a port of libyaml's and raise a YAMLError on
such text too, for the errors listed in ``_TRUSTED``, and except where they are known to
differ (tabs, line-break characters other than "\\n", a byte-order mark, directives), which go
to detect-secrets' transformer whole. So does very deep nesting (PyYAML's composer is
recursive). The tests compare both transformers on YAML documents valid and broken.

One deliberate difference: a collection that holds itself through an alias (``a: &a [*a]``)
gives None here, where detect-secrets' walk of the loaded document never ends (its queue
refills itself), which hung the scan.
"""

from __future__ import annotations

import io
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node

MAX_DEPTH = 64
# Where PyYAML and libyaml (or str.splitlines, which detect-secrets reads lines with) disagree:
# characters, a directive, a block scalar's header with a comment and no space before it.
# Three searches: one alternation of them all scanned the text three times slower.
_UNSURE_CHARACTERS = re.compile("[\t\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufeff]")
_HEADER_COMMENT = re.compile("[|>][-+0-9]*#")


def _unsure_text(text: str) -> bool:
    return (
        _UNSURE_CHARACTERS.search(text) is not None
        or text.startswith("%")
        or "\n%" in text
        or _HEADER_COMMENT.search(text) is not None
    )


class _Unsure(Exception):
    """The fast path cannot vouch for its result: detect-secrets' transformer decides."""


class _UnknownLine:
    """The line of a node composed where the fast path cannot tell PyYAML's reader's line."""

    def __str__(self) -> str:  # detect-secrets' tagging reads a value's line with str()
        raise _Unsure


_UNKNOWN = _UnknownLine()


def yaml_lines(text: str) -> list[str] | None:
    """What detect-secrets' ``YAMLTransformer.parse_file`` gives for ``text``, None for its
    ParsingError (its other exceptions propagate, as there)."""
    try:
        return fast_lines(text)
    except _Unsure:
        return slow_lines(text)


def fast_lines(text: str) -> list[str] | None:
    """``yaml_lines`` on libyaml; raises ``_Unsure`` where it cannot be sure of the result."""
    if not yaml.__with_libyaml__ or _unsure_text(text):
        raise _Unsure
    if not _one_valid_document(text):
        return None
    try:
        data = _load(text)
    except yaml.YAMLError:
        return None
    except _Unsure:
        raise
    except Exception as error:  # RecursionError, or detect-secrets' own on odd input
        raise _Unsure from error
    from detect_secrets.transformers.yaml import YAMLFileParser

    class _Parsed(YAMLFileParser):
        """detect-secrets' walk of the loaded document, on this document."""

        def __init__(self) -> None:
            self.content = text

        def json(self) -> Any:
            return data

    try:
        return _as_lines(sorted(_Parsed(), key=lambda item: item.line_number))
    except Exception as error:
        raise _Unsure from error


def slow_lines(text: str) -> list[str] | None:
    """detect-secrets' own YAML transformer."""
    from detect_secrets.transformers.exceptions import ParsingError
    from detect_secrets.transformers.yaml import YAMLTransformer

    file: Any = io.StringIO(text)
    file.name = "file.yaml"
    try:
        lines: list[str] = YAMLTransformer().parse_file(file)
    except ParsingError:
        return None
    return lines


def _one_valid_document(text: str) -> bool:
    """libyaml's parse of the whole text: False when it fails, finds a second document or a
    collection that holds itself. Raises ``_Unsure`` past ``MAX_DEPTH`` nested collections."""
    parser = yaml.CSafeLoader(text)
    documents = 0
    opened: list[Any] = []  # the start events of the collections open
    try:
        while parser.check_event():
            event: Any = parser.get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if event.tag == "!":  # PyYAML and libyaml resolve an empty one differently
                    raise _Unsure
            elif kind is AliasEvent:
                if any(start.anchor == event.anchor for start in opened):
                    return False  # a collection holding itself: see the module's docstring
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                opened.append(event)
                if len(opened) > MAX_DEPTH:
                    raise _Unsure
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                start = opened.pop()
                if start.flow_style and "?" in text[start.start_mark.index : event.end_mark.index]:
                    raise _Unsure  # PyYAML ends a plain scalar at "?" in a flow, libyaml not
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return False
    except yaml.YAMLError as error:
        if _trusted(error):
            return False
        raise _Unsure from error
    finally:
        parser.dispose()
    return True


# libyaml's errors that PyYAML's scanner and parser raise on the same text (its own limits,
# such as its maximum nesting depth, and its refusal of escaped surrogates, are not).
_TRUSTED = frozenset(
    {
        "did not find expected key",
        "mapping values are not allowed in this context",
        "could not find expected ':'",
        "did not find expected '-' indicator",
        "did not find expected ',' or '}'",
        "did not find expected ',' or ']'",
        "found unexpected end of stream",
        "did not find expected <document start>",
        "found character that cannot start any token",
        "did not find expected node content",
        "did not find expected alphabetic or numeric character",
        "block sequence entries are not allowed in this context",
    }
)


def _trusted(error: yaml.YAMLError) -> bool:
    problem = getattr(error, "problem", None)
    if problem is None:  # the reader's: "unacceptable character #x0007: control characters..."
        return "control characters are not allowed" in str(error)
    return problem in _TRUSTED


def _load(text: str) -> Any:
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class _Loader(Composer, yaml.CSafeLoader):
    """libyaml's events, PyYAML's composer with detect-secrets' shim, PyYAML's constructor."""

    def __init__(self, text: str) -> None:
        yaml.CSafeLoader.__init__(self, text)
        Composer.__init__(self)
        self._text = text
        self._line: int | _UnknownLine = _UNKNOWN  # of the node composed next

    def compose_node(self, parent: Node | None, index: Any) -> Any:
        """detect-secrets' ``_compose_node_shim``, with the line computed from marks."""
        from detect_secrets.transformers.yaml import _tag_dict_values

        line, self._line = self._line, _UNKNOWN
        node: Any = Composer.compose_node(self, parent, index)
        node.__line__ = line
        if node.tag.endswith(":map"):
            return _tag_dict_values(node)
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        """PyYAML's, with the line of each value set before it is composed."""
        start_event: Any = self.get_event()
        tag = start_event.tag
        if tag is None or tag == "!":
            tag = self.resolve(MappingNode, None, start_event.implicit)  # type: ignore[no-untyped-call]
        node = MappingNode(tag, [], start_event.start_mark, None, flow_style=start_event.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        while not self.check_event(MappingEndEvent):
            key_event: Any = self.peek_event()
            item_key = self.compose_node(node, None)
            self._line = self._value_line(start_event, key_event)
            item_value = self.compose_node(node, item_key)
            node.value.append((item_key, item_value))
        end_event: Any = self.get_event()
        node.end_mark = end_event.end_mark
        return node

    def _value_line(self, start: Any, key: Any) -> int | _UnknownLine:
        """The line detect-secrets gives the value of ``key`` (1-based), where it is sure."""
        kind = type(key)
        if kind is not ScalarEvent and kind is not AliasEvent:
            return _UNKNOWN
        first: Any = key.start_mark
        last: Any = key.end_mark
        text = self._text
        if first.line != last.line or first.index == last.index:
            return _UNKNOWN
        if not _COLON_AFTER.match(text, last.index):
            return _UNKNOWN
        if _before(text, first.index) == "?":
            return _UNKNOWN
        if start.flow_style:  # from the mapping's anchor or tag, or its "{", to the key
            between = text[start.start_mark.index : first.index]
            if "{" not in between or "\n" in between:
                return _UNKNOWN
        return int(first.line) + 1


_COLON_AFTER = re.compile(" *:")


def _before(text: str, index: int) -> str:
    """The character before ``index`` past spaces ("" at the start of the text)."""
    index -= 1
    while index >= 0 and text[index] == " ":
        index -= 1
    return text[index] if index >= 0 else ""


def _as_lines(items: list[Any]) -> list[str]:
    """The rest of detect-secrets' ``YAMLTransformer.parse_file``: its values as lines."""
    import base64

    from detect_secrets.transformers.yaml import _yaml_comment_regex

    seen = set()
    lines: list[str] = []
    for item in items:
        if item in seen:
            continue
        seen.add(item)
        while len(lines) < item.line_number - 1:
            lines.append("")
        value = item.value
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        line = item.line.strip()
        comment = ""
        matches = _yaml_comment_regex().search(line)
        if matches:
            comment = matches.group(0)
        value = value.replace('"', '\\"')
        lines.append(f'{item.key}: "{value}"{comment}')
    return lines
