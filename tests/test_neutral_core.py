"""The neutral core names no AWS service, ARN, action or AWS-only record field (issue #13).

Every module of the core packages is read with ``ast``: its string constants (docstrings
included) and its identifiers and attribute names. ``ALLOWED`` lists the modules that still
do today; it is a ratchet: a module not on it must stay clean, and a module on it that no
longer needs its entry fails the test until the entry is deleted, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import nhiscan

ROOT = Path(nhiscan.__file__).parent
# The core: these packages, and the orchestration (``app``), which names no cloud either.
CORE = ("scanner", "rules", "reports", "store", "queries", "app")

AWS_TEXT = re.compile(r"\b(?:arn|sts|iam|s3|kms):|secretsmanager|amazonaws", re.IGNORECASE)
AWS_NAMES = frozenset({"trust_policy", "permissions_boundary", "instance_profiles",
                       "service_linked"})  # fmt: skip

# Today's offenders (relative to nhiscan/). Delete an entry when its module is clean.
ALLOWED = frozenset(
    {
        "queries/whocan.py",
        "reports/html_svg.py",
        "rules/agent_lifecycle.py",
        "rules/data_reach.py",
        "rules/escalation.py",
        "rules/escalation_meta.py",
        "rules/keys.py",
        "rules/ownership.py",
        "rules/reach.py",
        "rules/reach_support.py",
        "rules/roles.py",
        "rules/trust.py",
        "scanner/authz.py",
        "scanner/blast.py",
        "scanner/gaps/__init__.py",
        "scanner/gaps/analysis.py",
        "scanner/gaps/analyzer.py",
        "scanner/gaps/classify.py",
        "scanner/gaps/granted.py",
        "scanner/gaps/score.py",
        "scanner/graph/build.py",
        "scanner/graph/export.py",
        "scanner/history/drift.py",
        "scanner/model.py",
        "scanner/snapshot_check.py",
        "scanner/suppress.py",
    }
)


def core_modules() -> list[Path]:
    return [path for package in CORE for path in sorted((ROOT / package).rglob("*.py"))]


def aws_mentions(source: str) -> list[str]:
    """What in ``source`` names AWS: matching string constants and AWS-only field names."""
    hits: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            hits.extend(m.group(0) for m in AWS_TEXT.finditer(node.value))
        elif isinstance(node, ast.Attribute) and node.attr in AWS_NAMES:
            hits.append(node.attr)
        elif isinstance(node, ast.Name) and node.id in AWS_NAMES:
            hits.append(node.id)
        elif isinstance(node, ast.arg | ast.keyword) and node.arg in AWS_NAMES:
            hits.append(node.arg)
    return hits


def offenders() -> dict[str, list[str]]:
    found = {}
    for path in core_modules():
        hits = aws_mentions(path.read_text(encoding="utf-8"))
        if hits:
            found[path.relative_to(ROOT).as_posix()] = hits
    return found


def test_the_check_sees_what_it_looks_for() -> None:
    source = 'X = "arn:aws:iam::1:role/r"\ndef f(i):\n    """Calls sts:GetCallerIdentity."""\n'
    assert aws_mentions(source) == ["arn:", "iam:", "sts:"]
    assert aws_mentions("def f(i):\n    return i.trust_policy\n") == ["trust_policy"]
    assert aws_mentions('X = "a neutral sentence: no cloud here"\n') == []


def test_no_new_module_names_aws() -> None:
    new = {module: hits for module, hits in offenders().items() if module not in ALLOWED}
    assert not new, (
        f"these core modules name AWS ({new}): move the AWS part to the AWS provider or "
        "connector, or reword the text"
    )


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_allowlisted_module_still_needs_its_entry(module: str) -> None:
    assert (ROOT / module).is_file(), f"{module} is gone: delete it from ALLOWED"
    assert aws_mentions((ROOT / module).read_text(encoding="utf-8")), (
        f"{module} no longer names AWS: delete it from ALLOWED (the list only shrinks)"
    )
