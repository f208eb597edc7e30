//! The composition root: the `World` owns the engine core (clock, queue, generator, ids, log)
//! and each service's state, and is the only place that knows them all. It dispatches a request
//! in two levels (the prefix picks the service, the service matches its own operations), wraps
//! one timer enum per service in one [`Timer`], carries out the [`Command`]s services send one
//! another in order at the same simulated time, and builds `ecsplay describe` from each
//! service's part. How to add a service: docs/architecture.md.

use std::collections::VecDeque;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};

use crate::ec2::Ec2State;
use crate::ecs::EcsState;
use crate::elb::ElbState;
use crate::engine::error::ApiError;
use crate::engine::ids::IdGen;
use crate::engine::log::{LogRecord, LOG_RECORDS_MAX};
use crate::engine::queue::{EventQueue, QUEUE_TIMERS_MAX};
use crate::engine::time::{format_timestamp, SimTime};
use crate::scenario::{Scenario, Step};
use crate::sim::SimState;

/// A cap on timers fired by one `advance_to`, so a page asking for a long jump never freezes:
/// the caller sees how far the world got and calls again (design.md section 9).
pub const TIMERS_PER_ADVANCE_MAX: usize = 2_000_000;

/// Room kept in the event queue for what the timers already queued go on to schedule: past
/// `QUEUE_TIMERS_MAX` less this, requests are refused.
pub const QUEUE_HEADROOM_TIMERS: usize = 1_000_000;

/// The buffer an event's JSON text starts in: most events fit, so most are written without
/// growing it.
const EVENT_TEXT_BYTES_TYPICAL: usize = 2_048;

/// A broken invariant: which service's, and what broke (style rule 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvariantViolation {
    pub service: &'static str,
    pub message: String,
}

impl std::fmt::Display for InvariantViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.service, self.message)
    }
}

/// Where and when the world is.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldConfig {
    pub seed: u64,
    pub region: String,
    pub account: String,
    /// The scenario start, in milliseconds since the Unix epoch.
    pub start_epoch_ms: i64,
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            start_epoch_ms: 1_767_225_600_000,
        }
    }
}

/// Everything that can happen later: a scenario step, or one service's timer.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// Perform scenario step `n`.
    Step(usize),
    Ecs(crate::ecs::Timer),
    Ec2(crate::ec2::Timer),
    Elb(crate::elb::Timer),
    AutoScaling(crate::autoscaling::Timer),
}

impl From<crate::elb::Timer> for Timer {
    fn from(timer: crate::elb::Timer) -> Self {
        Timer::Elb(timer)
    }
}

impl From<crate::ecs::Timer> for Timer {
    fn from(timer: crate::ecs::Timer) -> Self {
        Timer::Ecs(timer)
    }
}

impl From<crate::ec2::Timer> for Timer {
    fn from(timer: crate::ec2::Timer) -> Self {
        Timer::Ec2(timer)
    }
}

/// What one service asks of another, carried out by the root after the request or timer that
/// sent it, first in first out, at the same simulated time. A service never writes another's
/// state.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// EC2: the instance is running (its ECS agent starts).
    InstanceRunning(String),
    /// EC2: the instance is terminated (its container instance goes).
    InstanceTerminated(String),
    /// ECS: register a task's target (target group, instance id, port) with ELB.
    RegisterTarget(String, String, u16),
    /// ECS: deregister a stopping task's target; it drains.
    DeregisterTarget(String, String, u16),
    /// ELB: a target of this group changed state (the services behind it look again).
    TargetHealthChanged(String),
    /// CloudWatch: an alarm (its name) in a state (`ALARM`, `OK`, ...) invokes a scaling
    /// policy (its ARN).
    ScalingPolicyAlarm(String, String, &'static str),
    /// Application Auto Scaling: a CloudWatch request its policies need (their own alarms:
    /// `PutMetricAlarm`), checked before it was sent.
    CloudWatch(&'static str, Value),
    /// Application Auto Scaling: delete these alarms (a policy's own, as it goes).
    DeleteAlarms(Vec<String>),
    /// Application Auto Scaling, as its service-linked role: set an ECS service's desired
    /// count (cluster, service, count).
    SetDesiredCount(String, String, u32),
    /// sim: Fargate Spot's capacity and random interruption rate an hour.
    SpotCapacity(bool, f64),
    /// sim: Fargate reclaims these Spot tasks (their ARNs, checked as running on Spot).
    InterruptSpot(Vec<String>),
    /// EC2 Auto Scaling: launch an instance of a group from its launch template.
    LaunchInstance(crate::ec2::read::LaunchOrder),
    /// EC2 Auto Scaling (a group's instance) or sim (`sim:FailInstance`): terminate an instance.
    TerminateInstance(String),
    /// ECS: drain a group's instances before the group terminates them (managed draining of
    /// its capacity provider), or stop doing so (group name, on).
    DrainBeforeTerminating(String, bool),
    /// EC2 Auto Scaling: the group will terminate this instance once ECS has drained it.
    DrainInstance(String),
    /// ECS: the instance is drained; its group may terminate it.
    InstanceDrained(String),
    /// ECS managed scaling: put this target-tracking policy on its group.
    PutGroupPolicy(crate::asg::GroupPolicy),
    /// ECS managed scaling: remove the policy of this ARN from its group.
    DeleteGroupPolicy(String),
    /// sim: EC2 interrupts this Spot instance (its two-minute notice).
    InterruptSpotInstance(String),
    /// EC2: a Spot instance's interruption notice, for ECS (Spot instance draining).
    SpotInstanceWarning(String),
    /// ECS managed termination protection: set or clear scale-in protection on a group's
    /// instances (group name, instance ids, protected).
    ProtectInstances(String, Vec<String>, bool),
    /// ECS (a container's awslogs driver): write lines to a log stream.
    WriteLogs(crate::logs::LogWrite),
    /// ECS (a task's container): write to a file of an EFS file system.
    EfsWrite(crate::efs::EfsWrite),
    /// ECS: an access point's root directory is made on its first mount (its CreationInfo).
    EfsMakeDir(String, String),
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
    /// Commands sent and not yet carried out (see [`Command`]).
    commands: VecDeque<Command>,
    pub ecs: EcsState,
    pub ec2: Ec2State,
    pub elb: ElbState,
    pub sim: SimState,
    pub cloudwatch: crate::cloudwatch::CloudWatchState,
    pub autoscaling: crate::autoscaling::AutoScalingState,
    /// EC2 Auto Scaling's groups.
    pub asg: crate::asg::AsgState,
    pub iam: crate::iam::IamState,
    pub logs: crate::logs::LogsState,
    pub ssm: crate::ssm::SsmState,
    pub secrets: crate::secretsmanager::SecretsState,
    pub s3: crate::s3::S3State,
    pub efs: crate::efs::EfsState,
    steps: Vec<Step>,
    /// What each step with an id answered, by step: `Some(Ok)` a response, `Some(Err)` a
    /// refusal, `None` not run yet. Steps without an id keep nothing.
    step_answers: Vec<Option<Result<Value, ()>>>,
    timers_fired: u64,
    /// Requests applied since the world began (accepted or refused).
    requests_applied: u64,
    /// The last sweep for stopped tasks past their retention (see `ecs::store`).
    last_sweep_at: SimTime,
    /// The next traffic sample's time (see [`World::pass_samples`]).
    next_sample_at: SimTime,
}

impl World {
    pub fn new(config: WorldConfig) -> Self {
        let mut world = Self {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            ids: IdGen::new(config.seed),
            config,
            now: 0,
            queue: EventQueue::default(),
            log: Vec::new(),
            log_dropped: 0,
            log_records_max: LOG_RECORDS_MAX,
            commands: VecDeque::new(),
            ecs: EcsState::default(),
            ec2: Ec2State::default(),
            elb: ElbState::default(),
            sim: SimState::default(),
            cloudwatch: Default::default(),
            autoscaling: Default::default(),
            asg: Default::default(),
            iam: Default::default(),
            logs: Default::default(),
            ssm: Default::default(),
            secrets: Default::default(),
            s3: Default::default(),
            efs: Default::default(),
            steps: Vec::new(),
            step_answers: Vec::new(),
            timers_fired: 0,
            requests_applied: 0,
            last_sweep_at: 0,
            next_sample_at: crate::sim::traffic::TRAFFIC_SAMPLE_MS,
        };
        // The Region's default VPC is there from the start, as in a new AWS account.
        let region = world.config.region.clone();
        world.ec2.network.ensure_defaults(&region);
        world
    }

    /// A world with the scenario's steps queued at their times, nothing run yet.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut world = World::new(WorldConfig {
            seed: scenario.seed,
            region: scenario.region.clone(),
            account: scenario.account.clone(),
            start_epoch_ms: scenario.start_epoch_ms(),
        });
        world.ecs.settings.circuit_breaker_minimum_threshold =
            scenario.settings.circuit_breaker_minimum_threshold;
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

    /// Requests applied since the world began, accepted or refused.
    pub fn requests_applied(&self) -> u64 {
        self.requests_applied
    }

    /// Every service's invariants, checked after every request and timer in debug builds and
    /// in tests (EC2 and `sim:` keep none of their own yet; ELB's are its traffic's books).
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.ecs_invariants()
            .map_err(|message| InvariantViolation {
                service: "ecs",
                message,
            })?;
        crate::elb::traffic::invariants(self).map_err(|message| InvariantViolation {
            service: "elasticloadbalancing",
            message,
        })?;
        crate::asg::invariants(self).map_err(|message| InvariantViolation {
            service: "autoscaling",
            message,
        })
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
        self.requests_applied += 1;
        let result = self.dispatch(action, input);
        self.record_changed_timelines();
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
        // The prefix picks the service (IAM's spelling); the service matches its operation.
        let result = match action.split_once(':') {
            Some(("ecs", operation)) => crate::ecs::dispatch(self, operation, input),
            Some(("ec2", operation)) => crate::ec2::dispatch(self, operation, input),
            Some(("elasticloadbalancing", operation)) => {
                crate::elb::dispatch(self, operation, input)
            }
            Some(("sim", operation)) => crate::sim::dispatch(self, operation, input),
            Some(("cloudwatch", operation)) => crate::cloudwatch::dispatch(self, operation, input),
            Some(("application-autoscaling", operation)) => {
                crate::autoscaling::dispatch(self, operation, input)
            }
            Some(("autoscaling", operation)) => crate::asg::dispatch(self, operation, input),
            Some(("iam", operation)) => crate::iam::dispatch(self, operation, input),
            Some(("logs", operation)) => crate::logs::dispatch(self, operation, input),
            Some(("ssm", operation)) => crate::ssm::dispatch(self, operation, input),
            Some(("secretsmanager", operation)) => {
                crate::secretsmanager::dispatch(self, operation, input)
            }
            Some(("s3", operation)) => crate::s3::dispatch(self, operation, input),
            Some(("efs", operation)) => crate::efs::dispatch(self, operation, input),
            _ => Err(ApiError::unknown_operation(action)),
        };
        // A refused request sent nothing: services check before they change or ask anything.
        debug_assert!(result.is_ok() || self.commands.is_empty());
        self.run_commands();
        result
    }

    /// Fires every timer due at or before `until`, then sets the clock to `until`. Returns
    /// false if it stopped early at [`TIMERS_PER_ADVANCE_MAX`] (call again to go on).
    pub fn advance_to(&mut self, until: SimTime) -> bool {
        self.advance_to_at_most(until, TIMERS_PER_ADVANCE_MAX)
    }

    /// Like [`World::advance_to`], firing at most `timers_max` timers; false if it stopped
    /// early (the clock is then at the last timer fired).
    pub fn advance_to_at_most(&mut self, until: SimTime, timers_max: usize) -> bool {
        // Service timelines get their points once per moment, when the clock moves on (and
        // when the call returns): one point for all that changed at one instant.
        for _ in 0..timers_max {
            let Some(next) = self.queue.next_time().filter(|&t| t <= until) else {
                self.record_changed_timelines();
                self.pass_samples(until);
                // What the samples started (an alarm's scaling) may have its own timers due.
                if self.queue.next_time().is_some_and(|t| t <= until) {
                    continue;
                }
                self.sweep(until);
                self.now = self.now.max(until);
                return true;
            };
            if next > self.now {
                self.record_changed_timelines();
            }
            // The samples up to the timer come first: an alarm they evaluate may scale a
            // service, whose timers may then come before this one.
            self.pass_samples(next);
            let (time, timer) = self.queue.pop_due(until).expect("a timer is due");
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
        self.record_changed_timelines();
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

    /// Before anything happens at `time`: each traffic sample due by then, in order, with the
    /// world as it stands (nothing changes between timers); at each minute's end, first the
    /// metrics of the minute that ended. Samples need no timers, so traffic and metrics leave
    /// the event queue and the event log as they were.
    fn pass_samples(&mut self, time: SimTime) {
        use crate::cloudwatch::PERIOD_MS;
        use crate::sim::traffic::TRAFFIC_SAMPLE_MS;
        while self.next_sample_at <= time {
            let at = self.next_sample_at;
            let now = std::mem::replace(&mut self.now, at);
            if at % PERIOD_MS == 0 {
                let mut data = crate::elb::traffic::take_minute_metrics(self);
                data.extend(crate::ecs::metrics::minute_metrics(self));
                data.extend(crate::asg::metrics::minute_metrics(self));
                self.sim.traffic.start_minute();
                crate::cloudwatch::publish(self, at - PERIOD_MS, data);
                self.evaluate_alarms(at);
                self.managed_termination_protection();
                self.ec2_spot_minute();
                self.run_commands();
            }
            let sample_s = TRAFFIC_SAMPLE_MS as f64 / crate::engine::time::MS_PER_SECOND as f64;
            for (lb, arrived, routed, outcomes) in crate::sim::traffic::sample(self, at) {
                crate::elb::traffic::account(self, lb, &routed, &outcomes, arrived, sample_s);
            }
            // The lines tasks wrote for the requests they answered (CloudWatch Logs only: the
            // event log and the queue stay as they were).
            self.run_commands();
            // Back to the time before the samples: what they scheduled (an alarm's scaling)
            // may come before the timer they precede, and fires in its turn.
            self.now = now;
            self.next_sample_at += TRAFFIC_SAMPLE_MS;
            // A timer what the sample started scheduled before the next sample (an alarm's
            // scaling, a Spot reclaim) fires first: the caller takes it, then comes back for
            // the samples after it. Without this stop, one long advance over an idle queue
            // passed hours of samples before the timers they had scheduled.
            if self
                .queue
                .next_time()
                .is_some_and(|t| t < self.next_sample_at)
            {
                return;
            }
        }
    }

    pub fn advance_by(&mut self, duration: SimTime) -> bool {
        self.advance_to(self.now + duration)
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Step(i) => self.run_step(i),
            Timer::Ecs(timer) => crate::ecs::fire(self, timer),
            Timer::Ec2(timer) => crate::ec2::fire(self, timer),
            Timer::Elb(timer) => crate::elb::fire(self, timer),
            Timer::AutoScaling(timer) => crate::autoscaling::fire(self, timer),
        }
        self.run_commands();
    }

    /// Sends `command` to the service it is for, after what is under way now.
    pub(crate) fn command(&mut self, command: Command) {
        self.commands.push_back(command);
    }

    /// Carries out the commands sent, in order, and any they send in turn.
    fn run_commands(&mut self) {
        while let Some(command) = self.commands.pop_front() {
            match command {
                Command::InstanceRunning(ec2_id) => {
                    self.agent_start(&ec2_id);
                    crate::asg::instance_running(self, &ec2_id);
                }
                Command::InstanceTerminated(ec2_id) => {
                    self.agent_instance_gone(&ec2_id);
                    crate::asg::instance_terminated(self, &ec2_id);
                }
                Command::LaunchInstance(order) => self.launch_from_template(&order),
                Command::TerminateInstance(ec2_id) => self.terminate_instance(&ec2_id),
                Command::DrainBeforeTerminating(group, on) => {
                    crate::asg::drain_before_terminating(self, &group, on)
                }
                Command::DrainInstance(ec2_id) => self.drain_for_termination(&ec2_id),
                Command::InstanceDrained(ec2_id) => crate::asg::instance_drained(self, &ec2_id),
                Command::RegisterTarget(group, id, port) => {
                    crate::elb::register_target(self, &group, &id, port)
                }
                Command::DeregisterTarget(group, id, port) => {
                    crate::elb::deregister_target(self, &group, &id, port)
                }
                Command::TargetHealthChanged(group) => self.target_health_changed(&group),
                // A group's policy (ECS managed scaling) or Application Auto Scaling's.
                Command::ScalingPolicyAlarm(policy, alarm, state)
                    if policy.contains(":autoScalingGroupName/") =>
                {
                    crate::asg::alarm_invokes(self, &policy, &alarm, state)
                }
                Command::ScalingPolicyAlarm(policy, alarm, state) => {
                    crate::autoscaling::alarm_invokes(self, &policy, &alarm, state)
                }
                Command::PutGroupPolicy(policy) => crate::asg::put_managed_policy(self, policy),
                Command::DeleteGroupPolicy(arn) => crate::asg::delete_managed_policy(self, &arn),
                Command::InterruptSpotInstance(id) => self.interrupt_spot_instance(&id),
                Command::SpotInstanceWarning(id) => self.spot_instance_warning(&id),
                Command::ProtectInstances(group, ids, on) => {
                    crate::asg::protect_instances(self, &group, &ids, on)
                }
                Command::CloudWatch(operation, input) => {
                    let done = crate::cloudwatch::dispatch(self, operation, &input);
                    debug_assert!(done.is_ok(), "checked before it was sent: {done:?}");
                }
                Command::DeleteAlarms(names) => self.remove_alarms(&names),
                Command::WriteLogs(write) => crate::logs::write(self, write),
                Command::EfsWrite(write) => crate::efs::write(self, write),
                Command::EfsMakeDir(fs, dir) => crate::efs::make_dir(self, &fs, &dir),
                Command::SetDesiredCount(cluster, service, count) => {
                    self.desired_count_by_autoscaling(&cluster, &service, count)
                }
                Command::SpotCapacity(available, rate) => self.set_spot(available, rate),
                Command::InterruptSpot(arns) => self.interrupt_spot_arns(&arns),
            }
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

    pub(crate) fn schedule(&mut self, delay_ms: SimTime, timer: impl Into<Timer>) {
        self.queue.push(self.now + delay_ms, timer.into());
    }

    /// Appends an EventBridge event to the log: AWS's envelope around `detail`, from
    /// `source` (`aws.ecs`), with the service it concerns for the log's filters.
    pub(crate) fn emit_event(
        &mut self,
        source: &str,
        detail_type: &'static str,
        resources: Vec<String>,
        detail: Value,
        service: Option<Box<str>>,
    ) {
        let event = json!({
            "version": "0",
            "id": self.ids.uuid(),
            "detail-type": detail_type,
            "source": source,
            "account": self.config.account,
            // EventBridge envelopes carry whole seconds.
            "time": format!("{}Z", &self.iso(self.now)[..19]),
            "region": self.config.region,
            "resources": resources,
            "detail": detail,
        });
        // Written once into a buffer of about an event's size (a task's event is some 1.5 KB).
        let mut text = Vec::with_capacity(EVENT_TEXT_BYTES_TYPICAL);
        serde_json::to_writer(&mut text, &event).expect("a JSON value serializes");
        let text = String::from_utf8(text).expect("serde_json writes UTF-8");
        self.record(LogRecord::Event {
            time: self.now,
            detail_type,
            service,
            text: text.into_boxed_str(),
        });
    }

    pub(crate) fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.config.region, self.config.account
        )
    }

    /// The state at the current time in AWS response shapes (`ecsplay describe`): the time,
    /// then each service's part.
    pub fn describe_all(&self) -> Value {
        let mut all = serde_json::Map::new();
        all.insert("time".into(), json!(self.iso(self.now)));
        let parts = [
            crate::ecs::describe(self),
            crate::ec2::describe(self),
            crate::elb::describe(self),
            crate::asg::describe(self),
            crate::iam::describe(self),
        ];
        for (key, value) in parts.into_iter().flatten() {
            all.insert(key.into(), value);
        }
        Value::Object(all)
    }
}
