//! The cluster map on a canvas: draws [`MapLayout`], animates chips (a new task slides from the
//! waiting strip to its instance, a stopped one fades), hit-tests clicks, and names what the
//! pointer is over in the canvas's title (an instance's ports and ENIs, a task's state).
//!
//! Chips are drawn in batches, one path per colour and state, so 10,000 of them cost a few fill
//! calls; only the chips in motion are drawn one by one.

use std::collections::HashMap;

use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::model::map::{BoxKind, ChipState, Hit, MapLayout, HEADER_H, WAITING_H};
use super::state::SimRef;
use crate::ecs::TaskIdx;
use crate::engine::World;

/// How long a new chip slides, and a stopped one fades, in wall-clock milliseconds.
pub const SLIDE_MS: f64 = 600.0;
pub const FADE_MS: f64 = 900.0;
/// The canvas never grows taller than this many CSS pixels (the panel scrolls).
pub const MAP_HEIGHT_MAX: f64 = 20_000.0;

/// Service colours, by service index modulo their number; standalone tasks are grey.
pub const SERVICE_COLOURS: [&str; 8] = [
    "#0972d3", "#ec7211", "#037f0c", "#8456ce", "#c33d69", "#00819c", "#7d6b00", "#5a4ec9",
];
pub const STANDALONE_COLOUR: &str = "#5f6b7a";

pub fn service_colour(service: Option<usize>) -> &'static str {
    service.map_or(STANDALONE_COLOUR, |s| {
        SERVICE_COLOURS[s % SERVICE_COLOURS.len()]
    })
}

/// When each task was first drawn and first drawn stopped (wall-clock ms), for the animations.
#[derive(Default)]
pub struct MapAnimation {
    first_seen: HashMap<TaskIdx, f64>,
    stopped_seen: HashMap<TaskIdx, f64>,
    /// Whether this is the first drawing: tasks already there do not slide in.
    primed: bool,
    pub reduced_motion: bool,
}

impl MapAnimation {
    /// Forget everything (a new world).
    pub fn reset(&mut self) {
        self.first_seen.clear();
        self.stopped_seen.clear();
        self.primed = false;
    }
}

/// Draws `layout` at wall time `now_ms`. Returns whether something is still moving.
pub fn draw_map(
    ctx: &CanvasRenderingContext2d,
    layout: &MapLayout,
    selection: Option<&Hit>,
    animation: &mut MapAnimation,
    now_ms: f64,
) -> bool {
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, layout.width, layout.height);
    draw_frame(ctx, layout);
    draw_boxes(ctx, layout, selection);
    let moving = draw_chips(ctx, layout, animation, now_ms);
    if let Some(Hit::Task(task)) = selection {
        if let Some(chip) = layout.chips.iter().find(|c| c.task == *task) {
            ctx.set_stroke_style_str("#000000");
            ctx.set_line_width(2.0);
            ctx.stroke_rect(chip.x - 2.0, chip.y - 2.0, chip.size + 4.0, chip.size + 4.0);
        }
    }
    animation.primed = true;
    moving
}

fn draw_frame(ctx: &CanvasRenderingContext2d, layout: &MapLayout) {
    ctx.set_font("12px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    // The waiting strip: services' tasks that no instance has taken yet.
    ctx.set_fill_style_str("#f4f6f8");
    ctx.fill_rect(0.0, 0.0, layout.width, WAITING_H);
    ctx.set_fill_style_str("#5f6b7a");
    if layout.waiting.is_empty() {
        let _ = ctx.fill_text("Waiting for placement: none", 8.0, WAITING_H / 2.0);
    }
    for w in &layout.waiting {
        ctx.set_fill_style_str("#16191f");
        let label = format!("{}: {} waiting", w.name, w.count);
        let _ = ctx.fill_text(&label, w.x, WAITING_H / 2.0);
        let text_w = ctx.measure_text(&label).map(|m| m.width()).unwrap_or(80.0);
        ctx.set_stroke_style_str(service_colour(Some(w.service)));
        ctx.set_line_width(1.5);
        ctx.set_line_dash(&js_dashes(&[2.0, 2.0])).ok();
        for k in 0..w.count.min(8) {
            ctx.stroke_rect(
                w.x + text_w + 6.0 + f64::from(k) * 14.0,
                WAITING_H / 2.0 - 5.0,
                10.0,
                10.0,
            );
        }
        ctx.set_line_dash(&js_dashes(&[])).ok();
    }
    for zone in &layout.zones {
        ctx.set_fill_style_str("#fafbfc");
        ctx.fill_rect(
            zone.x - 4.0,
            WAITING_H,
            zone.w + 8.0,
            layout.height - WAITING_H,
        );
        ctx.set_fill_style_str("#16191f");
        ctx.set_font("600 12px system-ui, sans-serif");
        let _ = ctx.fill_text(&zone.name, zone.x, WAITING_H + HEADER_H / 2.0);
        ctx.set_font("12px system-ui, sans-serif");
    }
    if let Some((top, height)) = layout.fargate_lane {
        ctx.set_fill_style_str("#eef5fb");
        ctx.fill_rect(0.0, top, layout.width, height);
        ctx.set_fill_style_str("#0972d3");
        let _ = ctx.fill_text(
            "Fargate (serverless): tasks in their subnets' zones",
            8.0,
            top + 10.0,
        );
    }
}

fn js_dashes(values: &[f64]) -> wasm_bindgen::JsValue {
    let array = js_sys_array(values);
    array.into()
}

fn js_sys_array(values: &[f64]) -> web_sys::js_sys::Array {
    values
        .iter()
        .map(|v| wasm_bindgen::JsValue::from_f64(*v))
        .collect()
}

/// Rectangles to fill or stroke in one call each: a thousand boxes cost a handful of calls.
type Rects = Vec<[f64; 4]>;

/// Fills many rectangles of one colour: the style is set once, then one `fillRect` each, which
/// Chromium rasterizes faster than one path of many rectangles.
fn fill_rects(ctx: &CanvasRenderingContext2d, colour: &str, rects: &Rects) {
    if rects.is_empty() {
        return;
    }
    ctx.set_fill_style_str(colour);
    for r in rects {
        ctx.fill_rect(r[0], r[1], r[2], r[3]);
    }
}

fn stroke_rects(ctx: &CanvasRenderingContext2d, colour: &str, width: f64, rects: &Rects) {
    if rects.is_empty() {
        return;
    }
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(width);
    for r in rects {
        ctx.stroke_rect(r[0], r[1], r[2], r[3]);
    }
}

/// Every instance box: backgrounds, borders (dashed while booting, orange while draining, blue
/// when selected), CPU and memory bars (red above 90%), and in the detailed view its labels.
fn draw_boxes(ctx: &CanvasRenderingContext2d, layout: &MapLayout, selection: Option<&Hit>) {
    let (mut plain, mut draining, mut booting, mut selected) =
        (Rects::new(), Rects::new(), Rects::new(), Rects::new());
    let (mut tracks, mut cpu, mut memory, mut hot) =
        (Rects::new(), Rects::new(), Rects::new(), Rects::new());
    for b in &layout.boxes {
        let outline = [b.x + 0.5, b.y + 0.5, b.w - 1.0, b.h - 1.0];
        let is_selected = matches!((selection, &b.kind), (Some(Hit::Instance(s)), BoxKind::Container(n)) if s == n);
        match &b.kind {
            BoxKind::Booting(_) => booting.push(outline),
            _ if is_selected => selected.push(outline),
            _ if b.draining => draining.push(outline),
            _ => plain.push(outline),
        }
        if matches!(b.kind, BoxKind::Booting(_)) {
            continue;
        }
        // (x, y, width) of the CPU bar and the memory bar.
        let (bars, height) = if layout.compact {
            (
                [
                    (b.x + 2.0, b.y + 1.5, b.w - 4.0),
                    (b.x + 2.0, b.y + 3.5, b.w - 4.0),
                ],
                1.5,
            )
        } else {
            (
                [
                    (b.x + 28.0, b.y + 27.0, b.w / 2.0 - 30.0),
                    (b.x + b.w / 2.0 + 28.0, b.y + 27.0, b.w / 2.0 - 33.0),
                ],
                5.0,
            )
        };
        for (n, (x, y, w)) in bars.into_iter().enumerate() {
            let fraction = if n == 0 {
                b.cpu_fraction
            } else {
                b.memory_fraction
            }
            .clamp(0.0, 1.0);
            tracks.push([x, y, w, height]);
            let fill = [x, y, w * fraction, height];
            match (fraction > 0.9, n) {
                (true, _) => hot.push(fill),
                (false, 0) => cpu.push(fill),
                _ => memory.push(fill),
            }
        }
    }
    fill_rects(ctx, "#ffffff", &plain);
    fill_rects(ctx, "#ffffff", &selected);
    fill_rects(ctx, "#ffffff", &booting);
    fill_rects(ctx, "#fff4e5", &draining);
    stroke_rects(ctx, "#aab7c4", 1.0, &plain);
    stroke_rects(ctx, "#ec7211", 1.0, &draining);
    stroke_rects(ctx, "#0972d3", 2.5, &selected);
    ctx.set_line_dash(&js_dashes(&[4.0, 3.0])).ok();
    stroke_rects(ctx, "#aab7c4", 1.0, &booting);
    ctx.set_line_dash(&js_dashes(&[])).ok();
    fill_rects(ctx, "#e9ebed", &tracks);
    fill_rects(ctx, "#0972d3", &cpu);
    fill_rects(ctx, "#037f0c", &memory);
    fill_rects(ctx, "#d91515", &hot);
    if !layout.compact {
        for b in &layout.boxes {
            draw_labels(ctx, b);
        }
    }
}

fn draw_labels(ctx: &CanvasRenderingContext2d, b: &super::model::map::InstanceBox) {
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

/// Draws every chip; returns whether any is still animating.
fn draw_chips(
    ctx: &CanvasRenderingContext2d,
    layout: &MapLayout,
    animation: &mut MapAnimation,
    now_ms: f64,
) -> bool {
    let mut moving = false;
    // Batches of resting chips, by (colour, state).
    let mut batches: std::collections::BTreeMap<(&'static str, ChipState), Rects> =
        Default::default();
    let mut in_motion = Vec::new();
    let primed = animation.primed;
    let motion = !animation.reduced_motion;
    for chip in &layout.chips {
        let seen = *animation.first_seen.entry(chip.task).or_insert(if primed {
            now_ms
        } else {
            now_ms - SLIDE_MS
        });
        let colour = service_colour(chip.service);
        if chip.state == ChipState::Stopped {
            let at = *animation.stopped_seen.entry(chip.task).or_insert(now_ms);
            let alpha = if motion {
                1.0 - (now_ms - at) / FADE_MS
            } else {
                0.0
            };
            if alpha > 0.0 {
                moving = true;
                in_motion.push((
                    chip.x,
                    chip.y,
                    chip.size,
                    colour,
                    chip.state,
                    alpha.min(1.0),
                ));
            }
            continue;
        }
        let t = (now_ms - seen) / SLIDE_MS;
        if motion && t < 1.0 {
            moving = true;
            let (ox, oy) = layout.origin(chip.service);
            let ease = 1.0 - (1.0 - t.max(0.0)).powi(3);
            in_motion.push((
                ox + (chip.x - ox) * ease,
                oy + (chip.y - oy) * ease,
                chip.size,
                colour,
                chip.state,
                1.0,
            ));
        } else {
            batches
                .entry((colour, chip.state))
                .or_default()
                .push([chip.x, chip.y, chip.size, chip.size]);
        }
    }
    for (&(colour, state), rects) in &batches {
        paint(ctx, rects, colour, state, 1.0);
    }
    for (x, y, size, colour, state, alpha) in in_motion {
        paint(ctx, &vec![[x, y, size, size]], colour, state, alpha);
    }
    moving
}

/// Draws chips as their state shows: running solid, pending hollow, unhealthy solid with a red
/// edge, stopping pale, stopped grey.
fn paint(
    ctx: &CanvasRenderingContext2d,
    rects: &Rects,
    colour: &str,
    state: ChipState,
    alpha: f64,
) {
    ctx.set_global_alpha(alpha);
    match state {
        ChipState::Running => fill_rects(ctx, colour, rects),
        ChipState::Pending => {
            fill_rects(ctx, "#ffffff", rects);
            stroke_rects(ctx, colour, 1.5, rects);
        }
        ChipState::Unhealthy => {
            fill_rects(ctx, colour, rects);
            stroke_rects(ctx, "#d91515", 2.0, rects);
        }
        ChipState::Stopping => {
            ctx.set_global_alpha(alpha * 0.4);
            fill_rects(ctx, colour, rects);
        }
        ChipState::Stopped => fill_rects(ctx, "#aab7c4", rects),
    }
    ctx.set_global_alpha(1.0);
}

/// The title the canvas shows for what is under the pointer.
fn hover_text(world: &World, hit: &Hit) -> String {
    match hit {
        Hit::Task(t) => {
            let task = &world.ecs.tasks[*t];
            format!(
                "Task {} · {} · {} (desired {}) · {}",
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
    pub selection: Option<Hit>,
    pub reduced_motion: bool,
    pub onselect: Callback<Option<Hit>>,
}

struct MapRuntime {
    animation: MapAnimation,
    layout: MapLayout,
    frame: Option<AnimationFrame>,
    session_ptr: usize,
}

#[function_component(ClusterMap)]
pub fn cluster_map(props: &ClusterMapProps) -> Html {
    let canvas = use_node_ref();
    let runtime = use_mut_ref(|| MapRuntime {
        animation: MapAnimation::default(),
        layout: MapLayout::default(),
        frame: None,
        session_ptr: 0,
    });
    {
        let (canvas, runtime, sim, selection, reduced) = (
            canvas.clone(),
            runtime.clone(),
            props.sim.clone(),
            props.selection.clone(),
            props.reduced_motion,
        );
        use_effect_with(
            (
                props.sim.clone(),
                props.selection.clone(),
                props.reduced_motion,
            ),
            move |_| {
                runtime.borrow_mut().animation.reduced_motion = reduced;
                redraw(canvas, runtime, sim, selection);
            },
        );
    }
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
            <canvas id="cluster-map" ref={canvas} {onclick} {onmousemove}
                role="img" aria-label="Cluster map: Availability Zones as columns, container instances as boxes, tasks as chips"></canvas>
        </div>
    }
}

/// Lays out and draws now, then keeps drawing each frame while chips move.
fn redraw(
    canvas: NodeRef,
    runtime: std::rc::Rc<std::cell::RefCell<MapRuntime>>,
    sim: SimRef,
    selection: Option<Hit>,
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
    if rt.session_ptr != ptr || world.ecs.tasks.len() < rt.animation.first_seen.len() {
        rt.animation.reset();
        rt.session_ptr = ptr;
    }
    rt.layout = MapLayout::build(world, width);
    let height = rt.layout.height.min(MAP_HEIGHT_MAX);
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let (px_w, px_h) = ((width * ratio) as u32, (height * ratio) as u32);
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
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    let now = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now());
    let rt = &mut *rt;
    let moving = draw_map(&ctx, &rt.layout, selection.as_ref(), &mut rt.animation, now);
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
    let _ = element.set_attribute("aria-label", &format!(
        "Cluster map: {} Availability Zones, {instances} container instances, {} tasks ({running} running)",
        rt.layout.zones.len(), rt.layout.chips.len()));
    drop(session);
    if moving {
        let (canvas, runtime2, sim, selection) = (
            canvas.clone(),
            runtime.clone(),
            sim.clone(),
            selection.clone(),
        );
        rt.frame = Some(request_animation_frame(move |_| {
            redraw(canvas, runtime2, sim, selection)
        }));
    } else {
        rt.frame = None;
    }
}
