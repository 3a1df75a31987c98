"""Reading YAML with line numbers: the loader walks PyYAML's node tree (never plain dicts) so
every error names the line it is about. Duplicate keys are errors (YAML says keys are unique;
PyYAML would silently keep the last)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from nhiscan.scanner.agents.model import Where

Node = yaml.Node


@dataclass(frozen=True, slots=True)
class Problem:
    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class Invalid(Exception):
    """One problem; the loader collects them and reports them all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def compose(text: str, file: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise Invalid(Problem(Where(file=file, line=line), f"not valid YAML: {what}")) from None
    except yaml.YAMLError as exc:
        raise Invalid(Problem(Where(file=file, line=1), f"not valid YAML: {exc}")) from None


def where(node: Node, file: str) -> Where:
    return Where(file=file, line=node.start_mark.line + 1)


def fail(node: Node, file: str, message: str) -> Invalid:
    return Invalid(Problem(where(node, file), message))


def kind(node: Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}" if node.value != "" else "nothing"


def mapping(node: Node, file: str, what: str) -> dict[str, tuple[Node, Node]]:
    """A mapping's entries by key: key -> (key node, value node). YAML merge keys
    (``<<: *anchor``) are applied first, as YAML specifies: the mapping's own keys win."""
    if not isinstance(node, yaml.MappingNode):
        raise fail(node, file, f"{what} must be a mapping, not {kind(node)}")
    _merge(node, file)
    found: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise fail(key_node, file, f"{what}: keys must be plain words")
        key = str(key_node.value)
        if key in found:
            first = where(found[key][0], file).line
            raise fail(key_node, file, f"{what}: key {key!r} is repeated (first on line {first})")
        found[key] = (key_node, value_node)
    return found


def _merge(node: yaml.MappingNode, file: str) -> None:
    """Apply ``<<`` merge keys: merged entries come in unless the mapping has the key itself
    (and, among several merged mappings, the first has precedence), as YAML specifies. A key
    repeated in the mapping itself stays repeated, so it is still reported."""
    own = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]
    if len(own) == len(node.value):
        return
    try:
        yaml.constructor.SafeConstructor().flatten_mapping(node)
    except yaml.constructor.ConstructorError as exc:
        raise fail(node, file, f"bad merge key (<<): {exc.problem}") from None
    own_ids = {id(k) for k, _ in own}
    taken = {str(k.value) for k, _ in own if isinstance(k, yaml.ScalarNode)}
    merged = []
    for key_node, value_node in node.value:
        if id(key_node) in own_ids:
            continue
        name = str(key_node.value)
        if name not in taken:
            taken.add(name)
            merged.append((key_node, value_node))
    node.value = merged + own


def check_keys(
    entries: dict[str, tuple[Node, Node]], allowed: tuple[str, ...], file: str, what: str
) -> None:
    for key, (key_node, _) in entries.items():
        if key not in allowed:
            raise fail(key_node, file, f"{what}: unknown key {key!r} (known: {', '.join(allowed)})")


def sequence(node: Node, file: str, what: str) -> list[Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise fail(node, file, f"{what} must be a list, not {kind(node)}")
    return list(node.value)


def items(node: Node) -> Iterator[Node]:
    """A list, or one scalar read as a list of one."""
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    else:
        yield node


def text(node: Node, file: str, what: str) -> str:
    """A non-empty string scalar (numbers and dates read as written)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        raise fail(node, file, f"{what} must be text, not {kind(node)}")
    value = str(node.value).strip()
    if not value:
        raise fail(node, file, f"{what} must not be empty")
    return value


def integer(node: Node, file: str, what: str) -> int:
    raw = text(node, file, what)
    if node.tag != "tag:yaml.org,2002:int" or not raw.isdigit() or int(raw) <= 0:
        raise fail(node, file, f"{what} must be a whole number above 0, not {raw!r}")
    return int(raw)
