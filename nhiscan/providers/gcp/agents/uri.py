"""GCP resource references in agent files: ``scheme://…`` or a full resource name.

- ``gs://BUCKET[/PREFIX]``: the bucket's objects whose names start with PREFIX (every object
  without one); a PREFIX holding ``*`` is a glob instead (``gs://b/reports/*.pdf``).
- ``bq://PROJECT/DATASET[/TABLE]``: a dataset (all its tables) or one table. PROJECT may be
  ``_``: the agent's ``gcp.project``, else the project of the service account running it (as
  ``projects/_`` in a bucket's full name says "implied").
- ``pubsub://[PROJECT/]topics/T`` and ``pubsub://[PROJECT/]subscriptions/S``.
- ``secret://[PROJECT/]NAME``: a Secret Manager secret.
- ``cloudkms://[PROJECT/]LOCATION/KEY_RING/KEY``: a Cloud KMS key.
- ``sa://EMAIL``: a service account (to act as it).
- ``//SERVICE.googleapis.com/…``: the full resource name of any of these (an object's is
  exact, not a prefix).

Which kinds exist and their full names is data (``schemes.py``); this module reads the shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nhiscan.providers.gcp.agents.schemes import KINDS, SCHEMES, Kind
from nhiscan.providers.gcp.ids import SA_DOMAIN, SA_PROJECT
from nhiscan.scanner.agents.language import BadReference

FULL_PREFIX = "//"
IMPLIED = "_"
_URI = re.compile(r"^(?P<scheme>[a-z][a-z0-9-]*)://(?P<rest>.*)$")
PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
# Bucket names: 3-63 characters (222 with dots), lower-case letters, digits, -, _ and .,
# starting and ending with a letter or digit (cloud.google.com/storage/docs/buckets#naming).
BUCKET = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{1,220})[a-z0-9]$")
DATASET = re.compile(r"^[A-Za-z0-9_]{1,1024}$")
TABLE = re.compile(r"^[^/\s]{1,1024}$")
TOPIC = re.compile(r"^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$")  # topics and subscriptions
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
KMS_NAME = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
LOCATION = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class GcpRef:
    text: str  # as written
    kind: Kind
    project: str | None  # None: the agent's default, else the identity's
    names: Mapping[str, str] = field(default_factory=dict)  # template fields but the project


def parse_reference(text: str) -> GcpRef:
    """Read one reference; raises BadReference naming the problem and what to write."""
    text = text.strip()
    if text.startswith(FULL_PREFIX):
        return _full_name(text)
    match = _URI.match(text)
    if match is None or match["scheme"] not in SCHEMES:
        known = ", ".join(sorted(SCHEMES))
        raise BadReference(f"{text!r} is not a GCP reference: write scheme://… ({known})")
    return READERS[match["scheme"]](text, match["rest"])


def _fail(text: str, message: str) -> BadReference:
    return BadReference(f"{text!r}: {message}")


def _check(text: str, pattern: re.Pattern[str], value: str, what: str) -> str:
    if not pattern.match(value):
        raise _fail(text, f"{value!r} is not a valid {what}")
    return value


def _project(text: str, value: str) -> str | None:
    return None if value == IMPLIED else _check(text, PROJECT, value, "project id")


def _gs(text: str, rest: str) -> GcpRef:
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise _fail(text, "names no bucket (gs://BUCKET/PREFIX)")
    _check(text, BUCKET, bucket, "bucket name")
    objects = prefix if "*" in prefix else f"{prefix}*"  # a glob as written, else a prefix
    return GcpRef(text=text, kind=Kind.BUCKET, project=None,
                  names={"bucket": bucket, "objects": objects})  # fmt: skip


def _bq(text: str, rest: str) -> GcpRef:
    parts = rest.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise _fail(text, "write bq://PROJECT/DATASET or bq://PROJECT/DATASET/TABLE (PROJECT _: "
                    "the agent's gcp.project, else the identity's)")  # fmt: skip
    project = _project(text, parts[0])
    names = {"dataset": _check(text, DATASET, parts[1], "dataset id")}
    if len(parts) == 2:
        return GcpRef(text=text, kind=Kind.DATASET, project=project, names=names)
    names["table"] = _check(text, TABLE, parts[2], "table id")
    return GcpRef(text=text, kind=Kind.TABLE, project=project, names=names)


def _pubsub(text: str, rest: str) -> GcpRef:
    parts = rest.split("/")
    project = _project(text, parts.pop(0)) if len(parts) == 3 else None
    if len(parts) != 2 or parts[0] not in ("topics", "subscriptions") or not parts[1]:
        raise _fail(text, "write pubsub://[PROJECT/]topics/TOPIC or "
                    "pubsub://[PROJECT/]subscriptions/SUBSCRIPTION")  # fmt: skip
    kind = Kind.TOPIC if parts[0] == "topics" else Kind.SUBSCRIPTION
    name = _check(text, TOPIC, parts[1], f"{kind} name")
    return GcpRef(text=text, kind=kind, project=project, names={kind.value: name})


def _secret(text: str, rest: str) -> GcpRef:
    parts = rest.split("/")
    if len(parts) not in (1, 2) or not parts[-1]:
        raise _fail(text, "write secret://[PROJECT/]NAME")
    project = _project(text, parts[0]) if len(parts) == 2 else None
    name = _check(text, SECRET, parts[-1], "secret name")
    return GcpRef(text=text, kind=Kind.SECRET, project=project, names={"secret": name})


def _cloudkms(text: str, rest: str) -> GcpRef:
    parts = rest.split("/")
    if len(parts) not in (3, 4) or not all(parts):
        raise _fail(text, "write cloudkms://[PROJECT/]LOCATION/KEY_RING/KEY")
    project = _project(text, parts.pop(0)) if len(parts) == 4 else None
    names = {
        "location": _check(text, LOCATION, parts[0], "location"),
        "ring": _check(text, KMS_NAME, parts[1], "key ring name"),
        "key": _check(text, KMS_NAME, parts[2], "key name"),
    }
    return GcpRef(text=text, kind=Kind.KEY, project=project, names=names)


def _sa(text: str, rest: str) -> GcpRef:
    if "@" not in rest or not rest.endswith(SA_DOMAIN) or "/" in rest:
        raise _fail(text, "write sa://NAME@PROJECT.iam.gserviceaccount.com")
    found = SA_PROJECT.match(rest)
    project = found.group(1) if found is not None else "-"  # "-": the account says its project
    return GcpRef(text=text, kind=Kind.SERVICE_ACCOUNT, project=project, names={"email": rest})


READERS: Mapping[str, Callable[[str, str], GcpRef]] = {
    "gs": _gs, "bq": _bq, "pubsub": _pubsub, "secret": _secret, "cloudkms": _cloudkms, "sa": _sa,
}  # fmt: skip

# Full resource names: (pattern, kind); named groups are the template fields.
_P = r"projects/(?P<project>[^/]+)"
FULL_NAMES: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"^//storage\.googleapis\.com/projects/_/buckets/(?P<bucket>[^/]+)"
                r"(?:/objects/(?P<objects>.+))?$"), Kind.BUCKET),
    (re.compile(rf"^//bigquery\.googleapis\.com/{_P}/datasets/(?P<dataset>[^/]+)$"), Kind.DATASET),
    (re.compile(rf"^//bigquery\.googleapis\.com/{_P}/datasets/(?P<dataset>[^/]+)"
                r"/tables/(?P<table>[^/]+)$"), Kind.TABLE),
    (re.compile(rf"^//pubsub\.googleapis\.com/{_P}/topics/(?P<topic>[^/]+)$"), Kind.TOPIC),
    (re.compile(rf"^//pubsub\.googleapis\.com/{_P}/subscriptions/(?P<subscription>[^/]+)$"),
     Kind.SUBSCRIPTION),
    (re.compile(rf"^//secretmanager\.googleapis\.com/{_P}/secrets/(?P<secret>[^/]+)$"),
     Kind.SECRET),
    (re.compile(rf"^//cloudkms\.googleapis\.com/{_P}/locations/(?P<location>[^/]+)"
                r"/keyRings/(?P<ring>[^/]+)/cryptoKeys/(?P<key>[^/]+)$"), Kind.KEY),
    (re.compile(rf"^//iam\.googleapis\.com/{_P}/serviceAccounts/(?P<email>[^/]+)$"),
     Kind.SERVICE_ACCOUNT),
)  # fmt: skip


def _full_name(text: str) -> GcpRef:
    for pattern, kind in FULL_NAMES:
        found = pattern.match(text)
        if found is None:
            continue
        names = {k: v for k, v in found.groupdict().items() if v is not None}
        project = names.pop("project", None)
        if kind is Kind.BUCKET:
            _check(text, BUCKET, names["bucket"], "bucket name")
            names.setdefault("objects", "*")
        elif project in (IMPLIED, "-", None) and kind is not Kind.SERVICE_ACCOUNT:
            raise _fail(text, "a full resource name names its project (projects/PROJECT/…)")
        return GcpRef(text=text, kind=kind, project=project, names=names)
    kinds = ", ".join(info.noun for info in KINDS.values())
    raise _fail(text, f"nhiscan has verbs for these full resource names only: {kinds}; use "
                "`actions:` with `resources:` for raw permissions")  # fmt: skip
