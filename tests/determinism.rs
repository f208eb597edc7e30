//! Determinism: the same scenario and seed give the same event log, byte for byte, run after
//! run, and the same as the golden logs in tests/golden/ (which the browser test compares
//! against too, so native and wasm32 agree). Regenerate the golden logs after an intended
//! change with `ECSPLAY_UPDATE_GOLDEN=1 cargo test --test determinism`.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

use ecsplay::scenario::run::{default_until, log_lines, run_until};
use ecsplay::scenario::Scenario;

/// Every example scenario the playground's picker offers.
fn scenarios() -> impl Iterator<Item = &'static str> {
    ecsplay::scenario::presets::PRESETS
        .iter()
        .map(|(name, _)| *name)
}

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("static/scenarios/{name}.json"));
    Scenario::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn log(scenario: &Scenario) -> String {
    let world = run_until(scenario, default_until(scenario));
    world.check_invariants().unwrap();
    log_lines(&world).iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn each_example_scenario_matches_its_golden_log() {
    for name in scenarios() {
        let actual = log(&scenario(name));
        let golden =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.jsonl"));
        if std::env::var_os("ECSPLAY_UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert!(
            actual == expected,
            "{name}: the log differs from {} (ECSPLAY_UPDATE_GOLDEN=1 rewrites it)",
            golden.display()
        );
    }
}

#[test]
fn the_command_line_prints_the_same_bytes_twice() {
    for name in scenarios() {
        let path = format!(
            "{}/static/scenarios/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let run = || {
            Command::new(env!("CARGO_BIN_EXE_ecsplay"))
                .args(["run", &path])
                .output()
                .unwrap()
        };
        let (first, second) = (run(), run());
        assert!(first.status.success(), "{name}");
        // The blank scenario only creates a cluster, which sends no event.
        assert!(!first.stdout.is_empty() || name == "blank", "{name}");
        assert_eq!(first.stdout, second.stdout, "{name}");
    }
}

#[test]
fn the_seed_decides_the_ids() {
    let mut a = scenario("default");
    let b = log(&a);
    a.seed += 1;
    let c = log(&a);
    assert_ne!(b, c, "another seed, other ids");
    assert_eq!(b.lines().count(), c.lines().count(), "the same story");
}

#[test]
fn the_streamed_log_is_the_whole_log() {
    // `ecsplay run` hands the log over as it goes and holds none; what it hands over must be
    // the log a run that keeps everything has, line for line.
    for name in scenarios() {
        let scenario = scenario(name);
        let mut streamed = String::new();
        let world =
            ecsplay::scenario::run::run_streaming(&scenario, default_until(&scenario), |line| {
                streamed += &line;
                streamed.push('\n');
                Ok::<(), ()>(())
            })
            .unwrap();
        assert!(
            world.log().is_empty(),
            "{name}: the streamed run kept records"
        );
        assert_eq!(streamed, log(&scenario), "{name}");
    }
}
