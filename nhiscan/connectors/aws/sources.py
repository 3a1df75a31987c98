"""A source's credentials: the session a profile (or the default chain) opens, and the role it
assumes first. Shared by the client, which checks each source once, and by the workers of a
split collection, which reach their account by themselves (``units.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3

from nhiscan.connectors.aws.calls import call
from nhiscan.connectors.aws.clients import Clients, to_credentials
from nhiscan.connectors.aws.wire import arn_parts
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import CollectionGap

SessionFactory = Callable[[str | None], boto3.session.Session]


@dataclass(frozen=True, slots=True, kw_only=True)
class Start:
    """A source's credentials, checked: who they are and the clients that use them."""

    account: str
    partition: str
    clients: Clients


def default_session(profile: str | None) -> boto3.session.Session:
    return boto3.session.Session(profile_name=profile)


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
