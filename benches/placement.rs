//! `cargo bench --bench placement`: the C2M placement workload under each strategy chain, at full
//! size and at half the cluster (design.md section 7). Prints its figures; asserts nothing. A
//! number argument scales the workload down for a quick look.

fn main() {
    let clock = ecsplay::bench::native_clock_ms();
    let scale = ecsplay::bench::scale_argument(std::env::args());
    print!(
        "{}",
        ecsplay::bench::run_report("placement", scale, &clock).unwrap()
    );
}
