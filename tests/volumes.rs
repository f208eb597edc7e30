//! Volumes (aws-facts 9, 17.6.1): each type's launch-type rules at registration, where what a
//! container writes lands and how long it lives, EFS per zone (mount targets, NFS 2049, root
//! directories, access points, IAM authorization), and Fargate's ephemeral storage.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

const SUBNET_A: &str = "subnet-aaaaaaaaaaaaaaaaa";
const SUBNET_B: &str = "subnet-bbbbbbbbbbbbbbbbb";

fn fargate_definition(volumes: Value, container: Value) -> Value {
    let mut c = json!({ "name": "app", "image": "app:1", "essential": true });
    for (k, v) in container.as_object().unwrap() {
        c[k] = v.clone();
    }
    json!({
        "family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
        "cpu": "256", "memory": "512", "volumes": volumes, "containerDefinitions": [c],
    })
}

#[test]
fn each_volume_type_has_its_launch_type_rules() {
    let mut world = sim::world();
    let refused = |world: &mut World, definition: Value| {
        sim::err(world, "ecs:RegisterTaskDefinition", definition)
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (fargate_definition(json!([{ "name": "d", "host": { "sourcePath": "/data" } }]), json!({})), "$.volumes[0].host.sourcePath", "Fargate does not support host.sourcePath"),
        (fargate_definition(json!([{ "name": "d", "dockerVolumeConfiguration": { "scope": "task" } }]), json!({})), "$.volumes[0].dockerVolumeConfiguration", "Docker volumes are not supported on Fargate"),
        (json!({ "family": "e", "volumes": [{ "name": "d", "dockerVolumeConfiguration": { "scope": "task", "autoprovision": true } }], "containerDefinitions": [{ "name": "c", "image": "x", "memory": 64 }] }), "$.volumes[0].dockerVolumeConfiguration.autoprovision", "autoprovision is only supported"),
        (fargate_definition(json!([{ "name": "d", "efsVolumeConfiguration": { "fileSystemId": "fs-1", "rootDirectory": "/data", "transitEncryption": "ENABLED", "authorizationConfig": { "accessPointId": "fsap-1" } } }]), json!({})), "$.volumes[0].efsVolumeConfiguration.rootDirectory", "When using an EFS access point, the root directory must either be set to \"/\" or be omitted."),
        (fargate_definition(json!([{ "name": "d", "efsVolumeConfiguration": { "fileSystemId": "fs-1", "transitEncryption": "ENABLED", "authorizationConfig": { "iam": "ENABLED" } } }]), json!({})), "$.taskRoleArn", "EFS IAM authorization requires a task role."),
        (fargate_definition(json!([{ "name": "d", "efsVolumeConfiguration": { "fileSystemId": "fs-1", "authorizationConfig": { "accessPointId": "fsap-1" } } }]), json!({})), "$.volumes[0].efsVolumeConfiguration.transitEncryption", "Transit encryption must be enabled"),
        (fargate_definition(json!([{ "name": "d", "efsVolumeConfiguration": { "fileSystemId": "arn:aws:s3:::my-bucket" } }]), json!({})), "$.volumes[0].efsVolumeConfiguration.fileSystemId", "S3 is not a file system ECS mounts"),
        (json!({ "family": "e", "volumes": [{ "name": "d", "host": { "sourcePath": "s3://my-bucket/data" } }], "containerDefinitions": [{ "name": "c", "image": "x", "memory": 64 }] }), "$.volumes[0].host.sourcePath", "use the SDK"),
        (fargate_definition(json!([]), json!({ "volumesFrom": [{ "sourceContainer": "nope" }] })), "$.containerDefinitions[0].volumesFrom[0].sourceContainer", "no other container named 'nope'"),
        (fargate_definition(json!([{ "name": "d", "host": {} }]), json!({ "mountPoints": [{ "sourceVolume": "d" }] })), "$.containerDefinitions[0].mountPoints[0].containerPath", "needs a containerPath"),
    ];
    for (definition, path, message) in cases {
        let error = refused(&mut world, definition);
        assert_eq!(error.path.as_deref(), Some(path), "{error:?}");
        assert!(
            error.message.contains(message)
                || (message == "use the SDK" && error.message.contains("AWS SDK")),
            "{error:?}"
        );
    }
    // What is allowed: a bind mount without a source path on Fargate; Docker volumes on EC2.
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        fargate_definition(
            json!([{ "name": "scratch", "host": {} }]),
            json!({ "mountPoints": [{ "sourceVolume": "scratch", "containerPath": "/scratch" }] }),
        ),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "e", "volumes": [{ "name": "d", "dockerVolumeConfiguration": { "scope": "shared", "autoprovision": true, "driver": "local" } }], "containerDefinitions": [{ "name": "c", "image": "x", "memory": 64, "mountPoints": [{ "sourceVolume": "d", "containerPath": "/d" }] }] }),
    );
}

/// An EFS file system with a mount target in each of `subnets` (the default security group).
fn file_system(world: &mut World, subnets: &[&str]) -> String {
    let fs = sim::ok(
        world,
        "efs:CreateFileSystem",
        json!({ "CreationToken": "shared", "Tags": [{ "Key": "Name", "Value": "shared" }] }),
    );
    let id = fs["FileSystemId"].as_str().unwrap().to_string();
    for subnet in subnets {
        sim::ok(
            world,
            "efs:CreateMountTarget",
            json!({ "FileSystemId": id, "SubnetId": subnet }),
        );
    }
    id
}

fn efs_app(world: &mut World, fs: &str, efs: Value, task_role: Option<&str>) {
    let mut config = json!({ "fileSystemId": fs });
    for (k, v) in efs.as_object().unwrap() {
        config[k] = v.clone();
    }
    let mut definition = fargate_definition(
        json!([{ "name": "shared", "efsVolumeConfiguration": config }]),
        json!({ "mountPoints": [{ "sourceVolume": "shared", "containerPath": "/mnt/shared" }] }),
    );
    if let Some(role) = task_role {
        definition["taskRoleArn"] = json!(format!("arn:aws:iam::123456789012:role/{role}"));
    }
    sim::ok(world, "ecs:RegisterTaskDefinition", definition);
}

fn run_in(world: &mut World, subnet: &str) -> Value {
    let response = sim::ok(
        world,
        "ecs:RunTask",
        json!({ "cluster": "apps", "taskDefinition": "app", "launchType": "FARGATE",
            "networkConfiguration": { "awsvpcConfiguration": { "subnets": [subnet] } } }),
    );
    let arn = response["tasks"][0]["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::advance(world, 120_000);
    sim::describe_task(world, "apps", &arn)
}

fn writes(world: &mut World, spec: Value) {
    let mut input = json!({ "image": "app:1" });
    for (k, v) in spec.as_object().unwrap() {
        input[k] = v.clone();
    }
    sim::ok(world, "sim:SetImageBehavior", input);
}

#[test]
fn efs_is_shared_across_zones_that_have_a_mount_target() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "apps" }),
    );
    writes(
        &mut world,
        json!({ "writes": [{ "path": "/mnt/shared/visits.log", "every": "10s", "size": "1KiB" }] }),
    );
    let fs = file_system(&mut world, &[SUBNET_A]);
    efs_app(&mut world, &fs, json!({}), None);
    let a = run_in(&mut world, SUBNET_A);
    assert_eq!(a["lastStatus"], "RUNNING", "{a}");
    // No mount target in us-east-1b: the file system's name does not resolve there.
    let b = run_in(&mut world, SUBNET_B);
    assert_eq!(b["stopCode"], "TaskFailedToStart");
    assert_eq!(
        b["stoppedReason"],
        format!("ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve \"{fs}.efs.us-east-1.amazonaws.com\" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first. : unsuccessful EFS utils command execution; code: 1")
    );
    sim::ok(
        &mut world,
        "efs:CreateMountTarget",
        json!({ "FileSystemId": fs, "SubnetId": SUBNET_B }),
    );
    let targets = sim::ok(
        &mut world,
        "efs:DescribeMountTargets",
        json!({ "FileSystemId": fs }),
    );
    assert_eq!(targets["MountTargets"].as_array().unwrap().len(), 2);
    let again = sim::err(
        &mut world,
        "efs:CreateMountTarget",
        json!({ "FileSystemId": fs, "SubnetId": SUBNET_B }),
    );
    assert_eq!(
        (again.code.as_str(), again.message.as_str()),
        (
            "MountTargetConflict",
            "mount target already exists in this AZ"
        )
    );
    let b = run_in(&mut world, SUBNET_B);
    assert_eq!(b["lastStatus"], "RUNNING");
    // Both tasks append to the one file: its writers come from both zones.
    let files = ecsplay::efs::read::files(&world, &fs, "/");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "/visits.log");
    assert!(files[0].1.writes > 20, "{:?}", files[0].1);
    let described = sim::ok(
        &mut world,
        "efs:DescribeFileSystems",
        json!({ "FileSystemId": fs }),
    );
    assert_eq!(described["FileSystems"][0]["NumberOfMountTargets"], 2);
    assert_eq!(described["FileSystems"][0]["Name"], "shared");
}

#[test]
fn nfs_must_be_open_from_the_task() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "apps" }),
    );
    let group = sim::ok(
        &mut world,
        "ec2:CreateSecurityGroup",
        json!({ "GroupName": "efs", "Description": "EFS mount targets" }),
    )["GroupId"]
        .as_str()
        .unwrap()
        .to_string();
    let fs = sim::ok(
        &mut world,
        "efs:CreateFileSystem",
        json!({ "CreationToken": "locked" }),
    )["FileSystemId"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "efs:CreateMountTarget",
        json!({ "FileSystemId": fs, "SubnetId": SUBNET_A, "SecurityGroups": [group] }),
    );
    efs_app(&mut world, &fs, json!({}), None);
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(
        task["stoppedReason"],
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: Connection timed out' : unsuccessful EFS utils command execution; code: 32"
    );
    // The fix: NFS from the tasks' security group (the default one).
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": group, "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{ "GroupId": "sg-0defa017000000000" }] }] }),
    );
    assert_eq!(run_in(&mut world, SUBNET_A)["lastStatus"], "RUNNING");
}

#[test]
fn root_directories_access_points_and_iam_authorization() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "apps" }),
    );
    let fs = file_system(&mut world, &[SUBNET_A]);
    efs_app(
        &mut world,
        &fs,
        json!({ "rootDirectory": "/grafana" }),
        None,
    );
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(
        task["stoppedReason"],
        format!("ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: mounting {fs}.efs.us-east-1.amazonaws.com:/grafana failed, reason given by server: No such file or directory' : unsuccessful EFS utils command execution; code: 32")
    );
    // An access point with CreationInfo makes its root on first use.
    let point = sim::ok(
        &mut world,
        "efs:CreateAccessPoint",
        json!({ "FileSystemId": fs, "RootDirectory": { "Path": "/grafana", "CreationInfo": { "OwnerUid": 472, "OwnerGid": 472, "Permissions": "755" } } }),
    );
    let point = point["AccessPointId"].as_str().unwrap().to_string();
    writes(
        &mut world,
        json!({ "writes": [{ "path": "/mnt/shared/grafana.db" }] }),
    );
    efs_app(
        &mut world,
        &fs,
        json!({ "transitEncryption": "ENABLED", "authorizationConfig": { "accessPointId": point, "iam": "ENABLED" } }),
        Some("grafanaTaskRole"),
    );
    sim::ok(
        &mut world,
        "iam:CreateRole",
        json!({ "RoleName": "grafanaTaskRole", "AssumeRolePolicyDocument": ecsplay::iam::trust_policy_for("ecs-tasks.amazonaws.com") }),
    );
    // IAM authorization: the task role needs elasticfilesystem:ClientMount and ClientWrite.
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(
        task["stoppedReason"],
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: b'mount.nfs4: access denied by server while mounting 127.0.0.1:/grafana' : unsuccessful EFS utils command execution; code: 32"
    );
    sim::ok(
        &mut world,
        "iam:PutRolePolicy",
        json!({ "RoleName": "grafanaTaskRole", "PolicyName": "efs", "PolicyDocument": format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{fs}"}}]}}"#) }),
    );
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(task["lastStatus"], "RUNNING", "{task}");
    // The container's /mnt/shared is the access point's /grafana.
    let files = ecsplay::efs::read::files(&world, &fs, "/");
    assert_eq!(files[0].0, "/grafana/grafana.db");
}

#[test]
fn a_bind_mount_with_a_source_path_lives_on_the_instance_and_dies_with_it() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    writes(
        &mut world,
        json!({ "writes": [{ "path": "/var/log/app/app.log", "every": "10s" }, { "path": "/tmp/scratch", "size": "10MiB" }] }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({
            "family": "app",
            "volumes": [{ "name": "logs", "host": { "sourcePath": "/ecs/app-logs" } }],
            "containerDefinitions": [{ "name": "app", "image": "app:1", "memory": 128,
                "mountPoints": [{ "sourceVolume": "logs", "containerPath": "/var/log/app" }] }],
        }),
    );
    let run = |world: &mut World| {
        let r = sim::ok(
            world,
            "ecs:RunTask",
            json!({ "cluster": "demo", "taskDefinition": "app" }),
        );
        let arn = r["tasks"][0]["taskArn"].as_str().unwrap().to_string();
        sim::advance(world, 60_000);
        arn
    };
    let first = run(&mut world);
    let host = |world: &World| world.ecs.container_instances[0].host_files.0.clone();
    assert_eq!(
        host(&world).keys().collect::<Vec<_>>(),
        ["/ecs/app-logs/app.log"]
    );
    let task = world.ecs.tasks.iter().find(|t| t.arn == first).unwrap();
    assert_eq!(
        task.files.0.keys().collect::<Vec<_>>(),
        ["app:/tmp/scratch"],
        "the writable layer is the task's own"
    );
    sim::ok(
        &mut world,
        "ecs:StopTask",
        json!({ "cluster": "demo", "task": first }),
    );
    sim::advance(&mut world, 60_000);
    let before = host(&world)["/ecs/app-logs/app.log"].writes;
    // A new task on the same instance appends to what the first one wrote.
    run(&mut world);
    assert!(host(&world)["/ecs/app-logs/app.log"].writes > before);
    let ec2_id = world.ecs.container_instances[0].ec2_instance_id.clone();
    sim::ok(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": [ec2_id] }),
    );
    sim::advance(&mut world, 120_000);
    assert!(host(&world).is_empty(), "gone with the instance");
}

#[test]
fn a_sidecar_shares_the_apps_volume_through_volumes_from() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "apps" }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "app:1", "writes": [{ "path": "/var/log/app/access.log", "every": "10s" }] }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "shipper:1", "writes": [{ "path": "/var/log/app/.shipped", "every": "30s" }] }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({
            "family": "app", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
            "volumes": [{ "name": "logs", "host": {} }],
            "containerDefinitions": [
                { "name": "app", "image": "app:1", "mountPoints": [{ "sourceVolume": "logs", "containerPath": "/var/log/app" }] },
                { "name": "shipper", "image": "shipper:1", "essential": false, "volumesFrom": [{ "sourceContainer": "app" }] },
            ],
        }),
    );
    let task = run_in(&mut world, SUBNET_A);
    let t = world
        .ecs
        .tasks
        .iter()
        .find(|t| t.arn == task["taskArn"])
        .unwrap();
    // One volume, seen by both containers: the task's own storage.
    assert_eq!(
        t.files.0.keys().collect::<Vec<_>>(),
        ["logs:/.shipped", "logs:/access.log"]
    );
    let arn = task["taskArn"].as_str().unwrap().to_string();
    sim::ok(
        &mut world,
        "ecs:StopTask",
        json!({ "cluster": "apps", "task": arn }),
    );
    sim::advance(&mut world, 120_000);
    let gone = sim::describe_task(&mut world, "apps", &arn);
    assert_eq!(gone["lastStatus"], "STOPPED");
}

#[test]
fn fargate_ephemeral_storage_holds_the_image_and_the_writes() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "apps" }),
    );
    sim::ok(
        &mut world,
        "logs:CreateLogGroup",
        json!({ "logGroupName": "/ecs/app" }),
    );
    // The image alone is larger than the default 20 GiB.
    writes(&mut world, json!({ "imageSize": "21GiB" }));
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        fargate_definition(json!([]), json!({})),
    );
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(task["stopCode"], "TaskFailedToStart");
    assert!(task["stoppedReason"]
        .as_str()
        .unwrap()
        .starts_with("CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob"));
    assert!(task["stoppedReason"]
        .as_str()
        .unwrap()
        .ends_with(": no space left on device"));
    // A 15 GiB image and 3 GiB written each minute: the third write does not fit.
    writes(
        &mut world,
        json!({ "imageSize": "15GiB", "writes": [{ "path": "/cache/blob", "every": "1m", "size": "3GiB" }] }),
    );
    let mut definition = fargate_definition(
        json!([]),
        json!({ "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs" } } }),
    );
    definition["executionRoleArn"] = json!("arn:aws:iam::123456789012:role/ecsTaskExecutionRole");
    sim::ok(&mut world, "ecs:RegisterTaskDefinition", definition.clone());
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(task["lastStatus"], "STOPPED");
    assert_eq!(task["stopCode"], "EssentialContainerExited");
    assert_eq!(task["containers"][0]["exitCode"], 1);
    let id = task["taskArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let events = sim::ok(
        &mut world,
        "logs:GetLogEvents",
        json!({ "logGroupName": "/ecs/app", "logStreamName": format!("ecs/app/{id}") }),
    );
    assert_eq!(
        events["events"].as_array().unwrap().last().unwrap()["message"],
        "write /cache/blob: no space left on device"
    );
    // The fix: more ephemeral storage (21-200 GiB).
    definition["ephemeralStorage"] = json!({ "sizeInGiB": 30 });
    sim::ok(&mut world, "ecs:RegisterTaskDefinition", definition);
    let task = run_in(&mut world, SUBNET_A);
    assert_eq!(task["lastStatus"], "RUNNING");
}
