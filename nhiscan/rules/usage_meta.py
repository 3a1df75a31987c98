"""The audit trail rules' metadata (issue #19, NHI700 to NHI703): ids, severities, summaries
and remediation, as data."""

from __future__ import annotations

from nhiscan.rules.base import RuleMeta
from nhiscan.scanner.model import Severity

OUTSIDE_PLAN = RuleMeta(
    id="NHI700",
    name="agent-used-outside-plan",
    severity=Severity.HIGH,
    summary=(
        "The audit trail shows an agent's own sessions doing what its plan does not need: a "
        "compromise, or a plan that no longer describes the workflow. Critical for a write or "
        "permissions-management action. Sessions that cannot be told apart from another "
        "agent's are never counted."
    ),
    remediation=(
        "Pull the events named in the finding and find out who acted: if the workflow does "
        "this, add the step to the agent file; if not, revoke the session's credentials, "
        "remove the grant and investigate the source IPs and user agents."
    ),
)
REVOCABLE = RuleMeta(
    id="NHI701",
    name="revocable-unused-grant",
    severity=Severity.MEDIUM,
    summary=(
        "A grant an agent's plan does not need was not used for [activity] unused_days (the "
        "trail covered the identity's account): safe to revoke, with the exact statements to "
        "remove or narrow and the last use, or when it was never seen since the window began."
    ),
    remediation=(
        "Remove (or narrow to the needed resources) the policy statements the finding names, "
        "or replace the policies with the least-privilege policy of NHI300."
    ),
)
PLANNED_UNUSED = RuleMeta(
    id="NHI702",
    name="planned-but-unused",
    severity=Severity.LOW,
    summary=(
        "An agent's plan needs access none of its sessions used in the audit trail's window: "
        "the plan (and the grants it justifies) may be stale. Only identities whose account the "
        "trail covered are judged."
    ),
    remediation=(
        "Check whether the step still runs: remove it from the agent file (and the grant it "
        "justifies) if not, or widen the trail's window if it runs rarely."
    ),
)
DENIED = RuleMeta(
    id="NHI703",
    name="agent-denied-attempts",
    severity=Severity.MEDIUM,
    summary=(
        "An agent's sessions were refused actions: the plan or its grants are wrong (a step "
        "lacks access), or something probes with the agent's credentials."
    ),
    remediation=(
        "Pull the events named in the finding: grant the access if the plan needs it (NHI301 "
        "names the missing permissions), otherwise find what made the calls."
    ),
)
