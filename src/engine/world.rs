//! The `World`: all simulated state, the clock, the event queue, the seeded generator and the
//! event log. `apply` performs one AWS request at the current time (all or nothing);
//! `advance_to` fires due timers in `(time, seq)` order.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};

use super::error::ApiError;
use super::ids::IdGen;
use super::log::{LogRecord, LOG_RECORDS_MAX};
use super::queue::{EventQueue, QUEUE_TIMERS_MAX};
use super::time::{format_timestamp, SimTime};
use crate::ec2::Ec2State;
use crate::ecs::task::ImageBehavior;
use crate::ecs::{EcsState, Health, ServiceIdx, TaskIdx};
use crate::scenario::{Scenario, Step};

/// A cap on timers fired by one `advance_to`, so a page asking for a long jump never freezes:
/// the caller sees how far the world got and calls again (design.md section 9).
pub const TIMERS_PER_ADVANCE_MAX: usize = 2_000_000;

/// Room kept in the event queue for what the timers already queued go on to schedule: past
/// `QUEUE_TIMERS_MAX` less this, requests are refused.
pub const QUEUE_HEADROOM_TIMERS: usize = 1_000_000;

/// Where and when the world is.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldConfig {
    pub seed: u64,
    pub region: String,
    pub account: String,
    /// The scenario start, in milliseconds since the Unix epoch.
    pub start_epoch_ms: i64,
    /// The deployment circuit breaker's minimum threshold (scenario `settings`).
    pub circuit_breaker_minimum_threshold: u32,
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            start_epoch_ms: 1_767_225_600_000,
            circuit_breaker_minimum_threshold:
                crate::ecs::deployment::CIRCUIT_BREAKER_THRESHOLD_MIN,
        }
    }
}

/// Everything that can happen later. Task timers carry the task's generation: a timer for a
/// course the task has left (it was stopped meanwhile) is ignored when it fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// Perform scenario step `n`.
    Step(usize),
    /// An EC2 instance finished booting: its ECS agent tries to register.
    AgentStart(String),
    /// The task's next lifecycle transition is due.
    TaskAdvance { task: TaskIdx, generation: u32 },
    /// A container of a running task exits by itself (sim:SetImageBehavior `exitAfter`).
    ContainerExit {
        task: TaskIdx,
        generation: u32,
        container: usize,
    },
    /// A container's health check settles on a status.
    ContainerHealth {
        task: TaskIdx,
        generation: u32,
        container: usize,
        health: Health,
    },
    /// The service scheduler looks at a service.
    Reconcile(ServiceIdx),
}

pub struct World {
    pub config: WorldConfig,
    pub(crate) now: SimTime,
    pub(crate) queue: EventQueue<Timer>,
    /// The one source of randomness (style rule 5): ChaCha8 is specified and portable, so a seed
    /// gives the same draws natively and in wasm32.
    pub(crate) rng: ChaCha8Rng,
    pub(crate) ids: IdGen,
    pub(crate) log: Vec<LogRecord>,
    log_dropped: u64,
    /// [`LOG_RECORDS_MAX`], or no limit for a reader that takes the log as it goes.
    log_records_max: usize,
    pub ecs: EcsState,
    pub ec2: Ec2State,
    /// How each image behaves once started, by exact image string (sim:SetImageBehavior).
    pub(crate) images: BTreeMap<String, ImageBehavior>,
    steps: Vec<Step>,
    /// What each step with an id answered, by step: `Some(Ok)` a response, `Some(Err)` a
    /// refusal, `None` not run yet. Steps without an id keep nothing.
    step_answers: Vec<Option<Result<Value, ()>>>,
    timers_fired: u64,
    /// The last sweep for stopped tasks past their retention (see `ecs::store`).
    last_sweep_at: SimTime,
}

impl World {
    pub fn new(config: WorldConfig) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            ids: IdGen::new(config.seed),
            config,
            now: 0,
            queue: EventQueue::default(),
            log: Vec::new(),
            log_dropped: 0,
            log_records_max: LOG_RECORDS_MAX,
            ecs: EcsState::default(),
            ec2: Ec2State::default(),
            images: BTreeMap::new(),
            steps: Vec::new(),
            step_answers: Vec::new(),
            timers_fired: 0,
            last_sweep_at: 0,
        }
    }

    /// A world with the scenario's steps queued at their times, nothing run yet.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut world = World::new(WorldConfig {
            seed: scenario.seed,
            region: scenario.region.clone(),
            account: scenario.account.clone(),
            start_epoch_ms: scenario.start_epoch_ms(),
            circuit_breaker_minimum_threshold: scenario.settings.circuit_breaker_minimum_threshold,
        });
        // Steps are queued first, in file order, so at equal times they run in that order and
        // before anything they cause.
        let mut order: Vec<usize> = (0..scenario.steps.len()).collect();
        order.sort_by_key(|&i| scenario.steps[i].at);
        for i in order {
            world.queue.push(scenario.steps[i].at, Timer::Step(i));
        }
        world.steps = scenario.steps.clone();
        world.step_answers = vec![None; scenario.steps.len()];
        world
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The records held: the newest [`LOG_RECORDS_MAX`] (or, with the limit lifted, all that
    /// were not taken).
    pub fn log(&self) -> &[LogRecord] {
        &self.log
    }

    /// Records let go because the log was full ([`LOG_RECORDS_MAX`]), oldest first.
    pub fn log_dropped(&self) -> u64 {
        self.log_dropped
    }

    /// Lifts the log's limit, for a reader that calls [`World::take_log`] often enough to hold
    /// memory down itself (the command line, after every few thousand timers).
    pub fn unbounded_log(&mut self) {
        self.log_records_max = usize::MAX;
    }

    /// Hands over the records held and empties the log: the command line prints them as the
    /// run goes, so it holds none.
    pub fn take_log(&mut self) -> Vec<LogRecord> {
        std::mem::take(&mut self.log)
    }

    /// Appends a record, letting the oldest go once the log holds a quarter more than
    /// [`LOG_RECORDS_MAX`] (so trimming costs O(1) a record on average).
    pub(crate) fn record(&mut self, record: LogRecord) {
        self.log.push(record);
        let max = self.log_records_max;
        if self.log.len() >= max.saturating_add(max / 4) {
            let excess = self.log.len() - max;
            self.log.drain(..excess);
            self.log_dropped += excess as u64;
        }
    }

    pub fn timers_fired(&self) -> u64 {
        self.timers_fired
    }

    /// Timers scheduled and not yet fired.
    pub fn pending_timers(&self) -> usize {
        self.queue.len()
    }

    pub fn next_timer_at(&self) -> Option<SimTime> {
        self.queue.next_time()
    }

    /// ISO-8601 for a sim time, as AWS writes timestamps in events.
    pub fn iso(&self, time: SimTime) -> String {
        format_timestamp(self.config.start_epoch_ms + time as i64)
    }

    /// Seconds since the Unix epoch, as the ECS API returns timestamps in Describe* responses.
    pub fn epoch_seconds(&self, time: SimTime) -> Value {
        json!((self.config.start_epoch_ms + time as i64) as f64 / 1000.0)
    }

    /// Performs one AWS request at the current time. A refused request changes nothing.
    pub fn apply(&mut self, action: &str, input: &Value) -> Result<Value, ApiError> {
        let result = self.dispatch(action, input);
        if cfg!(debug_assertions) {
            if let Err(violation) = self.check_invariants() {
                panic!("invariant broken by {action}: {violation}");
            }
        }
        result
    }

    /// Like [`World::apply`], and a refusal goes to the event log, as a failed scenario step does.
    pub fn apply_logged(&mut self, action: &str, input: &Value) -> Result<Value, ApiError> {
        let result = self.apply(action, input);
        if let Err(error) = &result {
            self.record(LogRecord::Failed {
                time: self.now,
                action: action.to_string(),
                error: error.clone(),
            });
        }
        result
    }

    fn dispatch(&mut self, action: &str, input: &Value) -> Result<Value, ApiError> {
        // Requests are refused while the queue is near its bound, so what they would schedule
        // (boots, tasks, checks) can never reach the queue's assertion: a limit is a refusal.
        if self.queue.len() + QUEUE_HEADROOM_TIMERS > QUEUE_TIMERS_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("The simulation already holds {} pending timers, near its limit of {QUEUE_TIMERS_MAX}: let time run, or make fewer resources.", self.queue.len()),
                None,
            ));
        }
        if !input.is_object() {
            return Err(ApiError::serialization(
                "The request must be a JSON object.",
                "$",
            ));
        }
        match action {
            "ecs:CreateCluster" => self.create_cluster(input),
            "ecs:DeleteCluster" => self.delete_cluster(input),
            "ecs:DescribeClusters" => self.describe_clusters(input),
            "ecs:ListClusters" => self.list_clusters(input),
            "ecs:RegisterTaskDefinition" => self.register_task_definition(input),
            "ecs:DeregisterTaskDefinition" => self.deregister_task_definition(input),
            "ecs:DescribeTaskDefinition" => self.describe_task_definition(input),
            "ecs:ListTaskDefinitions" => self.list_task_definitions(input),
            "ecs:DescribeContainerInstances" => self.describe_container_instances(input),
            "ecs:ListContainerInstances" => self.list_container_instances(input),
            "ecs:UpdateContainerInstancesState" => self.update_container_instances_state(input),
            "ecs:PutAttributes" => self.put_attributes(input),
            "ecs:RunTask" => self.run_task(input),
            "ecs:StartTask" => self.start_task_request(input),
            "ecs:StopTask" => self.stop_task_request(input),
            "ecs:DescribeTasks" => self.describe_tasks(input),
            "ecs:ListTasks" => self.list_tasks(input),
            "ecs:CreateService" => self.create_service(input),
            "ecs:UpdateService" => self.update_service(input),
            "ecs:DeleteService" => self.delete_service(input),
            "ecs:DescribeServices" => self.describe_services(input),
            "ecs:ListServices" => self.list_services(input),
            "ec2:RunInstances" => self.run_instances(input),
            "ec2:TerminateInstances" => self.terminate_instances(input),
            "ec2:DescribeInstances" => self.describe_instances(input),
            "sim:SetImageBehavior" => self.set_image_behavior(input),
            _ => Err(ApiError::unknown_operation(action)),
        }
    }

    /// Fires every timer due at or before `until`, then sets the clock to `until`. Returns
    /// false if it stopped early at [`TIMERS_PER_ADVANCE_MAX`] (call again to go on).
    pub fn advance_to(&mut self, until: SimTime) -> bool {
        self.advance_to_at_most(until, TIMERS_PER_ADVANCE_MAX)
    }

    /// Like [`World::advance_to`], firing at most `timers_max` timers; false if it stopped
    /// early (the clock is then at the last timer fired).
    pub fn advance_to_at_most(&mut self, until: SimTime, timers_max: usize) -> bool {
        for _ in 0..timers_max {
            let Some((time, timer)) = self.queue.pop_due(until) else {
                self.sweep(until);
                self.now = self.now.max(until);
                return true;
            };
            debug_assert!(time >= self.now, "timers never fire in the past");
            self.sweep(time);
            self.now = time;
            self.timers_fired += 1;
            self.fire(timer);
            if cfg!(debug_assertions) {
                if let Err(violation) = self.check_invariants() {
                    panic!("invariant broken at {}: {violation}", self.now);
                }
            }
        }
        false
    }

    /// Once a simulated minute, before anything happens at `time`: forgets the tasks stopped
    /// more than an hour before (ECS shows a stopped task that long). Nothing is logged, so
    /// event logs do not depend on it; what Describe* shows does.
    fn sweep(&mut self, time: SimTime) {
        use crate::ecs::store::FORGET_SWEEP_MS;
        if time / FORGET_SWEEP_MS == self.last_sweep_at / FORGET_SWEEP_MS {
            return;
        }
        self.last_sweep_at = time;
        if self.ecs.tasks.next_expiry().is_some_and(|at| at <= time) {
            self.ecs.forget_expired_tasks(time);
        }
    }

    pub fn advance_by(&mut self, duration: SimTime) -> bool {
        self.advance_to(self.now + duration)
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Step(i) => self.run_step(i),
            Timer::AgentStart(ec2_id) => self.agent_start(&ec2_id),
            Timer::TaskAdvance { task, generation } => self.task_advance(task, generation),
            Timer::ContainerExit {
                task,
                generation,
                container,
            } => self.container_exit(task, generation, container),
            Timer::ContainerHealth {
                task,
                generation,
                container,
                health,
            } => self.container_health(task, generation, container, health),
            Timer::Reconcile(service) => self.reconcile(service),
        }
    }

    /// Performs scenario step `i`, its references resolved first. A failed step is recorded
    /// and the scenario goes on, as a script against AWS does.
    fn run_step(&mut self, i: usize) {
        let step = self.steps[i].clone();
        let result = match self.resolve_references(&step.input) {
            Ok(input) => self.apply_logged(&step.action, &input),
            Err(error) => {
                self.record(LogRecord::Failed {
                    time: self.now,
                    action: step.action.clone(),
                    error: error.clone(),
                });
                Err(error)
            }
        };
        if step.id.is_some() {
            self.step_answers[i] = Some(result.map_err(drop));
        }
    }

    /// `input` with its step references (`${id.Path[0].Field}`) replaced by what those steps
    /// answered: see `scenario::reference`.
    pub fn resolve_references(&self, input: &Value) -> Result<Value, ApiError> {
        use crate::scenario::reference::{has_references, resolve, Referent};
        if !has_references(input) {
            return Ok(input.clone());
        }
        let referent = |id: &str| match self.steps.iter().position(|s| s.id.as_deref() == Some(id))
        {
            None => Referent::Unknown,
            Some(n) => match &self.step_answers[n] {
                None => Referent::NotYet,
                Some(Ok(response)) => Referent::Answered(response),
                Some(Err(())) => Referent::Refused,
            },
        };
        resolve(input, &referent)
    }

    pub(crate) fn schedule(&mut self, delay_ms: SimTime, timer: Timer) {
        self.queue.push(self.now + delay_ms, timer);
    }

    /// Appends an EventBridge event from `aws.ecs` to the log.
    pub(crate) fn emit_ecs_event(
        &mut self,
        detail_type: &'static str,
        resources: Vec<String>,
        detail: Value,
    ) {
        // The service an event concerns, for the log's filters: a task's group names it, and a
        // deployment's or service action's resource is the service's ARN.
        let service = match detail_type {
            "ECS Task State Change" => detail["group"]
                .as_str()
                .and_then(|g| g.strip_prefix("service:"))
                .map(Box::from),
            "ECS Deployment State Change" | "ECS Service Action" => resources
                .first()
                .and_then(|arn| arn.rsplit('/').next())
                .map(Box::from),
            _ => None,
        };
        let event = json!({
            "version": "0",
            "id": self.ids.uuid(),
            "detail-type": detail_type,
            "source": "aws.ecs",
            "account": self.config.account,
            // EventBridge envelopes carry whole seconds.
            "time": format!("{}Z", &self.iso(self.now)[..19]),
            "region": self.config.region,
            "resources": resources,
            "detail": detail,
        });
        self.record(LogRecord::Event {
            time: self.now,
            detail_type,
            service,
            text: event.to_string().into_boxed_str(),
        });
    }

    pub(crate) fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.config.region, self.config.account
        )
    }

    /// The state at the current time in AWS response shapes (`ecsplay describe`).
    pub fn describe_all(&self) -> Value {
        let clusters: Vec<Value> = self
            .ecs
            .clusters
            .values()
            .map(|c| self.cluster_json(c))
            .collect();
        let instances: Vec<Value> = (0..self.ecs.container_instances.len())
            .map(|i| self.container_instance_json(i))
            .collect();
        let services: Vec<Value> = (0..self.ecs.services.len())
            .map(|s| self.service_json(s))
            .collect();
        let tasks: Vec<Value> = (self.ecs.tasks.indices_by_start().into_iter())
            .map(|t| self.task_json(t))
            .collect();
        json!({
            "time": self.iso(self.now),
            "clusters": clusters,
            "containerInstances": instances,
            "services": services,
            "tasks": tasks,
            "taskDefinitions": self.task_definitions_json(),
            "ec2Instances": self.ec2_instances_json(),
            "placementDecisions": self.placement_decisions_json(),
            "deploymentTimelines": self.ecs.services.iter().map(|s| json!({
                "serviceArn": s.arn,
                "points": s.timeline,
                "changes": s.changes,
            })).collect::<Vec<_>>(),
        })
    }

    /// The why-trace of each task's placement still kept, and of each service's last task that
    /// found no instance.
    pub fn placement_decisions_json(&self) -> Value {
        let tasks = self.ecs.placement_traces.iter().map(
            |(&t, d)| json!({ "taskArn": self.ecs.tasks[t].arn, "trace": d.expand(&self.ecs) }),
        );
        let failures = self.ecs.services.iter().filter_map(|s| {
            s.last_placement_failure
                .as_ref()
                .map(|d| json!({ "serviceArn": s.arn, "trace": d.expand(&self.ecs) }))
        });
        Value::Array(tasks.chain(failures).collect())
    }
}
