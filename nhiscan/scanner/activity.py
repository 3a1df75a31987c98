"""What identities were seen doing: the audit trail, summarised so that snapshots stay small.

A trail holds millions of events; a snapshot holds one ``ActivitySummary`` per identity and
session (who acted), each with one ``ActionUse`` per (action, resource pattern, outcome): first
and last seen, how many times, and a few sample events an investigator can pull from the trail.
``ActivityScope`` says what was read (which files, which window) and what was counted apart
(events of cloud services acting for themselves, events no table maps to an action), so that
"no activity" is never read where nothing was looked at.

Provider-neutral: AWS CloudTrail (``connectors/aws/cloudtrail*``), GCP Cloud Audit Logs
(``connectors/gcp/audit_log*``) and Azure Activity Log and Entra sign-in exports
(``connectors/azure/activity_log*``) fill the same records. docs/dev/activity.md has the design.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from nhiscan.scanner.kinds import Provider

RECORD = dict(frozen=True, slots=True, kw_only=True)
# ``model.OMIT_DEFAULT`` (model imports this module): a field the codec leaves out while it
# holds its default, so that records written before it existed read and write the same.
_OMIT_DEFAULT = {"omit": "default"}


class Outcome(StrEnum):
    """Whether the provider let the call through. A call that failed for another reason (no
    such key, a throttle, a bad parameter) passed authorization: it is ``allowed``."""

    ALLOWED = "allowed"
    DENIED = "denied"


@dataclass(**RECORD)
class EventRef:
    """One event, as an investigator pulls it from the trail."""

    id: str  # the provider's event id (CloudTrail's eventID)
    time: datetime
    source: str  # where it was read: the log file's path or s3:// URI


@dataclass(**RECORD)
class DailyCount:
    """Events of one service on one day (UTC), for the report's timeline."""

    day: datetime  # midnight UTC of the day
    service: str  # the action's prefix ("s3"), or the event source's when unmapped
    count: int


@dataclass(**RECORD)
class ActionUse:
    """Every event of one (action, resource pattern, outcome) in one session summary."""

    # The provider's permission the call needed ("s3:ListBucket"); None when no table maps the
    # event: it is counted here all the same, and ``event`` says what it was.
    action: str | None
    event: str  # the provider's own name: "s3.amazonaws.com:ListObjectsV2"
    # The resource acted on, objects folded into their container ("arn:aws:s3:::bucket/*");
    # "*" when the event names none.
    resource: str
    outcome: Outcome
    first_seen: datetime
    last_seen: datetime
    count: int
    samples: tuple[EventRef, ...] = ()  # the first few, in the order read
    error: str | None = None  # the provider's error code of the first denied event


@dataclass(**RECORD)
class ActivitySummary:
    """One identity's activity in one kind of session: the same identity with a different
    source identity, session name pattern, session tags or assuming principal is another
    summary, so that two agents sharing a role are told apart where the trail allows."""

    provider: Provider
    # The identity's stable id as the inventory has it: for an assumed role, the role's ARN
    # with its path (from the session issuer), never the session ARN.
    identity: str
    # How the trail named the caller, in neutral words: "user", "role-session",
    # "federated-user", "root", "account" (another account, not named further), "web-identity",
    # "saml", "service-account" (GCP), "service-principal", "managed-identity" (Azure), or the
    # provider's own type when none fits.
    principal: str
    account: str | None  # the identity's account
    first_seen: datetime
    last_seen: datetime
    count: int
    source_identity: str | None = None  # set when the session was started, carried through
    # The session name with its run-specific parts (long numbers, hex, UUIDs) as "*": runs of
    # one agent fold together ("intake-b-*"), two agents' names stay apart.
    session_name: str | None = None
    session_tags: Mapping[str, str] = field(default_factory=dict)
    # Who started the session, when the trail has that call: a principal's ARN or id.
    assumed_by: str | None = None
    uses: tuple[ActionUse, ...] = ()
    # Bounded sets, sorted: at most ``ActivityScope.set_limit`` values each; ``*_more`` counts
    # what did not fit (events with a value beyond the bound; a lower bound on the values).
    source_ips: tuple[str, ...] = ()
    source_ips_more: int = 0
    user_agents: tuple[str, ...] = ()
    user_agents_more: int = 0
    # Events per (day, service), sorted by day then service: the timeline of this session kind.
    daily: tuple[DailyCount, ...] = ()


@dataclass(**RECORD)
class ActivityScope:
    """What one activity source covered, for the report's scope: a trail's location, the
    window, how much was read and what was counted apart from the summaries."""

    provider: Provider
    source: str  # as given: a folder, or s3://bucket/prefix
    since: datetime
    until: datetime
    # The accounts (projects, subscriptions, tenants) whose logs were read, sorted; an
    # identity of another scope is not covered: nothing is said of its use. () when the source
    # cannot tell (then it is taken to cover only the identities it saw).
    accounts: tuple[str, ...] = ()
    files: int = 0  # log files read
    skipped_files: int = 0  # files outside the window by their path's date, or digests
    events: int = 0  # every event read, including those counted apart
    # Events of the provider's services acting for themselves (not agent activity), by service.
    service_events: Mapping[str, int] = field(default_factory=dict)
    # Events no table maps to an action: counted in the summaries with action None; here the
    # count per event name.
    unmapped: Mapping[str, int] = field(default_factory=dict)
    # Events whose caller could not be named (an identity type the reader does not know).
    unattributed: Mapping[str, int] = field(default_factory=dict)
    set_limit: int = 0  # the bound on each summary's source IPs and user agents
    sample_limit: int = 0  # the bound on each use's samples
    # The source holds management events only (CloudTrail's LookupEvents, its event history):
    # data events (s3:GetObject, lambda:Invoke, ...) are not in it, so its silence says nothing
    # of whether an identity or a data action was used.
    management_only: bool = field(default=False, metadata=_OMIT_DEFAULT)
    # What a person must know of how the source was read: the window cut to what the API keeps,
    # a cap on the events read.
    notes: tuple[str, ...] = field(default=(), metadata=_OMIT_DEFAULT)


@dataclass(**RECORD)
class ServiceAccess:
    """When an identity last used a service, as the provider reports it without a trail (AWS
    IAM's service last-accessed data): coarser than ``ActionUse`` but reaching further back."""

    provider: Provider
    identity: str  # the inventory's stable id
    service: str  # the service namespace ("s3")
    last_accessed: datetime | None  # None: not used in the provider's tracking period
    # Who used it last, when the provider says (a role's session, a group member).
    entity: str | None = None
    # The provider's tracking period starts here: None means "not since" this moment.
    tracked_since: datetime | None = None
    account: str | None = None  # the identity's account
