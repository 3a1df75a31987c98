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


# A billion-laughs guard: a document may expand to at most this many nodes, counting the nodes
# under an alias again at each use (docs/agents.md). 10,000 structured steps are about 30,000.
MAX_NODES = 100_000
# libyaml's own limit on nesting (flow and block); the pure-Python parser is held to it too.
MAX_DEPTH = 1_000
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: same nodes


def compose(text: str, file: str) -> Node | None:
    """The document's node tree, refused when it nests too deeply, refers to itself or expands
    (through aliases) past ``MAX_NODES``: nothing later walks more than that."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise Invalid(Problem(Where(file=file, line=line), f"not valid YAML: {what}")) from None
    except yaml.YAMLError as exc:
        raise Invalid(Problem(Where(file=file, line=1), f"not valid YAML: {exc}")) from None
    except RecursionError:  # the pure-Python composer recurses per level of nesting
        message = f"not valid YAML: nested more than {MAX_DEPTH} levels deep"
        raise Invalid(Problem(Where(file=file, line=1), message)) from None
    if root is not None:
        expanded_size(root, file)
    return root


def expanded_size(root: Node, file: str, limit: int = MAX_NODES) -> int:
    """How many nodes walking ``root`` visits, an alias's nodes counted at each use: in time
    linear in the distinct nodes (each one's size is computed once). Raises Invalid at the
    innermost node whose expansion passes ``limit``, or at an alias to a node containing it."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # the ancestors of the node being expanded
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = size = 1 + sum(sizes[id(c)] for c in _children(node))
            if size > limit:
                raise fail(node, file, _too_big(limit))
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise fail(node, file, "an alias refers to a node that contains it (a cycle)")
        open_nodes.add(id(node))
        if len(open_nodes) > MAX_DEPTH:
            raise fail(node, file, f"nested more than {MAX_DEPTH} levels deep")
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _too_big(limit: int) -> str:
    return (
        f"this expands to more than {limit:,} YAML nodes (the nodes under an alias count at "
        "each use): an alias bomb, or a file to split in several"
    )


def _children(node: Node) -> list[Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


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
