//! What the cluster map shows, read from its pixels: chips in their service's colour inside
//! their instance's box, hollow while pending, a grey chip fading after a task stops, a new one
//! sliding in from the waiting strip (or not, under reduced motion), draining boxes orange,
//! booting ones dashed, CPU and memory bars red above 90%, and the selection outlined.

use ecsplay::scenario::presets::preset;
use ecsplay::ui::model::map::{BoxKind, Chip, ChipState, Hit, MapLayout};
use ecsplay::ui::model::map_paint::*;
use ecsplay::ui::model::raster::{Colour, Raster};
use ecsplay::ui::model::session::Session;
use serde_json::json;

const WIDTH: f64 = 900.0;

fn steady(id: &str) -> Session {
    let mut s = Session::new(preset(id).unwrap());
    s.fast_forward();
    s
}

/// Paints `layout` at one device pixel per CSS pixel; returns whether anything moves.
fn paint(
    raster: &mut Raster,
    layout: &MapLayout,
    selection: Option<&Hit>,
    animation: &mut MapAnimation,
    now_ms: f64,
) -> bool {
    raster.resize(layout.width, layout.height, 1.0);
    paint_map(raster, layout, selection, animation, now_ms)
}

/// `layout` painted afresh, at rest.
fn painted(layout: &MapLayout, selection: Option<&Hit>) -> Raster {
    let mut raster = Raster::default();
    paint(
        &mut raster,
        layout,
        selection,
        &mut MapAnimation::default(),
        0.0,
    );
    raster
}

/// A raster and an animation that have seen `s` once, so what comes later is new to them.
fn painted_once(s: &Session) -> (Raster, MapAnimation) {
    let (mut raster, mut animation) = (Raster::default(), MapAnimation::default());
    let layout = MapLayout::build(s.world(), WIDTH);
    paint(&mut raster, &layout, None, &mut animation, 0.0);
    (raster, animation)
}

fn set_desired(s: &mut Session, desired_count: u32) {
    let input = json!({ "cluster": "demo", "service": "web", "desiredCount": desired_count });
    s.request("ecs:UpdateService", input).unwrap();
}

fn centre(raster: &Raster, chip: &Chip) -> Colour {
    let half = chip.size / 2.0;
    raster.colour_at(chip.x + half, chip.y + half).unwrap()
}

fn chip_of(layout: &MapLayout, task: usize) -> Chip {
    *layout.chips.iter().find(|c| c.task == task).unwrap()
}

fn web_tasks(s: &Session) -> Vec<usize> {
    s.world().ecs.services[0].tasks.clone()
}

#[test]
fn running_tasks_are_solid_chips_of_their_service_colour_in_their_box() {
    let s = steady("default");
    let layout = MapLayout::build(s.world(), WIDTH);
    let mut raster = Raster::default();
    let moving = paint(&mut raster, &layout, None, &mut Default::default(), 0.0);
    assert!(!moving, "the first painting shows what is there at rest");
    assert_eq!(layout.chips.len(), 6);
    for chip in &layout.chips {
        assert_eq!(chip.state, ChipState::Running);
        assert_eq!(centre(&raster, chip), service_colour(Some(0)));
    }
    for b in &layout.boxes {
        assert_eq!(raster.colour_at(b.x, b.y + b.h / 2.0), Some(BOX_BORDER));
        assert_eq!(raster.colour_at(b.x + 10.0, b.y + 12.0), Some(BACKGROUND));
        // Three tasks of 256 CPU units on 2,048 registered: the bar starts blue, ends grey.
        let [(x, y, w, _), (mx, my, mw, _)] = bars(b, layout.compact);
        assert!(b.cpu_fraction > 0.3 && b.cpu_fraction < 0.9);
        assert_eq!(raster.colour_at(x + 0.5, y + 1.0), Some(CPU_BAR));
        assert_eq!(raster.colour_at(x + w - 1.0, y + 1.0), Some(BAR_TRACK));
        assert_eq!(raster.colour_at(mx + 0.5, my + 1.0), Some(MEMORY_BAR));
        assert_eq!(raster.colour_at(mx + mw - 1.0, my + 1.0), Some(BAR_TRACK));
    }
    let zone = &layout.zones[0];
    let below = layout.boxes.iter().map(|b| b.y + b.h).fold(0.0, f64::max) + 2.0;
    assert_eq!(raster.colour_at(zone.x + 1.0, below), Some(ZONE_COLUMN));
    assert_eq!(raster.colour_at(1.0, 1.0), Some(WAITING_STRIP));
}

#[test]
fn a_bar_above_ninety_percent_turns_red() {
    let s = steady("default");
    let mut layout = MapLayout::build(s.world(), WIDTH);
    layout.boxes[0].cpu_fraction = 0.95;
    layout.boxes[0].memory_fraction = 0.9;
    let raster = painted(&layout, None);
    let [(x, y, ..), (mx, my, ..)] = bars(&layout.boxes[0], false);
    assert_eq!(raster.colour_at(x + 0.5, y + 1.0), Some(HOT_BAR));
    assert_eq!(
        raster.colour_at(mx + 0.5, my + 1.0),
        Some(MEMORY_BAR),
        "90% exactly is not above"
    );
}

#[test]
fn booting_instances_are_dashed_and_draining_ones_orange() {
    let s = Session::new(preset("default").unwrap());
    let layout = MapLayout::build(s.world(), WIDTH);
    let raster = painted(&layout, None);
    let b = &layout.boxes[0];
    assert!(matches!(b.kind, BoxKind::Booting(_)));
    let top: Vec<Colour> = (0..b.w as u32)
        .filter_map(|dx| raster.colour_at(b.x + f64::from(dx), b.y))
        .collect();
    assert!(top.contains(&BOX_BORDER) && top.contains(&BACKGROUND));

    let mut s = steady("default");
    let arn = s.world().ecs.container_instances[0].arn.clone();
    s.request(
        "ecs:UpdateContainerInstancesState",
        json!({ "cluster": "demo", "containerInstances": [arn], "status": "DRAINING" }),
    )
    .unwrap();
    let layout = MapLayout::build(s.world(), WIDTH);
    let raster = painted(&layout, None);
    let (drained, other) = (&layout.boxes[0], &layout.boxes[1]);
    assert!(drained.draining && !other.draining);
    let side = |b: &ecsplay::ui::model::map::InstanceBox| raster.colour_at(b.x, b.y + b.h / 2.0);
    assert_eq!(side(drained), Some(DRAINING_BORDER));
    assert_eq!(
        raster.colour_at(drained.x + 10.0, drained.y + 12.0),
        Some(DRAINING_FILL)
    );
    assert_eq!(side(other), Some(BOX_BORDER));
}

#[test]
fn the_selection_is_outlined() {
    let s = steady("default");
    let layout = MapLayout::build(s.world(), WIDTH);
    let b = &layout.boxes[1];
    let BoxKind::Container(n) = b.kind else {
        panic!("registered")
    };
    let raster = painted(&layout, Some(&Hit::Instance(n)));
    assert_eq!(
        raster.colour_at(b.x + 1.0, b.y + b.h / 2.0),
        Some(SELECTED_BORDER)
    );
    let a = &layout.boxes[0];
    assert_eq!(raster.colour_at(a.x, a.y + a.h / 2.0), Some(BOX_BORDER));

    let chip = layout.chips[0];
    let raster = painted(&layout, Some(&Hit::Task(chip.task, chip.serial)));
    assert_eq!(
        raster.colour_at(chip.x - 2.0, chip.y + 1.0),
        Some(SELECTED_TASK)
    );
    let other = *layout.chips.last().unwrap();
    assert_ne!(
        raster.colour_at(other.x - 2.0, other.y + 1.0),
        Some(SELECTED_TASK)
    );
}

#[test]
fn pending_chips_are_hollow() {
    let mut s = steady("default");
    set_desired(&mut s, 7);
    // The scheduler places the seventh task at once; its image takes a while to pull.
    s.advance_by(1_000);
    let layout = MapLayout::build(s.world(), WIDTH);
    let pending: Vec<&Chip> = layout
        .chips
        .iter()
        .filter(|c| c.state == ChipState::Pending)
        .collect();
    assert_eq!(pending.len(), 1);
    let raster = painted(&layout, None);
    let chip = pending[0];
    assert_eq!(centre(&raster, chip), BACKGROUND);
    assert_eq!(
        raster.colour_at(chip.x + 0.5, chip.y + chip.size / 2.0),
        Some(service_colour(Some(0)))
    );
}

#[test]
fn a_new_task_slides_in_from_the_waiting_strip() {
    let mut s = steady("default");
    let (mut raster, mut animation) = painted_once(&s);
    set_desired(&mut s, 7);
    s.fast_forward();
    let layout = MapLayout::build(s.world(), WIDTH);
    let new = *web_tasks(&s).last().unwrap();
    let chip = chip_of(&layout, new);
    assert_eq!(chip.state, ChipState::Running);
    let colour = service_colour(Some(0));

    assert!(paint(&mut raster, &layout, None, &mut animation, 1_000.0));
    assert_eq!(centre(&raster, &chip), BACKGROUND, "not there yet");
    let (ox, oy) = layout.origin(chip.service);
    let half = chip.size / 2.0;
    assert_eq!(
        raster.colour_at(ox + half, oy + half),
        Some(colour),
        "at its start"
    );

    assert!(paint(
        &mut raster,
        &layout,
        None,
        &mut animation,
        1_000.0 + SLIDE_MS / 2.0
    ));
    assert_eq!(centre(&raster, &chip), BACKGROUND, "on its way");

    assert!(!paint(
        &mut raster,
        &layout,
        None,
        &mut animation,
        1_000.0 + SLIDE_MS
    ));
    assert_eq!(centre(&raster, &chip), colour, "arrived");
    let others = layout.chips.iter().filter(|c| c.task != new);
    assert!(others.clone().count() == 6 && others.clone().all(|c| centre(&raster, c) == colour));

    // Under prefers-reduced-motion a new chip is simply there.
    let mut still = MapAnimation::default();
    still.reduced_motion = true;
    let earlier = MapLayout::build(Session::new(preset("default").unwrap()).world(), WIDTH);
    paint(&mut raster, &earlier, None, &mut still, 0.0);
    assert!(!paint(&mut raster, &layout, None, &mut still, 1.0));
    assert_eq!(centre(&raster, &chip), colour);
}

#[test]
fn a_stopped_task_fades_out() {
    let mut s = steady("default");
    let (mut raster, mut animation) = painted_once(&s);
    let task = web_tasks(&s)[0];
    let arn = s.world().ecs.tasks[task].arn.clone();
    s.request("ecs:StopTask", json!({ "cluster": "demo", "task": arn }))
        .unwrap();
    while !s.world().ecs.tasks[task].is_stopped() {
        s.advance_by(1_000);
    }
    let layout = MapLayout::build(s.world(), WIDTH);
    let chip = chip_of(&layout, task);
    assert_eq!(
        chip.state,
        ChipState::Stopped,
        "shown for a while after it stops"
    );
    let t0 = 5_000.0;
    assert!(paint(&mut raster, &layout, None, &mut animation, t0));
    assert_eq!(centre(&raster, &chip), STOPPED_CHIP);
    paint(
        &mut raster,
        &layout,
        None,
        &mut animation,
        t0 + FADE_MS / 2.0,
    );
    let half_way = STOPPED_CHIP.over(BACKGROUND, 0.5);
    assert_eq!(centre(&raster, &chip), half_way);
    assert!(!paint(
        &mut raster,
        &layout,
        None,
        &mut animation,
        t0 + FADE_MS
    ));
    assert_eq!(centre(&raster, &chip), BACKGROUND, "gone");

    let mut still = MapAnimation::default();
    still.reduced_motion = true;
    assert!(!paint(&mut raster, &layout, None, &mut still, 0.0));
    assert_eq!(
        centre(&raster, &chip),
        BACKGROUND,
        "reduced motion: no fade"
    );
}

#[test]
fn a_large_fleet_paints_every_chip_at_any_scale() {
    // The benchmark's fleet at a tenth of its size (debug builds check every placement twice).
    let fleet = ecsplay::bench::map_fleet(150, 1_500);
    let layout = MapLayout::build(&fleet, 1_200.0);
    assert!(layout.compact);
    let mut raster = Raster::default();
    for scale in [1.0, 2.0] {
        raster.resize(layout.width, layout.height, scale);
        paint_map(
            &mut raster,
            &layout,
            None,
            &mut MapAnimation::default(),
            0.0,
        );
        assert_eq!(raster.width(), (1_200.0 * scale) as usize);
        assert_eq!(raster.rgba().len(), raster.width() * raster.height() * 4);
        for chip in &layout.chips {
            assert_eq!(
                centre(&raster, chip),
                STANDALONE_COLOUR,
                "task {}",
                chip.task
            );
        }
        for b in &layout.boxes {
            let [(x, y, ..), _] = bars(b, true);
            assert_eq!(raster.colour_at(x + 0.5, y + 0.75), Some(CPU_BAR));
        }
    }
}

#[test]
fn fargate_spot_tasks_have_a_dark_corner_and_the_others_none() {
    let mut s = Session::new(preset("fargate-spot-mix").unwrap());
    s.advance_to(3 * 60_000);
    let layout = MapLayout::build(s.world(), WIDTH);
    let raster = painted(&layout, None);
    let spot: Vec<&Chip> = layout.chips.iter().filter(|c| c.spot).collect();
    let on_demand: Vec<&Chip> = layout.chips.iter().filter(|c| !c.spot).collect();
    assert_eq!((on_demand.len(), spot.len()), (4, 6));
    for chip in spot {
        assert_eq!(
            raster.colour_at(chip.x + 0.5, chip.y + 0.5),
            Some(SPOT_MARK)
        );
        assert_eq!(centre(&raster, chip), service_colour(Some(0)));
    }
    for chip in on_demand {
        assert_eq!(
            raster.colour_at(chip.x + 0.5, chip.y + 0.5),
            Some(service_colour(Some(0)))
        );
    }
}
