//! End-to-end: the release build of `dist/`, served on 127.0.0.1, opened in headless Chromium
//! through chromedriver. Run by `make e2e` (part of `make test`), which builds `dist/` first;
//! ignored by a plain `cargo test`, which has no release build to serve.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use ecsplay::scenario::Scenario;
use fantoccini::Locator;

const APP_RENDER_TIMEOUT: Duration = Duration::from_secs(30);

/// The panels of design.md section 6 that the shell shows, by element id.
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

#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn the_release_build_renders_the_shell_without_console_errors() {
    let site = support::serve_static(support::dist_dir());
    let driver = support::start_chromedriver();
    let client = support::browser(&driver, 1440, 900).await;
    client.goto(&site).await.unwrap();

    let name = client
        .wait()
        .at_most(APP_RENDER_TIMEOUT)
        .for_element(Locator::Id("scenario-name"))
        .await
        .expect("the app renders the scenario name")
        .text()
        .await
        .unwrap();
    assert_eq!(name, Scenario::default_scenario().name);
    for panel in PANELS {
        client
            .find(Locator::Id(panel))
            .await
            .unwrap_or_else(|_| panic!("panel #{panel} is missing"));
    }
    let log = client
        .find(Locator::Css("#panel-event-log [role=log]"))
        .await;
    assert!(log.is_ok(), "the event log has role=log");
    let clock = client
        .find(Locator::Id("sim-clock"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(clock, "T+00:00:00");

    // The time controls respond: Play turns into Pause.
    client
        .find(Locator::Id("btn-play"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(APP_RENDER_TIMEOUT)
        .for_element(Locator::Id("btn-pause"))
        .await
        .unwrap();

    let errors = support::console_errors(&client).await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    client.close().await.unwrap();
}

/// Takes the screenshot the README shows (`make screenshot` copies it to docs/), and checks that
/// it is a PNG of the viewport.
#[tokio::test]
#[ignore = "needs the release build in dist/ and chromedriver: run `make e2e`"]
async fn screenshot() {
    let site = support::serve_static(support::dist_dir());
    let driver = support::start_chromedriver();
    let client = support::browser(&driver, 1440, 900).await;
    client.goto(&site).await.unwrap();
    client
        .wait()
        .at_most(APP_RENDER_TIMEOUT)
        .for_element(Locator::Id("scenario-name"))
        .await
        .unwrap();

    let png = client.screenshot().await.unwrap();
    let viewport = client
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .unwrap();
    client.close().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!(
        (u64::from(width), u64::from(height)),
        (viewport[0].as_u64().unwrap(), viewport[1].as_u64().unwrap())
    );

    let out = std::env::var_os("ECSPLAY_SCREENSHOT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("shell.png"));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&out, &png).unwrap();
    eprintln!("screenshot: {} ({width}x{height})", out.display());
}
