"""Meta-tests of the evaluator's domain tables."""

from __future__ import annotations

from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.providers.aws.policy.conditions import OPERATORS
from nhiscan.providers.aws.policy.context import IDENTITY_KEYS, RESOURCE_KEYS, SERVICE_KEYS
from nhiscan.providers.aws.policy.resources import TRUST_ACTIONS

# AWS, "IAM JSON policy elements: Condition operators" (Null is handled apart).
DOCUMENTED_OPERATORS = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
    "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
}  # fmt: skip


def test_every_documented_operator_is_implemented() -> None:
    assert {o.lower() for o in DOCUMENTED_OPERATORS} == set(OPERATORS)


def test_negated_operators_are_marked() -> None:
    for name, operator in OPERATORS.items():
        assert operator.negated == ("not" in name), name


def test_key_tables_are_lower_case_global_keys() -> None:
    for table in (IDENTITY_KEYS, SERVICE_KEYS, RESOURCE_KEYS):
        for key in table:
            assert key == key.lower() and key.startswith("aws:"), key


def test_trust_actions_are_catalogued_sts_actions_on_roles() -> None:
    catalog = default_catalog()
    for action in TRUST_ACTIONS:
        info = catalog.info(action)
        assert info is not None, action
        assert info.service == "sts"
        assert "role" in {t.name for t in info.resource_types}, action
