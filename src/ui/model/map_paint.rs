//! The cluster map's shapes, painted into a [`Raster`]: the waiting strip, the zone columns and
//! the Fargate lane, instance boxes (dashed while booting, orange while draining, blue when
//! selected) with CPU and memory bars, and task chips by lifecycle state and service, animated:
//! a new chip slides in from its service's place in the waiting strip, a stopped one fades.
//!
//! Text is not painted here: the canvas draws names and labels over the buffer (`ui::map`).
//! Keeping the shapes free of the browser lets tests read the pixels a person would see.

use super::map::{BoxKind, Chip, ChipState, Hit, InstanceBox, MapLayout, WAITING_H};
use super::raster::{Colour, Raster};
use crate::ecs::TaskIdx;

/// How long a new chip slides, and a stopped one fades, in wall-clock milliseconds.
pub const SLIDE_MS: f64 = 600.0;
pub const FADE_MS: f64 = 900.0;
/// A bar turns red above this share of the instance's registered CPU or memory.
pub const HOT_FRACTION: f64 = 0.9;

/// Service colours, by service index modulo their number; standalone tasks are grey.
pub const SERVICE_COLOURS: [Colour; 8] = [
    Colour::hex(0x0972d3),
    Colour::hex(0xec7211),
    Colour::hex(0x037f0c),
    Colour::hex(0x8456ce),
    Colour::hex(0xc33d69),
    Colour::hex(0x00819c),
    Colour::hex(0x7d6b00),
    Colour::hex(0x5a4ec9),
];
pub const STANDALONE_COLOUR: Colour = Colour::hex(0x5f6b7a);

pub const BACKGROUND: Colour = Colour::hex(0xffffff);
pub const WAITING_STRIP: Colour = Colour::hex(0xf4f6f8);
pub const ZONE_COLUMN: Colour = Colour::hex(0xfafbfc);
pub const FARGATE_LANE: Colour = Colour::hex(0xeef5fb);
/// The PROVISIONING lane: tasks waiting for capacity (amber, as the pending chips).
pub const PROVISIONING_LANE: Colour = Colour::hex(0xfdf6e3);
pub const BOX_BORDER: Colour = Colour::hex(0xaab7c4);
/// A box whose host went away.
pub const GONE_FILL: Colour = Colour::hex(0xf2f3f3);
pub const DRAINING_FILL: Colour = Colour::hex(0xfff4e5);
pub const DRAINING_BORDER: Colour = Colour::hex(0xec7211);
pub const SELECTED_BORDER: Colour = Colour::hex(0x0972d3);
pub const BAR_TRACK: Colour = Colour::hex(0xe9ebed);
/// Bars are in greys, apart from every service's colour.
pub const CPU_BAR: Colour = Colour::hex(0x414d5c);
pub const MEMORY_BAR: Colour = Colour::hex(0x8d99a8);
pub const HOT_BAR: Colour = Colour::hex(0xd91515);
/// A chip's CPU bar: dark over the service colour.
pub const CHIP_CPU_BAR: Colour = Colour::hex(0x16191f);
pub const UNHEALTHY_EDGE: Colour = Colour::hex(0xd91515);
pub const STOPPED_CHIP: Colour = Colour::hex(0xaab7c4);
pub const SELECTED_TASK: Colour = Colour::hex(0x000000);
/// A stopping task's chip is its colour at this opacity.
const STOPPING_ALPHA: f64 = 0.4;
/// A booting instance's dashed border: (on, off) in CSS pixels.
const BOOTING_DASH: (f64, f64) = (4.0, 3.0);

pub fn service_colour(service: Option<usize>) -> Colour {
    service.map_or(STANDALONE_COLOUR, |s| {
        SERVICE_COLOURS[s % SERVICE_COLOURS.len()]
    })
}

/// When each task was first painted, and first painted stopped (wall-clock ms), indexed by task
/// slot with the task's serial: a slot reused by a newer task starts afresh.
#[derive(Debug, Default)]
pub struct MapAnimation {
    first_seen: Vec<Option<(u64, f64)>>,
    stopped_seen: Vec<Option<(u64, f64)>>,
    /// Whether this is the first painting: tasks already there do not slide in.
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

    /// How many task indices it has seen: more than the world has means the world was replaced.
    pub fn tasks_seen(&self) -> usize {
        self.first_seen.len()
    }

    fn seen(list: &mut Vec<Option<(u64, f64)>>, task: TaskIdx, serial: u64, now_ms: f64) -> f64 {
        if list.len() <= task {
            list.resize(task + 1, None);
        }
        match list[task] {
            Some((s, at)) if s == serial => at,
            _ => {
                list[task] = Some((serial, now_ms));
                now_ms
            }
        }
    }
}

/// Paints `layout` at wall time `now_ms`. Returns whether something is still moving.
pub fn paint_map(
    raster: &mut Raster,
    layout: &MapLayout,
    selection: Option<&Hit>,
    animation: &mut MapAnimation,
    now_ms: f64,
) -> bool {
    raster.clear(BACKGROUND);
    raster.fill_rect(0.0, 0.0, layout.width, WAITING_H, WAITING_STRIP);
    for zone in &layout.zones {
        let h = layout.height - WAITING_H;
        raster.fill_rect(zone.x - 4.0, WAITING_H, zone.w + 8.0, h, ZONE_COLUMN);
    }
    if let Some((top, height)) = layout.fargate_lane {
        raster.fill_rect(0.0, top, layout.width, height, FARGATE_LANE);
    }
    if let Some((top, height, _)) = &layout.provisioning_lane {
        raster.fill_rect(0.0, *top, layout.width, *height, PROVISIONING_LANE);
    }
    for b in &layout.boxes {
        paint_box(raster, b, layout.compact, selection);
    }
    let moving = paint_chips(raster, layout, animation, now_ms);
    if let Some(Hit::Task(task, serial)) = selection {
        if let Some(c) = layout
            .chips
            .iter()
            .find(|c| c.task == *task && c.serial == *serial)
        {
            let (x, y, size) = (c.x - 3.0, c.y - 3.0, c.size + 6.0);
            raster.frame_rect(x, y, size, size, 2.0, SELECTED_TASK, None);
        }
    }
    animation.primed = true;
    moving
}

/// One instance box: background, border, and (once registered) its CPU and memory bars.
fn paint_box(raster: &mut Raster, b: &InstanceBox, compact: bool, selection: Option<&Hit>) {
    let selected =
        matches!((selection, &b.kind), (Some(Hit::Instance(s)), BoxKind::Container(n)) if s == n);
    let (fill, border, thickness, dash) = match &b.kind {
        BoxKind::Booting(_) => (BACKGROUND, BOX_BORDER, 1.0, Some(BOOTING_DASH)),
        // A host gone: faded, dashed, until its last tasks' chips have faded too.
        _ if b.gone => (GONE_FILL, BOX_BORDER, 1.0, Some(BOOTING_DASH)),
        _ if selected => (BACKGROUND, SELECTED_BORDER, 2.0, None),
        _ if b.draining => (DRAINING_FILL, DRAINING_BORDER, 1.0, None),
        _ => (BACKGROUND, BOX_BORDER, 1.0, None),
    };
    raster.fill_rect(b.x, b.y, b.w, b.h, fill);
    raster.frame_rect(b.x, b.y, b.w, b.h, thickness, border, dash);
    if matches!(b.kind, BoxKind::Booting(_)) || b.gone {
        return;
    }
    for (n, (x, y, w, h)) in bars(b, compact).into_iter().enumerate() {
        let fraction = if n == 0 {
            b.cpu_fraction
        } else {
            b.memory_fraction
        }
        .clamp(0.0, 1.0);
        let colour = match (fraction > HOT_FRACTION, n) {
            (true, _) => HOT_BAR,
            (false, 0) => CPU_BAR,
            _ => MEMORY_BAR,
        };
        raster.fill_rect(x, y, w, h, BAR_TRACK);
        raster.fill_rect(x, y, w * fraction, h, colour);
    }
}

/// The CPU bar and the memory bar of a box: (x, y, width, height) each. Compact boxes stack two
/// thin bars at the top; detailed ones put them side by side under the labels.
pub fn bars(b: &InstanceBox, compact: bool) -> [(f64, f64, f64, f64); 2] {
    if compact {
        [
            (b.x + 2.0, b.y + 1.5, b.w - 4.0, 1.5),
            (b.x + 2.0, b.y + 3.5, b.w - 4.0, 1.5),
        ]
    } else {
        [
            (b.x + 28.0, b.y + 27.0, b.w / 2.0 - 30.0, 5.0),
            (b.x + b.w / 2.0 + 28.0, b.y + 27.0, b.w / 2.0 - 33.0, 5.0),
        ]
    }
}

/// A chip to paint where it is now, at an opacity.
struct Placed<'a> {
    chip: &'a Chip,
    x: f64,
    y: f64,
    alpha: f64,
}

/// Paints every chip, those at rest first and those in motion over them; returns whether any
/// is still moving.
fn paint_chips(
    raster: &mut Raster,
    layout: &MapLayout,
    animation: &mut MapAnimation,
    now_ms: f64,
) -> bool {
    let mut in_motion = Vec::new();
    // Chips already there at the first painting are drawn at rest, not slid in.
    let arrived = if animation.primed {
        now_ms
    } else {
        now_ms - SLIDE_MS
    };
    let motion = !animation.reduced_motion;
    for chip in &layout.chips {
        let seen = MapAnimation::seen(&mut animation.first_seen, chip.task, chip.serial, arrived);
        if chip.state == ChipState::Stopped {
            let at =
                MapAnimation::seen(&mut animation.stopped_seen, chip.task, chip.serial, now_ms);
            let alpha = if motion {
                1.0 - (now_ms - at) / FADE_MS
            } else {
                0.0
            };
            if alpha > 0.0 {
                let alpha = alpha.min(1.0);
                in_motion.push(Placed {
                    chip,
                    x: chip.x,
                    y: chip.y,
                    alpha,
                });
            }
            continue;
        }
        let t = (now_ms - seen) / SLIDE_MS;
        if motion && t < 1.0 {
            let (ox, oy) = layout.origin(chip.service);
            let ease = 1.0 - (1.0 - t.max(0.0)).powi(3);
            let (x, y) = (ox + (chip.x - ox) * ease, oy + (chip.y - oy) * ease);
            in_motion.push(Placed {
                chip,
                x,
                y,
                alpha: 1.0,
            });
        } else {
            paint_chip(raster, chip, chip.x, chip.y, 1.0);
        }
    }
    for p in &in_motion {
        paint_chip(raster, p.chip, p.x, p.y, p.alpha);
    }
    !in_motion.is_empty()
}

/// A chip as its state shows: running solid, pending hollow, unhealthy solid with a red edge,
/// stopping pale, stopped grey. Only stopped chips fade, so `alpha` is below 1 only for them.
fn paint_chip(raster: &mut Raster, chip: &Chip, x: f64, y: f64, alpha: f64) {
    let colour = service_colour(chip.service);
    let s = chip.size;
    // Compact chips are a few pixels: a one-pixel edge still leaves a hollow middle.
    let edge = if s < 6.0 { 1.0 } else { 1.5 };
    match chip.state {
        ChipState::Running => raster.fill_rect_alpha(x, y, s, s, colour, alpha),
        ChipState::Pending => {
            raster.fill_rect_alpha(x, y, s, s, BACKGROUND, alpha);
            raster.frame_rect(x, y, s, s, edge, colour, None);
        }
        ChipState::Unhealthy => {
            raster.fill_rect_alpha(x, y, s, s, colour, alpha);
            raster.frame_rect(x, y, s, s, edge + 0.5, UNHEALTHY_EDGE, None);
        }
        ChipState::Stopping => {
            raster.fill_rect_alpha(x, y, s, s, colour, alpha * STOPPING_ALPHA);
        }
        ChipState::Stopped => raster.fill_rect_alpha(x, y, s, s, STOPPED_CHIP, alpha),
    }
    // The CPU it uses of what it may use: a bar along its bottom, red when nearly all.
    if let Some(cpu) = chip.cpu.filter(|_| s >= 6.0) {
        let colour = if f64::from(cpu) > HOT_FRACTION {
            HOT_BAR
        } else {
            CHIP_CPU_BAR
        };
        raster.fill_rect_alpha(x, y + s - 2.0, s * f64::from(cpu), 2.0, colour, alpha);
    }
    // A Fargate Spot task: a dark square in the top left corner.
    if chip.spot && s >= 6.0 {
        // A third of the chip: its service's colour stays the most of it.
        let mark = (s / 3.0).round().max(3.0);
        raster.fill_rect_alpha(x, y, mark, mark, SPOT_MARK, alpha);
    }
    // Its load balancer target's health, a square in the top right corner (chips big enough).
    if let Some(target) = chip.target.filter(|_| s >= 6.0) {
        let mark = (s / 2.0).round().max(3.0);
        raster.fill_rect_alpha(x + s - mark, y, mark, mark, target_colour(target), alpha);
    }
}

/// The mark of a task on Fargate Spot (the legend's `spot-key`).
pub const SPOT_MARK: Colour = Colour::hex(0x16191f);

/// The colour of a load balancer target's health on a chip.
pub fn target_colour(state: crate::elb::read::TargetState) -> Colour {
    use crate::elb::read::TargetState;
    match state {
        TargetState::Healthy => Colour::hex(0x037f0c),
        TargetState::Unhealthy => UNHEALTHY_EDGE,
        TargetState::Initial | TargetState::Draining | TargetState::Unused => Colour::hex(0xec7211),
    }
}
