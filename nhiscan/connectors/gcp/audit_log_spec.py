"""The Cloud Audit Logs reader's option (``--gcp-audit-log``), the shared activity window and
its ``[gcp-audit-log]`` table. It stands alone, as the CloudTrail reader does: with
``--gcp-assets`` or ``--gcp-project`` its summaries join the service accounts collected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nhiscan.connectors import connector_class
from nhiscan.connectors.activity_window import (
    ActivityLogSettings,
    check_window,
    window_of,
    window_options,
)
from nhiscan.connectors.base import Connector, ConnectorSpec, OptionSpec


def build(values: Mapping[str, Any], sections: Mapping[str, Any]) -> Connector:
    cls = connector_class("gcp-audit-log")
    from nhiscan.connectors.gcp.audit_log import GcpAuditLogConfig

    settings: ActivityLogSettings = sections["gcp-audit-log"]
    config = GcpAuditLogConfig(
        locations=tuple(values["gcp_audit_log"]),
        window=window_of(values, settings.window_days),
        samples=settings.samples,
        set_limit=settings.set_limit,
    )
    connector: Connector = cls(config)
    return connector


SPEC = ConnectorSpec(
    name="gcp-audit-log",
    options=(
        OptionSpec(
            flag="--gcp-audit-log",
            dest="gcp_audit_log",
            multiple=True,
            metavar="PATH",
            help="Read what identities did from Cloud Audit Logs exported by Logging (JSON "
            "lines or gcloud's JSON, gzip allowed): a folder or a file (repeat).",
        ),
        *window_options("gcp_audit_log"),
    ),
    section=ActivityLogSettings,
    build=build,
    identities=False,
    asked=lambda values: bool(values.get("gcp_audit_log")),
    check=check_window,
    order=31,  # after the GCP identities
)
