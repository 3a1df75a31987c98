"""The resource side of a request: what the snapshot knows about an ARN and which policy of its
own takes part.

- A role ARN asked about with an sts:AssumeRole* action (or sts:TagSession,
  sts:SetSourceIdentity, sts:SetContext): the role's trust policy, which must admit the caller.
- A resource of the estate with a resource policy (bucket, key, secret, function): that policy.
  An S3 object ARN takes its bucket's policy. A KMS key's policy must admit the caller.
- An ARN the snapshot does not hold: its account from the ARN when it has one, no known policy.

Resource tags (``aws:ResourceTag/*``) are the resource's, or the identity's for a user or role
ARN; unknown for anything else (S3 objects included: their tags are object tags).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from nhiscan.providers.aws.policy.bound import BoundPolicy, Role, Target
from nhiscan.providers.aws.policy.context import ResourceFacts, lower_keys
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Account, IdentityKind, Resource, ResourceKind

TRUST_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)
# Resources whose own policy must allow, whatever identity policies say (AWS KMS: "no AWS
# principal has any permissions to a KMS key unless ... the key policy").
POLICY_REQUIRED = frozenset({ResourceKind.KMS_KEY})

_ARN_ACCOUNT = re.compile(r"^arn:[a-z0-9-]+:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
_ROLE_ARN = re.compile(r"^arn:[a-z0-9-]+:iam::\d{12}:role/")
_S3_OBJECT = re.compile(r"^(arn:[a-z0-9-]+:s3:::[^/]+)/")

Bind = Callable[[str, Role], BoundPolicy]


class TargetResolver:
    """Builds (and caches) the :class:`Target` of a resource ARN for an action."""

    def __init__(self, estate: Estate, accounts: Mapping[str, Account], bind: Bind) -> None:
        self._estate = estate
        self._accounts = accounts
        self._bind = bind
        # Per resource, for the actions a trust policy answers (``TRUST_ACTIONS``) and the rest:
        # two answers at most per ARN, whatever the number of actions asked about it.
        self._plain: dict[str, Target] = {}
        self._trust: dict[str, Target] = {}
        self._trust_actions: dict[str, bool] = {}

    def target(self, resource: str, action: str) -> Target:
        trust = self._trust_actions.get(action)
        if trust is None:
            trust = self._trust_actions[action] = action.lower() in TRUST_ACTIONS
        cache = self._trust if trust else self._plain
        found = cache.get(resource)
        if found is None:
            if trust and _ROLE_ARN.match(resource) is not None:
                found = self._build(resource, trust=True)
            else:
                found = self._plain.get(resource) or self._build(resource, trust=False)
                self._plain[resource] = found
            cache[resource] = found
        return found

    def _build(self, resource: str, *, trust: bool) -> Target:
        if resource == "*":
            return Target(facts=ResourceFacts(arn="*"))
        identity = self._estate.identities.get(resource)
        if identity is not None:
            facts = self._facts(resource, identity.account, lower_keys(identity.tags))
            if not trust:
                return Target(facts=facts)
            policy = identity.trust_policy if identity.kind is IdentityKind.IAM_ROLE else None
            bound = None if policy is None else self._bind(policy, Role.TRUST)
            return Target(facts=facts, policy=bound, required=True)
        if trust:  # a role the snapshot does not hold: its trust is unknown
            return Target(facts=self._facts(resource, _arn_account(resource), None), required=True)
        return self._resource_target(resource)

    def _resource_target(self, resource: str) -> Target:
        owner = self._estate.resources.get(resource)
        tags: dict[str, str] | None = None if owner is None else lower_keys(owner.tags)
        if owner is None:
            bucket = _S3_OBJECT.match(resource)
            owner = self._estate.resources.get(bucket.group(1)) if bucket else None
        if owner is None:
            account = _arn_account(resource)
            return Target(facts=self._facts(resource, account, None), known=False)
        return self._owned(resource, owner, tags)

    def _owned(self, resource: str, owner: Resource, tags: dict[str, str] | None) -> Target:
        facts = self._facts(resource, owner.account, tags)
        bound = None if owner.policy is None else self._bind(owner.policy, Role.RESOURCE)
        return Target(facts=facts, policy=bound, required=owner.kind in POLICY_REQUIRED)

    def _facts(self, arn: str, account: str | None, tags: dict[str, str] | None) -> ResourceFacts:
        record = self._accounts.get(account) if account is not None else None
        org_id = record.org_id if record is not None else None
        parents = record.parents if record is not None else ()
        return ResourceFacts(
            arn=arn,
            account=account,
            tags=tags,
            org_id=org_id,
            org_path=f"{org_id}/{'/'.join(parents)}/" if org_id and parents else None,
        )


def _arn_account(arn: str) -> str | None:
    match = _ARN_ACCOUNT.match(arn)
    return match.group(1) if match else None
