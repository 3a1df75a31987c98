"""The exact condition that closes a keyless trust, in the words of the cloud that holds it
(issue #20): the subject of one repository's default branch (or the one workload named) and
the audience the cloud expects. The cloud's wording is its provider's facts
(``ProviderFacts.federation_fix`` and ``federation_audience``); without them, neutral words.
"""

from __future__ import annotations

from nhiscan.scanner.facts import ProviderFacts
from nhiscan.scanner.federation import FederatedTrust, Platform, issuer_key
from nhiscan.scanner.federation_judge import Judgement, grammar_of


def suggested_subject(judgement: Judgement) -> str:
    """One subject the trust most likely meant: the first repository (or workload) it names,
    its default branch; placeholders where the trust names none."""
    grammar = grammar_of(judgement.trust)
    platform = judgement.trust.platform if grammar is None else grammar.platform
    owner, repo = _first_names(judgement)
    if platform is Platform.GITHUB_ACTIONS:
        return f"repo:{owner or 'OWNER'}/{repo or 'REPOSITORY'}:ref:refs/heads/main"
    if platform is Platform.GITLAB_CI:
        return f"project_path:{owner or 'GROUP'}/{repo or 'PROJECT'}:ref_type:branch:ref:main"
    if platform is Platform.TERRAFORM_CLOUD:
        return (f"organization:{owner or 'ORGANIZATION'}:project:PROJECT:workspace:"
                f"{repo or 'WORKSPACE'}:run_phase:apply")  # fmt: skip
    if platform is Platform.KUBERNETES:
        return f"system:serviceaccount:{owner or 'NAMESPACE'}:{repo or 'SERVICE_ACCOUNT'}"
    return "SUBJECT"


def _first_names(judgement: Judgement) -> tuple[str, str]:
    owner = next((_plain(o) for o in judgement.owners if _plain(o)), "")
    repo = ""
    for found in judgement.repositories:
        head, _, tail = found.partition("/")
        if _plain(head) == owner and _plain(tail) == tail:
            repo = tail
            break
    return owner, repo


def _plain(text: str) -> str:
    """``text`` when it has no wildcard, else empty."""
    return "" if any(c in text for c in "*?") else text


def audience(trust: FederatedTrust, facts: ProviderFacts) -> str:
    """The audience to pin: the registration's own when it names one, else the cloud's."""
    own = [a for a in trust.audiences or () if "*" not in a]
    if len(own) == 1:
        return own[0]
    return facts.federation_audience or (own[0] if own else "AUDIENCE")


def fix(judgement: Judgement, facts: ProviderFacts) -> str:
    """The condition to write, as the trust's cloud spells it."""
    trust = judgement.trust
    subject, aud = suggested_subject(judgement), audience(trust, facts)
    template = facts.federation_fix or "test sub equals {subject} and aud equals {audience}"
    return template.format(issuer=issuer_key(trust.issuer), subject=subject, audience=aud)
