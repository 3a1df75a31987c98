"""Live IAM identity providers (issue #20): who may federate into the account's roles.

IAM OIDC providers: ``ListOpenIDConnectProviders``, then ``GetOpenIDConnectProvider`` for each
(Url, ClientIDList, ThumbprintList, CreateDate, Tags); SAML providers: ``ListSAMLProviders``
(Arn, ValidUntil, CreateDate; the metadata document is not read). Each becomes a ``Policy`` of
kind ``aws-oidc-provider`` / ``aws-saml-provider`` whose document is the API's answer (its
CreateDate as the record's ``created``, other dates as ISO text), read by
``providers/aws/federation.py``. A refused listing is a gap, never "no providers"; a refused
GetOpenIDConnectProvider keeps the provider with only its ARN (its audiences then unknown) and
records the gap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from nhiscan.connectors.aws.calls import call, pages
from nhiscan.connectors.aws.wire import arn_parts, to_utc
from nhiscan.scanner.model import Policy, PolicyKind, Provider, Record


def collect_identity_providers(iam: Any, account: str) -> Iterator[Record]:
    listed = pages(iam, "ListOpenIDConnectProviders", scope=account)
    if listed.gap is not None:
        yield listed.gap
    for entry in listed.items("OpenIDConnectProviderList"):
        arn = str(entry["Arn"])
        answer = call(
            iam,
            "GetOpenIDConnectProvider",
            scope=account,
            subject=arn,
            OpenIDConnectProviderArn=arn,
        )
        if answer.gap is not None:
            yield answer.gap
        yield to_oidc_provider(arn, answer.value if answer.ok else None, account=account)
    saml = pages(iam, "ListSAMLProviders", scope=account)
    if saml.gap is not None:
        yield saml.gap
    for entry in saml.items("SAMLProviderList"):
        yield to_saml_provider(entry, account=account)


def to_oidc_provider(arn: str, answer: Mapping[str, Any] | None, *, account: str) -> Policy:
    """An IAM OIDC provider; ``answer`` is GetOpenIDConnectProvider's (None: not read)."""
    document: dict[str, Any] = {"Arn": arn}
    document.update(_plain(answer or {}))
    resource = arn_parts(arn)[4]
    return Policy(
        provider=Provider.AWS,
        id=arn,
        name=str(document.get("Url") or resource.removeprefix("oidc-provider/")),
        kind=PolicyKind.AWS_OIDC_PROVIDER,
        account=arn_parts(arn)[3] or account,
        document=document,
        created=to_utc((answer or {}).get("CreateDate")),
    )


def to_saml_provider(entry: Mapping[str, Any], *, account: str) -> Policy:
    """An IAM SAML provider from its ListSAMLProviders entry."""
    arn = str(entry["Arn"])
    resource = arn_parts(arn)[4]
    return Policy(
        provider=Provider.AWS,
        id=arn,
        name=resource.removeprefix("saml-provider/"),
        kind=PolicyKind.AWS_SAML_PROVIDER,
        account=arn_parts(arn)[3] or account,
        document=_plain(entry),
        created=to_utc(entry.get("CreateDate")),
    )


def _plain(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The answer as JSON values, dates as ISO text in UTC; without boto3's ResponseMetadata,
    and without CreateDate, which the record holds as ``created`` (drift compares documents)."""
    return {key: _value(value) for key, value in answer.items() if key not in _LEFT_OUT}


_LEFT_OUT = frozenset({"ResponseMetadata", "CreateDate"})


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = to_utc(value)
        return moment.isoformat() if moment is not None else None
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    return value
