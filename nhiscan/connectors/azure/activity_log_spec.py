"""The Azure Activity Log and Entra sign-in readers' options (``--azure-activity-log``,
``--entra-signin-log``), the shared activity window and their ``[azure-activity-log]`` table.
They stand alone, as the CloudTrail reader does: with ``--azure-export`` or the live
connector their summaries join the service principals and managed identities collected."""

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
    cls = connector_class("azure-activity-log")
    from nhiscan.connectors.azure.activity_log import AzureActivityLogConfig

    settings: ActivityLogSettings = sections["azure-activity-log"]
    config = AzureActivityLogConfig(
        activity_logs=tuple(values["azure_activity_log"]),
        sign_in_logs=tuple(values["entra_signin_log"]),
        window=window_of(values, settings.window_days),
        samples=settings.samples,
        set_limit=settings.set_limit,
    )
    connector: Connector = cls(config)
    return connector


SPEC = ConnectorSpec(
    name="azure-activity-log",
    options=(
        OptionSpec(
            flag="--azure-activity-log",
            dest="azure_activity_log",
            multiple=True,
            metavar="PATH",
            help="Read what identities did from Azure Activity Log exports (a diagnostic "
            "setting's PT1H.json files, or az monitor activity-log list's JSON): a folder or "
            "a file (repeat).",
        ),
        OptionSpec(
            flag="--entra-signin-log",
            dest="entra_signin_log",
            multiple=True,
            metavar="PATH",
            help="Read service principal and managed identity sign-ins from Entra sign-in "
            "exports (a diagnostic setting's files, or Graph's auditLogs/signIns JSON): a "
            "folder or a file (repeat).",
        ),
        *window_options("azure_activity_log", "entra_signin_log"),
    ),
    section=ActivityLogSettings,
    build=build,
    identities=False,
    asked=lambda values: bool(values.get("azure_activity_log") or values.get("entra_signin_log")),
    check=check_window,
    order=37,  # after the Azure identities
)
