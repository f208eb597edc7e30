//! The native command line: the same library as the playground, without the browser.
//!
//! ```text
//! ecsplay --version
//! ecsplay run SCENARIO.json [--until DURATION]
//! ecsplay describe SCENARIO.json --at DURATION
//! ecsplay call SCENARIO.json --at DURATION ACTION [INPUT]
//! ecsplay bench placement [--scale FRACTION]
//! ecsplay bench day [--scale FRACTION]
//! ecsplay bench day-alb [--scale FRACTION]
//! ecsplay bench day-scaling
//! ecsplay bench closed-loop
//! ecsplay bench engine [--scale FRACTION]
//! ecsplay fuzz [--seed N] [--runs M]
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
    use ecsplay::scenario::run::{default_until, run_streaming, run_until};
    use ecsplay::scenario::Scenario;

    const USAGE: &str = "usage:
  ecsplay --version
  ecsplay run SCENARIO.json [--until DURATION]
  ecsplay describe SCENARIO.json --at DURATION
  ecsplay call SCENARIO.json --at DURATION ACTION [INPUT]   (INPUT: JSON, - for stdin; {} if none)
  ecsplay bench placement [--scale FRACTION]   (build with --release for real figures)
  ecsplay bench day [--scale FRACTION]
  ecsplay bench day-alb [--scale FRACTION]
  ecsplay bench day-scaling
  ecsplay bench closed-loop
  ecsplay bench engine [--scale FRACTION]
  ecsplay fuzz [--seed N] [--runs M]          (seeds N to N+M-1; default 1 and 100)";

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
            Some("bench") => bench(&args[1..]),
            Some("fuzz") => fuzz(&args[1..]),
            Some("call") => call(&args[1..]),
            Some(command @ ("run" | "describe")) => match parse_args(command, &args[1..]) {
                Ok((path, time)) => execute(command, &path, time),
                Err(message) => {
                    eprintln!("ecsplay: {message}\n{USAGE}");
                    2
                }
            },
            _ => {
                eprintln!("{USAGE}");
                2
            }
        }
    }

    /// `bench placement`: the C2M workload (or a fraction of it) under each strategy chain.
    /// `bench day`: a simulated day of 1,000 instances and 10,000 tasks (or a fraction).
    /// `bench engine`: the event queue's hold model, 10 M events (or a fraction).
    fn bench(args: &[String]) -> i32 {
        let scale = match args {
            [what] if is_bench(what) => Ok(1.0),
            [what, flag, value] if is_bench(what) && flag == "--scale" => value
                .parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0 && *s <= 4.0)
                .ok_or_else(|| format!("--scale takes a number in (0, 4], not {value:?}")),
            _ => Err("bench takes: placement|day|engine [--scale FRACTION]".to_string()),
        };
        let scale = match scale {
            Ok(scale) => scale,
            Err(message) => {
                eprintln!("ecsplay: {message}\n{USAGE}");
                return 2;
            }
        };
        let clock = ecsplay::bench::native_clock_ms();
        let report = ecsplay::bench::run_report(&args[0], scale, &clock);
        print!("{}", report.expect("a benchmark name"));
        0
    }

    /// `fuzz`: runs seeds N..N+M, each twice, and stops at the first failure (exit 1) with the
    /// seed to replay. The seed under way is written to standard error first, so a panic,
    /// which aborts the release build, still names its seed.
    fn fuzz(args: &[String]) -> i32 {
        let mut seed = 1u64;
        let mut runs = 100u64;
        let mut rest = args.iter();
        while let Some(flag) = rest.next() {
            let value = rest.next().and_then(|v| v.parse::<u64>().ok());
            match (flag.as_str(), value) {
                ("--seed", Some(v)) => seed = v,
                ("--runs", Some(v)) if v > 0 => runs = v,
                _ => {
                    eprintln!("ecsplay: fuzz takes --seed N and --runs M (whole numbers)\n{USAGE}");
                    return 2;
                }
            }
        }
        let started = std::time::Instant::now();
        let result = ecsplay::fuzz::fuzz(seed, runs, |s| eprint!("\rseed {s}"));
        eprintln!();
        let minutes = started.elapsed().as_secs_f64() / 60.0;
        match result {
            Ok(total) => {
                println!(
                    "fuzz: {runs} runs from seed {seed}, each twice: {} requests ({} refused), {} tasks started, {} timers, {} log lines; no failure; {:.1} s, {:.0} runs per minute",
                    total.steps,
                    total.refused,
                    total.tasks_started,
                    total.timers,
                    total.log_lines,
                    minutes * 60.0,
                    runs as f64 / minutes.max(1e-9)
                );
                0
            }
            Err(failure) => {
                println!("fuzz: FAILED at {failure}");
                println!("replay: ecsplay fuzz --seed {} --runs 1", failure.seed);
                1
            }
        }
    }

    /// `call`: runs the scenario to `--at`, performs one more request (its input may use the
    /// scenario's step references) and prints the response as the AWS CLI prints JSON: four
    /// spaces of indentation. A refusal prints the CLI's sentence and the error as JSON to
    /// standard error, and exits as the CLI v2 does: 252 for parameter validation, 254 for an
    /// error of the service.
    fn call(args: &[String]) -> i32 {
        let (path, at, action, input) = match call_args(args) {
            Ok(parsed) => parsed,
            Err(message) => {
                eprintln!("ecsplay: {message}\n{USAGE}");
                return 2;
            }
        };
        let Some(scenario) = read_scenario(&path) else {
            return 1;
        };
        let input: serde_json::Value = match serde_json::from_str(&input) {
            Ok(value) => value,
            Err(err) => {
                let message = ecsplay::scenario::json_error_message(&err);
                eprintln!(
                    "ecsplay: INPUT, line {}, column {}: {message}",
                    err.line(),
                    err.column().max(1)
                );
                return 252;
            }
        };
        let mut world = run_until(&scenario, at);
        let result = world
            .resolve_references(&input)
            .and_then(|input| world.apply(&action, &input));
        match result {
            Ok(response) => {
                let mut out = Vec::new();
                let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
                let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
                serde::Serialize::serialize(&response, &mut serializer).expect("JSON");
                out.push(b'\n');
                use std::io::Write;
                match std::io::stdout().lock().write_all(&out) {
                    Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                        eprintln!("ecsplay: {err}");
                        1
                    }
                    _ => 0,
                }
            }
            Err(error) => {
                let operation = action.split_once(':').map_or(action.as_str(), |(_, op)| op);
                if error.code == "ParamValidationError" {
                    eprintln!("\nParameter validation failed:\n{}", error.message);
                } else {
                    eprintln!(
                        "\nAn error occurred ({}) when calling the {operation} operation: {}",
                        error.code, error.message
                    );
                }
                eprintln!("{}", serde_json::json!({ "error": error }));
                if error.code == "ParamValidationError" {
                    252
                } else {
                    254
                }
            }
        }
    }

    /// The scenario path, `--at`, the action and the input text of `call`.
    fn call_args(args: &[String]) -> Result<(String, u64, String, String), String> {
        let mut positional = Vec::new();
        let mut at = None;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if arg == "--at" {
                let value = rest.next().ok_or("--at needs a duration, e.g. --at 10m")?;
                at = Some(parse_duration(value).map_err(|e| format!("--at: {e}"))?);
            } else {
                positional.push(arg.clone());
            }
        }
        let at = at.ok_or("call needs --at DURATION")?;
        let (path, action, input) = match positional.as_slice() {
            [path, action] => (path.clone(), action.clone(), "{}".to_string()),
            [path, action, input] => (path.clone(), action.clone(), input.clone()),
            _ => return Err("call takes SCENARIO.json --at DURATION ACTION [INPUT]".into()),
        };
        let input = if input == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| format!("standard input: {e}"))?;
            text
        } else {
            input
        };
        Ok((path, at, action, input))
    }

    fn read_scenario(path: &str) -> Option<Scenario> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                eprintln!("ecsplay: {path}: {err}");
                return None;
            }
        };
        match Scenario::parse(&text) {
            Ok(scenario) => Some(scenario),
            Err(err) => {
                eprintln!("ecsplay: {path}: {err}");
                None
            }
        }
    }

    fn is_bench(what: &str) -> bool {
        ecsplay::bench::BENCHMARKS.contains(&what)
    }

    /// The scenario path and the time flag (`--until` for run, `--at` for describe).
    fn parse_args(command: &str, args: &[String]) -> Result<(String, Option<u64>), String> {
        let flag = if command == "run" { "--until" } else { "--at" };
        let mut path = None;
        let mut time = None;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if arg == flag {
                let value = rest
                    .next()
                    .ok_or_else(|| format!("{flag} needs a duration, e.g. {flag} 10m"))?;
                time = Some(parse_duration(value).map_err(|e| format!("{flag}: {e}"))?);
            } else if path.is_none() && !arg.starts_with("--") {
                path = Some(arg.clone());
            } else {
                return Err(format!("unexpected argument {arg:?}"));
            }
        }
        let path = path.ok_or_else(|| format!("{command} needs a scenario file"))?;
        if command == "describe" && time.is_none() {
            return Err("describe needs --at DURATION".into());
        }
        Ok((path, time))
    }

    fn execute(command: &str, path: &str, time: Option<u64>) -> i32 {
        let Some(scenario) = read_scenario(path) else {
            return 1;
        };
        let until = time.unwrap_or_else(|| default_until(&scenario));
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        use std::io::Write;
        let written = if command == "run" {
            // Streamed: the run holds a slice's records at a time, not the whole log.
            run_streaming(&scenario, until, |line| writeln!(out, "{line}")).map(drop)
        } else {
            let world = run_until(&scenario, until);
            serde_json::to_writer_pretty(&mut out, &world.describe_all())
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        };
        match written.and_then(|_| out.flush()) {
            Ok(()) => 0,
            // A closed pipe (`| head`) is not an error worth a message.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(err) => {
                eprintln!("ecsplay: {err}");
                1
            }
        }
    }
}
