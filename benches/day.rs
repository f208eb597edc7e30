//! `cargo bench --bench day`: one simulated day of 1,000 instances and 10,000 tasks with health
//! checks every 30 s (design.md section 7). Prints its figures; asserts nothing. A
//! number argument scales the workload down for a quick look.

fn main() {
    let clock = ecsplay::bench::native_clock_ms();
    let scale = ecsplay::bench::scale_argument(std::env::args());
    print!(
        "{}",
        ecsplay::bench::run_report("day", scale, &clock).unwrap()
    );
}
