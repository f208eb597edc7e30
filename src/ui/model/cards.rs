//! Scenario cards ("Learn"): a card is data (`static/cards/*.json`): a title, a short narrative,
//! the preset scenario to run, a question with its answers, which is right, an explanation
//! naming the AWS documentation page, and the moment that shows the answer (a time, or the first
//! event of a name). A card cannot lie: every answer states a claim the simulation's own output
//! can check, and `tests/cards.rs` runs each card and holds the right answer's claim true and the
//! others false.

use serde::Deserialize;

use crate::engine::log::LogRecord;
use crate::engine::time::SimTime;
use crate::world::World;

/// The cards, in the order the picker lists them.
pub const CARDS: &[&str] = &[
    include_str!("../../../static/cards/circuit-breaker.json"),
    include_str!("../../../static/cards/binpack-vs-spread.json"),
    include_str!("../../../static/cards/distinct-instance.json"),
    include_str!("../../../static/cards/member-of.json"),
    include_str!("../../../static/cards/fargate.json"),
    include_str!("../../../static/cards/rolling-update.json"),
    include_str!("../../../static/cards/task-definition.json"),
    include_str!("../../../static/cards/random.json"),
    include_str!("../../../static/cards/daemon.json"),
    include_str!("../../../static/cards/draining.json"),
    include_str!("../../../static/cards/alb-security-groups.json"),
    include_str!("../../../static/cards/deregistration-delay.json"),
    include_str!("../../../static/cards/secret-rotation.json"),
    include_str!("../../../static/cards/efs-mount-target.json"),
];

/// The one card format this build reads.
pub const CARD_FORMAT: u64 = 1;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Card {
    pub format: u64,
    pub id: String,
    pub title: String,
    pub narrative: String,
    /// The preset scenario the card runs.
    pub scenario: String,
    pub question: String,
    pub answers: Vec<Answer>,
    /// The index of the right answer.
    pub correct: usize,
    pub explanation: String,
    /// The AWS documentation page the explanation rests on.
    pub documentation: String,
    pub reveal: Reveal,
    /// The claims are checked at this simulated time.
    pub check_at_ms: SimTime,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Answer {
    pub text: String,
    pub claim: Claim,
}

/// What an answer says, in terms the simulation can check. Counts take `equals`, `atLeast` and
/// `atMost` (each optional; all given must hold).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Claim {
    /// EventBridge events whose `detail.eventName` is `event_name`: how many.
    #[serde(rename_all = "camelCase")]
    EventCount {
        event_name: String,
        #[serde(default)]
        at_least: Option<usize>,
        #[serde(default)]
        at_most: Option<usize>,
    },
    /// The service's RUNNING tasks.
    #[serde(rename_all = "camelCase")]
    Running {
        cluster: String,
        service: String,
        #[serde(default)]
        equals: Option<usize>,
        #[serde(default)]
        at_least: Option<usize>,
        #[serde(default)]
        at_most: Option<usize>,
    },
    /// The container instances the service's RUNNING tasks are on.
    #[serde(rename_all = "camelCase")]
    InstancesUsed {
        cluster: String,
        service: String,
        equals: usize,
    },
    /// The instance types the service's RUNNING tasks are on, sorted, each once.
    #[serde(rename_all = "camelCase")]
    InstanceTypes {
        cluster: String,
        service: String,
        equals: Vec<String>,
    },
    /// The service's RUNNING tasks on one EC2 instance (named by its id, which the seed fixes).
    #[serde(rename_all = "camelCase")]
    TasksOnInstance {
        cluster: String,
        service: String,
        ec2_instance_id: String,
        #[serde(default)]
        equals: Option<usize>,
        #[serde(default)]
        at_least: Option<usize>,
    },
    /// Requests of `action` (`ecs:RegisterTaskDefinition`) that were refused, with this error
    /// code if one is named.
    #[serde(rename_all = "camelCase")]
    Refused {
        action: String,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        at_least: Option<usize>,
        #[serde(default)]
        at_most: Option<usize>,
    },
    /// The service's tasks whose lastStatus is `last_status` (`DEACTIVATING`).
    #[serde(rename_all = "camelCase")]
    TasksWithStatus {
        cluster: String,
        service: String,
        last_status: String,
        equals: usize,
    },
    /// The service's tasks stopped with a reason that contains `reason` (`Task failed ELB
    /// health checks`).
    #[serde(rename_all = "camelCase")]
    StoppedWith {
        cluster: String,
        service: String,
        reason: String,
        #[serde(default)]
        at_least: Option<usize>,
        #[serde(default)]
        at_most: Option<usize>,
    },
    /// The revisions registered in a task definition family.
    #[serde(rename_all = "camelCase")]
    TaskDefinitionRevisions { family: String, equals: usize },
    /// The service's RUNNING tasks one of whose containers has `name` = `value` in the
    /// environment it resolved when it started (its variables, files and secrets).
    #[serde(rename_all = "camelCase")]
    EnvironmentValue {
        cluster: String,
        service: String,
        name: String,
        value: String,
        equals: usize,
    },
    /// Every one of these claims.
    All { claims: Vec<Claim> },
}

/// When the answer is shown: a time, or the first event of a name (whichever the card gives;
/// both: the first to come).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Reveal {
    #[serde(default)]
    pub at_ms: Option<SimTime>,
    #[serde(default)]
    pub event: Option<String>,
}

/// Every card, read.
pub fn cards() -> Vec<Card> {
    CARDS
        .iter()
        .map(|text| parse(text).expect("the cards are valid"))
        .collect()
}

/// The card at `index` in [`CARDS`], read.
pub fn card(index: usize) -> Option<Card> {
    CARDS
        .get(index)
        .map(|text| parse(text).expect("the cards are valid"))
}

/// The index in [`CARDS`] of the card with this id.
pub fn index_of(id: &str) -> Option<usize> {
    cards().iter().position(|c| c.id == id)
}

/// A card from its JSON; the error names what is wrong.
pub fn parse(text: &str) -> Result<Card, String> {
    let card: Card = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if card.format != CARD_FORMAT {
        return Err(format!("card format {} is not {CARD_FORMAT}", card.format));
    }
    if card.correct >= card.answers.len() || !(3..=4).contains(&card.answers.len()) {
        return Err("a card has 3 or 4 answers and names one of them as right".into());
    }
    if crate::scenario::presets::preset(&card.scenario).is_none() {
        return Err(format!("{:?} is not a preset scenario", card.scenario));
    }
    if card.reveal.at_ms.is_none() && card.reveal.event.is_none() {
        return Err("a card's reveal names a time or an event".into());
    }
    Ok(card)
}

fn event_names(world: &World) -> impl Iterator<Item = (SimTime, String)> + '_ {
    world.log().iter().filter_map(|record| match record {
        LogRecord::Event { time, .. } => record
            .event()
            .and_then(|e| e["detail"]["eventName"].as_str().map(str::to_string))
            .map(|name| (*time, name)),
        _ => None,
    })
}

fn running_tasks<'a>(
    world: &'a World,
    cluster: &'a str,
    service: &'a str,
) -> impl Iterator<Item = &'a crate::ecs::Task> + 'a {
    world
        .ecs
        .services
        .iter()
        .filter(move |s| s.cluster == cluster && s.name == service)
        .flat_map(move |s| s.tasks.iter().map(move |&t| &world.ecs.tasks[t]))
        .filter(|t| t.is_running())
}

/// Whether `n` is within the bounds given (none given: any count).
fn count_fits(
    n: usize,
    equals: Option<usize>,
    at_least: Option<usize>,
    at_most: Option<usize>,
) -> bool {
    equals.is_none_or(|e| n == e)
        && at_least.is_none_or(|min| n >= min)
        && at_most.is_none_or(|max| n <= max)
}

/// Whether the world bears the claim out.
pub fn holds(claim: &Claim, world: &World) -> bool {
    match claim {
        Claim::EventCount {
            event_name,
            at_least,
            at_most,
        } => {
            let n = event_names(world).filter(|(_, e)| e == event_name).count();
            count_fits(n, None, *at_least, *at_most)
        }
        Claim::Running {
            cluster,
            service,
            equals,
            at_least,
            at_most,
        } => count_fits(
            running_tasks(world, cluster, service).count(),
            *equals,
            *at_least,
            *at_most,
        ),
        Claim::InstancesUsed {
            cluster,
            service,
            equals,
        } => {
            let mut used: Vec<usize> = running_tasks(world, cluster, service)
                .filter_map(|t| t.container_instance)
                .collect();
            used.sort_unstable();
            used.dedup();
            used.len() == *equals
        }
        Claim::InstanceTypes {
            cluster,
            service,
            equals,
        } => {
            let mut types: Vec<&str> = running_tasks(world, cluster, service)
                .filter_map(|t| t.container_instance)
                .map(|i| world.ecs.container_instances[i].instance_type)
                .collect();
            types.sort_unstable();
            types.dedup();
            types == *equals
        }
        Claim::TasksOnInstance {
            cluster,
            service,
            ec2_instance_id,
            equals,
            at_least,
        } => {
            let n = running_tasks(world, cluster, service)
                .filter_map(|t| t.container_instance)
                .filter(|&i| world.ecs.container_instances[i].ec2_instance_id == *ec2_instance_id)
                .count();
            count_fits(n, *equals, *at_least, None)
        }
        Claim::Refused {
            action,
            code,
            at_least,
            at_most,
        } => {
            let n = world
                .log()
                .iter()
                .filter(|record| match record {
                    LogRecord::Failed {
                        action: a, error, ..
                    } => a == action && code.as_ref().is_none_or(|c| *c == error.code),
                    _ => false,
                })
                .count();
            count_fits(n, None, *at_least, *at_most)
        }
        Claim::TasksWithStatus {
            cluster,
            service,
            last_status,
            equals,
        } => {
            let n = (world.ecs.services.iter())
                .filter(|s| s.cluster == *cluster && s.name == *service)
                .flat_map(|s| s.tasks.iter().map(|&t| &world.ecs.tasks[t]))
                .filter(|t| t.last_status.as_str() == last_status)
                .count();
            n == *equals
        }
        Claim::StoppedWith {
            cluster,
            service,
            reason,
            at_least,
            at_most,
        } => {
            let n = (world.ecs.services.iter())
                .filter(|s| s.cluster == *cluster && s.name == *service)
                .flat_map(|s| s.tasks.iter().map(|&t| &world.ecs.tasks[t]))
                .filter(|t| {
                    t.stopped_reason
                        .as_deref()
                        .is_some_and(|r| r.contains(reason.as_str()))
                })
                .count();
            count_fits(n, None, *at_least, *at_most)
        }
        Claim::TaskDefinitionRevisions { family, equals } => {
            world.ecs.task_definitions.get(family).map_or(0, Vec::len) == *equals
        }
        Claim::EnvironmentValue {
            cluster,
            service,
            name,
            value,
            equals,
        } => {
            let has = |t: &crate::ecs::Task| {
                (t.containers.iter().flat_map(|c| c.environment.iter()))
                    .any(|v| v.name == *name && v.value == *value)
            };
            running_tasks(world, cluster, service)
                .filter(|t| has(t))
                .count()
                == *equals
        }
        Claim::All { claims } => claims.iter().all(|c| holds(c, world)),
    }
}

/// The moment that shows the answer, once the world has reached it.
pub fn revealed_at(card: &Card, world: &World) -> Option<SimTime> {
    let by_event = card
        .reveal
        .event
        .as_ref()
        .and_then(|name| event_names(world).find(|(_, e)| e == name).map(|(t, _)| t));
    let by_time = card.reveal.at_ms.filter(|&at| world.now() >= at);
    match (by_event, by_time) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
