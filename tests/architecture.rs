//! The seam between the engine and the services, read from the sources (docs/architecture.md):
//!
//! 1. Nothing under `src/engine/` names another module of the crate: the engine knows no
//!    service, no scenario, no world.
//! 2. A service (a folder of [`SERVICES`]) reaches another only through that service's
//!    published read functions (its `read` module; EC2's instance-type `catalogue` too): it
//!    names no other module of it, and touches no other service's state (`world.ec2.…` from
//!    ECS). What it must change elsewhere it asks for with a `world::Command`.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

/// The service folders under `src/`, each with the same shape.
const SERVICES: &[&str] = &[
    "ecs",
    "ec2",
    "elb",
    "sim",
    "cloudwatch",
    "autoscaling",
    "asg",
    "iam",
    "logs",
    "ssm",
    "secretsmanager",
    "s3",
    "efs",
];
/// The modules a service publishes for the others to read.
const PUBLISHED: &[(&str, &str)] = &[
    ("ec2", "read"),
    ("ec2", "catalogue"),
    ("sim", "read"),
    ("ecs", "read"),
    ("elb", "read"),
    ("cloudwatch", "read"),
    ("asg", "read"),
    ("iam", "read"),
    ("logs", "read"),
    ("ssm", "read"),
    ("secretsmanager", "read"),
    ("s3", "read"),
    ("efs", "read"),
    // What ECS hands EFS to write: a task's file write.
    ("efs", "EfsWrite"),
    // What ECS's awslogs driver hands CloudWatch Logs to write.
    ("logs", "LogWrite"),
    // What a service hands CloudWatch to publish: its metrics' values for a minute.
    ("cloudwatch", "Datum"),
];

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The code of a file without its comments, line by line with numbers.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let code = match line.find("//") {
                Some(i) => &line[..i],
                None => line,
            };
            (n + 1, code.to_string())
        })
        .filter(|(_, code)| !code.trim().is_empty())
        .collect()
}

/// The crate modules a line names: `crate::ecs::task` gives `("ecs", ["task"])`, and
/// `crate::ec2::{read, catalogue}` gives `("ec2", ["read", "catalogue"])`.
fn crate_paths(line: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    for (i, _) in line.match_indices("crate::") {
        let rest = &line[i + "crate::".len()..];
        let module: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = &rest[module.len()..];
        let inner = match after.strip_prefix("::") {
            Some(group) if group.starts_with('{') => group[1..]
                .split('}')
                .next()
                .unwrap_or("")
                .split(',')
                .map(|s| s.trim().split("::").next().unwrap_or("").trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            Some(path) => vec![path
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()],
            None => vec![String::new()],
        };
        found.push((module, inner));
    }
    found
}

/// What breaks rule 1 in the text of a file under `src/engine/`.
fn engine_breaches(text: &str) -> Vec<String> {
    let mut breaches = Vec::new();
    for (n, line) in code_lines(text) {
        for (module, _) in crate_paths(&line) {
            if module != "engine" {
                breaches.push(format!("line {n} names crate::{module}: {}", line.trim()));
            }
        }
        if line.contains("super::super") {
            breaches.push(format!("line {n} reaches out with super::super"));
        }
    }
    breaches
}

/// What breaks rule 2 in the text of a file of `service`.
fn service_breaches(service: &str, text: &str) -> Vec<String> {
    let mut breaches = Vec::new();
    for (n, line) in code_lines(text) {
        for (module, items) in crate_paths(&line) {
            if module == service || !SERVICES.contains(&module.as_str()) {
                continue;
            }
            for item in items {
                if !PUBLISHED.contains(&(module.as_str(), item.as_str())) {
                    breaches.push(format!(
                        "line {n} names crate::{module}::{item}, not a published read module"
                    ));
                }
            }
        }
        for other in SERVICES.iter().filter(|s| **s != service) {
            for holder in ["self.", "world.", "w."] {
                if line.contains(&format!("{holder}{other}.")) {
                    breaches.push(format!("line {n} touches {other}'s state: {}", line.trim()));
                }
            }
        }
    }
    breaches
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_engine_names_no_other_module() {
    let mut breaches = Vec::new();
    for file in sources(&root().join("engine")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for breach in engine_breaches(&text) {
            breaches.push(format!("{}: {breach}", file.display()));
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

#[test]
fn services_reach_each_other_only_through_read_functions() {
    let mut breaches = Vec::new();
    for service in SERVICES {
        for file in sources(&root().join(service)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for breach in service_breaches(service, &text) {
                breaches.push(format!("{}: {breach}", file.display()));
            }
        }
    }
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

#[test]
fn the_checks_catch_what_they_are_for() {
    assert_eq!(engine_breaches("use crate::ecs;\n").len(), 1);
    assert_eq!(
        engine_breaches("use crate::world::World; // a comment\n").len(),
        1
    );
    assert!(
        engine_breaches("use crate::engine::time::SimTime;\n// crate::ecs in a comment\n")
            .is_empty()
    );
    assert_eq!(
        service_breaches("ec2", "use crate::ecs::{InstanceIdx, read};\n").len(),
        1
    );
    assert_eq!(
        service_breaches("ecs", "let i = self.ec2.instances.get(id);\n").len(),
        1
    );
    assert_eq!(
        service_breaches(
            "ecs",
            "use crate::ec2::read::{self as ec2, InstanceState};\n"
        )
        .len(),
        0
    );
    assert_eq!(
        service_breaches("ecs", "crate::ec2::catalogue::instance_type(t)\n").len(),
        0
    );
    assert_eq!(service_breaches("sim", "world.ecs.tasks.len()\n").len(), 1);
}

#[test]
fn every_service_has_the_same_shape() {
    // Each service folder matches its own operations in its mod.rs, and the root sends it
    // the requests of its prefix.
    let world = std::fs::read_to_string(root().join("world").join("mod.rs")).unwrap();
    for service in SERVICES {
        let text = std::fs::read_to_string(root().join(service).join("mod.rs")).unwrap();
        assert!(
            text.contains("pub fn dispatch("),
            "{service}/mod.rs has no dispatch"
        );
        // The prefix is IAM's spelling, which the folder shortens for ELB.
        let prefix = match *service {
            "elb" => "elasticloadbalancing",
            "autoscaling" => "application-autoscaling",
            "asg" => "autoscaling",
            other => other,
        };
        let arm = world
            .split(&format!("Some((\"{prefix}\", operation)) =>"))
            .nth(1)
            .unwrap_or_default();
        assert!(
            arm.trim_start()
                .trim_start_matches('{')
                .trim_start()
                .starts_with(&format!("crate::{service}::dispatch(")),
            "the root does not dispatch {prefix}: to {service}"
        );
    }
}
