//! The why-trace of a placement decision, as data (style rule 7): every instance's fate at each
//! stage (refused by which check, with the numbers, or its strategy scores), the choice, and
//! for a failure the closest matching instance with RunTask's reason and the service event's
//! wording. The inspector renders it; `ecsplay describe` prints it.
//!
//! Every decision is recorded as it is made, as a [`Decision`]: numbers and indices, one entry
//! per instance and no string per instance, because the simulation makes ten thousand of them
//! on a thousand instances to start a large service, and most are dropped unread (the budget
//! keeps the newest). [`Decision::expand`] writes the [`PlacementTrace`] out when it is shown.

use serde::Serialize;

use super::index::Placer;
use super::{
    check, effective_chain, unable_to_place_message, PlacementFailure, Pool, Rejection, Request,
    Strategy, PLACEMENT_STRATEGIES_MAX,
};
use crate::ecs::{EcsState, InstanceIdx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementTrace {
    pub group: String,
    /// The strategies in force, as labels such as `binpack(memory)`.
    pub strategies: Vec<String>,
    /// Whether they are the default (the request named none).
    pub default_strategies: bool,
    /// memberOf expressions, then `distinctInstance` when asked.
    pub constraints: Vec<String>,
    pub demand: DemandTrace,
    pub instances: Vec<InstanceFate>,
    /// The chosen container instance's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureTrace>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemandTrace {
    pub cpu: u32,
    pub memory_mib: u32,
    /// `8080/tcp` for a static host port, `dynamic/tcp` for a dynamic one.
    pub host_ports: Vec<String>,
    pub eni: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceFate {
    pub container_instance: String,
    pub ec2_instance_id: String,
    pub availability_zone: String,
    /// `rejected`, `candidate` or `chosen`.
    pub result: &'static str,
    /// For a rejected instance: the check (`cpu`, `memory`, `ports`, `memberOf`, ...), RunTask's
    /// reason code and the numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a fitting instance: its score under each strategy, in chain order (lower wins).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Score>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub strategy: String,
    pub value: u32,
    pub meaning: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureTrace {
    /// RunTask's `failures[].reason`.
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<String>,
    /// The service event's wording, after the leading "(service name)".
    pub message: String,
}

/// A placement decision as kept: what its trace says, in numbers and indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    group: String,
    /// The strategies in force; scores are kept for those of `effective_chain` but `random`.
    strategies: Vec<Strategy>,
    default_strategies: bool,
    constraints: Vec<String>,
    demand: DemandTrace,
    fates: Vec<Fate>,
    chosen: Option<InstanceIdx>,
    failure: Option<FailureTrace>,
}

/// One instance's fate: the check that refused it, or its scores in chain order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fate {
    instance: InstanceIdx,
    outcome: Result<[u32; PLACEMENT_STRATEGIES_MAX], Rejection>,
}

impl Decision {
    /// Records the decision `placer` made (`outcome`), before the task is committed: each
    /// instance's check, and for those that fit the scores the index ranked them by.
    pub fn record(placer: &Placer, outcome: &Result<usize, PlacementFailure>) -> Decision {
        let (pool, request) = (placer.pool(), placer.request());
        let fates = pool
            .slots
            .iter()
            .enumerate()
            .map(|(s, slot)| Fate {
                instance: slot.instance,
                outcome: check(slot, request).map(|()| placer.scores(s)),
            })
            .collect();
        let mut constraints: Vec<String> = request
            .member_of
            .iter()
            .map(|m| format!("memberOf({})", m.expression))
            .collect();
        if request.distinct_instance {
            constraints.push("distinctInstance".into());
        }
        Decision {
            group: request.group.clone(),
            strategies: request.strategies.clone(),
            default_strategies: request.default_strategies,
            constraints,
            demand: demand_trace(request),
            fates,
            chosen: outcome.as_ref().ok().map(|&s| pool.slots[s].instance),
            failure: outcome
                .as_ref()
                .err()
                .map(|failure| failure_trace(pool, failure)),
        }
    }

    /// How many instances it looked at (what the trace budget counts).
    pub fn fates(&self) -> usize {
        self.fates.len()
    }

    /// Why it found no instance, when it did not.
    pub fn failure(&self) -> Option<&FailureTrace> {
        self.failure.as_ref()
    }

    /// The trace, with the ids and zones of the instances as `ecs` holds them (they never
    /// change, and container instances are never removed).
    pub fn expand(&self, ecs: &EcsState) -> PlacementTrace {
        let scored: Vec<&Strategy> = effective_chain(&self.strategies)
            .iter()
            .filter(|st| **st != Strategy::Random)
            .collect();
        let instances = self
            .fates
            .iter()
            .map(|fate| {
                let ci = &ecs.container_instances[fate.instance];
                let mut out = InstanceFate {
                    container_instance: ci.id.clone(),
                    ec2_instance_id: ci.ec2_instance_id.clone(),
                    availability_zone: ci.availability_zone.clone(),
                    result: "candidate",
                    check: None,
                    reason: None,
                    detail: None,
                    scores: Vec::new(),
                };
                match &fate.outcome {
                    Err(rejection) => {
                        out.result = "rejected";
                        out.check = Some(rejection.check());
                        out.reason = Some(rejection.reason_code());
                        out.detail = Some(rejection.detail());
                    }
                    Ok(values) => {
                        if self.chosen == Some(fate.instance) {
                            out.result = "chosen";
                        }
                        out.scores = scored
                            .iter()
                            .zip(values)
                            .map(|(strategy, &value)| Score {
                                strategy: strategy.label(),
                                value,
                                meaning: strategy.score_meaning(),
                            })
                            .collect();
                    }
                }
                out
            })
            .collect();
        PlacementTrace {
            group: self.group.clone(),
            strategies: self.strategies.iter().map(Strategy::label).collect(),
            default_strategies: self.default_strategies,
            constraints: self.constraints.clone(),
            demand: self.demand.clone(),
            instances,
            chosen: self.chosen.map(|i| ecs.container_instances[i].id.clone()),
            failure: self.failure.clone(),
        }
    }
}

fn demand_trace(request: &Request) -> DemandTrace {
    let demand = &request.demand;
    DemandTrace {
        cpu: demand.cpu_units,
        memory_mib: demand.memory_mib,
        host_ports: demand
            .host_ports
            .iter()
            .map(|&(_, host, udp)| {
                let protocol = if udp { "udp" } else { "tcp" };
                if host == 0 {
                    format!("dynamic/{protocol}")
                } else {
                    format!("{host}/{protocol}")
                }
            })
            .collect(),
        eni: demand.needs_eni,
    }
}

fn failure_trace(pool: &Pool, failure: &PlacementFailure) -> FailureTrace {
    let closest = failure.closest.as_ref().map(|(instance, rejection)| {
        let id = pool
            .slots
            .iter()
            .find(|s| s.instance == *instance)
            .map_or("", |s| s.id);
        (id, rejection)
    });
    FailureTrace {
        reason: closest.map_or_else(
            || "No Container Instances were found in your cluster.".to_string(),
            |(_, r)| r.reason_code().to_string(),
        ),
        closest: closest.map(|(id, _)| id.to_string()),
        message: unable_to_place_message(closest),
    }
}
