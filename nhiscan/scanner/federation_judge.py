"""What a keyless trust admits, decided and said in words (issue #20).

A trust is judged one admission (one way in) at a time. Each question ("a token of an owner
other than the ones this trust names", "of a repository of acme other than the ones named",
"from a branch other than the ones named", "from a pull request") is a token shape of the
platform's grammar (``federation_judge_grammar``); the admission admits such a token when,
for every claim it tests, the claim's language meets what the tests allow
(``federation_judge_lang.solve``: exact for ``*`` and ``?`` globs, negations and
``ignore_case``). Claims are judged one at a time: a trust would have to correlate two claims
against each other for this to say "admits" of a token no issuer signs, and none of the
documented trust shapes does. An admission with conditions nhiscan could not read is judged
on the rest and said to maybe admit.

The judgement names what it saw (owners, repositories, contexts, whether pull requests get
in, whether the audience is pinned) and a sentence a person reads: "any workflow in any
repository of acme, on any branch, including pull requests".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from nhiscan.scanner.federation import (
    Admission,
    ClaimTest,
    FederatedTrust,
    Match,
    Platform,
    issuer_key,
)
from nhiscan.scanner.federation_judge_grammar import GRAMMARS, IDENTIFYING, Claims, Grammar
from nhiscan.scanner.federation_judge_lang import ANY, Lang, alt, but, glob, literal, many, solve
from nhiscan.scanner.federation_judge_model import RANK as RANK
from nhiscan.scanner.federation_judge_model import Judgement as Judgement
from nhiscan.scanner.federation_judge_model import Verdict as Verdict
from nhiscan.scanner.federation_judge_model import Wildcard as Wildcard
from nhiscan.scanner.federation_judge_words import everyone, maybe, with_words

AUDIENCE = "aud"
# Issuers that decide themselves which of their subjects get the identity: no subject test is
# expected of the trust.
DELEGATED = frozenset({Platform.EKS_POD_IDENTITY, Platform.SAML})


@lru_cache(maxsize=16_384)
def judge(trust: FederatedTrust) -> Judgement:
    """What ``trust`` admits: each admission's verdict, and the trust's in sum. Remembered:
    the graph, every rule and the report ask of the same trusts."""
    verdicts = tuple(_verdict(trust, i, a) for i, a in enumerate(trust.admissions))
    wildcard = max((v.wildcard for v in verdicts), key=RANK.__getitem__, default=Wildcard.NONE)
    pinned, audiences = _audience(trust)
    words = "; or ".join(v.words for v in verdicts) or "no token (the trust has no way in)"
    return Judgement(
        trust=trust,
        verdicts=verdicts,
        wildcard=wildcard,
        owners=_union(v.owners for v in verdicts),
        repositories=_union(v.repositories for v in verdicts),
        contexts=_union(v.contexts for v in verdicts),
        pull_requests=_any_of(v.pull_requests for v in verdicts),
        audience_pinned=pinned,
        audiences=audiences,
        words=words,
    )


def principal_of(trust: FederatedTrust, admission: Admission) -> str:
    """The external principal's node id: the issuer and what the admission tests of who
    (``external:token.actions.githubusercontent.com:repo:acme/*``); several trusts admitting
    the same tokens share it."""
    return f"external:{issuer_key(trust.issuer)}:{_tested(trust, admission)}"


def _tested(trust: FederatedTrust, admission: Admission) -> str:
    who = _identifying(trust.platform)
    parts = []
    for test in admission.tests:
        if test.claim not in who:
            continue
        values = "|".join(test.values)
        prefix = "" if test.claim == "sub" else f"{test.claim}="
        parts.append(f"{'not ' if test.match.negated else ''}{prefix}{values}")
    return ",".join(parts) or "any"


def grammar_of(trust: FederatedTrust) -> Grammar | None:
    """The platform's grammar; for an issuer known by no name (a Kubernetes cluster's, a
    self-hosted GitHub Enterprise Server or GitLab), the grammar whose subject shape every
    positive subject test of the trust has (``system:serviceaccount:...``, ``repo:...``)."""
    grammar = GRAMMARS.get(trust.platform)
    if grammar is not None or trust.platform is not Platform.OIDC:
        return grammar
    subjects = [v for a in trust.admissions for t in a.tested("sub") if not t.match.negated
                for v in t.values]  # fmt: skip
    for candidate in GRAMMARS.values():
        if subjects and all(candidate.parse(v) is not None for v in subjects):
            return candidate
    return None


def _identifying(platform: Platform) -> frozenset[str]:
    grammar = GRAMMARS.get(platform)
    if grammar is not None:
        return grammar.identifying
    return IDENTIFYING.get(platform, frozenset({"sub"}))


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _any_of(answers: Iterable[bool | None]) -> bool | None:
    found = list(answers)
    if True in found:
        return True
    return None if None in found else False


# -- one admission ---------------------------------------------------------------------------


def _verdict(trust: FederatedTrust, index: int, admission: Admission) -> Verdict:
    grammar = grammar_of(trust)
    if grammar is None:
        return _plain_verdict(trust, index, admission)
    names = _names(grammar, admission)
    owner, repo, value = names
    everyone = not any(t.claim in grammar.identifying for t in admission.tests)
    anyone = many(grammar.owner_chars)
    any_repo, any_value = many(grammar.repo_chars), many(grammar.value_chars)
    foreign = _admits(grammar, admission, but(owner, grammar.owner_chars, True), any_repo,
                      grammar.kinds, any_value)  # fmt: skip
    other_repos = [
        found
        for name in owner
        if (
            found := _admits(
                grammar,
                admission,
                literal(name),
                but(repo, grammar.repo_chars, True),
                grammar.kinds,
                any_value,
            )
        )
        is not None
    ]
    any_context = grammar.branch_kind is not None and (
        _admits(
            grammar,
            admission,
            anyone,
            any_repo,
            (grammar.branch_kind,),
            but(value, grammar.value_chars),
        )
        is not None
    )
    # a pull request from a branch the admission does not name (merge request pipelines run
    # on their source branch)
    prs = (
        _admits(
            grammar,
            admission,
            anyone,
            any_repo,
            tuple(grammar.pull_request_kinds),
            but(value, grammar.value_chars),
        )
        is not None
    )
    if everyone:
        wildcard = Wildcard.ANY
    elif foreign is not None:
        wildcard = Wildcard.OWNER
    elif other_repos:
        wildcard = Wildcard.REPOSITORY
    else:
        wildcard = Wildcard.CONTEXT if any_context else Wildcard.NONE
    example = foreign if wildcard is Wildcard.OWNER else next(iter(other_repos), None)
    segments = _segments(grammar, admission)
    verdict = Verdict(
        index=index,
        principal=_tested(trust, admission),
        wildcard=wildcard,
        owners=tuple(dict.fromkeys(s[0] for s in segments if s[0])),
        repositories=tuple(dict.fromkeys(f"{s[0]}/{s[1]}" for s in segments if s[0] and s[1])),
        contexts=tuple(dict.fromkeys(_context(s) for s in segments if s[2] or s[3])),
        pull_requests=(None if admission.undecided else True) if prs else False,
        undecided=admission.undecided,
        example=example or None,
        words="",
    )
    return with_words(trust, grammar, verdict, any_context)


def _names(grammar: Grammar, admission: Admission) -> tuple[set[str], set[str], set[str]]:
    """The owners, repositories and contexts the admission spells out: the literal start of
    each segment of its subject patterns (``acme`` of ``repo:acme*``) and the values of its
    tests on the claims that carry one alone. "Other than these" is asked of the automata."""
    owners: set[str] = set()
    repos: set[str] = set()
    values: set[str] = set()
    for owner, repo, _, value in _segments(grammar, admission):
        owners.add(_literal_start(owner))
        repos.add(_literal_start(repo))
        values.add(_literal_start(value))
    for test in admission.tests:
        if test.match.negated:
            continue
        for wanted in test.values:
            if test.claim in ("repository_owner", "namespace_path", "terraform_organization_name"):
                owners.add(_literal_start(wanted))
            elif test.claim in ("repository", "project_path"):
                head, _, tail = wanted.partition("/")
                owners.add(_literal_start(head))
                repos.add(_literal_start(tail))
            elif test.claim in ("ref", "environment"):
                values.add(_literal_start(wanted.removeprefix("refs/heads/")))
    return owners - {""}, repos - {""}, values - {""}


def _literal_start(segment: str) -> str:
    cut = min((i for i, c in enumerate(segment) if c in "*?"), default=len(segment))
    return segment[:cut]


def _segments(grammar: Grammar, admission: Admission) -> list[tuple[str, str, str, str]]:
    """The (owner, repository, kind, value) segments the admission spells out: its subject
    patterns parsed, and its exact tests on the claims that name a repository or its owner
    alone (a GCP pool binding names ``attribute.repository``, not the subject)."""
    found = []
    for test in admission.tested("sub"):
        if not test.match.negated:
            found += [s for v in test.values if (s := grammar.parse(v)) is not None]
    exact = [t for t in admission.tests if t.match is Match.EQUALS]
    for test in exact:
        if test.claim in ("repository", "project_path"):
            found += [(*v.rpartition("/")[::2], "", "") for v in test.values if "/" in v]
    if not found:
        found += [(v, "", "", "") for t in exact if t.claim in OWNER_CLAIMS for v in t.values]
    return found


# The claims that name an owner alone (GitHub, GitLab, Terraform Cloud).
OWNER_CLAIMS = frozenset({"repository_owner", "namespace_path", "terraform_organization_name"})


def _context(segment: tuple[str, str, str, str]) -> str:
    _, _, kind, value = segment
    return f"{kind} {value}".strip() if kind else value


def _admits(
    grammar: Grammar,
    admission: Admission,
    owner: Lang,
    repo: Lang,
    kinds: tuple[str, ...],
    value: Lang,
) -> str | None:
    """A subject the admission admits among tokens of this shape, or None when it admits
    none ("" when it admits one but tests no subject)."""
    for kind in kinds:
        found = _admits_claims(admission, grammar.shape(owner, repo, kind, value))
        if found is not None:
            return found
    return None


def _admits_claims(admission: Admission, claims: Claims) -> str | None:
    subject = ""
    for claim in dict.fromkeys(t.claim for t in admission.tests):
        if claim == AUDIENCE:
            continue
        tests = admission.tested(claim)
        lang = claims[claim] if claim in claims else many(ANY, 0)
        if lang is None:
            if all(t.match.negated for t in tests):
                continue
            return None
        # the narrowest language first: solve stops a symbol at the first that refuses it
        exact = [_values(t) for t in tests if t.match is Match.EQUALS]
        like = [_values(t) for t in tests if t.match is Match.LIKE]
        must = [*exact, lang, *like]
        found = solve(must, [_values(t) for t in tests if t.match.negated])
        if found is None:
            return None
        if claim == "sub":
            subject = found
    return subject


def _values(test: ClaimTest) -> Lang:
    like = test.match in (Match.LIKE, Match.NOT_LIKE)
    make = glob if like else literal
    return alt(*(make(v, test.ignore_case) for v in test.values))


def _plain_verdict(trust: FederatedTrust, index: int, admission: Admission) -> Verdict:
    """An issuer with no grammar: everyone when no test names who, a pattern when one is a
    glob. EKS Pod Identity and SAML trusts name no subject by design: the Pod Identity
    association names the pods, the organisation's own identity provider which of its users
    get the role (https://docs.aws.amazon.com/IAM/latest/UserGuide/
    id_roles_providers_create_for-idp_saml.html)."""
    who = _identifying(trust.platform)
    tests = [t for t in admission.tests if t.claim in who]
    if trust.platform in DELEGATED:
        wildcard = Wildcard.NONE
    elif not tests:
        wildcard = Wildcard.ANY
    elif any(t.match is Match.LIKE and any(c in v for v in t.values for c in "*?") for t in tests):
        wildcard = Wildcard.PATTERN
    else:
        wildcard = Wildcard.NONE
    if wildcard is Wildcard.ANY or trust.platform in DELEGATED:
        words = everyone(trust)
    else:
        words = f"tokens of {trust.issuer} whose {_tested(trust, admission)}"
    return Verdict(
        index=index, principal=_tested(trust, admission), wildcard=wildcard, owners=(),
        repositories=(), contexts=(), pull_requests=False, undecided=admission.undecided,
        example=None, words=maybe(words, admission.undecided),
    )  # fmt: skip


# -- the audience ----------------------------------------------------------------------------


def _audience(trust: FederatedTrust) -> tuple[bool | None, tuple[str, ...]]:
    """Pinned when every admission tests ``aud`` against the registration's own audiences, or
    the registration accepts one audience at most (an IAM OIDC provider's one client id, a
    federated credential's one audience, a pool provider's default when it lists none): the
    cloud then refuses a token minted for anything else. Unknown (None) when the registration
    was not collected and an admission does not test ``aud``. For Cognito the audience is the
    identity pool, judged as the subject."""
    accepted = _accepted(trust.admissions)
    own = trust.audiences
    if trust.platform is Platform.COGNITO or trust.platform in DELEGATED:
        return True, accepted
    if own is not None and len(own) <= 1:
        return True, accepted
    tested = [_pinned_values(a) for a in trust.admissions]
    if tested and all(values is not None for values in tested):
        if own is None:
            return True, accepted
        return all(set(v or ()) <= set(own) for v in tested), accepted
    return (None if own is None else False), accepted


def _pinned_values(admission: Admission) -> tuple[str, ...] | None:
    """The audiences an admission accepts when it names them exactly, else None."""
    tests = [t for t in admission.tested(AUDIENCE) if not t.match.negated]
    for test in tests:
        if test.match is Match.EQUALS or not any(c in v for v in test.values for c in "*?"):
            return test.values
    return None


def _accepted(admissions: Iterable[Admission]) -> tuple[str, ...]:
    found: list[str] = []
    for admission in admissions:
        values = _pinned_values(admission)
        found += list(values) if values is not None else ["*"]
    return tuple(dict.fromkeys(found))
