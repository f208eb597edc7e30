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

/// Mounts a fresh playground (no autosave from an earlier test) in its own element.
async fn mount() -> web_sys::Element {
    ecsplay::ui::clear_autosave();
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<ecsplay::ui::App>::with_root(root.clone()).render();
    settle().await;
    root
}

/// Lets Yew render what the last event caused (a few turns: effects may dispatch again).
async fn settle() {
    for _ in 0..3 {
        next_tick().await;
    }
}

fn find(root: &web_sys::Element, css: &str) -> web_sys::Element {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("{css} is missing"))
}

fn text(root: &web_sys::Element, css: &str) -> String {
    find(root, css).text_content().unwrap_or_default()
}

async fn click(root: &web_sys::Element, css: &str) {
    find(root, css)
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    settle().await;
}

/// Sets a field's value and sends the event a person's typing or choosing would.
async fn set(root: &web_sys::Element, css: &str, value: &str, event: &str) {
    let element = find(root, css);
    js_sys::Reflect::set(&element, &"value".into(), &value.into()).unwrap();
    let event = web_sys::Event::new_with_event_init_dict(event, &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    element.dispatch_event(&event).unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn the_shell_renders_and_the_time_controls_respond() {
    let root = mount().await;
    assert_eq!(
        text(&root, "#scenario-name").trim(),
        Scenario::default_scenario().name
    );
    assert!(root
        .query_selector("#panel-event-log [role=log]")
        .unwrap()
        .is_some());
    assert_eq!(text(&root, "#sim-clock"), "T+00:00:00");
    click(&root, "#btn-play").await;
    assert!(
        root.query_selector("#btn-pause").unwrap().is_some(),
        "Play became Pause"
    );
    click(&root, "#btn-pause").await;
    // Step goes to the next moment something is due: the clock moves, the log fills.
    click(&root, "#btn-step").await;
    assert_ne!(text(&root, "#sim-clock"), "T+00:00:00");
    click(&root, "#btn-fast-forward").await;
    assert!(
        text(&root, "#notice").contains("to a steady state"),
        "{}",
        text(&root, "#notice")
    );
    assert_eq!(
        find(&root, "#cluster-map")
            .get_attribute("data-running")
            .as_deref(),
        Some("6")
    );
    click(&root, "#btn-reset").await;
    assert_eq!(text(&root, "#sim-clock"), "T+00:00:00");
    root.remove();
}

#[wasm_bindgen_test]
async fn the_editor_marks_malformed_json_and_aws_errors_and_keeps_the_text() {
    let root = mount().await;
    assert!(text(&root, "#td-check").starts_with("✓ Valid"));
    set(
        &root,
        "#td-editor",
        "{\n  \"family\": \"web\"\n  \"cpu\": \"256\"\n}",
        "input",
    )
    .await;
    assert!(
        text(&root, "#td-check").starts_with("Line 3, column 3:"),
        "{}",
        text(&root, "#td-check")
    );
    assert_eq!(text(&root, ".gutter .gutter-error"), "3");
    assert_eq!(
        find(&root, "#td-editor")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );

    let invalid = ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION
        .replace("\"cpu\": 256,", "\"cpu\": 256, \"memory\": 0,");
    set(&root, "#td-editor", &invalid, "input").await;
    let check = text(&root, "#td-check");
    assert!(check.starts_with("ClientException: "), "{check}");
    assert!(
        check.ends_with("(at $.containerDefinitions[0].memory)"),
        "{check}"
    );
    assert_eq!(text(&root, "mark.err"), "\"memory\": 0");

    // Register anyway: refused, nothing registered, the text kept.
    click(&root, "#btn-register").await;
    assert!(
        text(&root, "#td-outcome").starts_with("RegisterTaskDefinition refused: ClientException")
    );
    assert_eq!(text(&root, "#td-revisions").matches("web:").count(), 1);
    let kept = find(&root, "#td-editor")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap()
        .value();
    assert_eq!(kept, invalid);

    // Tab indents in place.
    let area = find(&root, "#td-editor")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap();
    area.set_selection_range(1, 1).unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Tab");
    init.set_bubbles(true);
    init.set_cancelable(true);
    let tab = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    area.dispatch_event(&tab).unwrap();
    settle().await;
    assert!(tab.default_prevented());
    assert!(
        area.value().starts_with("{  \n"),
        "{:?}",
        &area.value()[..5]
    );

    // A valid definition registers web:2; reopening web:1 fills the editor with describe output.
    set(
        &root,
        "#td-editor",
        ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION,
        "input",
    )
    .await;
    click(&root, "#btn-register").await;
    assert_eq!(text(&root, "#td-outcome"), "Registered web:2");
    click(&root, "#td-revisions li:last-child button").await;
    let reopened = find(&root, "#td-editor")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap()
        .value();
    assert!(
        reopened.starts_with("{\n  \"taskDefinition\": {"),
        "{reopened}"
    );
    assert!(text(&root, "#td-check").contains("read from describe-task-definition output"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_panels_launch_drain_create_scale_run_and_stop() {
    let root = mount().await;
    set(&root, "#scenario-picker", "blank", "change").await;
    assert!(text(&root, "#scenario-name").starts_with("Blank"));
    click(&root, "#btn-register").await;

    set(&root, "#cap-count", "2", "input").await;
    click(&root, "#btn-launch").await;
    set(&root, "#cap-zone", "us-east-1b", "change").await;
    set(&root, "#cap-count", "1", "input").await;
    click(&root, "#btn-launch").await;
    click(&root, "#btn-fast-forward").await;
    assert_eq!(
        root.query_selector_all("#instance-list li")
            .unwrap()
            .length(),
        3
    );
    assert_eq!(
        find(&root, "#cluster-map")
            .get_attribute("data-instances")
            .as_deref(),
        Some("3")
    );

    // Drain the first instance: it says DRAINING and gets no task.
    click(&root, "#instance-list li:first-child .row-actions button").await;
    assert!(text(&root, "#instance-list li:first-child").contains("DRAINING"));

    // A service with a memberOf typo is flagged as you type, with its column.
    set(
        &root,
        "#svc-member-of",
        "attribute:ecs.instance-type ==",
        "input",
    )
    .await;
    assert!(
        text(&root, "#svc-member-of-check").starts_with("Column "),
        "{}",
        text(&root, "#svc-member-of-check")
    );
    set(&root, "#svc-member-of", "", "input").await;
    set(&root, "#svc-desired", "2", "input").await;
    click(&root, "#btn-create-service").await;
    click(&root, "#btn-fast-forward").await;
    let row = text(&root, "#service-list [data-service=web]");
    assert!(row.contains("running 2"), "{row}");
    assert!(text(&root, "#instance-list li:first-child").contains("0 tasks"));

    // Change the desired count.
    set(
        &root,
        "#service-list [data-service=web] .form-scale input",
        "3",
        "input",
    )
    .await;
    click(&root, "#service-list [data-service=web] .form-scale button").await;
    click(&root, "#btn-fast-forward").await;
    assert!(text(&root, "#service-list [data-service=web]").contains("running 3"));

    // A standalone task, then stop it from the inspector.
    click(&root, "#btn-run-task").await;
    assert!(text(&root, "#panel-services").contains("ecs:RunTask accepted"));
    click(&root, "#btn-fast-forward").await;
    let running: usize = find(&root, "#cluster-map")
        .get_attribute("data-running")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(running, 4);
    assert!(text(&root, "#panel-event-log").contains("(service web) has started"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_session_is_autosaved_and_restored() {
    let root = mount().await;
    set(&root, "#td-editor", "{ \"family\": \"typed\" }", "input").await;
    set(&root, "#cap-count", "1", "input").await;
    click(&root, "#btn-launch").await;
    click(&root, "#btn-fast-forward").await;
    let clock = text(&root, "#sim-clock");
    root.remove();

    // A new page load: the same text, the same request, the same time.
    let document = web_sys::window().unwrap().document().unwrap();
    let again = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&again).unwrap();
    yew::Renderer::<ecsplay::ui::App>::with_root(again.clone()).render();
    settle().await;
    let area = find(&again, "#td-editor")
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .unwrap();
    assert_eq!(area.value(), "{ \"family\": \"typed\" }");
    assert_eq!(text(&again, "#sim-clock"), clock);
    assert_eq!(
        again
            .query_selector_all("#instance-list li")
            .unwrap()
            .length(),
        3
    );
    assert!(text(&again, ".footer").contains("Autosave: localStorage"));
    ecsplay::ui::clear_autosave();
    again.remove();
}

/// The example scenarios and their golden logs, which the native determinism test checks.
const GOLDEN: [(&str, &str, &str); 37] = [
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
        "random-placement",
        include_str!("../static/scenarios/random-placement.json"),
        include_str!("golden/random-placement.jsonl"),
    ),
    (
        "task-definitions",
        include_str!("../static/scenarios/task-definitions.json"),
        include_str!("golden/task-definitions.jsonl"),
    ),
    (
        "alb-security-groups",
        include_str!("../static/scenarios/alb-security-groups.json"),
        include_str!("golden/alb-security-groups.jsonl"),
    ),
    (
        "alb-rolling-update",
        include_str!("../static/scenarios/alb-rolling-update.json"),
        include_str!("golden/alb-rolling-update.jsonl"),
    ),
    (
        "alb-fargate",
        include_str!("../static/scenarios/alb-fargate.json"),
        include_str!("golden/alb-fargate.jsonl"),
    ),
    (
        "alb-traffic-overload",
        include_str!("../static/scenarios/alb-traffic-overload.json"),
        include_str!("golden/alb-traffic-overload.jsonl"),
    ),
    (
        "nlb-cross-zone",
        include_str!("../static/scenarios/nlb-cross-zone.json"),
        include_str!("golden/nlb-cross-zone.jsonl"),
    ),
    (
        "clb-static-ports",
        include_str!("../static/scenarios/clb-static-ports.json"),
        include_str!("golden/clb-static-ports.jsonl"),
    ),
    (
        "target-tracking-daily",
        include_str!("../static/scenarios/target-tracking-daily.json"),
        include_str!("golden/target-tracking-daily.jsonl"),
    ),
    (
        "step-scaling",
        include_str!("../static/scenarios/step-scaling.json"),
        include_str!("golden/step-scaling.jsonl"),
    ),
    (
        "scheduled-business-hours",
        include_str!("../static/scenarios/scheduled-business-hours.json"),
        include_str!("golden/scheduled-business-hours.jsonl"),
    ),
    (
        "alb-requests-per-target",
        include_str!("../static/scenarios/alb-requests-per-target.json"),
        include_str!("golden/alb-requests-per-target.jsonl"),
    ),
    (
        "cooldown-spike",
        include_str!("../static/scenarios/cooldown-spike.json"),
        include_str!("golden/cooldown-spike.jsonl"),
    ),
    (
        "fargate-spot-mix",
        include_str!("../static/scenarios/fargate-spot-mix.json"),
        include_str!("golden/fargate-spot-mix.jsonl"),
    ),
    (
        "asg-basics",
        include_str!("../static/scenarios/asg-basics.json"),
        include_str!("golden/asg-basics.jsonl"),
    ),
    (
        "managed-scaling",
        include_str!("../static/scenarios/managed-scaling.json"),
        include_str!("golden/managed-scaling.jsonl"),
    ),
    (
        "closed-loop-day",
        include_str!("../static/scenarios/closed-loop-day.json"),
        include_str!("golden/closed-loop-day.jsonl"),
    ),
    (
        "scale-from-zero",
        include_str!("../static/scenarios/scale-from-zero.json"),
        include_str!("golden/scale-from-zero.jsonl"),
    ),
    (
        "zone-failure",
        include_str!("../static/scenarios/zone-failure.json"),
        include_str!("golden/zone-failure.jsonl"),
    ),
    (
        "execution-role-missing",
        include_str!("../static/scenarios/execution-role-missing.json"),
        include_str!("golden/execution-role-missing.jsonl"),
    ),
    (
        "efs-shared-zones",
        include_str!("../static/scenarios/efs-shared-zones.json"),
        include_str!("golden/efs-shared-zones.jsonl"),
    ),
    (
        "sidecar-bind-mount",
        include_str!("../static/scenarios/sidecar-bind-mount.json"),
        include_str!("golden/sidecar-bind-mount.jsonl"),
    ),
    (
        "ephemeral-storage-full",
        include_str!("../static/scenarios/ephemeral-storage-full.json"),
        include_str!("golden/ephemeral-storage-full.jsonl"),
    ),
    (
        "task-role-s3",
        include_str!("../static/scenarios/task-role-s3.json"),
        include_str!("golden/task-role-s3.jsonl"),
    ),
    (
        "missing-secret",
        include_str!("../static/scenarios/missing-secret.json"),
        include_str!("golden/missing-secret.jsonl"),
    ),
    (
        "awslogs-crash",
        include_str!("../static/scenarios/awslogs-crash.json"),
        include_str!("golden/awslogs-crash.jsonl"),
    ),
    (
        "asg-cpu-scaling",
        include_str!("../static/scenarios/asg-cpu-scaling.json"),
        include_str!("golden/asg-cpu-scaling.jsonl"),
    ),
    (
        "asg-spot-mix",
        include_str!("../static/scenarios/asg-spot-mix.json"),
        include_str!("golden/asg-spot-mix.jsonl"),
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
