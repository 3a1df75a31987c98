"""The "unused" rules' metadata (NHI704, NHI705), as data. The services whose unused grant
weighs more are each provider's ``ProviderFacts.sensitive_services``."""

from __future__ import annotations

from nhiscan.rules.base import RuleMeta
from nhiscan.scanner.model import Severity

UNUSED_IDENTITY = RuleMeta(
    id="NHI704",
    name="unused-identity",
    severity=Severity.MEDIUM,
    summary=(
        "A machine identity nothing used for [activity] unused_days, where an audit trail "
        "over its account or the provider's service last-accessed data covered that span; "
        "states its last use when known. High when it is (or can become) an administrator or "
        "reaches a data store. Unlike NHI002 (one key's last use) and NHI008 (a role's "
        "RoleLastUsed alone), it judges the identity from every use known; NHI008 leaves the "
        "roles it covers to it."
    ),
    remediation=(
        "Confirm with its owner that nothing runs as it, remove its permissions (or deactivate "
        "its keys), then delete it after a waiting period. An identity nobody uses is standing "
        "access nobody watches."
    ),
)
UNUSED_SERVICE_GRANT = RuleMeta(
    id="NHI705",
    name="unused-service-grant",
    severity=Severity.LOW,
    summary=(
        "A machine identity is granted services (any of their actions) it has not used for "
        "[activity] unused_days, by the provider's service last-accessed data and the audit "
        "trail: lists each service's last use and the statements that grant it. Medium when "
        "one of them holds data, keys or secrets (the provider's sensitive services)."
    ),
    remediation=(
        "Remove the unused services from the statements listed (or replace the policy with one "
        "naming only the services used): the decision Repokid makes from the same data. Wait "
        "for a service used less often than the span (a quarterly job) to be accounted for "
        "first."
    ),
)
