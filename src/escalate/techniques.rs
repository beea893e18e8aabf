//! The escalation techniques: one row per way a principal can act as another principal or give itself more
//! permissions, with the requests it takes and the source that describes it.
//!
//! Sources, cited per row:
//! - PMapper's edge checkers (`principalmapper/graphing/*_edges.py`, <https://github.com/nccgroup/PMapper>);
//! - Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
//!   (<https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>), methods numbered there;
//! - Bishop Fox `iam-vulnerable` (<https://github.com/BishopFox/iam-vulnerable>), one lab user per path;
//! - hackingthe.cloud, "AWS IAM Privilege Escalation Techniques"
//!   (<https://hackingthe.cloud/aws/exploitation/iam_privilege_escalation/>).
//!
//! Resource templates: `{target}` is the ARN of the user, role, group or policy the row acts on; `{account}` the
//! target's account; `{region}` a region (`us-east-1`); `{name}` the name the caller gives to a resource it
//! creates (`iam-atlas-escalation`: a policy that limits new names may allow other names, and the edge is then
//! missed, never invented).

/// One request a technique takes.
#[derive(Clone, Copy, Debug)]
pub struct Req {
    /// `service:Action`.
    pub action: &'static str,
    /// The resource template.
    pub resource: &'static str,
    /// Context keys the request carries (`iam:PassedToService`), as (key, value template).
    pub context: &'static [(&'static str, &'static str)],
    /// Not needed when the target's account already has this role (a service-linked role the first use of a
    /// service creates).
    pub unless_role: Option<&'static str>,
}

/// What a technique acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Another user of the same account: the caller acts as it.
    ToUser,
    /// A role: the caller acts as it (or runs code as it).
    ToRole(RoleNeed),
    /// The caller itself: it gives itself any permission (its boundary and the SCPs still apply).
    SelfGrant(SelfKind),
}

/// What the target role must have for the technique to work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleNeed {
    /// Nothing beyond what the requests decide (the trust policy is a layer of `sts:AssumeRole`).
    Nothing,
    /// Its trust policy must let this service assume it (decided by the evaluator).
    Service(&'static str),
    /// As `Service`, and an instance profile must hold the role.
    ServiceWithProfile(&'static str),
    /// As `Service`, and no instance profile holds it (the caller creates one).
    ServiceWithoutProfile(&'static str),
}

/// The caller's own things a self-granting technique writes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelfKind {
    /// The calling user.
    User,
    /// The calling role.
    Role,
    /// Each group of the calling user.
    OwnGroup,
    /// Each customer-managed policy attached to the caller or its groups.
    OwnPolicy,
    /// Each customer-managed policy attached to the caller or its groups with a non-default version that
    /// allows `*` on `*`.
    PolicyWithAdminVersion,
    /// Each group of the account whose policies allow `*` on `*` (the calling user joins it).
    AdminGroup,
    /// The calling user's permissions boundary (removed or replaced).
    UserBoundary,
    /// The calling role's permissions boundary (removed or replaced).
    RoleBoundary,
}

/// One technique.
#[derive(Clone, Copy, Debug)]
pub struct Technique {
    /// Stable identifier (`iam:CreateAccessKey`, `passrole:lambda`).
    pub id: &'static str,
    /// What the caller does, for people.
    pub summary: &'static str,
    /// What it acts on.
    pub applies: Applies,
    /// The requests, each decided by the evaluator.
    pub requests: &'static [Req],
    /// For techniques that take over compute that already runs as the role: what would settle whether such
    /// compute exists (the export does not list functions or instances). The edge is then "possible".
    pub existing: Option<&'static str>,
    /// Where the technique is described.
    pub source: &'static str,
}

const fn req(action: &'static str, resource: &'static str) -> Req {
    Req {
        action,
        resource,
        context: &[],
        unless_role: None,
    }
}

macro_rules! pass {
    ($service:literal) => {
        Req {
            action: "iam:PassRole",
            resource: "{target}",
            context: &[("iam:PassedToService", $service)],
            unless_role: None,
        }
    };
}

const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const PMAPPER: &str = "https://github.com/nccgroup/PMapper/tree/master/principalmapper/graphing";
const RHINO: &str =
    "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/";
const BISHOP: &str = "https://github.com/BishopFox/iam-vulnerable";
const HTC: &str = "https://hackingthe.cloud/aws/exploitation/iam_privilege_escalation/";

macro_rules! with_policy_arn {
    ($action:expr, $res:expr) => {
        Req {
            action: $action,
            resource: $res,
            context: &[("iam:PolicyARN", ADMIN_POLICY)],
            unless_role: None,
        }
    };
}

/// Auto Scaling acts through its service-linked role, which its first use creates when the caller may
/// (<https://docs.aws.amazon.com/autoscaling/ec2/userguide/autoscaling-service-linked-role.html>).
const AUTOSCALING_SLR: Req = Req {
    action: "iam:CreateServiceLinkedRole",
    resource: "arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    context: &[("iam:AWSServiceName", "autoscaling.amazonaws.com")],
    unless_role: Some("AWSServiceRoleForAutoScaling"),
};

/// Every technique, in the order paths list them when several apply.
pub const TECHNIQUES: &[Technique] = &[
    // --- STS ---
    Technique {
        id: "sts:AssumeRole",
        summary: "assume the role (its trust policy and the caller's identity side allow it)",
        applies: Applies::ToRole(RoleNeed::Nothing),
        requests: &[req("sts:AssumeRole", "{target}")],
        existing: None,
        source: "PMapper sts_edges.py; https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html",
    },
    // --- IAM: act as another user ---
    Technique {
        id: "iam:CreateAccessKey",
        summary: "create an access key for the user",
        applies: Applies::ToUser,
        requests: &[req("iam:CreateAccessKey", "{target}")],
        existing: None,
        source: "PMapper iam_edges.py; Rhino method 4",
    },
    Technique {
        id: "iam:CreateLoginProfile",
        summary: "give the user a console password (it has none)",
        applies: Applies::ToUser,
        requests: &[req("iam:CreateLoginProfile", "{target}")],
        existing: None,
        source: "PMapper iam_edges.py; Rhino method 5",
    },
    Technique {
        id: "iam:UpdateLoginProfile",
        summary: "change the user's console password",
        applies: Applies::ToUser,
        requests: &[req("iam:UpdateLoginProfile", "{target}")],
        existing: None,
        source: "PMapper iam_edges.py; Rhino method 6",
    },
    // --- IAM: act as a role after rewriting its trust ---
    Technique {
        id: "iam:UpdateAssumeRolePolicy",
        summary: "rewrite the role's trust policy to name the caller, then assume it",
        applies: Applies::ToRole(RoleNeed::Nothing),
        requests: &[
            req("iam:UpdateAssumeRolePolicy", "{target}"),
            req("sts:AssumeRole", "{target}"),
        ],
        existing: None,
        source: "PMapper iam_edges.py; Rhino method 14 (with sts:AssumeRole)",
    },
    // --- IAM: give itself permissions ---
    Technique {
        id: "iam:PutUserPolicy",
        summary: "write an inline policy allowing everything on itself",
        applies: Applies::SelfGrant(SelfKind::User),
        requests: &[req("iam:PutUserPolicy", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 11",
    },
    Technique {
        id: "iam:AttachUserPolicy",
        summary: "attach AdministratorAccess to itself",
        applies: Applies::SelfGrant(SelfKind::User),
        requests: &[with_policy_arn!("iam:AttachUserPolicy", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 8",
    },
    Technique {
        id: "iam:PutGroupPolicy",
        summary: "write an inline policy allowing everything on one of its groups",
        applies: Applies::SelfGrant(SelfKind::OwnGroup),
        requests: &[req("iam:PutGroupPolicy", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 12",
    },
    Technique {
        id: "iam:AttachGroupPolicy",
        summary: "attach AdministratorAccess to one of its groups",
        applies: Applies::SelfGrant(SelfKind::OwnGroup),
        requests: &[with_policy_arn!("iam:AttachGroupPolicy", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 9",
    },
    Technique {
        id: "iam:PutRolePolicy",
        summary: "write an inline policy allowing everything on itself (a role)",
        applies: Applies::SelfGrant(SelfKind::Role),
        requests: &[req("iam:PutRolePolicy", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 13",
    },
    Technique {
        id: "iam:AttachRolePolicy",
        summary: "attach AdministratorAccess to itself (a role)",
        applies: Applies::SelfGrant(SelfKind::Role),
        requests: &[with_policy_arn!("iam:AttachRolePolicy", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 10",
    },
    Technique {
        id: "iam:CreatePolicyVersion",
        summary: "publish a new default version allowing everything of a policy attached to it",
        applies: Applies::SelfGrant(SelfKind::OwnPolicy),
        requests: &[req("iam:CreatePolicyVersion", "{target}")],
        existing: None,
        source: "PMapper gathering.py (is_admin); Rhino method 1",
    },
    Technique {
        id: "iam:SetDefaultPolicyVersion",
        summary: "make an existing version that allows everything the default of a policy attached to it",
        applies: Applies::SelfGrant(SelfKind::PolicyWithAdminVersion),
        requests: &[req("iam:SetDefaultPolicyVersion", "{target}")],
        existing: None,
        source: "Rhino method 2; Bishop Fox iam-vulnerable privesc2",
    },
    Technique {
        id: "iam:AddUserToGroup",
        summary: "join a group whose policies allow everything",
        applies: Applies::SelfGrant(SelfKind::AdminGroup),
        requests: &[req("iam:AddUserToGroup", "{target}")],
        existing: None,
        source: "Rhino method 7; Bishop Fox iam-vulnerable privesc13",
    },
    Technique {
        id: "iam:DeleteUserPermissionsBoundary",
        summary: "remove its own permissions boundary",
        applies: Applies::SelfGrant(SelfKind::UserBoundary),
        requests: &[req("iam:DeleteUserPermissionsBoundary", "{target}")],
        existing: None,
        source: "hackingthe.cloud (permissions boundaries); https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    },
    Technique {
        id: "iam:PutUserPermissionsBoundary",
        summary: "replace its own permissions boundary by AdministratorAccess",
        applies: Applies::SelfGrant(SelfKind::UserBoundary),
        requests: &[Req {
            action: "iam:PutUserPermissionsBoundary",
            resource: "{target}",
            context: &[("iam:PermissionsBoundary", ADMIN_POLICY)],
            unless_role: None,
        }],
        existing: None,
        source: "hackingthe.cloud (permissions boundaries)",
    },
    Technique {
        id: "iam:DeleteRolePermissionsBoundary",
        summary: "remove its own permissions boundary (a role)",
        applies: Applies::SelfGrant(SelfKind::RoleBoundary),
        requests: &[req("iam:DeleteRolePermissionsBoundary", "{target}")],
        existing: None,
        source: "hackingthe.cloud (permissions boundaries)",
    },
    Technique {
        id: "iam:PutRolePermissionsBoundary",
        summary: "replace its own permissions boundary by AdministratorAccess (a role)",
        applies: Applies::SelfGrant(SelfKind::RoleBoundary),
        requests: &[Req {
            action: "iam:PutRolePermissionsBoundary",
            resource: "{target}",
            context: &[("iam:PermissionsBoundary", ADMIN_POLICY)],
            unless_role: None,
        }],
        existing: None,
        source: "hackingthe.cloud (permissions boundaries)",
    },
    // --- PassRole to a service that runs code as the role ---
    Technique {
        id: "passrole:lambda-invoke",
        summary: "create a Lambda function that runs as the role and invoke it",
        applies: Applies::ToRole(RoleNeed::Service("lambda.amazonaws.com")),
        requests: &[
            pass!("lambda.amazonaws.com"),
            req(
                "lambda:CreateFunction",
                "arn:aws:lambda:{region}:{account}:function:{name}",
            ),
            req(
                "lambda:InvokeFunction",
                "arn:aws:lambda:{region}:{account}:function:{name}",
            ),
        ],
        existing: None,
        source: "PMapper lambda_edges.py; Rhino method 15",
    },
    Technique {
        id: "passrole:lambda-event-source",
        summary: "create a Lambda function that runs as the role, triggered by an event source mapping",
        applies: Applies::ToRole(RoleNeed::Service("lambda.amazonaws.com")),
        requests: &[
            pass!("lambda.amazonaws.com"),
            req(
                "lambda:CreateFunction",
                "arn:aws:lambda:{region}:{account}:function:{name}",
            ),
            req("lambda:CreateEventSourceMapping", "*"),
        ],
        existing: None,
        source: "Rhino method 16; Bishop Fox iam-vulnerable privesc16",
    },
    Technique {
        id: "passrole:lambda-add-permission",
        summary: "create a Lambda function that runs as the role and let itself invoke it through the function policy",
        applies: Applies::ToRole(RoleNeed::Service("lambda.amazonaws.com")),
        requests: &[
            pass!("lambda.amazonaws.com"),
            req(
                "lambda:CreateFunction",
                "arn:aws:lambda:{region}:{account}:function:{name}",
            ),
            req(
                "lambda:AddPermission",
                "arn:aws:lambda:{region}:{account}:function:{name}",
            ),
        ],
        existing: None,
        source: "hackingthe.cloud; Bishop Fox iam-vulnerable (Lambda AddPermission)",
    },
    Technique {
        id: "lambda:UpdateFunctionCode",
        summary: "replace the code of a Lambda function that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("lambda.amazonaws.com")),
        requests: &[req(
            "lambda:UpdateFunctionCode",
            "arn:aws:lambda:{region}:{account}:function:*",
        )],
        existing: Some(
            "list the account's Lambda functions and their execution roles (`aws lambda list-functions`)",
        ),
        source: "PMapper lambda_edges.py; Rhino method 17",
    },
    Technique {
        id: "lambda:UpdateFunctionConfiguration",
        summary: "change an existing Lambda function's execution role to the role (passing it)",
        applies: Applies::ToRole(RoleNeed::Service("lambda.amazonaws.com")),
        requests: &[
            pass!("lambda.amazonaws.com"),
            req(
                "lambda:UpdateFunctionConfiguration",
                "arn:aws:lambda:{region}:{account}:function:*",
            ),
        ],
        existing: Some(
            "list the account's Lambda functions and how they are triggered (`aws lambda list-functions`)",
        ),
        source: "PMapper lambda_edges.py",
    },
    Technique {
        id: "passrole:ec2",
        summary: "launch an EC2 instance with the role's instance profile",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[
            pass!("ec2.amazonaws.com"),
            req(
                "ec2:RunInstances",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
        ],
        existing: None,
        source: "PMapper ec2_edges.py; Rhino method 3",
    },
    Technique {
        id: "passrole:ec2-new-profile",
        summary: "put the role in a new instance profile and launch an EC2 instance with it",
        applies: Applies::ToRole(RoleNeed::ServiceWithoutProfile("ec2.amazonaws.com")),
        requests: &[
            req(
                "iam:CreateInstanceProfile",
                "arn:aws:iam::{account}:instance-profile/{name}",
            ),
            req(
                "iam:AddRoleToInstanceProfile",
                "arn:aws:iam::{account}:instance-profile/{name}",
            ),
            pass!("ec2.amazonaws.com"),
            req(
                "ec2:RunInstances",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
        ],
        existing: None,
        source: "PMapper ec2_edges.py",
    },
    Technique {
        id: "ec2:AssociateIamInstanceProfile",
        summary: "attach the role's instance profile to a running instance it controls",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[
            pass!("ec2.amazonaws.com"),
            req(
                "ec2:AssociateIamInstanceProfile",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
        ],
        existing: Some(
            "list the account's instances the caller can log in to (`aws ec2 describe-instances`)",
        ),
        source: "PMapper ec2_edges.py; hackingthe.cloud",
    },
    Technique {
        id: "ec2:ModifyInstanceAttribute",
        summary: "change the user data of an instance that runs with the role's profile and restart it",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[
            req(
                "ec2:StopInstances",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
            req(
                "ec2:ModifyInstanceAttribute",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
            req(
                "ec2:StartInstances",
                "arn:aws:ec2:{region}:{account}:instance/*",
            ),
        ],
        existing: Some(
            "list the instances that run with the role's instance profile (`aws ec2 describe-iam-instance-profile-associations`)",
        ),
        source: "hackingthe.cloud (EC2 user data); Bishop Fox iam-vulnerable",
    },
    Technique {
        id: "ssm:SendCommand",
        summary: "run a command on an instance that runs with the role's profile",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[req(
            "ssm:SendCommand",
            "arn:aws:ec2:{region}:{account}:instance/*",
        )],
        existing: Some(
            "list the SSM-managed instances that run with the role's instance profile (`aws ssm describe-instance-information`)",
        ),
        source: "PMapper ssm_edges.py",
    },
    Technique {
        id: "ssm:StartSession",
        summary: "open a shell on an instance that runs with the role's profile",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[req(
            "ssm:StartSession",
            "arn:aws:ec2:{region}:{account}:instance/*",
        )],
        existing: Some(
            "list the SSM-managed instances that run with the role's instance profile (`aws ssm describe-instance-information`)",
        ),
        source: "PMapper ssm_edges.py",
    },
    Technique {
        id: "passrole:cloudformation",
        summary: "create a CloudFormation stack that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("cloudformation.amazonaws.com")),
        requests: &[
            pass!("cloudformation.amazonaws.com"),
            req(
                "cloudformation:CreateStack",
                "arn:aws:cloudformation:{region}:{account}:stack/{name}/*",
            ),
        ],
        existing: None,
        source: "PMapper cloudformation_edges.py; Rhino method 18",
    },
    Technique {
        id: "passrole:cloudformation-change-set",
        summary: "create and execute a change set that creates a stack running as the role",
        applies: Applies::ToRole(RoleNeed::Service("cloudformation.amazonaws.com")),
        requests: &[
            pass!("cloudformation.amazonaws.com"),
            req(
                "cloudformation:CreateChangeSet",
                "arn:aws:cloudformation:{region}:{account}:stack/{name}/*",
            ),
            req(
                "cloudformation:ExecuteChangeSet",
                "arn:aws:cloudformation:{region}:{account}:stack/{name}/*",
            ),
        ],
        existing: None,
        source: "PMapper cloudformation_edges.py",
    },
    Technique {
        id: "cloudformation:UpdateStack",
        summary: "update a stack that already runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("cloudformation.amazonaws.com")),
        requests: &[req(
            "cloudformation:UpdateStack",
            "arn:aws:cloudformation:{region}:{account}:stack/*/*",
        )],
        existing: Some(
            "list the account's stacks and their service roles (`aws cloudformation describe-stacks`)",
        ),
        source: "PMapper cloudformation_edges.py",
    },
    Technique {
        id: "passrole:cloudformation-stack-set",
        summary: "create a self-managed stack set administered by the role and deploy an instance of it",
        applies: Applies::ToRole(RoleNeed::Service("cloudformation.amazonaws.com")),
        requests: &[
            pass!("cloudformation.amazonaws.com"),
            req(
                "cloudformation:CreateStackSet",
                "arn:aws:cloudformation:{region}:{account}:stackset/{name}:*",
            ),
            req(
                "cloudformation:CreateStackInstances",
                "arn:aws:cloudformation:{region}:{account}:stackset/{name}:*",
            ),
        ],
        existing: None,
        source: "hackingthe.cloud; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs-self-managed.html",
    },
    Technique {
        id: "passrole:codebuild",
        summary: "create a CodeBuild project that runs as the role and start a build",
        applies: Applies::ToRole(RoleNeed::Service("codebuild.amazonaws.com")),
        requests: &[
            pass!("codebuild.amazonaws.com"),
            req(
                "codebuild:CreateProject",
                "arn:aws:codebuild:{region}:{account}:project/{name}",
            ),
            req(
                "codebuild:StartBuild",
                "arn:aws:codebuild:{region}:{account}:project/{name}",
            ),
        ],
        existing: None,
        source: "PMapper codebuild_edges.py; Bishop Fox iam-vulnerable privesc (CodeBuild)",
    },
    Technique {
        id: "codebuild:StartBuild",
        summary: "start a build with an overridden buildspec on a project that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("codebuild.amazonaws.com")),
        requests: &[req(
            "codebuild:StartBuild",
            "arn:aws:codebuild:{region}:{account}:project/*",
        )],
        existing: Some(
            "list the account's CodeBuild projects and their service roles (`aws codebuild batch-get-projects`)",
        ),
        source: "PMapper codebuild_edges.py",
    },
    Technique {
        id: "passrole:glue-dev-endpoint",
        summary: "create a Glue development endpoint that runs as the role and log in to it",
        applies: Applies::ToRole(RoleNeed::Service("glue.amazonaws.com")),
        requests: &[
            pass!("glue.amazonaws.com"),
            req(
                "glue:CreateDevEndpoint",
                "arn:aws:glue:{region}:{account}:devEndpoint/{name}",
            ),
        ],
        existing: None,
        source: "Rhino method 19; Bishop Fox iam-vulnerable privesc19",
    },
    Technique {
        id: "glue:UpdateDevEndpoint",
        summary: "add its SSH key to a Glue development endpoint that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("glue.amazonaws.com")),
        requests: &[req(
            "glue:UpdateDevEndpoint",
            "arn:aws:glue:{region}:{account}:devEndpoint/*",
        )],
        existing: Some(
            "list the account's Glue development endpoints and their roles (`aws glue get-dev-endpoints`)",
        ),
        source: "Rhino method 20",
    },
    Technique {
        id: "passrole:glue-job",
        summary: "create and start a Glue job that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("glue.amazonaws.com")),
        requests: &[
            pass!("glue.amazonaws.com"),
            req(
                "glue:CreateJob",
                "arn:aws:glue:{region}:{account}:job/{name}",
            ),
            req(
                "glue:StartJobRun",
                "arn:aws:glue:{region}:{account}:job/{name}",
            ),
        ],
        existing: None,
        source: "Bishop Fox iam-vulnerable (Glue CreateJob); hackingthe.cloud",
    },
    Technique {
        id: "passrole:sagemaker-notebook",
        summary: "create a SageMaker notebook instance that runs as the role and open it",
        applies: Applies::ToRole(RoleNeed::Service("sagemaker.amazonaws.com")),
        requests: &[
            pass!("sagemaker.amazonaws.com"),
            req(
                "sagemaker:CreateNotebookInstance",
                "arn:aws:sagemaker:{region}:{account}:notebook-instance/{name}",
            ),
            req(
                "sagemaker:CreatePresignedNotebookInstanceUrl",
                "arn:aws:sagemaker:{region}:{account}:notebook-instance/{name}",
            ),
        ],
        existing: None,
        source: "PMapper sagemaker_edges.py; Bishop Fox iam-vulnerable",
    },
    Technique {
        id: "passrole:sagemaker-training",
        summary: "create a SageMaker training job that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("sagemaker.amazonaws.com")),
        requests: &[
            pass!("sagemaker.amazonaws.com"),
            req(
                "sagemaker:CreateTrainingJob",
                "arn:aws:sagemaker:{region}:{account}:training-job/{name}",
            ),
        ],
        existing: None,
        source: "PMapper sagemaker_edges.py",
    },
    Technique {
        id: "passrole:sagemaker-processing",
        summary: "create a SageMaker processing job that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("sagemaker.amazonaws.com")),
        requests: &[
            pass!("sagemaker.amazonaws.com"),
            req(
                "sagemaker:CreateProcessingJob",
                "arn:aws:sagemaker:{region}:{account}:processing-job/{name}",
            ),
        ],
        existing: None,
        source: "PMapper sagemaker_edges.py",
    },
    Technique {
        id: "passrole:datapipeline",
        summary: "create and activate a Data Pipeline that runs as the role",
        applies: Applies::ToRole(RoleNeed::Service("datapipeline.amazonaws.com")),
        requests: &[
            pass!("datapipeline.amazonaws.com"),
            req("datapipeline:CreatePipeline", "*"),
            req("datapipeline:PutPipelineDefinition", "*"),
            req("datapipeline:ActivatePipeline", "*"),
        ],
        existing: None,
        source: "Rhino method 21",
    },
    Technique {
        id: "passrole:ecs",
        summary: "register an ECS task definition with the role as task role and run it",
        applies: Applies::ToRole(RoleNeed::Service("ecs-tasks.amazonaws.com")),
        requests: &[
            pass!("ecs-tasks.amazonaws.com"),
            req("ecs:RegisterTaskDefinition", "*"),
            req(
                "ecs:RunTask",
                "arn:aws:ecs:{region}:{account}:task-definition/{name}:*",
            ),
        ],
        existing: None,
        source: "hackingthe.cloud; Bishop Fox iam-vulnerable (ECS)",
    },
    Technique {
        id: "passrole:autoscaling-launch-configuration",
        summary: "create a launch configuration with the role's instance profile and an Auto Scaling group from it",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[
            pass!("ec2.amazonaws.com"),
            req(
                "autoscaling:CreateLaunchConfiguration",
                "arn:aws:autoscaling:{region}:{account}:launchConfiguration:*:launchConfigurationName/{name}",
            ),
            req(
                "autoscaling:CreateAutoScalingGroup",
                "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{name}",
            ),
            AUTOSCALING_SLR,
        ],
        existing: None,
        source: "PMapper autoscaling_edges.py",
    },
    Technique {
        id: "passrole:autoscaling-launch-template",
        summary: "create a launch template with the role's instance profile and an Auto Scaling group from it",
        applies: Applies::ToRole(RoleNeed::ServiceWithProfile("ec2.amazonaws.com")),
        requests: &[
            pass!("ec2.amazonaws.com"),
            req(
                "ec2:CreateLaunchTemplate",
                "arn:aws:ec2:{region}:{account}:launch-template/*",
            ),
            req(
                "autoscaling:CreateAutoScalingGroup",
                "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{name}",
            ),
            AUTOSCALING_SLR,
        ],
        existing: None,
        source: "PMapper autoscaling_edges.py",
    },
    Technique {
        id: "passrole:apprunner",
        summary: "create an App Runner service whose instances run as the role",
        applies: Applies::ToRole(RoleNeed::Service("tasks.apprunner.amazonaws.com")),
        requests: &[
            pass!("tasks.apprunner.amazonaws.com"),
            req(
                "apprunner:CreateService",
                "arn:aws:apprunner:{region}:{account}:service/{name}/*",
            ),
        ],
        existing: None,
        source: "hackingthe.cloud (App Runner)",
    },
    Technique {
        id: "passrole:stepfunctions",
        summary: "create a Step Functions state machine that runs as the role and start it",
        applies: Applies::ToRole(RoleNeed::Service("states.amazonaws.com")),
        requests: &[
            pass!("states.amazonaws.com"),
            req(
                "states:CreateStateMachine",
                "arn:aws:states:{region}:{account}:stateMachine:{name}",
            ),
            req(
                "states:StartExecution",
                "arn:aws:states:{region}:{account}:stateMachine:{name}",
            ),
        ],
        existing: None,
        source: "hackingthe.cloud (Step Functions)",
    },
];

/// The technique with this id.
pub fn by_id(id: &str) -> Option<(usize, &'static Technique)> {
    TECHNIQUES.iter().enumerate().find(|(_, t)| t.id == id)
}

/// Sources named in the table, for the documentation.
pub const SOURCES: [&str; 4] = [PMAPPER, RHINO, BISHOP, HTC];

/// Fill a resource or context template.
pub fn fill(template: &str, target: &str, account: &str) -> String {
    template
        .replace("{target}", target)
        .replace("{account}", account)
        .replace("{region}", "us-east-1")
        .replace("{name}", "iam-atlas-escalation")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_row_has_a_request_and_a_source() {
        let mut ids: Vec<&str> = TECHNIQUES.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for t in TECHNIQUES {
            assert!(!t.requests.is_empty(), "{}", t.id);
            assert!(!t.source.is_empty(), "{}", t.id);
        }
    }

    #[test]
    fn the_actions_fit_the_index_bitsets() {
        // The escalation index keeps one bit per distinct action in a `u128`.
        let mut actions: Vec<String> = TECHNIQUES
            .iter()
            .flat_map(|t| t.requests.iter().map(|r| r.action.to_ascii_lowercase()))
            .collect();
        actions.sort();
        actions.dedup();
        assert!(actions.len() <= 128, "{} actions", actions.len());
    }

    #[test]
    fn passrole_rows_name_a_service_their_role_must_trust() {
        for t in TECHNIQUES {
            for r in t.requests {
                if r.action == "iam:PassRole" {
                    let svc = r.context.first().map(|c| c.1);
                    match t.applies {
                        Applies::ToRole(
                            RoleNeed::Service(s)
                            | RoleNeed::ServiceWithProfile(s)
                            | RoleNeed::ServiceWithoutProfile(s),
                        ) => assert_eq!(svc, Some(s), "{}", t.id),
                        _ => panic!("{} passes a role without a service", t.id),
                    }
                }
            }
        }
    }
}
