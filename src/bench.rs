//! Benchmarks that print their figures (design.md section 7), shared by `ecsplay bench`, the
//! `benches/` harness and the browser benchmark. The caller passes a clock in milliseconds, as
//! `std::time::Instant` does not exist in the browser.
//!
//! The placement workload is C2M's (2,000,000 tasks on 6,100 instances): m5.4xlarge instances
//! (16 vCPU, 64 GiB, 16,384 CPU units and 62,914 MiB registered) over three zones, a tenth of
//! them c5.4xlarge; tasks of 32 CPU units and 128 MiB with one memberOf that keeps them off the
//! c5s (`attribute:ecs.instance-type =~ m5.*`, a regular expression evaluated per instance).
//! Each task is placed on the index as the simulation places it (choose, then commit), without
//! the lifecycle that follows.

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::ecs::placement::index::Placer;
use crate::ecs::placement::{reference, Demand, MemberOf, Pool, Request, Resource, Slot, Strategy};

/// The strategy chains the budgets name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    BinpackMemory,
    SpreadZoneThenInstance,
    Random,
}

impl Chain {
    pub const ALL: [Chain; 3] = [
        Chain::BinpackMemory,
        Chain::SpreadZoneThenInstance,
        Chain::Random,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Chain::BinpackMemory => "binpack(memory)",
            Chain::SpreadZoneThenInstance => "spread(AZ)+spread(instanceId)",
            Chain::Random => "random",
        }
    }

    fn strategies(self) -> Vec<Strategy> {
        match self {
            Chain::BinpackMemory => vec![Strategy::Binpack(Resource::Memory)],
            Chain::SpreadZoneThenInstance => vec![
                Strategy::SpreadAttribute("ecs.availability-zone".into()),
                Strategy::SpreadInstance,
            ],
            Chain::Random => vec![Strategy::Random],
        }
    }
}

/// The instances of the workload, owned, so a pool can borrow them.
pub struct Fleet {
    ids: Vec<String>,
    zones: Vec<String>,
    attributes: Vec<BTreeMap<String, Option<String>>>,
    reserved: BTreeSet<u16>,
}

impl Fleet {
    pub fn new(instances: usize) -> Fleet {
        let zone_names = ["us-east-1a", "us-east-1b", "us-east-1c"];
        let mut fleet = Fleet {
            ids: Vec::with_capacity(instances),
            zones: Vec::with_capacity(instances),
            attributes: Vec::with_capacity(instances),
            reserved: [22, 2375, 2376, 51678, 51679].into_iter().collect(),
        };
        for n in 0..instances {
            let zone = zone_names[n % 3];
            let instance_type = if n % 10 == 9 {
                "c5.4xlarge"
            } else {
                "m5.4xlarge"
            };
            let mut attributes = BTreeMap::new();
            for (name, value) in [
                ("ecs.availability-zone", zone),
                ("ecs.instance-type", instance_type),
                ("ecs.os-type", "linux"),
                ("ecs.cpu-architecture", "x86_64"),
            ] {
                attributes.insert(name.to_string(), Some(value.to_string()));
            }
            fleet.ids.push(format!("{n:032x}"));
            fleet.zones.push(zone.to_string());
            fleet.attributes.push(attributes);
        }
        fleet
    }

    pub fn pool(&self) -> Pool<'_> {
        Pool {
            slots: (0..self.ids.len())
                .map(|n| {
                    Slot::new(
                        n,
                        &self.ids[n],
                        &self.zones[n],
                        16_384,
                        62_914,
                        7,
                        &self.reserved,
                        &self.attributes[n],
                    )
                })
                .collect(),
        }
    }
}

/// The workload's request under `chain`.
pub fn request(chain: Chain) -> Request {
    Request {
        demand: Demand {
            cpu_units: 32,
            memory_mib: 128,
            ..Demand::default()
        },
        member_of: vec![MemberOf::parse("attribute:ecs.instance-type =~ m5.*", "$")
            .expect("a valid expression")],
        distinct_instance: false,
        group: "service:c2m".into(),
        strategies: chain.strategies(),
        default_strategies: false,
    }
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub chain: Chain,
    pub instances: usize,
    pub tasks: usize,
    pub placed: usize,
    pub seconds: f64,
    /// A digest of where every task went, so two runs can be compared.
    pub digest: u64,
}

impl Figure {
    pub fn nanoseconds_per_task(&self) -> f64 {
        self.seconds * 1e9 / self.tasks as f64
    }

    pub fn line(&self) -> String {
        format!(
            "placement {:<30} {:>9} tasks on {:>5} instances: {:>7.3} s, {:>6.0} ns/task ({} placed)",
            self.chain.label(),
            self.tasks,
            self.instances,
            self.seconds,
            self.nanoseconds_per_task(),
            self.placed
        )
    }
}

/// Places `tasks` tasks on `instances` instances under `chain`, timed by `clock_ms`.
pub fn placement(
    chain: Chain,
    instances: usize,
    tasks: usize,
    clock_ms: &dyn Fn() -> f64,
) -> Figure {
    let fleet = Fleet::new(instances);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let start = clock_ms();
    let mut placer = Placer::new(fleet.pool(), request(chain));
    let mut placed = 0;
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..tasks {
        match placer.choose(&mut rng) {
            Ok(s) => {
                placer.commit(s);
                placed += 1;
                digest = (digest ^ s as u64).wrapping_mul(0x0100_0000_01b3);
            }
            Err(_) => break,
        }
    }
    let seconds = (clock_ms() - start) / 1_000.0;
    Figure {
        chain,
        instances,
        tasks,
        placed,
        seconds,
        digest,
    }
}

/// The same decisions with the reference scan (for small sizes: it is quadratic), to show the
/// digests agree.
pub fn placement_reference(chain: Chain, instances: usize, tasks: usize) -> u64 {
    let fleet = Fleet::new(instances);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let request = request(chain);
    let mut pool = fleet.pool();
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..tasks {
        match reference::place(&pool, &request, &mut rng) {
            Ok(s) => {
                pool.add(s, &request);
                digest = (digest ^ s as u64).wrapping_mul(0x0100_0000_01b3);
            }
            Err(_) => break,
        }
    }
    digest
}

/// The C2M sizes, and half the cluster with half the tasks for the doubling budget.
pub const C2M_INSTANCES: usize = 6_100;
pub const C2M_TASKS: usize = 2_000_000;

/// Runs every chain at C2M scale and at half of it; returns the figures, full size first. Each
/// chain is first run once at a tenth of the size and not measured, so a browser's compiler has
/// optimised the code before the clock starts (it is the same code natively).
pub fn placement_suite(clock_ms: &dyn Fn() -> f64, scale: f64) -> Vec<(Figure, Figure)> {
    let instances = ((C2M_INSTANCES as f64) * scale).round() as usize;
    let tasks = ((C2M_TASKS as f64) * scale).round() as usize;
    Chain::ALL
        .iter()
        .map(|&chain| {
            placement(chain, instances / 10, tasks / 10, clock_ms);
            let full = placement(chain, instances, tasks, clock_ms);
            let half = placement(chain, instances / 2, tasks / 2, clock_ms);
            (full, half)
        })
        .collect()
}

/// The report `ecsplay bench placement` prints.
pub fn report(suite: &[(Figure, Figure)]) -> String {
    let mut out = String::new();
    for (full, half) in suite {
        out.push_str(&full.line());
        out.push('\n');
        out.push_str(&half.line());
        out.push('\n');
        out.push_str(&format!(
            "  time per task, doubling the cluster: x{:.2}\n",
            full.nanoseconds_per_task() / half.nanoseconds_per_task()
        ));
    }
    out
}

/// The cluster-map benchmark's world (design.md section 7: 1,000 instances, 10,000 tasks):
/// m5.xlarge instances over three zones, each task of 64 CPU units and 256 MiB, started by
/// RunTask (ten at a time, spread over the instances) and run until RUNNING. A tenth of them
/// come from four services' worth of task groups, so the map has colours to batch.
pub fn map_fleet(instances: usize, tasks: usize) -> crate::engine::World {
    use serde_json::json;
    let mut world = crate::engine::World::new(crate::engine::WorldConfig::default());
    let ok = |world: &mut crate::engine::World, action: &str, input: serde_json::Value| {
        world
            .apply(action, &input)
            .unwrap_or_else(|e| panic!("map fleet: {action}: {e}"));
    };
    ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "bench" }),
    );
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    for (n, zone) in zones.iter().enumerate() {
        let count = instances / 3 + usize::from(n < instances % 3);
        if count > 0 {
            let request = crate::ec2::run_instances_request(
                "m5.xlarge",
                count as u32,
                zone,
                "bench",
                &Default::default(),
            );
            ok(&mut world, "ec2:RunInstances", request);
        }
    }
    ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({
            "family": "app", "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [{ "name": "app", "image": "app:1", "cpu": 64, "memory": 256, "essential": true }],
        }),
    );
    while !world.advance_by(5 * crate::engine::time::MS_PER_MINUTE) {}
    for started in (0..tasks).step_by(10) {
        let count = (tasks - started).min(10);
        ok(
            &mut world,
            "ecs:RunTask",
            json!({
                "cluster": "bench", "taskDefinition": "app", "count": count,
                "placementStrategy": [{ "type": "spread", "field": "instanceId" }],
            }),
        );
    }
    while !world.advance_by(5 * crate::engine::time::MS_PER_MINUTE) {}
    world
}
