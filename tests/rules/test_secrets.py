"""Secrets found in repositories, joined to the inventory: NHI200, NHI201, NHI202."""

from __future__ import annotations

import json
from dataclasses import replace

from nhiscan.connectors.git.secrets import plugins
from nhiscan.rules.secrets import (
    GENERIC_LEAK_REMEDIATION,
    LeakedLiveCredential,
    SecretInRepository,
    SharedSecret,
)
from nhiscan.rules.secrets_meta import BY_DETECTOR, severity_of
from nhiscan.scanner.codec import encode
from nhiscan.scanner.model import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Identity,
    IdentityKind,
    Provider,
    Severity,
)
from nhiscan.scanner.provider import ProviderSet
from tests.factories import (
    access_key,
    allow,
    context,
    estate,
    exposure,
    managed_policy,
    reach_graph,
    user,
)

KEY = "AKIAZ7VRSQ5DXJQ4YEPX"


def _admin_bot(status: CredentialStatus = CredentialStatus.ACTIVE) -> list[object]:
    admin = managed_policy("admin", allow("*"))
    bot = user("svc-deploy", policies=(admin.id,))
    return [bot, admin, access_key(bot, id=KEY, status=status)]


def test_a_leaked_admin_key_is_critical_with_a_path_from_the_file_to_admin() -> None:
    e = estate(*_admin_bot(), exposure(KEY, path="ci/deploy.env", line=7))  # type: ignore[arg-type]
    ctx = replace(context(), graph=reach_graph(e))
    (finding,) = LeakedLiveCredential().evaluate(e, ctx)
    assert finding.severity is Severity.CRITICAL
    assert finding.subject.endswith(":user/svc-deploy")
    assert finding.evidence["reach"]["admin"] is True
    edges = [step["edge"] for step in finding.path]
    assert edges == ["contains", "leaks", "has_credential", "is_admin"]
    assert finding.path[0]["from"].endswith("ci/deploy.env:7@000000000000")
    assert finding.evidence["exposures"][0]["path"] == "ci/deploy.env"


def test_a_leaked_key_without_reach_analysis_is_high_and_an_inactive_one_medium() -> None:
    e = estate(*_admin_bot(), exposure(KEY))  # type: ignore[arg-type]
    (finding,) = LeakedLiveCredential().evaluate(e, context())
    assert finding.severity is Severity.HIGH and finding.evidence["reach"] is None
    idle = estate(*_admin_bot(CredentialStatus.INACTIVE), exposure(KEY))  # type: ignore[arg-type]
    ctx = replace(context(), graph=reach_graph(idle))
    (finding,) = LeakedLiveCredential().evaluate(idle, ctx)
    assert finding.severity is Severity.MEDIUM


def test_fingerprints_survive_reformatting_moves_and_squash_merges() -> None:
    before = estate(exposure(KEY, path="a.env", line=3, commit="1" * 40))
    after = estate(exposure(KEY, path="config/b.env", line=90, commit="2" * 40))
    elsewhere = estate(exposure(KEY, repository="/ci/checkout/app", path="a.env"))
    prints = [
        [f.fingerprint for f in SecretInRepository().evaluate(e, context())]
        for e in (before, after, elsewhere)
    ]
    assert prints[0] == prints[1] == prints[2] and len(prints[0]) == 1
    other = estate(exposure("AKIAQ2VRSQ5DXJQ4YEPA"))
    assert [f.fingerprint for f in SecretInRepository().evaluate(other, context())] != prints[0]


def test_severity_follows_the_detector_and_verification() -> None:
    generic = replace(exposure("s3cr3t-value"), detector="Secret Keyword")
    (low,) = SecretInRepository().evaluate(estate(generic), context())
    assert low.severity is Severity.LOW
    works = replace(exposure(KEY), verification="valid", verified_identity="arn:aws:iam::1:user/x")
    (critical,) = SecretInRepository().evaluate(estate(works), context())
    assert critical.severity is Severity.CRITICAL
    assert "arn:aws:iam::1:user/x" in critical.title


def test_a_secret_removed_from_head_is_still_reported_and_says_so() -> None:
    gone = exposure(KEY, at_head=False)
    (finding,) = SecretInRepository().evaluate(estate(gone), context())
    assert "still in history" in finding.title and finding.evidence["at_head"] is False


def test_a_secret_in_two_repositories_is_shared_and_one_in_one_is_not() -> None:
    two = estate(exposure(KEY, repository="r1"), exposure(KEY, repository="r2"))
    (finding,) = SharedSecret().evaluate(two, context())
    assert finding.severity is Severity.HIGH  # an AWS key
    assert finding.evidence["repositories"] == ["r1", "r2"]
    # ...and NHI200 still reports it once, listing both places.
    (leak,) = SecretInRepository().evaluate(two, context())
    assert leak.evidence["count"] == 2


def test_no_finding_carries_the_secret() -> None:
    token = "ghp_" + "Ab3" * 12
    e = estate(*_admin_bot(), exposure(KEY), exposure(token))  # type: ignore[arg-type]
    ctx = replace(context(), graph=reach_graph(e))
    rules = (SecretInRepository(), LeakedLiveCredential(), SharedSecret())
    text = json.dumps([encode(f) for rule in rules for f in rule.evaluate(e, ctx)])
    assert token not in text and token[:8] not in text
    assert KEY[:4] in text  # the redacted prefix is shown


def test_every_generic_detect_secrets_plugin_has_an_explicit_severity() -> None:
    types = {type(p).secret_type for p in plugins.configure()}
    generic = {"Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String"}
    assert generic <= types and generic <= BY_DETECTOR.keys()
    assert all(severity_of(name).rank <= Severity.LOW.rank for name in generic)
    assert severity_of("GitHub Token") is Severity.HIGH


def test_a_key_id_and_its_secret_key_are_one_leaked_credential() -> None:
    from nhiscan.connectors.git.secrets.exposure import exposure_of
    from nhiscan.connectors.git.secrets.match import Match
    from nhiscan.scanner.model import Provider

    secret = Match(detector="AWS Secret Access Key", detectors=("AWS Secret Access Key",),
                   provider=Provider.AWS, secret="s" * 40, line=4, credential_id=KEY)  # fmt: skip
    secret_exposure = exposure_of(secret, repository="r", path="ci.env", line=4)
    e = estate(*_admin_bot(), exposure(KEY, repository="r", path="ci.env"), secret_exposure)  # type: ignore[arg-type]
    (finding,) = LeakedLiveCredential().evaluate(e, context())
    assert finding.evidence["detector"] == "AWS Access Key ID" and finding.evidence["count"] == 2
    alone = estate(*_admin_bot(), exposure(KEY, repository="r", path="ci.env"))  # type: ignore[arg-type]
    (same,) = LeakedLiveCredential().evaluate(alone, context())
    assert same.fingerprint == finding.fingerprint


def test_the_remediation_of_a_leaked_key_is_its_providers() -> None:
    e = estate(*_admin_bot(), exposure(KEY))  # type: ignore[arg-type]
    (aws,) = LeakedLiveCredential().evaluate(e, context())
    assert aws.remediation == LeakedLiveCredential.meta.remediation  # AWS: the rule's text
    assert "aws iam update-access-key" in (aws.remediation or "")
    cloud = Provider("nocloud")
    who = Identity(
        provider=cloud, id="nc:bot", name="bot", kind=IdentityKind("nc-bot"), account="n"
    )
    key = Credential(
        provider=cloud,
        id="nk-1",
        identity=who.id,
        kind=CredentialKind("nc-key"),
        account="n",
        status=CredentialStatus.ACTIVE,
        fingerprint="nocloud-key:1",
    )
    leaked = replace(exposure("nc-secret-value"), provider=cloud, fingerprint="nocloud-key:1")
    (other,) = LeakedLiveCredential().evaluate(estate(who, key, leaked), context())
    assert other.provider is cloud and other.remediation == GENERIC_LEAK_REMEDIATION


def test_a_key_id_and_its_secret_are_one_leak_only_for_a_provider_that_says_so() -> None:
    key_id = exposure(KEY)
    secret = replace(
        exposure("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        detector="AWS Secret Key",
        detectors=("AWS Secret Key",),
        provider=key_id.provider,
        credential_id=KEY,
        path="other.env",
    )
    e = estate(key_id, secret)
    (one,) = SecretInRepository().evaluate(e, context())
    assert one.evidence["detector"] == "AWS Access Key ID" and one.evidence["count"] == 2
    no_facts = replace(context(), providers=ProviderSet())
    assert len(list(SecretInRepository().evaluate(e, no_facts))) == 2
