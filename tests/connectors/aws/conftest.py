"""Fixtures for the AWS connector tests: fake credentials, no real AWS config, moto."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from nhiscan.connectors.aws.live import AwsConfig
from nhiscan.scanner.model import Record
from tests.connectors.aws.estate import OTHER_REGION, REGION, Built, build_estate, build_org
from tests.connectors.aws.helpers import collect, recording_factory

AWS_ENV_TO_CLEAR = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@contextmanager
def fake_aws_env(home: Path) -> Iterator[Path]:
    """Fake credentials in the environment and empty AWS config files under ``home``."""
    with pytest.MonkeyPatch.context() as patch:
        for name in AWS_ENV_TO_CLEAR:
            patch.delenv(name, raising=False)
        home.mkdir(parents=True, exist_ok=True)
        (home / "config").write_text("")
        (home / "credentials").write_text("")
        patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield home


@pytest.fixture(autouse=True)
def aws_env(tmp_path: Path) -> Iterator[Path]:
    """Every test: fake credentials, no real AWS config. Yields the config directory."""
    with fake_aws_env(tmp_path / "aws-home") as home:
        yield home


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


@dataclass(frozen=True, slots=True, kw_only=True)
class World:
    """One estate in moto, collected once per test session (moto is stopped afterwards)."""

    built: Built
    org: dict[str, str]
    records: list[Record]  # regions us-east-1 and eu-west-1
    restricted: list[Record]  # eu-west-1 only
    calls: list[tuple[str, str]]  # (service, operation) of every call the first collection made
    lines: list[str]  # its progress lines
    gaad_pages: list[dict[str, Any]]  # get_account_authorization_details, every page


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    with fake_aws_env(tmp_path_factory.mktemp("aws-home")), mock_aws():
        built = build_estate()
        org = build_org()
        calls: list[tuple[str, str]] = []
        lines: list[str] = []
        records = collect(
            AwsConfig(regions=(REGION, OTHER_REGION)),
            session_factory=recording_factory(calls),
            lines=lines,
        )
        restricted = collect(AwsConfig(regions=(OTHER_REGION,)))
        iam = boto3.client("iam")
        pages = list(iam.get_paginator("get_account_authorization_details").paginate())
    return World(
        built=built,
        org=org,
        records=records,
        restricted=restricted,
        calls=calls,
        lines=lines,
        gaad_pages=pages,
    )
