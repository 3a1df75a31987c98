"""NHI004 console-and-access-keys: IAM users with a console login and active access keys."""

from __future__ import annotations

from nhiscan.providers.aws.rules.keys import ConsoleAndAccessKeys
from nhiscan.rules.base import Rule
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import CredentialStatus, Finding, IdentityKind, Severity
from tests.factories import access_key, context, days_ago, estate, identity, password, user


def run(rule: Rule, e: Estate) -> list[Finding]:
    return list(rule.evaluate(e, context()))


def test_console_flag_and_active_key_is_flagged() -> None:
    jane = user("jane.doe", console_access=True, password_last_used=days_ago(3))
    [finding] = run(ConsoleAndAccessKeys(), estate(jane, access_key(jane, id="AKIAJ")))
    assert finding.rule_id == "NHI004"
    assert finding.subject == jane.id
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["console_evidence"] == "console_access"
    assert finding.evidence["key_ids"] == ["AKIAJ"]
    assert finding.evidence["is_human"] is True
    assert "jane.doe" in finding.title


def test_password_credential_counts_as_console_login() -> None:
    bot = user("svc-report", console_access=None)
    [finding] = run(ConsoleAndAccessKeys(), estate(bot, password(bot), access_key(bot)))
    assert finding.evidence["console_evidence"] == "password credential"


def test_console_without_active_keys_is_fine() -> None:
    jane = user("jane.doe", console_access=True)
    inactive = access_key(jane, status=CredentialStatus.INACTIVE)
    assert run(ConsoleAndAccessKeys(), estate(jane, password(jane), inactive)) == []


def test_keys_without_console_are_fine() -> None:
    bot = user("svc-app", console_access=False)
    assert run(ConsoleAndAccessKeys(), estate(bot, access_key(bot))) == []


def test_console_rule_reads_users_only() -> None:
    sa = identity(kind=IdentityKind.SERVICE_ACCOUNT, id="sa@p.iam", console_access=True)
    assert run(ConsoleAndAccessKeys(), estate(sa, access_key(sa))) == []
