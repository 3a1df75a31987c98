"""The agent parts of the commands: where agent files come from, `nhiscan compile`,
`nhiscan schema`, and the warnings a scan prints about identity references."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nhiscan.app import snapshots
from nhiscan.app.config import Settings
from nhiscan.app.outputs import check_writable, write_output
from nhiscan.errors import ConfigError
from nhiscan.reports.model import Report
from nhiscan.scanner import snapshot
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.facts import PermissionCatalog

DEFAULT_AGENTS_FILE = "agents.yaml"
DEFAULT_AGENTS_DIR = "agents"
# The demo company's agent file (package data; found without importing the demo, which needs moto).
DEMO_AGENTS = Path(__file__).parent.parent / "connectors" / "demo" / "agents.yaml"


def vocabularies() -> Vocabularies:
    """The agent vocabularies of every registered provider: agent files may name any of them,
    whatever the snapshot holds."""
    from nhiscan import providers

    found = []
    for name in sorted(providers.REGISTRY):
        try:
            vocabulary = providers.provider(name).agents
        except ConfigError:  # its package is not installed: its schemes are unknown
            continue
        if vocabulary is not None:
            found.append(vocabulary)
    return Vocabularies(found)


def agent_file_path(
    given: Path | None, settings: Settings, *, demo: bool, disabled: bool = False
) -> Path | None:
    """--agents, else [agents] path in nhiscan.toml, else ./agents.yaml or ./agents/ when
    present, else the demo's agents for a demo scan; None: no agent files (--no-agents)."""
    if disabled:
        return None
    if given is not None:
        return given
    if settings.agents.path is not None:
        return Path(settings.agents.path)
    for default in (Path(DEFAULT_AGENTS_FILE), Path(DEFAULT_AGENTS_DIR)):
        if default.exists():
            return default
    return DEMO_AGENTS if demo else None


def load_agent_files(
    given: Path | None, settings: Settings, *, demo: bool, disabled: bool = False
) -> AgentFile | None:
    return load_agents_at(agent_file_path(given, settings, demo=demo, disabled=disabled))


def load_agents_at(path: Path | None) -> AgentFile | None:
    if path is None:
        return None
    from nhiscan.scanner.agents.loader import load_agents

    agents = load_agents(path, vocabularies())
    click.echo(f"agents: {len(agents.agents)} from {', '.join(agents.sources)}", err=True)
    return agents


def echo_unmatched(report: Report) -> None:
    """Identity references matching nothing are findings (NHI307); say where they are too."""
    if report.agents is None:
        return
    for result in report.agents.results:
        for ref in result.unmatched:
            click.echo(
                f"{ref.where}: agent {result.agent.name}: {ref.describe()} matches no identity "
                "in the inventory",
                err=True,
            )
        for ref in result.unchecked:
            click.echo(
                f"{ref.where}: agent {result.agent.name}: {ref.describe()} not checked: no "
                f"{ref.provider} inventory in this scan",
                err=True,
            )


def run_compile(
    path: Path,
    *,
    output: Path | None,
    previous: Path | None,
    snapshot_path: Path | None,
    settings: Settings,
) -> int:
    """Compile agent files into a plan; with ``previous``, print the access the change adds
    and revokes; with ``snapshot_path``, refuse identity references matching nothing."""
    from nhiscan import __version__
    from nhiscan.scanner.agents import plan as plans
    from nhiscan.scanner.agents.compiler import compile_agent
    from nhiscan.scanner.agents.loader import load_agents

    to_file = output is not None and str(output) != "-"
    if output is not None and to_file:
        check_writable(output)
    language = vocabularies()
    agents = load_agents(path, language)
    snap = snapshots.load(snapshot_path) if snapshot_path is not None else None
    if snap is not None:
        _check_identities(agents, snap)
    age = settings.lifecycle.key_max_age_days
    catalog = _raw_catalog(language)
    compiled = [compile_agent(a, catalog, default_max_key_age=age) for a in agents.agents]
    data = plans.plan_json(agents, compiled, tool_version=__version__, vocabularies=language)
    if snap is not None and settings.activity.least_privilege_used and snap.activity_sources:
        _narrow_to_used(data, agents, snap, settings)
    if output is None or not to_file:
        sys.stdout.buffer.write(plans.dumps(data))
    else:
        write_output(output, plans.dumps(data))
        click.echo(f"wrote {output} ({len(compiled)} agents)", err=True)
    if previous is not None:
        try:
            before = plans.loads(previous.read_bytes(), str(previous))
        except OSError as exc:
            raise ConfigError(f"{previous}: cannot read the previous plan: {exc.strerror}") from exc
        change = plans.render_diff(plans.diff(before, data))
        click.echo(change, nl=False, err=not to_file)
    return 0


def _raw_catalog(language: Vocabularies) -> PermissionCatalog:
    """The catalogue raw actions (``actions:``) expand in: that of the provider a raw step
    belongs to when its resources do not say (the first vocabulary's)."""
    from nhiscan import providers

    return providers.provider(str(language.raw_owner(()).provider)).catalog


def _check_identities(agents: AgentFile, snap: snapshot.Snapshot) -> None:
    from nhiscan.app.estates import estate_of
    from nhiscan.app.pipeline import provider_set
    from nhiscan.errors import PolicyFileError
    from nhiscan.scanner.agents.claims import claim

    estate = estate_of(snap)
    external = any(ref.external for agent in agents.agents for ref in agent.identities)
    trusts = provider_set(estate).federated_trusts() if external else ()
    claims = claim(agents.agents, estate, trusts)
    problems = [
        f"{ref.where}: agent {name}: {ref.describe()} matches no identity in the inventory"
        for name, refs in claims.unmatched.items()
        for ref in refs
    ]
    if problems:
        raise PolicyFileError(
            "agent file: " + "\n  ".join(["identities match nothing:", *problems])
        )


def _narrow_to_used(
    data: dict[str, Any], agents: AgentFile, snap: snapshot.Snapshot, settings: Settings
) -> None:
    """Each agent's least privilege as planned ∩ used: the needs the snapshot's audit trail
    saw its sessions use, per identity (``AgentUsage.least_privilege_used``). An agent whose
    trail shows no planned use keeps its plan's policy; ``least_privilege_of`` says which."""
    from nhiscan.app.estates import estate_of
    from nhiscan.app.pipeline import provider_set
    from nhiscan.scanner.gaps.analysis import analyze_agents

    estate = estate_of(snap)
    analysis = analyze_agents(agents, estate, None, provider_set(estate),
                              default_max_key_age=settings.lifecycle.key_max_age_days,
                              unused_days=settings.activity.unused_days)  # fmt: skip
    for entry, result in zip(data["agents"], analysis.results, strict=True):
        used = result.usage.least_privilege_used if result.usage is not None else None
        entry["least_privilege_of"] = "planned and used" if used else "planned"
        if used:
            entry["least_privilege"] = dict(used)


def render_schema(name: str) -> str:
    from nhiscan.reports.schema import report_schema
    from nhiscan.scanner.agents.schema import agents_schema

    schemas = {"agents": lambda: agents_schema(vocabularies()), "report": report_schema}
    return json.dumps(schemas[name](), indent=2) + "\n"
