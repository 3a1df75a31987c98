"""Fix first: the few changes that close the most risk, computed from the findings, their
paths through the reach graph and the agent analysis (issue #18).

Three kinds of change are candidates:

- ``deactivate-credential``: an active credential (an access key, a service-account key, a
  client secret, a console password) closes every finding that names it (its age, its leak in
  code, a decommissioned agent still using it) and every path that starts from it. The change is
  the remediation its provider's rule wrote for the worst of those findings (the command).
- ``remove-statement``: a policy statement that alone grants a hop of a finding's path; removing
  or narrowing it breaks that path (an escalation, a route to administrator or to data).
- ``apply-least-privilege``: an agent's generated least-privilege policy, which takes away its
  identities' excess, their administrator rights and their escalations.

Each finding is worth ``WEIGHT[severity]``; the list is built greedily: the change closing the
most weight of what is still open, then the next, so two changes never claim the same finding.
A finding is "closed" when the change removes its subject's access or its path; another path to
the same place may remain, which the next scan shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nhiscan.reports.model import Report
from nhiscan.scanner.kinds import PolicyKind
from nhiscan.scanner.model import Credential, CredentialKind, CredentialStatus, Finding, Severity

FIX_FIRST = 5  # shown at the top of the HTML report and in the Markdown summary
JSON_REMEDIATIONS = 10  # written to report.json
WEIGHT = {
    Severity.CRITICAL: 100,
    Severity.HIGH: 20,
    Severity.MEDIUM: 5,
    Severity.LOW: 1,
    Severity.INFO: 0,
}
ADMIN_PREFIX = "admin:"  # the reach graph's administrator sinks


@dataclass(frozen=True, slots=True, kw_only=True)
class Remediation:
    kind: str  # deactivate-credential, remove-statement, apply-least-privilege
    action: str  # one line, for people
    change: str  # the command or the policy change
    target: str  # the credential id, the policy id and statement, or the agent's name
    closes: tuple[Finding, ...]  # worst first
    paths_to_admin: int  # closed findings whose path ends at an administrator

    @property
    def by_severity(self) -> tuple[tuple[Severity, int], ...]:
        counts = Counter(f.severity for f in self.closes)
        return tuple((s, counts[s]) for s in sorted(counts, key=lambda s: -s.rank))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "action": self.action,
            "change": self.change,
            "target": self.target,
            "closes": [f.fingerprint for f in self.closes],
            "closes_by_severity": {s.value: n for s, n in self.by_severity},
            "paths_to_admin": self.paths_to_admin,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Candidate:
    kind: str
    action: str
    change: str
    target: str
    closes: frozenset[int]  # indices into the findings


def remediations(report: Report, limit: int = JSON_REMEDIATIONS) -> tuple[Remediation, ...]:
    findings = report.findings
    candidates = [
        *_credential_candidates(report),
        *_statement_candidates(report),
        *_agent_candidates(report),
    ]
    chosen: list[Remediation] = []
    closed: set[int] = set()
    while len(chosen) < limit:
        best, best_weight = None, 0
        for candidate in candidates:
            weight = sum(WEIGHT[findings[i].severity] for i in candidate.closes - closed)
            if weight > best_weight:
                best, best_weight = candidate, weight
        if best is None:
            break
        fresh = sorted(best.closes - closed, key=lambda i: (-findings[i].severity.rank, i))
        closed.update(fresh)
        closes = tuple(findings[i] for i in fresh)
        chosen.append(
            Remediation(
                kind=best.kind,
                action=best.action,
                change=best.change,
                target=best.target,
                closes=closes,
                paths_to_admin=sum(_to_admin(f) for f in closes),
            )
        )
        candidates.remove(best)
    return tuple(chosen)


def remediations_json(report: Report) -> list[dict[str, Any]]:
    return [r.to_json() for r in remediations(report)]


def _to_admin(finding: Finding) -> bool:
    last = finding.path[-1] if finding.path else None
    return isinstance(last, Mapping) and str(last.get("to", "")).startswith(ADMIN_PREFIX)


# --- credentials ------------------------------------------------------------------------------


def _credential_candidates(report: Report) -> Iterator[_Candidate]:
    usable = {
        c.id: c
        for c in report.snapshot.credentials
        if c.status is CredentialStatus.ACTIVE and c.kind is not CredentialKind.SA_SYSTEM_KEY
    }
    if not usable:  # an account export holds no credentials: no finding can name one
        return
    closes: dict[str, set[int]] = {}
    for index, finding in enumerate(report.findings):
        for text in _mentions(finding):
            if text in usable:
                closes.setdefault(text, set()).add(index)
    for credential_id, indices in closes.items():
        credential = usable[credential_id]
        name = _name(report, credential.identity)
        worst = min(indices, key=lambda i: (-report.findings[i].severity.rank, i))
        yield _Candidate(
            kind="deactivate-credential",
            action=f"Deactivate {_kind_text(credential)} {credential.id} of {name}",
            change=report.findings[worst].remediation
            or f"Deactivate {credential.id}, then delete it and rotate what used it",
            target=credential.id,
            closes=frozenset(indices),
        )


def _mentions(finding: Finding) -> set[str]:
    """Every string a finding's evidence holds (values and keys, nested) and its path's nodes."""
    found: set[str] = set()
    _strings(finding.evidence, found)
    for step in finding.path:
        if isinstance(step, Mapping):
            found.update(str(step.get(k)) for k in ("from", "to") if step.get(k) is not None)
    return found


def _strings(value: Any, into: set[str]) -> None:
    if isinstance(value, str):
        into.add(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            into.add(str(key))
            _strings(item, into)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _strings(item, into)


def _kind_text(credential: Credential) -> str:
    return {
        CredentialKind.ACCESS_KEY: "access key",
        CredentialKind.PASSWORD: "the console password",
        CredentialKind.SA_KEY: "key",
    }.get(credential.kind, str(credential.kind.value).replace("-", " "))


# --- statements -------------------------------------------------------------------------------


def _statement_candidates(report: Report) -> Iterator[_Candidate]:
    closes: dict[tuple[str, Any, Any, str], set[int]] = {}
    for index, finding in enumerate(report.findings):
        for step in finding.path:
            ref = _sole_statement(step)
            if ref is not None and "from" in step:
                key = (str(ref["policy_id"]), ref.get("index"), ref.get("sid"), str(step["from"]))
                closes.setdefault(key, set()).add(index)
    for (policy_id, index, sid, holder), indices in closes.items():
        policy = report.estate.policy(policy_id)
        name = policy.name if policy is not None and policy.name else _policy_name(policy_id)
        where = f"statement {sid}" if sid else _position(index)
        action, change = _statement_change(
            policy.kind if policy is not None else None, policy_id, name, sid, where,
            _name(report, holder),
        )  # fmt: skip
        yield _Candidate(
            kind="remove-statement",
            action=action,
            change=change,
            target=f"{policy_id}#{sid or index}",
            closes=frozenset(indices),
        )


def _sole_statement(step: Any) -> Mapping[str, Any] | None:
    """The statement that alone grants a hop; None when several do (removing one of them
    leaves the hop) or none is recorded."""
    statements = step.get("statements") if isinstance(step, Mapping) else None
    if not isinstance(statements, list | tuple) or len(statements) != 1:
        return None
    ref = statements[0]
    return ref if isinstance(ref, Mapping) and "policy_id" in ref else None


def _statement_change(
    kind: PolicyKind | None, policy_id: str, name: str, sid: Any, where: str, holder: str
) -> tuple[str, str]:
    """The action and the change, by the policy's kind: an attachable policy is detached, a
    role assignment or binding removed, another statement removed or narrowed."""
    if kind in (PolicyKind.AWS_MANAGED, PolicyKind.CUSTOMER_MANAGED):
        return (
            f"Detach {name} from {holder}",
            f"Detach {policy_id} from {holder}, then attach a policy of only what it needs",
        )
    if kind is PolicyKind.AZURE_ROLE_ASSIGNMENT or (sid and str(sid) == name):
        return (
            f"Remove {name} from {holder}",
            f"Delete the role assignment {policy_id}, or assign a narrower role at a "
            "narrower scope",
        )
    if kind is PolicyKind.IAM_ALLOW and sid:
        return (
            f"Remove {sid} from {holder} on {name}",
            f"Remove {holder} from the binding of {sid} in {policy_id}, or bind a narrower role",
        )
    return (
        f"Remove or narrow {where} of {name} ({holder})",
        f"Edit {policy_id}: delete {where}, or narrow its actions and resources to what "
        f"{holder} needs",
    )


def _position(index: Any) -> str:
    return f"statement {int(index) + 1}" if isinstance(index, int) else "the statement"


def _policy_name(policy_id: str) -> str:
    base, _, part = policy_id.partition("#")
    if part.startswith("inline/"):
        return part.removeprefix("inline/")
    return base.rsplit("/", 1)[-1] if "/" in base else base


# --- agents -----------------------------------------------------------------------------------


def _agent_candidates(report: Report) -> Iterator[_Candidate]:
    analysis = report.agents
    if analysis is None:
        return
    reach_rules = {meta.id for meta in report.rules if meta.needs_graph}
    for result in analysis.results:
        gap = result.gap
        if gap is None or not any(i.analysed and i.policy for i in gap.identities):
            continue
        identities = {i.identity for i in gap.identities if i.analysed and i.policy}
        indices = set(_agent_findings(report.findings, result.agent.name, identities, reach_rules))
        if not indices:
            continue
        names = ", ".join(sorted(_name(report, i) for i in identities))
        yield _Candidate(
            kind="apply-least-privilege",
            action=f"Apply the least-privilege policy of agent {result.agent.name} to {names}",
            change=(
                f"Replace the policies of {names} with the least-privilege policy of agent "
                f"{result.agent.name} (its card in this report; report.json agents[]."
                "least_privilege)"
            ),
            target=result.agent.name,
            closes=frozenset(indices),
        )


def _agent_findings(
    findings: Iterable[Finding], agent: str, identities: set[str], reach_rules: set[str]
) -> Iterator[int]:
    """The agent's excess findings, and the reach findings (admin, escalation, data reach) of
    its identities: the least-privilege policy removes that access."""
    for index, finding in enumerate(findings):
        named = finding.evidence.get("agent") == agent and finding.rule_id == "NHI300"
        if named or (finding.subject in identities and finding.rule_id in reach_rules):
            yield index


def _name(report: Report, identity_id: str) -> str:
    identity = report.estate.identities.get(identity_id)
    return identity.name if identity is not None else identity_id
