"""Secrets found in repositories (connectors/git), joined to the inventory (scanner/leaks.py).

- NHI200: a secret in a repository that matches no credential in the inventory. Severity by
  detector (rules/secrets_meta.py), then judged by how and where it is written
  (scanner/secrets_judge.py: placeholder passwords, documentation hosts, tests and docs), the
  reasons in the evidence and the title; critical when ``--verify`` found it works.
- NHI201: a secret that is a live credential in the inventory. Critical when the identity
  behind it reaches an administrator or a data store (reach graph), high otherwise, medium when
  the key is no longer active. The path starts at the file and commit.
- NHI202: one secret in several repositories: a shared credential, which rotation must chase
  everywhere at once.

Fingerprints come from the detector and the secret's hash only: no path, line, commit or
repository location. Reformatting, moving or squash-merging the line keeps the finding's
fingerprint, so a baseline of accepted findings survives it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from nhiscan.rules.base import RuleContext, RuleMeta, fingerprint, make_finding
from nhiscan.rules.common import describe
from nhiscan.rules.reach_support import admin_reach, lower
from nhiscan.rules.secrets_meta import severity_of
from nhiscan.scanner.codec import iso
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.graph import ReachGraph, path_json
from nhiscan.scanner.graph.reach import unwind
from nhiscan.scanner.leaks import Leak, leaks
from nhiscan.scanner.model import (
    CredentialStatus,
    Exposure,
    Finding,
    Provider,
    Severity,
)
from nhiscan.scanner.provider import ProviderSet
from nhiscan.scanner.secrets_judge import Verdict, judged

LOCATIONS_LIMIT = 20  # exposures listed per finding; ``count`` has the total
# NHI201's remediation for a credential whose provider gives none of its own
# (``ProviderFacts.leaked_credential_remediation``).
GENERIC_LEAK_REMEDIATION = (
    "Treat it as an incident: revoke or disable the credential at its issuer now, issue a new "
    "one through a secrets manager or replace it with a workload identity, and review the "
    "identity's activity since the commit date."
)


def _fingerprint(meta: RuleMeta, leak: Leak) -> str:
    return fingerprint(meta.id, leak.detector, leak.secret_hash)


def exposure_json(exposure: Exposure) -> dict[str, Any]:
    """An exposure as evidence shows it: where, since when, redacted. Never the secret."""
    return {
        "repository": exposure.repository,
        "path": exposure.path,
        "line": exposure.line,
        "commit": exposure.commit,
        "author": exposure.author,
        "committed_at": iso(exposure.committed_at) if exposure.committed_at else None,
        "at_head": exposure.at_head,
        "locations": list(exposure.locations),
        "redacted": exposure.redacted,
        "secret_hash": exposure.secret_hash[:16],
    }


def _evidence(leak: Leak) -> dict[str, Any]:
    first = leak.first
    verified = leak.verification
    return {
        "detector": leak.detector,
        "detectors": sorted({d for e in leak.exposures for d in e.detectors}),
        "redacted": first.redacted,
        "secret_hash": leak.secret_hash[:16],
        "at_head": leak.at_head,
        "repositories": list(leak.repositories),
        "count": len(leak.exposures),
        "exposures": [exposure_json(e) for e in leak.exposures[:LOCATIONS_LIMIT]],
        "credential_id": first.credential_id,
        "account_from_key": first.account,
        "principal_hint": first.principal_hint,
        "verification": verified.verification if verified else None,
        "verified_identity": verified.verified_identity if verified else None,
        "verification_detail": verified.verification_detail if verified else None,
    }


def _where(leak: Leak) -> str:
    first = leak.first
    place = f"{first.repository}: {first.path}:{first.line}"
    if first.commit:
        place += f" (commit {first.commit[:10]})"
    more = len(leak.exposures) - 1
    return place + (f" and {more} more place{'s' if more > 1 else ''}" if more else "")


def _found_in(exposure: Exposure) -> dict[str, Any]:
    """The path's first step: from the file (at its commit) to the exposure."""
    at = f"@{exposure.commit[:12]}" if exposure.commit else ""
    return {
        "from": f"{exposure.repository}/{exposure.path}:{exposure.line}{at}",
        "to": exposure.id,
        "edge": "contains",
        "statements": [],
    }


class SecretInRepository:
    meta = RuleMeta(
        id="NHI200",
        name="secret-in-repository",
        severity=Severity.HIGH,
        summary=(
            "A secret is committed to a repository (now or in its history) and matches no "
            "credential in the scanned inventory. Severity by kind: high for cloud keys, "
            "vendor tokens, private keys and database URLs with passwords; low for generic "
            "keyword and high-entropy matches; lower (or none) for placeholder passwords, "
            "documentation hosts and passwords found only in tests and docs, with the reason; "
            "critical when --verify found that it works."
        ),
        remediation=(
            "Revoke or rotate the credential at its issuer first: removing it from the code "
            "does not remove it from git history or from clones. Then move it to a secrets "
            "manager and reference it by name. If it is a test value, mark the line with "
            "`nhiscan:ignore` or add the finding to the baseline."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for leak in per_credential(leaks(estate), ctx.providers):
            if leak.credential is not None:
                continue
            verified = leak.verification
            works = verified is not None and verified.verification == "valid"
            verdict = None if works else judge(leak)
            if verdict is None:
                severity = Severity.CRITICAL
            elif verdict.severity is None:
                continue  # not a credential at all: a template or a mask
            else:
                severity = verdict.severity
            first = leak.first
            history = "" if leak.at_head is not False else " (removed since, still in history)"
            title = f"{leak.detector} {first.redacted} in {_where(leak)}{history}."
            if works and verified is not None:
                title += f" It works: it belongs to {verified.verified_identity}."
            evidence = _evidence(leak)
            if verdict is not None and verdict.applied:
                title += f" Judged {severity}: {', '.join(j.name for j in verdict.applied)}."
                evidence["judged"] = [j.name for j in verdict.applied]
                evidence["judged_because"] = verdict.reasons
            finding = make_finding(
                self.meta,
                subject=first.id,
                provider=leak.provider or Provider.GIT,
                title=title,
                evidence=evidence,
                severity=severity,
                path=[_found_in(first)],
            )
            yield replace(finding, fingerprint=_fingerprint(self.meta, leak))


class LeakedLiveCredential:
    meta = RuleMeta(
        id="NHI201",
        name="leaked-live-credential",
        severity=Severity.HIGH,
        summary=(
            "A secret found in a repository is a credential of an identity in the inventory. "
            "Critical when that identity reaches an administrator or a data store, high "
            "otherwise, medium when the key is no longer active. The path starts at the file "
            "and commit where it was committed."
        ),
        remediation=(
            "Treat it as an incident: deactivate and delete the key now (aws iam "
            "update-access-key --status Inactive, then delete-access-key), issue a new one "
            "through a secrets manager or replace it with a role, and review the identity's "
            "activity (CloudTrail) since the commit date."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        graph = ctx.graph  # reach is optional here: without it the severity is high
        for leak in per_credential(leaks(estate), ctx.providers):
            credential = leak.credential
            if credential is None:
                continue
            identity = estate.identities.get(credential.identity)
            reach = _reach(graph, leak.first.id, ctx.providers) if graph is not None else None
            active = credential.status in (None, CredentialStatus.ACTIVE)
            severity = _severity(reach, active)
            evidence = {
                **_evidence(leak),
                "credential": credential.id,
                "credential_status": credential.status.value if credential.status else None,
                "identity": credential.identity,
                "account": credential.account,
                "reach": reach["summary"] if reach else None,
            }
            who = describe(identity, credential.identity, ctx.providers)
            title = (
                f"{leak.detector} {leak.first.redacted} of {who} is in {_where(leak)}"
                + ("" if active else " (the key is no longer active)")
                + (f": {reach['words']}." if reach and reach["words"] else ".")
            )
            path = [_found_in(leak.first), *(reach["path"] if reach else [])]
            finding = make_finding(
                self.meta,
                subject=credential.identity,
                provider=credential.provider,
                title=title,
                evidence=evidence,
                severity=severity,
                path=path,
            )
            facts = ctx.providers.facts(credential.provider)
            remediation = facts.leaked_credential_remediation or GENERIC_LEAK_REMEDIATION
            yield replace(
                finding, fingerprint=_fingerprint(self.meta, leak), remediation=remediation
            )


def judge(leak: Leak) -> Verdict:
    """The leak's severity by its detector, judged place by place (scanner/secrets_judge.py):
    the most severe place decides, so a password that is a fixture in tests/ and also sits in
    a production file is judged by the production file. Dropped only when every place is."""
    base = severity_of(leak.detector)
    verdicts = [
        judged(e.detector, base, e.traits, [e.path, *(p.rpartition(":")[0] for p in e.locations)])
        for e in leak.exposures
    ]
    kept = [v for v in verdicts if v.severity is not None]
    if not kept:
        return verdicts[0]
    return max(kept, key=lambda v: (v.severity.rank if v.severity else -1, -len(v.applied)))


def per_credential(found: Iterable[Leak], providers: ProviderSet) -> list[Leak]:
    """One leak per credential: a key id and its secret found beside it (an AWS access key id
    and secret access key) are one leaked credential (joined to the same inventory key, or
    carrying the same key id), with every place either was found. Named and fingerprinted by
    the key id when it was found: a detector of the provider's ``credential_id_detectors``."""
    groups: dict[tuple[str, ...], list[Leak]] = {}
    for leak in found:
        groups.setdefault(_credential_key(leak, providers), []).append(leak)
    merged = []
    for group in groups.values():
        ids = _id_detectors(group, providers)
        group.sort(key=lambda k: (k.detector not in ids, k.detector))
        exposures = {e for k in group for e in k.exposures}
        ordered = sorted(exposures, key=lambda e: (e.repository, e.path, e.line, e.detector))
        merged.append(replace(group[0], exposures=tuple(ordered)))
    return merged


def _credential_key(leak: Leak, providers: ProviderSet) -> tuple[str, ...]:
    """Leaks of one credential share this key. A key id found with a secret names the
    credential only for a provider whose facts say its key ids are public ids (AWS); elsewhere
    each secret stands alone."""
    if leak.credential is not None:
        return ("joined", leak.credential.id)
    key_id = leak.first.credential_id
    if leak.provider is not None and key_id is not None and _names_by_key_id(leak, providers):
        return ("key-id", leak.provider.value, key_id)
    return ("secret", leak.detector, leak.secret_hash)


def _names_by_key_id(leak: Leak, providers: ProviderSet) -> bool:
    return leak.provider is not None and bool(
        providers.facts(leak.provider).credential_id_detectors
    )


def _id_detectors(group: Iterable[Leak], providers: ProviderSet) -> frozenset[str]:
    """The detectors whose match is a public key id, of the group's providers."""
    found: set[str] = set()
    for name in {leak.provider for leak in group if leak.provider is not None}:
        found |= providers.facts(name).credential_id_detectors
    return frozenset(found)


def _severity(reach: dict[str, Any] | None, active: bool) -> Severity:
    if not active:
        return Severity.MEDIUM
    if reach is not None and (reach["summary"]["admin"] or reach["summary"]["data_stores"]):
        return Severity.CRITICAL
    return Severity.HIGH


def _reach(graph: ReachGraph, exposure_id: str, providers: ProviderSet) -> dict[str, Any]:
    """What the leaked credential reaches: admin (with the path), and data stores."""
    admin = admin_reach(graph)
    summary: dict[str, Any] = {"admin": False, "data_stores": 0, "analysed": True}
    path: list[dict[str, Any]] = []
    words: list[str] = []
    if exposure_id in graph.graph and admin.reaches(exposure_id):
        hops = admin.path(exposure_id) or ()
        summary["admin"] = True
        summary["conditional"] = any(h.conditional for h in hops)
        path = path_json(hops)
        words.append("whoever holds it can become an administrator")
    parents = graph.parents(exposure_id) if exposure_id in graph.graph else {}
    stores = _data_stores(graph, parents, providers)
    summary["data_stores"] = len(stores)
    summary["data_store_sample"] = stores[:10]
    if stores:
        words.append(f"it reaches {len(stores)} data store{'s' if len(stores) > 1 else ''}")
        if not path:
            path = path_json(unwind(parents, stores[0]))
    return {"summary": summary, "path": path, "words": " and ".join(words)}


def _data_stores(graph: ReachGraph, parents: Iterable[str], providers: ProviderSet) -> list[str]:
    """The resources reached (``parents``: one walk from the leak, the only one per leak: its
    path to the first store is unwound from it) whose kind holds data, per their provider's
    facts (``data_store_kinds``: AWS buckets, keys and secrets)."""
    estate = graph.estate
    return sorted(
        node
        for node in parents
        if (r := estate.resources.get(node)) is not None
        and r.kind in providers.facts(r.provider).data_store_kinds
    )


class SharedSecret:
    meta = RuleMeta(
        id="NHI202",
        name="secret-shared-across-repositories",
        severity=Severity.MEDIUM,
        summary=(
            "The same secret is committed to several repositories: one credential shared by "
            "several codebases (and the workloads built from them). High when it is a cloud "
            "credential or a live inventory credential."
        ),
        remediation=(
            "Give each workload its own credential (or role), so that one leak or one rotation "
            "touches one workload; rotate this one in every repository at once."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for leak in leaks(estate):
            repos = leak.repositories
            if len(repos) < 2:
                continue
            judged_as = judge(leak).severity
            if judged_as is None:
                continue  # a template or a mask, shared: no credential
            cloud = leak.credential is not None or leak.provider is not None
            severity = Severity.HIGH if cloud else self.meta.severity
            if judged_as.rank < Severity.MEDIUM.rank:
                severity = lower(severity)
            subject = leak.credential.identity if leak.credential else leak.first.id
            finding = make_finding(
                self.meta,
                subject=subject,
                provider=leak.provider or Provider.GIT,
                title=(
                    f"{leak.detector} {leak.first.redacted} is committed to {len(repos)} "
                    f"repositories: {', '.join(repos[:5])}{' …' if len(repos) > 5 else ''}."
                ),
                evidence={**_evidence(leak), "repository_count": len(repos)},
                severity=severity,
            )
            yield replace(finding, fingerprint=_fingerprint(self.meta, leak))
