//! Fargate Spot, and a failing instance, as the playground drives them (issue 17 items 4
//! and 5). Spot:
//! `sim:SetSpotCapacity` makes Spot capacity unavailable or available again and sets a random
//! interruption rate an hour (drawn from the seeded generator, so a scenario interrupts the
//! same tasks every run); `sim:InterruptSpot` reclaims tasks now, by ARN or a share of those
//! running. Fargate's side (the warning, the stop, the services' replacements) is ECS's
//! (`ecs::capacity_providers`), asked by command. `sim:InterruptSpot` `instanceIds` gives EC2
//! Spot instances (a mixed group's) their two-minute notice: EC2's side is `ec2`'s
//! (`interrupt_spot_instance`), ECS's Spot instance draining the agent's.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ecs::read::FARGATE_SPOT;
use crate::engine::error::{parse_request, ApiError};
use crate::world::{Command, World};

/// The highest interruption rate a scenario may set: one an hour per task already reclaims
/// most tasks within a few hours.
pub const INTERRUPTIONS_PER_HOUR_MAX: f64 = 60.0;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetSpotCapacityRequest {
    capacity_provider: Option<String>,
    auto_scaling_group_name: Option<String>,
    available: Option<bool>,
    interruptions_per_hour: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InterruptSpotRequest {
    task_arns: Option<Vec<String>>,
    instance_ids: Option<Vec<String>>,
    capacity_provider: Option<String>,
    fraction: Option<f64>,
}

fn invalid(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new("InvalidParameterException", message, Some(path))
}

fn check_provider(name: &str, path: &str) -> Result<(), ApiError> {
    if name == FARGATE_SPOT {
        return Ok(());
    }
    Err(invalid(
        format!("'{name}' is not a Spot capacity provider: the model's is FARGATE_SPOT (EC2 Spot instances arrive with Auto Scaling groups)."),
        path,
    ))
}

impl World {
    /// `sim:SetSpotCapacity` `{"autoScalingGroupName": "nodes", "interruptionsPerHour": 2}`:
    /// the group's Spot instances are interrupted at random at that rate (each minute each
    /// running one with a chance of rate / 60, drawn from the seeded generator). EC2 Spot
    /// capacity is always available in the model.
    fn set_ec2_spot_rate(
        &mut self,
        group: &str,
        request: &SetSpotCapacityRequest,
    ) -> Result<Value, ApiError> {
        if request.capacity_provider.is_some() {
            return Err(invalid(
                "Give capacityProvider or autoScalingGroupName, not both.",
                "$",
            ));
        }
        if crate::asg::read::group(self, group).is_none() {
            return Err(invalid(
                format!("AutoScalingGroup {group} not found."),
                "$.autoScalingGroupName",
            ));
        }
        if request.available.is_some() {
            return Err(ApiError::not_modelled(
                "$.available",
                "EC2 Spot capacity is always available in the model (Fargate Spot's can be taken away).",
            ));
        }
        let Some(rate) = request.interruptions_per_hour else {
            return Err(invalid(
                "Give interruptionsPerHour.",
                "$.interruptionsPerHour",
            ));
        };
        if !(0.0..=INTERRUPTIONS_PER_HOUR_MAX).contains(&rate) {
            return Err(invalid(
                format!("interruptionsPerHour is between 0 and {INTERRUPTIONS_PER_HOUR_MAX}."),
                "$.interruptionsPerHour",
            ));
        }
        if rate == 0.0 {
            self.sim.ec2_spot_rates.remove(group);
        } else {
            self.sim.ec2_spot_rates.insert(group.to_string(), rate);
        }
        Ok(json!({ "autoScalingGroupName": group, "interruptionsPerHour": rate }))
    }

    /// A minute of random EC2 Spot interruptions: each running Spot instance of a group with a
    /// rate is interrupted with a chance of rate / 60 (nothing is drawn without a rate).
    pub(crate) fn ec2_spot_minute(&mut self) {
        if self.sim.ec2_spot_rates.is_empty() {
            return;
        }
        let rates: Vec<(String, f64)> = (self.sim.ec2_spot_rates.iter())
            .map(|(g, r)| (g.clone(), *r))
            .collect();
        for (group, rate) in rates {
            let Some(view) = crate::asg::read::group(self, &group) else {
                continue;
            };
            for id in view.instances {
                let running_spot = crate::ec2::read::instance(self, &id)
                    .is_some_and(|i| i.spot && i.state == crate::ec2::read::InstanceState::Running);
                if running_spot && rand::Rng::random_bool(&mut self.rng, (rate / 60.0).min(1.0)) {
                    self.command(Command::InterruptSpotInstance(id));
                }
            }
        }
    }

    pub(crate) fn set_spot_capacity(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: SetSpotCapacityRequest = parse_request(input)?;
        if let Some(group) = &request.auto_scaling_group_name {
            return self.set_ec2_spot_rate(group, &request);
        }
        let Some(provider) = &request.capacity_provider else {
            return Err(invalid(
                "Give capacityProvider (FARGATE_SPOT) or autoScalingGroupName.",
                "$",
            ));
        };
        check_provider(provider, "$.capacityProvider")?;
        let (available, rate) = crate::ecs::read::spot_settings(self);
        if request.available.is_none() && request.interruptions_per_hour.is_none() {
            return Err(invalid(
                "Give available, interruptionsPerHour, or both.",
                "$",
            ));
        }
        let rate = request.interruptions_per_hour.unwrap_or(rate);
        if !(0.0..=INTERRUPTIONS_PER_HOUR_MAX).contains(&rate) {
            return Err(invalid(
                format!("interruptionsPerHour is between 0 and {INTERRUPTIONS_PER_HOUR_MAX}."),
                "$.interruptionsPerHour",
            ));
        }
        let available = request.available.unwrap_or(available);
        self.command(Command::SpotCapacity(available, rate));
        Ok(
            json!({ "capacityProvider": FARGATE_SPOT, "available": available, "interruptionsPerHour": rate }),
        )
    }

    pub(crate) fn interrupt_spot_request(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InterruptSpotRequest = parse_request(input)?;
        if let Some(ids) = &request.instance_ids {
            if request.task_arns.is_some() || request.capacity_provider.is_some() {
                return Err(invalid(
                    "Give taskArns, instanceIds, or capacityProvider with fraction.",
                    "$",
                ));
            }
            // EC2 Spot instances (a mixed group's): each gets its two-minute notice.
            for (n, id) in ids.iter().enumerate() {
                let running_spot = crate::ec2::read::instance(self, id).is_some_and(|i| {
                    i.spot && i.state != crate::ec2::read::InstanceState::Terminated
                });
                if !running_spot {
                    return Err(invalid(
                        format!("{id} is not a pending or running Spot instance."),
                        &format!("$.instanceIds[{n}]"),
                    ));
                }
            }
            for id in ids {
                self.command(Command::InterruptSpotInstance(id.clone()));
            }
            return Ok(json!({ "interruptedInstanceIds": ids }));
        }
        let running = crate::ecs::read::spot_task_arns(self);
        let chosen: Vec<String> = match (
            &request.task_arns,
            &request.capacity_provider,
            request.fraction,
        ) {
            (Some(arns), None, None) => {
                let mut chosen = Vec::with_capacity(arns.len());
                for (n, given) in arns.iter().enumerate() {
                    // A task's ARN or its id, as the CLI takes either.
                    let found = running.iter().find(|arn| {
                        *arn == given || arn.rsplit('/').next() == Some(given.as_str())
                    });
                    match found {
                        Some(arn) => chosen.push(arn.clone()),
                        None => {
                            return Err(invalid(
                                format!("{given} is not a running FARGATE_SPOT task."),
                                &format!("$.taskArns[{n}]"),
                            ))
                        }
                    }
                }
                chosen
            }
            (None, Some(provider), Some(fraction)) => {
                check_provider(provider, "$.capacityProvider")?;
                if !(fraction > 0.0 && fraction <= 1.0) {
                    return Err(invalid("fraction is above 0 and at most 1.", "$.fraction"));
                }
                // A share of the running Spot tasks, rounded up, chosen by the seeded
                // generator.
                let count = ((running.len() as f64) * fraction).ceil() as usize;
                let mut pool = running;
                let mut chosen = Vec::with_capacity(count);
                for _ in 0..count.min(pool.len()) {
                    let i = rand::Rng::random_range(&mut self.rng, 0..pool.len() as u32) as usize;
                    chosen.push(pool.swap_remove(i));
                }
                chosen
            }
            _ => {
                return Err(invalid(
                    "Give taskArns, or capacityProvider with fraction.",
                    "$",
                ))
            }
        };
        self.command(Command::InterruptSpot(chosen.clone()));
        Ok(json!({ "interruptedTaskArns": chosen }))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FailInstanceRequest {
    instance_id: String,
}

impl World {
    /// `sim:FailInstance` `{"instanceId": "i-…"}`: the instance fails as EC2 retires a failed
    /// host, it is gone (terminated): its tasks are lost with ECS's reason, and an Auto Scaling
    /// group's EC2 health check replaces it.
    pub(crate) fn fail_instance(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: FailInstanceRequest = parse_request(input)?;
        let state = crate::ec2::read::instance(self, &request.instance_id).map(|i| i.state);
        match state {
            Some(crate::ec2::read::InstanceState::Terminated) | None => Err(invalid(
                format!(
                    "{} is not a pending or running instance.",
                    request.instance_id
                ),
                "$.instanceId",
            )),
            Some(_) => {
                self.command(Command::TerminateInstance(request.instance_id.clone()));
                Ok(json!({ "failedInstanceId": request.instance_id }))
            }
        }
    }
}
