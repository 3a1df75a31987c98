"""Everything collected inside one AWS account: IAM, S3, and each region's resources."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from nhiscan.connectors.aws.calls import call
from nhiscan.connectors.aws.clients import Clients, to_credentials
from nhiscan.connectors.aws.iam import collect_iam
from nhiscan.connectors.aws.last_accessed import AccessAdvisorConfig, collect_last_accessed
from nhiscan.connectors.aws.lookup_events import LookupSink
from nhiscan.connectors.aws.org import OrgView, to_account
from nhiscan.connectors.aws.policy_checks import policy_gaps
from nhiscan.connectors.aws.resources import collect_region, collect_s3
from nhiscan.connectors.aws.wire import region_partition
from nhiscan.scanner.model import CollectionGap, Identity, Record

SESSION_NAME = "nhiscan"


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """An account to collect, with the clients that reach it (or the role to assume first)."""

    account: str
    partition: str
    clients: Clients
    role_arn: str | None = None  # assume this role (with ``clients``) before collecting


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    regions: tuple[str, ...]  # () -> every enabled region
    max_workers: int
    progress: Callable[[str], None]
    now: datetime | None = None  # the collection's clock (the last-accessed tracking period)
    lookup: LookupSink | None = None  # read each region's event history into it
    last_accessed: AccessAdvisorConfig | None = None  # ask IAM's service last-accessed data


def account_records(target: Target, view: OrgView, plan: Plan) -> list[Record]:
    """The account's records and the gaps for what AWS's grammar rejects in them (never
    dropped): what the live collection yields for each account, split or not."""
    records = collect_target(target, view, plan)
    return [*records, *policy_gaps(records)]


def collect_target(target: Target, view: OrgView, plan: Plan) -> list[Record]:
    """The records of one account; an AssumeRole that fails is a gap and nothing else."""
    clients = target.clients
    if target.role_arn is not None:
        assumed = call(
            clients.client("sts"),
            "AssumeRole",
            scope=target.account,
            subject=target.role_arn,
            RoleArn=target.role_arn,
            RoleSessionName=SESSION_NAME,
        )
        if assumed.gap is not None:
            return [to_account(target.account, view), assumed.gap]
        clients = clients.assumed(to_credentials(assumed.value))
    with ThreadPoolExecutor(max_workers=max(1, plan.max_workers)) as pool:
        return collect_account(clients, target.account, target.partition, view, plan, pool)


def collect_account(
    clients: Clients, account: str, partition: str, view: OrgView, plan: Plan, pool: Executor
) -> list[Record]:
    plan.progress(f"aws {account}: collecting")
    records: list[Record] = [to_account(account, view)]
    regions, gap = resolve_regions(clients, account, partition, plan.regions)
    if gap is not None:
        records.append(gap)
    plan.progress(f"aws {account}: {len(regions)} regions")
    futures = [
        pool.submit(collect_region, clients, account, region, partition=partition)
        for region in regions
    ]
    records.extend(collect_iam(clients, account, pool=pool, progress=plan.progress))
    if plan.last_accessed is not None and plan.now is not None:
        plan.progress(f"aws {account}: iam service last-accessed data")
        identities = [r for r in records if isinstance(r, Identity)]
        records.extend(collect_last_accessed(clients.client("iam"), account, identities,
                                             pool=pool, now=plan.now,
                                             config=plan.last_accessed))  # fmt: skip
    only = frozenset(plan.regions) if plan.regions else None
    plan.progress(f"aws {account}: s3 buckets")
    records.extend(collect_s3(clients, account, partition=partition, only=only, pool=pool))
    for region, future in zip(regions, futures, strict=True):
        records.extend(future.result())
        plan.progress(f"aws {account}: region {region} done")
    if plan.lookup is not None:
        plan.progress(f"aws {account}: cloudtrail event history")
        plan.lookup.read(clients, account, regions, pool)
    return records


def resolve_regions(
    clients: Clients, account: str, partition: str, configured: tuple[str, ...]
) -> tuple[tuple[str, ...], CollectionGap | None]:
    """The configured regions, else every enabled one (the session's region if that fails)."""
    if configured:
        return configured, None
    answer = call(clients.client("ec2"), "DescribeRegions", scope=account)
    if answer.gap is not None:
        return (clients.default_region,), answer.gap
    names = sorted(str(r["RegionName"]) for r in answer.value.get("Regions") or ())
    # Only this partition's regions: moto lists every partition's together.
    mine = tuple(n for n in names if region_partition(n) == partition)
    return mine or (clients.default_region,), None
