//! Web entry: mounts the Yew app on the page. Trunk builds this binary for wasm32; natively it
//! is an empty program (the native command line is `src/bin/ecsplay.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<ecsplay::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ecsplay-web is the browser entry point; build it with `make serve`, or run `ecsplay` for the command line");
    std::process::exit(2);
}
