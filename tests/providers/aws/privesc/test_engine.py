"""How the engine walks principals: admins, order, duplicates, and the optional authorizer
extensions with their snapshot fallbacks."""

from __future__ import annotations

from nhiscan.providers.aws.privesc import find_escalations
from nhiscan.scanner.authz import Decision, Evaluation
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import PolicyKind, Record
from tests import factories as f
from tests.providers.aws.privesc.fake import FakeAuthorizer, Rule
from tests.providers.aws.privesc.helpers import (
    allow,
    authorizer,
    by_method,
    escalations,
    function,
    rule,
    service_role,
    targets,
    trusting,
)


def busy_estate() -> list[Record]:
    app, ops = f.user("app"), f.user("ops")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    return [app, ops, fn_role, trust, function("a", fn_role), function("b", fn_role)]


def test_admins_are_skipped() -> None:
    root = f.user("root")
    assert escalations([root, f.user("other")], [allow(root, "*", "*")]) == []


def test_order_is_deterministic_and_without_duplicates() -> None:
    records = busy_estate()
    rules = [allow("*", "iam:CreateAccessKey"), allow("*", "iam:PassRole"), allow("*", "lambda:*")]
    first = escalations(records, rules)
    assert len(first) > 5
    assert first == escalations(list(reversed(records)), rules)
    keys = [(e.principal, e.method, e.target) for e in first]
    assert len(keys) == len(set(keys))
    assert [e.principal for e in first] == sorted(e.principal for e in first)


def test_functions_sharing_a_role_reach_it_once_preferring_an_unconditional_path() -> None:
    app, fn_role = f.user("app"), f.role("fn-role")
    a, b = function("a", fn_role), function("b", fn_role)
    rules = [
        rule(app, "lambda:UpdateFunctionCode", a.id, Decision.CONDITIONAL),
        allow(app, "lambda:UpdateFunctionCode", b.id),
    ]
    [escalation] = by_method(escalations([app, fn_role, a, b], rules), "lambda:UpdateFunctionCode")
    assert escalation.steps[0].resource == b.id and not escalation.conditional


def test_answers_are_asked_once_per_principal() -> None:
    app = f.user("app")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    estate = f.estate(app, fn_role, trust)
    fake = authorizer(estate, [allow(app, "iam:PassRole"), allow(app, "lambda:*")])
    found = list(find_escalations(estate, fake))
    assert len([e for e in found if e.method.startswith("PassRole+lambda")]) == 3
    asked = [c for c in fake.calls if c[1] != "*"]
    assert len(asked) == len(set(asked))


def test_principals_without_the_cheap_permission_list_no_targets() -> None:
    users = [f.user(f"u{i}") for i in range(20)]
    estate = f.estate(*users)
    fake = authorizer(estate, [allow(users[0], "iam:CreateAccessKey")])
    found = list(find_escalations(estate, fake))
    assert {e.principal for e in found} == {users[0].id}
    assert {c[0] for c in fake.calls if c[1] == "iam:CreateAccessKey"} == {users[0].id}


# --- optional authorizer extensions and their fallbacks --------------------------------------


def test_without_could_allow_identity_policies_are_read() -> None:
    inline = f.policy(
        id=f.arn(f.ACCOUNT, "user/app") + "#inline/keys",
        kind=PolicyKind.INLINE,
        document=f.document({"Effect": "Allow", "Action": "iam:Create*", "Resource": "*"}),
    )
    app, ops, admin = f.user("app", policies=(inline.id,)), f.user("ops"), f.user("admin")
    rules = [allow("*", "iam:CreateAccessKey", admin.id)]  # the fake would allow everyone
    found = escalations([app, ops, admin, inline], rules, bare=True)
    assert {e.principal for e in by_method(found, "iam:CreateAccessKey")} == {app.id}


def test_without_could_allow_a_missing_policy_reads_as_could() -> None:
    app, admin = f.user("app", policies=(f.arn(f.ACCOUNT, "policy/gone"),)), f.user("admin")
    found = escalations([app, admin], [allow(app, "iam:CreateAccessKey", admin.id)], bare=True)
    assert targets(found, "iam:CreateAccessKey") == [admin.id]


def test_without_could_allow_not_action_statements_count() -> None:
    power = f.policy(
        id="arn:aws:iam::aws:policy/PowerUserAccess",
        kind=PolicyKind.AWS_MANAGED,
        document=f.document({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}),
    )
    app = f.user("app", policies=(power.id,))
    fn_role = f.role("fn-role")
    records: list[Record] = [app, power, fn_role, function("fn", fn_role), f.user("admin")]
    rules = [allow(app, "lambda:UpdateFunctionCode"), allow(app, "iam:CreateAccessKey")]
    found = escalations(records, rules, bare=True)
    assert {e.method for e in found} == {"lambda:UpdateFunctionCode"}


class TrustingAuthorizer(FakeAuthorizer):
    def __init__(
        self, estate: Estate, rules: list[Rule], *, admitted: set[tuple[str, str]]
    ) -> None:
        super().__init__(estate, rules)
        self.admitted = admitted

    def trust_admits_service(self, role_arn: str, service: str) -> bool:
        return (role_arn, service) in self.admitted


def test_the_authorizers_trust_answer_is_used_when_it_has_one() -> None:
    app = f.user("app")
    fn_role, ec2_trust = service_role("fn-role", "ec2.amazonaws.com")  # the snapshot says ec2
    estate = f.estate(app, fn_role, ec2_trust)
    rules = [allow(app, "iam:PassRole"), allow(app, "lambda:*")]
    fake = TrustingAuthorizer(estate, rules, admitted={(fn_role.id, "lambda.amazonaws.com")})
    found = list(find_escalations(estate, fake))
    assert targets(found, "PassRole+lambda:CreateFunction+InvokeFunction") == [fn_role.id]


def test_trust_read_from_the_snapshot_needs_assume_role_and_no_deny() -> None:
    app = f.user("app")
    tagged = f.role("tagged")
    doc = f.document(
        f.assume_role_statement({"Service": "lambda.amazonaws.com"}, Action="sts:TagSession")
    )
    denied = f.role("denied")
    deny = {**f.assume_role_statement({"Service": "lambda.amazonaws.com"}), "Effect": "Deny"}
    deny_doc = f.document(f.assume_role_statement({"Service": "lambda.amazonaws.com"}), deny)
    records: list[Record] = [
        app,
        tagged,
        f.trust_policy(tagged, doc),
        denied,
        f.trust_policy(denied, deny_doc),
    ]
    rules = [allow(app, "iam:PassRole"), allow(app, "lambda:*")]
    assert [e for e in escalations(records, rules) if e.family == "passrole-compute"] == []
    fine = f.role("fine")
    found = escalations([*records, fine, trusting(fine, "lambda.amazonaws.com")], rules)
    assert targets(found, "PassRole+lambda:CreateFunction+InvokeFunction") == [fine.id]


class ConditionalTrust(FakeAuthorizer):
    def trust_admits_service(self, role_arn: str, service: str) -> Evaluation:
        return Evaluation(decision=Decision.CONDITIONAL, reason="aws:SourceAccount")


def test_a_conditional_trust_makes_the_escalation_conditional() -> None:
    app = f.user("app")
    fn_role, trust = service_role("fn-role", "lambda.amazonaws.com")
    estate = f.estate(app, fn_role, trust)
    fake = ConditionalTrust(estate, [allow(app, "iam:PassRole"), allow(app, "lambda:*")])
    found = by_method(
        find_escalations(estate, fake), "PassRole+lambda:CreateFunction+AddPermission"
    )
    assert [(e.target, e.conditional) for e in found] == [(fn_role.id, True)]
    assert all(s.evaluation.decision is Decision.ALLOW for s in found[0].steps)
