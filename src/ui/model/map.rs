//! The cluster map's geometry, free of the browser: Availability Zones as columns, container
//! instances as boxes (booting EC2 instances as dashed ones), tasks as chips inside them, Fargate
//! tasks in a lane of their own, and the services' tasks still waiting for an instance in a strip
//! at the top, where new chips start their slide. The canvas renderer draws this layout; clicks
//! are hit-tested against it.

use crate::ec2::InstanceState;
use crate::ecs::{InstanceIdx, InstanceStatus, LaunchType, ServiceStatus, TaskIdx, TaskStatus};
use crate::engine::time::{SimTime, MS_PER_SECOND};
use crate::world::World;

/// A stopped task keeps its chip (fading out) this long in simulated time.
pub const STOPPED_VISIBLE_MS: SimTime = 60 * MS_PER_SECOND;
/// More instances than this in one zone switches to compact boxes without text.
pub const DETAILED_INSTANCES_PER_ZONE_MAX: usize = 24;
/// Chips drawn per box before the rest are counted as "+N".
pub const CHIPS_PER_BOX_MAX: usize = 48;

pub const HEADER_H: f64 = 26.0;
/// Load balancers drawn as lanes above the zones' boxes, at the most, and each lane's height:
/// its bar (16 px) at the top, and room below for the flows to fan out to the boxes.
pub const MAP_LOAD_BALANCERS_MAX: usize = 3;
pub const LANE_H: f64 = 40.0;
/// Flows drawn from load balancers to their targets, at the most (the busiest first).
pub const MAP_FLOWS_MAX: usize = 200;
/// The widest flow, in pixels: the busiest target's; the others in proportion.
pub const FLOW_W_MAX: f64 = 6.0;
pub const WAITING_H: f64 = 34.0;
/// Chips drawn in the PROVISIONING lane, at the most (the cluster holds up to 500 there).
pub const PROVISIONING_CHIPS_MAX: usize = 200;
/// The width the waiting strip allows per character of a group's label.
const WAITING_CHAR_W: f64 = 7.0;
const PAD: f64 = 8.0;
const FARGATE_LABEL_H: f64 = 20.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub box_w: f64,
    pub box_h_min: f64,
    pub chip: f64,
    pub chip_gap: f64,
    /// Height above the chips for the label and bars.
    pub head_h: f64,
    pub gap: f64,
}

pub const DETAILED: Geometry = Geometry {
    box_w: 150.0,
    box_h_min: 62.0,
    chip: 11.0,
    chip_gap: 3.0,
    head_h: 40.0,
    gap: 8.0,
};

pub const COMPACT: Geometry = Geometry {
    box_w: 34.0,
    box_h_min: 22.0,
    chip: 3.0,
    chip_gap: 1.0,
    head_h: 6.0,
    gap: 3.0,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChipState {
    /// PROVISIONING, PENDING or ACTIVATING.
    Pending,
    Running,
    /// RUNNING with an essential container failing its health check.
    Unhealthy,
    /// DEACTIVATING, STOPPING, DEPROVISIONING, or RUNNING with a stop requested.
    Stopping,
    Stopped,
}

impl ChipState {
    pub fn of(world: &World, task: TaskIdx) -> ChipState {
        let t = &world.ecs.tasks[task];
        match t.last_status {
            TaskStatus::Stopped => ChipState::Stopped,
            _ if t.desired_status == TaskStatus::Stopped
                && t.last_status >= TaskStatus::Running =>
            {
                ChipState::Stopping
            }
            s if s < TaskStatus::Running => ChipState::Pending,
            TaskStatus::Running if t.health() == crate::ecs::Health::Unhealthy => {
                ChipState::Unhealthy
            }
            TaskStatus::Running => ChipState::Running,
            _ => ChipState::Stopping,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChipState::Pending => "pending",
            ChipState::Running => "running",
            ChipState::Unhealthy => "unhealthy",
            ChipState::Stopping => "stopping",
            ChipState::Stopped => "stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BoxKind {
    Container(InstanceIdx),
    /// An EC2 instance still booting (its agent has not registered): its id.
    Booting(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct InstanceBox {
    pub kind: BoxKind,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub label: String,
    pub sublabel: String,
    pub cpu_fraction: f64,
    pub memory_fraction: f64,
    pub draining: bool,
    /// Its host went away (terminated, reclaimed, its zone failed) within the last
    /// [`STOPPED_VISIBLE_MS`]: drawn faded, with the reason.
    pub gone: bool,
    /// Tasks not drawn for want of room.
    pub overflow: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chip {
    pub task: TaskIdx,
    /// The task's serial: which task holds the slot (slots are reused, see `ecs::store`).
    pub serial: u64,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub state: ChipState,
    /// The service's colour slot; None for a standalone task.
    pub service: Option<usize>,
    /// Its load balancer targets' health, the worst of them, when it has targets.
    pub target: Option<crate::elb::read::TargetState>,
    /// The CPU it uses of what it may use (0 to 1), when traffic gives it work.
    pub cpu: Option<f32>,
    /// Whether it runs on FARGATE_SPOT (Fargate may reclaim it).
    pub spot: bool,
}

/// A load balancer's lane: its name and what it does, across the zones it has nodes in, with a
/// node in each.
#[derive(Debug, Clone, PartialEq)]
pub struct BalancerLane {
    pub label: String,
    pub y: f64,
    pub x0: f64,
    pub x1: f64,
    /// Its nodes' x, one per zone column it is in.
    pub nodes: Vec<f64>,
}

/// Requests flowing from a load balancer's node to a target (an instance's box, or a task's
/// chip for an `ip` target), as wide as its share of the busiest flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowLine {
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub width: f64,
    pub requests_per_second: f32,
}

/// The CPU a task uses of what it may use, when traffic gives it work (`sim::read`'s usage
/// over `ecs::read::task_size`'s limit).
pub fn cpu_fraction(world: &World, task: TaskIdx) -> Option<f32> {
    let (used, _) = crate::sim::read::task_usage(world, task);
    if used <= 0.0 {
        return None;
    }
    let limit = crate::ecs::read::task_size(world, task)?.cpu_units_limit;
    Some((used / limit.max(1.0)).clamp(0.0, 1.0) as f32)
}

/// The worst health among a task's load balancer targets: unhealthy, then draining, then
/// initial, then healthy; None for a task without targets.
pub fn target_health(world: &World, task: TaskIdx) -> Option<crate::elb::read::TargetState> {
    use crate::elb::read::TargetState;
    let rank = |s: TargetState| match s {
        TargetState::Unhealthy => 0,
        TargetState::Draining => 1,
        TargetState::Initial => 2,
        TargetState::Unused => 3,
        TargetState::Healthy => 4,
    };
    (world.task_targets(task).iter())
        .filter_map(|(group, id, port)| crate::elb::read::target_health(world, group, id, *port))
        .map(|(state, _)| state)
        .min_by_key(|&s| rank(s))
}

/// A service's tasks that have no instance yet (desired less those started).
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub service: usize,
    pub name: String,
    pub count: u32,
    pub x: f64,
    pub y: f64,
    /// The group's width: its label and up to eight outlines.
    pub w: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ZoneColumn {
    pub name: String,
    pub x: f64,
    pub w: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapLayout {
    pub width: f64,
    pub height: f64,
    pub compact: bool,
    pub zones: Vec<ZoneColumn>,
    pub boxes: Vec<InstanceBox>,
    pub chips: Vec<Chip>,
    pub waiting: Vec<Waiting>,
    /// The Fargate lane's top and height, when there are Fargate tasks.
    pub fargate_lane: Option<(f64, f64)>,
    /// The lane of EC2 tasks PROVISIONING while they wait for their capacity provider's
    /// instances: its top, height and label.
    pub provisioning_lane: Option<(f64, f64, String)>,
    /// How many tasks wait there (some may not be drawn).
    pub provisioning: usize,
    /// The one cluster shown, or None for every cluster.
    pub cluster: Option<String>,
    pub balancers: Vec<BalancerLane>,
    pub flows: Vec<FlowLine>,
}

/// A box in a zone's column: a registered instance with the number of its tasks on show, or
/// an EC2 instance still booting (its id).
#[derive(Debug, Clone, Copy)]
enum ZoneItem<'a> {
    Registered(InstanceIdx, usize),
    Booting(&'a str),
}

impl ZoneItem<'_> {
    fn tasks(&self) -> usize {
        match self {
            ZoneItem::Registered(_, tasks) => *tasks,
            ZoneItem::Booting(_) => 0,
        }
    }
}

/// What the map shows, counted: its text alternative, read to a screen reader.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MapSummary {
    /// Registered container instances, and how many of them drain.
    pub instances: usize,
    pub draining: usize,
    /// EC2 instances still booting.
    pub booting: usize,
    /// Tasks drawn, by [`ChipState`] in its order (pending, running, unhealthy, stopping,
    /// stopped).
    pub tasks: [usize; 5],
    /// Tasks not drawn for want of room.
    pub not_drawn: usize,
    /// Tasks waiting for placement.
    pub waiting: u32,
    /// Tasks PROVISIONING while they wait for their capacity provider's instances.
    pub provisioning: usize,
}

const CHIP_STATES: [ChipState; 5] = [
    ChipState::Pending,
    ChipState::Running,
    ChipState::Unhealthy,
    ChipState::Stopping,
    ChipState::Stopped,
];

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl MapSummary {
    /// The summary in words, with what changed since `before` when given.
    pub fn sentence(&self, before: Option<&MapSummary>) -> String {
        let mut out = plural(self.instances, "container instance", "container instances");
        let mut about = Vec::new();
        if self.draining > 0 {
            about.push(format!("{} draining", self.draining));
        }
        if self.booting > 0 {
            about.push(format!("{} more booting", self.booting));
        }
        if !about.is_empty() {
            out += &format!(" ({})", about.join(", "));
        }
        let total: usize = self.tasks.iter().sum::<usize>() + self.not_drawn;
        out += &format!(". {}", plural(total, "task", "tasks"));
        let by_state: Vec<String> = CHIP_STATES
            .iter()
            .zip(self.tasks)
            .filter(|(_, n)| *n > 0)
            .map(|(state, n)| format!("{n} {}", state.label()))
            .collect();
        if !by_state.is_empty() {
            out += &format!(": {}", by_state.join(", "));
        }
        if self.not_drawn > 0 {
            out += &format!(", {} not drawn", self.not_drawn);
        }
        out.push('.');
        if self.waiting > 0 {
            out += &format!(
                " {} waiting for placement.",
                plural(self.waiting as usize, "task", "tasks")
            );
        }
        if self.provisioning > 0 {
            out += &format!(
                " {} PROVISIONING, waiting for capacity.",
                plural(self.provisioning, "task", "tasks")
            );
        }
        if let Some(before) = before {
            let changes: Vec<String> = CHIP_STATES
                .iter()
                .zip(self.tasks.iter().zip(before.tasks))
                .filter(|(_, (now, then))| **now != *then)
                .map(|(state, (now, then))| {
                    let (n, word) = if *now > then {
                        (*now - then, "more")
                    } else {
                        (then - *now, "fewer")
                    };
                    format!("{n} {word} {}", state.label())
                })
                .collect();
            if !changes.is_empty() {
                out += &format!(" Changed: {}.", changes.join(", "));
            }
        }
        out
    }
}

/// What a click landed on (or the keyboard moved to).
#[derive(Debug, Clone, PartialEq)]
pub enum Hit {
    /// A task: its slot and its serial (a slot is reused once its task is forgotten, so the
    /// serial says whether the slot still holds the task selected).
    Task(TaskIdx, u64),
    Instance(InstanceIdx),
    /// A service's tasks waiting for placement (the service's index): the inspector shows the
    /// scheduler's last decision for them.
    Waiting(usize),
}

/// An instance the map draws: registered and not INACTIVE, or gone within the last
/// [`STOPPED_VISIBLE_MS`] (faded, with why).
fn shown_instance(world: &World, i: &crate::ecs::ContainerInstance) -> bool {
    i.status != InstanceStatus::Inactive
        || i.gone
            .is_some_and(|(at, _)| at + STOPPED_VISIBLE_MS >= world.now())
}

fn visible(world: &World, task: TaskIdx) -> bool {
    let t = &world.ecs.tasks[task];
    !t.is_stopped()
        || t.stopped_at
            .is_some_and(|at| at + STOPPED_VISIBLE_MS >= world.now())
}

impl MapLayout {
    /// Lays the world out `width` CSS pixels wide, every cluster together.
    pub fn build(world: &World, width: f64) -> MapLayout {
        MapLayout::build_for(world, width, None)
    }

    /// Lays out the instances, tasks and waiting services of `cluster` (None: of every
    /// cluster). EC2 instances still booting are shown whatever the cluster: their agent has
    /// not said which one they join.
    pub fn build_for(world: &World, width: f64, cluster: Option<&str>) -> MapLayout {
        let shows = |name: &str| cluster.is_none_or(|c| c == name);
        let live =
            |i: &&crate::ecs::ContainerInstance| shown_instance(world, i) && shows(&i.cluster);
        let booting: Vec<(&str, &str)> = booting(world).collect();
        let mut zones: Vec<&str> = world
            .ecs
            .container_instances
            .iter()
            .filter(live)
            .map(|i| i.availability_zone.as_str())
            .chain(booting.iter().map(|&(_, zone)| zone))
            .chain(
                fargate_tasks(world, cluster)
                    .map(|t| world.ecs.tasks[t].availability_zone.as_str()),
            )
            .collect();
        zones.sort_unstable();
        zones.dedup();
        let mut layout = MapLayout {
            width,
            cluster: cluster.map(str::to_string),
            ..MapLayout::default()
        };
        if zones.is_empty() {
            layout.height = HEADER_H + WAITING_H;
            layout.provisioning(world, &DETAILED);
            layout.waiting_strip(world);
            return layout;
        }
        let col_w = (width - PAD) / zones.len() as f64;
        layout.zones = zones
            .iter()
            .enumerate()
            .map(|(n, name)| ZoneColumn {
                name: name.to_string(),
                x: PAD + n as f64 * col_w,
                w: col_w - PAD,
            })
            .collect();
        let mut per_zone = vec![0usize; zones.len()];
        for i in world.ecs.container_instances.iter().filter(live) {
            if let Ok(z) = zones.binary_search(&i.availability_zone.as_str()) {
                per_zone[z] += 1;
            }
        }
        layout.compact = per_zone
            .iter()
            .any(|&n| n > DETAILED_INSTANCES_PER_ZONE_MAX);
        let geometry = if layout.compact { COMPACT } else { DETAILED };
        let lanes = world.elb.load_balancers.len().min(MAP_LOAD_BALANCERS_MAX);
        let top = WAITING_H + HEADER_H + lanes as f64 * LANE_H;
        let mut bottom = top;
        for column in layout.zones.clone() {
            let column_bottom = layout.zone_boxes(world, &booting, &column, &geometry, top);
            bottom = bottom.max(column_bottom);
        }
        layout.fargate(world, &geometry, bottom);
        layout.provisioning(world, &geometry);
        layout.waiting_strip(world);
        layout.balancers(world);
        layout
    }

    /// Lays out one zone's boxes in rows from `top`; returns the bottom.
    fn zone_boxes(
        &mut self,
        world: &World,
        booting: &[(&str, &str)],
        column: &ZoneColumn,
        g: &Geometry,
        top: f64,
    ) -> f64 {
        let box_w = g.box_w.min(column.w);
        let per_row = ((column.w + g.gap) / (box_w + g.gap)).floor().max(1.0) as usize;
        let chips_per_row = (((box_w - 6.0) + g.chip_gap) / (g.chip + g.chip_gap))
            .floor()
            .max(1.0) as usize;
        let shown = |n: InstanceIdx| {
            world.ecs.container_instances[n]
                .tasks
                .iter()
                .copied()
                .filter(move |&t| visible(world, t))
        };
        let mut items: Vec<ZoneItem> = world
            .ecs
            .container_instances
            .iter()
            .enumerate()
            .filter(|(_, i)| {
                shown_instance(world, i)
                    && i.availability_zone == column.name
                    && self.shows(&i.cluster)
            })
            .map(|(n, _)| ZoneItem::Registered(n, shown(n).count()))
            .chain(
                booting
                    .iter()
                    .filter(|(_, zone)| *zone == column.name)
                    .map(|&(id, _)| ZoneItem::Booting(id)),
            )
            .collect();
        // An Auto Scaling group's instances side by side in each zone, groups by name and
        // instances of no group last; each box names its group.
        if !world.asg.groups.is_empty() {
            let group_of: std::collections::BTreeMap<&str, &str> = (world.asg.groups.iter())
                .flat_map(|g| {
                    g.instances
                        .iter()
                        .map(move |i| (i.id.as_str(), g.name.as_str()))
                })
                .collect();
            let key = |item: &ZoneItem| {
                let id = match item {
                    ZoneItem::Registered(n, _) => {
                        world.ecs.container_instances[*n].ec2_instance_id.as_str()
                    }
                    ZoneItem::Booting(id) => id,
                };
                group_of.get(id).map_or((1, ""), |g| (0, *g))
            };
            items.sort_by(|a, b| key(a).cmp(&key(b)));
        }
        let mut y = top;
        for row in items.chunks(per_row) {
            let rows_of_chips = row
                .iter()
                .map(|item| item.tasks().min(CHIPS_PER_BOX_MAX).div_ceil(chips_per_row))
                .max()
                .unwrap_or(0);
            let h = g
                .box_h_min
                .max(g.head_h + rows_of_chips as f64 * (g.chip + g.chip_gap) + 6.0);
            for (n, item) in row.iter().enumerate() {
                let x = column.x + n as f64 * (box_w + g.gap);
                let (instance, tasks) = match *item {
                    ZoneItem::Registered(instance, tasks) => (instance, tasks),
                    ZoneItem::Booting(id) => {
                        let b = self.booting_box(id, x, y, box_w, h);
                        self.boxes.push(b);
                        continue;
                    }
                };
                let b = self.instance_box(world, instance, [x, y, box_w, h], tasks);
                for (k, task) in shown(instance).take(CHIPS_PER_BOX_MAX).enumerate() {
                    self.chips.push(Chip {
                        task,
                        serial: world.ecs.tasks[task].serial,
                        x: x + 3.0 + (k % chips_per_row) as f64 * (g.chip + g.chip_gap),
                        y: y + g.head_h + (k / chips_per_row) as f64 * (g.chip + g.chip_gap),
                        size: g.chip,
                        state: ChipState::of(world, task),
                        service: world.ecs.tasks[task].service,
                        target: target_health(world, task),
                        cpu: cpu_fraction(world, task),
                        spot: false,
                    });
                }
                self.boxes.push(b);
            }
            y += h + g.gap;
        }
        y
    }

    /// A registered instance's box at `[x, y, w, h]`. Compact boxes carry no text, so their
    /// labels are left empty rather than formatted for nothing, a thousand times a frame.
    fn instance_box(
        &self,
        world: &World,
        n: InstanceIdx,
        [x, y, w, h]: [f64; 4],
        tasks: usize,
    ) -> InstanceBox {
        let i = &world.ecs.container_instances[n];
        let fraction = |used: u32, registered: u32| {
            if registered == 0 {
                0.0
            } else {
                f64::from(used) / f64::from(registered)
            }
        };
        let (label, sublabel) = if self.compact {
            (String::new(), String::new())
        } else {
            // An Auto Scaling group's instance says its group.
            let group = crate::asg::read::group_of_instance(world, &i.ec2_instance_id)
                .map(|g| format!(" · {g}"))
                .unwrap_or_default();
            let spot =
                crate::ec2::read::instance(world, &i.ec2_instance_id).is_some_and(|e| e.spot);
            let group = if spot {
                format!("{group} · Spot")
            } else {
                group
            };
            let status = match i.gone {
                Some((_, why)) if i.status == InstanceStatus::Inactive => format!("gone: {why}"),
                _ => i.status.as_str().to_string(),
            };
            (
                i.ec2_instance_id.clone(),
                format!("{} · {status}{group}", i.instance_type),
            )
        };
        InstanceBox {
            kind: BoxKind::Container(n),
            x,
            y,
            w,
            h,
            label,
            sublabel,
            cpu_fraction: fraction(i.cpu_units_used, i.cpu_units_registered),
            memory_fraction: fraction(i.memory_mib_used, i.memory_mib_registered),
            draining: i.status == InstanceStatus::Draining,
            gone: i.status == InstanceStatus::Inactive,
            overflow: tasks.saturating_sub(CHIPS_PER_BOX_MAX),
        }
    }

    /// An EC2 instance still booting: a box with its id and no bars.
    fn booting_box(&self, id: &str, x: f64, y: f64, w: f64, h: f64) -> InstanceBox {
        InstanceBox {
            kind: BoxKind::Booting(id.to_string()),
            x,
            y,
            w,
            h,
            label: id.to_string(),
            sublabel: "booting".into(),
            cpu_fraction: 0.0,
            memory_fraction: 0.0,
            draining: false,
            gone: false,
            overflow: 0,
        }
    }

    fn fargate(&mut self, world: &World, g: &Geometry, top: f64) {
        let tasks: Vec<TaskIdx> = fargate_tasks(world, self.cluster.as_deref()).collect();
        if tasks.is_empty() {
            self.height = top + PAD;
            return;
        }
        let chip = g.chip.max(COMPACT.chip * 2.0);
        let pitch = chip + g.chip_gap;
        let lane_top = top + PAD;
        let mut bottom = lane_top + FARGATE_LABEL_H;
        for column in &self.zones {
            let per_row = ((column.w - 6.0) / pitch).floor().max(1.0) as usize;
            let mine = tasks
                .iter()
                .filter(|&&t| world.ecs.tasks[t].availability_zone == column.name);
            for (k, &task) in mine.enumerate() {
                let y = lane_top + FARGATE_LABEL_H + (k / per_row) as f64 * pitch;
                self.chips.push(Chip {
                    task,
                    serial: world.ecs.tasks[task].serial,
                    x: column.x + 3.0 + (k % per_row) as f64 * pitch,
                    y,
                    size: chip,
                    state: ChipState::of(world, task),
                    service: world.ecs.tasks[task].service,
                    target: target_health(world, task),
                    cpu: cpu_fraction(world, task),
                    spot: world.ecs.tasks[task].capacity_provider.as_deref()
                        == Some(crate::ecs::read::FARGATE_SPOT),
                });
                bottom = bottom.max(y + pitch);
            }
        }
        self.fargate_lane = Some((lane_top, bottom + 4.0 - lane_top));
        self.height = bottom + 4.0 + PAD;
    }

    /// The PROVISIONING lane under everything else: the tasks waiting for their capacity
    /// provider's instances, oldest first, in no zone yet (at most
    /// [`PROVISIONING_CHIPS_MAX`] chips).
    fn provisioning(&mut self, world: &World, g: &Geometry) {
        let tasks: Vec<TaskIdx> = waiting_tasks(world, self.cluster.as_deref()).collect();
        if tasks.is_empty() {
            return;
        }
        let chip = g.chip.max(COMPACT.chip * 2.0);
        let pitch = chip + g.chip_gap;
        let lane_top = self.height;
        let per_row = ((self.width - 2.0 * PAD - 6.0) / pitch).floor().max(1.0) as usize;
        let shown = tasks.len().min(PROVISIONING_CHIPS_MAX);
        for (k, &task) in tasks.iter().take(shown).enumerate() {
            self.chips.push(Chip {
                task,
                serial: world.ecs.tasks[task].serial,
                x: PAD + 3.0 + (k % per_row) as f64 * pitch,
                y: lane_top + FARGATE_LABEL_H + (k / per_row) as f64 * pitch,
                size: chip,
                state: ChipState::of(world, task),
                service: world.ecs.tasks[task].service,
                target: None,
                cpu: None,
                spot: false,
            });
        }
        let mut providers: Vec<(&str, usize)> = Vec::new();
        for &t in &tasks {
            let name = world.ecs.tasks[t]
                .capacity_provider
                .as_deref()
                .unwrap_or("");
            match providers.iter_mut().find(|(p, _)| *p == name) {
                Some((_, n)) => *n += 1,
                None => providers.push((name, 1)),
            }
        }
        let by_provider: Vec<String> = providers
            .iter()
            .map(|(p, n)| format!("{n} for {p}"))
            .collect();
        let label = format!(
            "PROVISIONING: {} waiting for capacity ({})",
            plural(tasks.len(), "task", "tasks"),
            by_provider.join(", ")
        );
        let h = FARGATE_LABEL_H + shown.div_ceil(per_row) as f64 * pitch + 4.0;
        self.provisioning_lane = Some((lane_top, h, label));
        self.provisioning = tasks.len();
        self.height = lane_top + h + PAD;
    }

    fn waiting_strip(&mut self, world: &World) {
        let mut x = PAD;
        for (n, s) in world.ecs.services.iter().enumerate() {
            if s.status != ServiceStatus::Active || !self.shows(&s.cluster) {
                continue;
            }
            let started = s
                .tasks
                .iter()
                .filter(|&&t| {
                    let t = &world.ecs.tasks[t];
                    !t.is_stopped() && t.desired_status == TaskStatus::Running && !t.replacing
                })
                .count() as u32;
            let target = match s.scheduling_strategy {
                crate::ecs::SchedulingStrategy::Replica => s.desired_count,
                crate::ecs::SchedulingStrategy::Daemon => started,
            };
            let count = target.saturating_sub(started);
            if count > 0 {
                // "name: N waiting" at some 7 px a character (12 px system-ui runs 6-7), then
                // the outlines, 14 px apart.
                let label_chars = format!("{}: {count} waiting", s.name).chars().count();
                let w = WAITING_CHAR_W * label_chars as f64 + 6.0 + 14.0 * f64::from(count.min(8));
                self.waiting.push(Waiting {
                    service: n,
                    name: s.name.clone(),
                    count,
                    x,
                    y: 8.0,
                    w,
                });
                x += w + 8.0;
            }
        }
    }

    /// The load balancers' lanes under the zone names, and the flows from their nodes to the
    /// targets sent requests at the last traffic sample (aggregated per box or chip, the
    /// busiest [`MAP_FLOWS_MAX`]).
    fn balancers(&mut self, world: &World) {
        use std::collections::BTreeMap;
        if world.elb.load_balancers.is_empty() {
            return; // The common case: no index of boxes and chips to build each frame.
        }
        // A node sits at the right end of its zone's stretch of the lane, clear of the label.
        let node_x = |zone: &str| {
            (self.zones.iter())
                .find(|c| c.name == zone)
                .map(|c| c.x + c.w - 14.0)
        };
        let column = |zone: &str| self.zones.iter().find(|c| c.name == zone);
        // Per (lane, destination): the node's x, the destination's x and y, requests a second.
        type Flow = (f64, f64, f64, f32);
        // Keyed by lane, whether the destination is a chip (else a box), and its index.
        let mut flows: BTreeMap<(usize, bool, usize), Flow> = BTreeMap::new();
        let box_of: BTreeMap<&str, usize> = (self.boxes.iter().enumerate())
            .filter_map(|(n, b)| match b.kind {
                BoxKind::Container(i) => {
                    Some((world.ecs.container_instances[i].ec2_instance_id.as_str(), n))
                }
                BoxKind::Booting(_) => None,
            })
            .collect();
        let chip_of: BTreeMap<TaskIdx, usize> = (self.chips.iter().enumerate())
            .map(|(n, c)| (c.task, n))
            .collect();
        for (k, lb) in (world.elb.load_balancers.iter())
            .take(MAP_LOAD_BALANCERS_MAX)
            .enumerate()
        {
            let y = WAITING_H + HEADER_H + k as f64 * LANE_H + 12.0;
            let nodes: Vec<f64> = lb.zones.iter().filter_map(|(_, z)| node_x(z)).collect();
            let columns: Vec<&ZoneColumn> =
                lb.zones.iter().filter_map(|(_, z)| column(z)).collect();
            let (x0, x1) = match (columns.first(), columns.last()) {
                (Some(a), Some(b)) => (a.x, b.x + b.w),
                _ => (PAD, PAD + 200.0),
            };
            let ports: Vec<String> = (world.elb.listeners.iter())
                .filter(|l| l.load_balancer == lb.arn)
                .map(|l| format!(":{}", l.port))
                .collect();
            self.balancers.push(BalancerLane {
                label: format!(
                    "{} · {} {} · {:.0} req/s",
                    lb.name,
                    match lb.kind {
                        crate::elb::load_balancer::Kind::Application => "ALB",
                        crate::elb::load_balancer::Kind::Network => "NLB",
                        crate::elb::load_balancer::Kind::Classic => "CLB",
                    },
                    ports.join(" "),
                    lb.requests_per_second
                ),
                y,
                x0: x0.max(0.0),
                x1: x1.min(self.width),
                nodes,
            });
            for g in crate::elb::traffic::groups_of(world, &lb.arn) {
                let tg = &world.elb.target_groups[g];
                for t in tg.targets.iter().filter(|t| t.requests_per_second > 0.0) {
                    let to = if tg.target_type == "ip" {
                        let task = crate::elb::read::address(&t.id)
                            .and_then(|a| world.ecs.eni_addresses.get(&a));
                        task.and_then(|task| chip_of.get(task)).map(|&n| {
                            let c = &self.chips[n];
                            (c.x + c.size / 2.0, c.y, (true, n))
                        })
                    } else {
                        box_of.get(t.id.as_str()).map(|&n| {
                            let b = &self.boxes[n];
                            (b.x + b.w / 2.0, b.y, (false, n))
                        })
                    };
                    let Some((x, y_to, key)) = to else { continue };
                    // From the node in the target's zone (with cross-zone on, every node
                    // sends; the one beside it stands for them).
                    let from_x = (t.zone.as_deref())
                        .and_then(|z| lb.zones.iter().any(|(_, lz)| lz == z).then(|| node_x(z)))
                        .flatten()
                        .unwrap_or(x);
                    let entry = flows
                        .entry((k, key.0, key.1))
                        .or_insert((from_x, x, y_to, 0.0));
                    entry.3 += t.requests_per_second;
                }
            }
        }
        let mut list: Vec<((usize, bool, usize), Flow)> = flows.into_iter().collect();
        list.sort_by(|a, b| b.1 .3.total_cmp(&a.1 .3));
        list.truncate(MAP_FLOWS_MAX);
        let busiest = list.first().map_or(1.0, |f| f.1 .3.max(1e-3));
        self.flows = list
            .into_iter()
            .map(|((lane, _, _), (from_x, to_x, to_y, rps))| FlowLine {
                from: (from_x, self.balancers[lane].y),
                to: (to_x, to_y),
                width: (FLOW_W_MAX * f64::from(rps / busiest)).max(1.0),
                requests_per_second: rps,
            })
            .collect();
    }

    /// Whether the layout shows `cluster`'s instances and tasks.
    fn shows(&self, cluster: &str) -> bool {
        self.cluster.as_deref().is_none_or(|c| c == cluster)
    }

    /// Where a new chip of `service` starts its slide: its waiting group, or the strip's middle.
    pub fn origin(&self, service: Option<usize>) -> (f64, f64) {
        service
            .and_then(|s| self.waiting.iter().find(|w| w.service == s))
            .map_or((self.width / 2.0, WAITING_H / 2.0), |w| (w.x, w.y))
    }

    /// What the layout shows, counted.
    pub fn summary(&self) -> MapSummary {
        let mut out = MapSummary {
            provisioning: self.provisioning,
            ..MapSummary::default()
        };
        for b in &self.boxes {
            match b.kind {
                // A faded box of a host gone is not an instance of the cluster any more.
                BoxKind::Container(_) if b.gone => {}
                BoxKind::Container(_) => out.instances += 1,
                BoxKind::Booting(_) => out.booting += 1,
            }
            out.draining += usize::from(b.draining);
            out.not_drawn += b.overflow;
        }
        for chip in &self.chips {
            let at = CHIP_STATES.iter().position(|s| *s == chip.state);
            out.tasks[at.expect("every state is listed")] += 1;
        }
        out.waiting = self.waiting.iter().map(|w| w.count).sum();
        out
    }

    /// The task, instance or waiting group under a point (tasks first: they sit on top).
    pub fn hit(&self, x: f64, y: f64) -> Option<Hit> {
        let slack = 1.5;
        if y < WAITING_H {
            return self
                .waiting
                .iter()
                .find(|w| x >= w.x && x <= w.x + w.w)
                .map(|w| Hit::Waiting(w.service));
        }
        self.chips
            .iter()
            .find(|c| {
                x >= c.x - slack
                    && x <= c.x + c.size + slack
                    && y >= c.y - slack
                    && y <= c.y + c.size + slack
            })
            .map(|c| Hit::Task(c.task, c.serial))
            .or_else(|| {
                self.boxes.iter().find_map(|b| match b.kind {
                    BoxKind::Container(n)
                        if x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h =>
                    {
                        Some(Hit::Instance(n))
                    }
                    _ => None,
                })
            })
    }

    /// Everything the keyboard stops on, in reading order: the waiting groups, then each
    /// registered instance followed by its tasks, then the Fargate tasks.
    pub fn stops(&self) -> Vec<Hit> {
        let mut stops: Vec<Hit> = self
            .waiting
            .iter()
            .map(|w| Hit::Waiting(w.service))
            .collect();
        let mut placed = vec![false; self.chips.len()];
        for b in &self.boxes {
            let BoxKind::Container(n) = b.kind else {
                continue;
            };
            stops.push(Hit::Instance(n));
            for (c, chip) in self.chips.iter().enumerate() {
                let inside =
                    chip.x >= b.x && chip.x <= b.x + b.w && chip.y >= b.y && chip.y <= b.y + b.h;
                if inside && !placed[c] {
                    placed[c] = true;
                    stops.push(Hit::Task(chip.task, chip.serial));
                }
            }
        }
        for (c, chip) in self.chips.iter().enumerate() {
            if !placed[c] {
                stops.push(Hit::Task(chip.task, chip.serial));
            }
        }
        stops
    }

    /// Where the keyboard goes from `current` on `key` (arrows move one stop, Home and End to
    /// the ends); None for any other key or an empty map.
    pub fn next_stop(&self, current: Option<&Hit>, key: &str) -> Option<Hit> {
        let stops = self.stops();
        let last = stops.len().checked_sub(1)?;
        let at = current.and_then(|h| stops.iter().position(|s| s == h));
        let next = match (key, at) {
            ("ArrowRight" | "ArrowDown", Some(n)) => (n + 1).min(last),
            ("ArrowLeft" | "ArrowUp", Some(n)) => n.saturating_sub(1),
            ("ArrowRight" | "ArrowDown" | "Home", None) | ("Home", _) => 0,
            ("ArrowLeft" | "ArrowUp" | "End", None) | ("End", _) => last,
            _ => return None,
        };
        Some(stops[next].clone())
    }

    /// The rectangle a stop occupies (x, y, width, height), to draw the keyboard's ring.
    pub fn rect_of(&self, hit: &Hit) -> Option<(f64, f64, f64, f64)> {
        match hit {
            Hit::Waiting(service) => self
                .waiting
                .iter()
                .find(|w| w.service == *service)
                .map(|w| (w.x - 3.0, 4.0, w.w + 6.0, WAITING_H - 8.0)),
            Hit::Instance(n) => self
                .boxes
                .iter()
                .find(|b| b.kind == BoxKind::Container(*n))
                .map(|b| (b.x, b.y, b.w, b.h)),
            Hit::Task(t, serial) => self
                .chips
                .iter()
                .find(|c| c.task == *t && c.serial == *serial)
                .map(|c| (c.x, c.y, c.size, c.size)),
        }
    }
}

/// Host ports held, as the inspector and the map's hover text list them.
pub fn port_list(ports: &std::collections::BTreeSet<u16>) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// EC2 instances booting (state pending, no container instance yet): id and zone.
fn booting(world: &World) -> impl Iterator<Item = (&str, &str)> {
    world
        .ec2
        .launch_order
        .iter()
        .filter_map(|id| world.ec2.instances.get(id))
        .filter(|i| {
            i.state == InstanceState::Pending && world.container_instance_of(&i.id).is_none()
        })
        .map(|i| (i.id.as_str(), i.availability_zone.as_str()))
}

/// The EC2 tasks PROVISIONING while they wait for their capacity provider's instances,
/// oldest first.
fn waiting_tasks<'a>(
    world: &'a World,
    cluster: Option<&'a str>,
) -> impl Iterator<Item = TaskIdx> + 'a {
    (world.ecs.clusters.values())
        .filter(move |c| cluster.is_none_or(|name| name == c.name))
        .flat_map(|c| c.waiting.iter().map(|w| w.task))
        .filter(move |&t| world.is_waiting(t))
}

fn fargate_tasks<'a>(
    world: &'a World,
    cluster: Option<&'a str>,
) -> impl Iterator<Item = TaskIdx> + 'a {
    (world.ecs.tasks.indices()).filter(move |&t| {
        let task = &world.ecs.tasks[t];
        task.launch_type == LaunchType::Fargate
            && visible(world, t)
            && cluster.is_none_or(|c| c == task.cluster)
    })
}
