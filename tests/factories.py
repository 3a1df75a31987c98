"""Record factories for tests: every field has a sensible default, any can be overridden.

Everything is relative to one fixed clock, ``NOW``: ``days_ago(30)`` is a date 30 days before
it, and ``context()`` hands rules the same ``NOW``. Ids follow the AWS connector's conventions
(ARNs for identities, ``<role arn>#trust`` for trust policies, ``<resource arn>#policy`` for
resource policies, AKIA… ids for access keys), so records built here join up in an estate as
collected ones do::

    deploy = role("deploy")
    e = estate(deploy, trust_policy(deploy, assume_role_statement({"AWS": "111122223333"})))
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from nhiscan.app.config import Settings
from nhiscan.rules.base import RuleContext
from nhiscan.rules.thresholds import LifecycleThresholds
from nhiscan.scanner.activity import ActionUse, ActivityScope, ActivitySummary, EventRef, Outcome
from nhiscan.scanner.agents import loader
from nhiscan.scanner.agents.language import Vocabularies
from nhiscan.scanner.agents.model import Agent, AgentFile
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.model import (
    Account,
    CollectionGap,
    Credential,
    CredentialKind,
    CredentialStatus,
    Exposure,
    GapReason,
    Group,
    Identity,
    IdentityKind,
    Policy,
    PolicyKind,
    Provider,
    Record,
    Resource,
    ResourceKind,
    ToolInfo,
)
from nhiscan.scanner.provider import ProviderSet
from nhiscan.scanner.snapshot import Snapshot, build_snapshot

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111122223333"
TOOL = ToolInfo(name="nhiscan", version="0.0.0-test")
POLICY_VERSION = "2012-10-17"

_key_numbers = itertools.count(1)


def days_ago(days: float, *, now: datetime = NOW) -> datetime:
    """A moment ``days`` before ``now`` (fractions allowed: ``days_ago(90.5)``)."""
    return now - timedelta(days=days)


def arn(account: str, resource: str, *, service: str = "iam", region: str = "") -> str:
    """``arn:aws:<service>:<region>:<account>:<resource>``."""
    return f"arn:aws:{service}:{region}:{account}:{resource}"


# --- identities ------------------------------------------------------------------------------


def identity(**overrides: Any) -> Identity:
    """Any identity; by default an AWS IAM user "app" in ``ACCOUNT`` created 30 days ago."""
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "id": arn(ACCOUNT, "user/app"),
        "name": "app",
        "kind": IdentityKind.IAM_USER,
        "account": ACCOUNT,
        "created": days_ago(30),
    }
    fields.update(overrides)
    return Identity(**fields)


def user(name: str = "svc-app", *, account: str = ACCOUNT, **overrides: Any) -> Identity:
    """An IAM user; its id is ``arn:aws:iam::<account>:user/<name>``."""
    fields: dict[str, Any] = {
        "id": arn(account, f"user/{name}"),
        "name": name,
        "kind": IdentityKind.IAM_USER,
        "account": account,
    }
    return identity(**{**fields, **overrides})


def role(name: str = "app-role", *, account: str = ACCOUNT, **overrides: Any) -> Identity:
    """An IAM role whose ``trust_policy`` points at ``<arn>#trust`` (see ``trust_policy``).

    Defaults to used yesterday, so it is not stale unless ``last_used`` is overridden.
    """
    role_arn = arn(account, f"role/{name}")
    fields: dict[str, Any] = {
        "id": role_arn,
        "name": name,
        "kind": IdentityKind.IAM_ROLE,
        "account": account,
        "trust_policy": f"{role_arn}#trust",
        "last_used": days_ago(1),
        "service_linked": False,
    }
    return identity(**{**fields, **overrides})


def service_linked_role(service: str = "elasticloadbalancing", **overrides: Any) -> Identity:
    """A service-linked role as AWS creates it, under /aws-service-role/<service>.amazonaws.com/."""
    name = overrides.pop("name", f"AWSServiceRoleFor{service.title().replace('-', '')}")
    account = overrides.pop("account", ACCOUNT)
    path = f"/aws-service-role/{service}.amazonaws.com/"
    fields: dict[str, Any] = {
        "id": arn(account, f"role{path}{name}"),
        "path": path,
        "service_linked": True,
    }
    return role(name, account=account, **{**fields, **overrides})


def group(name: str = "developers", *, account: str = ACCOUNT, **overrides: Any) -> Group:
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "id": arn(account, f"group/{name}"),
        "name": name,
        "account": account,
    }
    return Group(**{**fields, **overrides})


def account(account_id: str = ACCOUNT, **overrides: Any) -> Account:
    return Account(**{"provider": Provider.AWS, "id": account_id, **overrides})


# --- credentials -----------------------------------------------------------------------------


def _owner_id(owner: Identity | str) -> str:
    return owner if isinstance(owner, str) else owner.id


def _owner_account(owner: Identity | str) -> str:
    return ACCOUNT if isinstance(owner, str) else owner.account


def access_key(owner: Identity | str | None = None, **overrides: Any) -> Credential:
    """An active access key of ``owner`` (an identity or its id; default: ``identity()``),
    created 10 days ago and used yesterday. Ids are AKIA… and unique unless given."""
    owner = identity() if owner is None else owner
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "id": f"AKIA{next(_key_numbers):016d}",
        "identity": _owner_id(owner),
        "kind": CredentialKind.ACCESS_KEY,
        "account": _owner_account(owner),
        "status": CredentialStatus.ACTIVE,
        "created": days_ago(10),
        "last_used": days_ago(1),
    }
    return Credential(**{**fields, **overrides})


def password(owner: Identity | str | None = None, **overrides: Any) -> Credential:
    """A console password (login profile) of ``owner``: id ``<user arn>#password``."""
    owner = identity() if owner is None else owner
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "id": f"{_owner_id(owner)}#password",
        "identity": _owner_id(owner),
        "kind": CredentialKind.PASSWORD,
        "account": _owner_account(owner),
        "status": CredentialStatus.ACTIVE,
        "created": days_ago(30),
        "last_used": days_ago(2),
    }
    return Credential(**{**fields, **overrides})


# --- policies and resources ------------------------------------------------------------------


def document(*statements: Mapping[str, Any]) -> dict[str, Any]:
    """A policy document holding ``statements`` as a list."""
    return {"Version": POLICY_VERSION, "Statement": [dict(s) for s in statements]}


def assume_role_statement(
    principal: Any, *, condition: Mapping[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """An Allow sts:AssumeRole statement for ``principal`` ("*", {"AWS": ...}, ...)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = dict(condition)
    return {**statement, **extra}


def policy(**overrides: Any) -> Policy:
    """Any policy; by default a customer-managed policy allowing s3:GetObject on everything."""
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "id": arn(ACCOUNT, "policy/app-policy"),
        "name": "app-policy",
        "kind": PolicyKind.CUSTOMER_MANAGED,
        "account": ACCOUNT,
        "document": document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    }
    return Policy(**{**fields, **overrides})


def trust_policy(owner: Identity, doc: Mapping[str, Any] | None = None, **overrides: Any) -> Policy:
    """``owner``'s trust policy (id ``<role arn>#trust``); default: trusts EC2 only."""
    doc = doc or document(assume_role_statement({"Service": "ec2.amazonaws.com"}))
    fields: dict[str, Any] = {
        "id": owner.trust_policy or f"{owner.id}#trust",
        "name": f"{owner.name}-trust",
        "kind": PolicyKind.TRUST,
        "account": owner.account,
        "document": doc,
    }
    return policy(**{**fields, **overrides})


def resource(name: str = "app-bucket", **overrides: Any) -> Resource:
    """A resource; by default an S3 bucket whose ``policy`` is ``<arn>#policy``."""
    resource_arn = overrides.get("id", f"arn:aws:s3:::{name}")
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "id": resource_arn,
        "name": name,
        "kind": ResourceKind.S3_BUCKET,
        "account": ACCOUNT,
        "region": "eu-west-1",
        "policy": f"{resource_arn}#policy",
    }
    return Resource(**{**fields, **overrides})


def resource_policy(owner: Resource, doc: Mapping[str, Any], **overrides: Any) -> Policy:
    """``owner``'s resource policy (id ``<resource arn>#policy``)."""
    fields: dict[str, Any] = {
        "id": owner.policy or f"{owner.id}#policy",
        "name": f"{owner.name}-policy",
        "kind": PolicyKind.RESOURCE,
        "account": owner.account,
        "document": doc,
        "attached_to": (owner.id,),
    }
    return policy(**{**fields, **overrides})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    """An Allow statement: ``allow("s3:GetObject", "arn:aws:s3:::b/*", Condition={...})``."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    """A Deny statement, as ``allow``."""
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def managed_policy(
    name: str, *statements: Mapping[str, Any], account: str = ACCOUNT, **overrides: Any
) -> Policy:
    """A customer-managed policy ``arn:aws:iam::<account>:policy/<name>`` of ``statements``."""
    fields: dict[str, Any] = {
        "id": arn(account, f"policy/{name}"),
        "name": name,
        "account": account,
        "document": document(*statements),
    }
    return policy(**{**fields, **overrides})


ORG_ID = "o-exampleorg"
ROOT = "r-ab12"
OU = "ou-ab12-11111111"
MANAGEMENT_ACCOUNT = "999999999999"


def org_account(account_id: str = ACCOUNT, **overrides: Any) -> Account:
    """An account of organization ``ORG_ID``, under ``ROOT`` then ``OU``."""
    fields: dict[str, Any] = {"org_id": ORG_ID, "parents": (ROOT, OU), "is_management": False}
    return account(account_id, **{**fields, **overrides})


def scp(name: str, *statements: Mapping[str, Any], attached_to: tuple[str, ...]) -> Policy:
    """A service control policy attached to root, OU or account ids."""
    policy_arn = f"arn:aws:organizations::{MANAGEMENT_ACCOUNT}:policy/{ORG_ID}/service_control_policy/p-{name}"  # noqa: E501
    return policy(
        id=policy_arn,
        name=name,
        kind=PolicyKind.SCP,
        account=MANAGEMENT_ACCOUNT,
        document=document(*statements),
        attached_to=attached_to,
    )


def gap(**overrides: Any) -> CollectionGap:
    """A collection gap; by default iam:ListAccessKeys refused in ``ACCOUNT``."""
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "scope": ACCOUNT,
        "operation": "iam:ListAccessKeys",
        "reason": GapReason.ACCESS_DENIED,
        "detail": "User is not authorized to perform iam:ListAccessKeys",
    }
    return CollectionGap(**{**fields, **overrides})


# --- snapshots, estates, rule contexts -------------------------------------------------------


def snapshot(*records: Record, collected_at: datetime = NOW) -> Snapshot:
    """A snapshot of ``records`` (any order, exact duplicates dropped), collected at NOW."""
    return build_snapshot(records, tool=TOOL, collected_at=collected_at, sources=("test",))


def estate(*records: Record) -> Estate:
    """The indexed estate rules read, with ``is_human`` filled in by the classifier."""
    from nhiscan.app.estates import estate_of

    return estate_of(snapshot(*records))


def settings(**lifecycle: Any) -> Settings:
    """Default settings with the given ``LifecycleThresholds`` fields changed."""
    return Settings(lifecycle=replace(LifecycleThresholds(), **lifecycle))


def context(
    now: datetime = NOW,
    settings: Settings | None = None,
    *,
    graph_of: Estate | None = None,
    **lifecycle: Any,
) -> RuleContext:
    """A rule context at ``now``; ``lifecycle`` fields override the default thresholds. With
    ``graph_of``, the reach graph of that estate (the one place tests build it for rules)."""
    base = settings or Settings()
    if lifecycle:
        base = replace(base, lifecycle=replace(base.lifecycle, **lifecycle))
    graph = reach_graph(graph_of) if graph_of is not None else None
    return RuleContext(
        now=now, thresholds=base.lifecycle, graph=graph, providers=providers(graph_of)
    )


def providers(e: Estate | None = None) -> ProviderSet:
    """The providers the pipeline hands rules (AWS, analysing ``e`` when given)."""
    from nhiscan.app.pipeline import provider_set
    from nhiscan.providers import provider

    if e is None:
        return ProviderSet(providers={"aws": provider("aws")})
    return provider_set(e)


def vocabularies() -> Vocabularies:
    """The agent vocabularies the orchestration passes in: every registered provider's."""
    from nhiscan.app.agents import vocabularies as registered

    return registered()


def parse_agents(text: str, *, file: str) -> tuple[Agent, ...]:
    """Agents parsed from ``text`` with the registered vocabularies, as ``nhiscan`` reads them."""
    return loader.parse_agents(text, file=file, vocabularies=vocabularies())


AGENT_DEFAULTS = f'defaults: {{aws: {{account: "{ACCOUNT}", region: eu-west-1}}}}\n'


def agent_file(text: str) -> AgentFile:
    """Agents parsed from ``text`` (the YAML after ``agents:``; AGENT_DEFAULTS apply)."""
    agents = parse_agents(AGENT_DEFAULTS + "agents:\n" + text, file="agents.yaml")
    return AgentFile(agents=agents, sources=("agents.yaml",), source_hash="test")


def reach_graph(e: Estate) -> ReachGraph:
    """The reach graph of ``e`` as the pipeline builds it (its providers' analyses)."""
    from nhiscan.app.pipeline import reach_graph as build

    return build(e)


def agent_context(
    e: Estate, agents: AgentFile, *, now: datetime = NOW, settings: Settings | None = None
) -> RuleContext:
    """A rule context with the agent analysis of ``agents`` over ``e`` (reach graph built)."""
    from nhiscan.scanner.gaps.analysis import analyze_agents

    base = settings or Settings()
    graph = reach_graph(e)
    found = providers(e)
    analysis = analyze_agents(
        agents,
        e,
        graph,
        found,
        default_max_key_age=base.lifecycle.key_max_age_days,
        now=now,
        unused_days=base.activity.unused_days,
    )
    return RuleContext(
        now=now,
        thresholds=base.lifecycle,
        graph=graph,
        agents=analysis,
        providers=found,
        activity=base.activity,
    )


def exposure(secret: str = "ghp_" + "x" * 36, **overrides: Any) -> Exposure:
    """A secret found in a repository, built as connectors/git builds it (secrets/exposure.py):
    an AWS key id (AKIA/ASIA…) is joined to the inventory key with that id."""
    from nhiscan.connectors.git.secrets.exposure import exposure_of
    from nhiscan.connectors.git.secrets.match import Match

    aws = secret.startswith(("AKIA", "ASIA"))
    match = Match(
        detector="AWS Access Key ID" if aws else "GitHub Token",
        detectors=("AWS Access Key ID",) if aws else ("GitHub Token",),
        provider=Provider.AWS if aws else None,
        secret=secret,
        line=overrides.pop("line", 3),
        credential_id=secret if aws else None,
    )
    fields: dict[str, Any] = {
        "repository": "git@example.com:acme/app.git",
        "path": "deploy/settings.env",
        "line": match.line,
        "commit": "0" * 40,
        "author": "dev@example.com",
        "committed_at": days_ago(20),
        "at_head": True,
    }
    fields.update({k: overrides.pop(k) for k in list(overrides) if k in fields})
    built = exposure_of(match, **fields)
    return replace(built, **overrides)


# --- audit trail records (scanner/activity.py) ----------------------------------------------


def trail_use(
    action: str | None,
    resource: str,
    *,
    days: float = 1,
    first: float | None = None,
    count: int = 1,
    denied: bool = False,
    event: str | None = None,
    now: datetime = NOW,
) -> ActionUse:
    """``count`` events of ``action`` on ``resource``, the last ``days`` before ``now`` (the
    first ``first`` days before, default the same), with one sample event naming its file."""
    last = days_ago(days, now=now)
    name = event or (f"{action.split(':')[0]}.amazonaws.com:{action.split(':')[1]}" if action
                     else "example.amazonaws.com:Unmapped")  # fmt: skip
    sample = EventRef(id=f"evt-{name}-{days}", time=last, source="AWSLogs/trail.json.gz")
    return ActionUse(
        action=action, event=name, resource=resource,
        outcome=Outcome.DENIED if denied else Outcome.ALLOWED,
        first_seen=days_ago(first if first is not None else days, now=now), last_seen=last,
        count=count, samples=(sample,), error="AccessDenied" if denied else None,
    )  # fmt: skip


def trail_session(identity: str, *uses: ActionUse, **fields: Any) -> ActivitySummary:
    """One kind of session of ``identity`` (a role's when it names a role) with ``uses``;
    ``fields``: source_identity, session_name, session_tags, assumed_by, ..."""
    principal = "role-session" if ":role/" in identity else "user"
    return ActivitySummary(
        provider=Provider.AWS, identity=identity, principal=principal, account=ACCOUNT,
        first_seen=min(u.first_seen for u in uses), last_seen=max(u.last_seen for u in uses),
        count=sum(u.count for u in uses), uses=uses, **fields,
    )  # fmt: skip


def trail_scope(
    accounts: tuple[str, ...] = (ACCOUNT,), *, days: int = 90, now: datetime = NOW
) -> ActivityScope:
    """A trail that covered ``accounts`` for the ``days`` before ``now``."""
    return ActivityScope(provider=Provider.AWS, source="AWSLogs/", since=days_ago(days, now=now),
                         until=now, accounts=accounts, files=1)  # fmt: skip
