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
    include_str!("../../../static/cards/fargate.json"),
    include_str!("../../../static/cards/rolling-update.json"),
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

/// What an answer says, in terms the simulation can check.
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
        equals: usize,
    },
    /// The container instances the service's RUNNING tasks are on.
    #[serde(rename_all = "camelCase")]
    InstancesUsed {
        cluster: String,
        service: String,
        equals: usize,
    },
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

/// Whether the world bears the claim out.
pub fn holds(claim: &Claim, world: &World) -> bool {
    match claim {
        Claim::EventCount {
            event_name,
            at_least,
            at_most,
        } => {
            let n = event_names(world).filter(|(_, e)| e == event_name).count();
            at_least.is_none_or(|min| n >= min) && at_most.is_none_or(|max| n <= max)
        }
        Claim::Running {
            cluster,
            service,
            equals,
        } => running_tasks(world, cluster, service).count() == *equals,
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
