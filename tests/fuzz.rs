//! The fuzzer's short pass (`make test`): seeds 1 to 100, each run twice, with invariants,
//! refusals, determinism and bounds checked after every request and timer. A longer pass is
//! `cargo run --release -- fuzz --seed 1 --runs 10000` (README, "Fuzzing").

#![cfg(not(target_arch = "wasm32"))]

/// Runs in the short pass: under a minute in a debug build on two cores.
const SHORT_PASS_RUNS: u64 = 100;

#[test]
fn the_short_fuzz_pass_finds_nothing() {
    for seed in 1..=SHORT_PASS_RUNS {
        let outcome = std::panic::catch_unwind(|| ecsplay::fuzz::fuzz_seed(seed));
        match outcome {
            Ok(Ok(report)) => assert!(report.steps > 0),
            Ok(Err(failure)) => panic!("{failure}\nreplay: ecsplay fuzz --seed {seed} --runs 1"),
            Err(_) => panic!("seed {seed} panicked\nreplay: ecsplay fuzz --seed {seed} --runs 1"),
        }
    }
}

#[test]
fn the_fuzzer_sends_every_action_and_refusals_happen() {
    let mut refused = 0;
    let mut steps = 0;
    for seed in 1..=20 {
        let report = ecsplay::fuzz::fuzz_seed(seed).unwrap();
        refused += report.refused;
        steps += report.steps;
    }
    assert!(steps > 100, "{steps} requests");
    // Mutated and ill-timed requests are refused; plausible ones mostly go through.
    assert!(
        refused > steps / 10 && refused < steps,
        "{refused} of {steps} refused"
    );
    assert_eq!(ecsplay::fuzz::ACTIONS.len(), 70);
}
