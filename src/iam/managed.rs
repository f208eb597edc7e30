//! The AWS managed policies the model knows, by their real ARNs and with their documents'
//! actions (aws-facts 10; the IAM console's policy JSON of each). Attaching another AWS
//! managed policy is refused: the model could not say what it allows.

use std::sync::OnceLock;

use super::policy::{parse, Kind, Policy};

pub struct Managed {
    pub name: &'static str,
    pub arn: &'static str,
    pub description: &'static str,
    document: &'static str,
}

pub const EXECUTION_ROLE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
pub const INSTANCE_ROLE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";
pub const EVENTS_ROLE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole";

pub const MANAGED: &[Managed] = &[
    Managed {
        name: "AmazonECSTaskExecutionRolePolicy",
        arn: EXECUTION_ROLE_POLICY,
        description: "Provides access to other AWS service resources that are required to run Amazon ECS tasks",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
    },
    Managed {
        name: "AmazonEC2ContainerServiceforEC2Role",
        arn: INSTANCE_ROLE_POLICY,
        description: "Default policy for the Amazon EC2 Role for Amazon EC2 Container Service.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeTags","ecs:CreateCluster","ecs:DeregisterContainerInstance","ecs:DiscoverPollEndpoint","ecs:Poll","ecs:RegisterContainerInstance","ecs:StartTelemetrySession","ecs:UpdateContainerInstancesState","ecs:Submit*","ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},{"Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":["CreateCluster","RegisterContainerInstance"]}}}]}"#,
    },
    Managed {
        name: "AmazonEC2ContainerServiceEventsRole",
        arn: EVENTS_ROLE_POLICY,
        description: "Policy to enable CloudWatch Events for EC2 Container Service",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:RunTask"],"Resource":["*"]},{"Effect":"Allow","Action":"iam:PassRole","Resource":["*"],"Condition":{"StringLike":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}},{"Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":["RunTask"]}}}]}"#,
    },
    Managed {
        name: "AmazonEC2ContainerRegistryReadOnly",
        arn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        description: "Provides read-only access to Amazon EC2 Container Registry repositories.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:GetRepositoryPolicy","ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage","ecr:GetLifecyclePolicy","ecr:GetLifecyclePolicyPreview","ecr:ListTagsForResource","ecr:DescribeImageScanFindings"],"Resource":"*"}]}"#,
    },
    Managed {
        name: "AmazonS3ReadOnlyAccess",
        arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        description: "Provides read only access to all buckets via the AWS Management Console.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}"#,
    },
    Managed {
        name: "AmazonS3FullAccess",
        arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        description: "Provides full access to all buckets via the AWS Management Console.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}"#,
    },
    Managed {
        name: "AmazonSSMReadOnlyAccess",
        arn: "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
        description: "Provides read only access to Amazon SSM.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:Describe*","ssm:Get*","ssm:List*"],"Resource":"*"}]}"#,
    },
    Managed {
        name: "CloudWatchLogsFullAccess",
        arn: "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
        description: "Provides full access to CloudWatch Logs",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*","cloudwatch:GenerateQuery"],"Resource":"*"}]}"#,
    },
    Managed {
        name: "AdministratorAccess",
        arn: "arn:aws:iam::aws:policy/AdministratorAccess",
        description: "Provides full access to AWS services and resources.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    },
];

pub fn find(arn: &str) -> Option<(usize, &'static Managed)> {
    MANAGED.iter().enumerate().find(|(_, m)| m.arn == arn)
}

/// The parsed document of the managed policy at `index` of [`MANAGED`], parsed once.
pub fn document(index: usize) -> &'static Policy {
    static PARSED: OnceLock<Vec<Policy>> = OnceLock::new();
    &PARSED.get_or_init(|| {
        MANAGED
            .iter()
            .map(|m| parse(m.document, Kind::Identity, m.arn).expect("AWS's documents parse"))
            .collect()
    })[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_managed_document_parses() {
        for (i, m) in MANAGED.iter().enumerate() {
            assert!(!document(i).statements.is_empty(), "{}", m.name);
        }
    }
}
