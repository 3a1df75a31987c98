"""The rule registry. ``ALL_RULES`` is explicit: a rule that is not listed here does not run,
and a meta-test checks every listed rule has a fixture that triggers it and one that does not.
"""

from __future__ import annotations

from nhiscan.rules.agent_gaps import AgentExcessAccess, AgentMissingAccess
from nhiscan.rules.agent_lifecycle import (
    AgentIdentityUnmatched,
    AgentKeyPastRotation,
    AgentOnHumanIdentity,
    DecommissionedAgentActive,
    SharedAgentIdentity,
    UnclaimedNhi,
)
from nhiscan.rules.base import Rule
from nhiscan.rules.data_reach import DataStoreReach
from nhiscan.rules.escalation import (
    CredentialCreationEscalation,
    ExistingComputeEscalation,
    GroupMembershipEscalation,
    PassRoleComputeEscalation,
    PolicyModificationEscalation,
    TrustModificationEscalation,
)
from nhiscan.rules.keys import (
    AccessKeyTooOld,
    AccessKeyUnused,
    ConsoleAndAccessKeys,
    MultipleActiveKeys,
)
from nhiscan.rules.ownership import NhiWithoutOwner
from nhiscan.rules.reach import AdminEquivalentNhi, CrossAccountAssumable, CrossAccountAssume
from nhiscan.rules.roles import RoleUnused
from nhiscan.rules.secrets import LeakedLiveCredential, SecretInRepository, SharedSecret
from nhiscan.rules.trust import CrossAccountTrustWithoutExternalId, PublicTrust

ALL_RULES: tuple[Rule, ...] = (
    AccessKeyTooOld(),
    AccessKeyUnused(),
    MultipleActiveKeys(),
    ConsoleAndAccessKeys(),
    CrossAccountTrustWithoutExternalId(),
    PublicTrust(),
    NhiWithoutOwner(),
    RoleUnused(),
    AdminEquivalentNhi(),
    PolicyModificationEscalation(),
    GroupMembershipEscalation(),
    CredentialCreationEscalation(),
    TrustModificationEscalation(),
    PassRoleComputeEscalation(),
    ExistingComputeEscalation(),
    CrossAccountAssume(),
    CrossAccountAssumable(),
    DataStoreReach(),
    SecretInRepository(),
    LeakedLiveCredential(),
    SharedSecret(),
    AgentExcessAccess(),
    AgentMissingAccess(),
    DecommissionedAgentActive(),
    SharedAgentIdentity(),
    AgentOnHumanIdentity(),
    AgentKeyPastRotation(),
    UnclaimedNhi(),
    AgentIdentityUnmatched(),
)
