//! `cargo bench --bench engine`: the event queue's hold model, 10 M events with 10,000 and
//! with 100,000 timers pending (design.md section 7). Prints its figures; asserts nothing. A
//! number argument scales the workload down for a quick look.

fn main() {
    let clock = ecsplay::bench::native_clock_ms();
    let scale = ecsplay::bench::scale_argument(std::env::args());
    print!(
        "{}",
        ecsplay::bench::run_report("engine", scale, &clock).unwrap()
    );
}
