//! Shared pieces of the end-to-end tests: a static file server for `dist/` on 127.0.0.1, a
//! chromedriver child process, and a WebDriver session in headless Chromium.

#![allow(dead_code)] // each test file uses its own part of this module

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// How long chromedriver may take to start answering.
const CHROMEDRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// The release build to serve, from `ECSPLAY_DIST` (set by `make e2e`), else `dist/`.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("ECSPLAY_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("dist"));
    assert!(
        dir.join("index.html").is_file(),
        "no release build in {}: run `make build` (or `make e2e`) first",
        dir.display()
    );
    dir
}

/// Serves the files of `root` on 127.0.0.1 at a free port, in a background thread, for the life
/// of the test process. Only GET of files under `root`; `/` is `index.html`.
pub fn serve_static(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || serve_one(stream, &root));
        }
    });
    address
}

fn serve_one(mut stream: TcpStream, root: &Path) {
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Drain the headers; the server answers every request the same way.
    let mut header = String::new();
    while reader
        .read_line(&mut header)
        .map(|n| n > 2)
        .unwrap_or(false)
    {
        header.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let relative = if path == "/" {
        "index.html"
    } else {
        path.trim_start_matches('/')
    };
    let file = root.join(relative);
    let inside = !relative.split('/').any(|part| part == "..");
    let (status, body, mime) = match std::fs::read(&file) {
        Ok(body) if inside => ("200 OK", body, mime_type(&file)),
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&body));
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// A chromedriver process, killed on drop.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_chromedriver() -> Chromedriver {
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {binary}: {err} (make test installs it)"));
    let deadline = Instant::now() + CHROMEDRIVER_START_TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Chromedriver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A WebDriver session in headless Chromium, with the browser console log enabled.
/// Where the browser puts downloads (one folder for the test process).
pub fn downloads_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsplay-downloads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a downloads folder");
    dir
}

pub async fn browser(driver: &Chromedriver, width: u32, height: u32) -> Client {
    let mut options = json!({
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", format!("--window-size={width},{height}"),
        ]
    });
    if let Ok(binary) = std::env::var("CHROME") {
        options["binary"] = Value::String(binary);
    }
    // Downloads land in a folder of their own, without asking.
    options["prefs"] = json!({
        "download.default_directory": downloads_dir(),
        "download.prompt_for_download": false,
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("WebDriver session in headless Chromium")
}

/// Chromedriver's browser console log since the last call (its `se/log` endpoint; the W3C
/// protocol has no log command).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// The console entries at level SEVERE (errors, uncaught exceptions, failed loads).
pub async fn console_errors(client: &Client) -> Vec<String> {
    let entries = client.issue_cmd(BrowserLog).await.expect("browser log");
    entries
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A Chrome DevTools command through chromedriver (its `goog/cdp/execute` endpoint).
#[derive(Debug)]
struct Cdp(Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Makes the page's viewport `width` x `height` CSS pixels, as a phone's: a desktop window
/// cannot be made narrower than some 500 pixels.
pub async fn phone_viewport(client: &Client, width: u32, height: u32) {
    let command = json!({
        "cmd": "Emulation.setDeviceMetricsOverride",
        "params": { "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true },
    });
    client
        .issue_cmd(Cdp(command))
        .await
        .expect("device metrics override");
}

/// Throttles the page's network to `megabits` per second each way, `latency_ms` of latency,
/// and switches its cache off (Chrome DevTools' network conditions).
pub async fn throttle_network(client: &Client, megabits: f64, latency_ms: f64) {
    let bytes_per_second = megabits * 1_000_000.0 / 8.0;
    for command in [
        json!({ "cmd": "Network.enable", "params": {} }),
        json!({ "cmd": "Network.setCacheDisabled", "params": { "cacheDisabled": true } }),
        json!({ "cmd": "Network.emulateNetworkConditions", "params": {
            "offline": false, "latency": latency_ms,
            "downloadThroughput": bytes_per_second, "uploadThroughput": bytes_per_second,
        } }),
    ] {
        client
            .issue_cmd(Cdp(command))
            .await
            .expect("network conditions");
    }
}

/// Makes the page report `scheme` ("light" or "dark") as its `prefers-color-scheme`.
pub async fn prefer_color_scheme(client: &Client, scheme: &str) {
    let command = json!({
        "cmd": "Emulation.setEmulatedMedia",
        "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] },
    });
    client
        .issue_cmd(Cdp(command))
        .await
        .expect("emulated media");
}

/// axe-core's script, as `scripts/setup.sh test` installs it from npm.
fn axe_source() -> String {
    let tools = std::env::var_os("TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools"));
    let path = tools.join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (make setup-test installs axe-core)",
            path.display()
        )
    })
}

/// The page's serious and critical accessibility violations by axe-core's WCAG 2 A and AA
/// rules, each as "rule: help, on the elements it names".
pub async fn axe_violations(client: &Client) -> Vec<String> {
    client
        .execute(&axe_source(), vec![])
        .await
        .expect("axe-core loads");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, \
                                 resultTypes: ['violations'] }) \
               .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
                 .map(v => v.id + ': ' + v.help + ', on ' + v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\\s+/g, ' ') + ')').join('; ')))) \
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    result
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}
