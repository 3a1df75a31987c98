"""What a provider tells the core about its vocabulary: the permission catalogue, how to read
its ids offline, and the tables neutral rules, blast radius and scores read. Protocols and
records only; each cloud fills them in ``nhiscan/providers/<name>/`` (docs/providers.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class AccessLevel(StrEnum):
    """What an action does, in the catalogue's words (its first level, when it lists two)."""

    LIST = "List"
    READ = "Read"
    WRITE = "Write"
    PERMISSIONS_MANAGEMENT = "Permissions management"
    TAGGING = "Tagging"


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogInfo:
    """The pinned permission table a report names: its package, version and date."""

    provider: str
    name: str
    version: str | None
    date: str | None


class ActionFacts(Protocol):
    """One permission as the catalogue knows it."""

    @property
    def name(self) -> str: ...  # canonical spelling
    @property
    def service(self) -> str: ...
    @property
    def access_level(self) -> AccessLevel: ...


class PermissionCatalog(Protocol):
    """The provider's permission vocabulary (read offline from a pinned package)."""

    @property
    def version(self) -> str: ...
    @property
    def updated_at(self) -> str: ...
    def expand(self, pattern: str, /) -> frozenset[str]: ...  # globs; "*" is every action
    def info(self, action: str, /) -> ActionFacts | None: ...
    def known(self, action: str, /) -> bool: ...
    def actions_for_resource(self, resource: str, /) -> frozenset[str]: ...
    @property
    def example(self) -> str: ...  # one action in the catalogue's spelling, for messages


class IdScheme(Protocol):
    """Reading the provider's stable ids offline (resource names, e-mails, object ids)."""

    def owns(self, value: str, /) -> bool: ...  # the id is this provider's
    def scope_of(self, value: str, /) -> str | None: ...  # account, project, subscription
    def service_of(self, value: str, /) -> str: ...  # grouping in reach answers
    def container_of(self, value: str, /) -> str | None: ...  # object -> its bucket
    def short(self, value: str, /) -> str: ...  # a label for graphs
    def is_broad(self, value: str, /) -> bool: ...  # "*" or a whole service


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodInfo:
    """What the escalation rules (NHI101-106) say of one method of a provider's table."""

    description: str  # what the principal would do, one line
    reference: str  # URL of a public write-up of the method
    # What a potential escalation of this method waits for, when the escalation does not say
    missing: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderFacts:
    """Tables the neutral rules, blast radius and scores read (data, each meta-tested)."""

    kind_words: Mapping[str, str]  # identity kind -> the word findings use ("role")
    data_store_kinds: frozenset[str]  # resource kinds that hold data
    secret_kinds: frozenset[str]  # resource kinds whose value is a secret
    secret_read_actions: frozenset[str]  # lower case: reading a secret's value
    sensitive_services: frozenset[str]  # services an agent's grant scores higher on
    last_used_operations: Mapping[str, frozenset[str]]  # "credential"/"identity" -> operations
    credential_id_detectors: frozenset[str]  # detectors whose match is a public key id
    # Credential kinds a machine holds as a long-lived secret (the lifecycle rules judge these
    # when active). An unregistered provider has no facts: every non-login kind counts then.
    long_lived_credentials: frozenset[str] = frozenset()
    # Credential kinds whose rotation the provider's own rules judge by their lifetime when they
    # carry an end date (Azure client secrets and certificates): the age rule (NHI001) leaves them.
    lifetime_judged_credentials: frozenset[str] = frozenset()
    # credential kind -> the words findings use ("access key"); else the core's neutral words
    credential_words: Mapping[str, str] = field(default_factory=dict)
    # How to take a leaked credential out of service, when the provider says (NHI201); None:
    # the rule's generic remediation.
    leaked_credential_remediation: str | None = None
    # Calls whose gap means an account's identities were not all read: a credential whose
    # identity is missing from the snapshot is then expected, not an error (snapshot_check).
    identity_list_operations: frozenset[str] = frozenset()
    # Escalation method name -> what the escalation rules say of it, in the table's order (a
    # principal's findings of one family come in this order). Empty: the provider finds none.
    escalation_methods: Mapping[str, MethodInfo] = field(default_factory=dict)
    # Rule id -> how to fix that rule's finding in this cloud's words (NHI100-106 read it);
    # else the rule's own, neutral remediation.
    remediations: Mapping[str, str] = field(default_factory=dict)
    # Identity record fields the escalation findings add to their evidence, last (the cap on
    # what the principal may do, where the cloud has one).
    escalation_evidence: tuple[str, ...] = ()
    # What reports call the provider's pinned permission catalogue (``ToolInfo.catalogs``).
    catalog_name: str = "permission catalogue"
    # Keyless trusts (issue #20): the exact condition that closes one, in this cloud's words,
    # with ``{issuer}``, ``{subject}`` and ``{audience}`` to fill in; and the audience the cloud
    # asks for when the registration names none of its own. None: the neutral wording.
    federation_fix: str | None = None
    federation_audience: str | None = None
