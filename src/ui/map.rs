//! The cluster map on a canvas: lays the world out ([`MapLayout`]), paints its shapes into a
//! pixel buffer ([`paint_map`]) that goes to the canvas in one `putImageData`, writes the text
//! over it, hit-tests clicks, and names what the pointer is over in the canvas's title (an
//! instance's ports and ENIs, a task's state).
//!
//! Why a pixel buffer: 1,000 instances and 10,000 tasks are some 25,000 rectangles, and the
//! canvas's own calls for them, rasterized in software as headless Chromium and GPU-less
//! machines do, cost several times the 8 ms a frame has at 60 fps (design.md section 7).

use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use super::model::map::{
    BoxKind, ChipState, Hit, InstanceBox, MapLayout, MapSummary, HEADER_H, WAITING_H,
};
use super::model::map_paint::{paint_map, service_colour, MapAnimation};
use super::model::raster::Raster;
use super::state::SimRef;
use crate::world::World;

/// The canvas never grows taller than this many CSS pixels (the panel scrolls).
pub const MAP_HEIGHT_MAX: f64 = 20_000.0;
/// The map's spoken summary changes at most this often (wall-clock milliseconds), so a screen
/// reader is not interrupted on every frame of a fast run.
pub const MAP_SUMMARY_MS: f64 = 3_000.0;
/// Above this many device pixels the buffer is painted at one device pixel per CSS pixel and
/// the browser scales it up: a 1,000-instance map on a 2x screen would otherwise be four times
/// the pixels to paint and copy every frame (4.4 M at 1,200 x 910). 2.5 M at 2x is a map of
/// some 900 x 700 CSS pixels: small clusters, whose boxes carry text, stay sharp.
pub const RASTER_PIXELS_MAX: f64 = 2_500_000.0;

/// The device pixels per CSS pixel to paint a `width` x `height` map at.
pub fn raster_scale(width: f64, height: f64, device_pixel_ratio: f64) -> f64 {
    let ratio = device_pixel_ratio.max(1.0);
    if width * height * ratio * ratio > RASTER_PIXELS_MAX {
        1.0
    } else {
        ratio
    }
}

/// What the map marks besides the world: the selection, and the keyboard's cursor.
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks<'a> {
    pub selection: Option<&'a Hit>,
    pub cursor: Option<&'a Hit>,
}

/// Paints `layout` into `raster` at `scale` and puts it on the canvas, then draws the text
/// over it. Returns whether something is still moving.
pub fn draw_map(
    ctx: &CanvasRenderingContext2d,
    raster: &mut Raster,
    scale: f64,
    layout: &MapLayout,
    marks: Marks<'_>,
    animation: &mut MapAnimation,
    now_ms: f64,
) -> bool {
    let Marks { selection, cursor } = marks;
    raster.resize(layout.width, layout.height.min(MAP_HEIGHT_MAX), scale);
    let moving = paint_map(raster, layout, selection, animation, now_ms);
    let (w, h) = (raster.width() as u32, raster.height() as u32);
    if w > 0 && h > 0 {
        // The ImageData views wasm memory for the length of this call only: nothing allocates
        // between its making and the put, so the memory cannot grow under it.
        if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(raster.rgba()), w, h)
        {
            let _ = ctx.put_image_data(&image, 0.0, 0.0);
        }
    }
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
    draw_balancers(ctx, layout);
    draw_text(ctx, layout);
    if let Some(hit) = selection.filter(|h| matches!(h, Hit::Waiting(_))) {
        draw_ring(ctx, layout, hit, "#0972d3", &[]);
    }
    if let Some(hit) = cursor {
        draw_ring(ctx, layout, hit, "#16191f", &[3.0, 2.0]);
    }
    moving
}

/// A ring around a stop: the keyboard's cursor (dashed), or a selected waiting group.
fn draw_ring(
    ctx: &CanvasRenderingContext2d,
    layout: &MapLayout,
    hit: &Hit,
    colour: &str,
    dash: &[f64],
) {
    let Some((x, y, w, h)) = layout.rect_of(hit) else {
        return;
    };
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(2.0);
    ctx.set_line_dash(&js_dashes(dash)).ok();
    ctx.stroke_rect(x - 2.5, y - 2.5, w + 5.0, h + 5.0);
    ctx.set_line_dash(&js_dashes(&[])).ok();
}

/// The load balancers' lanes (a bar across the zones they have nodes in, a dot per node, their
/// name, listeners and requests a second) and the flows from their nodes to the targets they
/// send requests to, as wide as their share of the busiest.
fn draw_balancers(ctx: &CanvasRenderingContext2d, layout: &MapLayout) {
    if layout.balancers.is_empty() {
        return;
    }
    ctx.set_line_cap("round");
    ctx.set_stroke_style_str("rgba(9, 114, 211, 0.35)");
    for f in &layout.flows {
        ctx.set_line_width(f.width);
        ctx.begin_path();
        ctx.move_to(f.from.0, f.from.1);
        ctx.line_to(f.to.0, f.to.1);
        ctx.stroke();
    }
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    for lane in &layout.balancers {
        ctx.set_fill_style_str("#e9f2fb");
        ctx.set_stroke_style_str("#0972d3");
        ctx.set_line_width(1.0);
        ctx.fill_rect(lane.x0, lane.y - 8.0, lane.x1 - lane.x0, 16.0);
        ctx.stroke_rect(lane.x0, lane.y - 8.0, lane.x1 - lane.x0, 16.0);
        ctx.set_fill_style_str("#0972d3");
        for &x in &lane.nodes {
            ctx.begin_path();
            let _ = ctx.arc(x, lane.y, 4.0, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }
        ctx.set_fill_style_str("#033160");
        let _ = ctx.fill_text(&lane.label, lane.x0 + 6.0, lane.y);
    }
}

/// The words on the map: the waiting strip, zone names, the Fargate lane, and in the detailed
/// view each box's labels. Compact boxes carry none, so a large map costs a few calls here.
fn draw_text(ctx: &CanvasRenderingContext2d, layout: &MapLayout) {
    ctx.set_font("12px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    ctx.set_fill_style_str("#5f6b7a");
    if layout.waiting.is_empty() {
        // Tasks already started and waiting for capacity are in the PROVISIONING lane.
        let text = if layout.provisioning > 0 {
            "Waiting for placement: none to start (the PROVISIONING lane below waits for capacity)"
        } else {
            "Waiting for placement: none"
        };
        let _ = ctx.fill_text(text, 8.0, WAITING_H / 2.0);
    }
    for w in &layout.waiting {
        ctx.set_fill_style_str("#16191f");
        let label = format!("{}: {} waiting", w.name, w.count);
        let _ = ctx.fill_text(&label, w.x, WAITING_H / 2.0);
        let text_w = ctx.measure_text(&label).map(|m| m.width()).unwrap_or(80.0);
        // A dashed outline per task still waiting, up to eight.
        ctx.set_stroke_style_str(&service_colour(Some(w.service)).to_string());
        ctx.set_line_width(1.5);
        ctx.set_line_dash(&js_dashes(&[2.0, 2.0])).ok();
        for k in 0..w.count.min(8) {
            let x = w.x + text_w + 6.0 + f64::from(k) * 14.0;
            ctx.stroke_rect(x, WAITING_H / 2.0 - 5.0, 10.0, 10.0);
        }
        ctx.set_line_dash(&js_dashes(&[])).ok();
    }
    ctx.set_fill_style_str("#16191f");
    ctx.set_font("600 12px system-ui, sans-serif");
    for zone in &layout.zones {
        let _ = ctx.fill_text(&zone.name, zone.x, WAITING_H + HEADER_H / 2.0);
    }
    ctx.set_font("12px system-ui, sans-serif");
    if let Some((top, _)) = layout.fargate_lane {
        ctx.set_fill_style_str("#0972d3");
        let label = "Fargate (serverless): tasks in their subnets' zones";
        let _ = ctx.fill_text(label, 8.0, top + 10.0);
    }
    if let Some((top, _, label)) = &layout.provisioning_lane {
        ctx.set_fill_style_str("#8d6605");
        let _ = ctx.fill_text(label, 8.0, top + 10.0);
    }
    if !layout.compact {
        for b in &layout.boxes {
            draw_labels(ctx, b);
        }
    }
}

fn js_dashes(values: &[f64]) -> wasm_bindgen::JsValue {
    let array: web_sys::js_sys::Array = values
        .iter()
        .map(|v| wasm_bindgen::JsValue::from_f64(*v))
        .collect();
    array.into()
}

fn draw_labels(ctx: &CanvasRenderingContext2d, b: &InstanceBox) {
    ctx.set_fill_style_str("#16191f");
    ctx.set_font("11px ui-monospace, monospace");
    let _ = ctx.fill_text(&b.label, b.x + 5.0, b.y + 9.0);
    ctx.set_fill_style_str(if b.draining { "#b35900" } else { "#5f6b7a" });
    ctx.set_font("10px system-ui, sans-serif");
    let _ = ctx.fill_text(&b.sublabel, b.x + 5.0, b.y + 21.0);
    if !matches!(b.kind, BoxKind::Booting(_)) {
        ctx.set_fill_style_str("#5f6b7a");
        let _ = ctx.fill_text("CPU", b.x + 5.0, b.y + 30.0);
        let _ = ctx.fill_text("MEM", b.x + b.w / 2.0 + 2.0, b.y + 30.0);
    }
    if b.overflow > 0 {
        let _ = ctx.fill_text(
            &format!("+{}", b.overflow),
            b.x + b.w - 28.0,
            b.y + b.h - 7.0,
        );
    }
}

/// The title the canvas shows for what is under the pointer (and what the keyboard's cursor
/// announces).
fn hover_text(world: &World, hit: &Hit) -> String {
    match hit {
        Hit::Waiting(service) => {
            let s = &world.ecs.services[*service];
            format!(
                "Service {} ({}): tasks waiting for placement. Select to see why.",
                s.name, s.cluster
            )
        }
        Hit::Task(t, serial) => {
            // The slot may hold another task by now, or none (stopped tasks are forgotten).
            let Some(task) = world
                .ecs
                .tasks
                .get(*t)
                .filter(|task| task.serial == *serial)
            else {
                return "A task no longer kept (stopped over an hour ago).".into();
            };
            let target = super::model::map::target_health(world, *t)
                .map(|state| format!(" · load balancer target {}", state.as_str()))
                .unwrap_or_default();
            format!(
                "Task {} · {} · {} (desired {}) · {}{target}",
                task.id,
                task.task_definition,
                task.last_status.as_str(),
                task.desired_status.as_str(),
                task.group
            )
        }
        Hit::Instance(i) => {
            let ci = &world.ecs.container_instances[*i];
            let ports = super::model::map::port_list;
            format!(
                "{} ({}, {})\nCPU {}/{} units · memory {}/{} MiB\nENIs {}/{}\nTCP ports: {}\nUDP ports: {}",
                ci.ec2_instance_id, ci.instance_type, ci.availability_zone,
                ci.cpu_units_used, ci.cpu_units_registered, ci.memory_mib_used, ci.memory_mib_registered,
                ci.enis_used, ci.enis_registered, ports(&ci.tcp_ports), ports(&ci.udp_ports),
            )
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub sim: SimRef,
    /// The one cluster shown, or None for all.
    pub cluster: Option<String>,
    pub selection: Option<Hit>,
    pub reduced_motion: bool,
    pub onselect: Callback<Option<Hit>>,
}

struct MapRuntime {
    animation: MapAnimation,
    layout: MapLayout,
    raster: Raster,
    frame: Option<AnimationFrame>,
    session_ptr: usize,
    /// The one cluster shown, or None for all.
    cluster: Option<String>,
}

#[function_component(ClusterMap)]
pub fn cluster_map(props: &ClusterMapProps) -> Html {
    let canvas = use_node_ref();
    // The keyboard's cursor: arrows move it over the map's stops, Enter selects.
    let cursor = use_state(|| None::<Hit>);
    // The map's text alternative: what it shows, counted, and what changed since it was last
    // read out. A screen reader reads it as it changes, so it changes at most every
    // MAP_SUMMARY_MS of wall time (a later change waits, and is read then).
    let summary = use_state(String::new);
    let announced = use_mut_ref(|| Announced {
        counted: None,
        at_ms: f64::NEG_INFINITY,
        pending: None,
    });
    let runtime = use_mut_ref(|| MapRuntime {
        animation: MapAnimation::default(),
        layout: MapLayout::default(),
        raster: Raster::default(),
        frame: None,
        session_ptr: 0,
        cluster: None,
    });
    {
        let (canvas, runtime, sim, selection, reduced, at) = (
            canvas.clone(),
            runtime.clone(),
            props.sim.clone(),
            props.selection.clone(),
            props.reduced_motion,
            (*cursor).clone(),
        );
        let cluster = props.cluster.clone();
        let (announced, summary) = (announced.clone(), summary.clone());
        use_effect_with(
            (
                props.cluster.clone(),
                props.sim.clone(),
                props.selection.clone(),
                props.reduced_motion,
                (*cursor).clone(),
            ),
            move |_| {
                {
                    let mut rt = runtime.borrow_mut();
                    rt.animation.reduced_motion = reduced;
                    rt.cluster = cluster;
                }
                redraw(canvas, runtime.clone(), sim, selection, at);
                let counted = runtime.borrow().layout.summary();
                announce(&announced, counted, summary);
            },
        );
    }
    let onkeydown = {
        let (runtime, onselect, cursor) = (runtime.clone(), props.onselect.clone(), cursor.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                if let Some(hit) = (*cursor).clone() {
                    e.prevent_default();
                    onselect.emit(Some(hit));
                }
                return;
            }
            let next = runtime.borrow().layout.next_stop(cursor.as_ref(), &e.key());
            if let Some(next) = next {
                // The arrows move the cursor, not the page.
                e.prevent_default();
                cursor.set(Some(next));
            }
        })
    };
    let onblur = {
        let cursor = cursor.clone();
        Callback::from(move |_: FocusEvent| cursor.set(None))
    };
    let cursor_text = cursor
        .as_ref()
        .map(|hit| {
            format!(
                "{} Press Enter to inspect.",
                hover_text(props.sim.borrow().world(), hit)
            )
        })
        .unwrap_or_default();
    let onclick = {
        let (runtime, onselect) = (runtime.clone(), props.onselect.clone());
        Callback::from(move |e: MouseEvent| {
            let hit = runtime
                .borrow()
                .layout
                .hit(f64::from(e.offset_x()), f64::from(e.offset_y()));
            onselect.emit(hit);
        })
    };
    let onmousemove = {
        let (runtime, sim) = (runtime.clone(), props.sim.clone());
        Callback::from(move |e: MouseEvent| {
            let canvas: HtmlCanvasElement = e.target_unchecked_into();
            let hit = runtime
                .borrow()
                .layout
                .hit(f64::from(e.offset_x()), f64::from(e.offset_y()));
            let title = hit
                .map(|h| hover_text(sim.borrow().world(), &h))
                .unwrap_or_default();
            if canvas.title() != title {
                canvas.set_title(&title);
            }
        })
    };
    html! {
        <div class="map-scroll">
            <canvas id="cluster-map" ref={canvas} {onclick} {onmousemove} {onkeydown} {onblur} tabindex="0"
                role="img" aria-describedby="map-summary map-cursor"
                aria-label="Cluster map: Availability Zones as columns, container instances as boxes, tasks as chips. Arrow keys move over them, Enter inspects."></canvas>
            <p id="map-summary" class="visually-hidden" aria-live="polite">{ (*summary).clone() }</p>
            <p id="map-cursor" class="visually-hidden" aria-live="polite">{ cursor_text }</p>
        </div>
    }
}

/// The map's summary as last read out.
struct Announced {
    counted: Option<MapSummary>,
    /// When it was read out (wall-clock ms).
    at_ms: f64,
    /// A change waiting for the throttle.
    pending: Option<gloo::timers::callback::Timeout>,
}

fn wall_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Reads `counted` out: the summary's sentence, with what changed since the last one.
fn read_out(spoken: &mut Announced, counted: MapSummary, summary: &UseStateHandle<String>) {
    summary.set(counted.sentence(spoken.counted.as_ref()));
    spoken.counted = Some(counted);
    spoken.at_ms = wall_ms();
}

/// Puts `counted` in the summary now, or when MAP_SUMMARY_MS has passed since the last one.
fn announce(
    announced: &std::rc::Rc<std::cell::RefCell<Announced>>,
    counted: MapSummary,
    summary: UseStateHandle<String>,
) {
    let mut spoken = announced.borrow_mut();
    if spoken.counted.as_ref() == Some(&counted) {
        spoken.pending = None;
        return;
    }
    let wait = MAP_SUMMARY_MS - (wall_ms() - spoken.at_ms);
    if wait <= 0.0 {
        spoken.pending = None;
        read_out(&mut spoken, counted, &summary);
    } else {
        let again = announced.clone();
        // Replacing the pending change cancels it: the newest count is the one read out.
        // The callback leaves its own Timeout in place (dropping it while it runs is not
        // allowed); the next change replaces it.
        spoken.pending = Some(gloo::timers::callback::Timeout::new(
            wait.ceil() as u32,
            move || read_out(&mut again.borrow_mut(), counted, &summary),
        ));
    }
}

/// Lays out and draws now, then keeps drawing each frame while chips move.
fn redraw(
    canvas: NodeRef,
    runtime: std::rc::Rc<std::cell::RefCell<MapRuntime>>,
    sim: SimRef,
    selection: Option<Hit>,
    cursor: Option<Hit>,
) {
    let Some(element) = canvas.cast::<HtmlCanvasElement>() else {
        return;
    };
    let width = element
        .parent_element()
        .map_or(600.0, |p| f64::from(p.client_width()))
        .max(320.0);
    let session = sim.borrow();
    let world = session.world();
    let mut rt = runtime.borrow_mut();
    let ptr = &*session as *const _ as usize;
    if rt.session_ptr != ptr || world.ecs.tasks.slot_count() < rt.animation.tasks_seen() {
        rt.animation.reset();
        rt.session_ptr = ptr;
    }
    rt.layout = MapLayout::build_for(world, width, rt.cluster.as_deref());
    let height = rt.layout.height.min(MAP_HEIGHT_MAX);
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let scale = raster_scale(width, height, ratio);
    let (px_w, px_h) = (
        (width * scale).round() as u32,
        (height * scale).round() as u32,
    );
    if element.width() != px_w || element.height() != px_h {
        element.set_width(px_w);
        element.set_height(px_h);
        let _ = element.style().set_property("width", &format!("{width}px"));
        let _ = element
            .style()
            .set_property("height", &format!("{height}px"));
    }
    let Some(ctx) = element
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let now = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now());
    let rt = &mut *rt;
    let moving = draw_map(
        &ctx,
        &mut rt.raster,
        scale,
        &rt.layout,
        Marks {
            selection: selection.as_ref(),
            cursor: cursor.as_ref(),
        },
        &mut rt.animation,
        now,
    );
    // What is drawn, for tests and assistive tools that cannot read pixels.
    let instances = rt
        .layout
        .boxes
        .iter()
        .filter(|b| matches!(b.kind, BoxKind::Container(_)))
        .count();
    let running = rt
        .layout
        .chips
        .iter()
        .filter(|c| c.state == ChipState::Running)
        .count();
    let _ = element.set_attribute("data-instances", &instances.to_string());
    let _ = element.set_attribute("data-running", &running.to_string());
    let cursor_attr = cursor
        .as_ref()
        .map(|h| format!("{h:?}"))
        .unwrap_or_default();
    let _ = element.set_attribute("data-cursor", &cursor_attr);
    let _ = element.set_attribute("aria-label", &format!(
        "Cluster map: {} Availability Zones, {instances} container instances, {} tasks ({running} running)",
        rt.layout.zones.len(), rt.layout.chips.len()));
    drop(session);
    if moving {
        let (canvas, runtime2, sim, selection, cursor) = (
            canvas.clone(),
            runtime.clone(),
            sim.clone(),
            selection.clone(),
            cursor.clone(),
        );
        rt.frame = Some(request_animation_frame(move |_| {
            redraw(canvas, runtime2, sim, selection, cursor)
        }));
    } else {
        rt.frame = None;
    }
}
