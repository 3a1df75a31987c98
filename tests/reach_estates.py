"""A small hand-built estate with chains, shared by the query, export and report tests.

- ``deployer`` (key ``KEY_DEPLOYER``) may assume ``admin-role``, whose trust names it, and
  ``admin-role`` is administrator: key -> deployer -> admin-role -> admin sink.
- ``reader`` (active ``KEY_READER``, inactive ``KEY_READER_OLD``) reads the secret and the
  bucket's objects.
- ``cond-user`` (``KEY_COND``) may assume ``ops-role`` only from an IP range (its trust says so;
  undecidable: conditional); ``ops-role`` writes the bucket's objects.
- ``escalator`` (no key) may rewrite its own policy: it escalates to the admin sink directly.
- ``idle`` (``KEY_IDLE``) has no policy. A user and a role are both named ``twin``.
"""

from __future__ import annotations

from nhiscan.scanner.graph import ReachGraph
from nhiscan.scanner.model import CredentialStatus, Record, ResourceKind
from nhiscan.scanner.snapshot import Snapshot
from tests import factories as f

ACCOUNT = f.ACCOUNT
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-password-AbCdEf"
BUCKET = "arn:aws:s3:::data-bucket"
KEY_DEPLOYER = "AKIADEPLOYER00000001"
KEY_READER = "AKIAREADER0000000001"
KEY_READER_OLD = "AKIAREADER0000000002"
KEY_COND = "AKIACONDUSER00000001"
KEY_IDLE = "AKIAIDLE000000000001"
ADMIN_SINK = f"admin:{ACCOUNT}"
FROM_OFFICE = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}  # undecidable: conditional


def uarn(name: str) -> str:
    return f.arn(ACCOUNT, f"user/{name}")


def rarn(name: str) -> str:
    return f.arn(ACCOUNT, f"role/{name}")


def records() -> list[Record]:
    deployer_policy = f.managed_policy("deployer", f.allow("sts:AssumeRole", rarn("admin-role")))
    admin_policy = f.managed_policy("everything", f.allow("*", "*"))
    reader_policy = f.managed_policy(
        "reader",
        f.allow("secretsmanager:GetSecretValue", SECRET),
        f.allow("s3:GetObject", f"{BUCKET}/*"),
    )
    ops_policy = f.managed_policy("ops", f.allow("s3:PutObject", f"{BUCKET}/*"))
    own = f.arn(ACCOUNT, "policy/escalator")
    escalator_policy = f.managed_policy("escalator", f.allow("iam:CreatePolicyVersion", own))
    deployer = f.user("deployer", policies=(deployer_policy.id,))
    reader = f.user("reader", policies=(reader_policy.id,))
    cond = f.user("cond-user")
    idle = f.user("idle")
    escalator = f.user("escalator", policies=(escalator_policy.id,))
    twin_user = f.user("twin")
    admin = f.role("admin-role", policies=(admin_policy.id,))
    ops = f.role("ops-role", policies=(ops_policy.id,))
    twin_role = f.role("twin")
    secret = f.resource("db-password", id=SECRET, kind=ResourceKind.SECRET, policy=None)
    bucket = f.resource("data-bucket", id=BUCKET, policy=None)
    return [
        f.account(),
        deployer,
        reader,
        cond,
        idle,
        escalator,
        twin_user,
        admin,
        ops,
        twin_role,
        deployer_policy,
        admin_policy,
        reader_policy,
        ops_policy,
        escalator_policy,
        f.trust_policy(admin, f.document(f.assume_role_statement({"AWS": deployer.id}))),
        f.trust_policy(
            ops, f.document(f.assume_role_statement({"AWS": cond.id}, condition=FROM_OFFICE))
        ),
        f.trust_policy(twin_role),
        secret,
        bucket,
        f.access_key(deployer, id=KEY_DEPLOYER),
        f.access_key(reader, id=KEY_READER),
        f.access_key(reader, id=KEY_READER_OLD, status=CredentialStatus.INACTIVE),
        f.access_key(cond, id=KEY_COND),
        f.access_key(idle, id=KEY_IDLE),
    ]


def snapshot() -> Snapshot:
    return f.snapshot(*records())


def graph() -> ReachGraph:
    return f.reach_graph(f.estate(*records()))
