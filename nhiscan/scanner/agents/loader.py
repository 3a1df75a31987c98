"""Agent files: YAML in, ``Agent`` records out, or every problem at once with its file:line.

``load_agents(path, vocabularies)`` reads one file or every ``*.yaml``/``*.yml`` file of a folder
(sorted); ``parse_agents(text, file=…, vocabularies=…)`` is the pure part. What is checked here,
so that compiling never fails: the shape (the published schema, ``schema.py``), agent names
unique across files, verbs known, references readable, each verb-by-scheme pair supported (the
provider's vocabulary), and plain-English steps readable with certainty (``english/``). Each
provider's section of ``defaults:`` (and of an agent) is read by its vocabulary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from nhiscan.errors import PolicyFileError
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.model import Agent, AgentFile, AgentStatus, ProviderDefaults, Where
from nhiscan.scanner.agents.refs import identities as parse_identities
from nhiscan.scanner.agents.steps import steps as parse_steps

MAX_PROBLEMS = 25
TOP_KEYS = ("version", "defaults", "agents")


def default_keys(vocabularies: Vocabularies) -> tuple[str, ...]:
    """The keys of ``defaults:``: each provider's section, then ``credentials``."""
    return (*vocabularies.keys, "credentials")


def agent_keys(vocabularies: Vocabularies) -> tuple[str, ...]:
    """The keys of an agent; each provider's section goes after ``credentials``."""
    before = ("name", "owner", "description", "status", "decommissioned_at", "identities")
    return (*before, "credentials", *vocabularies.keys, "steps")


Defaults = tuple[Mapping[str, ProviderDefaults], int | None]


def load_agents(path: Path, vocabularies: Vocabularies) -> AgentFile:
    """Read an agents file or a folder of them; raises PolicyFileError listing every problem."""
    files = _files(path)
    digest = hashlib.sha256()
    agents: list[Agent] = []
    problems: list[y.Problem] = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise PolicyFileError(f"{file}: cannot read agent file: {exc.strerror}") from exc
        digest.update(file.name.encode() + b"\0" + data + b"\0")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyFileError(f"{file}: not UTF-8 text ({exc.reason})") from exc
        found, file_problems = _parse(text, str(file), vocabularies)
        agents.extend(found)
        problems.extend(file_problems)
    problems.extend(_duplicates(agents))
    _raise(problems)
    return AgentFile(
        agents=tuple(agents),
        sources=tuple(str(f) for f in files),
        source_hash=digest.hexdigest(),
    )


def parse_agents(text: str, *, file: str, vocabularies: Vocabularies) -> tuple[Agent, ...]:
    agents, problems = _parse(text, file, vocabularies)
    problems.extend(_duplicates(agents))
    _raise(problems)
    return tuple(agents)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise PolicyFileError(f"{path}: no agent files (*.yaml, *.yml) in this folder")
        return files
    if not path.exists():
        raise PolicyFileError(f"{path}: no such agent file or folder")
    return [path]


def _raise(problems: list[y.Problem]) -> None:
    if not problems:
        return
    shown = [str(p) for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"… and {len(problems) - MAX_PROBLEMS} more")
    noun = "problem" if len(problems) == 1 else "problems"
    raise PolicyFileError(f"agent file: {len(problems)} {noun}:\n  " + "\n  ".join(shown))


def _duplicates(agents: Iterable[Agent]) -> list[y.Problem]:
    seen: dict[str, Where] = {}
    problems = []
    for agent in agents:
        first = seen.setdefault(agent.name, agent.where)
        if first is not agent.where:
            problems.append(
                y.Problem(agent.where, f"agent {agent.name!r} is declared twice (first at {first})")
            )
    return problems


def _parse(text: str, file: str, vocabularies: Vocabularies) -> tuple[list[Agent], list[y.Problem]]:
    try:
        root = y.compose(text, file)
        if root is None:
            raise y.Invalid(y.Problem(Where(file=file, line=1), "the file is empty"))
        top = y.mapping(root, file, "an agent file")
        # Top-level keys starting with "x-" hold YAML anchors for the agents (x-common: &c …).
        top = {k: v for k, v in top.items() if not k.startswith("x-")}
        y.check_keys(top, TOP_KEYS, file, "an agent file")
        _version(top, file)
        defaults = _defaults(top, file, vocabularies)
        if "agents" not in top:
            raise y.fail(root, file, "an agent file needs `agents:`, a list of agents")
        agent_nodes = y.sequence(top["agents"][1], file, "`agents`")
    except y.Invalid as exc:
        return [], [exc.problem]
    agents, problems = [], []
    for node in agent_nodes:
        try:
            agents.append(_agent(node, file, defaults, vocabularies))
        except _Many as many:
            problems.extend(many.problems)
        except y.Invalid as exc:
            problems.append(exc.problem)
    return agents, problems


class _Many(Exception):
    def __init__(self, problems: list[y.Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _version(top: dict[str, tuple[y.Node, y.Node]], file: str) -> None:
    if "version" in top and y.text(top["version"][1], file, "`version`") != "1":
        raise y.fail(top["version"][1], file, "`version` must be 1 (the only version so far)")


def _defaults(
    top: dict[str, tuple[y.Node, y.Node]], file: str, vocabularies: Vocabularies
) -> Defaults:
    blank = {v.defaults_key: v.blank_defaults() for v in vocabularies}
    if "defaults" not in top:
        return blank, None
    entries = y.mapping(top["defaults"][1], file, "`defaults`")
    y.check_keys(entries, default_keys(vocabularies), file, "`defaults`")
    sections = _sections(entries, file, vocabularies, blank)
    age = _max_age(entries["credentials"][1], file) if "credentials" in entries else None
    return sections, age


def _sections(
    entries: dict[str, tuple[y.Node, y.Node]],
    file: str,
    vocabularies: Vocabularies,
    base: Mapping[str, ProviderDefaults],
) -> dict[str, ProviderDefaults]:
    """Each provider's defaults: its section read over ``base``, else ``base``."""
    return {
        key: vocabulary.parse_defaults(entries[key][1], file, base[key])
        if key in entries
        else base[key]
        for key, vocabulary in vocabularies.by_key.items()
    }


def _max_age(node: y.Node, file: str) -> int:
    entries = y.mapping(node, file, "`credentials`")
    y.check_keys(entries, ("max_key_age_days",), file, "`credentials`")
    if "max_key_age_days" not in entries:
        raise y.fail(node, file, "`credentials` needs `max_key_age_days`")
    return y.integer(entries["max_key_age_days"][1], file, "`credentials.max_key_age_days`")


def _agent(node: y.Node, file: str, defaults: Defaults, vocabularies: Vocabularies) -> Agent:
    entries = y.mapping(node, file, "an agent")
    y.check_keys(entries, agent_keys(vocabularies), file, "an agent")
    for required in ("name", "owner", "identities", "steps"):
        if required not in entries:
            raise y.fail(node, file, f"an agent needs `{required}`")
    name = y.text(entries["name"][1], file, "`name`")
    status, decommissioned_at = _status(entries, file, name)
    sections = _sections(entries, file, vocabularies, defaults[0])
    age = _max_age(entries["credentials"][1], file) if "credentials" in entries else defaults[1]
    steps, problems = parse_steps(entries["steps"][1], file, vocabularies)
    identities = parse_identities(entries["identities"][1], file, name, vocabularies)
    if problems:
        raise _Many(problems)
    description = entries.get("description")
    return Agent(
        name=name,
        owner=y.text(entries["owner"][1], file, f"agent {name!r}: `owner`"),
        where=y.where(node, file),
        description=None if description is None else y.text(description[1], file, "description"),
        status=status,
        decommissioned_at=decommissioned_at,
        identities=identities,
        max_key_age_days=age,
        steps=steps,
        defaults=sections,
    )


def _status(
    entries: dict[str, tuple[y.Node, y.Node]], file: str, name: str
) -> tuple[AgentStatus, date | None]:
    status = AgentStatus.ACTIVE
    if "status" in entries:
        raw = y.text(entries["status"][1], file, "`status`")
        try:
            status = AgentStatus(raw)
        except ValueError:
            raise y.fail(
                entries["status"][1], file, f"agent {name!r}: `status` is active or decommissioned"
            ) from None
    when = None
    if "decommissioned_at" in entries:
        node = entries["decommissioned_at"][1]
        raw = y.text(node, file, "`decommissioned_at`")
        try:
            when = date.fromisoformat(raw)
        except ValueError:
            raise y.fail(
                node, file, f"`decommissioned_at` {raw!r} is not a date (2026-01-31)"
            ) from None
        if status is not AgentStatus.DECOMMISSIONED:
            raise y.fail(
                node, file, f"agent {name!r}: `decommissioned_at` needs `status: decommissioned`"
            )
    return status, when
