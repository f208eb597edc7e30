//! A playground session: the scenario as loaded, the requests the user made on top of it, and the
//! world they produce. Every request the user makes that AWS accepts is kept as a scenario step
//! at the moment it was made, so the session saves as an ordinary scenario document and replays
//! to the same state (up to the order of timers due at the very instant of a request: a step
//! replays before them, a live request came after them).

use serde_json::Value;

use crate::engine::time::{SimTime, MS_PER_MINUTE, MS_PER_SECOND};
use crate::engine::ApiError;
use crate::scenario::{Scenario, Step};
use crate::world::World;

/// Cluster reservation is sampled this often (sim time) for the charts.
pub const SAMPLE_INTERVAL_MS: SimTime = 10 * MS_PER_SECOND;
/// At most this many samples are kept; when full, every other one is dropped and the interval
/// doubles, so a long run still fits (style rule 14).
pub const SAMPLES_MAX: usize = 2_000;
/// "Fast forward to steady state" gives up after this much simulated time.
pub const FAST_FORWARD_MS_MAX: SimTime = 6 * 60 * MS_PER_MINUTE;
/// It looks at the world this often while fast-forwarding.
const FAST_FORWARD_CHUNK_MS: SimTime = 5 * MS_PER_SECOND;
/// Fast forward also stops when no task or instance has changed for this long after the last
/// step: a service that cannot place its tasks retries for ever, and waiting longer shows nothing
/// new.
pub const FAST_FORWARD_QUIET_MS: SimTime = 10 * MS_PER_MINUTE;
/// Requests the user may add to one session (design.md section 9: steps per scenario).
pub const USER_REQUESTS_MAX: usize = crate::scenario::SCENARIO_STEPS_MAX;

/// The share of registered CPU and memory that tasks hold, over every ACTIVE container instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub time: SimTime,
    pub cpu_reserved_percent: f64,
    pub memory_reserved_percent: f64,
    /// RUNNING tasks per capacity provider, for the providers that have some (at most
    /// [`SAMPLED_PROVIDERS_MAX`], in the order first seen).
    pub providers: Vec<(String, u32)>,
}

/// Capacity providers whose running tasks a sample counts, at the most.
pub const SAMPLED_PROVIDERS_MAX: usize = 6;

/// RUNNING tasks per capacity provider (none when no cluster has a provider).
fn running_per_provider(world: &World) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    if world
        .ecs
        .clusters
        .values()
        .all(|c| c.capacity_providers.is_empty())
    {
        return out;
    }
    for t in world.ecs.tasks.iter() {
        let Some(provider) = t.capacity_provider.as_deref().filter(|_| t.is_running()) else {
            continue;
        };
        if let Some((_, n)) = out.iter_mut().find(|(p, _)| p == provider) {
            *n += 1;
        } else if out.len() < SAMPLED_PROVIDERS_MAX {
            out.push((provider.to_string(), 1));
        }
    }
    out
}

pub struct Session {
    /// The scenario as picked or restored, plus the user's accepted requests as steps.
    scenario: Scenario,
    /// How many of `scenario.steps` came with the scenario (the rest are the user's).
    scenario_steps: usize,
    world: World,
    samples: Vec<Sample>,
    sample_interval_ms: SimTime,
}

/// How far "fast forward to steady state" went, and whether it got there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastForward {
    pub from: SimTime,
    pub to: SimTime,
    pub steady: bool,
    /// Not steady, but nothing changed for [`FAST_FORWARD_QUIET_MS`].
    pub stuck: bool,
}

impl Session {
    /// A session at the scenario's start, its steps at time zero performed.
    pub fn new(scenario: Scenario) -> Self {
        let mut world = World::from_scenario(&scenario);
        world.advance_to(0);
        let mut session = Session {
            scenario_steps: scenario.steps.len(),
            scenario,
            world,
            samples: Vec::new(),
            sample_interval_ms: SAMPLE_INTERVAL_MS,
        };
        session.sample();
        session
    }

    /// A session restored from a saved document: the scenario (the user's requests included)
    /// replayed to `time`.
    pub fn restore(scenario: Scenario, user_requests: usize, time: SimTime) -> Self {
        let mut session = Session::new(scenario);
        session.scenario_steps = session.scenario.steps.len().saturating_sub(user_requests);
        session.advance_to(time);
        session
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn now(&self) -> SimTime {
        self.world.now()
    }

    /// The scenario with the user's requests: what autosave stores.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn user_requests(&self) -> usize {
        self.scenario.steps.len() - self.scenario_steps
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Back to the start of the scenario as it came, without the user's requests.
    pub fn reset(&mut self) {
        let mut scenario = self.scenario.clone();
        scenario.steps.truncate(self.scenario_steps);
        *self = Session::new(scenario);
    }

    /// Performs one request now, as the playground's panels do. An accepted request becomes a
    /// step of the session's scenario; a refused one changes nothing and is logged.
    pub fn request(&mut self, action: &str, input: Value) -> Result<Value, ApiError> {
        if self.user_requests() >= USER_REQUESTS_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("A session keeps at most {USER_REQUESTS_MAX} requests; reset to go on."),
                None,
            ));
        }
        let result = self.world.apply_logged(action, &input);
        if result.is_ok() {
            self.scenario.steps.push(Step {
                id: None,
                at: self.world.now(),
                action: action.to_string(),
                input,
            });
        }
        result
    }

    /// Requests made one after another, as a script makes them: a later input may name an
    /// earlier answer as `${r0.LoadBalancers[0].LoadBalancerArn}` (`rN` is the N-th request of
    /// the batch; step references' syntax). Each is recorded with its references resolved.
    /// Stops at the first refusal, which it returns with the request's index; the requests
    /// before it stay made.
    pub fn request_batch(&mut self, batch: &[(String, Value)]) -> Result<Value, (usize, ApiError)> {
        use crate::scenario::reference::{resolve, Referent};
        let mut answers: Vec<Value> = Vec::with_capacity(batch.len());
        for (n, (action, input)) in batch.iter().enumerate() {
            let referent =
                |id: &str| match id.strip_prefix('r').and_then(|k| k.parse::<usize>().ok()) {
                    Some(k) if k < answers.len() => Referent::Answered(&answers[k]),
                    Some(k) if k < batch.len() => Referent::NotYet,
                    _ => Referent::Unknown,
                };
            let input = resolve(input, &referent).map_err(|e| (n, e))?;
            let answer = self.request(action, input).map_err(|e| (n, e))?;
            answers.push(answer);
        }
        Ok(answers.pop().unwrap_or(Value::Null))
    }

    /// Advances the simulation to `until`, sampling reservation on the way. Returns false if
    /// the world stopped early at its per-call timer cap (call again to go on).
    pub fn advance_to(&mut self, until: SimTime) -> bool {
        while self.world.now() < until {
            let next_sample =
                (self.world.now() / self.sample_interval_ms + 1) * self.sample_interval_ms;
            let target = next_sample.min(until);
            if !self.world.advance_to(target) {
                return false;
            }
            if self.world.now() % self.sample_interval_ms == 0 {
                self.sample();
            }
        }
        true
    }

    pub fn advance_by(&mut self, duration: SimTime) -> bool {
        self.advance_to(self.world.now() + duration)
    }

    /// Advances to the next moment something is due (a timer or a scenario step). Returns the
    /// new time, or None when nothing is queued.
    pub fn step(&mut self) -> Option<SimTime> {
        let next = self.world.next_timer_at()?;
        self.advance_to(next.max(self.world.now()));
        Some(self.world.now())
    }

    /// Whether nothing is moving: every ACTIVE service has reached a steady state with no
    /// deployment in progress, no task is on its way to RUNNING or STOPPED, no instance is
    /// booting, and no scenario step is still to come.
    pub fn is_steady(&self) -> bool {
        let world = &self.world;
        let services_steady = world.ecs.services.iter().all(|s| {
            // Older deployments stay listed as INACTIVE; an ACTIVE one still has tasks to retire.
            s.status != crate::ecs::ServiceStatus::Active
                || (s.steady
                    && s.deployments
                        .iter()
                        .all(|d| d.status != crate::ecs::DeploymentStatus::Active))
        });
        let tasks_settled = world
            .ecs
            .tasks
            .iter()
            .all(|t| t.is_stopped() || (t.is_running() && t.desired_status == t.last_status));
        let booted = world
            .ec2
            .instances
            .values()
            .all(|i| i.state != crate::ec2::InstanceState::Pending);
        let steps_done = self
            .scenario
            .steps
            .iter()
            .all(|step| step.at <= world.now());
        services_steady && tasks_settled && booted && steps_done
    }

    /// Runs until [`Session::is_steady`], or until nothing has changed for
    /// [`FAST_FORWARD_QUIET_MS`] after the last step, at most [`FAST_FORWARD_MS_MAX`].
    pub fn fast_forward(&mut self) -> FastForward {
        let from = self.world.now();
        let limit = from + FAST_FORWARD_MS_MAX;
        // Look first: a request just made may not have moved anything yet.
        self.advance_by(FAST_FORWARD_CHUNK_MS);
        let mut activity = self.activity();
        let mut quiet_since = self.world.now();
        let mut stuck = false;
        while !self.is_steady() && self.world.now() < limit {
            self.advance_by(FAST_FORWARD_CHUNK_MS);
            let now = self.world.now();
            let latest = self.activity();
            let steps_done = self.scenario.steps.iter().all(|step| step.at <= now);
            if latest != activity || !steps_done {
                activity = latest;
                quiet_since = now;
            } else if now - quiet_since >= FAST_FORWARD_QUIET_MS {
                stuck = true;
                break;
            }
        }
        FastForward {
            from,
            to: self.world.now(),
            steady: self.is_steady(),
            stuck,
        }
    }

    /// What fast forward watches for change: tasks started, running and stopped, and
    /// container instances by status.
    fn activity(&self) -> [usize; 5] {
        let ecs = &self.world.ecs;
        let count =
            |f: &dyn Fn(&crate::ecs::Task) -> bool| ecs.tasks.iter().filter(|t| f(t)).count();
        [
            ecs.tasks.started() as usize,
            count(&|t| t.is_running()),
            count(&|t| t.is_stopped()),
            ecs.container_instances.len(),
            ecs.container_instances
                .iter()
                .filter(|i| i.status == crate::ecs::InstanceStatus::Active)
                .count(),
        ]
    }

    fn sample(&mut self) {
        let (mut cpu_used, mut cpu_registered, mut mem_used, mut mem_registered) =
            (0u64, 0u64, 0u64, 0u64);
        for instance in &self.world.ecs.container_instances {
            if instance.status == crate::ecs::InstanceStatus::Inactive {
                continue;
            }
            cpu_used += u64::from(instance.cpu_units_used);
            cpu_registered += u64::from(instance.cpu_units_registered);
            mem_used += u64::from(instance.memory_mib_used);
            mem_registered += u64::from(instance.memory_mib_registered);
        }
        let percent = |used: u64, registered: u64| {
            if registered == 0 {
                0.0
            } else {
                used as f64 * 100.0 / registered as f64
            }
        };
        let sample = Sample {
            time: self.world.now(),
            cpu_reserved_percent: percent(cpu_used, cpu_registered),
            memory_reserved_percent: percent(mem_used, mem_registered),
            providers: running_per_provider(&self.world),
        };
        if self
            .samples
            .last()
            .is_some_and(|last| last.time == sample.time)
        {
            self.samples.pop();
        }
        self.samples.push(sample);
        if self.samples.len() >= SAMPLES_MAX {
            let kept: Vec<Sample> = self.samples.iter().step_by(2).cloned().collect();
            self.samples = kept;
            self.sample_interval_ms *= 2;
        }
    }
}
