//! End-to-end: the release build of `dist/`, served on 127.0.0.1, opened in headless Chromium
//! through chromedriver. Run by `make e2e` (part of `make test`), which builds `dist/` first;
//! ignored by a plain `cargo test`, which has no release build to serve.
//!
//! Each test drives the playground as a person would: it picks a scenario, types in the
//! editor, fills the forms, presses the time controls, and reads what the page shows.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use ecsplay::scenario::Scenario;
use fantoccini::{Client, Locator};
use serde_json::json;

const APP_RENDER_TIMEOUT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);

/// The panels of design.md section 6, by element id.
const PANELS: [&str; 8] = [
    "panel-task-definition",
    "panel-capacity",
    "panel-services",
    "panel-cluster-map",
    "panel-charts",
    "panel-inspector",
    "panel-timeline",
    "panel-event-log",
];

/// The site served, chromedriver, and a 1440x900 headless Chromium.
async fn start() -> (String, support::Chromedriver, Client) {
    let site = support::serve_static(support::dist_dir());
    let driver = support::start_chromedriver();
    let client = support::browser(&driver, 1440, 900).await;
    (site, driver, client)
}

/// Opens the site with no autosave left from an earlier test, on `preset`.
async fn open(client: &Client, site: &str, preset: &str) {
    client.goto(site).await.unwrap();
    wait_for(client, "#scenario-name").await;
    client
        .execute("localStorage.clear()", vec![])
        .await
        .unwrap();
    client.goto(site).await.unwrap();
    wait_for(client, "#scenario-name").await;
    if preset != "default" {
        let picker = client.find(Locator::Id("scenario-picker")).await.unwrap();
        picker.select_by_value(preset).await.unwrap();
        let name = Scenario::parse(
            ecsplay::scenario::presets::PRESETS
                .iter()
                .find(|(id, _)| *id == preset)
                .unwrap()
                .1,
        )
        .unwrap()
        .name;
        wait_text(client, "#scenario-name", &name).await;
    }
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(APP_RENDER_TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} never appeared"))
}

async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the element's text contains `wanted`; returns the text.
async fn wait_text(client: &Client, css: &str, wanted: &str) -> String {
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let found = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if found.contains(wanted) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never said {wanted:?}; it says {found:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until nothing matches `css` (a check's message that has been answered).
async fn wait_gone(client: &Client, css: &str) {
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    while client.find(Locator::Css(css)).await.is_ok() {
        assert!(Instant::now() < deadline, "{css} never went away");
        tokio::time::sleep(POLL).await;
    }
}

/// Like [`wait_text`], on the element's `textContent` (its words as written, before CSS
/// changes their case).
async fn wait_content(client: &Client, css: &str, wanted: &str) -> String {
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let found = match client.find(Locator::Css(css)).await {
            Ok(element) => element
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        if found.contains(wanted) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never said {wanted:?}; it says {found:?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

async fn attribute(client: &Client, css: &str, name: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .attr(name)
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Replaces the editor's text as typing would (an `input` event follows).
async fn set_editor(client: &Client, text: &str) {
    client
        .execute(
            "const t = document.getElementById('td-editor'); t.value = arguments[0]; \
             t.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(text)],
        )
        .await
        .unwrap();
}

/// Sets a text field's value at once and says so to the page (an `input` event), as a paste
/// would: for a field checked at each keystroke, whose intermediate states are not the test's.
async fn set_value(client: &Client, css: &str, value: &str) {
    client
        .execute(
            "const f = document.querySelector(arguments[0]); f.value = arguments[1]; \
             f.dispatchEvent(new InputEvent('input', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .unwrap();
}

async fn fill(client: &Client, css: &str, value: &str) {
    let input = client.find(Locator::Css(css)).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

async fn no_console_errors(client: &Client) {
    let errors = support::console_errors(client).await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_release_build_renders_every_panel_without_console_errors() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    assert_eq!(
        text(&client, "#scenario-name").await,
        Scenario::default_scenario().name
    );
    for panel in PANELS {
        client
            .find(Locator::Id(panel))
            .await
            .unwrap_or_else(|_| panic!("panel #{panel} is missing"));
    }
    assert!(client
        .find(Locator::Css("#panel-event-log [role=log]"))
        .await
        .is_ok());
    assert_eq!(text(&client, "#sim-clock").await, "T+00:00:00");
    // The steps at 0s ran: two instances are booting on the map.
    wait_text(&client, "#panel-timeline", "ecs:CreateService").await;
    assert!(text(&client, ".footer")
        .await
        .contains("Autosave: localStorage"));

    // Play turns into Pause and the clock moves; Space pauses again.
    click(&client, "#btn-play").await;
    wait_for(&client, "#btn-pause").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_ne!(text(&client, "#sim-clock").await, "T+00:00:00");
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(" ")
        .await
        .unwrap();
    wait_for(&client, "#btn-play").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn an_invalid_definition_shows_its_path_and_the_previous_revision_stays() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    wait_text(&client, "#td-revisions", "web:1").await;

    let invalid = ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION
        .replace("\"cpu\": 256,", "\"cpu\": 256, \"memory\": 0,");
    set_editor(&client, &invalid).await;
    // As you type: the AWS error with its path, and the field underlined.
    let check = wait_text(&client, "#td-check", "$.containerDefinitions[0].memory").await;
    assert!(check.starts_with("ClientException"), "{check}");
    assert_eq!(text(&client, "mark.err").await, "\"memory\": 0");
    click(&client, "#btn-register").await;
    let outcome = wait_text(&client, "#td-outcome", "refused").await;
    assert!(
        outcome.contains("(at $.containerDefinitions[0].memory)"),
        "{outcome}"
    );
    // Nothing registered, the text kept, the refusal in the event log.
    assert_eq!(
        text(&client, "#td-revisions").await.matches("web:").count(),
        1
    );
    let kept = client
        .find(Locator::Id("td-editor"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, invalid);
    wait_text(
        &client,
        "#panel-event-log",
        "ecs:RegisterTaskDefinition refused",
    )
    .await;

    // Malformed JSON: its line and column.
    set_editor(&client, "{\n  \"family\": \"web\"\n  \"cpu\": \"256\"\n}").await;
    wait_text(&client, "#td-check", "Line 3, column 3").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn two_instances_and_a_service_put_tasks_on_the_map_and_in_the_log() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "blank").await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-revisions", "web:1").await;

    // Two m5.large instances in us-east-1a, into the cluster "demo".
    client
        .find(Locator::Id("cap-type"))
        .await
        .unwrap()
        .select_by_value("m5.large")
        .await
        .unwrap();
    fill(&client, "#cap-count", "2").await;
    client
        .find(Locator::Id("cap-zone"))
        .await
        .unwrap()
        .select_by_value("us-east-1a")
        .await
        .unwrap();
    click(&client, "#btn-launch").await;
    wait_text(&client, "#panel-capacity", "ec2:RunInstances accepted").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#instance-list", "ACTIVE").await;
    assert_eq!(
        attribute(&client, "#cluster-map", "data-instances").await,
        "2"
    );

    // A service of three tasks.
    fill(&client, "#svc-desired", "3").await;
    click(&client, "#btn-create-service").await;
    wait_text(&client, "#panel-services", "ecs:CreateService accepted").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    assert_eq!(
        attribute(&client, "#cluster-map", "data-running").await,
        "3"
    );
    wait_text(
        &client,
        "#panel-event-log",
        "(service web) has started 3 tasks",
    )
    .await;
    wait_text(
        &client,
        "#panel-event-log",
        "(service web) has reached a steady state.",
    )
    .await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn deploying_a_new_revision_completes() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#service-list", "PRIMARY COMPLETED").await;

    let next =
        ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION.replace("nginx:1.27", "nginx:1.28");
    set_editor(&client, &next).await;
    wait_text(&client, "#td-check", "Valid").await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-revisions", "web:2").await;
    let row = "#service-list [data-service=web]";
    client
        .find(Locator::Css(&format!("{row} .form-deploy select")))
        .await
        .unwrap()
        .select_by_value("web:2")
        .await
        .unwrap();
    click(&client, &format!("{row} .form-deploy button")).await;
    wait_text(&client, row, "IN_PROGRESS").await;
    click(&client, "#btn-fast-forward").await;
    let status = wait_text(&client, row, "PRIMARY COMPLETED").await;
    assert!(status.contains("web:2"), "{status}");
    wait_text(&client, "#panel-event-log", "SERVICE_DEPLOYMENT_COMPLETED").await;
    assert_eq!(
        attribute(&client, "#cluster-map", "data-running").await,
        "6"
    );
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// Writes a PNG of the viewport to `name` in docs/ (or the test's temporary folder), after
/// checking it is one.
async fn shoot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let dir = std::env::var_os("ECSPLAY_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(name);
    std::fs::write(&out, &png).unwrap();
    eprintln!("screenshot: {}", out.display());
}

/// Clicks the canvas at a point of its own coordinates.
async fn click_map(client: &Client, x: f64, y: f64) {
    client
        .execute(
            "const c = document.getElementById('cluster-map'); const r = c.getBoundingClientRect(); \
             c.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: r.left + arguments[0], clientY: r.top + arguments[1] }));",
            vec![json!(x), json!(y)],
        )
        .await
        .unwrap();
}

/// The first contentful paint of the site, as Chromium's Paint Timing reports it: nothing paints
/// before the app does (the page holds only a `<noscript>`), so it is the moment the wasm has
/// loaded, started and rendered. A benchmark that prints its figure (design.md section 7: at
/// most 300 ms on localhost); `make bench-first-paint` shows it. It asserts only that the app
/// painted.
#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn first_paint() {
    const LOADS: usize = 5;
    let (site, _driver, client) = start().await;
    let mut paints = Vec::with_capacity(LOADS);
    for _ in 0..LOADS {
        client.goto(&site).await.unwrap();
        wait_for(&client, "#scenario-name").await;
        // The entry is written once the frame is presented, a moment after the DOM has the app.
        let deadline = Instant::now() + APP_RENDER_TIMEOUT;
        let paint = loop {
            let entry = client
                .execute(
                    "const e = performance.getEntriesByName('first-contentful-paint')[0]; \
                     return e ? e.startTime : null;",
                    vec![],
                )
                .await
                .unwrap();
            if let Some(ms) = entry.as_f64() {
                break ms;
            }
            assert!(Instant::now() < deadline, "the app never painted");
            tokio::time::sleep(POLL).await;
        };
        paints.push(paint);
    }
    let cold = paints[0];
    let mut warm = paints[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    eprintln!(
        "first paint: {cold:.0} ms on the first load (empty cache), {:.0} ms median of {} reloads; budget 300 ms",
        warm[warm.len() / 2],
        warm.len()
    );
    client.close().await.unwrap();
}

/// The screenshots the README shows (`make screenshot` writes them to docs/).
#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn screenshots() {
    let (site, driver, client) = start().await;

    // The default scenario at a steady state, a task selected: its placement why-trace.
    open(&client, &site, "default").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    // The first chip of the first instance (model::map: column padding 8, strip and header 60,
    // the box's head 40).
    click_map(&client, 14.0, 104.0).await;
    wait_text(&client, "#panel-inspector", "Strategies:").await;
    // Let the chips finish their slide onto the instances.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "playground.png").await;

    // The editor refusing a definition, with the field underlined.
    let invalid = ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION
        .replace("\"cpu\": 256,", "\"cpu\": 256, \"memory\": 0,");
    set_editor(&client, &invalid).await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-outcome", "refused").await;
    shoot(&client, "editor-error.png").await;

    // A failed deployment rolled back: the charts mark both deployments.
    open(&client, &site, "failed-deployment").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Fast-forwarded").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "failed-deployment.png").await;

    // Constraints: distinctInstance leaves a task waiting; the waiting group selected shows
    // why, instance by instance.
    open(&client, &site, "constraints").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Fast-forwarded").await;
    click_map(&client, 14.0, 17.0).await;
    wait_for(&client, "#inspect-waiting").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "constraints.png").await;

    // Two clusters with a service of the same name: one cluster on the map at a time.
    open(&client, &site, "binpack-vs-spread").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Fast-forwarded").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "two-clusters.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();

    // A large cluster at 1280x720: 150 more instances and 600 tasks turn the boxes compact.
    let client = support::browser(&driver, 1280, 720).await;
    open(&client, &site, "default").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    for zone in ["us-east-1a", "us-east-1b", "us-east-1c"] {
        fill(&client, "#cap-count", "50").await;
        let picker = client.find(Locator::Id("cap-zone")).await.unwrap();
        picker.select_by_value(zone).await.unwrap();
        click(&client, "#btn-launch").await;
    }
    fill(
        &client,
        "#service-list [data-service=web] .form-scale input",
        "600",
    )
    .await;
    click(
        &client,
        "#service-list [data-service=web] .form-scale button",
    )
    .await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    assert_eq!(
        attribute(&client, "#cluster-map", "data-instances").await,
        "152"
    );
    assert_eq!(
        attribute(&client, "#cluster-map", "data-running").await,
        "600"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "large-cluster.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();

    // A phone: the panels stack, and a task tapped on the map brings the inspector up.
    let client = support::browser(&driver, 390, 844).await;
    support::phone_viewport(&client, 390, 844).await;
    open(&client, &site, "fargate-basics").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Fast-forwarded").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "narrow.png").await;
    // Nothing is wider than the screen.
    let wide = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(wide, json!(0), "the page scrolls sideways");
    // A task chosen on the map: the inspector, far below, comes into view.
    keys_to(
        &client,
        "#cluster-map",
        &fantoccini::key::Key::Right.to_string(),
    )
    .await;
    keys_to(
        &client,
        "#cluster-map",
        &fantoccini::key::Key::Enter.to_string(),
    )
    .await;
    wait_for(&client, "#inspect-task").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let top = client
        .execute(
            "return document.getElementById('panel-inspector').getBoundingClientRect().top",
            vec![],
        )
        .await
        .unwrap();
    let top = top.as_f64().unwrap();
    assert!((-1.0..844.0).contains(&top), "the inspector is at {top}");
    shoot(&client, "narrow-inspector.png").await;
    client.close().await.unwrap();
}

/// Launches `count` instances of `kind` in `zone` from the capacity panel.
async fn launch(client: &Client, kind: &str, count: u32, zone: &str) {
    let picker = client.find(Locator::Id("cap-type")).await.unwrap();
    picker.select_by_value(kind).await.unwrap();
    fill(client, "#cap-count", &count.to_string()).await;
    let picker = client.find(Locator::Id("cap-zone")).await.unwrap();
    picker.select_by_value(zone).await.unwrap();
    click(client, "#btn-launch").await;
    wait_text(client, "#panel-capacity", "ec2:RunInstances accepted").await;
}

/// Sends keys to an element, which takes the focus first, as a person tabbing to it would.
async fn keys_to(client: &Client, css: &str, keys: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn space_and_enter_on_a_focused_control_press_it_and_never_start_the_simulation() {
    use fantoccini::key::Key;
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    // Space on Step steps (the notice says where to), and the simulation stays paused.
    keys_to(&client, "#btn-step", " ").await;
    wait_text(&client, "#notice", "Stepped").await;
    assert!(client.find(Locator::Id("btn-play")).await.is_ok());
    // Enter on a <summary> opens its form.
    let summary = "#panel-services > details.subform:last-of-type summary";
    keys_to(&client, summary, &Key::Enter.to_string()).await;
    let open = client
        .execute(
            "return document.querySelector('#panel-services > details.subform:last-of-type').open",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(open, json!(true), "Enter opened the Run task form");
    assert!(client.find(Locator::Id("btn-play")).await.is_ok());
    // Space on a speed picks it; the arrow keys move the choice and the focus.
    keys_to(&client, ".btn-speed:nth-child(1)", " ").await;
    wait_for(&client, ".btn-speed:nth-child(1)[aria-checked=true]").await;
    keys_to(&client, ".btn-speed:nth-child(1)", &Key::Right.to_string()).await;
    wait_for(&client, ".btn-speed:nth-child(2)[aria-checked=true]").await;
    let focused = client
        .execute("return document.activeElement.textContent", vec![])
        .await
        .unwrap();
    assert_eq!(focused, json!("10x"));
    assert_eq!(
        attribute(&client, ".btn-speed:nth-child(1)", "tabindex").await,
        "-1",
        "one tab stop in the group"
    );
    assert!(
        client.find(Locator::Id("btn-play")).await.is_ok(),
        "still paused"
    );
    // With nothing focused, Space is still the shortcut.
    client
        .execute("document.activeElement.blur()", vec![])
        .await
        .unwrap();
    keys_to(&client, "body", " ").await;
    wait_for(&client, "#btn-pause").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_cluster_map_is_used_from_the_keyboard() {
    use fantoccini::key::Key;
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    // The first arrow goes to the first instance; Enter opens it in the inspector.
    keys_to(&client, "#cluster-map", &Key::Right.to_string()).await;
    let cursor = attribute(&client, "#cluster-map", "data-cursor").await;
    assert!(cursor.starts_with("Instance("), "{cursor}");
    wait_text(&client, "#map-cursor", "Press Enter to inspect").await;
    keys_to(&client, "#cluster-map", &Key::Enter.to_string()).await;
    wait_for(&client, "#inspect-instance").await;
    // The next stop is that instance's first task: its placement why-trace.
    keys_to(&client, "#cluster-map", &Key::Down.to_string()).await;
    let cursor = attribute(&client, "#cluster-map", "data-cursor").await;
    assert!(cursor.starts_with("Task("), "{cursor}");
    keys_to(&client, "#cluster-map", &Key::Enter.to_string()).await;
    wait_for(&client, "#inspect-task").await;
    wait_text(&client, "#panel-inspector", "Strategies:").await;
    assert!(
        client.find(Locator::Id("btn-play")).await.is_ok(),
        "Enter did not play"
    );
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_task_that_cannot_be_placed_shows_why_with_both_ids_of_each_instance() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "blank").await;
    let big = ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION
        .replace("\"memoryReservation\": 512", "\"memoryReservation\": 9000");
    set_editor(&client, &big).await;
    wait_text(&client, "#td-check", "Valid").await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-revisions", "web:1").await;
    launch(&client, "m5.large", 1, "us-east-1a").await;
    launch(&client, "t3.medium", 1, "us-east-1a").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#instance-list", "ACTIVE").await;
    fill(&client, "#svc-desired", "2").await;
    click(&client, "#btn-create-service").await;
    wait_text(&client, "#panel-services", "ecs:CreateService accepted").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "not steady").await;
    // The waiting group in the strip at the top of the map.
    click_map(&client, 14.0, 17.0).await;
    let view = wait_text(&client, "#inspect-waiting", "2 tasks waiting").await;
    assert!(view.contains("needs 9000 MiB of memory, "), "{view}");
    assert!(view.contains(" MiB available"), "{view}");
    let closest = text(&client, "#closest-instance").await;
    assert!(
        closest.starts_with("Container instance ") && closest.contains(" is EC2 instance i-"),
        "{closest}"
    );
    // Each row of the trace names the EC2 instance and the container instance.
    let rows = client
        .find_all(Locator::Css("#inspect-waiting .trace-table tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let cell = row.find(Locator::Css(".instance-ids")).await.unwrap();
        let spans = cell.find_all(Locator::Css("span")).await.unwrap();
        let mut ids = Vec::new();
        for span in spans {
            ids.push(span.prop("textContent").await.unwrap().unwrap_or_default());
        }
        let (ec2, container) = (ids[0].as_str(), ids[1].as_str());
        assert!(ec2.starts_with("i-"), "{ids:?}");
        assert_eq!(container.len(), 32, "{ids:?}");
        assert_eq!(ids[2], "us-east-1a");
        let title = cell.attr("title").await.unwrap().unwrap_or_default();
        assert_eq!(
            title,
            format!("EC2 instance {ec2}, container instance {container}")
        );
    }
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// A task definition of some 2 MB over many lines, pasted into the editor. The browser's own
/// work (putting the text in a textarea and laying it out) is timed apart, on a plain textarea
/// of the same page: it is the floor no page can go under. Then the playground's: from the
/// `input` event to the next frame painted.
const PASTE: &str = "
    const done = arguments[arguments.length - 1];
    const lines = [];
    for (let i = 0; i < 110000; i++) lines.push('  \"key' + i + '\": ' + i + ',');
    const text = '{\\n' + lines.join('\\n') + '\\n  \"family\": \"web\"\\n}';
    const plain = document.createElement('textarea');
    document.body.appendChild(plain);
    let t0 = performance.now();
    plain.value = text;
    plain.offsetHeight;
    const browser = performance.now() - t0;
    plain.remove();
    const area = document.getElementById('td-editor');
    area.value = text;
    area.offsetHeight;
    t0 = performance.now();
    area.dispatchEvent(new Event('input', { bubbles: true }));
    requestAnimationFrame(() => setTimeout(() => done([text.length, browser, performance.now() - t0]), 0));
";

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_2_mb_paste_keeps_the_page_responsive_and_says_the_limit() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    let out = client.execute_async(PASTE, vec![]).await.unwrap();
    let (bytes, browser, handled) = (
        out[0].as_u64().unwrap(),
        out[1].as_f64().unwrap(),
        out[2].as_f64().unwrap(),
    );
    eprintln!(
        "editor: {bytes} bytes pasted; the playground's handling blocked the page {handled:.0} ms (the browser's own textarea work: {browser:.0} ms)"
    );
    assert!(bytes > 2_000_000, "{bytes}");
    assert!(
        handled < 1000.0,
        "the paste blocked the page {handled:.0} ms"
    );
    let check = wait_text(&client, "#td-check", "128 KiB").await;
    assert!(check.contains("over the editor's limit"), "{check}");
    // Kept, not shown: the textarea is emptied and read-only, nothing highlighted, no line
    // numbers, Register off.
    wait_for(&client, "#td-editor[readonly]").await;
    let shown = client
        .execute(
            "return [document.getElementById('td-editor').value.length, document.querySelectorAll('#panel-task-definition .overlay span, .gutter div').length]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, json!([0, 0]));
    assert_eq!(
        attribute(&client, "#btn-register", "disabled").await,
        "true"
    );
    // It is autosaved; a reload paints quickly and still holds it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = Instant::now();
    client.goto(&site).await.unwrap();
    wait_text(&client, "#td-check", "128 KiB").await;
    eprintln!(
        "editor: reloaded with the text kept in {} ms",
        t0.elapsed().as_millis()
    );
    // Shown on request, as it was pasted.
    click(&client, "#btn-show-large").await;
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let length = client
            .execute(
                "return document.getElementById('td-editor').value.length",
                vec![],
            )
            .await
            .unwrap();
        if length.as_u64() == Some(bytes) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the text never came back: {length}"
        );
        tokio::time::sleep(POLL).await;
    }
    // Discarding it empties the editor.
    click(&client, "#btn-discard-large").await;
    wait_text(
        &client,
        "#td-check",
        "Paste a RegisterTaskDefinition request",
    )
    .await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn reset_and_another_scenario_set_the_session_aside_and_restore_brings_it_back() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "blank").await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-revisions", "web:1").await;
    // R resets: the request is gone, but set aside, and the notice says how to get it back.
    client
        .execute("document.activeElement.blur()", vec![])
        .await
        .unwrap();
    keys_to(&client, "body", "r").await;
    wait_text(&client, "#set-aside", "with 1 of your requests").await;
    wait_text(&client, "#notice", "set aside").await;
    wait_text(
        &client,
        "#panel-task-definition",
        "No revisions registered yet",
    )
    .await;
    // It survives a reload.
    client.goto(&site).await.unwrap();
    wait_text(&client, "#set-aside", "with 1 of your requests").await;
    click(&client, "#btn-restore").await;
    wait_text(&client, "#td-revisions", "web:1").await;
    assert!(client.find(Locator::Id("set-aside")).await.is_err());
    // Picking another scenario sets it aside too; the editor shows that scenario's definition.
    let picker = client.find(Locator::Id("scenario-picker")).await.unwrap();
    picker.select_by_value("fargate-basics").await.unwrap();
    wait_text(&client, "#set-aside", "with 1 of your requests").await;
    let check = wait_text(&client, "#td-check", "Valid").await;
    assert!(check.contains("of api"), "{check}");
    click(&client, "#btn-restore").await;
    wait_text(&client, "#td-revisions", "web:1").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn two_clusters_are_shown_one_at_a_time_and_their_services_by_cluster() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "binpack-vs-spread").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Fast-forwarded").await;
    let options = client
        .find_all(Locator::Css("#map-cluster option"))
        .await
        .unwrap();
    let mut clusters = Vec::new();
    for option in &options {
        clusters.push(option.attr("value").await.unwrap().unwrap_or_default());
    }
    assert_eq!(clusters.len(), 3, "two clusters and all: {clusters:?}");
    assert_eq!(clusters[2], "*");
    let legend = text(&client, "#map-legend").await;
    for cluster in &clusters[..2] {
        assert!(
            legend.contains(&format!("service api ({cluster})")),
            "{legend}"
        );
    }
    // The log's filter lists each of them, by cluster.
    let filters = client
        .find_all(Locator::Css("#log-service option"))
        .await
        .unwrap();
    let mut names = Vec::new();
    for option in &filters {
        names.push(option.text().await.unwrap());
    }
    for cluster in &clusters[..2] {
        assert!(names.contains(&format!("api ({cluster})")), "{names:?}");
    }
    // The first cluster is shown to begin with.
    wait_content(
        &client,
        "#panel-cluster-map-title",
        &format!("Cluster map: {}", clusters[0]),
    )
    .await;
    let mut per_cluster = 0;
    for cluster in &clusters[..2] {
        let picker = client.find(Locator::Id("map-cluster")).await.unwrap();
        picker.select_by_value(cluster).await.unwrap();
        wait_content(
            &client,
            "#panel-cluster-map-title",
            &format!("Cluster map: {cluster}"),
        )
        .await;
        per_cluster += attribute(&client, "#cluster-map", "data-instances")
            .await
            .parse::<usize>()
            .unwrap();
    }
    let picker = client.find(Locator::Id("map-cluster")).await.unwrap();
    picker.select_by_value("*").await.unwrap();
    wait_content(&client, "#panel-cluster-map-title", "every cluster").await;
    let all: usize = attribute(&client, "#cluster-map", "data-instances")
        .await
        .parse()
        .unwrap();
    assert!(per_cluster > 0);
    assert_eq!(per_cluster, all);
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_smaller_defects_of_the_walk_through_stay_fixed() {
    let (site, _driver, client) = start().await;
    // A first visit says what to do first.
    open(&client, &site, "default").await;
    wait_text(&client, "#notice", "New here?").await;

    // Steady when already steady says so; Step with nothing due says so.
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Already at a steady state").await;

    // An expanded log line stays with its event when the filter changes.
    let third = "#panel-event-log .log-row:nth-child(3)";
    let summary = text(&client, &format!("{third} .text")).await;
    click(&client, &format!("{third} .log-line")).await;
    let json = text(&client, &format!("{third} .json")).await;
    let kind = attribute(&client, third, "class").await;
    let kind = kind.split_whitespace().nth(1).unwrap().to_string();
    let picker = client.find(Locator::Id("log-kind")).await.unwrap();
    picker.select_by_value(&kind).await.unwrap();
    let open_rows = client
        .find_all(Locator::Css("#panel-event-log .json"))
        .await
        .unwrap();
    assert_eq!(open_rows.len(), 1);
    assert_eq!(open_rows[0].text().await.unwrap(), json);
    let open_line = client
        .find(Locator::Css(
            "#panel-event-log .log-line[aria-expanded=true] .text",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(open_line, summary);

    // The time reached is saved while playing: a reload comes back close to it.
    click(&client, "#btn-play").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before = clock_ms(&text(&client, "#sim-clock").await);
    client.goto(&site).await.unwrap();
    wait_for(&client, "#scenario-name").await;
    let after = clock_ms(&text(&client, "#sim-clock").await);
    // Saved at least every simulated 10 s at 10x (a wall-clock second); the page went on
    // playing for a moment between the reading and the reload.
    assert!(
        after > 0 && after.abs_diff(before) <= 12_000,
        "reloaded at {after} ms after {before} ms"
    );

    // The services form sends numbers as typed: AWS's refusal replaces the last answer.
    // (A reload comes back paused.)
    click(
        &client,
        "#panel-services > details.subform:first-of-type summary",
    )
    .await;
    fill(&client, "#svc-name", "other").await;
    fill(&client, "#svc-desired", "").await;
    click(&client, "#btn-create-service").await;
    wait_text(
        &client,
        "#panel-services",
        "desiredCount is required for a service using the REPLICA scheduling strategy.",
    )
    .await;
    fill(&client, "#svc-desired", "2.5").await;
    click(&client, "#btn-create-service").await;
    wait_text(
        &client,
        "#panel-services",
        "Invalid type for parameter desiredCount",
    )
    .await;
    assert!(!text(&client, "#panel-services")
        .await
        .contains("desiredCount is required"));

    // Fargate with a placement strategy: AWS's refusal, not a silent drop.
    open(&client, &site, "fargate-basics").await;
    let form = "#panel-services > details.subform:first-of-type";
    if !text(&client, form).await.contains("Service name") {
        click(&client, &format!("{form} summary")).await;
    }
    let launch = client.find(Locator::Id("svc-launch")).await.unwrap();
    launch.select_by_value("FARGATE").await.unwrap();
    wait_for(&client, "#svc-fargate-note").await;
    let strategy = client.find(Locator::Id("svc-strategy")).await.unwrap();
    strategy.select_by_value("binpack(memory)").await.unwrap();
    fill(&client, "#svc-name", "packed").await;
    click(&client, "#btn-create-service").await;
    wait_text(
        &client,
        "#panel-services",
        "Task placement strategies are not supported for tasks using the Fargate launch type.",
    )
    .await;

    // A DAEMON service's desired count is what DescribeServices says: the tasks it runs.
    open(&client, &site, "daemon-and-draining").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "Fast-forwarded").await;
    let row = text(&client, "#service-list [data-service=log-agent]").await;
    assert!(!row.contains("desired 0"), "{row}");
    assert!(
        row.contains("desired 2") || row.contains("desired 3"),
        "{row}"
    );
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// `T+01:02:03` (or `T+1d 01:02:03`) in milliseconds.
fn clock_ms(clock: &str) -> u64 {
    let clock = clock.trim_start_matches("T+");
    let (days, hms) = match clock.split_once("d ") {
        Some((d, rest)) => (d.parse::<u64>().unwrap(), rest),
        None => (0, clock),
    };
    let parts: Vec<u64> = hms.split(':').map(|p| p.parse().unwrap()).collect();
    ((days * 24 + parts[0]) * 3600 + parts[1] * 60 + parts[2]) * 1000
}

/// Waits for the browser to finish downloading `name`; returns its text.
async fn downloaded(name: &str) -> String {
    let path = support::downloads_dir().join(name);
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if !text.is_empty() {
                let _ = std::fs::remove_file(&path);
                return text;
            }
        }
        assert!(Instant::now() < deadline, "{name} was never downloaded");
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_share_link_opens_the_same_session_and_a_broken_one_changes_nothing() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "blank").await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-revisions", "web:1").await;
    launch(&client, "m5.large", 2, "us-east-1a").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#instance-list", "ACTIVE").await;
    fill(&client, "#svc-desired", "3").await;
    click(&client, "#btn-create-service").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#notice", "steady state").await;
    let clock = text(&client, "#sim-clock").await;
    let events = text(&client, "#panel-event-log h2").await;
    click(&client, "#btn-share").await;
    wait_text(&client, "#notice", "Share link").await;
    let link = client
        .find(Locator::Id("share-link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(link.starts_with(&site) && link.contains("/#v1:"), "{link}");

    // Someone else's browser, its own session on another scenario: the link opens this one,
    // at the same time, with the same log; theirs is left as it was.
    let picker = client.find(Locator::Id("scenario-picker")).await.unwrap();
    picker.select_by_value("fargate-basics").await.unwrap();
    wait_text(&client, "#scenario-name", "Fargate basics").await;
    client.goto(&link).await.unwrap();
    wait_text(&client, "#notice", "Opened a shared session").await;
    assert_eq!(text(&client, "#sim-clock").await, clock);
    assert_eq!(text(&client, "#panel-event-log h2").await, events);
    assert_eq!(
        attribute(&client, "#cluster-map", "data-running").await,
        "3"
    );
    let address = client.current_url().await.unwrap();
    assert!(
        address.fragment().is_none(),
        "the link is taken off the address: {address}"
    );

    // A broken link: why, and the session as it was.
    let cut = &link[..link.len() - 40];
    client.goto(cut).await.unwrap();
    wait_text(&client, "#notice", "could not be opened").await;
    assert_eq!(text(&client, "#sim-clock").await, clock);
    client.goto(&format!("{site}#v9:abc")).await.unwrap();
    let notice = wait_text(&client, "#notice", "could not be opened").await;
    assert!(notice.contains("\"v9\""), "{notice}");
    assert_eq!(text(&client, "#sim-clock").await, clock);
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_session_exports_as_a_scenario_file_and_log_and_a_file_imports() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "blank").await;
    click(&client, "#btn-register").await;
    wait_text(&client, "#td-revisions", "web:1").await;
    launch(&client, "m5.large", 1, "us-east-1b").await;
    click(&client, "#btn-fast-forward").await;
    wait_text(&client, "#instance-list", "ACTIVE").await;

    // The scenario file: the preset's steps and the two requests made here.
    click(&client, "#btn-export").await;
    let file = downloaded("ecsplay-scenario.json").await;
    let scenario = Scenario::parse(&file).unwrap();
    let actions: Vec<&str> = scenario.steps.iter().map(|s| s.action.as_str()).collect();
    assert!(
        actions.ends_with(&["ecs:RegisterTaskDefinition", "ec2:RunInstances"]),
        "{actions:?}"
    );
    // The log, as ecsplay run prints it: one JSON record a line.
    click(&client, "#btn-export-log").await;
    let log = downloaded("ecsplay-log.jsonl").await;
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines
        .iter()
        .any(|r| r["detail-type"] == "ECS Container Instance State Change"));

    // Import: a broken file says where, as the command line does, and changes nothing.
    let dir = support::downloads_dir();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, file.replacen("\"steps\"", "\"steps\" \"", 1)).unwrap();
    let picker = client.find(Locator::Id("import-file")).await.unwrap();
    picker.send_keys(broken.to_str().unwrap()).await.unwrap();
    let notice = wait_text(&client, "#notice", "Not opened").await;
    assert!(
        notice.contains("broken.json: ") && notice.contains("line"),
        "{notice}"
    );
    wait_text(&client, "#td-revisions", "web:1").await;
    // A good one opens, the current session set aside.
    let good = dir.join("fargate.json");
    std::fs::write(
        &good,
        ecsplay::scenario::presets::PRESETS
            .iter()
            .find(|(id, _)| *id == "fargate-basics")
            .unwrap()
            .1,
    )
    .unwrap();
    let picker = client.find(Locator::Id("import-file")).await.unwrap();
    picker.send_keys(good.to_str().unwrap()).await.unwrap();
    wait_text(&client, "#notice", "Opened fargate.json").await;
    wait_text(&client, "#scenario-name", "Fargate basics").await;
    wait_text(&client, "#set-aside", "with 2 of your requests").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// The number in `#id` of the embed demo page (a tick's milliseconds, or the events heard).
async fn demo_number(client: &Client, id: &str) -> u64 {
    text(client, &format!("#{id}"))
        .await
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_embed_demo_plays_one_player_and_drives_the_other_by_post_message() {
    let (site, _driver, client) = start().await;
    client
        .goto(&format!("{}/embed-demo.html", site.trim_end_matches('/')))
        .await
        .unwrap();
    // The driven player says it is ready. A seek to 20:00 ticks there, and sends the events
    // of the way.
    wait_text(&client, "#messages", "\"type\":\"ready\"").await;
    click(&client, "#demo-seek").await;
    wait_text(&client, "#last-tick", "1200000 ms").await;
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    while demo_number(&client, "events").await == 0 {
        assert!(Instant::now() < deadline, "no event on the way to 20:00");
        tokio::time::sleep(POLL).await;
    }
    // A request applied from the page, then Play at 1000x: it ticks on, and the events of
    // the service's new tasks follow.
    let heard = demo_number(&client, "events").await;
    click(&client, "#demo-scale").await;
    click(&client, "#demo-fast").await;
    click(&client, "#demo-play").await;
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    while demo_number(&client, "last-tick").await < 1_260_000
        || demo_number(&client, "events").await <= heard
    {
        assert!(
            Instant::now() < deadline,
            "no tick or event after the request: {} (last tick {})",
            text(&client, "#messages").await,
            text(&client, "#last-tick").await
        );
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#demo-pause").await;
    // A malformed message and a refused request each come back as an error; messages of
    // another version, or not for ecsplay, are ignored.
    client
        .execute(
            "const p = document.getElementById('player-b'); const o = new URL(p.src, location.href).origin; \
             p.contentWindow.postMessage({ ecsplay: 1, type: 'seek' }, o); \
             p.contentWindow.postMessage({ ecsplay: 1, type: 'apply', action: 'ecs:UpdateService', input: { cluster: 'nowhere', service: 'web', desiredCount: 1 } }, o); \
             p.contentWindow.postMessage({ ecsplay: 2, type: 'play' }, o); \
             p.contentWindow.postMessage('not for ecsplay', o);",
            vec![],
        )
        .await
        .unwrap();
    wait_text(&client, "#messages", "seek needs timeMs").await;
    wait_text(
        &client,
        "#messages",
        "ecs:UpdateService refused: ClusterNotFoundException",
    )
    .await;
    // Inside the driven player: paused past 21:00, web scaled to 4 and running them, dark.
    client.enter_frame(1).await.unwrap();
    wait_for(&client, ".app.embed.theme-dark").await;
    wait_for(&client, "#btn-play").await;
    let clock = clock_ms(&text(&client, "#sim-clock").await);
    assert!(clock >= 1_260_000, "{clock}");
    wait_for(&client, "#cluster-map[data-running='4']").await;
    client.enter_parent_frame().await.unwrap();
    // The first player plays by itself.
    client.enter_frame(0).await.unwrap();
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    while text(&client, "#sim-clock").await == "T+00:00:00" {
        assert!(
            Instant::now() < deadline,
            "the autoplaying player never moved"
        );
        tokio::time::sleep(POLL).await;
    }
    client.enter_parent_frame().await.unwrap();
    shoot(&client, "embed-demo.png").await;
    // Neither player touched the visitor's own autosave.
    let saved = client
        .execute("return localStorage.getItem('ecsplay.session')", vec![])
        .await
        .unwrap();
    assert_eq!(saved, json!(null));
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// The embed player's load: from the embedding page's start to the player's first `ready`
/// message, and the player's own first contentful paint, on localhost and with the network
/// throttled to 10 Mbit/s (20 ms latency, no cache). A benchmark that prints its figures; it
/// asserts only that the player got ready.
#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn embed_load() {
    let (site, _driver, client) = start().await;
    let demo = format!("{}/embed-demo.html", site.trim_end_matches('/'));
    for (label, throttled) in [("localhost", false), ("10 Mbit/s", true)] {
        if throttled {
            support::throttle_network(&client, 10.0, 20.0).await;
        }
        client.goto(&demo).await.unwrap();
        let deadline = Instant::now() + APP_RENDER_TIMEOUT * 2;
        let (ready, paint) = loop {
            let figures = client
                .execute(
                    "const p = document.getElementById('player-b').contentWindow; \
                     const e = p.performance.getEntriesByName('first-contentful-paint')[0]; \
                     return [window.ecsplayReadyAt === undefined ? null : window.ecsplayReadyAt, e ? e.startTime : null];",
                    vec![],
                )
                .await
                .unwrap();
            if let (Some(ready), Some(paint)) = (figures[0].as_f64(), figures[1].as_f64()) {
                break (ready, paint);
            }
            assert!(
                Instant::now() < deadline,
                "the player never got ready ({label})"
            );
            tokio::time::sleep(POLL).await;
        };
        eprintln!(
            "embed player, {label}: ready {ready:.0} ms after the embedding page started; its first frame at {paint:.0} ms of its own load"
        );
    }
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_card_is_answered_run_and_revealed_at_its_moment() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    click(&client, "#panel-learn summary").await;
    let picker = client.find(Locator::Id("card-picker")).await.unwrap();
    picker.select_by_value("1").await.unwrap();
    wait_text(&client, "#card-question", "How many instances").await;
    assert_eq!(
        attribute(&client, "#btn-run-card", "disabled").await,
        "true"
    );
    click(&client, "#card-question label:nth-of-type(3) input").await;
    click(&client, "#btn-run-card").await;
    // The card's scenario plays; the answer waits for its moment, then shows.
    wait_text(&client, "#scenario-name", "binpack vs spread").await;
    wait_text(&client, "#card-waiting", "Four").await;
    let reveal = wait_text(&client, "#card-reveal", "Not quite.").await;
    assert!(reveal.contains("Two: each instance is filled"), "{reveal}");
    assert!(reveal.contains("T+00:0"), "{reveal}");
    let link = attribute(&client, "#card-reveal a", "href").await;
    assert!(link.starts_with("https://docs.aws.amazon.com/"), "{link}");
    shoot(&client, "card.png").await;
    // Remembered across a reload.
    client.goto(&site).await.unwrap();
    wait_content(&client, "#card-picker", "✓ binpack on memory").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_cards_moment_is_marked_in_the_log_and_charts_and_the_charts_export_as_svg() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "default").await;
    click(&client, "#panel-learn summary").await;
    let index = ecsplay::ui::model::cards::index_of("task-definition").unwrap();
    let picker = client.find(Locator::Id("card-picker")).await.unwrap();
    picker.select_by_value(&index.to_string()).await.unwrap();
    wait_text(&client, "#card-question", "11 containers").await;
    click(&client, "#card-question label:nth-of-type(2) input").await;
    click(&client, "#btn-run-card").await;
    let reveal = wait_text(&client, "#card-reveal", "Right.").await;
    assert!(reveal.contains("T+00:00:30"), "{reveal}");
    // The refusal is the moment: marked in the log, with a line on the charts.
    let marked = wait_text(&client, ".log-row.moment", "card's moment").await;
    assert!(marked.contains("RegisterTaskDefinition"), "{marked}");
    assert!(marked.contains("T+00:00:30"), "{marked}");
    wait_text(&client, "#chart-moment-key", "the card's moment").await;
    // The charts as one SVG file, the moment's line in it, once the service has a chart.
    wait_for(&client, "canvas[data-service='shop']").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "card-moment.png").await;
    click(&client, "#btn-card-moment").await;
    click(&client, "#btn-export-svg").await;
    let svg = downloaded("ecsplay-charts.svg").await;
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    // plotters writes each text on a line of its own inside its element.
    assert!(svg.contains(">\nService shop: tasks\n<"), "the caption");
    assert!(svg.contains("Cluster reservation"));
    assert!(svg.contains(">\ncard\n<"), "the moment's label");
    assert!(svg.contains("<polyline"), "the lines");
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_embed_player_shows_a_card_and_reveals_it_without_storing_anything() {
    let (site, _driver, client) = start().await;
    client.goto(&site).await.unwrap();
    client
        .execute("localStorage.clear()", vec![])
        .await
        .unwrap();
    let player = format!(
        "{}?embed=1&card=task-definition",
        site.trim_end_matches('/')
    );
    client.goto(&player).await.unwrap();
    wait_text(&client, "#card-title", "What a task definition holds").await;
    wait_text(&client, "#scenario-name", "What a task definition holds").await;
    // The playground page just left saves its session once it has rendered, which may land
    // after the clear above: what is stored from here on is the player's.
    client
        .execute("localStorage.clear()", vec![])
        .await
        .unwrap();
    assert!(client.find(Locator::Id("card-picker")).await.is_err());
    click(&client, "#card-question label:nth-of-type(1) input").await;
    click(&client, "#btn-run-card").await;
    let reveal = wait_text(&client, "#card-reveal", "Not quite.").await;
    assert!(reveal.contains("ClientException"), "{reveal}");
    wait_text(&client, "#chart-moment-key", "the card's moment").await;
    shoot(&client, "embed-card.png").await;
    let stored = client
        .execute("return localStorage.length", vec![])
        .await
        .unwrap();
    let keys = client
        .execute("return Object.keys(localStorage).join(',')", vec![])
        .await
        .unwrap();
    assert_eq!(stored, json!(0), "the player keeps nothing: {keys}");
    // A card it does not know is named.
    let unknown = format!("{}?embed=1&card=nope", site.trim_end_matches('/'));
    client.goto(&unknown).await.unwrap();
    wait_text(&client, "#notice", "card=nope: not a scenario card").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_playground_and_the_player_pass_an_accessibility_audit_light_and_dark() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "daemon-and-draining").await;
    // Something on every panel: tasks on the map, a selection, the log, a card open.
    click(&client, "#btn-fast-forward").await;
    wait_content(&client, "#map-summary", "running").await;
    let summary = text(&client, "#map-summary").await;
    assert!(summary.contains("container instances"), "{summary}");
    click(&client, "#panel-learn summary").await;
    for scheme in ["light", "dark"] {
        support::prefer_color_scheme(&client, scheme).await;
        let background = client
            .execute(
                "return getComputedStyle(document.getElementById('ecsplay-app')).backgroundColor",
                vec![],
            )
            .await
            .unwrap();
        let dark = background == json!("rgb(15, 20, 25)");
        assert_eq!(dark, scheme == "dark", "{scheme}: {background}");
        let violations = support::axe_violations(&client).await;
        assert!(
            violations.is_empty(),
            "the playground, {scheme}:\n{}",
            violations.join("\n")
        );
        if scheme == "dark" {
            shoot(&client, "dark.png").await;
        }
    }
    let player = format!(
        "{}?embed=1&card=random&theme=dark",
        site.trim_end_matches('/')
    );
    client.goto(&player).await.unwrap();
    wait_text(&client, "#card-title", "random placement").await;
    let violations = support::axe_violations(&client).await;
    assert!(
        violations.is_empty(),
        "the player:\n{}",
        violations.join("\n")
    );
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_security_group_rule_made_in_the_panel_turns_timed_out_targets_healthy() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "alb-security-groups").await;
    // 10x until the checks time out (about 40 s after the tasks register at 1 minute): slow
    // enough to pause well before the scenario's own fix at 6 minutes.
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    let timed_out = wait_text(&client, ".tg[data-tg='web'] .targets", "Target.Timeout").await;
    click(&client, "#btn-pause").await;
    assert!(timed_out.contains("Request timed out"), "{timed_out}");
    let paused_at = clock_ms(&text(&client, "#sim-clock").await);
    assert!(
        paused_at < 6 * 60_000,
        "paused at {paused_at} ms, before the scenario's own fix"
    );
    // The fix from the panel: the ephemeral ports the tasks' dynamic host ports come from,
    // from the ALB's group into the instances' default group.
    fill(&client, "#rule-from", "32768").await;
    fill(&client, "#rule-to", "65535").await;
    let source = client.find(Locator::Id("rule-source")).await.unwrap();
    let alb_group = client
        .execute(
            "return [...document.querySelectorAll('#rule-source option')].find(o => o.textContent === 'group alb').value",
            vec![],
        )
        .await
        .unwrap();
    source
        .select_by_value(alb_group.as_str().unwrap())
        .await
        .unwrap();
    let into = client.find(Locator::Id("rule-group")).await.unwrap();
    into.select_by_value("sg-0defa017000000000").await.unwrap();
    click(&client, "#form-ingress button[type=submit]").await;
    wait_text(
        &client,
        "#panel-load-balancing",
        "ec2:AuthorizeSecurityGroupIngress accepted.",
    )
    .await;
    wait_text(&client, "#sg-list", "TCP 32768-65535 from alb").await;
    // The next tasks' targets pass their first check: two healthy targets.
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let healthy = client
            .execute(
                "return document.querySelectorAll(\".tg[data-tg='web'] .badge.health.healthy\").length",
                vec![],
            )
            .await
            .unwrap();
        if healthy == json!(2) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the targets never turned healthy"
        );
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#btn-pause").await;
    // The map marks each chip with its target's health, and says so in the legend.
    wait_text(&client, "#map-legend", "target unhealthy").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "load-balancing-map.png").await;
    client
        .execute(
            "document.getElementById('panel-load-balancing').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    shoot(&client, "load-balancing.png").await;
    // The history says how the target got there.
    let history = text(&client, ".tg[data-tg='web'] .target details").await;
    assert!(history.contains("History"), "{history}");
    // A second load balancer from the form: a target group, the ALB and its listener.
    click(
        &client,
        "#panel-load-balancing details:nth-of-type(2) summary",
    )
    .await;
    fill(&client, "#alb-name", "api").await;
    click(&client, "#form-alb button[type=submit]").await;
    wait_text(
        &client,
        "#panel-load-balancing",
        "elasticloadbalancing:CreateListener accepted.",
    )
    .await;
    wait_text(&client, ".lb[data-lb='api']", "HTTP :80 → api").await;
    // A service behind it, from the services panel: its task registers and turns healthy.
    client
        .execute(
            "document.querySelector('#panel-services details.subform').open = true",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "#svc-name", "api").await;
    fill(&client, "#svc-desired", "1").await;
    let arn = client
        .execute(
            "return [...document.querySelectorAll('#svc-target-group option')].find(o => o.textContent === 'target group api').value",
            vec![],
        )
        .await
        .unwrap();
    let group = client.find(Locator::Id("svc-target-group")).await.unwrap();
    group.select_by_value(arn.as_str().unwrap()).await.unwrap();
    click(&client, "#btn-create-service").await;
    wait_text(&client, "#panel-services", "ecs:CreateService accepted.").await;
    click(&client, "#btn-play").await;
    wait_text(&client, ".tg[data-tg='api'] .targets", "healthy").await;
    click(&client, "#btn-pause").await;
    // Traffic from the panel: 200 requests a second, steady; the request chart fills in.
    set_traffic_rate(&client, "api", 200).await;
    click(
        &client,
        ".lb[data-lb='api'] .traffic-form button[type=submit]",
    )
    .await;
    wait_text(&client, "#panel-load-balancing", "sim:SetTraffic accepted.").await;
    click(&client, "#btn-play").await;
    wait_text(&client, ".tg[data-tg='api'] .targets", "200 req/s").await;
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let points = client
            .execute(
                "const f = [...document.querySelectorAll(\"#panel-charts figure[data-chart='requests']\")].find(f => f.textContent.startsWith('api:')); return f ? Number(f.dataset.points) : 0",
                vec![],
            )
            .await
            .unwrap();
        if points.as_u64().unwrap_or(0) >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "the request chart never moved");
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#btn-pause").await;
    let captions = text(&client, "#panel-charts").await;
    assert!(
        captions.contains("api: requests and 5xx a minute"),
        "{captions}"
    );
    assert!(
        captions.contains("api: target response time (ms, average)"),
        "{captions}"
    );
    wait_for(&client, "#panel-charts figure[data-chart='latency']").await;
    client
        .execute(
            "[...document.querySelectorAll(\"#panel-charts figure[data-chart='requests']\")].find(f => f.textContent.startsWith('api:')).scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "traffic-charts.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_classic_load_balancer_puts_its_instances_in_service_and_one_made_in_the_panel_checks_its_own(
) {
    let (site, _driver, client) = start().await;
    open(&client, &site, "clb-static-ports").await;
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    // The service's four instances pass three checks each: InService, in the Classic shape.
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let in_service = client
            .execute(
                "return [...document.querySelectorAll(\".tg[data-tg='legacy'] .badge.health\")].filter(b => b.textContent === 'InService').length",
                vec![],
            )
            .await
            .unwrap();
        if in_service == json!(4) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the instances never went InService"
        );
        tokio::time::sleep(POLL).await;
    }
    let card = text(&client, ".tg[data-tg='legacy']").await;
    assert!(
        card.contains("Classic Load Balancer legacy: instances")
            && card.contains("checks HTTP:80/ every 10 s, InService after 3")
            && card.contains("connection draining 60 s"),
        "{card}"
    );
    wait_text(&client, ".lb[data-lb='legacy']", "HTTP :80 → instances :80").await;
    // Traffic from 3 minutes: AWS/ELB's requests chart fills in.
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let points = client
            .execute(
                "const f = [...document.querySelectorAll(\"#panel-charts figure[data-chart='requests']\")].find(f => f.textContent.startsWith('legacy:')); return f ? Number(f.dataset.points) : 0",
                vec![],
            )
            .await
            .unwrap();
        if points.as_u64().unwrap_or(0) >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the request chart never moved");
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#btn-pause").await;
    let captions = text(&client, "#panel-charts").await;
    assert!(
        captions.contains("legacy: latency (ms, average)"),
        "{captions}"
    );
    // A service may name it: the service form offers it by name.
    let offered = client
        .execute(
            "return [...document.querySelectorAll('#svc-target-group option')].map(o => o.textContent + '=' + o.value)",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        offered
            .as_array()
            .unwrap()
            .contains(&json!("Classic Load Balancer legacy=classic:legacy")),
        "{offered}"
    );
    tokio::time::sleep(Duration::from_millis(1200)).await;
    shoot(&client, "classic-map.png").await;
    // A second one from the form, on a port nothing listens on: an instance registered from
    // the panel is OutOfService while registering, then fails its TCP checks.
    client
        .execute(
            "document.querySelectorAll('#panel-load-balancing details.lb-section')[2].open = true",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "#clb-name", "edge").await;
    let protocol = client.find(Locator::Id("clb-protocol")).await.unwrap();
    protocol.select_by_value("TCP").await.unwrap();
    fill(&client, "#clb-port", "8080").await;
    fill(&client, "#clb-instance-port", "8080").await;
    fill(&client, "#clb-target", "TCP:8080").await;
    fill(&client, "#clb-interval", "10").await;
    click(&client, "#form-clb button[type=submit]").await;
    wait_text(
        &client,
        "#panel-load-balancing",
        "elasticloadbalancing:ConfigureHealthCheck accepted.",
    )
    .await;
    wait_text(
        &client,
        ".lb[data-lb='edge']",
        "TCP :8080 → instances :8080",
    )
    .await;
    click(&client, ".tg[data-tg='edge'] form button[type=submit]").await;
    wait_text(
        &client,
        ".tg[data-tg='edge'] .targets",
        "Instance registration is still in progress.",
    )
    .await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".tg[data-tg='edge'] .targets",
        "Instance has failed at least the UnhealthyThreshold number of health checks consecutively.",
    )
    .await;
    click(&client, "#btn-pause").await;
    client
        .execute(
            "document.getElementById('panel-load-balancing').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    shoot(&client, "classic-panel.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn a_target_tracking_policy_added_in_the_panel_fires_its_alarm_and_steps_the_desired_count_up(
) {
    let (site, _driver, client) = start().await;
    open(&client, &site, "alb-traffic-overload").await;
    // The service arrives at 1 minute; the ramp starts at 3.
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_for(&client, ".service-row[data-service='web'] .scaling").await;
    click(&client, "#btn-pause").await;
    client
        .execute(
            "document.querySelector(\".scaling[data-scaling='web']\").open = true",
            vec![],
        )
        .await
        .unwrap();
    // The bounds are checked as they are typed, with the API's own words.
    set_value(&client, ".scaling[data-scaling='web'] .scaling-min", "9").await;
    set_value(&client, ".scaling[data-scaling='web'] .scaling-max", "8").await;
    wait_text(
        &client,
        ".scaling[data-scaling='web'] .bounds-check",
        "Minimum capacity (9) cannot be greater than maximum capacity (8).",
    )
    .await;
    fill(&client, ".scaling[data-scaling='web'] .scaling-min", "2").await;
    fill(&client, ".scaling[data-scaling='web'] .scaling-max", "8").await;
    wait_gone(&client, ".scaling[data-scaling='web'] .bounds-check").await;
    click(
        &client,
        ".scaling[data-scaling='web'] .form-scalable-target button[type=submit]",
    )
    .await;
    wait_text(
        &client,
        "#panel-services",
        "application-autoscaling:RegisterScalableTarget accepted.",
    )
    .await;
    wait_text(
        &client,
        ".scaling[data-scaling='web'] summary",
        "Auto scaling: 2 to 8 tasks",
    )
    .await;
    click(
        &client,
        ".scaling[data-scaling='web'] .form-target-tracking button[type=submit]",
    )
    .await;
    wait_text(
        &client,
        "#panel-services",
        "application-autoscaling:PutScalingPolicy accepted.",
    )
    .await;
    let policy = wait_text(
        &client,
        ".scaling[data-scaling='web'] .scaling-policies",
        "cpu-target-tracking",
    )
    .await;
    assert!(
        policy.contains("> 50") && policy.contains("< 45"),
        "the two alarms and their thresholds: {policy}"
    );
    // A step policy and its alarm, checked as typed: the threshold must be a number.
    set_value(
        &client,
        ".scaling[data-scaling='web'] .step-threshold",
        "high",
    )
    .await;
    wait_text(
        &client,
        ".scaling[data-scaling='web'] .step-check",
        "Threshold 'high' is not a number.",
    )
    .await;
    set_value(
        &client,
        ".scaling[data-scaling='web'] .step-threshold",
        "70",
    )
    .await;
    wait_gone(&client, ".scaling[data-scaling='web'] .step-check").await;
    click(
        &client,
        ".scaling[data-scaling='web'] .form-step button[type=submit]",
    )
    .await;
    let step = wait_text(
        &client,
        ".scaling[data-scaling='web'] .scaling-policies",
        "cpu-step-out (step)",
    )
    .await;
    assert!(
        step.contains(">= 70 · web-cpu-step-out"),
        "the step policy's alarm and its threshold: {step}"
    );
    // A scheduled action's schedule is checked as it is typed: the next time, or why not.
    set_value(
        &client,
        ".scaling[data-scaling='web'] .scheduled-schedule",
        "cron(0 9 * *)",
    )
    .await;
    wait_text(
        &client,
        ".scaling[data-scaling='web'] .schedule-check",
        "six fields",
    )
    .await;
    set_value(
        &client,
        ".scaling[data-scaling='web'] .scheduled-schedule",
        "cron(0 9 ? * MON-FRI *)",
    )
    .await;
    let zone = client
        .find(Locator::Css(".scaling[data-scaling='web'] .scheduled-zone"))
        .await
        .unwrap();
    zone.select_by_value("Europe/Paris").await.unwrap();
    wait_text(
        &client,
        ".scaling[data-scaling='web'] .schedule-check",
        "next: 2026-01-01 09:00 Europe/Paris (08:00 UTC)",
    )
    .await;
    click(
        &client,
        ".scaling[data-scaling='web'] .form-scheduled button[type=submit]",
    )
    .await;
    wait_text(
        &client,
        "#panel-services",
        "application-autoscaling:PutScheduledAction accepted.",
    )
    .await;
    wait_text(
        &client,
        ".scaling[data-scaling='web'] .scheduled-actions",
        "business-hours: cron(0 9 ? * MON-FRI *) (Europe/Paris)",
    )
    .await;
    // The ramp fills the tasks' CPU: the high alarm fires and the desired count steps up.
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    // What is typed stays while the page redraws each frame.
    fill(
        &client,
        ".scaling[data-scaling='web'] .step-cooldown",
        "120",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let typed = client
        .execute(
            "return document.querySelector(\".scaling[data-scaling='web'] .step-cooldown\").value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(typed, json!("120"), "a cooldown typed while playing");
    wait_text(
        &client,
        ".scaling[data-scaling='web'] .scaling-activities",
        "Setting desired count to",
    )
    .await;
    click(&client, "#btn-pause").await;
    let head = text(&client, ".service-row[data-service='web'] .service-head").await;
    let desired: u32 = head
        .split("desired ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(desired > 2, "{head}");
    let log = text(&client, "#panel-event-log").await;
    assert!(
        log.contains("ALARM"),
        "the alarm's event is in the log: {log}"
    );
    // The tasks chart marks the change; its strip says the activity's description and cause.
    let said = client
        .execute(
            "const m = document.querySelector(\"canvas[data-service='web'] ~ .scaling-mark\"); return m && m.title",
            vec![],
        )
        .await
        .unwrap();
    let said = said.as_str().unwrap_or_default();
    assert!(
        said.starts_with("Setting desired count to ")
            && said.contains("in state ALARM triggered policy"),
        "{said}"
    );
    // The alarm's chart: its metric and threshold.
    let captions = text(&client, "#panel-charts").await;
    assert!(
        captions
            .contains("AlarmHigh (target tracking): CPUUtilization Average (GreaterThanThreshold)"),
        "{captions}"
    );
    client
        .execute(
            "document.querySelector(\"#panel-charts figure[data-chart='alarm']\").scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "alarm-chart.png").await;
    client
        .execute(
            "document.getElementById('panel-charts').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "scaling-chart.png").await;
    client
        .execute(
            "document.querySelector(\".scaling[data-scaling='web']\").scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "auto-scaling.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn spot_tasks_are_marked_interrupted_from_the_panel_and_replaced_and_a_form_names_a_strategy()
{
    let (site, _driver, client) = start().await;
    open(&client, &site, "fargate-spot-mix").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_text(&client, "#fargate-capacity", "Spot tasks running: 6").await;
    click(&client, "#btn-pause").await;
    wait_text(&client, "#map-legend", "Fargate Spot task").await;
    wait_text(
        &client,
        "#fargate-capacity [data-providers='demo']",
        "demo: capacity providers FARGATE, FARGATE_SPOT",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    shoot(&client, "fargate-spot-map.png").await;
    // Half the Spot tasks reclaimed from the panel: the warning is in the log, with ECS's
    // stop code and reason, and the service puts them back on Spot.
    fill(&client, "#spot-share", "50").await;
    click(&client, "#btn-interrupt-spot").await;
    wait_text(&client, "#panel-capacity", "sim:InterruptSpot accepted.").await;
    wait_text(&client, "#fargate-capacity", "Spot tasks running: 3").await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        "#panel-event-log",
        "Your Spot Task was interrupted.",
    )
    .await;
    wait_text(&client, "#fargate-capacity", "Spot tasks running: 6").await;
    click(&client, "#btn-pause").await;
    // A new service from the form on FARGATE_SPOT alone.
    client
        .execute(
            "document.querySelector('#panel-services details.subform').open = true",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "#svc-name", "batch").await;
    fill(&client, "#svc-desired", "2").await;
    let launch = client.find(Locator::Id("svc-launch")).await.unwrap();
    launch.select_by_value("spot").await.unwrap();
    click(&client, "#btn-create-service").await;
    wait_text(&client, "#panel-services", "ecs:CreateService accepted.").await;
    click(&client, "#btn-play").await;
    wait_text(&client, "#fargate-capacity", "Spot tasks running: 8").await;
    click(&client, "#btn-pause").await;
    client
        .execute(
            "document.getElementById('panel-capacity').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "fargate-spot-panel.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn an_auto_scaling_group_made_in_the_panel_launches_instances_that_join_the_cluster() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "asg-basics").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        "#asg-list [data-group='nodes']",
        "min 1 · desired 2 · max 6 · 2 instances",
    )
    .await;
    wait_text(&client, "#asg-list [data-group='nodes']", "InService").await;
    click(&client, "#btn-pause").await;
    // A second group from the form: a launch template for the cluster and the group.
    fill(&client, "#asg-name", "more").await;
    fill(&client, "#asg-desired", "1").await;
    click(&client, "#form-asg button[type=submit]").await;
    wait_text(
        &client,
        "#panel-capacity",
        "autoscaling:CreateAutoScalingGroup accepted.",
    )
    .await;
    wait_text(
        &client,
        "#asg-list [data-group='more']",
        "Launching a new EC2 instance: i-",
    )
    .await;
    // Its desired capacity set from its row: a second instance, in the other zone.
    fill(&client, "#asg-list [data-group='more'] .group-desired", "2").await;
    click(&client, "#asg-list [data-group='more'] button[type=submit]").await;
    wait_text(
        &client,
        "#asg-list [data-group='more']",
        "min 1 · desired 2 · max 6 · 2 instances",
    )
    .await;
    click(&client, "#btn-play").await;
    // Their agents register: the cluster has the 4 of nodes and the 2 of more.
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let in_service = client
            .execute(
                "return document.querySelectorAll(\"#asg-list [data-group='more'] .lifecycle.inservice\").length",
                vec![],
            )
            .await
            .unwrap();
        if in_service == json!(2) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the group's instances never went InService"
        );
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#btn-pause").await;
    // The first group as a capacity provider, the cluster's default strategy; a service made
    // with that default runs on the group's instances.
    click(&client, "#asg-list [data-group='nodes'] > button").await;
    wait_text(
        &client,
        "#asg-list [data-group='nodes']",
        "capacity provider nodes-cp Use in cluster demo",
    )
    .await;
    click(&client, "#asg-list [data-group='nodes'] > button").await;
    wait_text(
        &client,
        "#panel-capacity",
        "ecs:PutClusterCapacityProviders accepted.",
    )
    .await;
    client
        .execute(
            "document.querySelector('#panel-services details.subform').open = true",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "#svc-name", "api").await;
    fill(&client, "#svc-desired", "2").await;
    let launch = client.find(Locator::Id("svc-launch")).await.unwrap();
    launch.select_by_value("default").await.unwrap();
    click(&client, "#btn-create-service").await;
    wait_text(&client, "#panel-services", "ecs:CreateService accepted.").await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='api'] .service-head",
        "running 2",
    )
    .await;
    // Managed scaling's alarms on CapacityProviderReservation are charted with the others
    // once the metric has its first minutes.
    wait_text(
        &client,
        "#panel-charts",
        "CapacityProviderReservation Average (GreaterThanThreshold)",
    )
    .await;
    click(&client, "#btn-pause").await;
    // A host fails from its row: its group takes it out of service and replaces it.
    let failed = client
        .execute(
            "return document.querySelector(\"#asg-list [data-group='nodes'] .group-instances li\").textContent.split(' ')[1]",
            vec![],
        )
        .await
        .unwrap();
    let failed = failed.as_str().unwrap().to_string();
    assert!(failed.starts_with("i-"), "{failed}");
    click(
        &client,
        &format!(".instance-row[data-instance='{failed}'] .btn-fail"),
    )
    .await;
    wait_text(&client, "#panel-capacity", "sim:FailInstance accepted.").await;
    wait_text(
        &client,
        "#asg-list [data-group='nodes']",
        &format!("Terminating EC2 instance: {failed} (Successful)"),
    )
    .await;
    client
        .execute(
            "document.getElementById('asg-section').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "auto-scaling-groups.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn raising_traffic_on_the_closed_loop_adds_tasks_then_instances_and_the_waiting_tasks_land() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "closed-loop-day").await;
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='web'] .service-head",
        "running 2",
    )
    .await;
    // The scenario's daily traffic starts at 4 minutes (the night's 8 requests a second).
    wait_text(&client, ".tg[data-tg='web'] .targets", "req/s").await;
    click(&client, "#btn-pause").await;
    // Far more traffic than two tasks and one instance can take, in its place.
    set_traffic_rate(&client, "web", 300).await;
    click(
        &client,
        ".lb[data-lb='web'] .traffic-form button[type=submit]",
    )
    .await;
    wait_text(&client, "#panel-load-balancing", "sim:SetTraffic accepted.").await;
    click(&client, "#btn-play").await;
    // The service scales out and what the group cannot hold waits PROVISIONING.
    wait_text(
        &client,
        ".service-row[data-service='web'] .service-head",
        "waiting for capacity",
    )
    .await;
    click(&client, "#btn-pause").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "closed-loop-provisioning.png").await;
    click(&client, "#btn-play").await;
    // The group launches instances; the waiting tasks land on them.
    let number = |text: &str, before: &str| -> u64 {
        text.split(before)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + 2 * APP_RENDER_TIMEOUT;
    loop {
        let group = text_of(&client, "#asg-list [data-group='nodes']").await;
        let service = text_of(&client, ".service-row[data-service='web'] .service-head").await;
        let (desired, running, pending) = (
            number(&group, "desired "),
            number(&service, "running "),
            number(&service, "pending "),
        );
        if desired >= 3 && running >= 10 && pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "group desired {desired}, service running {running} pending {pending}"
        );
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#btn-pause").await;
    // It was the reservation above its target: managed scaling's high alarm went to ALARM.
    let kind = client.find(Locator::Id("log-kind")).await.unwrap();
    kind.select_by_value("alarm").await.unwrap();
    let fired = client
        .execute(
            "return [...document.querySelectorAll('#panel-event-log .log-line')].some(l => l.textContent.includes('TargetTracking-nodes-AlarmHigh-') && l.textContent.includes('OK -> ALARM'))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fired, json!(true), "the group's high alarm fired");
    wait_text(
        &client,
        "#panel-charts",
        "Auto Scaling group nodes: instances",
    )
    .await;
    wait_text(
        &client,
        "#panel-charts",
        "Running tasks per capacity provider",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "closed-loop.png").await;
    client
        .execute(
            "document.getElementById('panel-charts').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "closed-loop-charts.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// The text of the first element `css` matches ("" when there is none).
/// Walks the map's stops in order, from the keyboard, until the inspector shows a running task
/// (stopped ones stay on the map a while).
async fn inspect_a_running_task(client: &Client) {
    use fantoccini::key::Key;
    keys_to(client, "#cluster-map", &Key::Right.to_string()).await;
    for _ in 0..12 {
        keys_to(client, "#cluster-map", &Key::Enter.to_string()).await;
        tokio::time::sleep(POLL).await;
        if text_of(client, "#panel-inspector")
            .await
            .contains("RUNNING / RUNNING")
        {
            return;
        }
        keys_to(client, "#cluster-map", &Key::Down.to_string()).await;
    }
    panic!("no running task on the map");
}

async fn text_of(client: &Client, css: &str) -> String {
    let found = client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .await
        .unwrap();
    found.as_str().unwrap_or("").to_string()
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_zone_failed_from_the_panel_moves_the_group_and_the_tasks_to_the_other_zone() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "zone-failure").await;
    // Before the scenario fails the zone itself (at 6 minutes), the page does.
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='web'] .service-head",
        "running 8",
    )
    .await;
    click(&client, "#btn-pause").await;
    click(&client, "#zone-controls button[data-zone='us-east-1a']").await;
    wait_text(
        &client,
        "#panel-capacity",
        "sim:FailAvailabilityZone accepted.",
    )
    .await;
    wait_text(&client, "#zone-controls", "Restore us-east-1a").await;
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    // The group replaces its instances in us-east-1b and the service its tasks there.
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let rows = client
            .execute(
                "return [...document.querySelectorAll('#instance-list .instance-row')].map(r => r.textContent)",
                vec![],
            )
            .await
            .unwrap();
        let rows: Vec<String> = serde_json::from_value(rows).unwrap();
        let service = text_of(&client, ".service-row[data-service='web'] .service-head").await;
        if rows.len() == 4
            && rows.iter().all(|r| r.contains("us-east-1b"))
            && service.contains("running 8")
        {
            break;
        }
        assert!(Instant::now() < deadline, "{rows:?} {service}");
        tokio::time::sleep(POLL).await;
    }
    click(&client, "#btn-pause").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "zone-failure.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_groups_cpu_policy_is_added_from_its_row_and_charted_with_its_alarms() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "asg-basics").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_text(&client, "#asg-list [data-group='nodes']", "InService").await;
    click(&client, "#btn-pause").await;
    fill(
        &client,
        "#asg-list [data-group='nodes'] .group-cpu-target",
        "60",
    )
    .await;
    click(
        &client,
        "#asg-list [data-group='nodes'] .form-cpu-policy button[type=submit]",
    )
    .await;
    wait_text(
        &client,
        "#panel-capacity",
        "autoscaling:PutScalingPolicy accepted.",
    )
    .await;
    wait_text(
        &client,
        "#asg-list [data-group='nodes']",
        "policy cpu-target-tracking: average CPU at 60%",
    )
    .await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        "#panel-charts",
        "CPUUtilization Average (GreaterThanThreshold)",
    )
    .await;
    click(&client, "#btn-pause").await;
    // Deleted from the row: the policy and its alarms go.
    click(&client, "#asg-list [data-group='nodes'] .cpu-policy button").await;
    wait_text(
        &client,
        "#panel-capacity",
        "autoscaling:DeletePolicy accepted.",
    )
    .await;
    wait_text(&client, "#asg-list [data-group='nodes']", "Scale on CPU at").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_mixed_group_from_the_form_has_a_spot_instance_that_is_interrupted_and_replaced() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "blank").await;
    client
        .execute("document.getElementById('asg-section').open = true", vec![])
        .await
        .unwrap();
    fill(&client, "#asg-name", "spot").await;
    fill(&client, "#asg-desired", "2").await;
    fill(&client, "#asg-spot", "50").await;
    let second = client.find(Locator::Id("asg-second-type")).await.unwrap();
    second.select_by_value("c5.large").await.unwrap();
    click(&client, "#form-asg button[type=submit]").await;
    wait_text(
        &client,
        "#panel-capacity",
        "autoscaling:CreateAutoScalingGroup accepted.",
    )
    .await;
    // Half of the instances Spot: one On-Demand, one Spot.
    wait_text(&client, "#asg-list [data-group='spot']", " · Spot").await;
    click(
        &client,
        "#asg-list [data-group='spot'] .btn-interrupt-instance",
    )
    .await;
    wait_text(&client, "#panel-capacity", "sim:InterruptSpot accepted.").await;
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    // Two minutes after the notice EC2 reclaims it and the group replaces it.
    wait_text(
        &client,
        "#asg-list [data-group='spot']",
        "Terminating EC2 instance",
    )
    .await;
    click(&client, "#btn-pause").await;
    // EC2's notice and Auto Scaling's replacement in the log's EC2 kind.
    let log = client.find(Locator::Id("log-kind")).await.unwrap();
    log.select_by_value("ec2").await.unwrap();
    wait_text(
        &client,
        "#panel-event-log",
        "EC2 Spot Instance Interruption Warning i-",
    )
    .await;
    wait_text(
        &client,
        "#panel-event-log",
        "EC2 Instance Terminate Successful: Terminating EC2 instance",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "spot-instance.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_fargate_service_moves_to_fargate_spot_from_its_row() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "fargate-basics").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='api'] .service-head",
        "running 3",
    )
    .await;
    click(&client, "#btn-pause").await;
    // The cluster gets Fargate's providers, then the service a FARGATE_SPOT strategy: ECS
    // requires a new deployment, which the row asks for.
    click(
        &client,
        "#fargate-capacity [data-providers='serverless'] button",
    )
    .await;
    wait_text(
        &client,
        "#panel-capacity",
        "ecs:PutClusterCapacityProviders accepted.",
    )
    .await;
    let choice = client
        .find(Locator::Css(
            ".service-row[data-service='api'] .form-deploy select",
        ))
        .await
        .unwrap();
    choice.select_by_value("strategy:spot").await.unwrap();
    click(
        &client,
        ".service-row[data-service='api'] .form-deploy button[type=submit]",
    )
    .await;
    wait_text(&client, "#panel-services", "ecs:UpdateService accepted.").await;
    click(&client, "#btn-play").await;
    wait_text(&client, "#fargate-capacity", "Spot tasks running: 3").await;
    click(&client, "#btn-pause").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

/// Moves load balancer `lb`'s traffic slider to `rate` requests a second, as a drag does, and
/// waits for the form to show it.
async fn set_traffic_rate(client: &Client, lb: &str, rate: u32) {
    client
        .execute(
            "const r = document.querySelector(`.lb[data-lb='${arguments[0]}'] .traffic-rate`); r.value = String(arguments[1]); r.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(lb), json!(rate)],
        )
        .await
        .unwrap();
    wait_text(
        client,
        &format!("#traffic-rate-{lb}"),
        &format!("{rate} req/s"),
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_fargate_service_missing_its_execution_role_runs_once_the_role_is_made_in_the_panel() {
    use fantoccini::key::Key;
    let (site, _driver, client) = start().await;
    open(&client, &site, "execution-role-missing").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    // ECS cannot assume a role that does not exist: the service fails to launch tasks.
    wait_content(
        &client,
        "#panel-event-log",
        "failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::123456789012:role/webExecutionRole'",
    )
    .await;
    wait_text(
        &client,
        "#role-webExecutionRole",
        "missing: ECS cannot assume it",
    )
    .await;
    wait_text(
        &client,
        "#role-webExecutionRole",
        "Used as the execution role of web:1: pulls from ECR, writes to CloudWatch Logs",
    )
    .await;
    click(&client, "#btn-pause").await;
    shoot(&client, "execution-role-missing.png").await;
    // Made from the panel: trusts ecs-tasks.amazonaws.com, with the managed execution policy.
    click(&client, "#role-webExecutionRole-create").await;
    wait_text(&client, "#panel-roles", "iam:AttachRolePolicy accepted.").await;
    wait_text(
        &client,
        "#role-webExecutionRole",
        "Trusts ecs-tasks.amazonaws.com",
    )
    .await;
    wait_text(
        &client,
        "#role-webExecutionRole",
        "AmazonECSTaskExecutionRolePolicy",
    )
    .await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='web'] .service-head",
        "running 2",
    )
    .await;
    // Its containers' lines in the log viewer, and filtered.
    wait_text(&client, "#log-lines", "INFO listening on :8080").await;
    click(&client, "#btn-pause").await;
    fill(&client, "#log-filter", "starting").await;
    let deadline = Instant::now() + APP_RENDER_TIMEOUT;
    loop {
        let lines = text_of(&client, "#log-lines").await;
        if lines.contains("INFO web 1.4 starting") && !lines.contains("listening") {
            break;
        }
        assert!(Instant::now() < deadline, "the filter left {lines:?}");
        tokio::time::sleep(POLL).await;
    }
    // A task's start-up checklist and its own lines in the inspector.
    keys_to(&client, "#cluster-map", &Key::Right.to_string()).await;
    let mut cursor = attribute(&client, "#cluster-map", "data-cursor").await;
    for _ in 0..4 {
        if cursor.starts_with("Task(") {
            break;
        }
        keys_to(&client, "#cluster-map", &Key::Down.to_string()).await;
        cursor = attribute(&client, "#cluster-map", "data-cursor").await;
    }
    assert!(cursor.starts_with("Task("), "{cursor}");
    keys_to(&client, "#cluster-map", &Key::Enter.to_string()).await;
    wait_for(&client, "#inspect-task").await;
    wait_text(&client, "#startup-checklist", "Assume the execution role").await;
    wait_text(&client, "#startup-checklist", "Pull image from ECR").await;
    wait_text(
        &client,
        "#startup-checklist",
        "Log to CloudWatch Logs: /ecs/web: ecs/web/",
    )
    .await;
    wait_text(&client, "#task-log-lines", "INFO listening on :8080").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "execution-role-created.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_missing_parameter_made_in_the_secrets_panel_lets_the_tasks_start_with_it_masked() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "missing-secret").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_content(
        &client,
        "#panel-event-log",
        "invalid ssm parameters: arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password",
    )
    .await;
    click(&client, "#btn-pause").await;
    // Before the scenario makes it (at 3 minutes), the page does.
    let kind = client.find(Locator::Id("secret-kind")).await.unwrap();
    kind.select_by_value("SecureString").await.unwrap();
    fill(&client, "#secret-name", "/prod/db/password").await;
    fill(&client, "#secret-value", "from-the-panel").await;
    click(&client, "#form-secret button[type=submit]").await;
    wait_text(&client, "#panel-secrets", "ssm:PutParameter accepted.").await;
    wait_text(
        &client,
        "#secret-list",
        "Parameter /prod/db/password · SecureString · version 1",
    )
    .await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='api'] .service-head",
        "running 2",
    )
    .await;
    click(&client, "#btn-pause").await;
    inspect_a_running_task(&client).await;
    wait_content(&client, "#task-environment", "api: STAGE=prod").await;
    let environment = wait_content(&client, "#task-environment", "api: DB_PASSWORD=••••••").await;
    assert!(
        !environment.contains("from-the-panel"),
        "a secret's value is masked: {environment}"
    );
    wait_content(&client, "#startup-checklist", "Secret: DB_PASSWORD from arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password (version 1)").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    // The inspector scrolled to the checklist and the environment, for the screenshot.
    client
        .execute(
            "const p = document.getElementById('panel-inspector'); p.scrollTop = document.getElementById('startup-checklist').getBoundingClientRect().top - p.getBoundingClientRect().top + p.scrollTop - 8;",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    shoot(&client, "missing-secret.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn a_mount_target_made_in_the_efs_panel_lets_tasks_in_the_other_zone_share_the_file() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "efs-shared-zones").await;
    click(&client, ".btn-speed:nth-child(2)").await;
    click(&client, "#btn-play").await;
    wait_content(
        &client,
        "#panel-event-log",
        "and ensure that the VPC has an EFS mount target for this file system ID",
    )
    .await;
    click(&client, "#btn-pause").await;
    wait_text(&client, "#efs-list", "Mount targets: us-east-1a").await;
    click(&client, "#efs-list button[data-zone='us-east-1b']").await;
    wait_text(&client, "#panel-efs", "efs:CreateMountTarget accepted.").await;
    wait_text(
        &client,
        "#efs-list",
        "Mount targets: us-east-1a, us-east-1b",
    )
    .await;
    click(&client, "#btn-play").await;
    wait_text(
        &client,
        ".service-row[data-service='visits'] .service-head",
        "running 4",
    )
    .await;
    // Let both zones' tasks write, then look at one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    click(&client, "#btn-pause").await;
    inspect_a_running_task(&client).await;
    wait_content(
        &client,
        "#task-files",
        "shared by every task that mounts it, in every zone",
    )
    .await;
    wait_content(&client, "#task-files", "/visits.log").await;
    wait_content(&client, "#startup-checklist", "Mount EFS volume shared").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot(&client, "efs-shared-zones.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}

#[tokio::test]
#[ignore = "end-to-end: needs the built site and chromedriver (make test)"]
async fn the_log_viewer_shows_the_requests_and_a_filter_finds_the_crashes_last_lines() {
    let (site, _driver, client) = start().await;
    open(&client, &site, "awslogs-crash").await;
    click(&client, ".btn-speed:nth-child(3)").await;
    click(&client, "#btn-play").await;
    // The group is the driver's own (awslogs-create-group), and the requests reach the log.
    wait_content(&client, "#log-lines", "GET /orders 200 12ms").await;
    wait_content(&client, "#log-lines", "FATAL orders exiting with status 1").await;
    click(&client, "#btn-pause").await;
    fill(&client, "#log-filter", "?ERROR ?FATAL").await;
    let shown = wait_content(
        &client,
        "#log-lines",
        "ERROR lost the connection to db.internal:5432",
    )
    .await;
    assert!(
        !shown.contains("GET /orders"),
        "the filter let in {shown:?}"
    );
    assert!(
        shown.contains("ecs/orders/"),
        "each line names its stream: {shown:?}"
    );
    // A pattern the viewer does not take says so, and changes nothing else.
    fill(&client, "#log-filter", "{ $.level = \"ERROR\" }").await;
    wait_text(&client, "#panel-logs", "Filter patterns here are terms").await;
    fill(&client, "#log-filter", "FATAL").await;
    wait_content(&client, "#log-lines", "FATAL orders exiting").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    shoot(&client, "awslogs-crash.png").await;
    no_console_errors(&client).await;
    client.close().await.unwrap();
}
