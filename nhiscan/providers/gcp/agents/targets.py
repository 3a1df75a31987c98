"""Where a GCP need is granted: the resource a binding goes on, the IAM Condition narrowing it
(``resource.name``), and the ``gcloud`` command that adds a binding there."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nhiscan.providers.gcp.agents.schemes import ANY_PROJECT
from nhiscan.providers.gcp.ids import FULL_NAME, project_of_path

CRM = "//cloudresourcemanager.googleapis.com/projects/"
LIST_OBJECTS = "storage.objects.list"  # checked on the bucket: a prefix cannot narrow it
_OBJECTS = re.compile(r"^//storage\.googleapis\.com/projects/_/buckets/([^/]+)/objects/(.+)$")
_BUCKET = re.compile(r"^//storage\.googleapis\.com/projects/_/buckets/([^/]+)$")
_BIGQUERY = re.compile(r"^//bigquery\.googleapis\.com/(projects/([^/]+)/datasets/[^/]+(/.*)?)$")
_OWN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^//pubsub\.googleapis\.com/projects/([^/]+)/topics/([^/]+)$"), "topic"),
    (re.compile(r"^//pubsub\.googleapis\.com/projects/([^/]+)/subscriptions/([^/]+)$"),
     "subscription"),
    (re.compile(r"^//secretmanager\.googleapis\.com/projects/([^/]+)/secrets/([^/]+)$"), "secret"),
    (re.compile(r"^//cloudkms\.googleapis\.com/projects/([^/]+)/locations/([^/]+)"
                r"/keyRings/([^/]+)/cryptoKeys/([^/]+)$"), "key"),
    (re.compile(r"^//iam\.googleapis\.com/projects/([^/]+)/serviceAccounts/([^/]+)$"),
     "service-account"),
)  # fmt: skip
_GLOB = re.compile(r"[*?\[]")
# The service a relative resource name belongs to, by its shape (conditions name resources so).
SERVICES = (
    (re.compile(r"^projects/_/buckets/"), "storage"),
    (re.compile(r"^projects/[^/]+/datasets/"), "bigquery"),
    (re.compile(r"^projects/[^/]+/(topics|subscriptions)/"), "pubsub"),
    (re.compile(r"^projects/[^/]+/secrets/"), "secretmanager"),
    (re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/"), "cloudkms"),
)
_STR = r"(?:'([^']*)'|\"([^\"]*)\")"
NAMED = re.compile(rf"^\s*resource\.name\s*(?:==\s*{_STR}|\.startsWith\(\s*{_STR}\s*\))\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    kind: str  # project, bucket, topic, subscription, secret, key, service-account
    resource: str  # the full name the binding goes on
    project: str | None  # its project (None: not in its name: a bucket)
    command: tuple[str, ...]  # gcloud …add-iam-policy-binding and where
    condition: str | None = None  # a CEL expression narrowing the binding
    condition_title: str = ""
    note: str | None = None  # what the reader must know about this binding

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.resource, self.condition or "")


def cel(value: str) -> str:
    """A CEL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def project_target(project: str, condition: str | None = None, title: str = "",
                   note: str | None = None) -> Target:  # fmt: skip
    return Target(kind="project", resource=f"{CRM}{project}", project=project,
                  command=("gcloud", "projects", "add-iam-policy-binding", project),
                  condition=condition, condition_title=title, note=note)  # fmt: skip


def _name_condition(name: str) -> tuple[str, str]:
    """(expression, title) limiting a binding to ``name``, or to the names it globs over from
    its first wildcard on (a prefix: broader only when the glob is not at the end)."""
    found = _GLOB.search(name)
    if found is None:
        return f"resource.name == {cel(name)}", f"nhiscan: only {name}"
    prefix = name[: found.start()]
    return f"resource.name.startsWith({cel(prefix)})", f"nhiscan: only under {prefix}"


def target_of(resource: str, permission: str | None, project: str | None) -> Target:
    """Where to bind ``permission`` on ``resource`` (None: the resource is a binding's place)."""
    found = _OBJECTS.match(resource) or _BUCKET.match(resource)
    if found is not None:
        return _bucket(found, permission)
    found = _BIGQUERY.match(resource)
    if found is not None:
        expression, title = _name_condition(found.group(1))
        return project_target(found.group(2), expression, title)
    if resource.startswith(CRM) and "/" not in resource.removeprefix(CRM):
        return project_target(resource.removeprefix(CRM))
    for pattern, kind in _OWN:
        found = pattern.match(resource)
        if found is not None:
            return _own(kind, resource, found.groups())
    return _other(resource, project)


def _bucket(found: re.Match[str], permission: str | None) -> Target:
    bucket = found.group(1)
    objects = found.group(2) if found.re is _OBJECTS else "*"
    condition, title = None, ""
    if objects != "*" and permission != LIST_OBJECTS:
        condition, title = _name_condition(f"projects/_/buckets/{bucket}/objects/{objects}")
    return Target(kind="bucket", resource=f"//storage.googleapis.com/projects/_/buckets/{bucket}",
                  project=None, condition=condition, condition_title=title,
                  command=("gcloud", "storage", "buckets", "add-iam-policy-binding",
                           f"gs://{bucket}"))  # fmt: skip


def _own(kind: str, resource: str, groups: tuple[str | None, ...]) -> Target:
    project, name = str(groups[0]), str(groups[-1])
    where = (f"--project={project}",) if project not in ("-", ANY_PROJECT) else ()
    command: tuple[str, ...] = {
        "topic": ("gcloud", "pubsub", "topics", "add-iam-policy-binding", name),
        "subscription": ("gcloud", "pubsub", "subscriptions", "add-iam-policy-binding", name),
        "secret": ("gcloud", "secrets", "add-iam-policy-binding", name),
        "key": ("gcloud", "kms", "keys", "add-iam-policy-binding", name),
        "service-account": ("gcloud", "iam", "service-accounts", "add-iam-policy-binding", name),
    }[kind]
    if kind == "key":
        command += (f"--keyring={groups[2]}", f"--location={groups[1]}")
    return Target(kind=kind, resource=resource, project=None if project == "-" else project,
                  command=(*command, *where))  # fmt: skip


def _other(resource: str, project: str | None) -> Target:
    """A raw resource: on its project, under a ``resource.name`` condition when it names one."""
    full = FULL_NAME.match(resource)
    own = project_of_path(full.group(2)) if full is not None else None
    if full is not None and own is not None:
        expression, title = _name_condition(full.group(2))
        said = (f"{resource}: a resource.name condition holds only for the services IAM Conditions "
                "read resource attributes of")  # fmt: skip
        return project_target(own, expression, title, said)
    scope = project or ANY_PROJECT
    note = None if resource == "*" else f"{resource}: not a full name, granted on the project"
    return project_target(scope, note=note)


def named(condition: str | None) -> str | None:
    """The full name (a pattern for a prefix) a condition limits a binding to, when it is a
    ``resource.name`` test, alone or joined by ``&&`` to others, on a name whose service nhiscan
    can tell; else None."""
    if condition is None or "||" in condition or "!" in condition.replace("!=", ""):
        return None
    found = [NAMED.match(part) for part in condition.split("&&")]
    names = [m for m in found if m is not None]
    if len(names) != 1:
        return None
    exact, prefix = names[0].group(1) or names[0].group(2), names[0].group(3) or names[0].group(4)
    name = exact if exact is not None else f"{prefix}*"
    service = next((s for pattern, s in SERVICES if pattern.match(name)), None)
    return None if service is None else f"//{service}.googleapis.com/{name}"
