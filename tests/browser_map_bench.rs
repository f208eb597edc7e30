//! The cluster map's frame-time benchmark (`make bench-browser`), as wasm in headless Chromium,
//! in a page of its own: the simulation benchmarks leave hundreds of megabytes of wasm memory
//! behind, which the playground's page never has. Prints its figures; asserts only that every
//! task was laid out.

#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Frames of the cluster-map benchmark, after a few to warm up.
const MAP_FRAMES: usize = 120;
const MAP_WARM_UP_FRAMES: usize = 10;

/// The cluster map at design.md's budget (1,000 instances, 10,000 tasks, 60 fps, at most 8 ms a
/// frame): each frame lays the world out, paints its pixels, puts them on a 1,200-pixel canvas
/// and writes the text, as the page does on every simulation tick. Prints the median, 95th
/// percentile and worst frame.
#[wasm_bindgen_test]
fn cluster_map_frame_time() {
    use ecsplay::ui::model::map::MapLayout;
    use wasm_bindgen::JsCast;
    let world = ecsplay::bench::map_fleet(1_000, 10_000);
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    document.body().unwrap().append_child(&canvas).unwrap();
    let width = 1_200.0;
    let probe = MapLayout::build(&world, width);
    canvas.set_width(width as u32);
    canvas.set_height(probe.height as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let performance = web_sys::window().unwrap().performance().unwrap();
    let mut animation = ecsplay::ui::model::map_paint::MapAnimation::default();
    let mut raster = ecsplay::ui::model::raster::Raster::default();
    let scale = ecsplay::ui::raster_scale(width, probe.height, 1.0);
    // Per frame: the page's own work (layout and canvas calls), and that plus the raster the
    // readback waits for (headless Chromium rasterizes canvases in software).
    let mut frames = Vec::with_capacity(MAP_FRAMES);
    let mut main_thread = Vec::with_capacity(MAP_FRAMES);
    let mut layout_ms = 0.0;
    for n in 0..MAP_WARM_UP_FRAMES + MAP_FRAMES {
        let start = performance.now();
        let layout = MapLayout::build(&world, width);
        let laid_out = performance.now();
        // Far past every animation: the steady cost of a frame.
        let now = 1.0e9 + n as f64;
        ecsplay::ui::draw_map(
            &ctx,
            &mut raster,
            scale,
            &layout,
            Default::default(),
            &mut animation,
            now,
        );
        let drawn = performance.now();
        // Reading one pixel waits for the drawing to finish.
        let _ = ctx.get_image_data(0.0, 0.0, 1.0, 1.0).unwrap();
        if n >= MAP_WARM_UP_FRAMES {
            frames.push(performance.now() - start);
            main_thread.push(drawn - start);
            layout_ms += laid_out - start;
        }
        assert_eq!(layout.chips.len(), 10_000);
    }
    let layout_ms = layout_ms / MAP_FRAMES as f64;
    frames.sort_by(f64::total_cmp);
    main_thread.sort_by(f64::total_cmp);
    let median = frames[frames.len() / 2];
    let p95 = frames[frames.len() * 95 / 100];
    let worst = frames[frames.len() - 1];
    console_log!(
        "cluster map, 1,000 instances and 10,000 tasks: layout and canvas calls {:.2} ms per frame (median), {:.2} ms (p95), of which layout {layout_ms:.2} ms",
        main_thread[MAP_FRAMES / 2],
        main_thread[MAP_FRAMES * 95 / 100],
    );
    console_log!(
        "cluster map, with the software raster waited for, on a {width} px canvas: {median:.2} ms per frame (median), {p95:.2} ms (p95), {worst:.2} ms (worst) over {MAP_FRAMES} frames; budget 8 ms"
    );
}
