//! `cargo bench --bench placement`: the C2M placement workload under each strategy chain, at full
//! size and at half the cluster (design.md section 7). Prints its figures; asserts nothing.

fn main() {
    let start = std::time::Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1_000.0;
    // `cargo bench` passes `--bench`; a number argument scales the workload down for a quick look.
    let scale = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<f64>().ok())
        .unwrap_or(1.0);
    let suite = ecsplay::bench::placement_suite(&clock, scale);
    print!("{}", ecsplay::bench::report(&suite));
}
