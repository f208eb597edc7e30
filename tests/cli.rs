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
