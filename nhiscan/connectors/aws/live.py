"""``AwsConnector``: collect live through boto3, read-only, every refusal a ``CollectionGap``.

Sources are the default credential chain or each named profile. Each may first assume a role
(``assume_role``), and from an organization's management account may assume ``org_role`` in
every member account; accounts are collected in parallel on a bounded thread pool, and an
account reached twice (two profiles, or the management account in the member list) once.

On a cluster (issue #21), ``split`` checks the sources and reads the organizations here and
makes each account a work unit that a worker collects by itself (``units.py``): the same
records, in the same order for one source (docs/dev/cluster-aws.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from nhiscan.cluster.units import Split, UnitContext, WorkUnit
from nhiscan.connectors.aws.account import Plan, Target, account_records
from nhiscan.connectors.aws.calls import gap_for
from nhiscan.connectors.aws.clients import Clients
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig
from nhiscan.connectors.aws.lookup_events import LookupConfig, LookupSink
from nhiscan.connectors.aws.lookup_merge import merge_records
from nhiscan.connectors.aws.org import OrgView, account_view, fetch_organization
from nhiscan.connectors.aws.policy_checks import policy_gaps
from nhiscan.connectors.aws.sources import SessionFactory, Start, assume, default_session
from nhiscan.connectors.aws.units import KIND as UNIT_KIND
from nhiscan.connectors.aws.units import AccountPayload, collect_account_unit
from nhiscan.connectors.aws.wire import arn_parts
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap, GapReason, Provider, Record

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
class Prepared:
    """One source, checked on the client: what it yields before its accounts (the
    organization's SCPs, gaps), and the accounts to collect (none already reached)."""

    records: tuple[Record, ...]
    targets: tuple[Target, ...]
    view: OrgView


class AwsConnector:
    def __init__(self, config: AwsConfig, *, session_factory: SessionFactory | None = None) -> None:
        self._config = config
        self._session_factory = session_factory or default_session
        # A factory of the caller's cannot travel to a worker process: such a connector
        # collects in this process only.
        self._own_sessions = session_factory is None

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
            prepared = self._prepare(profile, ctx.progress, seen_accounts, seen_orgs)
            yield from prepared.records
            yield from self._run(prepared.targets, prepared.view, ctx, sink)
        if sink is not None:
            yield from sink.records()

    def split(self, ctx: UnitContext) -> Split:
        """The sources checked and the organizations read here, one unit per account (see
        ``units.py``). With several sources, every source's own records (SCPs, gaps) come
        before all accounts' records, not before that source's accounts only."""
        if not self._own_sessions:
            raise ConnectorError(
                "an AWS collection with a session factory of its own cannot be split: its "
                "workers open their sessions from the profile names"
            )
        seen_accounts: set[str] = set()
        seen_orgs: set[str] = set()
        before: list[Record] = []
        units: list[WorkUnit] = []
        for profile in self._config.profiles or (None,):
            prepared = self._prepare(profile, ctx.progress, seen_accounts, seen_orgs)
            before.extend(prepared.records)
            units.extend(self._unit(profile, t, prepared.view) for t in prepared.targets)
        lookup = self._config.lookup_events
        merge = None if lookup is None else partial(merge_records, config=lookup)
        return Split(before=tuple(before), units=tuple(units), merge=merge)

    def _unit(self, profile: str | None, target: Target, view: OrgView) -> WorkUnit:
        config = self._config
        name = view.names.get(target.account)
        payload = AccountPayload(
            account=target.account, partition=target.partition, profile=profile,
            endpoint_url=config.endpoint_url, assume_role=config.assume_role,
            role_arn=target.role_arn, regions=config.regions, max_workers=config.max_workers,
            lookup=config.lookup_events, last_accessed=config.last_accessed,
            view=account_view(view, target.account),
        )  # fmt: skip
        return WorkUnit(
            kind=UNIT_KIND,
            key=target.account,
            label=f"aws account {target.account}" + (f" ({name})" if name else ""),
            provider=Provider.AWS,
            task=collect_account_unit,
            payload=payload,
        )

    def _prepare(
        self,
        profile: str | None,
        progress: Callable[[str], None],
        seen: set[str],
        seen_orgs: set[str],
    ) -> Prepared:
        label = "default-chain" if profile is None else f"profile/{profile}"
        progress(f"aws {label}: checking credentials")
        start = self._start(profile, label)
        if isinstance(start, CollectionGap):
            return Prepared(records=(start,), targets=(), view=OrgView())
        config = self._config
        view = fetch_organization(
            start.clients, start.account, all_accounts=bool(config.org_role), progress=progress
        )
        records: list[Record] = []
        if view.org_id is None or view.org_id not in seen_orgs:
            records.extend(view.scps)
            records.extend(policy_gaps(view.scps))
            records.extend(view.gaps)
        if view.org_id is not None:
            seen_orgs.add(view.org_id)
        targets = [Target(account=start.account, partition=start.partition, clients=start.clients)]
        if config.org_role:
            members, gaps = org_targets(start, view, config.org_role)
            targets.extend(members)
            records.extend(gaps)
        fresh = tuple(t for t in targets if t.account not in seen)
        seen.update(t.account for t in fresh)
        return Prepared(records=tuple(records), targets=fresh, view=view)

    def _run(
        self,
        targets: tuple[Target, ...],
        view: OrgView,
        ctx: CollectContext,
        sink: LookupSink | None,
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
            futures = [pool.submit(account_records, t, view, plan) for t in targets]
            for future in futures:
                yield from future.result()

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
