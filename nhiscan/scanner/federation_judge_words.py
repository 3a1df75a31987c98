"""A judged admission in the words a person reads (issue #20): "any workflow in any
repository of acme, on any branch, including pull requests"."""

from __future__ import annotations

from dataclasses import replace

from nhiscan.scanner.federation import FederatedTrust, Platform
from nhiscan.scanner.federation_judge_grammar import Grammar
from nhiscan.scanner.federation_judge_model import Verdict, Wildcard

# Who acts, per platform, as a sentence's subject.
ACTOR = {
    Platform.GITHUB_ACTIONS: "any workflow",
    Platform.GITLAB_CI: "any pipeline",
    Platform.TERRAFORM_CLOUD: "any run",
    Platform.KUBERNETES: "any pod running as",
}
EVERYONE = {
    Platform.GITHUB_ACTIONS: "any workflow in any repository on GitHub",
    Platform.GITLAB_CI: "any pipeline of any project on {issuer}",
    Platform.TERRAFORM_CLOUD: "any run of any workspace of any organization on {issuer}",
    Platform.KUBERNETES: "any service account of any namespace of the cluster {issuer}",
    Platform.COGNITO: "any identity of any Cognito identity pool, in any account",
    Platform.EKS_POD_IDENTITY: "any pod an EKS Pod Identity association names",
    Platform.SAML: "any user the identity provider {issuer} maps to this identity",
}
PULL_REQUESTS = {
    Platform.GITHUB_ACTIONS: "including pull requests",
    Platform.GITLAB_CI: "including merge requests",
    Platform.TERRAFORM_CLOUD: "including speculative plans of pull requests",
}


def everyone(trust: FederatedTrust) -> str:
    template = EVERYONE.get(trust.platform, "any identity {issuer} signs a token for")
    return template.format(issuer=trust.issuer)


def maybe(words: str, undecided: tuple[str, ...]) -> str:
    if not undecided:
        return words
    return f"{words} (may admit, under conditions nhiscan could not read: {'; '.join(undecided)})"


def with_words(
    trust: FederatedTrust, grammar: Grammar, verdict: Verdict, any_context: bool
) -> Verdict:
    return replace(verdict, words=maybe(_sentence(trust, grammar, verdict, any_context),
                                         verdict.undecided))  # fmt: skip


def _sentence(trust: FederatedTrust, grammar: Grammar, verdict: Verdict, any_context: bool) -> str:
    parts = [everyone(trust) if verdict.wildcard is Wildcard.ANY else _who(grammar, verdict)]
    if grammar.branch_kind is not None and verdict.wildcard is not Wildcard.ANY:
        parts.append(_where(grammar, verdict, any_context))
    elif grammar.branch_kind is not None:
        parts.append(f"on any {grammar.context_word}")
    if verdict.pull_requests is not False and grammar.platform in PULL_REQUESTS:
        parts.append(PULL_REQUESTS[grammar.platform])
    return ", ".join(p for p in parts if p)


def _who(grammar: Grammar, verdict: Verdict) -> str:
    actor = ACTOR[grammar.platform]
    if grammar.platform is Platform.KUBERNETES:
        return _kubernetes_who(grammar, verdict)
    owners = _listed(verdict.owners)
    if verdict.wildcard is Wildcard.OWNER:
        such = f" (such as {verdict.example})" if verdict.example else ""
        return (f"{actor} in any {grammar.repo_word} of any {grammar.owner_word} matching "
                f"{owners or 'the pattern'}{such}, which anyone may register")  # fmt: skip
    if verdict.wildcard is Wildcard.REPOSITORY:
        globs = [r for r in verdict.repositories if any(c in r for c in "*?")]
        if globs and any(not r.endswith("/*") for r in globs):
            return f"{actor} in any {grammar.repo_word} matching {_listed(tuple(globs))}"
        return f"{actor} in any {grammar.repo_word} of {owners}"
    repos = _listed(verdict.repositories)
    return f"{actor} in {repos}" if repos else f"{actor} of {owners or 'the named subjects'}"


def _kubernetes_who(grammar: Grammar, verdict: Verdict) -> str:
    if verdict.wildcard is Wildcard.OWNER:
        return "any service account of a namespace it does not name" + (
            f" (such as {verdict.example})" if verdict.example else ""
        )
    if verdict.wildcard is Wildcard.REPOSITORY:
        return f"any service account of namespace {_listed(verdict.owners)}"
    return f"any pod running as {_listed(verdict.repositories) or 'the named service account'}"


def _where(grammar: Grammar, verdict: Verdict, any_context: bool) -> str:
    contexts = [c for c in verdict.contexts if not c.startswith("pull_request")]
    if any_context and all(c.endswith(" *") or c == "*" for c in contexts):
        return f"on any {grammar.context_word}"
    return _listed(tuple(f"{'in' if c.startswith('environment') else 'on'} {c}" for c in contexts))


def _listed(items: tuple[str, ...]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
