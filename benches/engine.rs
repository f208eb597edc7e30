//! `cargo bench --bench engine`: the event queue's hold model, 10 M events with 10,000 and
//! with 100,000 timers pending (design.md section 7). Prints its figures; asserts nothing. A
//! number argument scales the number of events.

fn main() {
    let clock = ecsplay::bench::native_clock_ms();
    let scale = ecsplay::bench::scale_argument(std::env::args());
    let events = (ecsplay::bench::ENGINE_EVENTS as f64 * scale) as usize;
    for figure in ecsplay::bench::engine_suite(events, &clock) {
        println!("{}", figure.line());
    }
}
