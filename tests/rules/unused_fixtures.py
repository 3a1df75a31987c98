"""Records of use for the "unused" rules (NHI704, NHI705): an audit trail's scope and summaries,
and IAM's service last-accessed records."""

from __future__ import annotations

from datetime import datetime

from nhiscan.scanner.activity import (
    ActionUse,
    ActivityScope,
    ActivitySummary,
    Outcome,
    ServiceAccess,
)
from nhiscan.scanner.model import Identity, Provider
from tests.factories import ACCOUNT, NOW, days_ago


def trail(
    *,
    accounts: tuple[str, ...] = (ACCOUNT,),
    since: datetime | None = None,
    until: datetime = NOW,
    management_only: bool = False,
    source: str = "/trails/acme",
) -> ActivityScope:
    return ActivityScope(
        provider=Provider.AWS, source=source, since=since or days_ago(120), until=until,
        accounts=accounts, management_only=management_only,
    )  # fmt: skip


def seen(identity: Identity, last: datetime, action: str = "s3:GetObject") -> ActivitySummary:
    """The identity seen once in the trail, at ``last``, doing ``action``."""
    use = ActionUse(action=action, event=f"x.amazonaws.com:{action.split(':')[1]}",
                    resource="*", outcome=Outcome.ALLOWED, first_seen=last, last_seen=last,
                    count=1)  # fmt: skip
    return ActivitySummary(provider=Provider.AWS, identity=identity.id, principal="user",
                           account=identity.account, first_seen=last, last_seen=last, count=1,
                           uses=(use,))  # fmt: skip


def accessed(
    identity: Identity, service: str, last: datetime | None, *, tracked: float = 400
) -> ServiceAccess:
    return ServiceAccess(provider=Provider.AWS, identity=identity.id, service=service,
                         last_accessed=last, tracked_since=days_ago(tracked),
                         account=identity.account)  # fmt: skip
