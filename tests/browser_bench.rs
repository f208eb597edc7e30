//! The browser benchmarks of the simulation (`make bench-browser`), run as wasm in headless
//! Chromium, printing their figures: the C2M placement workload under each strategy chain, the
//! engine core's events per second, and a simulated day of 1,000 instances and 10,000 tasks.
//! They assert only that the work was done (every task placed, every task healthy); the figures
//! go in the README. The cluster map's frame is measured in a page of its own
//! (`browser_map_bench.rs`), away from the memory these leave behind.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn placement_at_c2m_scale() {
    let clock = || js_sys::Date::now();
    let suite = ecsplay::bench::placement_suite(&clock, 1.0);
    for line in ecsplay::bench::report(&suite).lines() {
        console_log!("{line}");
    }
    for (full, half) in &suite {
        assert_eq!(full.placed, full.tasks);
        assert_eq!(half.placed, half.tasks);
    }
}

#[wasm_bindgen_test]
fn engine_core_events_per_second() {
    let clock = || js_sys::Date::now();
    let events = ecsplay::bench::ENGINE_EVENTS;
    ecsplay::bench::engine_suite(events / 10, &clock);
    for figure in ecsplay::bench::engine_suite(events, &clock) {
        console_log!("{} (budget 10 M events/s in the browser)", figure.line());
        assert!(figure.final_time > 0);
    }
}

#[wasm_bindgen_test]
fn a_simulated_day() {
    let clock = || js_sys::Date::now();
    let (instances, tasks) = ecsplay::bench::day_size(1.0);
    // A tenth first, so the browser's compiler has optimised the code before the clock starts.
    ecsplay::bench::day(instances / 10, tasks / 10, &clock);
    let figure = ecsplay::bench::day(instances, tasks, &clock);
    console_log!("{} (budget 10 s in the browser)", figure.line());
    assert_eq!(figure.healthy, tasks);
}

#[wasm_bindgen_test]
fn a_simulated_day_behind_an_alb_with_daily_traffic_at_a_tenth() {
    let clock = || js_sys::Date::now();
    let (instances, tasks) = ecsplay::bench::day_size(0.1);
    let report = ecsplay::bench::run_report("day-alb", 0.1, &clock).expect("a benchmark");
    console_log!("{report} (a tenth of the day's size: {instances} instances, {tasks} tasks)");
    assert!(
        report.contains(&format!("{tasks} targets at the end")),
        "{report}"
    );
}

#[wasm_bindgen_test]
fn a_simulated_day_with_target_tracking_on_two_services() {
    let clock = || js_sys::Date::now();
    let report = ecsplay::bench::run_report("day-scaling", 1.0, &clock).expect("a benchmark");
    console_log!("{report} (budget 10 s in the browser)");
    assert!(report.contains("desired at the end"), "{report}");
}

#[wasm_bindgen_test]
fn the_closed_loop_day() {
    let clock = || js_sys::Date::now();
    let report = ecsplay::bench::run_report("closed-loop", 1.0, &clock).expect("a benchmark");
    console_log!("{report} (budget 10 s in the browser)");
    assert!(report.contains("instances launched"), "{report}");
}
