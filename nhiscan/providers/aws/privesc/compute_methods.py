"""Escalation methods through compute: passing a role to a new function, instance, stack, job or
task (passrole-compute), or running code as the role an existing one already has
(existing-compute). Sources: Rhino Security Labs (methods 3 and 15-21, part 2 for SageMaker),
Bishop Fox's iam-vulnerable, pacu's iam__privesc_scan, PMapper's edge checkers (CodeBuild,
ECS, SSM) and HackTricks (Glue jobs, ECS task definitions), whose permission sets these follow.
"""

from __future__ import annotations

from nhiscan.providers.aws.privesc.method import AppliesTo, Method, Need, On, Requires, Target
from nhiscan.scanner.escalation import Family

RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
RHINO_2 = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/"
PACU = (
    "https://github.com/RhinoSecurityLabs/pacu/blob/master/pacu/modules/iam__privesc_scan/main.py"
)
IAM_VULNERABLE = "https://github.com/BishopFox/iam-vulnerable"
PMAPPER = "https://github.com/nccgroup/PMapper/tree/master/principalmapper/graphing"
HACKTRICKS = (
    "https://github.com/HackTricks-wiki/hacktricks-cloud/tree/master/src/pentesting-cloud/"
    "aws-security/aws-privilege-escalation"
)

FUNCTION = "arn:{partition}:lambda:{region}:{account}:function:*"
INSTANCE = "arn:{partition}:ec2:{region}:{account}:instance/*"
STACK = "arn:{partition}:cloudformation:{region}:{account}:stack/*/*"
GLUE_JOB = "arn:{partition}:glue:{region}:{account}:job/*"
NOTEBOOK = "arn:{partition}:sagemaker:{region}:{account}:notebook-instance/*"
PROJECT = "arn:{partition}:codebuild:{region}:{account}:project/*"
PIPELINE = "arn:{partition}:datapipeline:{region}:{account}:pipeline/*"
TASK_DEFINITION = "arn:{partition}:ecs:{region}:{account}:task-definition/*:*"


def _new(action: str, placeholder: str = "*") -> Need:
    """An action on a resource the attacker creates (or one taking no resource: "*")."""
    return Need(action=action, on=On.ANY, placeholder=placeholder)


def _pass(
    name: str,
    service: str,
    needs: tuple[Need, ...],
    description: str,
    reference: str,
    requires: Requires = Requires.NOTHING,
) -> Method:
    return Method(
        name=f"PassRole+{name}",
        family=Family.PASSROLE_COMPUTE,
        needs=(Need(action="iam:PassRole", on=On.PASSABLE_ROLE), *needs),
        applies_to=AppliesTo.BOTH,
        target=Target.PASSED_ROLE,
        description=description,
        reference=reference,
        service=service,
        requires=requires,
    )


def _existing(kind: str, actions: tuple[str, ...], description: str, reference: str) -> Method:
    return Method(
        name="+".join(a if i == 0 else a.partition(":")[2] for i, a in enumerate(actions)),
        family=Family.EXISTING_COMPUTE,
        needs=tuple(Need(action=a, on=On.EXISTING_RESOURCE) for a in actions),
        applies_to=AppliesTo.BOTH,
        target=Target.EXISTING_RESOURCE_ROLE,
        description=description,
        reference=reference,
        requires=Requires.RESOURCE,
        resource_kind=kind,
    )


_LAMBDA = "lambda.amazonaws.com"
_SAGEMAKER = "sagemaker.amazonaws.com"
_ECS = "ecs-tasks.amazonaws.com"
_GLUE = "glue.amazonaws.com"

PASSROLE_METHODS: tuple[Method, ...] = (
    _pass(
        "ec2:RunInstances",
        "ec2.amazonaws.com",
        (_new("ec2:RunInstances", INSTANCE),),
        "Launch an instance with an existing instance profile of the role and read its "
        "credentials from instance metadata.",
        RHINO,
        requires=Requires.INSTANCE_PROFILE,
    ),
    _pass(
        "lambda:CreateFunction+InvokeFunction",
        _LAMBDA,
        (_new("lambda:CreateFunction", FUNCTION), _new("lambda:InvokeFunction", FUNCTION)),
        "Create a function running as the role and invoke it.",
        RHINO,
    ),
    _pass(
        "lambda:CreateFunction+CreateEventSourceMapping",
        _LAMBDA,
        (_new("lambda:CreateFunction", FUNCTION), _new("lambda:CreateEventSourceMapping")),
        "Create a function running as the role and have an event source (a DynamoDB stream) "
        "trigger it.",
        RHINO,
    ),
    _pass(
        "lambda:CreateFunction+AddPermission",
        _LAMBDA,
        (_new("lambda:CreateFunction", FUNCTION), _new("lambda:AddPermission", FUNCTION)),
        "Create a function running as the role and let an account it controls invoke it.",
        PACU,
    ),
    _pass(
        "cloudformation:CreateStack",
        "cloudformation.amazonaws.com",
        (_new("cloudformation:CreateStack", STACK),),
        "Create a stack whose resources are made by the role (a user, a key, a policy).",
        RHINO,
    ),
    _pass(
        "glue:CreateDevEndpoint",
        _GLUE,
        (_new("glue:CreateDevEndpoint"),),
        "Create a Glue development endpoint with the role and an SSH key of its own.",
        RHINO,
    ),
    _pass(
        "glue:CreateJob+StartJobRun",
        _GLUE,
        (_new("glue:CreateJob", GLUE_JOB), _new("glue:StartJobRun", GLUE_JOB)),
        "Create a Glue job running a script of its own as the role, and start it.",
        HACKTRICKS,
    ),
    _pass(
        "sagemaker:CreateNotebookInstance+CreatePresignedNotebookInstanceUrl",
        _SAGEMAKER,
        (
            _new("sagemaker:CreateNotebookInstance", NOTEBOOK),
            _new("sagemaker:CreatePresignedNotebookInstanceUrl", NOTEBOOK),
        ),
        "Create a notebook instance with the role and open a terminal in it.",
        RHINO_2,
    ),
    _pass(
        "sagemaker:CreateTrainingJob",
        _SAGEMAKER,
        (
            _new(
                "sagemaker:CreateTrainingJob",
                "arn:{partition}:sagemaker:{region}:{account}:training-job/*",
            ),
        ),
        "Run a training job with a container of its own as the role.",
        IAM_VULNERABLE,
    ),
    _pass(
        "sagemaker:CreateProcessingJob",
        _SAGEMAKER,
        (
            _new(
                "sagemaker:CreateProcessingJob",
                "arn:{partition}:sagemaker:{region}:{account}:processing-job/*",
            ),
        ),
        "Run a processing job with a container of its own as the role.",
        IAM_VULNERABLE,
    ),
    _pass(
        "codebuild:CreateProject+StartBuild",
        "codebuild.amazonaws.com",
        (_new("codebuild:CreateProject", PROJECT), _new("codebuild:StartBuild", PROJECT)),
        "Create a build project with the role as its service role and run a build of its own.",
        PMAPPER,
    ),
    _pass(
        "datapipeline:CreatePipeline+PutPipelineDefinition+ActivatePipeline",
        "datapipeline.amazonaws.com",
        (
            _new("datapipeline:CreatePipeline"),
            _new("datapipeline:PutPipelineDefinition", PIPELINE),
            _new("datapipeline:ActivatePipeline", PIPELINE),
        ),
        "Create a pipeline running a shell command of its own as the role, and activate it.",
        RHINO,
    ),
    _pass(
        "ecs:RegisterTaskDefinition+RunTask",
        _ECS,
        (
            _new("ecs:RegisterTaskDefinition", TASK_DEFINITION),
            _new("ecs:RunTask", TASK_DEFINITION),
        ),
        "Register a task definition with the role as task role and run it.",
        PMAPPER,
    ),
    _pass(
        "ecs:RegisterTaskDefinition+StartTask",
        _ECS,
        (
            _new("ecs:RegisterTaskDefinition", TASK_DEFINITION),
            _new("ecs:StartTask", TASK_DEFINITION),
        ),
        "Register a task definition with the role as task role and start it on a container "
        "instance.",
        HACKTRICKS,
    ),
    _pass(
        "ecs:RegisterTaskDefinition+CreateService",
        _ECS,
        (
            _new("ecs:RegisterTaskDefinition", TASK_DEFINITION),
            _new("ecs:CreateService", "arn:{partition}:ecs:{region}:{account}:service/*/*"),
        ),
        "Register a task definition with the role as task role and create a service running it.",
        HACKTRICKS,
    ),
)

EXISTING_METHODS: tuple[Method, ...] = (
    _existing(
        "lambda-function",
        ("lambda:UpdateFunctionCode",),
        "Replace an existing function's code; it runs as the function's role when next invoked.",
        RHINO,
    ),
    _existing(
        "glue-dev-endpoint",
        ("glue:UpdateDevEndpoint",),
        "Add its SSH key to an existing Glue development endpoint and use the endpoint's role.",
        RHINO,
    ),
    _existing(
        "cloudformation-stack",
        ("cloudformation:UpdateStack",),
        "Update an existing stack with a template of its own, applied by the stack's role.",
        IAM_VULNERABLE,
    ),
    _existing(
        "codebuild-project",
        ("codebuild:StartBuild",),
        "Start a build of an existing project with a buildspec override, run as its role.",
        PMAPPER,
    ),
    _existing(
        "codebuild-project",
        ("codebuild:UpdateProject", "codebuild:StartBuild"),
        "Change an existing project's build commands and start a build, run as its role.",
        PMAPPER,
    ),
    _existing(
        "sagemaker-notebook-instance",
        ("sagemaker:CreatePresignedNotebookInstanceUrl",),
        "Open an existing notebook instance and use its role from a terminal.",
        RHINO_2,
    ),
    _existing(
        "ec2-instance",
        ("ssm:SendCommand",),
        "Run commands on a running instance with an instance profile and read its role's "
        "credentials (also needs the document, e.g. AWS-RunShellScript, which is not checked).",
        IAM_VULNERABLE,
    ),
    _existing(
        "ec2-instance",
        ("ssm:StartSession",),
        "Open a shell on a running instance with an instance profile and use its role.",
        IAM_VULNERABLE,
    ),
    _existing(
        "ec2-instance",
        ("ec2-instance-connect:SendSSHPublicKey",),
        "Push an SSH key to a running instance with an instance profile, log in (network "
        "access permitting) and use its role.",
        IAM_VULNERABLE,
    ),
)

COMPUTE_METHODS: tuple[Method, ...] = PASSROLE_METHODS + EXISTING_METHODS
