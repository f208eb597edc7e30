//! Capacity providers, their Fargate part (aws-facts 7.1, 7.4, 17.5): the reserved providers
//! `FARGATE` and `FARGATE_SPOT`, a cluster's providers and default strategy (CreateCluster,
//! PutClusterCapacityProviders), a strategy's `base` and `weight` on CreateService,
//! UpdateService and RunTask (or the cluster's default when a request names neither a strategy
//! nor a launch type), which provider each new task goes to, and Fargate Spot: its capacity
//! and its interruptions (the two-minute warning as the task's stop, with ECS's stop code and
//! reason). Auto Scaling group providers come with EC2 Auto Scaling; until then a strategy
//! naming any other provider is refused as AWS refuses one that does not exist.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{LaunchType, StopCode, TaskDefinition, TaskIdx, TaskStatus};
use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::MS_PER_MINUTE;
use crate::world::World;

pub const FARGATE: &str = "FARGATE";
pub const FARGATE_SPOT: &str = "FARGATE_SPOT";
/// The providers every account has (aws-facts 7.4): they are associated, never created.
pub const RESERVED: [&str; 2] = [FARGATE, FARGATE_SPOT];

/// Providers in one strategy at the most (aws-facts 7.1: 20, current BOTO-ECS).
pub const STRATEGY_ITEMS_MAX: usize = 20;
/// Providers a cluster may have associated at the most: ECS's quota (20; CloudFormation's
/// users met 10 in 2022). Only two exist in the model so far.
pub const PROVIDERS_PER_CLUSTER_MAX: usize = 20;
pub const WEIGHT_MAX: i64 = 1_000;
pub const BASE_MAX: i64 = 100_000;

/// ECS's stop reason for a Fargate Spot interruption (aws-facts 17.5).
pub const SPOT_INTERRUPTED_REASON: &str = "Your Spot Task was interrupted.";

/// A strategy's item as requests write it (`capacityProvider`, `weight`, `base`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StrategyItemRequest {
    capacity_provider: String,
    weight: Option<i64>,
    base: Option<i64>,
}

/// One provider of a strategy, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyItem {
    pub capacity_provider: String,
    pub weight: u32,
    pub base: u32,
}

/// Fargate Spot's state: whether it has capacity, and a random interruption rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    pub available: bool,
    /// Interruptions per running Spot task an hour (`sim:SetSpotCapacity`): each task's chance
    /// each minute is this over 60, drawn from the seeded generator.
    pub interruptions_per_hour: f64,
    /// Bumped when the rate changes, so an old minute's timer knows it is stale.
    pub generation: u32,
}

impl Default for Spot {
    fn default() -> Self {
        Spot {
            available: true,
            interruptions_per_hour: 0.0,
            generation: 0,
        }
    }
}

/// The strategy's JSON, as DescribeServices and DescribeClusters give it.
pub fn strategy_json(strategy: &[StrategyItem]) -> Value {
    json!(strategy)
}

/// Which provider of `strategy` the next task goes to, given how many tasks each already has
/// (`counts`, in the strategy's order): the provider with a base below it first, then the one
/// furthest below its weight's share, the first of the strategy on a tie. One task at a time
/// like this gives desired 10 of `FARGATE` base 2 weight 1 and `FARGATE_SPOT` weight 3 as 4
/// and 6 (aws-facts 7.1's example). AWS publishes no rounding for counts that do not divide;
/// this is the model's (`distribute` shows it).
pub fn next_provider(strategy: &[StrategyItem], counts: &[u32]) -> usize {
    if let Some(n) = (0..strategy.len()).find(|&n| counts[n] < strategy[n].base) {
        return n;
    }
    let beyond_base = |n: usize| counts[n].saturating_sub(strategy[n].base);
    (0..strategy.len())
        .filter(|&n| strategy[n].weight > 0)
        .min_by(|&a, &b| {
            // (beyond_base + 1) / weight, compared without division.
            let left = u64::from(beyond_base(a) + 1) * u64::from(strategy[b].weight);
            let right = u64::from(beyond_base(b) + 1) * u64::from(strategy[a].weight);
            left.cmp(&right).then(a.cmp(&b))
        })
        .unwrap_or(0)
}

/// How `count` tasks spread over `strategy`'s providers, one after another as
/// [`next_provider`] places them.
pub fn distribute(strategy: &[StrategyItem], count: u32) -> Vec<u32> {
    let mut counts = vec![0; strategy.len()];
    for _ in 0..count {
        let n = next_provider(strategy, &counts);
        counts[n] += 1;
    }
    counts
}

fn invalid(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::invalid_parameter(message, path)
}

/// Whether a provider of that name exists, and whether it is one of Fargate's (`Some(true)`)
/// or an Auto Scaling group's (`Some(false)`).
type Exists<'a> = &'a dyn Fn(&str) -> Option<bool>;

/// The provider names a request lists, checked: ones that exist, once each.
fn check_provider_names(names: &[String], exists: Exists, path: &str) -> Result<(), ApiError> {
    if names.len() > PROVIDERS_PER_CLUSTER_MAX {
        return Err(invalid(
            "The maximum number of capacity providers per cluster has been exceeded.",
            path,
        ));
    }
    for (n, name) in names.iter().enumerate() {
        if exists(name).is_none() {
            return Err(not_found(name, &format!("{path}[{n}]")));
        }
        if names[..n].contains(name) {
            return Err(invalid(
                format!("The capacity provider {name} is listed more than once."),
                &format!("{path}[{n}]"),
            ));
        }
    }
    Ok(())
}

fn not_found(name: &str, path: &str) -> ApiError {
    invalid(
        format!("The specified capacity provider does not exist. Specify a valid capacity provider and try again. ({name})"),
        path,
    )
}

/// A strategy, checked against the providers associated with `cluster` (`providers`):
/// aws-facts 7.1's rules. Messages are ECS's where known; the ones for base, weight and their
/// ranges are the model's, in ECS's manner.
fn check_strategy(
    items: &[StrategyItemRequest],
    providers: &[String],
    exists: Exists,
    path: &str,
) -> Result<Vec<StrategyItem>, ApiError> {
    if items.len() > STRATEGY_ITEMS_MAX {
        return Err(invalid(
            format!("The capacity provider strategy cannot contain more than {STRATEGY_ITEMS_MAX} capacity providers."),
            path,
        ));
    }
    let mut checked = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let at = format!("{path}[{n}]");
        let name = &item.capacity_provider;
        let Some(fargate) = exists(name) else {
            return Err(not_found(name, &format!("{at}.capacityProvider")));
        };
        if (checked.first())
            .is_some_and(|c: &StrategyItem| exists(&c.capacity_provider) != Some(fargate))
        {
            return Err(invalid(
                "The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.",
                &format!("{at}.capacityProvider"),
            ));
        }
        if !providers.contains(name) {
            return Err(invalid(
                "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
                &format!("{at}.capacityProvider"),
            ));
        }
        if checked
            .iter()
            .any(|c: &StrategyItem| c.capacity_provider == *name)
        {
            return Err(invalid(
                format!("The capacity provider strategy cannot contain {name} more than once."),
                &format!("{at}.capacityProvider"),
            ));
        }
        let weight = item.weight.unwrap_or(0);
        if !(0..=WEIGHT_MAX).contains(&weight) {
            return Err(invalid(
                format!("The weight of a capacity provider must be between 0 and {WEIGHT_MAX}."),
                &format!("{at}.weight"),
            ));
        }
        let base = item.base.unwrap_or(0);
        if !(0..=BASE_MAX).contains(&base) {
            return Err(invalid(
                format!("The base of a capacity provider must be between 0 and {BASE_MAX}."),
                &format!("{at}.base"),
            ));
        }
        checked.push(StrategyItem {
            capacity_provider: name.clone(),
            weight: weight as u32,
            base: base as u32,
        });
    }
    if checked.iter().filter(|c| c.base > 0).count() > 1 {
        return Err(invalid(
            "Only one capacity provider in a capacity provider strategy can have a base value greater than zero.",
            path,
        ));
    }
    if !checked.is_empty() && checked.iter().all(|c| c.weight == 0) {
        return Err(invalid(
            "At least one capacity provider in a capacity provider strategy must have a weight greater than zero.",
            path,
        ));
    }
    Ok(checked)
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PutClusterCapacityProvidersRequest {
    cluster: String,
    capacity_providers: Vec<String>,
    default_capacity_provider_strategy: Vec<StrategyItemRequest>,
}

impl World {
    /// CreateCluster's `capacityProviders` and `defaultCapacityProviderStrategy`, checked.
    pub(crate) fn plan_cluster_providers(
        &self,
        cluster: &str,
        providers: Option<&[String]>,
        strategy: Option<&[StrategyItemRequest]>,
    ) -> Result<(Vec<String>, Vec<StrategyItem>), ApiError> {
        let providers = providers.unwrap_or_default().to_vec();
        let exists = |name: &str| self.provider_is_fargate(name);
        check_provider_names(&providers, &exists, "$.capacityProviders")?;
        // An Auto Scaling group's provider serves one cluster.
        for (n, name) in providers.iter().enumerate() {
            let elsewhere = (self.ecs.clusters.values())
                .find(|c| c.active && c.name != cluster && c.capacity_providers.contains(name));
            if let (Some(false), Some(other)) = (exists(name), elsewhere) {
                return Err(invalid(
                    format!("The specified capacity provider {name} is already associated with cluster {}. An Auto Scaling group capacity provider can be associated with one cluster only.", other.name),
                    &format!("$.capacityProviders[{n}]"),
                ));
            }
        }
        let strategy = check_strategy(
            strategy.unwrap_or_default(),
            &providers,
            &exists,
            "$.defaultCapacityProviderStrategy",
        )?;
        Ok((providers, strategy))
    }

    /// Whether a provider of that name exists: `Some(true)` for Fargate's two, `Some(false)`
    /// for an Auto Scaling group's, None otherwise.
    pub(crate) fn provider_is_fargate(&self, name: &str) -> Option<bool> {
        if RESERVED.contains(&name) {
            return Some(true);
        }
        (self.ecs.providers.iter())
            .find(|p| p.name == name)
            .map(|_| false)
    }

    pub(crate) fn put_cluster_capacity_providers(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: PutClusterCapacityProvidersRequest = parse_request(input)?;
        let cluster = self.active_cluster(Some(&request.cluster), "$.cluster")?;
        let (providers, strategy) = self.plan_cluster_providers(
            &cluster,
            Some(&request.capacity_providers),
            Some(&request.default_capacity_provider_strategy),
        )?;
        // A provider leaves only when no service strategy names it and no task runs on it.
        let c = &self.ecs.clusters[&cluster];
        let in_use = |name: &String| {
            c.services.values().any(|&s| {
                let s = &self.ecs.services[s];
                s.status != super::ServiceStatus::Inactive
                    && s.capacity_provider_strategy
                        .iter()
                        .any(|i| i.capacity_provider == *name)
            }) || c.tasks.iter().any(|&t| {
                let t = &self.ecs.tasks[t];
                !t.is_stopped() && t.capacity_provider.as_deref() == Some(name)
            })
        };
        if let Some(name) = (c.capacity_providers.iter())
            .find(|p| !providers.contains(p))
            .filter(|p| in_use(p))
        {
            return Err(ApiError::new(
                "ResourceInUseException",
                format!(
                    "The specified capacity provider is in use and cannot be removed. ({name})"
                ),
                Some("$.capacityProviders"),
            ));
        }
        let c = self.ecs.clusters.get_mut(&cluster).expect("active");
        c.capacity_providers = providers;
        c.default_strategy = strategy;
        let c = c.clone();
        self.sync_managed_scaling();
        Ok(json!({ "cluster": self.cluster_json(&c) }))
    }

    /// The launch type and strategy a CreateService or RunTask runs with: its `launchType`,
    /// else its `capacityProviderStrategy`, else the cluster's default strategy, else EC2
    /// (aws-facts 5: "neither → cluster default capacity provider strategy"). A strategy of
    /// Fargate providers runs the tasks on Fargate.
    pub(crate) fn launch_choice(
        &self,
        cluster: &str,
        launch_type_field: Option<&str>,
        strategy: Option<&[StrategyItemRequest]>,
        definition: &TaskDefinition,
    ) -> Result<(LaunchType, Vec<StrategyItem>), ApiError> {
        let strategy = strategy.filter(|s| !s.is_empty());
        let c = &self.ecs.clusters[cluster];
        let chosen = match (launch_type_field, strategy) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
                    "$.capacityProviderStrategy",
                ))
            }
            (Some(_), None) => Vec::new(),
            (None, Some(items)) => check_strategy(
                items,
                &c.capacity_providers,
                &|name| self.provider_is_fargate(name),
                "$.capacityProviderStrategy",
            )?,
            (None, None) => c.default_strategy.clone(),
        };
        if chosen.is_empty() {
            let launch = super::task::launch_type(launch_type_field, definition, "$.launchType")?;
            return Ok((launch, chosen));
        }
        // Auto Scaling group providers run the tasks on their groups' instances (EC2).
        if self.provider_is_fargate(&chosen[0].capacity_provider) == Some(false) {
            let launch =
                super::task::launch_type(Some("EC2"), definition, "$.capacityProviderStrategy")?;
            return Ok((launch, chosen));
        }
        let launch =
            super::task::launch_type(Some("FARGATE"), definition, "$.capacityProviderStrategy")?;
        Ok((launch, chosen))
    }

    /// The provider each of `count` new tasks goes to, after the `counts` already there.
    pub(crate) fn providers_for(
        strategy: &[StrategyItem],
        counts: &mut [u32],
        count: usize,
    ) -> Vec<String> {
        (0..count)
            .map(|_| {
                let n = next_provider(strategy, counts);
                counts[n] += 1;
                strategy[n].capacity_provider.clone()
            })
            .collect()
    }

    /// Fargate Spot's capacity and interruption rate (`sim:SetSpotCapacity`): the services
    /// waiting on Spot look again when it returns; a rate starts the minute's draws.
    pub(crate) fn set_spot(&mut self, available: bool, interruptions_per_hour: f64) {
        let spot = &mut self.ecs.spot;
        let returned = available && !spot.available;
        spot.available = available;
        if spot.interruptions_per_hour != interruptions_per_hour {
            spot.interruptions_per_hour = interruptions_per_hour;
            spot.generation += 1;
            if interruptions_per_hour > 0.0 {
                let generation = spot.generation;
                let next = (self.now / MS_PER_MINUTE + 1) * MS_PER_MINUTE - self.now;
                self.schedule(next, super::Timer::SpotMinute(generation));
            }
        }
        if returned {
            let services: Vec<usize> = (0..self.ecs.services.len())
                .filter(|&s| {
                    (self.ecs.services[s].capacity_provider_strategy.iter())
                        .any(|i| i.capacity_provider == FARGATE_SPOT)
                })
                .collect();
            for s in services {
                self.queue_reconcile(s, 0);
            }
        }
    }

    /// A minute of the random interruption rate: each running Spot task is interrupted with
    /// the minute's chance.
    pub(crate) fn spot_minute(&mut self, generation: u32) {
        if generation != self.ecs.spot.generation || self.ecs.spot.interruptions_per_hour <= 0.0 {
            return;
        }
        let chance = self.ecs.spot.interruptions_per_hour / 60.0;
        let running: Vec<TaskIdx> = self.spot_tasks();
        let mut hit = Vec::new();
        for task in running {
            if rand::Rng::random::<f64>(&mut self.rng) < chance {
                hit.push(task);
            }
        }
        self.interrupt_spot(&hit);
        self.schedule(MS_PER_MINUTE, super::Timer::SpotMinute(generation));
    }

    /// `sim:InterruptSpot`'s tasks, by ARN (checked by the request as running on Spot).
    pub(crate) fn interrupt_spot_arns(&mut self, arns: &[String]) {
        let tasks: Vec<TaskIdx> = (self.spot_tasks().into_iter())
            .filter(|&t| arns.contains(&self.ecs.tasks[t].arn))
            .collect();
        self.interrupt_spot(&tasks);
    }

    /// The running tasks on FARGATE_SPOT not yet told to stop, in start order.
    pub(crate) fn spot_tasks(&self) -> Vec<TaskIdx> {
        let mut tasks: Vec<TaskIdx> = (self.ecs.clusters.values())
            .flat_map(|c| c.tasks.iter().copied())
            .filter(|&t| {
                let t = &self.ecs.tasks[t];
                t.capacity_provider.as_deref() == Some(FARGATE_SPOT)
                    && t.last_status == TaskStatus::Running
                    && t.desired_status != TaskStatus::Stopped
            })
            .collect();
        tasks.sort_by_key(|&t| self.ecs.tasks[t].serial);
        tasks
    }

    /// Fargate reclaims these Spot tasks: the two-minute warning is the task's stop, with
    /// ECS's stop code and reason in its state change event and SIGTERM to its containers;
    /// they exit on their own or at their stopTimeout (aws-facts 17.5). Services replace them
    /// on Spot when it has capacity; Fargate never substitutes On-Demand.
    pub(crate) fn interrupt_spot(&mut self, tasks: &[TaskIdx]) {
        for &task in tasks {
            self.stop_task_now(task, StopCode::SpotInterruption, SPOT_INTERRUPTED_REASON);
        }
    }
}

impl World {
    /// UpdateService's `capacityProviderStrategy`: a Fargate service's new strategy, checked
    /// against its cluster's providers. ECS applies a strategy change only with a forced new
    /// deployment (aws-facts 7.1); a service on the EC2 launch type would move to other
    /// capacity, which needs Auto Scaling group providers (not modelled yet). The wording of
    /// both refusals is the model's: ECS's own is unconfirmed.
    pub(crate) fn plan_updated_strategy(
        &self,
        service: super::ServiceIdx,
        items: &[StrategyItemRequest],
        force_new_deployment: bool,
    ) -> Result<Vec<StrategyItem>, ApiError> {
        let path = "$.capacityProviderStrategy";
        let s = &self.ecs.services[service];
        if items.is_empty() {
            return Err(ApiError::not_modelled(
                path,
                "an empty strategy (back to the cluster's default) is not simulated: name the providers.",
            ));
        }
        let strategy = check_strategy(
            items,
            &self.ecs.clusters[&s.cluster].capacity_providers,
            &|name| self.provider_is_fargate(name),
            path,
        )?;
        // A service stays on its kind of capacity: EC2 (its launch type, or Auto Scaling group
        // providers) or Fargate.
        let fargate = self.provider_is_fargate(&strategy[0].capacity_provider) == Some(true);
        if fargate != (s.launch_type == LaunchType::Fargate) {
            return Err(invalid(
                "A service cannot move between Fargate and EC2 capacity: update it with capacity providers of its own kind, or create a new service.",
                path,
            ));
        }
        if strategy != s.capacity_provider_strategy && !force_new_deployment {
            return Err(invalid(
                "Changing the capacity provider strategy of a service requires a new deployment: set forceNewDeployment to true.",
                path,
            ));
        }
        Ok(strategy)
    }
}
