//! The browser placement benchmark (`make bench-browser`): the C2M workload under each strategy
//! chain, run as wasm in headless Chromium, printing its figures. It asserts only that every
//! task was placed; the figures go in the README.

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
