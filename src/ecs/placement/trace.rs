//! The why-trace of a placement decision, as data (style rule 7): every instance's fate at each
//! stage (refused by which check, with the numbers, or its strategy scores), the choice, and
//! for a failure the closest matching instance with RunTask's reason and the service event's
//! wording. The inspector renders it; `ecsplay describe` prints it.

use serde::Serialize;

use super::reference::spread_counts;
use super::{
    check, effective_chain, score, unable_to_place_message, PlacementFailure, Pool, Request,
    Strategy,
};

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

/// Explains a decision over `pool` (as it was before the task was placed).
pub fn explain(
    pool: &Pool,
    request: &Request,
    outcome: &Result<usize, PlacementFailure>,
) -> PlacementTrace {
    let chain = effective_chain(&request.strategies);
    let counts = spread_counts(pool, request);
    let instances = pool
        .slots
        .iter()
        .enumerate()
        .map(|(s, slot)| {
            let mut fate = InstanceFate {
                container_instance: slot.id.to_string(),
                ec2_instance_id: slot.ec2_instance_id.to_string(),
                availability_zone: slot.availability_zone.to_string(),
                result: "candidate",
                check: None,
                reason: None,
                detail: None,
                scores: Vec::new(),
            };
            match check(slot, request) {
                Err(rejection) => {
                    fate.result = "rejected";
                    fate.check = Some(rejection.check());
                    fate.reason = Some(rejection.reason_code());
                    fate.detail = Some(rejection.detail());
                }
                Ok(()) => {
                    if outcome.as_ref().is_ok_and(|&c| c == s) {
                        fate.result = "chosen";
                    }
                    fate.scores = chain
                        .iter()
                        .enumerate()
                        .filter(|(_, st)| **st != Strategy::Random)
                        .map(|(position, strategy)| Score {
                            strategy: strategy.label(),
                            value: score(strategy, slot, &request.group, |value| {
                                counts[position].get(&value).copied().unwrap_or(0)
                            }),
                            meaning: strategy.score_meaning(),
                        })
                        .collect();
                }
            }
            fate
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
    let demand = &request.demand;
    PlacementTrace {
        group: request.group.clone(),
        strategies: request.strategies.iter().map(Strategy::label).collect(),
        default_strategies: request.default_strategies,
        constraints,
        demand: DemandTrace {
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
        },
        instances,
        chosen: outcome.as_ref().ok().map(|&s| pool.slots[s].id.to_string()),
        failure: outcome
            .as_ref()
            .err()
            .map(|failure| failure_trace(pool, failure)),
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
