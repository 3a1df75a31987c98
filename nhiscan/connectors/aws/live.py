"""``AwsConnector``: collect live through boto3, read-only, every refusal a ``CollectionGap``.

Sources are the default credential chain or each named profile. Each may first assume a role
(``assume_role``), and from an organization's management account may assume ``org_role`` in
every member account; accounts are collected in parallel on a bounded thread pool, and an
account reached twice (two profiles, or the management account in the member list) once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from nhiscan.connectors.aws.account import Plan, Target, collect_target
from nhiscan.connectors.aws.calls import call, gap_for
from nhiscan.connectors.aws.clients import Clients, to_credentials
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
from nhiscan.connectors.aws.lookup_events import LookupConfig, LookupSink
from nhiscan.connectors.aws.org import OrgView, fetch_organization
from nhiscan.connectors.aws.policy_checks import policy_gaps
from nhiscan.connectors.aws.wire import arn_parts
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record

SessionFactory = Callable[[str | None], boto3.session.Session]

NO_CREDENTIALS = (
    "no AWS credentials found for {label}: configure them (aws configure, aws sso login, "
    "AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or scan an export offline "
    "with --aws-gaad FILE, or try the built-in estate with --demo"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsConfig:
    profiles: tuple[str, ...] = ()  # () -> the default credential chain
    regions: tuple[str, ...] = ()  # () -> every enabled region (ec2:DescribeRegions)
    assume_role: str | None = None  # role ARN to assume first
    org_role: str | None = None  # role NAME to assume in every member account
    endpoint_url: str | None = None  # None -> boto3's own default (honours AWS_ENDPOINT_URL)
    max_workers: int = 4  # accounts in parallel, per-user calls in parallel
    # What identities did, from each region's CloudTrail event history (LookupEvents), when
    # no trail's files are read; None: not read (the demo reads its trail from files).
    lookup_events: LookupConfig | None = None
    # When each user and role last used each service (IAM service last-accessed data); None:
    # not asked.
    last_accessed: AccessAdvisorConfig | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Start:
    """A source's credentials, checked: who they are and the clients that use them."""

    account: str
    partition: str
    clients: Clients


def default_session(profile: str | None) -> boto3.session.Session:
    return boto3.session.Session(profile_name=profile)


class AwsConnector:
    def __init__(self, config: AwsConfig, *, session_factory: SessionFactory | None = None) -> None:
        self._config = config
        self._session_factory = session_factory or default_session

    @property
    def sources(self) -> tuple[str, ...]:
        if not self._config.profiles:
            return ("aws:default-chain",)
        return tuple(f"aws:profile/{p}" for p in self._config.profiles)

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        seen_accounts: set[str] = set()
        seen_orgs: set[str] = set()
        lookup = self._config.lookup_events
        sink = None if lookup is None else LookupSink(lookup, now=ctx.now, until=ctx.as_of)
        for profile in self._config.profiles or (None,):
            yield from self._collect_source(profile, ctx, seen_accounts, seen_orgs, sink)
        if sink is not None:
            yield from sink.records()

    def _collect_source(
        self,
        profile: str | None,
        ctx: CollectContext,
        seen: set[str],
        seen_orgs: set[str],
        sink: LookupSink | None,
    ) -> Iterator[Record]:
        label = "default-chain" if profile is None else f"profile/{profile}"
        ctx.progress(f"aws {label}: checking credentials")
        start = self._start(profile, label)
        if isinstance(start, CollectionGap):
            yield start
            return
        config = self._config
        view = fetch_organization(
            start.clients, start.account, all_accounts=bool(config.org_role), progress=ctx.progress
        )
        if view.org_id is None or view.org_id not in seen_orgs:
            yield from view.scps
            yield from policy_gaps(view.scps)
            yield from view.gaps
        if view.org_id is not None:
            seen_orgs.add(view.org_id)
        targets = [Target(account=start.account, partition=start.partition, clients=start.clients)]
        if config.org_role:
            members, gaps = org_targets(start, view, config.org_role)
            targets.extend(members)
            yield from gaps
        fresh = [t for t in targets if t.account not in seen]
        seen.update(t.account for t in fresh)
        yield from self._run(fresh, view, ctx, sink)

    def _run(
        self, targets: list[Target], view: OrgView, ctx: CollectContext, sink: LookupSink | None
    ) -> Iterator[Record]:
        plan = Plan(
            regions=self._config.regions,
            max_workers=self._config.max_workers,
            progress=ctx.progress,
            now=ctx.now,
            lookup=sink,
            last_accessed=self._config.last_accessed,
        )
        with ThreadPoolExecutor(max_workers=max(1, self._config.max_workers)) as pool:
            futures = [pool.submit(collect_target, t, view, plan) for t in targets]
            for future in futures:
                records = list(future.result())
                yield from records
                yield from policy_gaps(records)  # what AWS's grammar rejects: never dropped

    def _start(self, profile: str | None, label: str) -> Start | CollectionGap:
        """Open the session, check its credentials, assume ``assume_role`` when asked."""
        try:
            session = self._session_factory(profile)
            clients = Clients(session, endpoint_url=self._config.endpoint_url)
            who = clients.client("sts").get_caller_identity()
        except ProfileNotFound as exc:
            raise ConnectorError(
                f"AWS profile {profile!r} does not exist in the AWS config or credentials "
                f"files: {exc}; list the profiles with `aws configure list-profiles`"
            ) from exc
        except NoCredentialsError as exc:
            raise ConnectorError(NO_CREDENTIALS.format(label=label)) from exc
        except (ClientError, BotoCoreError) as exc:
            return gap_for(exc, scope=label, operation="sts:GetCallerIdentity")
        partition, _, _, account, _ = arn_parts(str(who["Arn"]))
        start = Start(account=str(who["Account"] or account), partition=partition, clients=clients)
        if self._config.assume_role is None:
            return start
        return assume(start, self._config.assume_role)


def assume(start: Start, role_arn: str) -> Start | CollectionGap:
    """The role's account and clients, or the gap when sts:AssumeRole is refused."""
    try:
        partition, _, _, account, _ = arn_parts(role_arn)
    except ValueError as exc:
        raise ConnectorError(f"--aws-assume-role must be a role ARN, got {role_arn!r}") from exc
    sts = start.clients.client("sts")
    answer = call(sts, "AssumeRole", scope=role_arn, RoleArn=role_arn, RoleSessionName="nhiscan")
    if answer.gap is not None:
        return answer.gap
    clients = start.clients.assumed(to_credentials(answer.value))
    return Start(account=account, partition=partition, clients=clients)


def org_targets(
    start: Start, view: OrgView, org_role: str
) -> tuple[list[Target], list[CollectionGap]]:
    """A target per member account, reached by assuming ``org_role`` in it."""
    if view.management_id != start.account or not view.accounts:
        why = (
            f"account {start.account} is not in an organization"
            if view.org_id is None
            else f"account {start.account} is not the management account of {view.org_id}"
            if view.management_id != start.account
            else f"the accounts of {view.org_id} could not be listed"
        )
        gap = CollectionGap(
            provider=Provider.AWS,
            scope=start.account,
            operation="organizations:ListAccounts",
            reason=GapReason.FAILED,
            detail=f"member accounts not collected with role {org_role!r}: {why}",
        )
        return [], [gap]
    members = [
        Target(
            account=member,
            partition=start.partition,
            clients=start.clients,
            role_arn=f"arn:{start.partition}:iam::{member}:role/{org_role}",
        )
        for member in view.accounts
        if member != start.account
    ]
    return members, []
