"""The records every connector yields and every analysis reads.

Frozen, keyword-only dataclasses. ``None`` means unknown, never "N/A" or "". Datetimes are
timezone-aware UTC. Provider-specific facts that several providers share a meaning for are
fields; nothing is hidden in free-form dictionaries except raw policy documents, which are kept
exactly as the provider returned them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

# The kinds are defined in kinds.py and read from here, as they always were.
from nhiscan.scanner.activity import ActivityScope, ActivitySummary, ServiceAccess
from nhiscan.scanner.facts import CatalogInfo
from nhiscan.scanner.kinds import CredentialKind as CredentialKind
from nhiscan.scanner.kinds import CredentialStatus as CredentialStatus
from nhiscan.scanner.kinds import IdentityKind as IdentityKind
from nhiscan.scanner.kinds import OpenStrEnum as OpenStrEnum
from nhiscan.scanner.kinds import PolicyKind as PolicyKind
from nhiscan.scanner.kinds import Provider as Provider
from nhiscan.scanner.kinds import ResourceKind as ResourceKind
from nhiscan.scanner.kinds import Severity as Severity

RECORD = dict(frozen=True, slots=True, kw_only=True)
# Field metadata: the field holds the id of a ``Policy`` (readers find such fields by this,
# without naming them: ``policy_reference_fields``).
REFERS_TO_POLICY = {"refers_to": "policy"}
# Field metadata: the codec leaves the field out while it holds its default (fields added for
# one cloud cost the records of the others nothing: their files and reports stay as they were).
OMIT_DEFAULT = {"omit": "default"}


@dataclass(**RECORD)
class Account:
    """An AWS account, Azure subscription or GCP project that was (or should have been) scanned."""

    provider: Provider
    id: str
    name: str | None = None
    org_id: str | None = None
    # Organization path from the root down to the direct parent: ("r-ab12", "ou-ab12-xyz").
    parents: tuple[str, ...] = ()
    is_management: bool | None = None
    # The provider's other id for it, when it has one (a GCP project number).
    native_id: str | None = field(default=None, metadata=OMIT_DEFAULT)


@dataclass(**RECORD)
class Identity:
    provider: Provider
    id: str  # stable id: ARN, object id, service-account email
    name: str
    kind: IdentityKind
    account: str
    native_id: str | None = None  # AIDA…/AROA… unique id, object id
    path: str | None = None
    description: str | None = None
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    owner: str | None = None  # a native owner when the provider has one (not from tags)
    # True: a person; False: a machine; None: cannot tell. Filled by connectors when the
    # provider says so, otherwise by the analysis (scanner/humans.py) with its reason.
    is_human: bool | None = None
    human_reason: str | None = None
    # Policy ids attached to this identity (managed ARNs and inline policy ids).
    policies: tuple[str, ...] = ()
    member_of: tuple[str, ...] = ()  # group ids
    permissions_boundary: str | None = field(default=None, metadata=REFERS_TO_POLICY)
    # The policy id of a role's assume-role policy.
    trust_policy: str | None = field(default=None, metadata=REFERS_TO_POLICY)
    console_access: bool | None = None  # has a console password (None: not collected)
    password_last_used: datetime | None = None
    mfa_devices: int | None = None
    max_session_seconds: int | None = None
    service_linked: bool | None = None
    instance_profiles: tuple[str, ...] = ()
    # True: the provider refuses to let it act (its keys included); None: not collected.
    disabled: bool | None = field(default=None, metadata=OMIT_DEFAULT)
    # The provider's own word for the identity's type when its kind does not say it all (an
    # Entra service principal's servicePrincipalType: Application, ManagedIdentity, Legacy).
    subtype: str | None = field(default=None, metadata=OMIT_DEFAULT)
    # The account (directory) that defines the identity when it is not ``account`` or may not
    # be: an Entra service principal's appOwnerOrganizationId (a foreign application's tenant).
    home_account: str | None = field(default=None, metadata=OMIT_DEFAULT)
    # The cloud resource the identity belongs to: an Azure managed identity's ARM id (the
    # user-assigned identity, or the compute of a system-assigned one).
    resource: str | None = field(default=None, metadata=OMIT_DEFAULT)
    # Who may sign in to it: an Entra application's signInAudience (AzureADMultipleOrgs: any
    # tenant may instantiate it).
    audience: str | None = field(default=None, metadata=OMIT_DEFAULT)

    @property
    def provider_managed(self) -> bool:
        """Created, owned and rotated by the provider itself, not by the customer (an AWS
        service-linked role; later a GCP service agent, a Microsoft first-party principal):
        inventoried, never held to the customer's ownership or lifecycle standards. Read from
        the snapshot's ``service_linked`` (snapshot v2 has no neutral field for it)."""
        return bool(self.service_linked)


@dataclass(**RECORD)
class Group:
    provider: Provider
    id: str
    name: str
    account: str
    path: str | None = None
    created: datetime | None = None
    policies: tuple[str, ...] = ()


@dataclass(**RECORD)
class Credential:
    provider: Provider
    id: str  # the key id, never the secret
    identity: str  # the identity's stable id
    kind: CredentialKind
    account: str
    status: CredentialStatus | None = None
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None
    expires: datetime | None = None
    # A hash usable to join with secrets found in code (see scanner/fingerprint.py).
    fingerprint: str | None = None
    # Why it is not active, in neutral words ("exposed", "compromise-detected", "user");
    # None when active or not said.
    status_reason: str | None = field(default=None, metadata=OMIT_DEFAULT)
    # Who made the key material: "user-provided" (an uploaded public key), "google-provided".
    origin: str | None = field(default=None, metadata=OMIT_DEFAULT)
    # The object that holds the credential when it is not the identity itself: an Entra
    # application's object id (its secret signs in as the application's service principal).
    holder: str | None = field(default=None, metadata=OMIT_DEFAULT)


@dataclass(**RECORD)
class Policy:
    provider: Provider
    id: str  # managed policy ARN, or "<owner id>#inline/<name>", "<role arn>#trust", ...
    name: str
    kind: PolicyKind
    account: str | None
    document: Mapping[str, Any]  # exactly as the provider returned it, decoded from JSON
    version: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    # Where it is attached when the attachment is not recorded on the other side
    # (SCP targets: root, OU and account ids; resource policies: the resource id).
    attached_to: tuple[str, ...] = ()


@dataclass(**RECORD)
class Resource:
    provider: Provider
    id: str  # ARN
    name: str
    kind: ResourceKind
    account: str
    region: str | None = None
    policy: str | None = None  # id of its resource policy, when it has one
    # Compute that runs as an identity: the role ARN (Lambda) or instance profile ARN (EC2).
    runs_as: str | None = None
    state: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    # Further identities the compute runs as, beyond ``runs_as`` (an Azure resource carries a
    # system-assigned and several user-assigned managed identities).
    also_runs_as: tuple[str, ...] = field(default=(), metadata=OMIT_DEFAULT)


class GapReason(StrEnum):
    ACCESS_DENIED = "access-denied"
    THROTTLED = "throttled"
    REGION_DISABLED = "region-disabled"
    NOT_IN_EXPORT = "not-in-export"  # an offline export lacks this part
    FAILED = "failed"
    # A policy collected but AWS's grammar rejects it or nhiscan cannot evaluate it all
    # (scanner/policy_syntax.py): kept as collected, what rests on it is not certain.
    UNREADABLE_POLICY = "unreadable-policy"
    # Records of a cloud no installed provider analyses: inventoried, not analysed (their
    # access, escalation paths and agent gaps are unknown, not absent).
    NO_PROVIDER = "no-provider"
    # The cloud's API for this part is turned off in the scope: neither a denial nor
    # throttling; the remedy is enabling the API.
    API_DISABLED = "api-disabled"
    # The tenant lacks the licence the part needs (Entra ID P1/P2 for sign-in reports and PIM):
    # neither a denial nor a failure; the remedy is a licence, or accepting the unknown.
    UNLICENSED = "unlicensed"


@dataclass(**RECORD)
class CollectionGap:
    """Something nhiscan could not examine. Never to be read as "nothing there"."""

    provider: Provider
    scope: str  # "123456789012", "123456789012/eu-west-1", a repository, ...
    operation: str  # the API call or step: "iam:ListAccessKeys"
    reason: GapReason
    detail: str  # what the provider said, for a person
    subject: str | None = None  # the item it concerned, when it was one item


class SkipReason(StrEnum):
    BINARY = "binary"  # a NUL byte near the start, as git decides
    TOO_LARGE = "too-large"  # over the configured size limit


@dataclass(**RECORD)
class Exposure:
    """One distinct secret found in one repository. Never the secret: a redacted prefix and
    a hash. Found at several paths or commits, it is still one exposure: the first commit that
    introduced it, and every place it is at HEAD (or in the working tree)."""

    id: str  # "<repository>#<secret_hash[:16]>"
    repository: str  # the repository as given: a path or a clone URL
    detector: str  # the most specific detector's type: "AWS Access Key ID", "GitHub Token"
    detectors: tuple[str, ...]  # every detector that matched the same secret
    secret_hash: str  # sha256 of the secret, hex
    # A short prefix and the length, e.g. "ghp_…(40 chars)"; a key id found alone (an
    # identifier, not a secret) is shown whole, as the inventory shows it (secrets/redact.py).
    redacted: str
    provider: Provider | None  # whose credential it is, when a cloud's; None otherwise
    path: str  # where it first appeared
    line: int
    commit: str | None = None  # the commit that introduced it (None: not from git history)
    author: str | None = None
    committed_at: datetime | None = None
    at_head: bool | None = None  # still in HEAD's tree (or the working tree); None: unknown
    locations: tuple[str, ...] = ()  # "path:line" wherever it is at HEAD / in the files
    # A public identifier that comes with the secret: AWS access key id, GCP private_key_id,
    # Azure client id. Used for the join; never the secret itself.
    credential_id: str | None = None
    fingerprint: str | None = None  # joins Credential.fingerprint (scanner/fingerprint.py)
    account: str | None = None  # AWS account decoded offline from the key id
    principal_hint: str | None = None  # GCP client_email, Azure tenant/client ids
    secret_paired: bool | None = None  # AWS: the secret access key sits in the same file
    # What the value looks like where it was found ("placeholder-password", "loopback-host"):
    # names from scanner/secrets_judge.py's TRAITS, which NHI200 judges the severity by.
    traits: tuple[str, ...] = ()
    verification: str | None = (
        None  # "valid", "invalid", "error", "unverifiable"; None: not checked
    )
    verified_identity: str | None = None  # the ARN sts:GetCallerIdentity returned
    verification_detail: str | None = None


@dataclass(**RECORD)
class Repository:
    """What a repository scan covered, for the report's scope."""

    id: str  # the repository as given
    mode: str  # "worktree", "history", "since <rev>", "staged", "files"
    head: str | None = None  # HEAD commit
    commits: int | None = None  # commits walked (history modes)
    blobs: int = 0  # distinct blobs or files scanned
    bytes: int = 0
    skipped: int = 0
    ignored_inline: int = 0  # lines silenced by `pragma: allowlist secret` / nhiscan:ignore
    # "owner/name" from its github.com ``origin`` remote (or clone URL); None: not on GitHub
    # or unknown. NHI605 counts it among the owner's repositories.
    slug: str | None = field(default=None, metadata=OMIT_DEFAULT)


@dataclass(**RECORD)
class SkippedFile:
    """A file or blob that was not scanned, and why. Listed in the report, never dropped."""

    repository: str
    path: str
    reason: SkipReason
    size: int | None = None
    blob: str | None = None  # the git blob id, for history scans


@dataclass(**RECORD)
class WorkflowTrigger:
    """One event of a CI workflow's ``on:`` and the refs it is limited to. ``branches`` and
    ``tags`` hold the filters as written (globs kept; ``!`` exclusions left out); both empty:
    any ref the event runs on."""

    event: str  # "push", "pull_request", "pull_request_target", "workflow_dispatch", ...
    branches: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(**RECORD)
class WorkflowCredential:
    """A step of a CI workflow in a scanned repository that exchanges the CI's OIDC token for
    a cloud identity (``aws-actions/configure-aws-credentials`` with ``role-to-assume``,
    ``google-github-actions/auth``, ``azure/login``), with what decides which token it
    presents: the workflow's triggers and the job's environment (connectors/git/workflows.py).

    ``target`` is the identity the step names (a role ARN, a service account e-mail, an
    application's client id); None when the input is an expression (``${{ vars.ROLE }}``),
    which ``unresolved`` lists by input name: the scan cannot know its value. ``inputs`` keeps
    the step's inputs that name clouds (never a secret: an input that holds a key is not kept)."""

    id: str  # "<repository>#<path>#<job>#<step index>"
    repository: str  # as the Repository record names it
    slug: str | None  # "owner/name" from the repository's GitHub origin remote; None: unknown
    path: str  # ".github/workflows/deploy.yml"
    line: int  # the step's first line
    job: str
    step: int  # the step's index in the job, from 0
    action: str  # as ``uses:`` writes it: "aws-actions/configure-aws-credentials@v4"
    cloud: Provider
    target: str | None
    inputs: Mapping[str, str] = field(default_factory=dict)
    # The ``aud`` of the token the step requests: its ``audience`` input, else the action's
    # default; None when it is an expression.
    audience: str | None = None
    triggers: tuple[WorkflowTrigger, ...] = ()
    environment: str | None = None  # the job's environment name (None: the job names none)
    # Whether the workflow or job grants ``id-token: write`` (the token can be requested);
    # None: neither says, so the repository's default applies.
    id_token: bool | None = None
    unresolved: tuple[str, ...] = ()  # inputs (and "environment") that are expressions


@dataclass(**RECORD)
class ToolInfo:
    name: str
    version: str
    catalog_date: str | None = None  # the primary provider's catalogue (``app.pipeline.primary``)
    # Each catalogue the analysis read, with its date, when a report must name them: several
    # clouds, or one that is not the default's (``catalog_date`` alone names AWS's). Left out
    # of the JSON when empty, so an AWS-only report is unchanged.
    catalogs: tuple[CatalogInfo, ...] = field(default=(), metadata=OMIT_DEFAULT)


@dataclass(**RECORD)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    title: str
    subject: str  # the identity's stable id (an ARN for AWS)
    provider: Provider
    evidence: Mapping[str, Any]
    fingerprint: str  # stable across runs: no line numbers, no timestamps
    remediation: str | None = None
    path: tuple[Mapping[str, Any], ...] = ()


def policy_reference_fields(cls: type[Any]) -> tuple[str, ...]:
    """The names of ``cls``'s single-valued fields that hold a policy id (metadata
    ``REFERS_TO_POLICY``), in declaration order."""
    return tuple(f.name for f in fields(cls) if f.metadata.get("refers_to") == "policy")


def omitted_when_default(cls: type[Any]) -> frozenset[str]:
    """The names of ``cls``'s fields the codec leaves out while they hold their default
    (metadata ``OMIT_DEFAULT``)."""
    return frozenset(f.name for f in fields(cls) if f.metadata.get("omit") == "default")


Record = (
    Account
    | Identity
    | Group
    | Credential
    | Policy
    | Resource
    | CollectionGap
    | Exposure
    | Repository
    | SkippedFile
    | WorkflowCredential
    | ActivitySummary
    | ActivityScope
    | ServiceAccess
)
