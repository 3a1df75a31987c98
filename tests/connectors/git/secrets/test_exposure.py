"""A Match into an Exposure: redacted, hashed, and joined by the same fingerprints the cloud
connectors put on inventory credentials."""

from __future__ import annotations

import json

from moto.iam.utils import generate_access_key_id_from_account_id

from nhiscan.connectors.git.secrets.exposure import aws_account_of_key, exposure_of
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.scanner import fingerprint
from nhiscan.scanner.codec import encode
from nhiscan.scanner.model import Provider

GUID = "0f5c3b9e-6a1d-4c2e-9b7f-3d2a1e0c9b8a"


def _match(secret: str, provider: Provider | None, **kw: object) -> Match:
    return Match(detector="X", detectors=("X",), provider=provider, secret=secret, line=1, **kw)  # type: ignore[arg-type]


def test_the_aws_account_is_decoded_from_the_key_id() -> None:
    for account in ("123456789012", "000000000001", "999999999999"):
        assert (
            aws_account_of_key(generate_access_key_id_from_account_id(account, "AKIA")) == account
        )
    assert aws_account_of_key("AKIA123") is None and aws_account_of_key("ghp_x" * 4) is None


def test_aws_keys_join_by_key_id_and_gcp_keys_by_private_key_id() -> None:
    key = generate_access_key_id_from_account_id("123456789012", "AKIA")
    aws = exposure_of(_match(key, Provider.AWS), repository="r", path="p", line=1)
    assert aws.fingerprint == fingerprint.aws_access_key(key) and aws.account == "123456789012"
    gcp = exposure_of(_match("ab" * 20, Provider.GCP, credential_id="ab" * 20), repository="r",
                      path="p", line=1)  # fmt: skip
    assert gcp.fingerprint == fingerprint.gcp_sa_key("ab" * 20)


def test_azure_secrets_join_by_client_id_and_hint() -> None:
    secret = "Ab1" + "8Q~" + "x" * 34
    found = exposure_of(_match(secret, Provider.AZURE, hint=f"client_id={GUID}"), repository="r",
                        path="p", line=1)  # fmt: skip
    assert found.fingerprint == fingerprint.azure_secret_hint(GUID.upper(), "Ab1")
    alone = exposure_of(_match(secret, Provider.AZURE), repository="r", path="p", line=1)
    assert alone.fingerprint is None


def test_an_exposure_never_holds_the_secret() -> None:
    secret = "ghp_" + "Qz7" * 12
    found = exposure_of(_match(secret, None, paired_secret="s3cr3t" * 5), repository="r",
                        path="p", line=1)  # fmt: skip
    text = json.dumps(encode(found))
    assert secret not in text and "s3cr3t" not in text and found.redacted == "ghp_…(40 chars)"
