"""AWS's half of telling people from machines: IAM roles (service-linked, SSO, SAML trust) and
IAM users (console password, MFA, access keys). The neutral evidence (tags, names) is in
:mod:`nhiscan.scanner.humans`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nhiscan.scanner.humans import Verdict, from_tags, name_signal
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Policy,
)


class AwsClassifier:
    """IAM roles and users (``Classifier`` of scanner/estate.py); other kinds: no evidence."""

    def classify(
        self,
        identity: Identity,
        credentials: Sequence[Credential],
        policies: Mapping[str, Policy],
    ) -> Verdict | None:
        if identity.kind is IdentityKind.IAM_ROLE:
            trust = policies.get(identity.trust_policy or "")
            return _role(identity, trust.document if trust is not None else None)
        if identity.kind is IdentityKind.IAM_USER:
            return _user(identity, credentials)
        return None


def classify(
    identity: Identity,
    credentials: Sequence[Credential] = (),
    trust_document: Mapping[str, Any] | None = None,
) -> Verdict:
    """The whole chain for one identity whose trust document is at hand: tags, then the IAM
    evidence, else a workload identity (the estate asks ``from_tags`` and ``AwsClassifier``)."""
    tagged = from_tags(identity.tags)
    if tagged is not None:
        return tagged
    if identity.kind is IdentityKind.IAM_ROLE:
        return _role(identity, trust_document)
    if identity.kind is IdentityKind.IAM_USER:
        return _user(identity, credentials)
    return Verdict(False, f"{identity.kind.value} is a workload identity")


def _role(identity: Identity, trust: Mapping[str, Any] | None) -> Verdict:
    if identity.service_linked:
        return Verdict(False, "service-linked role used by an AWS service")
    if (identity.path or "").startswith(
        "/aws-reserved/sso.amazonaws.com/"
    ) or identity.name.startswith("AWSReservedSSO_"):
        return Verdict(True, "IAM Identity Center (SSO) role assumed by people")
    if trust is not None and _trusts_saml(trust):
        return Verdict(True, "trusts a SAML identity provider: assumed by people signing in")
    return Verdict(False, "IAM role assumed by workloads or other principals")


def _trusts_saml(document: Mapping[str, Any]) -> bool:
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if any(str(a).lower() == "sts:assumerolewithsaml" for a in actions):
            return True
    return False


def _user(identity: Identity, credentials: Sequence[Credential]) -> Verdict:
    human_signs = []
    if identity.console_access:
        human_signs.append("console password")
    if identity.mfa_devices:
        human_signs.append("MFA device")
    if identity.password_last_used is not None:
        human_signs.append("signed in to the console")
    name_kind = name_signal(identity.name)
    if human_signs:
        return Verdict(True, "has " + ", ".join(human_signs))
    if name_kind is True:
        return Verdict(True, "name looks like a person's")
    if name_kind is False:
        return Verdict(False, "name looks like a service")
    keys = [
        c
        for c in credentials
        if c.kind is CredentialKind.ACCESS_KEY and c.status is CredentialStatus.ACTIVE
    ]
    if identity.console_access is False and keys:
        return Verdict(False, "access keys and no console password")
    if identity.console_access is None:
        return Verdict(None, "console password and MFA not collected; name gives no sign")
    return Verdict(None, "no console password, no MFA, name gives no sign")
