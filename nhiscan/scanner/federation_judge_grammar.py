"""What a token of each platform looks like: the claims that name who sent it, as languages of
the token's parts (issue #20). The judge asks "a token of an owner other than acme, from any
repository, from a pull request" by building each claim's language from such parts and
intersecting it with the trust's tests (``federation_judge_lang``).

The default formats, as documented:

- GitHub Actions (https://docs.github.com/en/actions/reference/security/oidc): ``sub`` is
  ``repo:OWNER/REPO:ref:refs/heads/BRANCH``, ``...:ref:refs/tags/TAG``,
  ``...:environment:NAME`` (a job with an environment) or ``...:pull_request`` (a
  ``pull_request`` event without one); ``repository`` ``OWNER/REPO``, ``repository_owner``,
  ``ref``, ``environment``, ``event_name``, ``workflow_ref``
  ``OWNER/REPO/.github/workflows/F@REF``; ``job_workflow_ref`` names the reusable workflow
  called, of any repository, so it is not tied to the caller's owner. A repository that
  customised its subject template is read as if it had not.
- GitLab CI (https://docs.gitlab.com/ci/secrets/id_token_authentication/): ``sub`` is
  ``project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME``; ``namespace_path``,
  ``project_path``, ``ref``, ``ref_type``, ``ref_protected``, ``pipeline_source``
  (``merge_request_event`` for merge request pipelines).
- Terraform Cloud (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/
  dynamic-provider-credentials/workload-identity-tokens): ``sub`` is
  ``organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:plan|apply``, with
  ``terraform_organization_name``, ``terraform_project_name``, ``terraform_workspace_name``,
  ``terraform_run_phase``; a speculative plan of a pull request runs the plan phase.
- Kubernetes service accounts (https://kubernetes.io/docs/reference/access-authn-authz/
  service-accounts-admin/, EKS IRSA https://docs.aws.amazon.com/eks/latest/userguide/
  associate-service-account-role.html): ``sub`` is ``system:serviceaccount:NAMESPACE:NAME``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from nhiscan.scanner.federation import Platform
from nhiscan.scanner.federation_judge_lang import ANY, Chars, Lang, alt, literal, many, seq

Claims = dict[str, "Lang | None"]  # a claim's language; None: the token does not carry it
Shape = Callable[[Lang, Lang, str, Lang], Claims]

# GitHub names: letters, digits and hyphens for owners; also "." and "_" for repositories.
GITHUB_OWNER = Chars("name", frozenset("-"))
GITHUB_REPO = Chars("name", frozenset("-._"))
# Git refs may not hold these (git check-ref-format); nor, here, the subject's separator.
REF = ANY.without(": ~^?*[\\")
PATH = Chars("name", frozenset("-._/"))
K8S_NAME = Chars("name", frozenset("-."))
NUMBER = Chars("only", frozenset("0123456789"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Grammar:
    """A platform's token: ``shape(owner, repo, kind, value)`` gives each claim's language
    for a token of that owner and repository from that kind of context (a branch, a tag, an
    environment, a pull request) named ``value``. Claims it does not give are unconstrained."""

    platform: Platform
    owner_word: str  # "owner", "group", "organization", "namespace"
    repo_word: str  # "repository", "project", "workspace", "service account"
    context_word: str  # "branch", "run phase"
    owner_chars: Chars
    repo_chars: Chars
    value_chars: Chars
    kinds: tuple[str, ...]
    branch_kind: str | None  # the kind "any branch" asks about
    pull_request_kinds: frozenset[str]
    shape: Shape
    # The claims that say who: a trust testing none of them admits every token of the issuer.
    identifying: frozenset[str]
    # A subject pattern read into (owner, repository, kind, value) segments, for the names a
    # trust spells out (the question "other than these" starts from them).
    parse: Callable[[str], tuple[str, str, str, str] | None]


def _github(owner: Lang, repo: Lang, kind: str, value: Lang) -> Claims:
    repository = seq(owner, "/", repo)
    context: Lang | str
    claims: Claims = {
        "repository": repository,
        "repository_owner": owner,
        "workflow_ref": seq(repository, "/", many(ANY)),
        "environment": None,
        "event_name": many(ANY),
    }
    if kind == "pull_request":
        context = "pull_request"
        claims["ref"] = seq("refs/pull/", many(NUMBER), "/merge")
        claims["event_name"] = literal("pull_request")
    elif kind == "environment":
        context = seq("environment:", value)
        claims["environment"] = value
        claims["ref"] = many(ANY)
    else:
        prefix = "refs/heads/" if kind == "branch" else "refs/tags/"
        context = seq("ref:", prefix, value)
        claims["ref"] = seq(prefix, value)
    claims["sub"] = seq("repo:", repository, ":", context)
    return claims


def _github_parse(pattern: str) -> tuple[str, str, str, str] | None:
    if not pattern.startswith("repo:"):
        return None
    where, _, context = pattern[len("repo:") :].partition(":")
    owner, _, repo = where.partition("/")
    for kind, prefix in (("branch", "ref:refs/heads/"), ("tag", "ref:refs/tags/"),
                         ("environment", "environment:")):  # fmt: skip
        if context.startswith(prefix):
            return owner, repo, kind, context[len(prefix) :]
    return owner, repo, "pull_request" if context == "pull_request" else "", ""


def _gitlab(owner: Lang, repo: Lang, kind: str, value: Lang) -> Claims:
    project = seq(owner, "/", repo)
    ref_type = "tag" if kind == "tag" else "branch"
    merge = kind == "merge_request"
    return {
        "sub": seq("project_path:", project, ":ref_type:", ref_type, ":ref:", value),
        "project_path": project,
        "namespace_path": seq(owner, alt("", seq("/", many(PATH)))),
        "ref": value,
        "ref_type": literal(ref_type),
        "ref_protected": literal("false") if merge else alt("true", "false"),
        "pipeline_source": literal("merge_request_event") if merge else many(ANY),
    }


def _gitlab_parse(pattern: str) -> tuple[str, str, str, str] | None:
    if not pattern.startswith("project_path:"):
        return None
    where, _, context = pattern[len("project_path:") :].partition(":ref_type:")
    owner, _, repo = where.partition("/")
    kind, _, value = context.partition(":ref:")
    return owner, repo, kind, value


def _terraform(owner: Lang, repo: Lang, kind: str, value: Lang) -> Claims:
    project = many(GITHUB_REPO)
    return {
        "sub": seq(
            "organization:", owner, ":project:", project, ":workspace:", repo, ":run_phase:", kind
        ),
        "terraform_organization_name": owner,
        "terraform_project_name": project,
        "terraform_workspace_name": repo,
        "terraform_run_phase": literal(kind),
    }


def _terraform_parse(pattern: str) -> tuple[str, str, str, str] | None:
    if not pattern.startswith("organization:"):
        return None
    parts = pattern.split(":")
    fields = dict(zip(parts[::2], parts[1::2], strict=False))
    return (fields.get("organization", ""), fields.get("workspace", ""),
            fields.get("run_phase", ""), "")  # fmt: skip


def _kubernetes(owner: Lang, repo: Lang, kind: str, value: Lang) -> Claims:
    return {"sub": seq("system:serviceaccount:", owner, ":", repo)}


def _kubernetes_parse(pattern: str) -> tuple[str, str, str, str] | None:
    if not pattern.startswith("system:serviceaccount:"):
        return None
    namespace, _, name = pattern[len("system:serviceaccount:") :].partition(":")
    return namespace, name, "", ""


GRAMMARS: Mapping[Platform, Grammar] = {
    Platform.GITHUB_ACTIONS: Grammar(
        platform=Platform.GITHUB_ACTIONS, owner_word="owner", repo_word="repository",
        context_word="branch", owner_chars=GITHUB_OWNER, repo_chars=GITHUB_REPO,
        value_chars=REF, kinds=("branch", "tag", "environment", "pull_request"),
        branch_kind="branch", pull_request_kinds=frozenset({"pull_request"}), shape=_github,
        identifying=frozenset({"sub", "repository", "repository_owner", "repository_id",
                               "repository_owner_id", "workflow_ref", "job_workflow_ref"}),
        parse=_github_parse,
    ),
    Platform.GITLAB_CI: Grammar(
        platform=Platform.GITLAB_CI, owner_word="group", repo_word="project",
        context_word="branch", owner_chars=GITHUB_REPO, repo_chars=PATH, value_chars=REF,
        kinds=("branch", "tag", "merge_request"), branch_kind="branch",
        pull_request_kinds=frozenset({"merge_request"}), shape=_gitlab,
        identifying=frozenset({"sub", "project_path", "project_id", "namespace_path",
                               "namespace_id"}),
        parse=_gitlab_parse,
    ),
    Platform.TERRAFORM_CLOUD: Grammar(
        platform=Platform.TERRAFORM_CLOUD, owner_word="organization", repo_word="workspace",
        context_word="run phase", owner_chars=GITHUB_REPO, repo_chars=GITHUB_REPO,
        value_chars=GITHUB_REPO, kinds=("apply", "plan"), branch_kind=None,
        pull_request_kinds=frozenset({"plan"}), shape=_terraform,
        identifying=frozenset({"sub", "terraform_organization_name", "terraform_organization_id",
                               "terraform_workspace_name", "terraform_workspace_id",
                               "terraform_full_workspace"}),
        parse=_terraform_parse,
    ),
    Platform.KUBERNETES: Grammar(
        platform=Platform.KUBERNETES, owner_word="namespace", repo_word="service account",
        context_word="", owner_chars=K8S_NAME, repo_chars=K8S_NAME, value_chars=K8S_NAME,
        kinds=("",), branch_kind=None, pull_request_kinds=frozenset(), shape=_kubernetes,
        identifying=frozenset({"sub"}), parse=_kubernetes_parse,
    ),
}  # fmt: skip


# The claims that say who, for the platforms with no grammar: a trust testing none of them
# admits every token of its issuer. A Cognito identity pool's id is the token's audience
# (https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html).
IDENTIFYING: Mapping[Platform, frozenset[str]] = {
    Platform.COGNITO: frozenset({"aud"}),
    Platform.GOOGLE: frozenset({"sub", "oaud", "aud"}),
}
