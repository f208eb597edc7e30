//! The native command line: the same library as the playground, without the browser.
//!
//! ```text
//! ecsplay --version
//! ecsplay run SCENARIO.json [--until DURATION]
//! ```

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use ecsplay::engine::time::parse_duration;
    use ecsplay::scenario::Scenario;

    const USAGE: &str = "usage:
  ecsplay --version
  ecsplay run SCENARIO.json [--until DURATION]";

    /// Exit codes: 0 success, 1 the scenario was refused, 2 bad usage.
    pub fn main(args: Vec<String>) -> i32 {
        match args.first().map(String::as_str) {
            Some("--version" | "-V") => {
                println!("ecsplay {}", env!("CARGO_PKG_VERSION"));
                0
            }
            Some("--help" | "-h") => {
                println!("{USAGE}");
                0
            }
            Some("run") => run(&args[1..]),
            _ => {
                eprintln!("{USAGE}");
                2
            }
        }
    }

    fn run(args: &[String]) -> i32 {
        let mut path = None;
        let mut until_ms = None;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match arg.as_str() {
                "--until" => match rest.next().map(|d| parse_duration(d)) {
                    Some(Ok(ms)) => until_ms = Some(ms),
                    Some(Err(err)) => return usage_error(&format!("--until: {err}")),
                    None => return usage_error("--until needs a duration, e.g. --until 10m"),
                },
                _ if path.is_none() => path = Some(arg.clone()),
                _ => return usage_error(&format!("unexpected argument {arg:?}")),
            }
        }
        let Some(path) = path else {
            return usage_error("run needs a scenario file");
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("ecsplay: {path}: {err}");
                return 1;
            }
        };
        let scenario = match Scenario::parse(&text) {
            Ok(scenario) => scenario,
            Err(err) => {
                eprintln!("ecsplay: {path}: {err}");
                return 1;
            }
        };
        // Until the engine lands, `run` lists the steps it would perform, in time order.
        for step in scenario
            .steps
            .iter()
            .filter(|s| until_ms.is_none_or(|u| s.at <= u))
        {
            let line = serde_json::json!({ "at": step.at, "action": step.action });
            println!("{line}");
        }
        0
    }

    fn usage_error(message: &str) -> i32 {
        eprintln!("ecsplay: {message}\n{USAGE}");
        2
    }
}
