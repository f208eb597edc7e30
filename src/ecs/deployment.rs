//! Rolling deployments (aws-facts 5): a new task definition or `forceNewDeployment` makes a
//! PRIMARY deployment; the scheduler starts its tasks and stops the older deployments' within
//! `minimumHealthyPercent` (rounded up) and `maximumPercent` (rounded down); the circuit breaker
//! fails a deployment whose tasks keep failing and can roll back to the last completed one.
//!
//! AWS documents the bounds, not the step order (aws-facts 16.3). Each look of the scheduler
//! here: start as many new tasks as the maximum allows, then stop old tasks that are not
//! healthy, then as many healthy old tasks as the minimum allows. That gives the guide's
//! examples: desired 4 at 50/100 stops 2 before starting 2; at 100/200 starts 4 first.

use serde_json::json;

use super::{
    Deployment, DeploymentStatus, RolloutState, ServiceIdx, StopCode, TaskIdx, TimelineChange,
    TimelinePoint,
};
use crate::engine::time::{SimTime, MS_PER_HOUR};
use crate::world::World;

/// The circuit breaker's threshold bounds (aws-facts 5.3): half the desired count, rounded up,
/// at least 3 (the current API reference; the 2023 guide said 10, a scenario setting) and at
/// most 200.
pub const CIRCUIT_BREAKER_THRESHOLD_MIN: u32 = 3;
pub const CIRCUIT_BREAKER_THRESHOLD_MAX: u32 = 200;

/// Timeline entries kept per service (points and changes each); the oldest go first.
pub const TIMELINE_MAX: usize = 20_000;
/// How far back a service's timeline goes: entries older than this go, so that many services
/// that churn for days hold bounded memory. The charts start this far back on a long run.
pub const TIMELINE_RETENTION_MS: SimTime = 2 * MS_PER_HOUR;

/// Drops the entries of a time-ordered list beyond [`TIMELINE_MAX`] or older than
/// [`TIMELINE_RETENTION_MS`] before `now`.
fn trim_timeline<T>(list: &mut Vec<T>, now: SimTime, time_of: impl Fn(&T) -> SimTime) {
    let expired = list.partition_point(|e| time_of(e) + TIMELINE_RETENTION_MS < now);
    let excess = list.len().saturating_sub(TIMELINE_MAX).max(expired);
    if excess > 0 {
        list.drain(..excess);
    }
}

/// The fewest healthy tasks a deployment keeps: desired x minimumHealthyPercent, rounded up.
pub fn minimum_healthy(desired: u32, percent: u32) -> u32 {
    (u64::from(desired) * u64::from(percent)).div_ceil(100) as u32
}

/// The most tasks (PENDING and RUNNING, every deployment) at once: desired x maximumPercent,
/// rounded down.
pub fn maximum_tasks(desired: u32, percent: u32) -> u32 {
    (u64::from(desired) * u64::from(percent) / 100) as u32
}

/// How many failed tasks make the circuit breaker fail a deployment.
pub fn breaker_threshold(desired: u32, minimum: u32) -> u32 {
    desired
        .div_ceil(2)
        .clamp(minimum, CIRCUIT_BREAKER_THRESHOLD_MAX.max(minimum))
}

impl World {
    /// A new deployment of `task_definition` becomes PRIMARY; the old PRIMARY becomes ACTIVE.
    /// `reason` is the rollout reason (the rollback's, or "in progress").
    pub(crate) fn start_deployment(
        &mut self,
        service: ServiceIdx,
        task_definition: String,
        reason: Option<String>,
    ) {
        let id = self.ids.deployment_id();
        let reason = reason.unwrap_or_else(|| format!("ECS deployment {id} in progress."));
        let now = self.now;
        let s = &mut self.ecs.services[service];
        let load_balancers = s.load_balancers.clone();
        for d in &mut s.deployments {
            if d.status == DeploymentStatus::Primary {
                d.status = DeploymentStatus::Active;
                d.updated_at = now;
            }
        }
        s.deployments.insert(
            0,
            Deployment {
                id: id.clone(),
                task_definition,
                status: DeploymentStatus::Primary,
                rollout_state: RolloutState::InProgress,
                rollout_state_reason: reason.clone(),
                created_at: now,
                updated_at: now,
                failed_tasks: 0,
                task_ran: false,
                stalled: false,
                load_balancers,
            },
        );
        s.steady = false;
        // A new deployment resets the throttle (aws-facts 4.4).
        s.start_failures_in_a_row = 0;
        s.throttled_until = 0;
        self.deployment_event(
            service,
            "INFO",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            &id,
            &reason,
        );
        self.retire_drained_deployments(service);
        self.queue_reconcile(service, 0);
    }

    /// `ECS Deployment State Change` (aws-facts 13.1).
    fn deployment_event(
        &mut self,
        service: ServiceIdx,
        event_type: &str,
        event_name: &str,
        deployment: &str,
        reason: &str,
    ) {
        let s = &self.ecs.services[service];
        let detail = json!({
            "eventType": event_type,
            "eventName": event_name,
            "deploymentId": deployment,
            "updatedAt": self.iso(self.now),
            "reason": reason,
        });
        let arn = s.arn.clone();
        self.emit_ecs_event("ECS Deployment State Change", vec![arn], detail);
    }

    /// The deployment a task belongs to (the one that started it).
    pub(crate) fn deployment_of(&self, service: ServiceIdx, task: TaskIdx) -> Option<usize> {
        let by = self.ecs.tasks[task].started_by.as_deref()?;
        self.ecs.services[service]
            .deployments
            .iter()
            .position(|d| d.id == by)
    }

    /// The service's tasks not yet STOPPED, per deployment (in `deployments` order).
    fn unstopped_by_deployment(&self, service: ServiceIdx) -> Vec<Vec<TaskIdx>> {
        let deployments = &self.ecs.services[service].deployments;
        let index: std::collections::BTreeMap<&str, usize> = deployments
            .iter()
            .enumerate()
            .map(|(n, d)| (d.id.as_str(), n))
            .collect();
        let mut by_deployment = vec![Vec::new(); deployments.len()];
        for t in self.unstopped_tasks(service) {
            let started_by = self.ecs.tasks[t].started_by.as_deref().unwrap_or_default();
            if let Some(&d) = index.get(started_by) {
                by_deployment[d].push(t);
            }
        }
        by_deployment
    }

    /// Tasks of the service not yet STOPPED (what maximumPercent counts).
    pub(crate) fn unstopped_tasks(&self, service: ServiceIdx) -> Vec<TaskIdx> {
        self.ecs.services[service]
            .tasks
            .iter()
            .copied()
            .filter(|&t| !self.ecs.tasks[t].is_stopped())
            .collect()
    }

    /// One step of a rolling deployment (REPLICA): start, then stop, within the bounds.
    /// `live` are the tasks the service counts (desired RUNNING, not being replaced).
    pub(crate) fn deploy_step(&mut self, service: ServiceIdx, live: &[TaskIdx]) {
        let primary_failed =
            self.ecs.services[service].deployments[0].rollout_state == RolloutState::Failed;
        let (new, old): (Vec<TaskIdx>, Vec<TaskIdx>) = live
            .iter()
            .partition(|&&t| self.deployment_of(service, t) == Some(0));
        let mut progressed = self.deploy_start_new(service, &new, primary_failed);
        // A FAILED deployment without rollback keeps the old tasks, and waits, by design, for
        // the next update.
        if primary_failed {
            progressed = true;
        } else {
            progressed |= self.deploy_stop_old(service, live, &old);
        }
        self.note_deployment_stall(service, progressed, !old.is_empty());
    }

    /// Starts as many new tasks as the maximum allows (a FAILED deployment starts none) and
    /// stops new ones beyond the desired count. Whether it did anything.
    fn deploy_start_new(&mut self, service: ServiceIdx, new: &[TaskIdx], failed: bool) -> bool {
        let s = &self.ecs.services[service];
        let desired = s.desired_count;
        let maximum = maximum_tasks(desired, s.maximum_percent);
        let mut progressed = false;
        if !failed && (new.len() as u32) < desired && self.now >= s.throttled_until {
            let room = maximum.saturating_sub(self.unstopped_tasks(service).len() as u32);
            let count = room.min(desired - new.len() as u32) as usize;
            if count > 0 {
                let before = self.ecs.services[service].tasks.len();
                self.launch(
                    service,
                    count.min(super::service::LAUNCHES_PER_RECONCILE_MAX),
                );
                progressed |= self.ecs.services[service].tasks.len() > before;
            }
        } else if self.now < s.throttled_until {
            let wait = s.throttled_until - self.now;
            self.queue_reconcile(service, wait);
        }
        if new.len() as u32 > desired {
            let surplus = new.len() - desired as usize;
            self.stop_chosen(service, new, surplus, "Deployment replacement");
            progressed = true;
        }
        progressed
    }

    /// Stops old tasks: those not healthy freely (they count for nothing), healthy ones while
    /// the healthy count stays at or above the minimum. Whether it stopped any.
    fn deploy_stop_old(&mut self, service: ServiceIdx, live: &[TaskIdx], old: &[TaskIdx]) -> bool {
        let s = &self.ecs.services[service];
        let minimum = minimum_healthy(s.desired_count, s.minimum_healthy_percent);
        let mut progressed = false;
        let (healthy_old, unhealthy_old): (Vec<TaskIdx>, Vec<TaskIdx>) = old
            .iter()
            .partition(|&&t| self.healthy_for_service(t).is_ok());
        if !unhealthy_old.is_empty() {
            let count = unhealthy_old.len();
            self.stop_chosen(service, &unhealthy_old, count, "Deployment replacement");
            progressed = true;
        }
        let healthy = live
            .iter()
            .filter(|&&t| self.healthy_for_service(t).is_ok())
            .count() as u32;
        // Old tasks beyond what still needs replacing can always go down to the minimum.
        let stoppable = healthy
            .saturating_sub(minimum)
            .min(healthy_old.len() as u32);
        if stoppable > 0 {
            self.stop_chosen(
                service,
                &healthy_old,
                stoppable as usize,
                "Deployment replacement",
            );
            progressed = true;
        }
        progressed
    }

    /// Neither bound lets the deployment move, and nothing in flight will change that: the
    /// service says so once.
    fn note_deployment_stall(&mut self, service: ServiceIdx, progressed: bool, old_left: bool) {
        let in_flight = self.unstopped_tasks(service).iter().any(|&t| {
            let task = &self.ecs.tasks[t];
            task.desired_status != super::TaskStatus::Running
                || self.healthy_for_service(t).is_err()
        });
        let stuck = !progressed && !in_flight && old_left;
        let s = &mut self.ecs.services[service];
        let was = std::mem::replace(&mut s.deployments[0].stalled, stuck);
        if stuck && !was {
            let name = s.name.clone();
            self.service_message(
                service,
                format!("(service {name}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."),
            );
        }
    }

    /// A service task reached RUNNING: its deployment enters the breaker's second stage.
    pub(crate) fn deployment_task_ran(&mut self, service: ServiceIdx, task: TaskIdx) {
        if let Some(d) = self.deployment_of(service, task) {
            let deployment = &mut self.ecs.services[service].deployments[d];
            if !deployment.task_ran {
                deployment.task_ran = true;
                deployment.failed_tasks = 0;
            }
        }
    }

    /// A service task stopped: the circuit breaker counts it if it failed (to reach RUNNING in
    /// the first stage, its health checks in the second).
    pub(crate) fn deployment_task_stopped(&mut self, service: ServiceIdx, task: TaskIdx) {
        let Some(d) = self.deployment_of(service, task) else {
            return;
        };
        let t = &self.ecs.tasks[task];
        let failed_health = t
            .stopped_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Task failed container health checks"));
        let s = &self.ecs.services[service];
        let deployment = &s.deployments[d];
        let counts = if deployment.task_ran {
            failed_health
        } else {
            !t.reached_running && t.stop_code != Some(StopCode::ServiceSchedulerInitiated)
        };
        if !counts || d != 0 || deployment.rollout_state != RolloutState::InProgress {
            return;
        }
        let threshold = breaker_threshold(
            s.desired_count,
            self.ecs.settings.circuit_breaker_minimum_threshold,
        );
        let breaker = s.circuit_breaker;
        let s = &mut self.ecs.services[service];
        s.deployments[0].failed_tasks += 1;
        s.deployments[0].updated_at = self.now;
        if !breaker.enable || s.deployments[0].failed_tasks < threshold {
            return;
        }
        // The breaker trips.
        let reason = "ECS deployment circuit breaker: tasks failed to start.".to_string();
        let failed_id = s.deployments[0].id.clone();
        s.deployments[0].rollout_state = RolloutState::Failed;
        s.deployments[0].rollout_state_reason = reason.clone();
        let name = s.name.clone();
        self.deployment_event(
            service,
            "ERROR",
            "SERVICE_DEPLOYMENT_FAILED",
            &failed_id,
            "ECS deployment circuit breaker: task failed to start.",
        );
        self.service_message(
            service,
            format!("(service {name}) (deployment {failed_id}) deployment failed: tasks failed to start."),
        );
        if !breaker.rollback {
            return;
        }
        let last_completed = self.ecs.services[service]
            .deployments
            .iter()
            .find(|d| d.rollout_state == RolloutState::Completed)
            .map(|d| {
                let load_balancers = d.load_balancers.clone();
                (d.id.clone(), d.task_definition.clone(), load_balancers)
            });
        if let Some((good_id, definition, load_balancers)) = last_completed {
            // The rollback goes back to that deployment's load balancers too.
            self.ecs.services[service].load_balancers = load_balancers;
            self.service_message(
                service,
                format!("(service {name}) rolling back to deployment {good_id}."),
            );
            self.start_deployment(
                service,
                definition,
                Some(format!(
                    "ECS deployment circuit breaker: rolling back to deploymentId {good_id}."
                )),
            );
        }
    }

    /// ACTIVE deployments with no task left become INACTIVE; a PRIMARY deployment in progress
    /// completes when the service is steady and no other deployment has tasks.
    pub(crate) fn retire_drained_deployments(&mut self, service: ServiceIdx) {
        let by_deployment = self.unstopped_by_deployment(service);
        let now = self.now;
        let s = &mut self.ecs.services[service];
        for (d, deployment) in s.deployments.iter_mut().enumerate() {
            if deployment.status == DeploymentStatus::Active && by_deployment[d].is_empty() {
                deployment.status = DeploymentStatus::Inactive;
                deployment.updated_at = now;
            }
        }
    }

    /// Called when the service is steady: the PRIMARY deployment completes once alone.
    pub(crate) fn complete_deployment(&mut self, service: ServiceIdx) {
        self.retire_drained_deployments(service);
        let s = &mut self.ecs.services[service];
        let alone = s
            .deployments
            .iter()
            .skip(1)
            .all(|d| d.status == DeploymentStatus::Inactive);
        let primary = &mut s.deployments[0];
        if !alone || primary.rollout_state != RolloutState::InProgress {
            return;
        }
        primary.rollout_state = RolloutState::Completed;
        primary.rollout_state_reason = format!("ECS deployment {} completed.", primary.id);
        primary.updated_at = self.now;
        let (id, reason) = (primary.id.clone(), primary.rollout_state_reason.clone());
        let name = s.name.clone();
        let first = s.deployments.len() == 1;
        self.deployment_event(
            service,
            "INFO",
            "SERVICE_DEPLOYMENT_COMPLETED",
            &id,
            &reason,
        );
        if !first {
            self.service_message(
                service,
                format!("(service {name}) (deployment {id}) deployment completed."),
            );
        }
    }

    /// A timeline point for each service whose tasks changed state since its last one.
    pub(crate) fn record_changed_timelines(&mut self) {
        for service in std::mem::take(&mut self.ecs.timelines_changed) {
            self.record_timeline(service);
        }
    }

    /// Pending, running and healthy tasks of each of the service's deployments, in one pass
    /// (this runs at every moment a service task changes state).
    fn timeline_counts(&self, service: ServiceIdx) -> Vec<[u32; 3]> {
        let s = &self.ecs.services[service];
        let mut counts = vec![[0u32; 3]; s.deployments.len()];
        for &t in &s.tasks {
            let task = &self.ecs.tasks[t];
            if task.is_stopped() {
                continue;
            }
            let Some(by) = task.started_by.as_deref() else {
                continue;
            };
            let Some(d) = s.deployments.iter().position(|d| d.id == by) else {
                continue;
            };
            let count = &mut counts[d];
            count[0] += u32::from(task.is_pending());
            count[1] += u32::from(task.is_running());
            count[2] += u32::from(
                task.desired_status == super::TaskStatus::Running
                    && self.healthy_for_service(t).is_ok(),
            );
        }
        counts
    }

    /// Appends a timeline point for each deployment whose counts changed.
    pub(crate) fn record_timeline(&mut self, service: ServiceIdx) {
        self.ecs.services[service].timeline_changed = false;
        let counts = self.timeline_counts(service);
        let desired = self.target_count(service) as u32;
        let s = &self.ecs.services[service];
        let mut points = Vec::new();
        for (d, deployment) in s.deployments.iter().enumerate() {
            // A deployment retired before now has had its last point.
            if deployment.status == DeploymentStatus::Inactive && deployment.updated_at < self.now {
                continue;
            }
            let [pending, running, healthy] = counts[d];
            let desired = if d == 0 { desired } else { 0 };
            let (status, rollout_state) = (
                deployment.status.as_str(),
                deployment.rollout_state.as_str(),
            );
            let last = s
                .timeline
                .iter()
                .rev()
                .find(|p| p.deployment_id == deployment.id);
            let same = last.is_some_and(|p| {
                (
                    p.status,
                    p.rollout_state,
                    p.desired,
                    p.pending,
                    p.running,
                    p.healthy,
                ) == (status, rollout_state, desired, pending, running, healthy)
            });
            if !same {
                points.push(TimelinePoint {
                    time: self.now,
                    deployment_id: deployment.id.clone(),
                    status,
                    rollout_state,
                    desired,
                    pending,
                    running,
                    healthy,
                });
            }
        }
        if points.is_empty() {
            return;
        }
        let s = &mut self.ecs.services[service];
        s.timeline.extend(points);
        trim_timeline(&mut s.timeline, self.now, |p| p.time);
    }

    /// Records a task the service started or stopped, with the reason.
    pub(crate) fn record_change(
        &mut self,
        service: ServiceIdx,
        task: TaskIdx,
        change: &'static str,
        reason: String,
    ) {
        let deployment_id = self.ecs.tasks[task].started_by.clone().unwrap_or_default();
        let task_id = self.ecs.tasks[task].id.clone();
        let s = &mut self.ecs.services[service];
        s.changes.push(TimelineChange {
            time: self.now,
            deployment_id,
            task_id,
            change,
            reason,
        });
        trim_timeline(&mut s.changes, self.now, |c| c.time);
    }
}
