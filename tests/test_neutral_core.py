"""The neutral core names no AWS service, ARN, action or AWS-only record field (issue #13).

Every module of the core packages is read with ``ast``: its string constants (docstrings
included) and its identifiers and attribute names. No module may: the ratchet list that
issue #13 emptied is gone, so a new mention fails this test.

``RECORD_FIELDS`` is a separate, fixed exemption, not part of the ratchet: the snapshot's
records (format v2) keep their AWS-only fields, and the module that defines them must name
them. It exempts those field names only (never AWS text), in the modules listed there only;
every reader of the fields lives in ``providers/aws`` or ``connectors/aws``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nhiscan

ROOT = Path(nhiscan.__file__).parent
# The core: these packages, and the orchestration (``app``), which names no cloud either.
CORE = ("scanner", "rules", "reports", "store", "queries", "app")

AWS_TEXT = re.compile(r"\b(?:arn|sts|iam|s3|kms):|secretsmanager|amazonaws", re.IGNORECASE)
AWS_NAMES = frozenset({"trust_policy", "permissions_boundary", "instance_profiles",
                       "service_linked"})  # fmt: skip

# The snapshot's AWS-only record fields are defined here (and only here in the core).
RECORD_FIELDS = frozenset({"scanner/model.py"})


# Today's offenders (relative to nhiscan/). Delete an entry when its module is clean.
def core_modules() -> list[Path]:
    return [path for package in CORE for path in sorted((ROOT / package).rglob("*.py"))]


def aws_mentions(source: str, *, record_fields: bool = False) -> list[str]:
    """What in ``source`` names AWS: matching string constants and AWS-only field names (not
    the field names with ``record_fields``: the module defining the records)."""
    hits: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            hits.extend(m.group(0) for m in AWS_TEXT.finditer(node.value))
        elif record_fields:
            continue
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
        module = path.relative_to(ROOT).as_posix()
        hits = aws_mentions(path.read_text(encoding="utf-8"), record_fields=module in RECORD_FIELDS)
        if hits:
            found[module] = hits
    return found


def test_the_check_sees_what_it_looks_for() -> None:
    source = 'X = "arn:aws:iam::1:role/r"\ndef f(i):\n    """Calls sts:GetCallerIdentity."""\n'
    assert aws_mentions(source) == ["arn:", "iam:", "sts:"]
    assert aws_mentions("def f(i):\n    return i.trust_policy\n") == ["trust_policy"]
    assert aws_mentions('X = "a neutral sentence: no cloud here"\n') == []
    assert aws_mentions("trust_policy: str | None = None\n", record_fields=True) == []
    assert aws_mentions('X = "sts:AssumeRole"\n', record_fields=True) == ["sts:"]


def test_record_fields_are_defined_where_the_exemption_says() -> None:
    model = (ROOT / "scanner/model.py").read_text(encoding="utf-8")
    assert all(aws_mentions(f"{name}: int = 0\n") for name in AWS_NAMES)
    assert set(aws_mentions(model)) == AWS_NAMES, "the exemption is for the record fields only"


def test_no_core_module_names_aws() -> None:
    new = offenders()
    assert not new, (
        f"these core modules name AWS ({new}): move the AWS part to the AWS provider or "
        "connector, or reword the text"
    )
