"""The neutral rules. ``CORE_RULES`` is explicit: a rule that is not listed here does not run.
Each provider adds its own (``nhiscan.rules.provider``); ``nhiscan.app.rules.all_rules()``
assembles both, and a meta-test checks every rule has a fixture that triggers it and one that
does not.
"""

from __future__ import annotations

from nhiscan.rules.agent_behaviour import AgentBehaviourChanged
from nhiscan.rules.agent_gaps import AgentExcessAccess, AgentMissingAccess
from nhiscan.rules.agent_lifecycle import (
    AgentIdentityUnmatched,
    AgentKeyPastRotation,
    AgentOnHumanIdentity,
    DecommissionedAgentActive,
    SharedAgentIdentity,
    UnclaimedNhi,
)
from nhiscan.rules.agent_usage import (
    AgentDeniedAttempts,
    AgentUsedOutsidePlan,
    PlannedButUnused,
    RevocableUnusedGrant,
)
from nhiscan.rules.base import Rule
from nhiscan.rules.escalation import (
    CredentialCreationEscalation,
    ExistingComputeEscalation,
    GroupMembershipEscalation,
    PassRoleComputeEscalation,
    PolicyModificationEscalation,
    TrustModificationEscalation,
)
from nhiscan.rules.federation import (
    FederationAdmitsPullRequests,
    FederationAudienceNotPinned,
    KeysBesideFederatedTrust,
    OrphanFederationRegistration,
    WildcardFederationTrust,
)
from nhiscan.rules.federation_repos import TrustedRepositoryMissing
from nhiscan.rules.keys import AccessKeyTooOld, AccessKeyUnused, MultipleActiveKeys
from nhiscan.rules.ownership import NhiWithoutOwner
from nhiscan.rules.reach import AdminEquivalentNhi
from nhiscan.rules.secrets import LeakedLiveCredential, SecretInRepository, SharedSecret
from nhiscan.rules.unused import UnusedIdentity, UnusedServiceGrant

CORE_RULES: tuple[Rule, ...] = (
    AccessKeyTooOld(),
    AccessKeyUnused(),
    MultipleActiveKeys(),
    NhiWithoutOwner(),
    AdminEquivalentNhi(),
    PolicyModificationEscalation(),
    GroupMembershipEscalation(),
    CredentialCreationEscalation(),
    TrustModificationEscalation(),
    PassRoleComputeEscalation(),
    ExistingComputeEscalation(),
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
    WildcardFederationTrust(),
    FederationAdmitsPullRequests(),
    FederationAudienceNotPinned(),
    OrphanFederationRegistration(),
    KeysBesideFederatedTrust(),
    TrustedRepositoryMissing(),
    AgentUsedOutsidePlan(),
    RevocableUnusedGrant(),
    PlannedButUnused(),
    AgentDeniedAttempts(),
    AgentBehaviourChanged(),
    UnusedIdentity(),
    UnusedServiceGrant(),
)
