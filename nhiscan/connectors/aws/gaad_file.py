"""``GaadFileConnector``: read ``aws iam get-account-authorization-details`` output offline.

The file holds one GAAD document, or several pages (a JSON list of them, or documents written
one after another). What GAAD does not hold is recorded as a NOT_IN_EXPORT gap once per account;
a file that is not JSON, not GAAD, or has a malformed entry is a ``ConnectorError``.

On a cluster (issue #21) each file is a work unit (``split``): a worker reads and decodes it and
yields its accounts, their NOT_IN_EXPORT gaps and its records, as ``collect`` does for that
file. An account held by two files is yielded by both units; the snapshot keeps its first copy
(it drops exact duplicates), so the split collection builds the same snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nhiscan.cluster.units import Split, UnitContext, WorkUnit
from nhiscan.connectors.aws.gaad import GAAD_OPERATION, to_records
from nhiscan.connectors.aws.gaad_doc import GAAD_LISTS, GaadEntryError, accounts_in, merge_pages
from nhiscan.connectors.aws.gaad_shape import page_problems
from nhiscan.connectors.aws.policy_checks import describe, flawed
from nhiscan.connectors.base import CollectContext
from nhiscan.errors import ConnectorError
from nhiscan.scanner.model import Account, CollectionGap, GapReason, Provider, Record

# (operation, what it would have told us) for everything a GAAD export lacks.
NOT_IN_EXPORT: tuple[tuple[str, str], ...] = (
    ("iam:ListAccessKeys", "access keys"),
    ("iam:GetAccessKeyLastUsed", "access key last use"),
    ("iam:GetLoginProfile", "console passwords (login profiles)"),
    ("iam:ListMFADevices", "MFA devices"),
    ("iam:ListUsers", "users' PasswordLastUsed"),
    ("iam:ListRoles", "roles' MaxSessionDuration and descriptions"),
    ("iam:ListOpenIDConnectProviders", "IAM OIDC providers (the audiences roles' trusts accept)"),
    ("iam:ListSAMLProviders", "IAM SAML providers"),
    ("s3:ListBuckets", "S3 buckets and bucket policies"),
    ("kms:ListKeys", "KMS keys and key policies"),
    ("secretsmanager:ListSecrets", "Secrets Manager secrets and their policies"),
    ("lambda:ListFunctions", "Lambda functions and their execution roles"),
    ("ec2:DescribeInstances", "EC2 instances and their instance profiles"),
    ("organizations:ListPolicies", "the organization and its SCPs"),
)
HINT = "collect live (--aws-profile) to include them"
FIX = "correct the export or write it again with `aws iam get-account-authorization-details`"


class GaadFileConnector:
    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = tuple(Path(p) for p in paths)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(f"aws-gaad:{p}" for p in self._paths)

    def split(self, ctx: UnitContext) -> Split:
        """One unit per export file, read and decoded on a worker (``read_unit``)."""
        del ctx
        return Split(units=tuple(_unit(path) for path in self._paths))

    def collect(self, ctx: CollectContext) -> Iterator[Record]:
        seen: set[str] = set()
        for path in self._paths:
            ctx.progress(f"aws-gaad {path}: reading")
            gaad = load_gaad(path)
            records = read_records(gaad, path)
            ctx.progress(f"aws-gaad {path}: {_summary(gaad)}")
            for account in accounts_in(gaad):
                if account not in seen:
                    seen.add(account)
                    yield Account(provider=Provider.AWS, id=account)
                    yield from not_in_export(account)
            yield from records


def _unit(path: Path) -> WorkUnit:
    return WorkUnit(kind="aws-gaad", key=str(path), label=f"aws-gaad {path}",
                    provider=Provider.AWS, task=read_unit, payload=str(path))  # fmt: skip


def read_unit(payload: str, ctx: UnitContext) -> Iterator[Record]:
    """A worker's part of ``split``: one file's accounts, their gaps and its records."""
    path = Path(payload)
    ctx.progress(f"aws-gaad {path}: reading")
    gaad = load_gaad(path)
    records = read_records(gaad, path)
    for account in accounts_in(gaad):
        yield Account(provider=Provider.AWS, id=account)
        yield from not_in_export(account)
    yield from records


def read_records(gaad: Mapping[str, list[Any]], path: Path) -> list[Record]:
    """The records of an export; an entry or policy nhiscan cannot read is a ConnectorError
    (an offline file can be corrected and read again, unlike a live answer)."""
    try:
        records = list(to_records(gaad))
    except GaadEntryError as exc:
        raise ConnectorError(f"{path}: {exc}") from exc
    for record in records:
        if isinstance(record, CollectionGap) and record.operation == GAAD_OPERATION:
            raise ConnectorError(f"{path}: {record.subject}: {record.detail}; {FIX}")
    for policy, problem, carriers in flawed(records):
        raise ConnectorError(
            f"{path}: {describe(policy, problem, carriers)}; AWS would reject this document "
            f"and nhiscan cannot evaluate it: {FIX}"
        )
    return records


def not_in_export(account: str) -> Iterator[CollectionGap]:
    for operation, what in NOT_IN_EXPORT:
        yield CollectionGap(
            provider=Provider.AWS,
            scope=account,
            operation=operation,
            reason=GapReason.NOT_IN_EXPORT,
            detail=f"a GetAccountAuthorizationDetails export holds no {what}; {HINT}",
        )


def load_gaad(path: Path) -> dict[str, list[Any]]:
    """The merged GAAD document in ``path``; ConnectorError saying what is wrong and where."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{path}: cannot read the GAAD export: {exc}") from exc
    pages = [page for doc in parse_documents(text, path) for page in _pages(doc)]
    if not pages:
        raise ConnectorError(
            f"{path}: an empty list, not a GetAccountAuthorizationDetails export: expected an "
            f"object with {', '.join(GAAD_LISTS)} (or a list of such pages)"
        )
    for index, page in enumerate(pages):
        check_page(page, path, index)
    merged = merge_pages(pages)
    for name in GAAD_LISTS:
        seen: dict[str, int] = {}
        for index, entry in enumerate(merged[name]):
            first = seen.setdefault(entry["Arn"], index)
            if first != index:
                raise ConnectorError(
                    f"{path}: {name} holds {entry['Arn']} twice (entries {first} and {index}, "
                    f"counting across pages): an export lists each once; {FIX}"
                )
    return merged


def parse_documents(text: str, path: Path) -> list[Any]:
    """Every JSON document in ``text`` (the CLI may write pages one after another)."""
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    position = _skip_space(text, 0)
    if position == len(text):
        raise ConnectorError(f"{path}: empty file, expected the JSON of a GAAD export")
    while position < len(text):
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise ConnectorError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from exc
        documents.append(document)
        position = _skip_space(text, position)
    return documents


def check_page(page: Any, path: Path, index: int) -> None:
    where = f"{path}" if index == 0 else f"{path} (page {index + 1})"
    if not isinstance(page, Mapping) or not any(name in page for name in GAAD_LISTS):
        raise ConnectorError(
            f"{where}: not a GetAccountAuthorizationDetails export: expected an object with "
            f"{', '.join(GAAD_LISTS)} (the output of `aws iam get-account-authorization-details`)"
        )
    for problem in page_problems(page):
        raise ConnectorError(f"{where}: {problem}; {FIX}")


def _pages(document: Any) -> list[Any]:
    return document if isinstance(document, list) else [document]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _summary(gaad: Mapping[str, list[Any]]) -> str:
    return ", ".join(f"{len(gaad[name])} {name}" for name in GAAD_LISTS)
