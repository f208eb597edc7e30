//! Inputs that once panicked, hung or grew without bound, each with the input that found it:
//! every one now gets a clear AWS-style refusal (or a bounded, correct run), and a refusal
//! changes nothing.

#![cfg(not(target_arch = "wasm32"))]

mod sim;

use ecsplay::engine::LogRecord;
use ecsplay::scenario::{Scenario, ScenarioError};
use ecsplay::world::World;
use serde_json::{json, Value};
use sim::{advance, cluster, err, ok, world};

/// A refused request leaves the world as it was: the same describe output before and after.
#[track_caller]
fn refused_unchanged(world: &mut World, action: &str, input: Value) -> ecsplay::engine::ApiError {
    let before = world.describe_all();
    let log_before = world.log().len();
    let error = err(world, action, input);
    assert_eq!(world.describe_all(), before, "{action} changed the world");
    assert_eq!(world.log().len(), log_before, "{action} logged");
    error
}

#[test]
fn user_data_that_is_only_padding_is_plain_text() {
    let mut world = world();
    ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "default" }),
    );
    for user_data in ["====", "A===", "AB=C", "="] {
        let response = ok(
            &mut world,
            "ec2:RunInstances",
            json!({ "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1,
                    "IamInstanceProfile": { "Name": "ecsInstanceRole" }, "UserData": user_data }),
        );
        assert_eq!(response["Instances"].as_array().unwrap().len(), 1);
    }
    advance(&mut world, 60_000);
    // Not base64, so read as a script naming no cluster: the agents join `default`.
    let state = world.describe_all();
    assert_eq!(state["containerInstances"].as_array().unwrap().len(), 4);
}

fn two_big_containers(memory: i64) -> Value {
    json!({
        "family": "huge",
        "containerDefinitions": [
            { "name": "a", "image": "a", "memory": memory },
            { "name": "b", "image": "b", "memory": memory },
        ],
    })
}

#[test]
fn container_memory_beyond_ecs_integers_is_refused() {
    let mut world = world();
    for memory in [2_147_483_648_i64, 4_294_967_295] {
        let error = refused_unchanged(
            &mut world,
            "ecs:RegisterTaskDefinition",
            two_big_containers(memory),
        );
        assert_eq!(error.code, "ClientException");
        assert_eq!(error.message, "Invalid 'memory' setting for container 'a'.");
        assert_eq!(
            error.path.as_deref(),
            Some("$.containerDefinitions[0].memory")
        );
    }
    // Each within ECS's Integer, together over it: the sum is refused, not wrapped.
    let error = refused_unchanged(
        &mut world,
        "ecs:RegisterTaskDefinition",
        two_big_containers(2_147_483_647),
    );
    assert_eq!(error.code, "ClientException");
    assert!(
        error.message.contains("adds up to 4294967294 MiB"),
        "{}",
        error.message
    );
    assert_eq!(error.path.as_deref(), Some("$.containerDefinitions"));
}

#[test]
fn a_task_as_large_as_ecs_allows_does_not_fit_a_micro_instance() {
    let mut world = world();
    cluster(&mut world, "default", "t3.micro", &["us-east-1a"], 1);
    ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "big", "containerDefinitions": [
            { "name": "a", "image": "a", "memory": 1_073_741_823 },
            { "name": "b", "image": "b", "memory": 1_073_741_824 },
        ]}),
    );
    let response = ok(
        &mut world,
        "ecs:RunTask",
        json!({ "taskDefinition": "big", "count": 10 }),
    );
    assert_eq!(response["tasks"].as_array().unwrap().len(), 0);
    assert_eq!(response["failures"][0]["reason"], "RESOURCE:MEMORY");
}

#[test]
fn image_behavior_numbers_have_the_duration_limit() {
    let mut world = world();
    for field in ["exitAfter", "startupTime"] {
        let mut input = json!({ "image": "web:v2" });
        input[field] = json!(18_446_744_073_709_551_615_u64);
        let error = refused_unchanged(&mut world, "sim:SetImageBehavior", input);
        assert_eq!(error.code, "InvalidParameterException");
        assert_eq!(error.path.as_deref(), Some(format!("$.{field}").as_str()));
        assert!(
            error.message.contains("limit of 366 days"),
            "{}",
            error.message
        );
        // The same number of days as a string meets the same rule.
        let mut input = json!({ "image": "web:v2" });
        input[field] = json!("367d");
        assert_eq!(
            err(&mut world, "sim:SetImageBehavior", input).message,
            "duration \"367d\" is longer than the limit of 366 days"
        );
    }
    let mut input = json!({ "image": "web:v2" });
    input["exitAfter"] = json!(366 * 86_400_000_u64);
    ok(&mut world, "sim:SetImageBehavior", input);
}

#[test]
fn start_task_refuses_an_instance_named_twice() {
    let mut world = world();
    cluster(&mut world, "default", "t3.micro", &["us-east-1a"], 1);
    ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "nginx",
                "memory": 128, "portMappings": [{ "containerPort": 80, "hostPort": 80 }] }] }),
    );
    let instance = world.describe_all()["containerInstances"][0]["containerInstanceArn"]
        .as_str()
        .unwrap()
        .to_string();
    let error = refused_unchanged(
        &mut world,
        "ecs:StartTask",
        json!({ "taskDefinition": "web", "containerInstances": [instance, instance] }),
    );
    assert_eq!(error.code, "InvalidParameterException");
    assert_eq!(error.path.as_deref(), Some("$.containerInstances[1]"));
    let response = ok(
        &mut world,
        "ecs:StartTask",
        json!({ "taskDefinition": "web", "containerInstances": [instance] }),
    );
    assert_eq!(response["tasks"].as_array().unwrap().len(), 1);
}

fn scenario_with(field: &str, value: &str) -> String {
    format!(r#"{{ "format": 1, "name": "x", "{field}": "{value}", "steps": [] }}"#)
}

#[test]
fn scenario_start_years_region_and_account_are_bounded() {
    for start in [
        "99999999999-01-01T00:00:00Z",
        "292278994-08-17T07:12:55Z",
        "1969-12-31T23:59:59Z",
        "10000-01-01T00:00:00Z",
    ] {
        let error = Scenario::parse(&scenario_with("start", start)).unwrap_err();
        assert!(
            matches!(&error, ScenarioError::Invalid { path, .. } if path == "$.start"),
            "{start}: {error}"
        );
    }
    let last = Scenario::parse(&scenario_with("start", "9999-12-31T23:59:59Z")).unwrap();
    let mut world = World::from_scenario(&last);
    world.advance_by(366 * 86_400_000);
    assert_eq!(world.iso(world.now()), "10000-12-31T23:59:59.000Z");

    for region in ["", "a", "US-EAST-1", "us-east", "us-east-1-"] {
        let error = Scenario::parse(&scenario_with("region", region)).unwrap_err();
        assert!(
            matches!(&error, ScenarioError::Invalid { path, .. } if path == "$.region"),
            "{region:?}: {error}"
        );
    }
    Scenario::parse(&scenario_with("region", "us-gov-west-1")).unwrap();
    let error = Scenario::parse(&scenario_with("account", "12345")).unwrap_err();
    assert!(matches!(&error, ScenarioError::Invalid { path, .. } if path == "$.account"));
}

fn agent_failures(world: &World) -> Vec<(String, String)> {
    world
        .log()
        .iter()
        .filter_map(|r| match r {
            LogRecord::Failed { action, error, .. }
                if action.starts_with("ecs:RegisterContainerInstance") =>
            {
                Some((action.clone(), error.message.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn agent_attributes_follow_the_put_attributes_rules() {
    let long = "a".repeat(600_000);
    for attributes in [
        json!({ "long": long }),
        json!({ "ecs.instance-type": "fake" }),
        json!({ "": "x" }),
        json!({ "stack": " prod" }),
    ] {
        let mut world = world();
        ok(
            &mut world,
            "ecs:CreateCluster",
            json!({ "clusterName": "demo" }),
        );
        let request = ecsplay::ec2::run_instances_request(
            "t3.micro",
            1,
            "us-east-1a",
            "demo",
            attributes.as_object().unwrap(),
        );
        ok(&mut world, "ec2:RunInstances", request);
        advance(&mut world, 10 * 60_000);
        assert_eq!(
            world.describe_all()["containerInstances"],
            json!([]),
            "{attributes:.40}"
        );
        let failures = agent_failures(&world);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0]
            .1
            .starts_with("ECS_INSTANCE_ATTRIBUTES: attribute "));
        assert!(
            failures[0].1.len() < 600,
            "the message quotes at most 128 characters"
        );
    }
}

#[test]
fn an_agent_without_its_cluster_backs_off_and_logs_little() {
    let mut world = world();
    let request = ecsplay::ec2::run_instances_request(
        "t3.micro",
        1_000,
        "us-east-1a",
        "nowhere",
        &Default::default(),
    );
    ok(&mut world, "ec2:RunInstances", request);
    world.advance_by(24 * 3_600_000);
    let failures = agent_failures(&world);
    // Retries at 1, 2, 4, 8, 16 and then every 30 minutes make 52 failures a day per agent;
    // the log keeps the 1st, 2nd, 4th, 8th, 16th and 32nd.
    assert_eq!(failures.len(), 6 * 1_000);
    assert!(failures
        .iter()
        .any(|(action, _)| action.ends_with(", attempt 32)")));
    assert!(failures.iter().all(|(_, m)| m == "Cluster not found."));
    // The cluster appears: every agent joins at its next retry, within 30 minutes.
    ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "nowhere" }),
    );
    world.advance_by(30 * 60_000);
    assert_eq!(
        world.describe_all()["containerInstances"]
            .as_array()
            .unwrap()
            .len(),
        1_000
    );
}

#[test]
fn instances_beyond_the_account_quota_are_refused_before_anything_is_queued() {
    let mut world = world();
    let launch = json!({ "InstanceType": "t3.micro", "MinCount": 1_000, "MaxCount": 1_000 });
    for _ in 0..ecsplay::ec2::INSTANCES_PER_ACCOUNT_MAX / 1_000 {
        ok(&mut world, "ec2:RunInstances", launch.clone());
    }
    let error = refused_unchanged(&mut world, "ec2:RunInstances", launch);
    assert_eq!(error.code, "InstanceLimitExceeded");
    assert!(error
        .message
        .starts_with("You have requested more instances (21000)"));
    // MaxCount beyond what is left launches what is left, as EC2 does.
    let ids: Vec<String> = world.ec2_instances_json()[..5]
        .iter()
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect();
    ok(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": ids }),
    );
    let response = ok(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 10 }),
    );
    assert_eq!(response["Instances"].as_array().unwrap().len(), 5);
}

#[test]
fn costly_patterns_are_refused_with_the_limit() {
    let mut world = world();
    cluster(&mut world, "default", "t3.micro", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx", 0, 128);
    let costly = "attribute:x =~ (?:a|b|c|d|e|f|g|h){20000}";
    for _ in 0..10 {
        let constraints: Vec<Value> = (0..10)
            .map(|_| json!({ "type": "memberOf", "expression": costly }))
            .collect();
        let error = refused_unchanged(
            &mut world,
            "ecs:RunTask",
            json!({ "taskDefinition": "web", "placementConstraints": constraints }),
        );
        assert_eq!(error.code, "InvalidParameterException");
        assert!(
            error.message.contains("more than the limit of 256 KiB"),
            "{}",
            error.message
        );
    }
}

#[test]
fn empty_ids_and_dry_runs_say_where() {
    let mut world = world();
    cluster(&mut world, "default", "t3.micro", &["us-east-1a"], 1);
    let error = refused_unchanged(
        &mut world,
        "ecs:PutAttributes",
        json!({ "attributes": [{ "name": "stack", "value": "prod", "targetId": "" }] }),
    );
    assert_eq!(error.path.as_deref(), Some("$.attributes[0].targetId"));
    assert!(!error.message.contains("Could not find ."));
    let error = refused_unchanged(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "DryRun": true }),
    );
    assert_eq!(error.code, "DryRunOperation");
    assert_eq!(error.path.as_deref(), Some("$.DryRun"));
    let error = refused_unchanged(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [
            { "name": "web", "image": "nginx", "memory": 128, "stopTimeout": -1 }] }),
    );
    assert_eq!(
        error.message,
        "Invalid 'stopTimeout' setting for container 'web'. The value must be 0 or more seconds."
    );
}

#[test]
fn wrong_types_and_unknown_fields_speak_as_the_cli() {
    let mut world = world();
    ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "default" }),
    );
    sim::register(&mut world, "web", "nginx", 0, 128);
    let cases = [
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "desiredCount": "two" }),
            "Invalid type for parameter desiredCount, value: two, type: <class 'str'>, valid types: <class 'int'>",
            "$.desiredCount",
        ),
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "desiredCount": 2.5 }),
            "Invalid type for parameter desiredCount, value: 2.5, type: <class 'float'>, valid types: <class 'int'>",
            "$.desiredCount",
        ),
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "placementConstraints": [{ "type": "memberOf", "expression": 5 }] }),
            "Invalid type for parameter placementConstraints[0].expression, value: 5, type: <class 'int'>, valid types: <class 'str'>",
            "$.placementConstraints[0].expression",
        ),
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "placementConstraints": "none" }),
            "Invalid type for parameter placementConstraints, value: none, type: <class 'str'>, valid types: <class 'list'>, <class 'tuple'>",
            "$.placementConstraints",
        ),
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "deploymentConfiguration": { "maximumPercent": true } }),
            "Invalid type for parameter deploymentConfiguration.maximumPercent, value: True, type: <class 'bool'>, valid types: <class 'int'>",
            "$.deploymentConfiguration.maximumPercent",
        ),
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "foo": 1 }),
            "Unknown parameter in input: \"foo\", must be one of: ",
            "$.foo",
        ),
        (
            json!({ "serviceName": "web", "taskDefinition": "web", "deploymentConfiguration": { "bar": 1 } }),
            "Unknown parameter in deploymentConfiguration: \"bar\", must be one of: ",
            "$.deploymentConfiguration.bar",
        ),
        (
            json!({ "taskDefinition": "web" }),
            "Missing required parameter in input: \"serviceName\"",
            "$",
        ),
    ];
    for (input, message, path) in cases {
        let error = refused_unchanged(&mut world, "ecs:CreateService", input.clone());
        assert_eq!(error.code, "ParamValidationError", "{input}");
        assert!(
            error.message.starts_with(message),
            "{input}\n{}\n{message}",
            error.message
        );
        assert_eq!(error.path.as_deref(), Some(path), "{input}");
        for rust in ["i64", "u32", "struct", "enum", "expected", "`"] {
            assert!(!error.message.contains(rust), "{}", error.message);
        }
    }
    let error = err(
        &mut world,
        "ecs:CreateService",
        json!({ "serviceName": "web", "taskDefinition": "web", "foo": 1 }),
    );
    assert!(error
        .message
        .contains("must be one of: cluster, serviceName, taskDefinition, "));
    assert!(error.message.contains(", enableECSManagedTags, "));
    // AWS's own spelling of the field is taken as it is.
    ok(
        &mut world,
        "ecs:CreateService",
        json!({ "serviceName": "tagged", "taskDefinition": "web", "desiredCount": 0, "enableECSManagedTags": true }),
    );
}

#[track_caller]
fn scenario_error(text: &str) -> (usize, usize, String) {
    match Scenario::parse(text) {
        Err(ScenarioError::Syntax {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("{text:.60}: {other:?}"),
    }
}

#[test]
fn scenario_files_are_refused_in_plain_words() {
    assert_eq!(
        scenario_error(""),
        (
            1,
            1,
            "the text ends where a value should be (is it empty?)".into()
        )
    );
    let (line, column, message) = scenario_error("\u{feff}{\"format\": 1}");
    assert_eq!((line, column), (1, 1));
    assert!(message.contains("byte order mark"), "{message}");
    let cases = [
        (
            r#"{ "format": 1, "name": "x", "seed": "42" }"#,
            "$.seed: expected a whole number from 0 to 18446744073709551615, not \"42\"",
        ),
        (
            r#"{ "format": 1, "name": "x", "sed": 42 }"#,
            "$.sed: unknown field \"sed\"; the fields here are format, name, description, seed, region, account, start, settings, steps",
        ),
        (
            r#"{ "format": 1 }"#,
            "$: the field \"name\" is required",
        ),
        (
            r#"{ "format": 1, "name": "x", "steps": [{ "at": true, "action": "ecs:ListClusters" }] }"#,
            "$.steps[0].at: expected a duration such as \"90s\" or a whole number of milliseconds, not true",
        ),
        (
            r#"{ "format": 1, "name": "x", "steps": [{ "at": 99999999999999, "action": "ecs:ListClusters" }] }"#,
            "$.steps[0].at: duration \"99999999999999\" is longer than the limit of 366 days",
        ),
        (
            r#"{ "format": 1, "name": "x", "steps": {} }"#,
            "$.steps: expected an array, not an object",
        ),
        (
            r#"{ "format": 1, "name": "x", "settings": { "circuitBreakerMinimumThreshold": -1 } }"#,
            "$.settings.circuitBreakerMinimumThreshold: expected a whole number from 0 to 4294967295, not -1",
        ),
    ];
    for (text, expected) in cases {
        let (_, _, message) = scenario_error(text);
        assert_eq!(message, expected, "{text}");
    }
    let deep = format!(
        r#"{{ "format": 1, "name": "x", "x": {}{} }}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (_, _, message) = scenario_error(&deep);
    assert_eq!(
        message,
        "the JSON nests more than 128 arrays and objects deep"
    );
}

/// A service whose image exits 30 s after it starts, for `hours`: the world keeps the tasks of
/// the last hour and the newest log records, not everything since the start.
#[test]
fn churn_holds_an_hour_of_stopped_tasks_and_a_bounded_log() {
    let mut world = world();
    cluster(
        &mut world,
        "churn",
        "m5.large",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    sim::register(&mut world, "crash", "crash:v1", 0, 128);
    ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "crash:v1", "exitAfter": "30s" }),
    );
    ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "churn", "serviceName": "crash", "taskDefinition": "crash", "desiredCount": 20 }),
    );
    advance(&mut world, 10 * 60_000);
    let first = world.describe_all()["tasks"][0]["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    world.advance_by(3 * 3_600_000);
    let now = world.now();
    let started = world.ecs.tasks.started();
    assert!(started > 4_000, "{started} tasks started");
    // Remembered: the running ones and those stopped within the hour (and the sweep's minute).
    for task in world.ecs.tasks.iter() {
        if let Some(stopped_at) = task.stopped_at {
            assert!(
                now - stopped_at <= 3_600_000 + 60_000,
                "a task stopped {} ms ago is still held",
                now - stopped_at
            );
        }
    }
    assert!(world.ecs.tasks.len() < 2_000, "{}", world.ecs.tasks.len());
    assert!(world.ecs.tasks.slot_count() < 2_000);
    // The first task is gone from DescribeTasks, as on ECS an hour after it stopped.
    let response = ok(
        &mut world,
        "ecs:DescribeTasks",
        json!({ "cluster": "churn", "tasks": [first] }),
    );
    assert_eq!(response["tasks"], json!([]));
    assert_eq!(response["failures"][0]["reason"], "MISSING");
    // The log holds the newest records and counts the rest.
    assert!(world.log().len() <= ecsplay::engine::log::LOG_RECORDS_MAX * 5 / 4);
    assert!(world.log_dropped() > 0);
    world.check_invariants().unwrap();
    // The service goes on replacing its tasks in reused slots.
    let running = world.describe_all()["services"][0]["runningCount"].clone();
    assert!(running.as_u64().unwrap() > 0);
}

/// Services whose image exits 1 ms after it starts: each task reaches RUNNING, so the service
/// throttle (for tasks that fail to start) does not slow the replacements, as on ECS (aws-facts
/// 4.4); memory stays bounded all the same, by the hour of stopped tasks kept.
#[test]
fn tasks_that_exit_at_once_are_replaced_without_the_throttle_and_memory_stays_bounded() {
    let mut world = world();
    cluster(&mut world, "many", "m5.large", &["us-east-1a"], 2);
    sim::register(&mut world, "blink", "blink:v1", 0, 128);
    ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "blink:v1", "exitAfter": 1 }),
    );
    for i in 0..10 {
        ok(
            &mut world,
            "ecs:CreateService",
            json!({ "cluster": "many", "serviceName": format!("blink-{i}"), "taskDefinition": "blink", "desiredCount": 1 }),
        );
    }
    world.advance_by(3 * 3_600_000);
    let messages = sim::messages(&world, "blink-0");
    assert!(!messages
        .iter()
        .any(|m| m.contains("unable to consistently start tasks")));
    let started = world.ecs.tasks.started();
    // Each cycle (start, pull, run, exit, stop, the scheduler's next look) takes about 40 s.
    assert!(started > 1_500, "{started} tasks started");
    // Three hours of tasks started, about one hour's held.
    let held = world.ecs.tasks.len() as u64;
    assert!(held < started / 2, "{held} of {started} held");
    // Each service's deployment timeline goes back two hours, not to the start.
    let retention = ecsplay::ecs::deployment::TIMELINE_RETENTION_MS;
    // (Trimmed as entries are added: the oldest is within two hours of the newest.)
    for s in &world.ecs.services {
        let span = |first: Option<u64>, last: Option<u64>| last.unwrap_or(0) - first.unwrap_or(0);
        let points = span(
            s.timeline.first().map(|p| p.time),
            s.timeline.last().map(|p| p.time),
        );
        let changes = span(
            s.changes.first().map(|c| c.time),
            s.changes.last().map(|c| c.time),
        );
        assert!(points <= retention, "{points} ms of points");
        assert!(
            changes <= retention && changes > retention / 2,
            "{changes} ms of changes"
        );
    }
    assert!(world.log().len() <= ecsplay::engine::log::LOG_RECORDS_MAX * 5 / 4);
}
