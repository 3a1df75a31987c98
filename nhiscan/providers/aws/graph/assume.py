"""can_assume hops from trust policies: which principals of the estate may call
``sts:AssumeRole`` on which role, each decided by the evaluator.

Candidates are narrowed first (the prefilter: what a principal's policies could ever allow);
the narrowing only skips requests that could not be allowed, the authorizer still judges the
rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from nhiscan.providers.aws.privesc.prefilter import PolicyPrefilter, prefilter
from nhiscan.providers.aws.statements import account_of, statements
from nhiscan.scanner.authz import Authorizer
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop, granted_hop
from nhiscan.scanner.model import IdentityKind

ASSUME = "sts:AssumeRole"


def assume_hops(estate: Estate, authorizer: Authorizer, principals: Sequence[str]) -> Iterator[Hop]:
    """A can_assume hop for each (caller, role) of the estate the evaluator may allow."""
    could = prefilter(estate, authorizer)
    able = [p for p in principals if could(p, ASSUME)]
    # A trust naming an account admits only callers whose own policies allow sts:AssumeRole
    # (any trust policy in the snapshot makes `could` true for everyone: not enough here).
    delegated = PolicyPrefilter(estate).identity_could_allow
    by_account: dict[str, list[str]] = {}
    for principal in able:
        if delegated(principal, ASSUME):
            by_account.setdefault(estate.identities[principal].account, []).append(principal)
    known = set(principals)
    for role in sorted(estate.identities.values(), key=lambda i: i.id):
        if role.kind is not IdentityKind.IAM_ROLE:
            continue
        for caller in sorted(_trusted_callers(estate, role.trust_policy, known, able, by_account)):
            if caller == role.id:
                continue
            result = authorizer.evaluate(caller, ASSUME, role.id)
            if result.decision.possible:
                yield granted_hop(caller, role.id, EdgeKind.CAN_ASSUME, result)


def _trusted_callers(
    estate: Estate,
    trust_id: str | None,
    known: set[str],
    able: list[str],
    by_account: dict[str, list[str]],
) -> set[str]:
    """The principals of the estate a role's trust policy could admit. A trust naming an exact
    ARN admits it without any identity policy (same account); an account or "*" admits only
    callers whose own policies may allow sts:AssumeRole."""
    trust = estate.policy(trust_id)
    if trust is None:
        # Not collected (a gap says so): anyone who may call sts:AssumeRole might be admitted,
        # and the evaluator answers CONDITIONAL for them rather than nothing.
        return set(able)
    found: set[str] = set()
    for statement in statements(trust.document):
        if not statement.allows:
            continue
        if statement.not_principals is not None:
            found.update(able)
            continue
        for value in statement.principal_values("AWS"):
            found.update(_named(value.strip(), known, able, by_account))
    return found


def _named(
    value: str, known: set[str], able: list[str], by_account: dict[str, list[str]]
) -> Iterable[str]:
    if value == "*":
        return able
    if value in known:
        return (value,)
    account = account_of(value)
    if account is not None and (value == account or value.endswith(":root")):
        return by_account.get(account, ())
    return ()
