"""The shape of a GAAD page's entries, checked before any of them is read.

Each present list entry must have the keys AWS always writes, with the JSON types AWS documents
for ``GetAccountAuthorizationDetails``; other keys are left alone (AWS adds fields). A problem
is named by its JSON path in the page (``UserDetailList[3].Arn``) and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from nhiscan.connectors.aws.wire import DocumentError, arn_parts, decode_document, to_utc

Check = Callable[[Any, str], Iterator[str]]


def _is(kind: type[Any] | tuple[type[Any], ...], what: str) -> Check:
    def check(value: Any, where: str) -> Iterator[str]:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            yield f"{where}: expected {what}, got {_shown(value)}"

    return check


def _arn(value: Any, where: str) -> Iterator[str]:
    if not isinstance(value, str):
        yield f"{where}: expected an ARN string, got {_shown(value)}"
        return
    try:
        arn_parts(value)
    except ValueError:
        yield f"{where}: expected an ARN (arn:partition:service:region:account:resource), got {value!r:.80}"  # noqa: E501


def _date(value: Any, where: str) -> Iterator[str]:
    try:
        to_utc(value)
    except (TypeError, ValueError):
        yield f"{where}: expected an ISO 8601 date such as 2024-01-02T03:04:05Z, got {value!r:.60}"


def _document(value: Any, where: str) -> Iterator[str]:
    try:
        decode_document(value)
    except DocumentError as exc:
        yield f"{where}: not a policy document: {exc}"


def _object(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    def check(value: Any, where: str) -> Iterator[str]:
        if not isinstance(value, Mapping):
            yield f"{where}: expected an object, got {_shown(value)}"
            return
        for key, sub in required.items():
            if key not in value:
                yield f"{where}.{key}: missing (every {where.rsplit('[', 1)[0]} entry has it)"
            else:
                yield from sub(value[key], f"{where}.{key}")
        for key, sub in (optional or {}).items():
            if value.get(key) is not None:
                yield from sub(value[key], f"{where}.{key}")

    return check


def _list(item: Check) -> Check:
    def check(value: Any, where: str) -> Iterator[str]:
        if not isinstance(value, list):
            yield f"{where}: expected a list, got {_shown(value)}"
            return
        for index, entry in enumerate(value):
            yield from item(entry, f"{where}[{index}]")

    return check


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r:.40}"


STRING = _is(str, "a string")
TAGS = _list(_object({"Key": STRING}, {"Value": STRING}))
INLINE = _object({"PolicyName": STRING, "PolicyDocument": _document})
ATTACHED = _list(_object({"PolicyArn": _arn}, {"PolicyName": STRING}))
BOUNDARY = _object({}, {"PermissionsBoundaryArn": _arn})
COMMON = {"Path": STRING, "CreateDate": _date, "AttachedManagedPolicies": ATTACHED}

ENTRIES: dict[str, Check] = {
    "UserDetailList": _object(
        {"Arn": _arn, "UserName": STRING},
        {
            **COMMON,
            "UserId": STRING,
            "Tags": TAGS,
            "UserPolicyList": _list(INLINE),
            "GroupList": _list(STRING),
            "PermissionsBoundary": BOUNDARY,
        },
    ),
    "GroupDetailList": _object(
        {"Arn": _arn, "GroupName": STRING},
        {**COMMON, "GroupId": STRING, "GroupPolicyList": _list(INLINE)},
    ),
    "RoleDetailList": _object(
        {"Arn": _arn, "RoleName": STRING, "AssumeRolePolicyDocument": _document},
        {
            **COMMON,
            "RoleId": STRING,
            "Tags": TAGS,
            "RolePolicyList": _list(INLINE),
            "PermissionsBoundary": BOUNDARY,
            "MaxSessionDuration": _is(int, "an integer"),
            "Description": STRING,
            "RoleLastUsed": _object({}, {"LastUsedDate": _date, "Region": STRING}),
            "InstanceProfileList": _list(
                _object({"Arn": _arn, "InstanceProfileName": STRING}, {"Tags": TAGS})
            ),
        },
    ),
    "Policies": _object(
        {
            "Arn": _arn,
            "PolicyVersionList": _list(
                _object(
                    {"Document": _document},
                    {"VersionId": STRING, "IsDefaultVersion": _is(bool, "true or false")},
                )
            ),
        },
        {
            "PolicyName": STRING,
            "DefaultVersionId": STRING,
            "CreateDate": _date,
            "UpdateDate": _date,
        },
    ),
}


def _both(*checks: Check) -> Check:
    def check(value: Any, where: str) -> Iterator[str]:
        for one in checks:
            found = list(one(value, where))
            if found:
                yield from found
                return

    return check


def _default_version(value: Any, where: str) -> Iterator[str]:
    """GAAD marks the default version of a managed policy (the one that is in force)."""
    versions = value["PolicyVersionList"]
    default = value.get("DefaultVersionId")
    if not any(v.get("IsDefaultVersion") or v.get("VersionId") == default for v in versions):
        yield (
            f"{where}.PolicyVersionList: no version with IsDefaultVersion true or the "
            f"DefaultVersionId ({default!r:.40}): the policy in force is not in the export"
        )


ENTRIES["Policies"] = _both(ENTRIES["Policies"], _default_version)


def page_problems(page: Mapping[str, Any]) -> Iterator[str]:
    """Every problem of the lists present in ``page``, as "<JSON path>: <what is wrong>"."""
    for name, entry in ENTRIES.items():
        if name in page:
            yield from _list(entry)(page[name], name)
