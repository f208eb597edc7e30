//! What a task needs between "placed" and "running" (aws-facts 10, 17.7): IAM roles assumed
//! at launch, the execution role's registry auth, the awslogs driver's group and stream, the
//! instance role of an EC2 agent. Each failure with ECS's text, then the one-line fix that
//! makes the task start.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const ECR_IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1";

fn trust(service: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn create_role(world: &mut World, name: &str, service: &str) -> Value {
    sim::ok(
        world,
        "iam:CreateRole",
        json!({ "RoleName": name, "AssumeRolePolicyDocument": trust(service) }),
    )
}

fn attach(world: &mut World, role: &str, policy: &str) {
    sim::ok(
        world,
        "iam:AttachRolePolicy",
        json!({ "RoleName": role, "PolicyArn": format!("arn:aws:iam::aws:policy/{policy}") }),
    );
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A Fargate cluster and a one-container Fargate definition with the given execution role,
/// image and log options.
fn fargate(world: &mut World, execution_role: &str, image: &str, logs: Option<Value>) {
    sim::ok(world, "ecs:CreateCluster", json!({ "clusterName": "apps" }));
    let mut container = json!({ "name": "web", "image": image, "essential": true });
    if let Some(options) = logs {
        container["logConfiguration"] = json!({ "logDriver": "awslogs", "options": options });
    }
    sim::ok(
        world,
        "ecs:RegisterTaskDefinition",
        json!({
            "family": "web",
            "requiresCompatibilities": ["FARGATE"],
            "networkMode": "awsvpc",
            "cpu": "256",
            "memory": "512",
            "executionRoleArn": role_arn(execution_role),
            "containerDefinitions": [container],
        }),
    );
}

fn network() -> Value {
    json!({ "awsvpcConfiguration": { "subnets": ["subnet-aaaaaaaaaaaaaaaaa"], "assignPublicIp": "ENABLED" } })
}

/// Runs one Fargate task of `web` and lets it start (or fail to); its description after.
fn run(world: &mut World) -> Value {
    let response = sim::ok(
        world,
        "ecs:RunTask",
        json!({ "cluster": "apps", "taskDefinition": "web", "launchType": "FARGATE", "networkConfiguration": network() }),
    );
    let arn = response["tasks"][0]["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::advance(world, 120_000);
    sim::describe_task(world, "apps", &arn)
}

fn awslogs(group: &str, create: bool) -> Value {
    let mut options = json!({ "awslogs-group": group, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs" });
    if create {
        options["awslogs-create-group"] = json!("true");
    }
    options
}

#[test]
fn iam_answers_in_its_own_shapes_and_words() {
    let mut world = sim::world();
    let created = create_role(&mut world, "app", "ecs-tasks.amazonaws.com");
    let role = &created["Role"];
    assert_eq!(role["RoleName"], "app");
    assert_eq!(role["Path"], "/");
    assert_eq!(role["Arn"], role_arn("app"));
    assert!(role["RoleId"].as_str().unwrap().starts_with("AROA"));
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
    let again = sim::err(
        &mut world,
        "iam:CreateRole",
        json!({ "RoleName": "APP", "AssumeRolePolicyDocument": trust("ec2.amazonaws.com") }),
    );
    assert_eq!(
        (again.code.as_str(), again.message.as_str()),
        ("EntityAlreadyExists", "Role with name APP already exists.")
    );
    let missing = sim::err(&mut world, "iam:GetRole", json!({ "RoleName": "nope" }));
    assert_eq!(missing.message, "The role with name nope cannot be found.");
    let unknown = sim::err(
        &mut world,
        "iam:AttachRolePolicy",
        json!({ "RoleName": "app", "PolicyArn": "arn:aws:iam::123456789012:policy/none" }),
    );
    assert_eq!(
        unknown.message,
        "Policy arn:aws:iam::123456789012:policy/none does not exist or is not attachable."
    );
    attach(&mut world, "app", "AmazonS3ReadOnlyAccess");
    let listed = sim::ok(
        &mut world,
        "iam:ListAttachedRolePolicies",
        json!({ "RoleName": "app" }),
    );
    assert_eq!(
        listed["AttachedPolicies"],
        json!([{ "PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }])
    );
    let conflict = sim::err(&mut world, "iam:DeleteRole", json!({ "RoleName": "app" }));
    assert_eq!(
        (conflict.code.as_str(), conflict.message.as_str()),
        (
            "DeleteConflict",
            "Cannot delete entity, must detach all policies first."
        )
    );
    let bad = sim::err(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "app", "PolicyName": "p", "PolicyDocument": "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}}" }),
    );
    assert_eq!(
        (bad.code.as_str(), bad.message.as_str()),
        ("MalformedPolicyDocument", "Missing required field Resource")
    );
    sim::ok(
        &mut world,
        "iam:CreateInstanceProfile",
        json!({ "InstanceProfileName": "web" }),
    );
    sim::ok(
        &mut world,
        "iam:AddRoleToInstanceProfile",
        json!({ "InstanceProfileName": "web", "RoleName": "app" }),
    );
    let second = sim::err(
        &mut world,
        "iam:AddRoleToInstanceProfile",
        json!({ "InstanceProfileName": "web", "RoleName": "app" }),
    );
    assert_eq!(
        second.message,
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
    );
}

#[test]
fn a_conventional_role_never_created_is_implied() {
    // ecsTaskExecutionRole is taken to exist with AmazonECSTaskExecutionRolePolicy, so a
    // private ECR image pulls with it.
    let mut world = sim::world();
    fargate(&mut world, "ecsTaskExecutionRole", ECR_IMAGE, None);
    let task = run(&mut world);
    assert_eq!(task["lastStatus"], "RUNNING", "{task}");
}

#[test]
fn a_missing_execution_role_is_not_assumed_until_it_is_created() {
    let mut world = sim::world();
    fargate(&mut world, "appExecutionRole", ECR_IMAGE, None);
    let refused = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "apps", "taskDefinition": "web", "launchType": "FARGATE", "networkConfiguration": network() }),
    );
    let expected = format!("ECS was unable to assume the role '{}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.", role_arn("appExecutionRole"));
    assert_eq!(
        (refused.code.as_str(), refused.message.as_str()),
        ("ClientException", expected.as_str())
    );
    // A service says it failed to launch a task, and tries again.
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "apps", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE", "networkConfiguration": network() }),
    );
    sim::advance(&mut world, 1_000);
    let wanted = format!("(service web) failed to launch a task with (error {expected}).");
    assert!(
        sim::messages(&world, "web").contains(&wanted),
        "{:?}",
        sim::messages(&world, "web")
    );
    // A role that trusts EC2 is still not assumed by ECS tasks.
    create_role(&mut world, "appExecutionRole", "ec2.amazonaws.com");
    sim::advance(&mut world, 60_000);
    assert_eq!(
        sim::describe_service(&mut world, "apps", "web")["runningCount"],
        0
    );
    // The fix: trust ecs-tasks.amazonaws.com and have the managed execution policy.
    sim::ok(
        &mut world,
        "iam:UpdateAssumeRolePolicy",
        json!({ "RoleName": "appExecutionRole", "PolicyDocument": trust("ecs-tasks.amazonaws.com") }),
    );
    attach(
        &mut world,
        "appExecutionRole",
        "service-role/AmazonECSTaskExecutionRolePolicy",
    );
    sim::advance(&mut world, 180_000);
    assert_eq!(
        sim::describe_service(&mut world, "apps", "web")["runningCount"],
        1
    );
}

#[test]
fn an_execution_role_without_ecr_permissions_fails_the_pull() {
    let mut world = sim::world();
    create_role(&mut world, "bare", "ecs-tasks.amazonaws.com");
    fargate(&mut world, "bare", ECR_IMAGE, None);
    let task = run(&mut world);
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(task["lastStatus"], "STOPPED");
    assert_eq!(task["stopCode"], "TaskFailedToStart");
    assert_eq!(
        task["stoppedReason"],
        format!("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/bare/{id} is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action")
    );
    // An explicit Deny wins over the managed policy's Allow.
    attach(
        &mut world,
        "bare",
        "service-role/AmazonECSTaskExecutionRolePolicy",
    );
    sim::ok(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "bare", "PolicyName": "no-web", "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:BatchGetImage","Resource":"arn:aws:ecr:*:*:repository/web"}]}"# }),
    );
    let task = run(&mut world);
    let reason = task["stoppedReason"].as_str().unwrap();
    assert!(
        reason.ends_with("ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:123456789012:repository/web with an explicit deny in an identity-based policy"),
        "{reason}"
    );
    // The fix: remove the deny.
    sim::ok(
        &mut world,
        "iam:DeleteRolePolicy",
        json!({ "RoleName": "bare", "PolicyName": "no-web" }),
    );
    assert_eq!(run(&mut world)["lastStatus"], "RUNNING");
}

#[test]
fn awslogs_needs_its_group_or_the_right_to_create_it() {
    let mut world = sim::world();
    create_role(&mut world, "exec", "ecs-tasks.amazonaws.com");
    attach(
        &mut world,
        "exec",
        "service-role/AmazonECSTaskExecutionRolePolicy",
    );
    fargate(
        &mut world,
        "exec",
        "nginx:1.27",
        Some(awslogs("/ecs/web", false)),
    );
    let task = run(&mut world);
    assert_eq!(task["stopCode"], "TaskFailedToStart");
    assert_eq!(
        task["stoppedReason"],
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
    );
    // The fix: create the group.
    sim::ok(
        &mut world,
        "logs:CreateLogGroup",
        json!({ "logGroupName": "/ecs/web" }),
    );
    let task = run(&mut world);
    assert_eq!(task["lastStatus"], "RUNNING");
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let streams = sim::ok(
        &mut world,
        "logs:DescribeLogStreams",
        json!({ "logGroupName": "/ecs/web" }),
    );
    let stream = format!("ecs/web/{id}");
    assert_eq!(streams["logStreams"][0]["logStreamName"], stream);
    let events = sim::ok(
        &mut world,
        "logs:GetLogEvents",
        json!({ "logGroupName": "/ecs/web", "logStreamName": stream }),
    );
    assert_eq!(events["events"][0]["message"], "web: started (nginx:1.27)");
}

#[test]
fn awslogs_create_group_needs_logs_create_log_group() {
    let mut world = sim::world();
    create_role(&mut world, "exec", "ecs-tasks.amazonaws.com");
    attach(
        &mut world,
        "exec",
        "service-role/AmazonECSTaskExecutionRolePolicy",
    );
    fargate(
        &mut world,
        "exec",
        "nginx:1.27",
        Some(awslogs("/ecs/new", true)),
    );
    let task = run(&mut world);
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(
        task["stoppedReason"],
        format!("ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log group: AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/exec/{id} is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/new because no identity-based policy allows the logs:CreateLogGroup action : exit status 1")
    );
    sim::ok(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "exec", "PolicyName": "create-groups", "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogGroup","Resource":"arn:aws:logs:*:*:log-group:/ecs/*"}]}"# }),
    );
    assert_eq!(run(&mut world)["lastStatus"], "RUNNING");
    let groups = sim::ok(
        &mut world,
        "logs:DescribeLogGroups",
        json!({ "logGroupNamePrefix": "/ecs/" }),
    );
    assert_eq!(groups["logGroups"][0]["logGroupName"], "/ecs/new");
    assert_eq!(
        groups["logGroups"][0]["arn"],
        format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/new:*")
    );
}

#[test]
fn a_group_in_another_region_does_not_exist_here() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "logs:CreateLogGroup",
        json!({ "logGroupName": "/ecs/web" }),
    );
    let mut options = awslogs("/ecs/web", false);
    options["awslogs-region"] = json!("eu-west-1");
    fargate(
        &mut world,
        "ecsTaskExecutionRole",
        "nginx:1.27",
        Some(options),
    );
    let task = run(&mut world);
    assert!(task["stoppedReason"]
        .as_str()
        .unwrap()
        .contains("ResourceNotFoundException: The specified log group does not exist."));
}

#[test]
fn a_crash_leaves_its_last_lines_and_filters_find_them() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "logs:CreateLogGroup",
        json!({ "logGroupName": "/ecs/web" }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:2", "exitAfter": "30s", "logs": { "start": ["INFO listening on :8080"], "exit": ["ERROR cannot reach db:5432", "FATAL exiting"] } }),
    );
    fargate(
        &mut world,
        "ecsTaskExecutionRole",
        "web:2",
        Some(awslogs("/ecs/web", false)),
    );
    let task = run(&mut world);
    assert_eq!(task["stopCode"], "EssentialContainerExited");
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let events = sim::ok(
        &mut world,
        "logs:GetLogEvents",
        json!({ "logGroupName": "/ecs/web", "logStreamName": format!("ecs/web/{id}"), "limit": 2 }),
    );
    let messages: Vec<&str> = (events["events"].as_array().unwrap().iter())
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["ERROR cannot reach db:5432", "FATAL exiting"]);
    let found = sim::ok(
        &mut world,
        "logs:FilterLogEvents",
        json!({ "logGroupName": "/ecs/web", "filterPattern": "?ERROR ?FATAL" }),
    );
    assert_eq!(found["events"].as_array().unwrap().len(), 2);
    assert_eq!(found["events"][0]["logStreamName"], format!("ecs/web/{id}"));
    let bad = sim::err(
        &mut world,
        "logs:PutRetentionPolicy",
        json!({ "logGroupName": "/ecs/web", "retentionInDays": 2 }),
    );
    assert!(bad
        .message
        .contains("Member must satisfy enum value set: [1, 3, 5, 7, 14"));
}

#[test]
fn an_instance_role_without_ecs_permissions_keeps_the_agent_out() {
    let mut world = sim::world();
    create_role(&mut world, "nodes", "ec2.amazonaws.com");
    sim::ok(
        &mut world,
        "iam:CreateInstanceProfile",
        json!({ "InstanceProfileName": "nodes" }),
    );
    sim::ok(
        &mut world,
        "iam:AddRoleToInstanceProfile",
        json!({ "InstanceProfileName": "nodes", "RoleName": "nodes" }),
    );
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    let launch = |world: &mut World| {
        sim::ok(
            world,
            "ec2:RunInstances",
            json!({
                "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1,
                "IamInstanceProfile": { "Name": "nodes" },
                "UserData": "#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config",
            }),
        );
        sim::advance(world, 120_000);
    };
    launch(&mut world);
    let instances = |world: &World| {
        world.describe_all()["containerInstances"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(instances(&world), 0, "the agent may not register");
    let failed = world.log().iter().any(|r| {
        format!("{r:?}").contains("is not authorized to perform: ecs:RegisterContainerInstance")
    });
    assert!(failed, "the agent's AccessDeniedException is logged");
    attach(
        &mut world,
        "nodes",
        "service-role/AmazonEC2ContainerServiceforEC2Role",
    );
    launch(&mut world);
    assert_eq!(instances(&world), 1);
}

/// A Fargate definition of one container with `extra` fields (environment, secrets, files).
fn fargate_with(world: &mut World, execution_role: &str, extra: Value) {
    sim::ok(world, "ecs:CreateCluster", json!({ "clusterName": "apps" }));
    let mut container = json!({ "name": "web", "image": "nginx:1.27", "essential": true });
    for (k, v) in extra.as_object().unwrap() {
        container[k] = v.clone();
    }
    let mut definition = json!({
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [container],
    });
    if !execution_role.is_empty() {
        definition["executionRoleArn"] = json!(role_arn(execution_role));
    }
    sim::ok(world, "ecs:RegisterTaskDefinition", definition);
}

fn environment_of(world: &World, task: &Value) -> Vec<(String, String)> {
    let arn = task["taskArn"].as_str().unwrap();
    let t = world.ecs.tasks.iter().find(|t| t.arn == arn).unwrap();
    t.containers[0]
        .environment
        .iter()
        .map(|v| (v.name.clone(), v.value.clone()))
        .collect()
}

#[test]
fn secrets_need_an_execution_role_at_registration() {
    let mut world = sim::world();
    let error = sim::err(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128,
            "secrets": [{ "name": "DB_PASSWORD", "valueFrom": "db-password" }] }] }),
    );
    assert_eq!(
        error.message,
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
    );
}

#[test]
fn parameters_by_name_or_arn_and_their_failures() {
    let mut world = sim::world();
    let by_arn = format!("arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/prod/db/url");
    let secrets = json!({ "secrets": [
        { "name": "DB_PASSWORD", "valueFrom": "db-password" },
        { "name": "DB_URL", "valueFrom": by_arn },
    ] });
    // The managed execution policy does not read parameters: IAM denies before SSM looks.
    fargate_with(&mut world, "ecsTaskExecutionRole", secrets.clone());
    let task = run(&mut world);
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(task["stopCode"], "TaskFailedToStart");
    assert_eq!(
        task["stoppedReason"],
        format!("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/ecsTaskExecutionRole/{id} is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/db-password because no identity-based policy allows the ssm:GetParameters action")
    );
    // A role that may read them, and parameters that do not exist yet: ECS names the parameter.
    let mut world = sim::world();
    create_role(&mut world, "exec", "ecs-tasks.amazonaws.com");
    attach(&mut world, "exec", "AmazonSSMReadOnlyAccess");
    fargate_with(&mut world, "exec", secrets);
    let task = run(&mut world);
    assert_eq!(
        task["stoppedReason"],
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: db-password"
    );
    // The fix: the parameters, by name (this Region) and by ARN.
    sim::ok(
        &mut world,
        "ssm:PutParameter",
        json!({ "Name": "db-password", "Value": "s3cr3t", "Type": "SecureString" }),
    );
    sim::ok(
        &mut world,
        "ssm:PutParameter",
        json!({ "Name": "/prod/db/url", "Value": "postgres://db:5432/app", "Type": "String" }),
    );
    let task = run(&mut world);
    assert_eq!(task["lastStatus"], "RUNNING", "{task}");
    assert_eq!(
        environment_of(&world, &task),
        [
            ("DB_PASSWORD".to_string(), "s3cr3t".to_string()),
            ("DB_URL".to_string(), "postgres://db:5432/app".to_string())
        ]
    );
    // SSM answers: a SecureString is ciphertext unless decrypted; overwriting needs Overwrite.
    let got = sim::ok(
        &mut world,
        "ssm:GetParameter",
        json!({ "Name": "db-password" }),
    );
    assert_ne!(got["Parameter"]["Value"], "s3cr3t");
    let got = sim::ok(
        &mut world,
        "ssm:GetParameter",
        json!({ "Name": by_arn, "WithDecryption": true }),
    );
    assert_eq!(got["Parameter"]["Value"], "postgres://db:5432/app");
    assert_eq!(got["Parameter"]["ARN"], by_arn);
    let again = sim::err(
        &mut world,
        "ssm:PutParameter",
        json!({ "Name": "db-password", "Value": "x", "Type": "SecureString" }),
    );
    assert_eq!(again.code, "ParameterAlreadyExists");
    // A parameter of another Region is not this Region's.
    assert!(
        ecsplay::ssm::parameter_name(&world, "arn:aws:ssm:eu-west-1:123456789012:parameter/x")
            .is_none()
    );
}

#[test]
fn secrets_manager_keys_stages_and_rotation() {
    let mut world = sim::world();
    let created = sim::ok(
        &mut world,
        "secretsmanager:CreateSecret",
        json!({ "Name": "prod/db", "SecretString": r#"{"username":"app","password":"one"}"# }),
    );
    let arn = created["ARN"].as_str().unwrap().to_string();
    assert!(
        arn.starts_with(&format!(
            "arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-"
        )),
        "{arn}"
    );
    assert_eq!(
        arn.len(),
        format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db-").len() + 6
    );
    let partial = format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/db");
    create_role(&mut world, "exec", "ecs-tasks.amazonaws.com");
    sim::ok(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "exec", "PolicyName": "read-db", "PolicyDocument": format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"{partial}-*"}}]}}"#) }),
    );
    fargate_with(
        &mut world,
        "exec",
        json!({ "secrets": [
            { "name": "DB_USER", "valueFrom": format!("{arn}:username::") },
            { "name": "DB_PASSWORD", "valueFrom": format!("{partial}:password:AWSCURRENT:") },
            { "name": "DB_JSON", "valueFrom": arn },
        ] }),
    );
    let first = run(&mut world);
    assert_eq!(first["lastStatus"], "RUNNING", "{first}");
    let env = environment_of(&world, &first);
    assert_eq!(env[0], ("DB_USER".into(), "app".into()));
    assert_eq!(env[1], ("DB_PASSWORD".into(), "one".into()));
    assert_eq!(env[2].1, r#"{"username":"app","password":"one"}"#);
    // Rotation: the running task keeps what it read at start; a new task reads the new value.
    sim::ok(
        &mut world,
        "secretsmanager:PutSecretValue",
        json!({ "SecretId": "prod/db", "SecretString": r#"{"username":"app","password":"two"}"# }),
    );
    assert_eq!(environment_of(&world, &first)[1].1, "one");
    let second = run(&mut world);
    assert_eq!(environment_of(&world, &second)[1].1, "two");
    let previous = sim::ok(
        &mut world,
        "secretsmanager:GetSecretValue",
        json!({ "SecretId": arn, "VersionStage": "AWSPREVIOUS" }),
    );
    assert_eq!(
        previous["SecretString"],
        r#"{"username":"app","password":"one"}"#
    );
    // A key the secret lacks, a stage it has not, a secret that does not exist.
    let failure = |world: &mut World, value_from: String| {
        sim::ok(
            world,
            "ecs:RegisterTaskDefinition",
            json!({
                "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                "executionRoleArn": role_arn("exec"),
                "containerDefinitions": [{ "name": "web", "image": "nginx:1.27", "secrets": [{ "name": "X", "valueFrom": value_from }] }],
            }),
        );
        run(world)["stoppedReason"].as_str().unwrap().to_string()
    };
    let prefix = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret";
    assert_eq!(
        failure(&mut world, format!("{arn}::AWSPENDING:")),
        format!("{prefix} {arn} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSPENDING")
    );
    assert_eq!(
        failure(&mut world, format!("{partial}-zzzzzz")),
        format!("{prefix} {partial}-zzzzzz from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.")
    );
    assert!(failure(&mut world, format!("{arn}:port::")).ends_with("did not contain json key port"));
    // Not allowed by the role's policy: another secret.
    sim::ok(
        &mut world,
        "secretsmanager:CreateSecret",
        json!({ "Name": "other", "SecretString": "x" }),
    );
    let other = sim::ok(
        &mut world,
        "secretsmanager:DescribeSecret",
        json!({ "SecretId": "other" }),
    )["ARN"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(failure(&mut world, other.clone()).contains(&format!("is not authorized to perform: secretsmanager:GetSecretValue on resource: {other} because no identity-based policy allows")));
}

#[test]
fn environment_files_with_environment_taking_precedence() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "s3:CreateBucket",
        json!({ "Bucket": "app-config" }),
    );
    sim::ok(
        &mut world,
        "s3:PutObject",
        json!({ "Bucket": "app-config", "Key": "web/base.env", "Body": "# base settings\nLOG_LEVEL=info\nPORT=8080\n\nFEATURE=a=b\n" }),
    );
    sim::ok(
        &mut world,
        "s3:PutObject",
        json!({ "Bucket": "app-config", "Key": "web/prod.env", "Body": "LOG_LEVEL=warn\nREGION=us-east-1\n" }),
    );
    create_role(&mut world, "exec", "ecs-tasks.amazonaws.com");
    fargate_with(
        &mut world,
        "exec",
        json!({
            "environment": [{ "name": "PORT", "value": "9090" }],
            "environmentFiles": [
                { "value": "arn:aws:s3:::app-config/web/base.env", "type": "s3" },
                { "value": "arn:aws:s3:::app-config/web/prod.env", "type": "s3" },
            ],
        }),
    );
    // No s3:GetObject: 403.
    let task = run(&mut world);
    assert_eq!(
        task["stoppedReason"],
        "ResourceInitializationError: failed to download env files: service call has been retried 1 time(s): operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden."
    );
    attach(&mut world, "exec", "AmazonS3ReadOnlyAccess");
    let task = run(&mut world);
    assert_eq!(task["lastStatus"], "RUNNING");
    let env = environment_of(&world, &task);
    let value = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(value("PORT"), Some("9090"), "environment wins over a file");
    assert_eq!(
        value("LOG_LEVEL"),
        Some("info"),
        "the first file's value wins"
    );
    assert_eq!(value("FEATURE"), Some("a=b"));
    assert_eq!(value("REGION"), Some("us-east-1"));
    assert_eq!(env.len(), 4);
    // A missing object, read by a role that may list the bucket: 404.
    sim::ok(
        &mut world,
        "s3:DeleteObject",
        json!({ "Bucket": "app-config", "Key": "web/prod.env" }),
    );
    let task = run(&mut world);
    assert!(task["stoppedReason"]
        .as_str()
        .unwrap()
        .contains("StatusCode: 404, api error NotFound: Not Found"));
    // Registration: eleven files, or a file without .env.
    let file = json!({ "value": "arn:aws:s3:::app-config/web/x.env", "type": "s3" });
    let eleven = sim::err(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "executionRoleArn": role_arn("exec"),
        "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128, "environmentFiles": vec![file; 11] }] }),
    );
    assert_eq!(
        eleven.path.as_deref(),
        Some("$.containerDefinitions[0].environmentFiles")
    );
    let txt = sim::err(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "executionRoleArn": role_arn("exec"),
        "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128, "environmentFiles": [{ "value": "arn:aws:s3:::b/k.txt", "type": "s3" }] }] }),
    );
    assert_eq!(
        txt.path.as_deref(),
        Some("$.containerDefinitions[0].environmentFiles[0].value")
    );
}

#[test]
fn the_application_calls_aws_with_the_task_role_not_the_execution_role() {
    // The classic: the execution role pulls and logs; the application's S3 call is denied
    // until the task role has the permission.
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "logs:CreateLogGroup",
        json!({ "logGroupName": "/ecs/web" }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "reports:1", "calls": [{ "action": "s3:GetObject", "resource": "arn:aws:s3:::reports/daily.csv", "every": "30s" }] }),
    );
    create_role(&mut world, "appTaskRole", "ecs-tasks.amazonaws.com");
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "apps" }),
    );
    let definition = |task_role: Option<&str>| {
        let mut d = json!({
            "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
            "executionRoleArn": role_arn("ecsTaskExecutionRole"),
            "containerDefinitions": [{ "name": "web", "image": "reports:1",
                "logConfiguration": { "logDriver": "awslogs", "options": awslogs("/ecs/web", false) } }],
        });
        if let Some(role) = task_role {
            d["taskRoleArn"] = json!(role_arn(role));
        }
        d
    };
    // No task role: on Fargate the application has no credentials at all.
    sim::ok(&mut world, "ecs:RegisterTaskDefinition", definition(None));
    let task = run(&mut world);
    let t = world
        .ecs
        .tasks
        .iter()
        .find(|t| t.arn == task["taskArn"])
        .unwrap();
    assert!(
        t.app_calls[0].3.starts_with("NoCredentialProviders"),
        "{:?}",
        t.app_calls
    );
    // A task role without the permission: AccessDenied, in the application's log.
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        definition(Some("appTaskRole")),
    );
    let task = run(&mut world);
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let denied = format!("s3:GetObject arn:aws:s3:::reports/daily.csv: AccessDenied: User: arn:aws:sts::{ACCOUNT}:assumed-role/appTaskRole/{id} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::reports/daily.csv because no identity-based policy allows the s3:GetObject action");
    let logged = |world: &mut World| {
        let events = sim::ok(
            world,
            "logs:GetLogEvents",
            json!({ "logGroupName": "/ecs/web", "logStreamName": format!("ecs/web/{id}") }),
        );
        (events["events"].as_array().unwrap().iter())
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        logged(&mut world).contains(&denied),
        "{:?}",
        logged(&mut world)
    );
    // The fix: the task role gets the permission; the next call (every 30 s) reaches S3,
    // which answers for what it holds: no bucket, then no key (the role may list the bucket:
    // AmazonS3ReadOnlyAccess has s3:List*), then the object.
    attach(&mut world, "appTaskRole", "AmazonS3ReadOnlyAccess");
    sim::advance(&mut world, 30_000);
    assert_eq!(
        logged(&mut world).last().unwrap(),
        "s3:GetObject arn:aws:s3:::reports/daily.csv: NoSuchBucket: The specified bucket does not exist"
    );
    sim::ok(
        &mut world,
        "s3:CreateBucket",
        json!({ "Bucket": "reports" }),
    );
    sim::advance(&mut world, 30_000);
    assert_eq!(
        logged(&mut world).last().unwrap(),
        "s3:GetObject arn:aws:s3:::reports/daily.csv: NoSuchKey: The specified key does not exist."
    );
    sim::ok(
        &mut world,
        "s3:PutObject",
        json!({ "Bucket": "reports", "Key": "daily.csv", "Body": "day,orders\n" }),
    );
    sim::advance(&mut world, 30_000);
    let lines = logged(&mut world);
    assert_eq!(
        lines.last().unwrap(),
        &format!(
            "s3:GetObject arn:aws:s3:::reports/daily.csv: 200 OK (as {})",
            role_arn("appTaskRole")
        )
    );
}

#[test]
fn requests_write_their_lines_to_the_answering_tasks_stream_a_few_a_sample() {
    use ecsplay::scenario::{run::run_until, Scenario};
    let mut scenario: Value =
        serde_json::from_str(include_str!("../static/scenarios/alb-fargate.json")).unwrap();
    let steps = scenario["steps"].as_array_mut().unwrap();
    let definition = steps
        .iter_mut()
        .find(|s| s["action"] == "ecs:RegisterTaskDefinition")
        .unwrap();
    definition["input"]["executionRoleArn"] = json!(role_arn("ecsTaskExecutionRole"));
    definition["input"]["containerDefinitions"][0]["logConfiguration"] =
        json!({ "logDriver": "awslogs", "options": awslogs("/ecs/api", false) });
    steps.insert(
        0,
        json!({ "at": "0s", "action": "logs:CreateLogGroup", "input": { "logGroupName": "/ecs/api" } }),
    );
    steps.insert(
        0,
        json!({ "at": "0s", "action": "sim:SetImageBehavior", "input": {
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "logs": { "request": ["GET /orders 200", "GET /health 200"] } } }),
    );
    // 3 requests a second over three tasks: one each a second, 10 a sample; then 30 a second.
    steps.push(json!({ "at": "3m", "action": "sim:SetTraffic", "input": { "loadBalancer": "api", "requestsPerSecond": 3 } }));
    steps.push(json!({ "at": "5m", "action": "sim:SetTraffic", "input": { "loadBalancer": "api", "requestsPerSecond": 30 } }));
    let scenario = Scenario::parse(&scenario.to_string()).unwrap();
    let mut world = run_until(&scenario, 4 * 60_000);
    let found = sim::ok(
        &mut world,
        "logs:FilterLogEvents",
        json!({ "logGroupName": "/ecs/api", "filterPattern": "\"GET /orders\"" }),
    );
    let early = found["events"].as_array().unwrap().len();
    // One minute of 3 a second: 180 requests, each a line, half of them the first line.
    assert!((80..=100).contains(&early), "{early}");
    assert!(found["events"][0]["logStreamName"]
        .as_str()
        .unwrap()
        .starts_with("ecs/api/"));
    let mut world = run_until(&scenario, 6 * 60_000);
    let found = sim::ok(
        &mut world,
        "logs:FilterLogEvents",
        json!({ "logGroupName": "/ecs/api", "filterPattern": "GET" }),
    );
    // From 5 minutes, 100 requests a task each sample write 10 lines: 3 tasks x 6 samples x
    // 10 in the last minute, not 1,800.
    let lines = found["events"].as_array().unwrap().len();
    assert!(
        (2 * 180..=2 * 180 + 3 * 6 * 10 + 30).contains(&lines),
        "{lines}"
    );
}

#[test]
fn private_registry_credentials_and_log_secrets_are_read_with_the_execution_role() {
    let mut world = sim::world();
    // Both need an execution role at registration.
    let error = sim::err(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "registry.example.com/web:1", "memory": 128,
            "repositoryCredentials": { "credentialsParameter": "registry" } }] }),
    );
    assert_eq!(error.code, "ClientException");
    assert_eq!(error.path.as_deref(), Some("$.executionRoleArn"));
    let error = sim::err(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128,
            "logConfiguration": { "logDriver": "splunk", "options": { "splunk-url": "https://splunk.example.com" },
                "secretOptions": [{ "name": "splunk-token", "valueFrom": "splunk-token" }] } }] }),
    );
    assert_eq!(
        error.message,
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."
    );
    let error = sim::err(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "executionRoleArn": role_arn("ecsTaskExecutionRole"), "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128,
            "repositoryCredentials": { "credentialsParameter": "registry", "kmsKey": "x" } }] }),
    );
    assert_eq!(
        error.path.as_deref(),
        Some("$.containerDefinitions[0].repositoryCredentials.kmsKey")
    );

    // The managed execution policy reads neither: the pull fails on the registry's secret.
    sim::ok(
        &mut world,
        "secretsmanager:CreateSecret",
        json!({ "Name": "registry", "SecretString": r#"{"username":"ci","password":"hunter2"}"# }),
    );
    create_role(&mut world, "exec", "ecs-tasks.amazonaws.com");
    attach(
        &mut world,
        "exec",
        "service-role/AmazonECSTaskExecutionRolePolicy",
    );
    fargate_with(
        &mut world,
        "exec",
        json!({ "image": "registry.example.com/web:1",
                "repositoryCredentials": { "credentialsParameter": "registry" } }),
    );
    let described = sim::ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web" }),
    );
    let attributes: Vec<&str> = (described["taskDefinition"]["requiresAttributes"]
        .as_array()
        .unwrap()
        .iter())
    .map(|a| a["name"].as_str().unwrap())
    .collect();
    assert!(attributes.contains(&"ecs.capability.private-registry-authentication.secretsmanager"));
    let denied = run(&mut world);
    assert_eq!(denied["stopCode"], "TaskFailedToStart", "{denied}");
    let reason = denied["stoppedReason"].as_str().unwrap();
    assert!(
        reason.starts_with("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:"),
        "{reason}"
    );
    assert!(
        reason.contains("is not authorized to perform: secretsmanager:GetSecretValue"),
        "{reason}"
    );
    // The fix: the execution role may read the secret; then the task starts.
    sim::ok(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "exec", "PolicyName": "registry",
                "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"# }),
    );
    let running = run(&mut world);
    assert_eq!(running["lastStatus"], "RUNNING", "{running}");
    let checklist = &world.ecs.tasks.iter().last().unwrap().startup;
    assert!(
        checklist
            .iter()
            .any(|s| s.step == "Private registry credentials" && s.passed),
        "{checklist:?}"
    );

    // A log driver's secret is read as a container's secrets are: a missing parameter fails.
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
            "cpu": "256", "memory": "512", "executionRoleArn": role_arn("exec"),
            "containerDefinitions": [{ "name": "web", "image": "nginx:1.27",
                "logConfiguration": { "logDriver": "splunk", "options": { "splunk-url": "https://splunk.example.com" },
                    "secretOptions": [{ "name": "splunk-token", "valueFrom": "splunk-token" }] } }] }),
    );
    let described = sim::ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web" }),
    );
    assert!(described["taskDefinition"]["requiresAttributes"]
        .as_array()
        .unwrap()
        .contains(&json!({ "name": "ecs.capability.secrets.ssm.bootstrap.log-driver" })));
    let denied = run(&mut world);
    let reason = denied["stoppedReason"].as_str().unwrap();
    assert!(reason.starts_with("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/exec/"), "{reason}");
    assert!(reason.ends_with("is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:123456789012:parameter/splunk-token because no identity-based policy allows the ssm:GetParameters action"), "{reason}");
    sim::ok(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "exec", "PolicyName": "parameters",
                "PolicyDocument": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"arn:aws:ssm:us-east-1:123456789012:parameter/*"}]}"# }),
    );
    let missing = run(&mut world);
    assert_eq!(
        missing["stoppedReason"],
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: splunk-token"
    );
}

#[test]
fn the_guides_trust_policy_with_source_account_and_arn_conditions_is_assumed() {
    let trust_for = |account: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":["ecs-tasks.amazonaws.com"]}},"Action":"sts:AssumeRole","Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:ecs:us-east-1:{account}:*"}},"StringEquals":{{"aws:SourceAccount":"{account}"}}}}}}]}}"#
        )
    };
    let mut world = sim::world();
    for (role, account) in [("guarded", ACCOUNT), ("elsewhere", "999999999999")] {
        sim::ok(
            &mut world,
            "iam:CreateRole",
            json!({ "RoleName": role, "AssumeRolePolicyDocument": trust_for(account) }),
        );
        attach(
            &mut world,
            role,
            "service-role/AmazonECSTaskExecutionRolePolicy",
        );
    }
    fargate(
        &mut world,
        "guarded",
        &format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1"),
        None,
    );
    let task = run(&mut world);
    assert_eq!(task["lastStatus"], "RUNNING", "{task}");
    // Conditions for another account do not hold: ECS cannot assume the role.
    fargate(
        &mut world,
        "elsewhere",
        &format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1"),
        None,
    );
    let refused = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "apps", "taskDefinition": "web", "launchType": "FARGATE", "networkConfiguration": network() }),
    );
    assert_eq!(
        refused.message,
        format!("ECS was unable to assume the role 'arn:aws:iam::{ACCOUNT}:role/elsewhere' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.")
    );
}

#[test]
fn the_awslogs_crash_preset_logs_requests_and_each_crashs_last_lines() {
    let scenario = ecsplay::scenario::presets::preset("awslogs-crash").unwrap();
    let mut world = ecsplay::scenario::run::run_until(&scenario, 8 * 60_000);
    // The driver made the group with the execution role's inline logs:CreateLogGroup.
    let groups = sim::ok(&mut world, "logs:DescribeLogGroups", json!({}));
    assert_eq!(groups["logGroups"][0]["logGroupName"], "/ecs/orders");
    let crashes = sim::ok(
        &mut world,
        "logs:FilterLogEvents",
        json!({ "logGroupName": "/ecs/orders", "filterPattern": "?ERROR ?FATAL" }),
    );
    let crashes = crashes["events"].as_array().unwrap();
    // The first two tasks crashed at 6 minutes: two lines each, in each one's stream.
    assert_eq!(crashes.len(), 4, "{crashes:?}");
    let stream = crashes[0]["logStreamName"].as_str().unwrap().to_string();
    assert!(stream.starts_with("ecs/orders/"), "{stream}");
    let events = sim::ok(
        &mut world,
        "logs:GetLogEvents",
        json!({ "logGroupName": "/ecs/orders", "logStreamName": stream, "startFromHead": true }),
    );
    let lines: Vec<&str> = (events["events"].as_array().unwrap().iter())
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(lines[0], "INFO orders 1.0 listening on :8080");
    assert_eq!(
        &lines[lines.len() - 2..],
        [
            "ERROR lost the connection to db.internal:5432: connection reset by peer",
            "FATAL orders exiting with status 1"
        ]
    );
    // From 2 minutes to the crash at 6:30 (6 minutes after the task started), 2 requests a
    // second each, 20 a sample: 10 lines a sample, in turn through the image's three lines.
    let requests = &lines[1..lines.len() - 2];
    assert_eq!(requests.len(), 27 * 10, "27 samples of 10 lines");
    assert_eq!(requests[0], "GET /orders 200 12ms");
    assert_eq!(requests[1], "POST /orders 201 31ms");
    assert_eq!(requests[2], "GET /orders/1042 200 8ms");
}

#[test]
fn the_missing_secret_preset_runs_once_the_parameter_exists_and_keeps_a_rotated_secret() {
    let scenario = ecsplay::scenario::presets::preset("missing-secret").unwrap();
    let api_keys = |minutes: u64| {
        let world = ecsplay::scenario::run::run_until(&scenario, minutes * 60_000);
        let mut keys: Vec<String> = (world.ecs.tasks.iter())
            .filter(|t| t.group == "service:api" && t.is_running())
            .flat_map(|t| t.containers[0].environment.iter())
            .filter(|v| v.name == "API_KEY")
            .map(|v| v.value.clone())
            .collect();
        keys.sort();
        keys
    };
    // Before the parameter: every try fails, nothing runs.
    assert!(api_keys(1).is_empty());
    // The parameter made at 90 s: the next tasks run with the secret as it was.
    assert_eq!(api_keys(4), ["first-key", "first-key"]);
    // Rotated at 6 minutes: the running tasks keep what they read.
    assert_eq!(api_keys(7), ["first-key", "first-key"]);
    // The forced deployment at 8 minutes replaces them with tasks that read the new value.
    assert_eq!(api_keys(10), ["second-key", "second-key"]);
}
