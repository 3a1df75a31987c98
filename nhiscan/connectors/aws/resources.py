"""Resources that hold policies or run as identities: S3 buckets, KMS keys, Secrets Manager
secrets, Lambda functions and EC2 instances. ``fetch_*`` call AWS, ``to_*`` are pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from typing import Any

from nhiscan.connectors.aws.calls import Answer, call, pages
from nhiscan.connectors.aws.clients import Clients
from nhiscan.connectors.aws.wire import DocumentError, decode_document, to_tags
from nhiscan.scanner.model import (
    CollectionGap,
    GapReason,
    Policy,
    PolicyKind,
    Provider,
    Record,
    Resource,
    ResourceKind,
)

# GetBucketLocation's answer for buckets made before regions had names.
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


def collect_s3(
    clients: Clients, account: str, *, partition: str, only: frozenset[str] | None, pool: Executor
) -> Iterator[Record]:
    """Every bucket (in ``only`` regions when given) and its bucket policy."""
    listing = pages(clients.client("s3"), "ListBuckets", scope=account)
    if listing.gap is not None:
        yield listing.gap
    names = [str(b["Name"]) for b in listing.items("Buckets")]
    futures = [
        pool.submit(fetch_bucket, clients, account, n, partition=partition, only=only)
        for n in names
    ]
    for future in futures:
        yield from future.result()


def fetch_bucket(
    clients: Clients, account: str, name: str, *, partition: str, only: frozenset[str] | None
) -> list[Record]:
    arn = f"arn:{partition}:s3:::{name}"
    records: list[Record] = []
    location = call(
        clients.client("s3"), "GetBucketLocation", scope=account, subject=arn, Bucket=name
    )
    region = None
    if location.gap is not None:
        records.append(location.gap)
    else:
        constraint = location.value.get("LocationConstraint")
        region = LEGACY_LOCATIONS.get(constraint, constraint)
    if only is not None and region is not None and region not in only:
        return []
    s3 = clients.client("s3", region)
    answer = call(
        s3,
        "GetBucketPolicy",
        scope=account,
        subject=arn,
        absent={"NoSuchBucketPolicy"},
        Bucket=name,
    )
    policy = _resource_policy(answer, "Policy", arn, name, account, operation="s3:GetBucketPolicy")
    records.extend(policy)
    bucket = Resource(
        provider=Provider.AWS,
        id=arn,
        name=name,
        kind=ResourceKind.S3_BUCKET,
        account=account,
        region=region,
        policy=_policy_id(policy),
    )
    return [bucket, *records]


def collect_region(clients: Clients, account: str, region: str, *, partition: str) -> list[Record]:
    """KMS keys, secrets, Lambda functions and EC2 instances of one region."""
    scope = f"{account}/{region}"
    return [
        *fetch_kms_keys(clients.client("kms", region), account, region, scope=scope),
        *fetch_secrets(clients.client("secretsmanager", region), account, region, scope=scope),
        *fetch_functions(clients.client("lambda", region), account, region, scope=scope),
        *fetch_instances(
            clients.client("ec2", region), account, region, scope=scope, partition=partition
        ),
    ]


def fetch_kms_keys(kms: Any, account: str, region: str, *, scope: str) -> Iterator[Record]:
    listing = pages(kms, "ListKeys", scope=scope)
    if listing.gap is not None:
        yield listing.gap
    for key in listing.items("Keys"):
        arn, key_id = str(key["KeyArn"]), str(key["KeyId"])
        answer = call(
            kms, "GetKeyPolicy", scope=scope, subject=arn, KeyId=key_id, PolicyName="default"
        )
        policy = _resource_policy(answer, "Policy", arn, key_id, account, "kms:GetKeyPolicy")
        yield from policy
        yield Resource(
            provider=Provider.AWS,
            id=arn,
            name=key_id,
            kind=ResourceKind.KMS_KEY,
            account=account,
            region=region,
            policy=_policy_id(policy),
        )


def fetch_secrets(sm: Any, account: str, region: str, *, scope: str) -> Iterator[Record]:
    listing = pages(sm, "ListSecrets", scope=scope)
    if listing.gap is not None:
        yield listing.gap
    for secret in listing.items("SecretList"):
        arn, name = str(secret["ARN"]), str(secret["Name"])
        answer = call(
            sm,
            "GetResourcePolicy",
            scope=scope,
            subject=arn,
            absent={"ResourceNotFoundException"},
            SecretId=arn,
        )
        operation = "secretsmanager:GetResourcePolicy"
        policy = _resource_policy(answer, "ResourcePolicy", arn, name, account, operation)
        yield from policy
        yield to_secret(secret, account=account, region=region, policy=_policy_id(policy))


def fetch_functions(lam: Any, account: str, region: str, *, scope: str) -> Iterator[Record]:
    listing = pages(lam, "ListFunctions", scope=scope)
    if listing.gap is not None:
        yield listing.gap
    for function in listing.items("Functions"):
        yield to_function(function, account=account, region=region)


def fetch_instances(
    ec2: Any, account: str, region: str, *, scope: str, partition: str
) -> Iterator[Record]:
    listing = pages(ec2, "DescribeInstances", scope=scope)
    if listing.gap is not None:
        yield listing.gap
    for reservation in listing.items("Reservations"):
        for instance in reservation.get("Instances") or ():
            yield to_instance(instance, account=account, region=region, partition=partition)


def to_secret(
    secret: Mapping[str, Any], *, account: str, region: str, policy: str | None
) -> Resource:
    return Resource(
        provider=Provider.AWS,
        id=str(secret["ARN"]),
        name=str(secret["Name"]),
        kind=ResourceKind.SECRET,
        account=account,
        region=region,
        policy=policy,
        tags=to_tags(secret.get("Tags")),
    )


def to_function(function: Mapping[str, Any], *, account: str, region: str) -> Resource:
    """A Lambda function; it runs as its execution role."""
    return Resource(
        provider=Provider.AWS,
        id=str(function["FunctionArn"]),
        name=str(function["FunctionName"]),
        kind=ResourceKind.LAMBDA_FUNCTION,
        account=account,
        region=region,
        runs_as=function.get("Role"),
        state=function.get("State"),
    )


def to_instance(
    instance: Mapping[str, Any], *, account: str, region: str, partition: str
) -> Resource:
    """An EC2 instance; it runs as its instance profile."""
    instance_id = str(instance["InstanceId"])
    tags = to_tags(instance.get("Tags"))
    return Resource(
        provider=Provider.AWS,
        id=f"arn:{partition}:ec2:{region}:{account}:instance/{instance_id}",
        name=tags.get("Name") or instance_id,
        kind=ResourceKind.EC2_INSTANCE,
        account=account,
        region=region,
        runs_as=(instance.get("IamInstanceProfile") or {}).get("Arn"),
        state=(instance.get("State") or {}).get("Name"),
        tags=tags,
    )


def to_resource_policy(resource_arn: str, name: str, document: Any, account: str) -> Policy:
    """A bucket, key or secret policy; raises DocumentError when it is not JSON."""
    return Policy(
        provider=Provider.AWS,
        id=f"{resource_arn}#policy",
        name=f"{name} policy",
        kind=PolicyKind.RESOURCE,
        account=account,
        document=decode_document(document),
        attached_to=(resource_arn,),
    )


def _resource_policy(
    answer: Answer, key: str, arn: str, name: str, account: str, operation: str
) -> list[Policy | CollectionGap]:
    """The policy (when there is one), or the gap that says it could not be read."""
    if answer.gap is not None:
        return [answer.gap]
    document = answer.value.get(key) if answer.ok else None
    if not document:
        return []
    try:
        return [to_resource_policy(arn, name, document, account)]
    except DocumentError as exc:
        return [
            CollectionGap(
                provider=Provider.AWS,
                scope=account,
                operation=operation,
                reason=GapReason.FAILED,
                detail=f"resource policy could not be decoded: {exc}",
                subject=f"{arn}#policy",
            )
        ]


def _policy_id(records: list[Policy | CollectionGap]) -> str | None:
    return next((r.id for r in records if isinstance(r, Policy)), None)
