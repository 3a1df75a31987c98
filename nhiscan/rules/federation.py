"""Keyless trusts that admit too much (issue #20): NHI600-NHI604.

Each provider reads its trusts into neutral records (``ProviderAnalysis.federated_trusts``);
``scanner.federation_judge`` decides what each admits. These rules report a trust that admits
every token of its issuer or names its subjects with a wildcard (NHI600: critical when the
identity reaches an administrator or a data store), one that admits pull requests (NHI601),
one whose audience is not pinned (NHI602), an issuer registered that no identity trusts
(NHI603), and long-lived keys left on an identity that is federated (NHI604). Each finding
carries the judgement in words and the exact condition that closes the trust
(``federation_fix``), and names the workflow files of the scanned repositories that request
the identity (``scanner/workflows.py``); NHI600's and NHI601's paths then start at the
repository: repository -> workflow file -> identity -> what it reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nhiscan.rules.base import RuleContext, RuleMeta, make_finding
from nhiscan.rules.common import active_keys, capital, credential_word, describe
from nhiscan.rules.federation_fix import audience, fix
from nhiscan.rules.reach_support import admin_reach, scope_words
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.federation import Registration, issuer_key
from nhiscan.scanner.federation_judge import Judgement, Verdict, Wildcard, judge, principal_of
from nhiscan.scanner.graph import Hop, ReachGraph, path_json
from nhiscan.scanner.graph.workflows import repository_node
from nhiscan.scanner.model import Finding, IdentityKind, Severity
from nhiscan.scanner.provider import ProviderSet
from nhiscan.scanner.workflows import step_evidence, workflows_requesting

WIDE = frozenset({Wildcard.ANY, Wildcard.OWNER, Wildcard.REPOSITORY, Wildcard.PATTERN})
# An application's secrets beside its federated credentials are NHI503's (Azure's own rule).
APPLICATIONS = frozenset({IdentityKind.SERVICE_PRINCIPAL, IdentityKind.ENTRA_APPLICATION})


def judged(providers: ProviderSet) -> list[Judgement]:
    """Every analysis's trusts, judged, in target then source order."""
    trusts = [t for a in providers.analyses.values() for t in a.federated_trusts()]
    return [judge(t) for t in sorted(trusts, key=lambda t: (t.target, t.source))]


def registered(providers: ProviderSet) -> tuple[Registration, ...]:
    """Every analysis's registrations, by id."""
    found = (r for a in providers.analyses.values() for r in a.registrations())
    return tuple(sorted(found, key=lambda r: r.id))


def _evidence(
    estate: Estate, judgement: Judgement, verdicts: tuple[Verdict, ...], providers: ProviderSet
) -> dict[str, Any]:
    trust = judgement.trust
    admissions = [trust.admissions[v.index] for v in verdicts]
    steps = workflows_requesting(estate, trust.target)
    return {
        "target": trust.target,
        "issuer": trust.issuer,
        "platform": trust.platform.value,
        "registration": trust.registration,
        "source": trust.source,
        "via": trust.via,
        "patterns": [v.principal for v in verdicts],
        "wildcard": judgement.wildcard.value,
        "words": "; or ".join(v.words for v in verdicts),
        "example": next((v.example for v in verdicts if v.example), None),
        "statements": [
            {"policy_id": a.statement.policy_id, "index": a.statement.index, "sid": a.statement.sid}
            for a in admissions
            if a.statement is not None
        ],
        "undecided": [text for v in verdicts for text in v.undecided],
        "fix": fix(judgement, providers.facts(trust.provider)),
        "workflows": [step_evidence(step) for step in steps],
    }


def _starts(
    estate: Estate, judgement: Judgement, verdicts: tuple[Verdict, ...], *, pull_requests: bool
) -> list[str]:
    """Where a finding's path may start: the repositories whose workflow steps request the
    identity (those a pull request runs, for NHI601), then the trust's external principals.
    A repository start is kept only when its step's hop into the identity is in the graph
    (the trust admits the step's token): the walk decides that, not this list."""
    trust = judgement.trust
    steps = [
        step
        for step in workflows_requesting(estate, trust.target)
        if not pull_requests or any(t.event.startswith("pull_request") for t in step.triggers)
    ]
    repositories = list(dict.fromkeys(repository_node(step) for step in steps))
    return repositories + [principal_of(trust, trust.admissions[v.index]) for v in verdicts]


def _through(graph: ReachGraph, path: tuple[Hop, ...], target: str) -> bool:
    """Whether a path from a repository passes through the identity (not another role the
    repository's workflows request)."""
    return any(hop.target == target for hop in path)


def _who(estate: Estate, judgement: Judgement, providers: ProviderSet) -> str:
    target = judgement.trust.target
    return describe(estate.identities.get(target), target, providers)


class WildcardFederationTrust:
    meta = RuleMeta(
        id="NHI600",
        name="wildcard-federation-trust",
        severity=Severity.HIGH,
        summary=(
            "An identity trusts an outside token issuer (GitHub Actions, GitLab, Terraform "
            "Cloud, a Kubernetes cluster, another cloud) with no test on who the token names, "
            "or with a wildcard that admits any repository of an owner, or owners it does not "
            "name (which anyone may register). Critical when the identity reaches an "
            "administrator or a data store."
        ),
        remediation=(
            "Test the token's subject exactly: one repository and one branch or environment "
            "(the finding's fix gives the condition to add), and pin its audience. Split a "
            "trust that several repositories need into one per repository."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for judgement in judged(ctx.providers):
            wide = tuple(v for v in judgement.verdicts if v.wildcard in WIDE)
            if wide:
                yield self._finding(estate, ctx, judgement, wide)

    def _finding(
        self, estate: Estate, ctx: RuleContext, judgement: Judgement, wide: tuple[Verdict, ...]
    ) -> Finding:
        trust = judgement.trust
        starts = _starts(estate, judgement, wide, pull_requests=False)
        reached, path = _reach(ctx, estate, starts, trust.target)
        evidence = _evidence(estate, judgement, wide, ctx.providers) | {"reaches": reached}
        who = _who(estate, judgement, ctx.providers)
        more = f" (and it reaches {reached[0]})" if reached else ""
        return make_finding(
            self.meta,
            subject=trust.target,
            provider=trust.provider,
            title=f"{capital(who)} admits {evidence['words']}{more}.",
            evidence=evidence,
            key=(trust.source,),
            severity=Severity.CRITICAL if reached else Severity.HIGH,
            path=path_json(path),
        )


def _reach(
    ctx: RuleContext, estate: Estate, starts: list[str], target: str
) -> tuple[list[str], tuple[Hop, ...]]:
    """What the trust's external principals reach through ``target`` that makes it critical:
    an admin sink ("administrator of 123456789012"), else data stores; with the path to the
    first (from a requesting repository when one has a path through the identity)."""
    graph = ctx.graph
    if graph is None:
        return [], ()
    admin = admin_reach(graph)
    for start in starts:
        if start in graph.graph and admin.reaches(start):
            path = admin.path(start) or ()
            if not _through(graph, path, target):
                continue
            account = graph.graph.nodes[path[-1].target].get("account") if path else None
            return [f"administrator of {_scope(ctx, estate, start, account)}"], path
    for start in starts:
        stores = [(n, p) for n, p in _data_stores(graph, estate, ctx.providers, start)
                  if _through(graph, p, target)]  # fmt: skip
        if stores:
            return [f"data store {node}" for node, _ in stores], stores[0][1]
    return [], ()


def _scope(ctx: RuleContext, estate: Estate, start: str, account: object) -> str:
    """The admin sink's scope in its provider's words ("account 123456789012")."""
    graph = ctx.graph
    targets = [] if graph is None else [h.target for h in graph.hops_from(start)]
    identity = next((estate.identities[t] for t in targets if t in estate.identities), None)
    if identity is None or account is None:
        return f"account {account}"
    return scope_words(ctx.providers, identity, str(account))


def _data_stores(
    graph: ReachGraph, estate: Estate, providers: ProviderSet, start: str
) -> list[tuple[str, tuple[Hop, ...]]]:
    if start not in graph.graph:
        return []
    found = []
    for node, path in sorted(graph.reach(start).items()):
        resource = estate.resources.get(node)
        if (
            resource is not None
            and resource.kind in providers.facts(resource.provider).data_store_kinds
        ):
            found.append((node, path))
    return found


class FederationAdmitsPullRequests:
    meta = RuleMeta(
        id="NHI601",
        name="federation-trust-admits-pull-requests",
        severity=Severity.HIGH,
        summary=(
            "A keyless trust admits tokens of pull request runs (GitHub's "
            "repo:OWNER/REPO:pull_request subject, or a wildcard that covers it; GitLab merge "
            "request pipelines; Terraform speculative plans): code nobody has reviewed yet can "
            "become the identity. Medium when only conditions nhiscan could not read may refuse."
        ),
        remediation=(
            "Admit only the protected branch or the deployment environment that runs after "
            "review (the finding's fix gives the subject); run pull request checks with an "
            "identity that can only read."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for judgement in judged(ctx.providers):
            verdicts = tuple(v for v in judgement.verdicts if v.pull_requests is not False)
            if not verdicts:
                continue
            certain = judgement.pull_requests is True
            who = _who(estate, judgement, ctx.providers)
            starts = _starts(estate, judgement, verdicts, pull_requests=True)
            reached, path = _reach(ctx, estate, starts, judgement.trust.target)
            evidence = _evidence(estate, judgement, verdicts, ctx.providers)
            yield make_finding(
                self.meta,
                subject=judgement.trust.target,
                provider=judgement.trust.provider,
                title=f"{capital(who)} admits pull request runs: {judgement.words}.",
                evidence=evidence | {"certain": certain, "reaches": reached},
                key=(judgement.trust.source,),
                severity=Severity.HIGH if certain else Severity.MEDIUM,
                path=path_json(path),
            )


class FederationAudienceNotPinned:
    meta = RuleMeta(
        id="NHI602",
        name="federation-audience-not-pinned",
        severity=Severity.MEDIUM,
        summary=(
            "A keyless trust does not pin the token's audience to the registration's own (the "
            "audience the cloud asks for by default): a token its issuer minted for another "
            "service, which that service may log or leak, is accepted too."
        ),
        remediation=(
            "Test the aud claim against the one audience the cloud expects (the finding's fix "
            "names it), and remove the other audiences from the registration."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        for judgement in judged(ctx.providers):
            if judgement.audience_pinned is not False:
                continue
            trust = judgement.trust
            who = _who(estate, judgement, ctx.providers)
            wanted = audience(trust, ctx.providers.facts(trust.provider))
            yield make_finding(
                self.meta,
                subject=trust.target,
                provider=trust.provider,
                title=f"{capital(who)} accepts {trust.issuer} tokens of any audience its "
                f"registration lists, not only {wanted}.",
                evidence=_evidence(estate, judgement, judgement.verdicts, ctx.providers)
                | {
                    "accepted_audiences": list(judgement.audiences),
                    "registration_audiences": list(trust.audiences or ()),
                },
                key=(trust.source,),
            )


class OrphanFederationRegistration:
    meta = RuleMeta(
        id="NHI603",
        name="orphan-federation-registration",
        severity=Severity.LOW,
        summary=(
            "An outside token issuer is registered (an IAM OIDC or SAML provider, a workload "
            "identity pool provider) but no identity trusts it: it does nothing today, and a "
            "trust written later against it inherits whatever it accepts."
        ),
        remediation=(
            "Delete the registration, or record why it is kept; register issuers when a trust "
            "needs them."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        analyses = ctx.providers.analyses.values()
        trusts = [t for a in analyses for t in a.federated_trusts()]
        named = {t.registration for t in trusts if t.registration is not None}
        issuers = {(str(t.provider), t.account, issuer_key(t.issuer)) for t in trusts}
        for registration in registered(ctx.providers):
            if registration.disabled or registration.id in named:
                continue
            if _key(registration) in issuers:
                continue
            yield make_finding(
                self.meta,
                subject=registration.id,
                provider=registration.provider,
                title=f"{registration.issuer} is registered in {registration.account} but no "
                "identity trusts it.",
                evidence={
                    "registration": registration.id,
                    "issuer": registration.issuer,
                    "platform": registration.platform.value,
                    "account": registration.account,
                    "audiences": list(registration.audiences or ()),
                },
            )


def _key(registration: Registration) -> tuple[str, str, str]:
    return str(registration.provider), registration.account, issuer_key(registration.issuer)


class KeysBesideFederatedTrust:
    meta = RuleMeta(
        id="NHI604",
        name="keys-beside-federated-trust",
        severity=Severity.MEDIUM,
        summary=(
            "An identity that outside workloads become without a key (a keyless trust) still "
            "has active long-lived keys: the key is no longer needed, and it is the one "
            "credential of the identity that can leak and be used from anywhere. Entra "
            "applications are NHI503's."
        ),
        remediation=(
            "Confirm the workloads use the keyless trust (the key's last use), then "
            "deactivate and delete the keys."
        ),
    )

    def evaluate(self, estate: Estate, ctx: RuleContext) -> Iterator[Finding]:
        by_target: dict[str, list[Judgement]] = {}
        for judgement in judged(ctx.providers):
            by_target.setdefault(judgement.trust.target, []).append(judgement)
        for target, judgements in by_target.items():
            identity = estate.identities.get(target)
            if identity is None or identity.kind in APPLICATIONS:
                continue
            keys = active_keys(estate.credentials(target), ctx.providers)
            if not keys:
                continue
            words = credential_word(keys[0], ctx.providers)
            yield make_finding(
                self.meta,
                subject=target,
                provider=identity.provider,
                title=f"{capital(describe(identity, target, ctx.providers))} is federated "
                f"({judgements[0].trust.issuer}) and still has an active {words} {keys[0].id}.",
                evidence={
                    "identity": target,
                    "active_keys": [k.id for k in keys],
                    "issuers": sorted({j.trust.issuer for j in judgements}),
                    "sources": [j.trust.source for j in judgements],
                    "words": "; or ".join(j.words for j in judgements),
                },
            )
