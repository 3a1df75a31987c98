"""The live GCP connector's options and its ``[gcp]`` table; not a default source: GCP is
collected when a ``--gcp-*`` option is given (the table's projects, folder or organization
stand in for the command line's when it names none)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec
from nhiscan.errors import ConfigError

SCOPE_FLAGS = "--gcp-project, --gcp-folder or --gcp-organization"


@dataclass(frozen=True, slots=True, kw_only=True)
class GcpSettings:
    projects: tuple[str, ...] = ()
    folder: str | None = None
    organization: str | None = None
    impersonate: str | None = None  # a service account e-mail: collect as it, keyless
    quota_project: str | None = None  # the project API quotas are charged to
    use_assets: bool = True  # folders and organizations through Cloud Asset when allowed
    max_workers: int = field(default=8, metadata={"max": 64})


def check(values: Mapping[str, Any]) -> None:
    if values.get("gcp_folder") and values.get("gcp_organization"):
        raise ConfigError("choose one of --gcp-folder and --gcp-organization")


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("gcp")
    from nhiscan.connectors.gcp.live import GcpConfig

    gcp: GcpSettings = sections["gcp"]
    given = values["gcp_projects"] or values["gcp_folder"] or values["gcp_organization"]
    projects, folder, organization = (
        (values["gcp_projects"], values["gcp_folder"], values["gcp_organization"])
        if given
        else (gcp.projects, gcp.folder, gcp.organization)
    )
    if not (projects or folder or organization):
        raise ConfigError(
            f"--gcp-impersonate needs a scope: {SCOPE_FLAGS} (or projects, folder or "
            f"organization in the [gcp] table of nhiscan.toml)"
        )
    if folder and organization:
        raise ConfigError("[gcp] in nhiscan.toml: choose one of folder and organization")
    config = GcpConfig(
        projects=tuple(projects), folder=folder, organization=organization,
        impersonate=values["gcp_impersonate"] or gcp.impersonate,
        quota_project=gcp.quota_project, use_assets=gcp.use_assets, max_workers=gcp.max_workers,
    )  # fmt: skip
    connector: Connector = cls(config)
    return connector


SPEC = ConnectorSpec(
    name="gcp",
    options=(
        OptionSpec(flag="--gcp-project", dest="gcp_projects", multiple=True, metavar="ID",
                   help="GCP project id (repeat)."),
        OptionSpec(flag="--gcp-folder", dest="gcp_folder", metavar="ID",
                   help="Every active GCP project below this folder."),
        OptionSpec(flag="--gcp-organization", dest="gcp_organization", metavar="ID",
                   help="Every active GCP project of this organization."),
        OptionSpec(flag="--gcp-impersonate", dest="gcp_impersonate", metavar="SA_EMAIL",
                   help="Act as this service account (keyless); needs a GCP scope."),
    ),
    section=GcpSettings,
    build=build,
    check=check,
    order=30,
)  # fmt: skip
