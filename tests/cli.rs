//! The native command line (design.md section 5).

#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn ecsplay(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ecsplay"))
        .args(args)
        .output()
        .expect("run ecsplay")
}

#[test]
fn version_prints_the_crate_version() {
    let out = ecsplay(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("ecsplay {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_malformed_scenario_exits_non_zero_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("ecsplay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, "{\n  \"format\": 1,\n  \"name\": oops\n}\n").unwrap();
    let out = ecsplay(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 3, column 11"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing runs from a refused scenario"
    );
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(ecsplay(&[]).status.code(), Some(2));
    assert_eq!(ecsplay(&["run"]).status.code(), Some(2));
    assert_eq!(
        ecsplay(&["run", "x.json", "--until", "soon"]).status.code(),
        Some(2)
    );
}

fn scenario_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsplay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn call_prints_a_response_as_the_cli_prints_json() {
    let out = ecsplay(&[
        "call",
        "static/scenarios/default.json",
        "--at",
        "5m",
        "ecs:DescribeServices",
        r#"{"cluster": "demo", "services": ["web"]}"#,
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    // Four spaces of indentation, as `aws ... --output json`.
    assert!(
        stdout.starts_with("{\n    \"services\": [\n        {\n"),
        "{stdout}"
    );
    let response: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(response["services"][0]["serviceName"], "web");
    assert_eq!(response["services"][0]["runningCount"], 4);
    // No input is `{}`.
    let out = ecsplay(&[
        "call",
        "static/scenarios/default.json",
        "--at",
        "1m",
        "ecs:ListClusters",
    ]);
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        response["clusterArns"][0],
        "arn:aws:ecs:us-east-1:123456789012:cluster/demo"
    );
}

#[test]
fn call_refusals_exit_as_the_cli_does() {
    let out = ecsplay(&[
        "call",
        "static/scenarios/default.json",
        "--at",
        "5m",
        "ecs:DescribeServices",
        r#"{"cluster": "nope", "services": ["web"]}"#,
    ]);
    assert_eq!(out.status.code(), Some(254));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("An error occurred (ClusterNotFoundException) when calling the DescribeServices operation: Cluster not found."), "{stderr}");
    let out = ecsplay(&[
        "call",
        "static/scenarios/default.json",
        "--at",
        "1m",
        "ecs:ListServices",
        r#"{"cluster": 5}"#,
    ]);
    assert_eq!(out.status.code(), Some(252));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("Parameter validation failed:\nInvalid type for parameter cluster, value: 5, type: <class 'int'>, valid types: <class 'str'>"), "{stderr}");
}

#[test]
fn call_input_may_use_the_scenarios_step_references() {
    let text = r#"{ "format": 1, "name": "refs", "steps": [
        { "id": "cl", "at": "0s", "action": "ecs:CreateCluster", "input": { "clusterName": "demo" } } ] }"#;
    let path = scenario_file("refs.json", text);
    let out = ecsplay(&[
        "call",
        path.to_str().unwrap(),
        "--at",
        "1s",
        "ecs:DescribeClusters",
        r#"{"clusters": ["${cl.cluster.clusterArn}"]}"#,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(response["clusters"][0]["clusterName"], "demo");
}

#[test]
fn fuzz_prints_its_summary() {
    let out = ecsplay(&["fuzz", "--seed", "7", "--runs", "3"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("fuzz: 3 runs from seed 7, each twice: "),
        "{stdout}"
    );
    assert!(stdout.contains("no failure"));
    assert_eq!(ecsplay(&["fuzz", "--runs", "x"]).status.code(), Some(2));
}
