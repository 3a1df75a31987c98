"""The agent rules' metadata: ids, severities, summaries and remediation, as data."""

from __future__ import annotations

from nhiscan.rules.base import RuleMeta
from nhiscan.scanner.model import Severity

EXCESS = RuleMeta(
    id="NHI300",
    name="agent-excess-access",
    severity=Severity.HIGH,
    summary=(
        "An identity an agent runs as is granted access its declared workflow does not need: "
        "unneeded actions, needed actions on more resources than needed, administrator access "
        "or an escalation path. Severity follows the exposure score's band."
    ),
    remediation=(
        "Replace the identity's policies with the least-privilege policy in the finding (nhiscan "
        "compile renders it from the agent file), or add the missing step to the agent file if "
        "the workflow really does this."
    ),
    needs_graph=True,
)
MISSING = RuleMeta(
    id="NHI301",
    name="agent-missing-access",
    severity=Severity.MEDIUM,
    summary=(
        "An agent's workflow needs access none of its identities has: the steps listed will "
        "fail when they run."
    ),
    remediation=(
        "Grant the missing permissions (they are in the least-privilege policy), or correct the "
        "agent file if the step is wrong."
    ),
    needs_graph=True,
)
DECOMMISSIONED = RuleMeta(
    id="NHI302",
    name="decommissioned-agent-still-active",
    severity=Severity.HIGH,
    summary=(
        "An agent is marked decommissioned but an identity it ran as still has an active key or "
        "password, or is a role that can still be assumed; critical when used since."
    ),
    remediation=(
        "Deactivate and delete the keys, delete the role or empty its trust policy, and remove "
        "the identity once nothing depends on it."
    ),
)
SHARED = RuleMeta(
    id="NHI303",
    name="agent-shared-identity",
    severity=Severity.MEDIUM,
    summary=(
        "Two or more agents run as the same identity: each gets the other's access, and "
        "activity cannot be told apart."
    ),
    remediation="Give each agent its own identity with its own least-privilege policy.",
)
HUMAN = RuleMeta(
    id="NHI304",
    name="agent-on-human-identity",
    severity=Severity.HIGH,
    summary="An agent runs as an identity that belongs to a person (console login, MFA, name).",
    remediation=(
        "Create a dedicated machine identity for the agent with the least-privilege policy and "
        "stop using the person's credentials."
    ),
)
ROTATION = RuleMeta(
    id="NHI305",
    name="agent-key-past-rotation",
    severity=Severity.MEDIUM,
    summary=(
        "An access key of an agent's identity is older than the agent's own rotation policy "
        "(credentials.max_key_age_days in the agent file)."
    ),
    remediation="Rotate the key: create a new one, deploy it to the agent, delete the old one.",
)
UNCLAIMED = RuleMeta(
    id="NHI306",
    name="nhi-unclaimed",
    severity=Severity.LOW,
    summary=(
        "A non-human identity no agent file claims (dark matter): high when it is an "
        "administrator, medium when it reaches resources. Listed with its reach, largest first."
    ),
    remediation=(
        "Find who uses it: claim it in an agent file with its workflow, or remove it if nothing "
        "does."
    ),
)
UNMATCHED = RuleMeta(
    id="NHI307",
    name="agent-identity-unmatched",
    severity=Severity.MEDIUM,
    summary=(
        "An agent file names identities that match nothing in the inventory; high when none "
        "of the agent's identities match (the agent runs as something unknown, or the file is "
        "stale)."
    ),
    remediation=(
        "Correct the identity reference (ARN, tag or name) in the agent file, or remove the "
        "agent if it no longer exists."
    ),
)
