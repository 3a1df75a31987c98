"""The AWS provider's rules: what only IAM has (console logins next to access keys, trust
policies, role last use, cross-account assumption, S3/KMS/Secrets Manager reach; the
escalation rules are neutral, in ``nhiscan.rules.escalation``). ``RULES`` is the provider's
part of the rule registry: its registry entry names this module
(``nhiscan.providers.ProviderEntry.rules``, contract in ``nhiscan.rules.provider``).
"""

from __future__ import annotations

from nhiscan.providers.aws.rules.cross_account import CrossAccountAssumable, CrossAccountAssume
from nhiscan.providers.aws.rules.data_reach import DataStoreReach
from nhiscan.providers.aws.rules.keys import ConsoleAndAccessKeys
from nhiscan.providers.aws.rules.roles import RoleUnused
from nhiscan.providers.aws.rules.trust import CrossAccountTrustWithoutExternalId, PublicTrust
from nhiscan.rules.base import Rule

RULES: tuple[Rule, ...] = (
    ConsoleAndAccessKeys(),
    CrossAccountTrustWithoutExternalId(),
    PublicTrust(),
    RoleUnused(),
    CrossAccountAssume(),
    CrossAccountAssumable(),
    DataStoreReach(),
)
