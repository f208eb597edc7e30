//! The indexed placement engine against the reference scan: random clusters, task demands,
//! constraints and strategy chains; both must choose the same instance for every task of a
//! batch, draw the same random numbers, and fail on the same tasks with the same closest match.

use std::collections::{BTreeMap, BTreeSet};

use ecsplay::ecs::placement::index::Placer;
use ecsplay::ecs::placement::{
    reference, Demand, MemberOf, Pool, Request, Resource, Slot, Strategy,
};
use ecsplay::ecs::InstanceStatus;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
const TYPES: [&str; 4] = ["t3.large", "m5.large", "m5.xlarge", "c5.large"];

/// What a pool borrows, owned.
struct Cluster {
    ids: Vec<String>,
    attributes: Vec<BTreeMap<String, Option<String>>>,
    ports: Vec<BTreeSet<u16>>,
}

fn cluster(rng: &mut ChaCha8Rng) -> Cluster {
    let n = rng.random_range(0..40u32) as usize;
    let mut c = Cluster {
        ids: Vec::new(),
        attributes: Vec::new(),
        ports: Vec::new(),
    };
    for i in 0..n {
        let mut attributes = BTreeMap::new();
        let zone = ZONES[rng.random_range(0..3u32) as usize];
        let kind = TYPES[rng.random_range(0..4u32) as usize];
        attributes.insert("ecs.availability-zone".into(), Some(zone.to_string()));
        attributes.insert("ecs.instance-type".into(), Some(kind.to_string()));
        attributes.insert(
            "ecs.cpu-architecture".into(),
            Some(
                if rng.random_bool(0.8) {
                    "x86_64"
                } else {
                    "arm64"
                }
                .to_string(),
            ),
        );
        if rng.random_bool(0.5) {
            let stack = ["prod", "dev"][rng.random_range(0..2u32) as usize];
            attributes.insert("stack".into(), Some(stack.to_string()));
        }
        let mut ports: BTreeSet<u16> = [22, 2375, 2376, 51678, 51679].into_iter().collect();
        for _ in 0..rng.random_range(0..3u32) {
            ports.insert([80, 443, 8080][rng.random_range(0..3u32) as usize]);
        }
        c.ids.push(format!("ci-{i}"));
        c.attributes.push(attributes);
        c.ports.push(ports);
    }
    c
}

fn pool<'a>(c: &'a Cluster, rng: &mut ChaCha8Rng) -> Pool<'a> {
    let slots = (0..c.ids.len())
        .map(|i| {
            let zone = c.attributes[i]["ecs.availability-zone"].as_deref().unwrap();
            let mut slot = Slot::new(
                i,
                &c.ids[i],
                zone,
                rng.random_range(0..4u32) * 512,
                rng.random_range(0..8u32) * 512,
                rng.random_range(0..3u32),
                &c.ports[i],
                &c.attributes[i],
            );
            slot.status = match rng.random_range(0..10u32) {
                0 => InstanceStatus::Draining,
                _ => InstanceStatus::Active,
            };
            slot.agent_connected = rng.random_range(0..12u32) != 0;
            slot.running_tasks = rng.random_range(0..4u32);
            slot.registered_at_s = 1_700_000_000 + i64::from(rng.random_range(0..1_000u32));
            for group in ["service:web", "service:db", "family:job"] {
                let n = rng.random_range(0..3u32);
                if n > 0 {
                    slot.groups.insert(group.to_string(), n);
                }
            }
            slot
        })
        .collect();
    Pool { slots }
}

const EXPRESSIONS: [&str; 8] = [
    "attribute:ecs.instance-type =~ m5.*",
    "attribute:stack == prod",
    "attribute:stack !exists or attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    "not(task:group == service:db)",
    "runningTasksCount < 2",
    "task:group == service:web or attribute:ecs.instance-type == t3.large",
    "registeredAt >= 2023-11-14T22:20:00Z",
    "agentConnected == true and attribute:ecs.cpu-architecture != arm64",
];

fn strategy(rng: &mut ChaCha8Rng) -> Strategy {
    match rng.random_range(0..7u32) {
        0 => Strategy::Random,
        1 => Strategy::SpreadInstance,
        2 => Strategy::SpreadAttribute("ecs.availability-zone".into()),
        3 => Strategy::SpreadAttribute("stack".into()),
        4 => Strategy::SpreadAttribute("ecs.instance-type".into()),
        5 => Strategy::Binpack(Resource::Cpu),
        _ => Strategy::Binpack(Resource::Memory),
    }
}

fn request(rng: &mut ChaCha8Rng) -> Request {
    let mut host_ports = Vec::new();
    for _ in 0..rng.random_range(0..3u32) {
        let host = [0, 0, 80, 8080][rng.random_range(0..4u32) as usize];
        host_ports.push((80, host, rng.random_bool(0.2)));
    }
    let member_of = (0..rng.random_range(0..3u32))
        .map(|_| MemberOf::parse(EXPRESSIONS[rng.random_range(0..8u32) as usize], "$").unwrap())
        .collect();
    Request {
        demand: Demand {
            cpu_units: rng.random_range(0..3u32) * 256,
            memory_mib: rng.random_range(1..4u32) * 256,
            host_ports,
            needs_eni: rng.random_bool(0.2),
            cpu_architecture: rng.random_bool(0.1).then_some("arm64"),
        },
        member_of,
        distinct_instance: rng.random_bool(0.2),
        group: ["service:web", "service:db", "family:job"][rng.random_range(0..3u32) as usize]
            .to_string(),
        strategies: (0..rng.random_range(0..6u32))
            .map(|_| strategy(rng))
            .collect(),
        default_strategies: false,
    }
}

#[test]
fn the_index_places_every_task_where_the_reference_does() {
    let mut cases = ChaCha8Rng::seed_from_u64(2024);
    let mut placed = 0;
    let mut failed = 0;
    for case in 0..400 {
        let c = cluster(&mut cases);
        let start = pool(&c, &mut cases);
        let request = request(&mut cases);
        let seed = cases.random::<u64>();
        let tasks = cases.random_range(1..30u32);
        let mut index_rng = ChaCha8Rng::seed_from_u64(seed);
        let mut reference_rng = ChaCha8Rng::seed_from_u64(seed);
        let mut placer = Placer::new(start.clone(), request.clone());
        let mut plain = start;
        for task in 0..tasks {
            let indexed = placer.choose(&mut index_rng);
            let expected = reference::place(&plain, &request, &mut reference_rng);
            assert_eq!(
                indexed, expected,
                "case {case}, task {task}: {:?}",
                request.strategies
            );
            assert!(
                index_rng == reference_rng,
                "case {case}, task {task}: draws"
            );
            match indexed {
                Ok(s) => {
                    placer.commit(s);
                    plain.add(s, &request);
                    placed += 1;
                }
                Err(_) => failed += 1,
            }
        }
    }
    // The generator must exercise both outcomes for the comparison to mean anything.
    assert!(
        placed > 2_000 && failed > 500,
        "placed {placed}, failed {failed}"
    );
}

#[test]
fn the_benchmark_workload_agrees_with_the_reference() {
    use ecsplay::bench::{placement, placement_reference, Chain};
    for chain in Chain::ALL {
        let figure = placement(chain, 61, 5_000, &|| 0.0);
        assert_eq!(figure.placed, 5_000, "{chain:?}");
        assert_eq!(
            figure.digest,
            placement_reference(chain, 61, 5_000),
            "{chain:?}"
        );
    }
}
