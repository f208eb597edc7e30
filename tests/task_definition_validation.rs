//! RegisterTaskDefinition validation (aws-facts section 1): a table of valid documents, and of
//! invalid ones with the exception, the JSON path and the message ECS gives. A refused
//! definition registers nothing.

mod sim;

use serde_json::{json, Value};

fn fargate(extra: Value) -> Value {
    let mut base = json!({
        "family": "api",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [{ "name": "api", "image": "public.ecr.aws/nginx/nginx:1.27", "essential": true,
                                   "portMappings": [{ "containerPort": 80 }] }],
    });
    merge(&mut base, extra);
    base
}

fn ec2(extra: Value) -> Value {
    let mut base = json!({
        "family": "web",
        "containerDefinitions": [{ "name": "web", "image": "nginx:1.27", "memory": 256 }],
    });
    merge(&mut base, extra);
    base
}

/// Overlays `extra` on `base`; a `null` removes the field.
fn merge(base: &mut Value, extra: Value) {
    for (key, value) in extra.as_object().unwrap() {
        if value.is_null() {
            base.as_object_mut().unwrap().remove(key);
        } else {
            base[key] = value.clone();
        }
    }
}

#[test]
fn valid_definitions_register_with_counting_revisions() {
    let valid = [
        ec2(json!({})),
        ec2(json!({ "cpu": "1 vCPU", "memory": "2GB" })),
        ec2(
            json!({ "networkMode": "host", "containerDefinitions": [{ "name": "a", "image": "x", "memoryReservation": 64, "portMappings": [{ "containerPort": 80, "hostPort": 80 }] }] }),
        ),
        ec2(
            json!({ "networkMode": "none", "memory": "512", "containerDefinitions": [{ "name": "batch", "image": "x" }] }),
        ),
        ec2(json!({ "containerDefinitions": [
            { "name": "app", "image": "x", "memory": 300, "memoryReservation": 128, "links": ["log:log"] },
            { "name": "log", "image": "y", "memory": 64, "essential": false } ] })),
        fargate(json!({})),
        fargate(json!({ "cpu": "1024", "memory": "8192" })),
        fargate(json!({ "cpu": "8192", "memory": "61440" })),
        fargate(json!({ "cpu": "16 vCPU", "memory": "120 GB" })),
        fargate(
            json!({ "ephemeralStorage": { "sizeInGiB": 200 }, "runtimePlatform": { "cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX" } }),
        ),
        fargate(json!({ "requiresCompatibilities": ["EC2", "FARGATE"] })),
        fargate(
            json!({ "containerDefinitions": [{ "name": "api", "image": "nginx", "logConfiguration": {
            "logDriver": "awslogs", "options": { "awslogs-group": "/ecs/api", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "api" } } }] }),
        ),
        fargate(
            json!({ "containerDefinitions": [{ "name": "api", "image": "nginx", "healthCheck": {
            "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 5, "timeout": 2, "retries": 10, "startPeriod": 300 } }] }),
        ),
    ];
    let mut world = sim::world();
    let mut web_revisions = 0;
    for (n, definition) in valid.iter().enumerate() {
        let response = world
            .apply("ecs:RegisterTaskDefinition", definition)
            .unwrap_or_else(|e| panic!("valid definition {n} refused: {e}"));
        let family = definition["family"].as_str().unwrap();
        if family == "web" {
            web_revisions += 1;
            assert_eq!(
                response["taskDefinition"]["revision"], web_revisions,
                "definition {n}"
            );
        }
        assert_eq!(response["taskDefinition"]["status"], "ACTIVE");
    }
    let described = sim::ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web" }),
    );
    assert_eq!(
        described["taskDefinition"]["revision"], web_revisions,
        "a bare family is its latest revision"
    );
    assert_eq!(
        described["taskDefinition"]["taskDefinitionArn"],
        format!("arn:aws:ecs:us-east-1:123456789012:task-definition/web:{web_revisions}")
    );
}

/// (definition, exception, JSON path, part of the message)
fn invalid_cases() -> Vec<(Value, &'static str, &'static str, &'static str)> {
    vec![
        (fargate(json!({ "memory": "4096" })), "ClientException", "$.memory", "Invalid 'cpu' setting for task."),
        (fargate(json!({ "cpu": "300" })), "ClientException", "$.cpu", "Invalid 'cpu' setting for task."),
        (fargate(json!({ "cpu": "8192", "memory": "20000" })), "ClientException", "$.memory", "Invalid 'cpu' setting for task."),
        (fargate(json!({ "cpu": null })), "ClientException", "$.cpu", "Fargate requires that 'cpu' be defined at the task level."),
        (fargate(json!({ "networkMode": "bridge" })), "ClientException", "$.networkMode", "Fargate only supports network mode 'awsvpc'."),
        (fargate(json!({ "networkMode": null })), "ClientException", "$.networkMode", "Fargate only supports network mode 'awsvpc'."),
        (fargate(json!({ "ipcMode": "host" })), "ClientException", "$.ipcMode", "Tasks using the Fargate launch type do not support ipcMode."),
        (fargate(json!({ "pidMode": "host" })), "ClientException", "$.pidMode", "do not support pidMode 'host'"),
        (fargate(json!({ "ephemeralStorage": { "sizeInGiB": 20 } })), "ClientException", "$.ephemeralStorage.sizeInGiB", "between 21 and 200 GiB"),
        (fargate(json!({ "placementConstraints": [{ "type": "memberOf", "expression": "attribute:stack == prod" }] })),
            "ClientException", "$.placementConstraints", "not supported for tasks using the Fargate launch type"),
        (fargate(json!({ "containerDefinitions": [{ "name": "api", "image": "nginx", "logConfiguration": { "logDriver": "json-file" } }] })),
            "ClientException", "$.containerDefinitions[0].logConfiguration.logDriver", "not supported on Fargate"),
        (fargate(json!({ "executionRoleArn": null, "containerDefinitions": [{ "name": "api", "image": "nginx", "logConfiguration": {
            "logDriver": "awslogs", "options": { "awslogs-group": "g", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "p" } } }] })),
            "ClientException", "$.executionRoleArn", "Fargate requires task definition to have execution role ARN to support log driver awslogs."),
        (fargate(json!({ "executionRoleArn": null, "containerDefinitions": [{ "name": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1" }] })),
            "ClientException", "$.executionRoleArn", "Fargate requires task definition to have execution role ARN to support ECR images."),
        (fargate(json!({ "containerDefinitions": [{ "name": "api", "image": "nginx", "portMappings": [{ "containerPort": 80, "hostPort": 8080 }] }] })),
            "ClientException", "$.containerDefinitions[0].portMappings[0].hostPort", "When networkMode=awsvpc, the host ports and container ports in port mappings must match."),
        (fargate(json!({ "containerDefinitions": [{ "name": "api", "image": "nginx", "hostname": "api" }] })),
            "ClientException", "$.containerDefinitions[0].hostname", "hostname is not supported on container when networkMode=awsvpc."),
        (fargate(json!({ "containerDefinitions": [{ "name": "api", "image": "nginx", "stopTimeout": 121 }] })),
            "ClientException", "$.containerDefinitions[0].stopTimeout", "maximum is 120 seconds"),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "nginx" }] })),
            "ClientException", "$.containerDefinitions[0]", "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128, "memoryReservation": 256 }] })),
            "ClientException", "$.containerDefinitions[0].memoryReservation", "'memory' must be greater than or equal to the value for 'memoryReservation'"),
        (ec2(json!({ "containerDefinitions": [] })), "ClientException", "$.containerDefinitions", "Container list cannot be empty."),
        (ec2(json!({ "containerDefinitions": (0..11).map(|n| json!({ "name": format!("c{n}"), "image": "x", "memory": 8 })).collect::<Vec<_>>() })),
            "ClientException", "$.containerDefinitions", "at most 10"),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "essential": false }] })),
            "ClientException", "$.containerDefinitions", "All tasks must have at least one essential container."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64 }, { "name": "web", "image": "y", "memory": 64 }] })),
            "ClientException", "$.containerDefinitions[1].name", "Duplicate container name 'web'"),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "memory": 64 }] })),
            "ClientException", "$.containerDefinitions[0].image", "Container.image should not be null or empty."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "portMappings": [{ "containerPort": 70000 }] }] })),
            "ClientException", "$.containerDefinitions[0].portMappings[0].containerPort", "Invalid 'containerPort' setting for container 'web'."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "portMappings": [{ "containerPort": 53 }, { "containerPort": 53, "protocol": "udp" }] }] })),
            "ClientException", "$.containerDefinitions[0].portMappings[1].protocol", "same container port (53) for multiple protocols"),
        (ec2(json!({ "networkMode": "none", "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "portMappings": [{ "containerPort": 80 }] }] })),
            "ClientException", "$.containerDefinitions[0].portMappings", "networkMode=none"),
        (ec2(json!({ "networkMode": "host", "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "portMappings": [{ "containerPort": 80, "hostPort": 81 }] }] })),
            "ClientException", "$.containerDefinitions[0].portMappings[0].hostPort", "When networkMode=host"),
        (ec2(json!({ "networkMode": "awsvpc", "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "links": ["db"] }] })),
            "ClientException", "$.containerDefinitions[0].links", "links are supported only when networkMode=bridge"),
        (ec2(json!({ "cpu": "64" })), "ClientException", "$.cpu", "between 128 and 196608"),
        (ec2(json!({ "memory": "128", "containerDefinitions": [{ "name": "web", "image": "x", "memory": 256 }] })),
            "ClientException", "$.memory", "greater than the task memory"),
        (ec2(json!({ "family": "my app" })), "ClientException", "$.family", "letters (uppercase and lowercase), numbers, underscores, and hyphens"),
        (ec2(json!({ "family": "x".repeat(256) })), "ClientException", "$.family", "1-255 characters"),
        (ec2(json!({ "placementConstraints": [{ "type": "distinctInstance" }] })),
            "ClientException", "$.placementConstraints[0].type", "only placement constraints of type memberOf"),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "{{image}}", "memory": 64 }] })),
            "ClientException", "$.containerDefinitions[0].image", "Container.image contains invalid characters."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "<IMAGE>", "memory": 64 }] })),
            "ClientException", "$.containerDefinitions[0].image", "Container.image contains invalid characters."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "${repo}:latest", "memory": 64 }] })),
            "ClientException", "$.containerDefinitions[0].image", "Container.image contains invalid characters."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "healthCheck": { "command": ["CMD", "true"], "interval": 4 } }] })),
            "ClientException", "$.containerDefinitions[0].healthCheck.interval", "between 5 and 300"),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "mountPoints": [{ "sourceVolume": "data", "containerPath": "/data" }] }] })),
            "ClientException", "$.containerDefinitions[0].mountPoints[0].sourceVolume", "Unknown volume 'data'."),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": 64, "dependsOn": [{ "containerName": "db", "condition": "START" }] }] })),
            "ClientException", "$.containerDefinitions[0].dependsOn[0].containerName", "no container named 'db'"),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x", "memory": "64" }] })),
            "ParamValidationError", "$.containerDefinitions[0].memory",
            "Invalid type for parameter containerDefinitions[0].memory, value: 64, type: <class 'str'>, valid types: <class 'int'>"),
        (ec2(json!({ "cpu": 256 })), "ParamValidationError", "$.cpu",
            "Invalid type for parameter cpu, value: 256, type: <class 'int'>, valid types: <class 'str'>"),
        (ec2(json!({ "familly": "web" })), "ParamValidationError", "$.familly", "Unknown parameter in input: \"familly\", must be one of: family, "),
        (json!({ "containerDefinitions": [] }), "ParamValidationError", "$", "Missing required parameter in input: \"family\""),
        (ec2(json!({ "containerDefinitions": [{ "name": "web", "image": "x".repeat(70_000), "memory": 64 }] })),
            "ClientException", "$", "exceeds the limit of 64 KiB"),
    ]
}

#[test]
fn invalid_definitions_are_refused_with_aws_errors_and_paths() {
    let mut world = sim::world();
    for (n, (definition, code, path, message)) in invalid_cases().into_iter().enumerate() {
        let err = world
            .apply("ecs:RegisterTaskDefinition", &definition)
            .err()
            .unwrap_or_else(|| panic!("invalid definition {n} was registered: {definition}"));
        assert_eq!(err.code, code, "case {n}: {err}");
        assert_eq!(err.path.as_deref(), Some(path), "case {n}: {err}");
        assert!(
            err.message.contains(message),
            "case {n}: {:?} should contain {message:?}",
            err.message
        );
    }
    let listed = sim::ok(&mut world, "ecs:ListTaskDefinitions", json!({}));
    assert_eq!(
        listed["taskDefinitionArns"],
        json!([]),
        "refused definitions register nothing"
    );
}

#[test]
fn describe_output_pastes_back_in() {
    let mut world = sim::world();
    sim::ok(&mut world, "ecs:RegisterTaskDefinition", fargate(json!({})));
    let described = sim::ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "api:1" }),
    );
    // The whole output of describe-task-definition, and its inner taskDefinition, both register.
    let again = sim::ok(&mut world, "ecs:RegisterTaskDefinition", described.clone());
    assert_eq!(again["taskDefinition"]["revision"], 2);
    let inner = described["taskDefinition"].clone();
    let third = sim::ok(&mut world, "ecs:RegisterTaskDefinition", inner);
    assert_eq!(third["taskDefinition"]["revision"], 3);
    assert_eq!(
        third["taskDefinition"]["compatibilities"],
        json!(["EC2", "FARGATE"])
    );
}

#[test]
fn deregistered_revisions_are_inactive_and_bare_family_skips_them() {
    let mut world = sim::world();
    for _ in 0..2 {
        sim::ok(&mut world, "ecs:RegisterTaskDefinition", ec2(json!({})));
    }
    let gone = sim::ok(
        &mut world,
        "ecs:DeregisterTaskDefinition",
        json!({ "taskDefinition": "web:2" }),
    );
    assert_eq!(gone["taskDefinition"]["status"], "INACTIVE");
    let latest = sim::ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web" }),
    );
    assert_eq!(latest["taskDefinition"]["revision"], 1);
    let active = sim::ok(
        &mut world,
        "ecs:ListTaskDefinitions",
        json!({ "familyPrefix": "we" }),
    );
    assert_eq!(active["taskDefinitionArns"].as_array().unwrap().len(), 1);
    let inactive = sim::ok(
        &mut world,
        "ecs:ListTaskDefinitions",
        json!({ "status": "INACTIVE" }),
    );
    assert_eq!(
        inactive["taskDefinitionArns"][0],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2"
    );
    let missing = sim::err(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web:9" }),
    );
    assert_eq!(
        (missing.code.as_str(), missing.path.as_deref()),
        ("ClientException", Some("$.taskDefinition"))
    );
}

/// What real task definitions showed ECS takes (issue 18 item 5): memory equal to
/// memoryReservation, a health-check command without CMD or CMD-SHELL, images with digests,
/// and task sizes with units, kept as the integer strings DescribeTaskDefinition returns;
/// `requiresAttributes` computed for the features the model knows.
#[test]
fn what_ecs_takes_from_real_definitions_registers_and_describes_as_ecs_does() {
    let mut world = sim::world();
    let registered = sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        ec2(json!({
            "cpu": "1 vCPU", "memory": ".5 GB",
            "taskRoleArn": "arn:aws:iam::123456789012:role/app",
            "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "containerDefinitions": [
                { "name": "web", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:0123456789abcdef",
                  "memory": 256, "memoryReservation": 256,
                  "healthCheck": { "command": ["curl -f http://localhost/ || exit 1"] },
                  "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web" } } },
            ],
        })),
    )["taskDefinition"]
        .clone();
    assert_eq!(
        (registered["cpu"].as_str(), registered["memory"].as_str()),
        (Some("1024"), Some("512"))
    );
    let mut names: Vec<&str> = (registered["requiresAttributes"].as_array().unwrap().iter())
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "com.amazonaws.ecs.capability.ecr-auth",
            "com.amazonaws.ecs.capability.logging-driver.awslogs",
            "com.amazonaws.ecs.capability.task-iam-role",
            "ecs.capability.container-health-check",
            "ecs.capability.execution-role-awslogs",
            "ecs.capability.execution-role-ecr-pull",
        ]
    );
    let described = sim::ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web" }),
    )["taskDefinition"]
        .clone();
    assert_eq!(described["cpu"], "1024");
    assert_eq!(
        described["requiresAttributes"],
        registered["requiresAttributes"]
    );
    // Lower-case units too.
    let small = sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        ec2(json!({ "cpu": "0.25 VCPU", "memory": "1 gb" })),
    )["taskDefinition"]
        .clone();
    assert_eq!(
        (small["cpu"].as_str(), small["memory"].as_str()),
        (Some("256"), Some("1024"))
    );
}
