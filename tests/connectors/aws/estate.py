"""A small AWS estate built in moto, with the ids and dates the tests expect back."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"


# A SAML provider's metadata as IAM takes it (moto checks only its length).
SAML_METADATA = (
    '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/saml">' + "<!-- padding -->" * 64 + "</EntityDescriptor>"
)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trust(service: str) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Built:
    user: str  # ci-bot: everything attached
    plain_user: str
    group: str
    role: str  # app-role: ec2 trust, instance profile, boundary
    lambda_role: str
    service_role: str
    managed: str  # customer managed policy, default version v2
    boundary: str
    profile: str  # instance profile of app-role
    keys: dict[str, str]  # key id -> status
    mfa_serial: str
    created: dict[str, datetime]  # arn -> CreateDate as moto returned it
    password_created: datetime
    bucket_policy: dict[str, Any]
    secret: str
    secret_policy: dict[str, Any]
    plain_secret: str
    kms_key: str
    function: str
    instance: str
    user_inline: dict[str, Any]
    managed_v2: dict[str, Any]


def build_iam(session: boto3.session.Session) -> dict[str, Any]:
    iam = session.client("iam")
    managed = iam.create_policy(
        PolicyName="deploy", Path="/teams/", PolicyDocument=json.dumps(doc(allow("s3:Get*")))
    )["Policy"]
    v2 = doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::data-bucket/*"))
    iam.create_policy_version(
        PolicyArn=managed["Arn"], PolicyDocument=json.dumps(v2), SetAsDefault=True
    )
    boundary = iam.create_policy(
        PolicyName="boundary", PolicyDocument=json.dumps(doc(allow("s3:*")))
    )["Policy"]
    group = iam.create_group(GroupName="deployers", Path="/teams/")["Group"]
    iam.put_group_policy(
        GroupName="deployers",
        PolicyName="group-inline",
        PolicyDocument=json.dumps(doc(allow("sqs:*"))),
    )
    iam.attach_group_policy(GroupName="deployers", PolicyArn=managed["Arn"])
    inline = doc(allow("s3:ListBucket", "arn:aws:s3:::data-bucket"))
    user = iam.create_user(
        UserName="ci-bot",
        Path="/svc/",
        Tags=[{"Key": "owner", "Value": "platform"}],
    )["User"]  # moto has no user permissions boundaries: the GAAD fixture tests those
    iam.add_user_to_group(GroupName="deployers", UserName="ci-bot")
    iam.put_user_policy(
        UserName="ci-bot", PolicyName="inline-s3", PolicyDocument=json.dumps(inline)
    )
    iam.attach_user_policy(UserName="ci-bot", PolicyArn=managed["Arn"])
    active = iam.create_access_key(UserName="ci-bot")["AccessKey"]["AccessKeyId"]
    inactive = iam.create_access_key(UserName="ci-bot")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="ci-bot", AccessKeyId=inactive, Status="Inactive")
    login = iam.create_login_profile(UserName="ci-bot", Password="Correct-Horse-9!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="ci-bot-mfa")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="ci-bot",
        SerialNumber=serial["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    plain = iam.create_user(UserName="plain")["User"]
    role = iam.create_role(
        RoleName="app-role",
        Path="/app/",
        AssumeRolePolicyDocument=json.dumps(trust("ec2.amazonaws.com")),
        Description="runs the app",
        MaxSessionDuration=7200,
        PermissionsBoundary=boundary["Arn"],
        Tags=[{"Key": "team", "Value": "app"}],
    )["Role"]
    iam.put_role_policy(
        RoleName="app-role",
        PolicyName="role-inline",
        PolicyDocument=json.dumps(doc(allow("kms:Decrypt"))),
    )
    iam.attach_role_policy(RoleName="app-role", PolicyArn=managed["Arn"])
    profile = iam.create_instance_profile(InstanceProfileName="app-profile")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app-role")
    lambda_role = iam.create_role(
        RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(trust("lambda.amazonaws.com"))
    )["Role"]
    service_role = iam.create_role(
        RoleName="AWSServiceRoleForAutoScaling",
        Path="/aws-service-role/autoscaling.amazonaws.com/",
        AssumeRolePolicyDocument=json.dumps(trust("autoscaling.amazonaws.com")),
    )["Role"]
    iam.create_open_id_connect_provider(  # trusted by no role: an orphan registration
        Url="https://gitlab.example.com",
        ClientIDList=["https://gitlab.example.com"],
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
        Tags=[{"Key": "team", "Value": "ci"}],
    )
    iam.create_saml_provider(Name="corp-idp", SAMLMetadataDocument=SAML_METADATA)
    return {
        "user": user,
        "plain": plain,
        "group": group,
        "role": role,
        "lambda_role": lambda_role,
        "service_role": service_role,
        "managed": managed,
        "boundary": boundary,
        "profile": profile,
        "keys": {active: "active", inactive: "inactive"},
        "mfa": serial["SerialNumber"],
        "login": login["LoginProfile"],
        "inline": inline,
        "v2": v2,
    }


def build_resources(session: boto3.session.Session, iam: dict[str, Any]) -> dict[str, Any]:
    s3 = session.client("s3", region_name=REGION)
    bucket_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": iam["role"]["Arn"]},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::data-bucket/*",
        }
    )
    s3.create_bucket(Bucket="data-bucket")
    s3.put_bucket_policy(Bucket="data-bucket", Policy=json.dumps(bucket_policy))
    s3.create_bucket(Bucket="plain-bucket")
    eu = session.client("s3", region_name=OTHER_REGION)
    eu.create_bucket(
        Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": OTHER_REGION}
    )
    kms = session.client("kms", region_name=REGION)
    key = kms.create_key(Description="app key")["KeyMetadata"]["Arn"]
    sm = session.client("secretsmanager", region_name=REGION)
    secret = sm.create_secret(Name="db-password", SecretString="s3cr3t")["ARN"]
    secret_policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": iam["role"]["Arn"]},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    sm.put_resource_policy(SecretId="db-password", ResourcePolicy=json.dumps(secret_policy))
    plain_secret = sm.create_secret(Name="no-policy", SecretString="x")["ARN"]
    function = session.client("lambda", region_name=REGION).create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role=iam["lambda_role"]["Arn"],
        Handler="main.handler",
        Code={"ZipFile": _zip("def handler(event, context):\n    return 1\n")},
    )["FunctionArn"]
    ec2 = session.client("ec2", region_name=REGION)
    instance = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        IamInstanceProfile={"Arn": iam["profile"]["Arn"]},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}],
    )["Instances"][0]["InstanceId"]
    return {
        "bucket_policy": bucket_policy,
        "key": key,
        "secret": secret,
        "secret_policy": secret_policy,
        "plain_secret": plain_secret,
        "function": function,
        "instance": instance,
    }


def build_estate(session: boto3.session.Session | None = None) -> Built:
    """Everything the connector collects, in one account and two regions."""
    session = session or boto3.session.Session(region_name=REGION)
    iam = build_iam(session)
    res = build_resources(session, iam)
    entities = [iam[k] for k in ("user", "plain", "group", "role", "lambda_role", "service_role")]
    return Built(
        user=iam["user"]["Arn"],
        plain_user=iam["plain"]["Arn"],
        group=iam["group"]["Arn"],
        role=iam["role"]["Arn"],
        lambda_role=iam["lambda_role"]["Arn"],
        service_role=iam["service_role"]["Arn"],
        managed=iam["managed"]["Arn"],
        boundary=iam["boundary"]["Arn"],
        profile=iam["profile"]["Arn"],
        keys=iam["keys"],
        mfa_serial=iam["mfa"],
        created={e["Arn"]: e["CreateDate"] for e in entities},
        password_created=iam["login"]["CreateDate"],
        bucket_policy=res["bucket_policy"],
        secret=res["secret"],
        secret_policy=res["secret_policy"],
        plain_secret=res["plain_secret"],
        kms_key=res["key"],
        function=res["function"],
        instance=res["instance"],
        user_inline=iam["inline"],
        managed_v2=iam["v2"],
    )


def build_org(session: boto3.session.Session | None = None) -> dict[str, str]:
    """An organization with an OU, a member account in it, and an SCP on the OU."""
    org = (session or boto3.session.Session()).client("organizations", region_name=REGION)
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
    member = org.create_account(AccountName="member", Email="member@example.com")
    member_id = member["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=member_id, SourceParentId=root, DestinationParentId=ou)
    scp = org.create_policy(
        Content=json.dumps(doc({"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"})),
        Description="no new users",
        Name="deny-users",
        Type="SERVICE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]
    org.attach_policy(PolicyId=scp["Id"], TargetId=ou)
    return {
        "org_id": org_id,
        "root": root,
        "ou": ou,
        "member": member_id,
        "scp": scp["Arn"],
        "scp_id": scp["Id"],
    }


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", source)
    return buffer.getvalue()
