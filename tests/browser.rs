//! Browser tests: wasm-bindgen-test in headless Chromium (`make test-browser`). They check that
//! the library behaves the same in wasm32 and that the app shell renders into a page.

#![cfg(target_arch = "wasm32")]

use ecsplay::engine::time::{format_timestamp, parse_duration, parse_timestamp};
use ecsplay::scenario::{Scenario, ScenarioError};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn scenario_parsing_matches_native() {
    let scenario = Scenario::default_scenario();
    assert_eq!(scenario.seed, 42);
    assert_eq!(scenario.start_epoch_ms(), 1_767_225_600_000);
    assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
    assert_eq!(
        format_timestamp(parse_timestamp("2026-01-01T00:10:00Z").unwrap()),
        "2026-01-01T00:10:00.000Z"
    );
    let err = Scenario::parse("{\n  \"format\": 1,\n  \"name\": \"x\",\n}").unwrap_err();
    assert!(
        matches!(
            err,
            ScenarioError::Syntax {
                line: 4,
                column: 1,
                ..
            }
        ),
        "{err}"
    );
}

/// Yew renders from its scheduler; give it one turn of the event loop.
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_shell_renders_and_the_time_controls_respond() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<ecsplay::ui::App>::with_root(root.clone()).render();
    next_tick().await;

    let name = document
        .get_element_by_id("scenario-name")
        .expect("scenario name");
    assert_eq!(
        name.text_content().unwrap().trim(),
        Scenario::default_scenario().name
    );
    assert!(document
        .query_selector("#panel-event-log [role=log]")
        .unwrap()
        .is_some());
    assert_eq!(
        document
            .get_element_by_id("sim-clock")
            .unwrap()
            .text_content()
            .unwrap(),
        "T+00:00:00"
    );

    let play: web_sys::HtmlElement = document
        .get_element_by_id("btn-play")
        .expect("play button")
        .dyn_into()
        .unwrap();
    play.click();
    next_tick().await;
    assert!(
        document.get_element_by_id("btn-pause").is_some(),
        "Play became Pause"
    );
    assert!(document.get_element_by_id("btn-play").is_none());
}

/// The example scenarios and their golden logs, which the native determinism test checks.
const GOLDEN: [(&str, &str, &str); 9] = [
    (
        "default",
        include_str!("../static/scenarios/default.json"),
        include_str!("golden/default.jsonl"),
    ),
    (
        "fargate-basics",
        include_str!("../static/scenarios/fargate-basics.json"),
        include_str!("golden/fargate-basics.jsonl"),
    ),
    (
        "daemon-and-draining",
        include_str!("../static/scenarios/daemon-and-draining.json"),
        include_str!("golden/daemon-and-draining.jsonl"),
    ),
    (
        "troubleshooting",
        include_str!("../static/scenarios/troubleshooting.json"),
        include_str!("golden/troubleshooting.jsonl"),
    ),
    (
        "binpack-vs-spread",
        include_str!("../static/scenarios/binpack-vs-spread.json"),
        include_str!("golden/binpack-vs-spread.jsonl"),
    ),
    (
        "constraints",
        include_str!("../static/scenarios/constraints.json"),
        include_str!("golden/constraints.jsonl"),
    ),
    (
        "rolling-update",
        include_str!("../static/scenarios/rolling-update.json"),
        include_str!("golden/rolling-update.jsonl"),
    ),
    (
        "failed-deployment",
        include_str!("../static/scenarios/failed-deployment.json"),
        include_str!("golden/failed-deployment.jsonl"),
    ),
    (
        "blank",
        include_str!("../static/scenarios/blank.json"),
        include_str!("golden/blank.jsonl"),
    ),
];

#[wasm_bindgen_test]
fn the_engine_in_the_browser_logs_what_it_logs_natively() {
    use ecsplay::scenario::run::{default_until, log_lines, run_until};
    for (name, scenario, golden) in GOLDEN {
        let scenario = Scenario::parse(scenario).unwrap();
        let world = run_until(&scenario, default_until(&scenario));
        let log: String = log_lines(&world).iter().map(|l| format!("{l}\n")).collect();
        assert!(
            log == golden,
            "{name}: the wasm32 log differs from the native golden log"
        );
    }
}

/// The indexed placement engine chooses as the reference scan does in wasm32 too, under each
/// strategy chain (random draws included).
#[wasm_bindgen_test]
fn placement_index_matches_the_reference_in_wasm() {
    use ecsplay::bench::{placement, placement_reference, Chain};
    for chain in Chain::ALL {
        let figure = placement(chain, 31, 2_000, &|| 0.0);
        assert_eq!(figure.placed, 2_000);
        assert_eq!(
            figure.digest,
            placement_reference(chain, 31, 2_000),
            "{chain:?}"
        );
    }
}
