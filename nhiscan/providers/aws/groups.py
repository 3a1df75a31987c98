"""is_admin hops from groups: whether joining a group makes a member an administrator.

An escalation into a group (``iam:AddUserToGroup``) gains the group's permissions, but a group
is not a principal: the authorizer cannot be asked about it. So each group an escalation leads
to is judged as a hypothetical member would be: a user of the group's account holding only the
group's policies, with no permission boundary, under the SCPs above the account. When that
member is an administrator, the group gets an ``is_admin`` hop to its account's admin sink,
and a path through the group reaches admin.

The joiner's own permission boundary and Deny statements are not applied to the hop: the graph
is the same for every principal. A boundary that does not allow ``*`` caps a joiner whatever
the group grants (escalation findings show the principal's boundary in their evidence).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from nhiscan.providers.aws.catalog import Catalog
from nhiscan.providers.aws.policy import EstateAuthorizer
from nhiscan.scanner.authz import Decision
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph.model import EdgeKind, Hop, admin_node
from nhiscan.scanner.model import Group, Identity, IdentityKind

MEMBER_NAME = "nhiscan-hypothetical-member"


def group_admin_hops(estate: Estate, catalog: Catalog, groups: Iterable[str]) -> Iterator[Hop]:
    """An is_admin hop for each of ``groups`` (ids of the estate) whose member is an admin."""
    wanted = sorted({g for g in groups if g in estate.groups})
    if not wanted:
        return
    members = {g: _member(estate.groups[g]) for g in wanted}
    # Only the hypothetical members are principals; policies, groups and accounts are shared.
    derived = replace(
        estate,
        identities={m.id: m for m in members.values()},
        resources={},
        credentials_of={},
    )
    authorizer = EstateAuthorizer(derived, catalog)
    for group_id, member in members.items():
        result = authorizer.is_admin(member.id)
        if result.decision.possible:
            yield Hop(
                source=group_id,
                target=admin_node(estate.groups[group_id].account),
                edge=EdgeKind.IS_ADMIN,
                statements=result.allowed_by,
                conditional=result.decision is Decision.CONDITIONAL,
            )


def _member(group: Group) -> Identity:
    partition = group.id.split(":")[1] if group.id.startswith("arn:") else "aws"
    return Identity(
        provider=group.provider,
        id=f"arn:{partition}:iam::{group.account}:user/{MEMBER_NAME}/{group.name}",
        name=MEMBER_NAME,
        kind=IdentityKind.IAM_USER,
        account=group.account,
        member_of=(group.id,),
        is_human=False,
    )
