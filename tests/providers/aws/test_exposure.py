"""AwsAnalysis.exposure_reasons (a role's trust) and provider_managed (service-linked roles)."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.providers.aws.provider import PROVIDER
from nhiscan.scanner.model import Provider, Record
from nhiscan.scanner.provider import ProviderAnalysis
from tests import factories as f

PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}


def analysis(*records: Record) -> ProviderAnalysis:
    return PROVIDER.analyse(f.estate(*records))


def test_a_trust_admitting_other_accounts_names_each_once() -> None:
    ops = f.role("ops")
    trust = f.trust_policy(
        ops,
        f.document(
            f.assume_role_statement(f"arn:aws:iam::{f.OTHER_ACCOUNT}:root"),
            f.assume_role_statement(f"arn:aws:iam::{f.OTHER_ACCOUNT}:role/ci"),
            f.assume_role_statement(f"arn:aws:iam::{f.ACCOUNT}:role/local"),
        ),
    )
    assert analysis(ops, trust).exposure_reasons(ops) == [f"trusted by account {f.OTHER_ACCOUNT}"]


def test_a_public_trust_and_one_confined_by_condition_keys() -> None:
    ops, confined = f.role("ops"), f.role("confined")
    narrowed = PUBLIC | {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}
    aws = analysis(
        ops,
        f.trust_policy(ops, f.document(PUBLIC)),
        confined,
        f.trust_policy(confined, f.document(narrowed)),
    )
    assert aws.exposure_reasons(ops) == ["public trust policy"]
    assert aws.exposure_reasons(confined) == ["trust admits any principal under aws:PrincipalOrgID"]


def test_deny_statements_users_and_roles_without_a_trust_expose_nothing() -> None:
    ops, bot = f.role("ops"), f.user("bot")
    denied = f.trust_policy(ops, f.document(PUBLIC | {"Effect": "Deny"}))
    aws = analysis(ops, denied, bot)
    assert aws.exposure_reasons(ops) == []
    assert aws.exposure_reasons(bot) == []
    lone = replace(f.role("lone"), trust_policy=None)
    assert analysis(lone).exposure_reasons(lone) == []


def test_other_clouds_identities_are_not_answered_for() -> None:
    sa = f.identity(provider=Provider.GCP, id="sa@p.iam.gserviceaccount.com", account="p")
    linked = replace(sa, service_linked=True)
    aws = analysis(sa)
    assert aws.exposure_reasons(sa) == []
    assert aws.provider_managed(linked) is False


def test_service_linked_roles_are_provider_managed() -> None:
    linked, plain = f.service_linked_role(), f.role("ops")
    aws = analysis(linked, plain)
    assert aws.provider_managed(linked) is True
    assert aws.provider_managed(plain) is False
